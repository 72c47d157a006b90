package auction_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/fixture"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// TestStaleBidIsRefusedWithTheState: the loser of a race at one price is
// refused with the state that beat it (new price, leader, next valid
// amount), first from the database, then from this process's memory of it,
// with the same answer; a second process that has not seen the newer state
// is refused by the database with it. On both databases.
func TestStaleBidIsRefusedWithTheState(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		w := fixture.New(t, db)
		s, regs := auctionSale(t, w, 3)
		noErr(t, w.Auction.StartTimed(ctx, s.ID))
		w.Clock.Advance(time.Second)
		first, err := w.Auction.Bid(ctx, bidderActor(w, 0), s.ID, start)
		noErr(t, err)

		refused := func(what string, svc *auction.Service, bidder int, amount money.Fen) {
			t.Helper()
			_, err := svc.Bid(ctx, bidderActor(w, bidder), s.ID, amount)
			var ref *auction.Refused
			if !errors.As(err, &ref) {
				t.Fatalf("%s: want a refusal with the state, got %v", what, err)
			}
			e := wantErr(t, err, apperr.Invalid, "")
			if !strings.Contains(e.Message, "下一个有效报价为"+first.Next.String()) {
				t.Fatalf("%s: message %q does not name the next valid amount %s", what, e.Message, first.Next)
			}
			eq(t, what+": price", ref.State.Price, start)
			eq(t, what+": leader", ref.State.Leader, regs[0].BidderNo)
			eq(t, what+": next", ref.State.Next, first.Next)
			eq(t, what+": state's sequence", ref.Seq, first.Seq)
		}
		refused("same price, from the database", w.Auction, 1, start)
		refused("same price again, from memory", w.Auction, 1, start)
		refused("below, another bidder", w.Auction, 2, start-inc)

		// A second process has seen nothing: its database transaction refuses.
		other := secondProcess(t, w, db)
		refused("another process", other, 2, start)

		// The next valid amount is accepted through either.
		w.Clock.Advance(time.Second)
		r, err := other.Bid(ctx, bidderActor(w, 2), s.ID, first.Next)
		noErr(t, err)
		// The first process's memory is behind now: its transaction decides,
		// with the newer state.
		_, err = w.Auction.Bid(ctx, bidderActor(w, 1), s.ID, first.Next)
		var ref *auction.Refused
		if !errors.As(err, &ref) || ref.State.Price != first.Next || ref.State.Next != r.Next {
			t.Fatalf("behind another process: %v (%+v)", err, ref)
		}
		// The leader rule is not answered from memory (it lifts when overtaken).
		_, err = w.Auction.Bid(ctx, bidderActor(w, 2), s.ID, r.Next)
		wantErr(t, err, apperr.Conflict, "")
		eq(t, "bids", sale(t, w, s.ID).Timed.Bids, 2)
	})
}

// secondProcess is another Service on w's database, with a memory of its
// own: as another `ggzy serve` (TestTwoProcessesOneOrder also gives it a
// handle of its own).
func secondProcess(t *testing.T, w *fixture.World, db *store.DB) *auction.Service {
	t.Helper()
	svc, err := auction.New(auction.Config{Store: store.Bind[auction.Tx](db), Clock: w.Clock, IDs: w.IDs, Calendar: w.Calendar, Region: fixture.Region})
	noErr(t, err)
	return svc
}

