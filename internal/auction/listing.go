package auction

import (
	"context"
	"slices"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction/rules"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/party"
)

// Receipt acknowledges an accepted quote or bid. It is returned only after
// the transaction that stored the offer, its ledger entry and its event
// has committed: an acknowledged offer is durable.
type Receipt struct {
	SaleID      ids.ID
	Seq         int64 // the sale's commit order
	BidderNo    string
	Amount      money.Fen
	At          time.Time // server time of the commit
	LedgerIndex int64
	Next        money.Fen // the next valid amount after it (0 for a sealed quote)
	EndsAt      time.Time // the countdown's end after a timed bid
}

func quotes(os []Offer) []rules.Quote {
	out := make([]rules.Quote, 0, len(os))
	for _, o := range os {
		out = append(out, o.quote())
	}
	return out
}

// Quote accepts a listing quote (挂牌报价) of a qualified bidder with a
// confirmed deposit, between the listing's start and close: the first at
// least the start price, then the current price plus whole multiples of the
// increment (rules.CheckQuote; a refusal names the next valid amount). The
// sale row is taken first (LockSale), so quotes are checked against the
// price committed before them and ranked by commit order.
func (s *Service) Quote(ctx context.Context, actor party.Actor, saleID ids.ID, amount money.Fen) (Receipt, error) {
	var rc Receipt
	err := s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now() // after the lock: commit order and server time agree
		if sale.Status == StatusDraft {
			return apperr.NotFoundf("交易")
		}
		if sale.Mode != ModeListing {
			return apperr.New(apperr.Conflict, "本宗交易的方式为%s，不接受挂牌报价。", sale.Mode.Label())
		}
		if sale.Status != StatusAnnounced && sale.Status != StatusListing || !now.Before(sale.EndAt) {
			return apperr.Rule(apperr.Deadline, rules.BasisLO39Listing, "挂牌报价已于%s（北京时间）截止。", clock.Format(sale.EndAt))
		}
		if now.Before(sale.StartAt) {
			return apperr.Rule(apperr.Conflict, rules.BasisLO39Listing, "挂牌尚未开始，开始时间为%s（北京时间）。", clock.Format(sale.StartAt))
		}
		reg, err := bidderReg(ctx, tx, actor, sale)
		if err != nil {
			return err
		}
		if sale.Quotes > 0 && reg.BidderNo == sale.Leader && !sale.Params.LeaderMayRebid.On {
			return apperr.Rule(apperr.Conflict, rules.BasisPlatform, "您当前已是最高报价者（%s），不能对自己的报价加价。", sale.Price)
		}
		if err := rules.CheckQuote(amount, sale.Price, sale.StartPrice, sale.Increment, sale.Quotes > 0); err != nil {
			return err
		}
		idx, err := record(ctx, tx, now, actor, "auction.quoted", sale, map[string]any{"bidder_no": reg.BidderNo, "amount": amount, "seq": sale.Seq},
			map[string]any{"entity": reg.EntityID, "registration": reg.ID})
		if err != nil {
			return err
		}
		if err := tx.AddSaleOffer(ctx, Offer{SaleID: sale.ID, Seq: sale.Seq, Stage: StageListing, BidderNo: reg.BidderNo, RegistrationID: reg.ID, Amount: amount, At: now, LedgerIndex: idx}); err != nil {
			return err
		}
		sale.Price, sale.Leader, sale.Quotes, sale.Status, sale.UpdatedAt = amount, reg.BidderNo, sale.Quotes+1, StatusListing, now
		if err := tx.UpdateSale(ctx, &sale); err != nil {
			return err
		}
		d := state(sale, now)
		d.BidderNo = reg.BidderNo
		if err := event(ctx, tx, sale, EvQuote, now, d); err != nil {
			return err
		}
		rc = Receipt{SaleID: sale.ID, Seq: sale.Seq, BidderNo: reg.BidderNo, Amount: amount, At: now, LedgerIndex: idx, Next: d.Next}
		return nil
	})
	return rc, err
}

// ChangeIncrement changes the increment during the listing by the trading
// centre's audited decision (LO39 17, if the announcement allows it:
// rules.CheckIncrementChange). Accepted quotes stand; later quotes count
// from the current price with the new increment.
func (s *Service) ChangeIncrement(ctx context.Context, actor party.Actor, saleID ids.ID, increment money.Fen, reason string) (Sale, error) {
	reason, err := decision(actor, "调整增价幅度", reason)
	if err != nil {
		return Sale{}, err
	}
	var sale Sale
	err = s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if sale, err = tx.LockSale(ctx, saleID); err != nil {
			return err
		}
		now := s.clock.Now()
		if sale.Mode != ModeListing || sale.Status != StatusAnnounced && sale.Status != StatusListing || !now.Before(sale.EndAt) {
			return apperr.Rule(apperr.Conflict, rules.BasisLO39Listing, "只能在挂牌期间调整增价幅度。")
		}
		if err := rules.CheckIncrementChange(sale.Params, sale.Increment, increment); err != nil {
			return err
		}
		old := sale.Increment
		sale.Increment, sale.UpdatedAt = increment, now
		if err := tx.UpdateSale(ctx, &sale); err != nil {
			return err
		}
		if _, err := record(ctx, tx, now, actor, "auction.increment_changed", sale, map[string]any{"old": old, "new": increment, "reason": reason}, nil); err != nil {
			return err
		}
		return event(ctx, tx, sale, EvIncrementChanged, now, state(sale, now))
	})
	return sale, err
}

