package auction

import (
	"context"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction/rules"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
)

// Info is a sale as its announcement shows it: no reserve, no bidder.
type Info struct {
	ID          ids.ID
	Code        string
	Kind        Kind
	Mode        Mode
	Title       string
	Region      string
	SellerID    ids.ID
	SellerName  string
	Data        Data
	Eligibility string
	Deposit     money.Fen
	StartPrice  money.Fen
	Increment   money.Fen
	NoticeAt    time.Time
	StartAt     time.Time
	EndAt       time.Time
	Status      Status // as of the view's server time (Sale.Phase)
	Params      rules.Params

	// The public state as of the view (as View.State), and once the sale
	// is closed its close and confirmation, so that lists need no View
	// per sale.
	State        EventData
	ClosedAt     time.Time
	Confirmation *Confirmation
}

func info(sale Sale, seller string, now time.Time) Info {
	return Info{ID: sale.ID, Code: sale.Code, Kind: sale.Kind, Mode: sale.Mode, Title: sale.Title, Region: sale.Region, SellerID: sale.SellerID,
		SellerName: seller, Data: sale.Data, Eligibility: sale.Eligibility, Deposit: sale.Deposit, StartPrice: sale.StartPrice,
		Increment: sale.Increment, NoticeAt: sale.NoticeAt, StartAt: sale.StartAt, EndAt: sale.EndAt, Status: sale.Phase(now), Params: sale.Params,
		State: state(sale, now), ClosedAt: sale.ClosedAt, Confirmation: closedConfirmation(sale)}
}

// closedConfirmation is the sale's confirmation once it is closed (public
// from then on, as View.Confirmation).
func closedConfirmation(sale Sale) *Confirmation {
	if sale.Status != StatusClosed {
		return nil
	}
	return sale.Confirmation
}

// OfferLine is a quote or bid as everyone sees it: a number, never a name.
type OfferLine struct {
	Seq      int64
	Stage    Stage
	BidderNo string
	Amount   money.Fen
	At       time.Time
}

// Mine is a bidder's own standing on a sale.
type Mine struct {
	RegistrationID ids.ID
	Status         RegStatus
	Reason         string
	Deposit        bool
	BidderNo       string
	Eligible       bool
	Joined         bool
	Rank           int // 1 = leading; 0 = no offer in the current stage
	Sealed         *OfferLine
}

// RegLine is a registration as the trading centre's console lists it:
// numbers and states, no names (those are behind Identities, audited).
type RegLine struct {
	ID        ids.ID
	Status    RegStatus
	Reason    string
	BidderNo  string
	DepositAt time.Time
	JoinedAt  time.Time
	CreatedAt time.Time
}

// View is one actor's view of a sale: the one place that decides what the
// public, a bidder, the seller and the trading centre may see. API and web
// render it and never query around it.
//
//   - Everyone: the announcement, the live state (price, leading number,
//     number of bids, next valid amount, countdown end and time left at
//     server time Now), the listing quotes and timed bids by number; sealed
//     quotes only after the close; whether a reserve was set, and its
//     amount only after the end; the confirmation after a deal.
//   - A bidder: its registration, number and rank.
//   - The seller and the trading centre: the registrations by number.
type View struct {
	Sale       Info
	Now        time.Time
	State      EventData
	Left       time.Duration
	Offers     []OfferLine
	HasReserve bool
	Reserve    money.Fen // after the end only
	JoinBy     time.Time
	ClosedAt   time.Time
	// Confirmation is the 成交确认书 after a deal, with the winner's name.
	Confirmation *Confirmation
	// LastSeq is the newest event's sequence: a live view subscribes after it.
	LastSeq       int64
	Mine          *Mine
	Registrations []RegLine
	CanManage     bool
	IsSeller      bool
}