// TestCommittedEventsInOrder: the listeners get the event of every bid the
// process commits, after the commit (it is already readable), in commit
// order, each with the sequence of the event before it.
func TestCommittedEventsInOrder(t *testing.T) {
	w := newWorld(t)
	s, _ := auctionSale(t, w, 4)
	var (
		mu  sync.Mutex
		got []auction.Committed
	)
	w.Auction.OnCommitted(func(c auction.Committed) {
		evs, err := w.Auction.Events(ctx, s.ID, c.Prev, 0)
		if err != nil || len(evs) == 0 || evs[0].Seq != c.Event.Seq {
			t.Errorf("event %d handed out before it was readable after %d: %v %v", c.Event.Seq, c.Prev, evs, err)
		}
		mu.Lock()
		got = append(got, c)
		mu.Unlock()
	})
	noErr(t, w.Auction.StartTimed(ctx, s.ID))
	var wg sync.WaitGroup
	var accepted int
	for b := 0; b < 4; b++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				v, err := w.Auction.ViewSale(ctx, bidderActor(w, b), s.ID)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := w.Auction.Bid(ctx, bidderActor(w, b), s.ID, v.State.Next); err == nil {
					mu.Lock()
					accepted++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	evs, err := w.Auction.Events(ctx, s.ID, 0, 0)
	noErr(t, err)
	var bids []auction.Event
	prev := map[int64]int64{}
	for i, e := range evs {
		if e.Type == auction.EvBid {
			bids = append(bids, e)
			if i > 0 {
				prev[e.Seq] = evs[i-1].Seq
			}
		}
	}
	eq(t, "one call per accepted bid", len(got), accepted)
	eq(t, "every bid event", len(got), len(bids))
	for i, c := range got {
		eq(t, "commit order", c.Event.Seq, bids[i].Seq)
		eq(t, "previous event", c.Prev, prev[c.Event.Seq])
		eq(t, "price", c.Event.Data.Price, bids[i].Data.Price)
	}
}

// TestCloseJobFollowsTheEnd: bids move the countdown's end without a job
// each; the close job, run at the end it was scheduled for, asks to come
// back at the current end, and closes there as of the last bid.
func TestCloseJobFollowsTheEnd(t *testing.T) {
	w := newWorld(t)
	s, regs := auctionSale(t, w, 3)
	noErr(t, w.Auction.StartTimed(ctx, s.ID))
	job := w.Jobs.Jobs[len(w.Jobs.Jobs)-1]
	if job.Kind != jobs.AuctionCloseTimed {
		t.Fatalf("no close job at the start: %+v", job)
	}
	n := len(w.Jobs.Jobs)
	var last auction.Receipt
	for i, b := range []int{0, 1, 2} {
		w.Clock.Advance(time.Minute)
		r, err := w.Auction.Bid(ctx, bidderActor(w, b), s.ID, start+inc*money.Fen(i))
		noErr(t, err)
		last = r
	}
	eq(t, "no job per bid", len(w.Jobs.Jobs), n)
	w.Clock.Set(job.RunAt)
	wantNotDue(t, w.Auction.CloseTimedJob(ctx, job.Subject), last.EndsAt)
	eq(t, "still timed", sale(t, w, s.ID).Status, auction.StatusTimed)
	w.Clock.Set(last.EndsAt)
	noErr(t, w.Auction.CloseTimedJob(ctx, job.Subject))
	got := sale(t, w, s.ID)
	eq(t, "winner", got.Winner, regs[2].BidderNo)
	eq(t, "as of the end", got.ClosedAt, last.EndsAt)
	// After the end nothing is answered from memory: the bidding is over.
	_, err := w.Auction.Bid(ctx, bidderActor(w, 0), s.ID, start)
	wantErr(t, err, apperr.Deadline, "")
}

// TestCloseOverdue: at a server's start, a bidding whose countdown ran out
// while it was down ends as of its end; a running one is left to its job.
func TestCloseOverdue(t *testing.T) {
	w := newWorld(t)
	s, regs := auctionSale(t, w, 3)
	noErr(t, w.Auction.StartTimed(ctx, s.ID))
	w.Clock.Advance(time.Minute)
	r, err := w.Auction.Bid(ctx, bidderActor(w, 2), s.ID, start)
	noErr(t, err)
	n, err := w.Auction.CloseOverdue(ctx)
	noErr(t, err)
	eq(t, "running: none closed", n, 0)
	eq(t, "still timed", sale(t, w, s.ID).Status, auction.StatusTimed)

	w.Clock.Set(r.EndsAt.Add(10 * time.Minute)) // down across the end
	n, err = w.Auction.CloseOverdue(ctx)
	noErr(t, err)
	eq(t, "closed", n, 1)
	got := sale(t, w, s.ID)
	eq(t, "winner", got.Winner, regs[2].BidderNo)
	eq(t, "as of the end", got.ClosedAt, r.EndsAt)
	n, err = w.Auction.CloseOverdue(ctx)
	noErr(t, err)
	eq(t, "nothing left", n, 0)
}
