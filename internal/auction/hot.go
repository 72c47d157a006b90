package auction

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction/rules"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
)

// The hot path of a live bidding (issue 5 §4, §7).
//
// In a contested timed bidding every bidder bids the next valid amount as
// soon as it sees one, so for each bid that is accepted many arrive at the
// same, now stale, amount. The database decides every acceptance (the
// sale row's lock orders the bids of every process); what this process
// keeps in memory only spares it work:
//
//   - the last committed state of the sale that this process has seen, and
//     the eligible registrations it has read: a bid below the next valid
//     amount of a committed state is refused without a transaction, since
//     the price of a bidding only rises, and the refusal carries that state
//     (Refused) so the bidder need not read it again. The cache never
//     accepts anything: what it does not refuse goes to the transaction,
//     which reads the committed state itself (another process may be ahead);
//   - a gate that lets one of this process's bids on a sale at a time into
//     its transaction: the others wait for its commit and are then mostly
//     refused from the state it leaves, instead of each taking the row lock
//     in turn only to be refused under it;
//   - the events of the bids it committed, handed to the live views
//     (OnCommitted) in commit order right after the commit, so that a
//     watcher on this process does not wait for the next poll of the
//     events table (the poll still brings what other processes commit).

// Refused is a bid refused because the committed state already refuses its
// amount: Err says why (with the next valid amount), State is the state
// that refused it, as a live view's event would carry it.
type Refused struct {
	Err   *apperr.Error
	Seq   int64 // commit sequence of the state
	State EventData
}

func (r *Refused) Error() string { return r.Err.Error() }
func (r *Refused) Unwrap() error { return r.Err }

// Committed is a change of a sale as live views show it, handed to the
// OnCommitted listeners after its commit: its event and the sequence of the
// sale's event before it (0 when it is the first), by which a listener knows
// whether it already holds every event up to this one.
type Committed struct {
	Prev  int64
	Event Event
}

// OnCommitted registers fn to be called, after the commit, with the event of
// every bid this process commits; for one sale the calls come one at a time,
// in commit order. fn must be quick: the sale's next bid waits for it.
func (s *Service) OnCommitted(fn func(Committed)) {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	old := s.listeners.Load()
	var next []func(Committed)
	if old != nil {
		next = append(next, *old...)
	}
	next = append(next, fn)
	s.listeners.Store(&next)
}

func (s *Service) committed(c Committed) {
	if fns := s.listeners.Load(); fns != nil {
		for _, fn := range *fns {
			fn(c)
		}
	}
}

// hotSale is this process's memory of one sale in live bidding.
type hotSale struct {
	state atomic.Pointer[Sale] // the newest committed state seen (by Version); never modified
	regs  sync.Map             // entity ID → eligible Registration read in a transaction

	// The gate: one of this process's bids in a transaction at a time.
	// When it leaves, every waiting bid wakes at once and looks at the state
	// it left — most are refused there and then, in parallel — instead of
	// queueing for a mutex that would hand the gate to them one by one,
	// each only to be refused, while the next valid bid waits behind them.
	mu      sync.Mutex
	busy    bool
	changed chan struct{} // closed when the bid in the gate leaves
}

// enter waits for the gate. Each time the bid in it leaves, refuse is asked
// first: its error is returned without entering.
func (h *hotSale) enter(ctx context.Context, refuse func() error) error {
	for {
		h.mu.Lock()
		if !h.busy {
			h.busy = true
			h.mu.Unlock()
			return nil
		}
		if h.changed == nil {
			h.changed = make(chan struct{})
		}
		ch := h.changed
		h.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := refuse(); err != nil {
			return err
		}
	}
}

// leave opens the gate and wakes every bid waiting for it.
func (h *hotSale) leave() {
	h.mu.Lock()
	h.busy = false
	if h.changed != nil {
		close(h.changed)
		h.changed = nil
	}
	h.mu.Unlock()
}

// hot returns the sale's hotSale, creating it.
func (s *Service) hotSale(id ids.ID) *hotSale {
	if h, ok := s.hot.Load(id); ok {
		return h.(*hotSale)
	}
	h, _ := s.hot.LoadOrStore(id, &hotSale{})
	return h.(*hotSale)
}

// forget drops a sale's memory once its bidding has ended.
func (s *Service) forget(id ids.ID) { s.hot.Delete(id) }

// saw records a committed state of the sale if it is newer than the one
// held. Versions only grow, so a late writer never replaces a newer state.
func (h *hotSale) saw(sale Sale) {
	for {
		cur := h.state.Load()
		if cur != nil && cur.Version >= sale.Version {
			return
		}
		c := sale
		if sale.Timed != nil {
			t := *sale.Timed
			c.Timed = &t
		}
		if h.state.CompareAndSwap(cur, &c) {
			return
		}
	}
}

// refuse answers, from the committed state held, a bid whose amount that
// state already refuses; nil means the transaction must decide. Who may bid
// is answered first, as under the lock: a bidder this process has not seen
// eligible, or who does not take part, goes to the transaction. Only a
// refusal that no later state can lift is given here — an amount below the
// next valid one; the end, a pause or the leader rule may change while a
// bid commits, so the transaction decides those.
func (h *hotSale) refuse(actor party.Actor, amount money.Fen, now time.Time) error {
	sale := h.state.Load()
	if sale == nil || sale.Status != StatusTimed || sale.Timed == nil || sale.Timed.Paused || actor.Role != party.RoleBidder ||
		!now.Before(sale.Timed.EndsAt) { // at the end, only the transaction knows whether a bid came later
		return nil
	}
	v, ok := h.regs.Load(actor.EntityID)
	if !ok {
		return nil
	}
	t := sale.Timed
	if len(t.Participants) > 0 && !slices.Contains(t.Participants, v.(Registration).BidderNo) {
		return nil
	}
	if amount >= t.Next() {
		return nil
	}
	err := rules.CheckQuote(amount, t.Price, t.Price, t.Increment, t.Leader != "")
	if err == nil {
		return nil
	}
	return &Refused{Err: apperr.As(err), Seq: sale.Seq, State: state(*sale, sale.UpdatedAt)}
}