// CloseListing is the job at the listing close; it is idempotent and acts
// as of the close, whenever it runs. rules.CloseListing decides: no valid
// quote or the highest below the reserve → no deal; one bidder → deal;
// quotes from two or more bidders → the join window (rules.JoinDeadline)
// in which they confirm timed bidding, after which StartTimed decides.
//
// If the job runs after the join window would have ended (the server was
// down), the window opens now instead: a confirmation that could not be
// given is not counted as declined. The entry records both instants.
func (s *Service) CloseListing(ctx context.Context, saleID ids.ID) error {
	return s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if sale.Mode != ModeListing || sale.Status != StatusAnnounced && sale.Status != StatusListing {
			return nil // closed already, or not a listing
		}
		if now.Before(sale.EndAt) {
			return &NotDueError{At: sale.EndAt}
		}
		offers, err := tx.ListSaleOffers(ctx, sale.ID, StageListing)
		if err != nil {
			return err
		}
		qs := quotes(offers)
		var quoted []string
		for _, q := range qs {
			if !slices.Contains(quoted, q.Bidder) {
				quoted = append(quoted, q.Bidder)
			}
		}
		o := rules.CloseListing(sale.Params, qs, sale.Increment, sale.Reserve, sale.HasReserve, quoted)
		if o.Result != rules.TimedBidding {
			return s.conclude(ctx, tx, now, party.System(), &sale, o, StageListing, sale.EndAt)
		}
		sale.JoinBy = rules.JoinDeadline(sale.Params, sale.EndAt)
		late := !now.Before(sale.JoinBy)
		if late {
			sale.JoinBy = rules.JoinDeadline(sale.Params, now)
		}
		sale.Status, sale.UpdatedAt = StatusJoining, now
		if err := tx.UpdateSale(ctx, &sale); err != nil {
			return err
		}
		if _, err := record(ctx, tx, now, party.System(), "auction.listing_closed", sale, map[string]any{"closed_at": sale.EndAt, "ran_at": now,
			"highest": o.Highest.Amount, "leader": o.Highest.Bidder, "bidders": len(quoted), "join_by": sale.JoinBy, "late": late, "basis": o.Basis}, nil); err != nil {
			return err
		}
		if err := event(ctx, tx, sale, EvListingClosed, now, state(sale, now)); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs.AuctionStartTimed, sale.ID, sale.JoinBy)
	})
}

// joinOpens is when the join window opened.
func (sale Sale) joinOpens() time.Time { return sale.JoinBy.Add(-sale.Params.JoinWindow.Duration()) }

// Join records a bidder's confirmation, within the join window, that it
// takes part in the timed bidding (rules.CheckJoin: only bidders with a
// valid listing quote).
func (s *Service) Join(ctx context.Context, actor party.Actor, saleID ids.ID) error {
	return s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		basis := sale.Params.JoinWindow.Basis
		switch sale.Status {
		case StatusJoining:
		case StatusTimed, StatusClosed:
			return apperr.Rule(apperr.Deadline, basis, "确认参加限时竞价的时间已过。")
		default:
			return apperr.Rule(apperr.Conflict, basis, "挂牌尚未截止，截止后%s内方可确认参加限时竞价。", sale.Params.JoinWindow.Describe())
		}
		reg, err := bidderReg(ctx, tx, actor, sale)
		if err != nil {
			return err
		}
		if !reg.JoinedAt.IsZero() {
			return apperr.New(apperr.Conflict, "您已于%s确认参加限时竞价。", clock.Format(reg.JoinedAt))
		}
		offers, err := tx.ListSaleOffers(ctx, sale.ID, StageListing)
		if err != nil {
			return err
		}
		if err := rules.CheckJoin(sale.Params, sale.joinOpens(), now, reg.BidderNo, quotes(offers)); err != nil {
			return err
		}
		reg.JoinedAt, reg.UpdatedAt = now, now
		if err := tx.UpdateSaleRegistration(ctx, reg); err != nil {
			return err
		}
		if _, err := record(ctx, tx, now, actor, "auction.joined", sale, map[string]any{"bidder_no": reg.BidderNo}, map[string]any{"entity": reg.EntityID}); err != nil {
			return err
		}
		regs, err := tx.ListSaleRegistrations(ctx, sale.ID)
		if err != nil {
			return err
		}
		d := state(sale, now)
		d.Joined = len(joined(regs))
		return event(ctx, tx, sale, EvJoined, now, d)
	})
}

