package auction

import (
	"context"
	"fmt"
	"time"

	"ggzy/internal/auction/rules"
	"ggzy/internal/party"
)

// conclude ends a sale with outcome o as of closedAt, in the caller's
// transaction: it reveals every reserve commitment; for a deal it reveals
// the winner's bidder-number binding and produces the transaction
// confirmation (成交确认书) with the winner's identity; it records the
// result in the ledger and the closing event. Losing bidders stay
// anonymous.
func (s *Service) conclude(ctx context.Context, tx Tx, now time.Time, actor party.Actor, sale *Sale, o rules.Outcome, stage Stage, closedAt time.Time) error {
	if !o.ClosedAt.IsZero() {
		closedAt = o.ClosedAt
	}
	sale.Status, sale.ClosedAt, sale.UpdatedAt = StatusClosed, closedAt, now
	reserves, err := tx.ListSaleReserves(ctx, sale.ID)
	if err != nil {
		return err
	}
	var revealed []int64
	for _, r := range reserves {
		idx, err := reveal(ctx, tx, now, *sale, r.LedgerIndex)
		if err != nil {
			return err
		}
		revealed = append(revealed, idx)
	}
	pub := map[string]any{"result": "", "closed_at": closedAt, "ran_at": now, "basis": o.Basis, "stage": stage,
		"has_reserve": sale.HasReserve, "reserve_reveals": revealed}
	if sale.HasReserve {
		pub["reserve"] = sale.Reserve
	}
	if o.Highest.Bidder != "" {
		pub["highest"], pub["highest_no"] = o.Highest.Amount, o.Highest.Bidder
	}
	var conf *Confirmation
	if o.Result == rules.Deal {
		sale.Result, sale.Reason, sale.Winner, sale.Final = Deal, "", o.Winner, o.Price
		regs, err := tx.ListSaleRegistrations(ctx, sale.ID)
		if err != nil {
			return err
		}
		var win *Registration
		for i := range regs {
			if regs[i].BidderNo == o.Winner && o.Winner != "" {
				win = &regs[i]
			}
		}
		if win == nil {
			return fmt.Errorf("auction: sale %s: winner number %q has no registration", sale.ID, o.Winner)
		}
		ent, err := tx.GetEntity(ctx, win.EntityID)
		if err != nil {
			return err
		}
		seller, err := tx.GetEntity(ctx, sale.SellerID)
		if err != nil {
			return err
		}
		bind, err := reveal(ctx, tx, now, *sale, win.BindingIndex)
		if err != nil {
			return err
		}
		conf = &Confirmation{SaleID: sale.ID, SaleCode: sale.Code, Title: sale.Title, Kind: sale.Kind, Mode: sale.Mode, Stage: stage,
			SellerID: seller.ID, SellerName: seller.Name, WinnerNo: o.Winner, WinnerID: ent.ID, WinnerName: ent.Name, WinnerUSCC: ent.USCC,
			Price: o.Price, PriceText: o.Price.Capital(), At: closedAt, Basis: o.Basis}
		s.resultPublicity(*sale, conf, pub, closedAt, now) // mining: confirmation and result publicity dates
		pub["result"], pub["winner_no"], pub["price"], pub["winner"], pub["winner_name"], pub["winner_uscc"], pub["binding_reveal"] =
			Deal, o.Winner, o.Price, ent.ID, ent.Name, ent.USCC, bind
	} else {
		sale.Result, sale.Reason, sale.Winner, sale.Final = NoDeal, string(o.Reason), "", 0
		pub["result"], pub["reason"], pub["reason_text"] = NoDeal, sale.Reason, ReasonText(sale.Reason)
	}
	idx, err := record(ctx, tx, now, actor, "auction.concluded", *sale, pub, nil)
	if err != nil {
		return err
	}
	if conf != nil {
		conf.LedgerIndex = idx
	}
	sale.Confirmation = conf
	if err := tx.UpdateSale(ctx, sale); err != nil {
		return err
	}
	return event(ctx, tx, *sale, EvClosed, now, state(*sale, now))
}
