package auction

import (
	"context"
	"errors"
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
// ascending quotes. In one transaction it takes the sale row
// (LockSaleLive: the commit order, and the committed live state), applies
// rules.Timed.Bid at server time, and stores its ledger entry, then the bid,
// the state and its event (CommitBid). Of two bids at the same price the one committed first wins and the
// other is refused with the new minimum (a *Refused carrying the state that
// refused it). The receipt is returned after the commit, and watchers get
// only committed events: every accepted bid is durably committed before it
// is acknowledged or broadcast. The countdown's close job is not moved on
// every bid: run at the end it was scheduled for, it finds the later end
// and asks to come back then (CloseTimed).
//
// This process's memory of the sale (hot.go) refuses, without a
// transaction, the bids that the committed state it last saw already
// refuses, and lets its bids into the transaction one at a time.
func (s *Service) Bid(ctx context.Context, actor party.Actor, saleID ids.ID, amount money.Fen) (Receipt, error) {
	h := s.hotSale(saleID)
	refuse := func() error { return h.refuse(actor, amount, s.clock.Now()) }
	if err := refuse(); err != nil {
		return Receipt{}, err
	}
	if err := h.enter(ctx, refuse); err != nil {
		return Receipt{}, err
	}
	defer h.leave()
	var (
		rc      Receipt
		seen    Sale // the committed state the transaction read
		after   Sale // the state it committed
		reg     Registration
		ev      Event
		prev    int64
		refused error
	)
	err := s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSaleLive(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now() // after the lock: commit order and server time agree
		seen, after, refused = sale, Sale{}, nil
		seen.Seq--
		switch sale.Status {
		case StatusTimed:
		case StatusDraft:
			return apperr.NotFoundf("交易")
		case StatusClosed:
			return apperr.New(apperr.Deadline, "竞价已结束，出价未被接受。")
		default:
			return apperr.New(apperr.Conflict, "限时竞价尚未开始。")
		}
		if reg, err = bidderReg(ctx, tx, actor, sale); err != nil {
			return err
		}
		t := *sale.Timed
		if err := t.Bid(reg.BidderNo, amount, sale.Seq, now); err != nil {
			if apperr.Is(err, apperr.Invalid) && amount < t.Next() {
				refused = &Refused{Err: apperr.As(err), Seq: seen.Seq, State: state(seen, now)}
				return refused
			}
			return err
		}
		idx, err := record(ctx, tx, now, actor, "auction.bid", sale, map[string]any{"bidder_no": reg.BidderNo, "amount": amount, "seq": sale.Seq, "ends_at": t.EndsAt},
			map[string]any{"entity": reg.EntityID, "registration": reg.ID})
		if err != nil {
			return err
		}
		sale.Timed, sale.EndsAt, sale.Price, sale.Leader, sale.UpdatedAt = &t, t.EndsAt, t.Price, t.Leader, now
		d := state(sale, now)
		d.BidderNo = reg.BidderNo
		ev = Event{SaleID: sale.ID, Seq: sale.Seq, Type: EvBid, At: now, Data: d}
		offer := Offer{SaleID: sale.ID, Seq: sale.Seq, Stage: StageTimed, BidderNo: reg.BidderNo, RegistrationID: reg.ID, Amount: amount, At: now, LedgerIndex: idx}
		if prev, err = tx.CommitBid(ctx, offer, &sale, ev); err != nil {
			return err
		}
		after = sale
		rc = Receipt{SaleID: sale.ID, Seq: sale.Seq, BidderNo: reg.BidderNo, Amount: amount, At: now, LedgerIndex: idx, Next: t.Next(), EndsAt: t.EndsAt}
		return nil
	})
	switch {
	case err == nil:
		h.regs.Store(reg.EntityID, reg)
		h.saw(after)
		s.committed(Committed{Prev: prev, Event: ev})
	case refused != nil && errors.Is(err, refused):
		h.regs.Store(reg.EntityID, reg)
		h.saw(seen)
	case seen.Status == StatusClosed:
		s.forget(saleID)
	}
	return rc, err
}

// CloseTimedJob runs CloseTimed for a job subject (TimedCloseSubject).
func (s *Service) CloseTimedJob(ctx context.Context, subject string) error {
	id, due, err := ParseTimedCloseSubject(subject)
	if err != nil {
		return err
	}
	return s.CloseTimed(ctx, id, due)
}

// CloseTimed is the job at the countdown's end; it is idempotent. due, the
// end the job was scheduled for, is informative only: bids move the end
// without moving the job, so run before the current end — at the
// end it was scheduled for, or early — it asks to come back at the current
// end (NotDueError). A paused bidding is left alone (Unpause schedules the
// close anew). Run late — the server was down — it closes as of the
// committed end (rules.Resume): the leader of the last committed bid wins
// at its price if it clears the reserve, ClosedAt is the end; no bid after
// it was ever acknowledged.
func (s *Service) CloseTimed(ctx context.Context, saleID ids.ID, due time.Time) error {
	done := func(sale Sale) bool {
		return sale.Status != StatusTimed || sale.Timed == nil || sale.Timed.Paused
	}
	// Look before taking the row: most runs find the end moved.
	var cur Sale
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		cur, err = tx.GetSale(ctx, saleID)
		return err
	}); err != nil {
		return err
	}
	if done(cur) {
		return nil
	}
	if now := s.clock.Now(); now.Before(cur.Timed.EndsAt) {
		return &NotDueError{At: cur.Timed.EndsAt}
	}
	err := s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if done(sale) {
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
	if err == nil {
		s.forget(saleID)
	}
	return err
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

// CloseOverdue closes, each as of its end, the timed biddings whose
// countdown ran out while no server process was running. Their close jobs
// would do it too, but only once the restarted job runner's scheduler has
// moved them (seconds later); `ggzy serve` calls this at its start so that
// the result is there at once. It returns how many it closed.
func (s *Service) CloseOverdue(ctx context.Context) (int, error) {
	var sales []Sale
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		sales, err = tx.ListSales(ctx, SaleFilter{Status: StatusTimed})
		return err
	}); err != nil {
		return 0, err
	}
	n := 0
	for _, sale := range sales {
		if sale.Timed == nil || sale.Timed.Paused || s.clock.Now().Before(sale.Timed.EndsAt) {
			continue
		}
		err := s.CloseTimed(ctx, sale.ID, time.Time{})
		var nd *NotDueError
		switch {
		case errors.As(err, &nd): // a bid committed meanwhile through another process
		case err != nil:
			return n, err
		default:
			n++
		}
	}
	return n, nil
}