// joined lists the bidder numbers that confirmed timed bidding, in the
// order they confirmed.
func joined(regs []Registration) []string {
	rs := slices.Clone(regs)
	slices.SortStableFunc(rs, func(a, b Registration) int { return a.JoinedAt.Compare(b.JoinedAt) })
	var out []string
	for _, r := range rs {
		if !r.JoinedAt.IsZero() && r.BidderNo != "" {
			out = append(out, r.BidderNo)
		}
	}
	return out
}

// eligible lists the bidder numbers that may bid.
func eligible(regs []Registration) []string {
	var out []string
	for _, r := range regs {
		if r.Eligible() {
			out = append(out, r.BidderNo)
		}
	}
	return out
}

// StartTimed is the job that starts live bidding: at the end of a
// listing's join window (timed bidding among those who confirmed, from the
// highest quote plus one increment — or, with fewer than two, the listing
// decided by its quotes: rules.CloseListing), at the announced time of an
// auction (rules.StartAuction: at least MinAuctionBidders eligible bidders,
// else no deal), or at the end of a property disclosure with open ascending
// quotes (rules.StartAscending: at least two qualified buyers, else no deal
// and the transfer may go by agreement). Idempotent.
//
// The countdown starts at the scheduled instant, or at the run if the
// server was down then: a bidding that could not be offered is offered in
// full. The entry records both instants.
func (s *Service) StartTimed(ctx context.Context, saleID ids.ID) error {
	return s.store.WithTx(ctx, func(tx Tx) error {
		sale, err := tx.LockSale(ctx, saleID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		var due time.Time
		switch {
		case sale.Mode == ModeListing && sale.Status == StatusJoining:
			due = sale.JoinBy
		case (sale.Mode == ModeAuction || sale.Mode == ModeAscending) && sale.Status == StatusAnnounced:
			due = sale.StartAt
		default:
			return nil // started or closed already
		}
		if now.Before(due) {
			return &NotDueError{At: due}
		}
		startAt := due
		if now.Sub(due) > time.Minute {
			startAt = now
		}
		regs, err := tx.ListSaleRegistrations(ctx, sale.ID)
		if err != nil {
			return err
		}
		var t rules.Timed
		switch sale.Mode {
		case ModeListing:
			offers, err := tx.ListSaleOffers(ctx, sale.ID, StageListing)
			if err != nil {
				return err
			}
			o := rules.CloseListing(sale.Params, quotes(offers), sale.Increment, sale.Reserve, sale.HasReserve, joined(regs))
			if o.Result != rules.TimedBidding {
				return s.conclude(ctx, tx, now, party.System(), &sale, o, StageListing, sale.EndAt)
			}
			if t, err = rules.StartTimed(sale.Params, o, sale.Increment, startAt); err != nil {
				return err
			}
		case ModeAuction:
			if t, err = rules.StartAuction(sale.auctionParams(), sale.StartPrice, sale.Increment, eligible(regs), startAt); apperr.Is(err, apperr.Conflict) {
				return s.conclude(ctx, tx, now, party.System(), &sale, rules.Outcome{Result: rules.NoDeal, Reason: TooFewBidders, Basis: apperr.As(err).Basis}, StageTimed, due)
			} else if err != nil {
				return err
			}
		case ModeAscending:
			var qualified []string
			for _, r := range regs {
				if r.Status == Qualified && r.Eligible() {
					qualified = append(qualified, r.BidderNo)
				}
			}
			if t, err = rules.StartAscending(sale.Params, sale.StartPrice, sale.Increment, qualified, startAt); apperr.Is(err, apperr.Conflict) {
				return s.conclude(ctx, tx, now, party.System(), &sale, rules.Outcome{Result: rules.NoDeal, Reason: SingleBuyer, Basis: apperr.As(err).Basis}, StageTimed, due)
			} else if err != nil {
				return err
			}
		}
		sale.Timed, sale.EndsAt, sale.Status, sale.UpdatedAt = &t, t.EndsAt, StatusTimed, now
		sale.Price, sale.Leader = t.Price, t.Leader
		if err := tx.UpdateSale(ctx, &sale); err != nil {
			return err
		}
		if _, err := record(ctx, tx, now, party.System(), "auction.timed_started", sale, map[string]any{"scheduled": due, "started_at": startAt,
			"price": t.Price, "leader": t.Leader, "next": t.Next(), "ends_at": t.EndsAt, "countdown_s": int64(t.Countdown / time.Second),
			"participants": len(t.Participants)}, nil); err != nil {
			return err
		}
		if err := event(ctx, tx, sale, EvTimedStarted, now, state(sale, now)); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, jobs.AuctionCloseTimed, TimedCloseSubject(sale.ID, t.EndsAt), t.EndsAt)
	})
}