// ViewSale returns actor's view of a sale.
func (s *Service) ViewSale(ctx context.Context, actor party.Actor, saleID ids.ID) (View, error) {
	now := s.clock.Now()
	var v View
	err := s.store.Read(ctx, func(tx Tx) error {
		sale, err := tx.GetSale(ctx, saleID)
		if err != nil {
			return err
		}
		staff := actor.IsStaff()
		if sale.Status == StatusDraft && !manages(actor, sale) && !staff {
			return apperr.NotFoundf("交易")
		}
		seller, err := tx.GetEntity(ctx, sale.SellerID)
		if err != nil {
			return err
		}
		v = View{Sale: info(sale, seller.Name, now), Now: now, State: state(sale, now), HasReserve: sale.HasReserve, JoinBy: sale.JoinBy,
			ClosedAt: sale.ClosedAt, CanManage: manages(actor, sale), IsSeller: isSeller(actor, sale)}
		if sale.Timed != nil && sale.Status == StatusTimed {
			t := *sale.Timed
			v.Left = t.Left(now)
		}
		closed := sale.Status == StatusClosed
		if closed {
			v.Reserve, v.Confirmation = sale.Reserve, sale.Confirmation
		}
		if ev, err := tx.LatestAuctionEvent(ctx, sale.ID); err == nil {
			v.LastSeq = ev.Seq
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		offers, err := tx.ListSaleOffers(ctx, sale.ID, "")
		if err != nil {
			return err
		}
		var current []rules.Quote // the ranking of the stage under way
		for _, o := range offers {
			if o.Stage == StageSealed && !closed {
				continue
			}
			v.Offers = append(v.Offers, OfferLine{Seq: o.Seq, Stage: o.Stage, BidderNo: o.BidderNo, Amount: o.Amount, At: o.At})
			if o.Stage != StageSealed {
				current = append(current, o.quote())
			}
		}
		if actor.Role == party.RoleBidder && actor.EntityID != "" {
			r, err := tx.GetSaleRegistrationByEntity(ctx, sale.ID, actor.EntityID)
			switch {
			case err == nil:
				m := &Mine{RegistrationID: r.ID, Status: r.Status, Reason: r.Reason, Deposit: !r.DepositAt.IsZero(), BidderNo: r.BidderNo,
					Eligible: r.Eligible(), Joined: !r.JoinedAt.IsZero()}
				if r.BidderNo != "" {
					m.Rank = rules.RankOf(current, r.BidderNo)
					for _, o := range offers {
						if o.Stage == StageSealed && o.BidderNo == r.BidderNo {
							m.Sealed = &OfferLine{Seq: o.Seq, Stage: o.Stage, BidderNo: o.BidderNo, Amount: o.Amount, At: o.At}
						}
					}
				}
				v.Mine = m
			case !apperr.Is(err, apperr.NotFound):
				return err
			}
		}
		if v.CanManage || staff {
			regs, err := tx.ListSaleRegistrations(ctx, sale.ID)
			if err != nil {
				return err
			}
			for _, r := range regs {
				v.Registrations = append(v.Registrations, RegLine{ID: r.ID, Status: r.Status, Reason: r.Reason, BidderNo: r.BidderNo,
					DepositAt: r.DepositAt, JoinedAt: r.JoinedAt, CreatedAt: r.CreatedAt})
			}
		}
		return nil
	})
	return v, err
}

// ListSales lists sales for actor, newest first: announced ones for
// everyone; drafts too for the trading centre, and for a seller's user
// who filters by its own entity (f.SellerID).
func (s *Service) ListSales(ctx context.Context, actor party.Actor, f SaleFilter) ([]Info, error) {
	now := s.clock.Now()
	var out []Info
	err := s.store.Read(ctx, func(tx Tx) error {
		out = nil
		// Drafts: the trading centre's staff, and a seller's users for
		// their own entity's sales.
		if !actor.IsStaff() && !(actor.Role == party.RolePrincipal && actor.EntityID != "" && f.SellerID == actor.EntityID) {
			f.Public = true
		}
		sales, err := tx.ListSales(ctx, f)
		if err != nil {
			return err
		}
		names := map[ids.ID]string{}
		for _, sale := range sales {
			if _, ok := names[sale.SellerID]; !ok {
				e, err := tx.GetEntity(ctx, sale.SellerID)
				if err != nil {
					return err
				}
				names[sale.SellerID] = e.Name
			}
			out = append(out, info(sale, names[sale.SellerID], now))
		}
		return nil
	})
	return out, err
}

// Events returns the sale's live-view events after afterSeq (a watcher's
// Last-Event-ID), oldest first, at most limit (≤ 0: all). Events are read
// from the database, so only committed changes are ever shown; their data
// has numbers and prices, no names.
func (s *Service) Events(ctx context.Context, saleID ids.ID, afterSeq int64, limit int) ([]Event, error) {
	var out []Event
	err := s.store.Read(ctx, func(tx Tx) error {
		sale, err := tx.GetSale(ctx, saleID)
		if err != nil {
			return err
		}
		if sale.Status == StatusDraft {
			return apperr.NotFoundf("交易")
		}
		out, err = tx.ListAuctionEvents(ctx, saleID, afterSeq, limit)
		return err
	})
	return out, err
}

// LatestEvent returns the sale's newest event (NotFound before the
// announcement).
func (s *Service) LatestEvent(ctx context.Context, saleID ids.ID) (Event, error) {
	var ev Event
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		ev, err = tx.LatestAuctionEvent(ctx, saleID)
		return err
	})
	return ev, err
}
