package auction

import (
	"context"
	"slices"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction/rules"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/party"
)

// Bid accepts a bid in live timed bidding, an online auction or open
// ascending quotes. In one transaction it takes the sale row (LockSale:
// the commit order), loads the committed state, applies rules.Timed.Bid at
// server time, and stores the state, the bid, its ledger entry and its
// event, and reschedules the close job at the new countdown end. Of two
// bids at the same price the one committed first wins and the other is
// refused with the new minimum. The receipt is returned after the commit,
// and watchers read only committed events: every accepted bid is durably
// committed before it is acknowledged or broadcast.
func (s *Service) Bid(ctx context.Context, actor party.Actor, saleID ids.ID, amount money.Fen) (Receipt, error) {
	// A bid whose amount the committed state already refuses is refused on
	// a read (stale): losing bids then cost no write transaction, which the
	// single sale row serialises.
	if err := s.stale(ctx, actor, saleID, amount); err != nil {
		return Receipt{}, err
	}
	var rc Receipt
	err := s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now() // after the lock: commit order and server time agree
		switch sale.Status {
		case StatusTimed:
		case StatusDraft:
			return apperr.NotFoundf("交易")
		case StatusClosed:
			return apperr.New(apperr.Deadline, "竞价已结束，出价未被接受。")
		default:
			return apperr.New(apperr.Conflict, "限时竞价尚未开始。")
		}
		reg, err := bidderReg(ctx, tx, actor, sale)
		if err != nil {
			return err
		}
		t := *sale.Timed
		if err := t.Bid(reg.BidderNo, amount, sale.Seq, now); err != nil {
			return err
		}
		idx, err := record(ctx, tx, now, actor, "auction.bid", sale, map[string]any{"bidder_no": reg.BidderNo, "amount": amount, "seq": sale.Seq, "ends_at": t.EndsAt},
			map[string]any{"entity": reg.EntityID, "registration": reg.ID})
		if err != nil {
			return err
		}
		if err := tx.AddSaleOffer(ctx, Offer{SaleID: sale.ID, Seq: sale.Seq, Stage: StageTimed, BidderNo: reg.BidderNo, RegistrationID: reg.ID, Amount: amount, At: now, LedgerIndex: idx}); err != nil {
			return err
		}
		sale.Timed, sale.EndsAt, sale.Price, sale.Leader, sale.UpdatedAt = &t, t.EndsAt, t.Price, t.Leader, now
		if err := tx.UpdateSale(ctx, &sale); err != nil {
			return err
		}
		d := state(sale, now)
		d.BidderNo = reg.BidderNo
		if err := event(ctx, tx, sale, EvBid, now, d); err != nil {
			return err
		}
		rc = Receipt{SaleID: sale.ID, Seq: sale.Seq, BidderNo: reg.BidderNo, Amount: amount, At: now, LedgerIndex: idx, Next: t.Next(), EndsAt: t.EndsAt}
		return s.enqueue(ctx, tx, jobs.AuctionCloseTimed, TimedCloseSubject(sale.ID, t.EndsAt), t.EndsAt)
	})
	return rc, err
}

// stale refuses, without taking the sale's lock, a bid whose amount the
// committed state already refuses: the price only rises, so the locked
// check would refuse it too (with the same rule, rules.CheckQuote). Other
// refusals (the end, a pause, the leader rule) can change while a bid
// commits, so only the transaction decides them.
func (s *Service) stale(ctx context.Context, actor party.Actor, saleID ids.ID, amount money.Fen) error {
	var refusal error
	err := s.store.Read(ctx, func(tx Tx) error {
		sale, err := tx.GetSale(ctx, saleID)
		if err != nil || sale.Status != StatusTimed || sale.Timed == nil {
			return nil // the transaction gives the precise answer
		}
		// Who may bid is answered first, as under the lock.
		reg, err := bidderReg(ctx, tx, actor, sale)
		if err != nil {
			return nil
		}
		t := sale.Timed
		if len(t.Participants) > 0 && !slices.Contains(t.Participants, reg.BidderNo) {
			return nil
		}
		refusal = rules.CheckQuote(amount, t.Price, t.Price, t.Increment, t.Leader != "")
		return nil
	})
	if err != nil {
		return err
	}
	return refusal
}

