package store

import (
	"context"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/ids"
)

// The bid path of a live bidding (auction.Service.Bid): each accepted bid
// reads and writes only the sale's live columns. The announcement, the
// parameters (thousands of characters of legal bases) and the
// confirmation are neither decoded nor rewritten on every bid.

// saleLiveCols are the columns LockSaleLive returns, in scanSaleLive's order.
const saleLiveCols = `id, code, kind, mode, title, region, seller_id, deposit, start_price, increment, notice_at, start_at, end_at, join_by, ends_at, closed_at, status, result, reason, winner, final, price, leader, quotes, timed, reserve, has_reserve, seq, created_by, created_at, updated_at, version`

func scanSaleLive(r rowScanner) (auction.Sale, error) {
	var s auction.Sale
	err := r.Scan(&s.ID, &s.Code, &s.Kind, &s.Mode, &s.Title, &s.Region, &s.SellerID, &s.Deposit, &s.StartPrice, &s.Increment,
		tm(&s.NoticeAt), tm(&s.StartAt), tm(&s.EndAt), tm(&s.JoinBy), tm(&s.EndsAt), tm(&s.ClosedAt), &s.Status, &s.Result, &s.Reason,
		&s.Winner, &s.Final, &s.Price, &s.Leader, &s.Quotes, nj{&s.Timed}, &s.Reserve, &s.HasReserve, &s.Seq,
		&s.CreatedBy, tm(&s.CreatedAt), tm(&s.UpdatedAt), &s.Version)
	return s, err
}

// LockSaleLive is LockSale returning the live columns only: Data,
// Eligibility, Params and Confirmation are left zero.
func (tx *Tx) LockSaleLive(ctx context.Context, id ids.ID) (auction.Sale, error) {
	s, err := scanSaleLive(tx.queryRow(ctx, `UPDATE sales SET seq = seq + 1 WHERE id = ? RETURNING `+saleLiveCols, id))
	if err != nil {
		return auction.Sale{}, readErr("lock sale", err, "交易")
	}
	return s, nil
}

// UpdateSaleLive writes the live state of a bid — the timed bidding, its
// end, the standing price and bidder number, the update time — when
// s.Version is the stored one, and bumps it; otherwise a Conflict.
func (tx *Tx) UpdateSaleLive(ctx context.Context, s *auction.Sale) error {
	timed, err := js(s.Timed)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE sales SET timed = ?, ends_at = ?, price = ?, leader = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
		timed, tx.t(s.EndsAt), s.Price, s.Leader, tx.t(s.UpdatedAt), s.ID, s.Version)
	if err != nil {
		return writeErr("update sale live state", err, "", "")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "交易信息已被他人修改，请刷新后重试。")
	}
	s.Version++
	return nil
}

// LastAuctionEventSeq is the sequence of the sale's latest event, 0 when
// it has none: one lookup in the primary key.
func (tx *Tx) LastAuctionEventSeq(ctx context.Context, saleID ids.ID) (int64, error) {
	var seq int64
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM auction_events WHERE sale_id = ?`, saleID).Scan(&seq); err != nil {
		return 0, readErr("last auction event", err, "竞价事件")
	}
	return seq, nil
}

// CommitBid writes an accepted bid in the caller's transaction — its offer,
// the sale's live state (UpdateSaleLive, under the version check) and its
// event — and returns the sequence of the sale's event before it (0: none).
// On PostgreSQL it is one statement: loopback round trips cost more than
// the work (DESIGN.md §12), and a bid is on the hot path.
func (tx *Tx) CommitBid(ctx context.Context, o auction.Offer, s *auction.Sale, e auction.Event) (int64, error) {
	if !tx.pg {
		if err := tx.AddSaleOffer(ctx, o); err != nil {
			return 0, err
		}
		if err := tx.UpdateSaleLive(ctx, s); err != nil {
			return 0, err
		}
		prev, err := tx.LastAuctionEventSeq(ctx, e.SaleID)
		if err != nil {
			return 0, err
		}
		return prev, tx.AddAuctionEvent(ctx, e)
	}
	timed, err := js(s.Timed)
	if err != nil {
		return 0, err
	}
	data, err := js(e.Data)
	if err != nil {
		return 0, err
	}
	var prev, updated int64
	err = tx.queryRow(ctx, `WITH prev AS (SELECT COALESCE(MAX(seq), 0) AS seq FROM auction_events WHERE sale_id = ?),
		o AS (INSERT INTO sale_offers (`+saleOfferCols+`) VALUES (?,?,?,?,?,?,?,?)),
		s AS (UPDATE sales SET timed = ?, ends_at = ?, price = ?, leader = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ? RETURNING 1),
		e AS (INSERT INTO auction_events (sale_id, seq, type, at, data) VALUES (?,?,?,?,?))
		SELECT (SELECT seq FROM prev), (SELECT count(*) FROM s)`,
		e.SaleID,
		o.SaleID, o.Seq, o.Stage, o.BidderNo, o.RegistrationID, o.Amount, tx.t(o.At), o.LedgerIndex,
		timed, tx.t(s.EndsAt), s.Price, s.Leader, tx.t(s.UpdatedAt), s.ID, s.Version,
		e.SaleID, e.Seq, e.Type, tx.t(e.At), data).Scan(&prev, &updated)
	if err != nil {
		return 0, writeErr("commit bid", err, "竞价序号冲突，请重试。", "交易或竞买申请")
	}
	if updated != 1 {
		return 0, apperr.New(apperr.Conflict, "交易信息已被他人修改，请刷新后重试。")
	}
	s.Version++
	return prev, nil
}