// CloseTimedJob runs CloseTimed for a job subject (TimedCloseSubject).
func (s *Service) CloseTimedJob(ctx context.Context, subject string) error {
	id, due, err := ParseTimedCloseSubject(subject)
	if err != nil {
		return err
	}
	return s.CloseTimed(ctx, id, due)
}

// CloseTimed is the job at the countdown's end; it is idempotent. due is
// the end the job was scheduled for: if a later bid (or a pause) has moved
// the end since, it does nothing — the job of the new end will close (zero
// due: whatever the current end). Run early, it asks to come back at the
// end (NotDueError). Run late — the server was down — it closes as of the
// committed end (rules.Resume): the leader of the last committed bid wins
// at its price if it clears the reserve, ClosedAt is the end; no bid after
// it was ever acknowledged.
func (s *Service) CloseTimed(ctx context.Context, saleID ids.ID, due time.Time) error {
	stale := func(sale Sale) bool {
		return sale.Status != StatusTimed || sale.Timed == nil || sale.Timed.Paused || !due.IsZero() && !sameInstant(due, sale.Timed.EndsAt)
	}
	// Most close jobs of a lively bidding are stale: look before taking the row.
	var cur Sale
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		cur, err = tx.GetSale(ctx, saleID)
		return err
	}); err != nil {
		return err
	}
	if stale(cur) {
		return nil
	}
	return s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if stale(sale) {
			return nil
		}
		t := rules.Resume(*sale.Timed, now)
		o := t.Close(now, sale.Reserve, sale.HasReserve)
		if o.Result == rules.Pending {
			return &NotDueError{At: t.EndsAt}
		}
		sale.Timed = &t
		return s.conclude(ctx, tx, now, party.System(), &sale, o, StageTimed, o.ClosedAt)
	})
}

// Pause stops the countdown for a declared technical fault (the trading
// centre's audited decision; the reason is public). Bids are refused until
// Unpause, which restores the time that was left.
func (s *Service) Pause(ctx context.Context, actor party.Actor, saleID ids.ID, reason string) (Sale, error) {
	return s.pause(ctx, actor, saleID, reason, true)
}

// Unpause resumes a paused countdown with the time that was left at the
// pause, and schedules the close at the new end.
func (s *Service) Unpause(ctx context.Context, actor party.Actor, saleID ids.ID, reason string) (Sale, error) {
	return s.pause(ctx, actor, saleID, reason, false)
}

func (s *Service) pause(ctx context.Context, actor party.Actor, saleID ids.ID, reason string, pause bool) (Sale, error) {
	if err := operatorOnly(actor, "暂停或恢复竞价"); err != nil {
		return Sale{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Sale{}, apperr.New(apperr.Invalid, "请写明技术故障情况及处理理由。").WithField("reason", "请填写理由")
	}
	var sale Sale
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if sale, err = tx.LockSale(ctx, saleID); err != nil {
			return err
		}
		now := s.clock.Now()
		if sale.Status != StatusTimed || sale.Timed == nil {
			return apperr.New(apperr.Conflict, "只能在限时竞价进行中暂停或恢复。")
		}
		t := *sale.Timed
		typ, ev := "auction.paused", EvPaused
		if pause {
			err = t.Pause(now)
		} else {
			typ, ev = "auction.resumed", EvResumed
			err = t.Unpause(now)
		}
		if err != nil {
			return err
		}
		sale.Timed, sale.EndsAt, sale.UpdatedAt = &t, t.EndsAt, now
		if err := tx.UpdateSale(ctx, &sale); err != nil {
			return err
		}
		if _, err := record(ctx, tx, now, actor, typ, sale, map[string]any{"reason": reason, "ends_at": t.EndsAt, "remaining_ms": t.Remaining.Milliseconds()}, nil); err != nil {
			return err
		}
		if err := event(ctx, tx, sale, ev, now, state(sale, now)); err != nil {
			return err
		}
		if pause {
			return nil
		}
		return s.enqueue(ctx, tx, jobs.AuctionCloseTimed, TimedCloseSubject(sale.ID, t.EndsAt), t.EndsAt)
	})
	return sale, err
}
