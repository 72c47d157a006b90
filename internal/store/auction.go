package store

import (
	"context"
	"fmt"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/ids"
)

// ---- land, mining-right and state-property sales (auction package)

var (
	_ auction.Tx    = (*Tx)(nil)
	_ auction.Store = Runner[auction.Tx]{}
)

const saleCols = `id, code, kind, mode, title, region, seller_id, data, eligibility, deposit, start_price, increment, params, notice_at, start_at, end_at, join_by, ends_at, closed_at, status, result, reason, winner, final, price, leader, quotes, timed, reserve, has_reserve, confirmation, seq, created_by, created_at, updated_at, version`

// saleSet is every column UpdateSale writes: all but id, code, seq,
// created_by, created_at and version (bumped).
const saleSet = `kind = ?, mode = ?, title = ?, region = ?, seller_id = ?, data = ?, eligibility = ?, deposit = ?, start_price = ?, increment = ?, params = ?, notice_at = ?, start_at = ?, end_at = ?, join_by = ?, ends_at = ?, closed_at = ?, status = ?, result = ?, reason = ?, winner = ?, final = ?, price = ?, leader = ?, quotes = ?, timed = ?, reserve = ?, has_reserve = ?, confirmation = ?, updated_at = ?, version = version + 1`

func scanSale(r rowScanner) (auction.Sale, error) {
	var s auction.Sale
	err := r.Scan(&s.ID, &s.Code, &s.Kind, &s.Mode, &s.Title, &s.Region, &s.SellerID, nj{&s.Data}, &s.Eligibility, &s.Deposit, &s.StartPrice, &s.Increment,
		nj{&s.Params}, tm(&s.NoticeAt), tm(&s.StartAt), tm(&s.EndAt), tm(&s.JoinBy), tm(&s.EndsAt), tm(&s.ClosedAt), &s.Status, &s.Result, &s.Reason,
		&s.Winner, &s.Final, &s.Price, &s.Leader, &s.Quotes, nj{&s.Timed}, &s.Reserve, &s.HasReserve, nj{&s.Confirmation}, &s.Seq,
		&s.CreatedBy, tm(&s.CreatedAt), tm(&s.UpdatedAt), &s.Version)
	return s, err
}

// saleArgs are the values of saleSet's columns, in order.
func (tx *Tx) saleArgs(s auction.Sale) ([]any, error) {
	data, err := js(s.Data)
	if err != nil {
		return nil, err
	}
	params, err := js(s.Params)
	if err != nil {
		return nil, err
	}
	timed, err := js(s.Timed)
	if err != nil {
		return nil, err
	}
	conf, err := js(s.Confirmation)
	if err != nil {
		return nil, err
	}
	return []any{s.Kind, s.Mode, s.Title, s.Region, s.SellerID, data, s.Eligibility, s.Deposit, s.StartPrice, s.Increment, params,
		tx.t(s.NoticeAt), tx.t(s.StartAt), tx.t(s.EndAt), tx.t(s.JoinBy), tx.t(s.EndsAt), tx.t(s.ClosedAt), s.Status, s.Result, s.Reason,
		s.Winner, s.Final, s.Price, s.Leader, s.Quotes, timed, s.Reserve, s.HasReserve, conf, tx.t(s.UpdatedAt)}, nil
}

// CreateSale stores a new sale with Version 1 and Seq 0; a duplicate ID or
// code is an apperr Conflict, an unknown seller a NotFound.
func (tx *Tx) CreateSale(ctx context.Context, s auction.Sale) error {
	args, err := tx.saleArgs(s)
	if err != nil {
		return err
	}
	// id, code, then saleSet's columns but updated_at, then seq, created_by, created_at, updated_at, version.
	vals := append([]any{s.ID, s.Code}, args[:len(args)-1]...)
	vals = append(vals, int64(0), s.CreatedBy, tx.t(s.CreatedAt), tx.t(s.UpdatedAt), int64(1))
	if _, err := tx.exec(ctx, `INSERT INTO sales (`+saleCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, vals...); err != nil {
		return writeErr("create sale", err, "交易编号重复，请重试。", "出让人（转让方）")
	}
	return nil
}

func (tx *Tx) GetSale(ctx context.Context, id ids.ID) (auction.Sale, error) {
	s, err := scanSale(tx.queryRow(ctx, `SELECT `+saleCols+` FROM sales WHERE id = ?`, id))
	if err != nil {
		return auction.Sale{}, readErr("get sale", err, "交易")
	}
	return s, nil
}

func (tx *Tx) GetSaleByCode(ctx context.Context, code string) (auction.Sale, error) {
	s, err := scanSale(tx.queryRow(ctx, `SELECT `+saleCols+` FROM sales WHERE code = ?`, code))
	if err != nil {
		return auction.Sale{}, readErr("get sale by code", err, "交易")
	}
	return s, nil
}

// ListSales lists sales matching f, newest first.
func (tx *Tx) ListSales(ctx context.Context, f auction.SaleFilter) ([]auction.Sale, error) {
	q := `SELECT ` + saleCols + ` FROM sales WHERE 1=1`
	var args []any
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.Mode != "" {
		q += ` AND mode = ?`
		args = append(args, f.Mode)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.SellerID != "" {
		q += ` AND seller_id = ?`
		args = append(args, f.SellerID)
	}
	if f.Public {
		q += ` AND status <> 'draft'`
	}
	q += ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	return collect(ctx, tx, "list sales", scanSale, q, args...)
}

// LockSale takes the next value of the sale's commit sequence and with it
// the row's write lock until the transaction ends (PostgreSQL row lock;
// SQLite's one writer), returning the sale as committed before: a
// concurrent transaction on the same sale waits here, and then reads what
// this one committed (READ COMMITTED takes a new snapshot per statement).
func (tx *Tx) LockSale(ctx context.Context, id ids.ID) (auction.Sale, error) {
	s, err := scanSale(tx.queryRow(ctx, `UPDATE sales SET seq = seq + 1 WHERE id = ? RETURNING `+saleCols, id))
	if err != nil {
		return auction.Sale{}, readErr("lock sale", err, "交易")
	}
	return s, nil
}

// UpdateSale writes s when its Version is current and bumps it.
func (tx *Tx) UpdateSale(ctx context.Context, s *auction.Sale) error {
	args, err := tx.saleArgs(*s)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE sales SET `+saleSet+` WHERE id = ? AND version = ?`, append(args, s.ID, s.Version)...)
	if err != nil {
		return writeErr("update sale", err, "", "出让人（转让方）")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		var one int
		if err := tx.queryRow(ctx, `SELECT 1 FROM sales WHERE id = ?`, s.ID).Scan(&one); err != nil {
			return readErr("update sale", err, "交易")
		}
		return apperr.New(apperr.Conflict, "交易信息已被他人修改，请刷新后重试。")
	}
	s.Version++
	return nil
}

// ---- registrations

const saleRegCols = `id, sale_id, entity_id, user_id, status, reason, deposit_ref, deposit_at, bidder_no, binding_index, joined_at, created_at, updated_at`

func scanSaleReg(r rowScanner) (auction.Registration, error) {
	var x auction.Registration
	err := r.Scan(&x.ID, &x.SaleID, &x.EntityID, &x.UserID, &x.Status, &x.Reason, &x.DepositRef, tm(&x.DepositAt), &x.BidderNo, &x.BindingIndex,
		tm(&x.JoinedAt), tm(&x.CreatedAt), tm(&x.UpdatedAt))
	return x, err
}

// CreateSaleRegistration stores a registration; a second one of the entity
// on the sale (or a bidder number taken) is an apperr Conflict.
func (tx *Tx) CreateSaleRegistration(ctx context.Context, r auction.Registration) error {
	_, err := tx.exec(ctx, `INSERT INTO sale_registrations (`+saleRegCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.ID, r.SaleID, r.EntityID, r.UserID, r.Status, r.Reason, r.DepositRef, tx.t(r.DepositAt), r.BidderNo, r.BindingIndex,
		tx.t(r.JoinedAt), tx.t(r.CreatedAt), tx.t(r.UpdatedAt))
	if err != nil {
		return writeErr("create sale registration", err, "贵单位已报名参加本宗交易，不能重复报名。", "交易或单位")
	}
	return nil
}

// UpdateSaleRegistration writes a registration's review, deposit, number
// and join; a bidder number already taken on the sale is a Conflict.
func (tx *Tx) UpdateSaleRegistration(ctx context.Context, r auction.Registration) error {
	res, err := tx.exec(ctx, `UPDATE sale_registrations SET status = ?, reason = ?, deposit_ref = ?, deposit_at = ?, bidder_no = ?, binding_index = ?, joined_at = ?, updated_at = ? WHERE id = ?`,
		r.Status, r.Reason, r.DepositRef, tx.t(r.DepositAt), r.BidderNo, r.BindingIndex, tx.t(r.JoinedAt), tx.t(r.UpdatedAt), r.ID)
	if err != nil {
		return writeErr("update sale registration", err, "竞买号牌已被占用，请重试。", "")
	}
	return mustAffect("update sale registration", res, "竞买申请")
}

func (tx *Tx) GetSaleRegistration(ctx context.Context, id ids.ID) (auction.Registration, error) {
	r, err := scanSaleReg(tx.queryRow(ctx, `SELECT `+saleRegCols+` FROM sale_registrations WHERE id = ?`, id))
	if err != nil {
		return auction.Registration{}, readErr("get sale registration", err, "竞买申请")
	}
	return r, nil
}

func (tx *Tx) GetSaleRegistrationByEntity(ctx context.Context, saleID, entityID ids.ID) (auction.Registration, error) {
	r, err := scanSaleReg(tx.queryRow(ctx, `SELECT `+saleRegCols+` FROM sale_registrations WHERE sale_id = ? AND entity_id = ?`, saleID, entityID))
	if err != nil {
		return auction.Registration{}, readErr("get sale registration by entity", err, "竞买申请")
	}
	return r, nil
}

// ListSaleRegistrations lists a sale's registrations in creation order.
func (tx *Tx) ListSaleRegistrations(ctx context.Context, saleID ids.ID) ([]auction.Registration, error) {
	return collect(ctx, tx, "list sale registrations", scanSaleReg,
		`SELECT `+saleRegCols+` FROM sale_registrations WHERE sale_id = ? ORDER BY created_at, id`, saleID)
}

// ---- offers

const saleOfferCols = `sale_id, seq, stage, bidder_no, registration_id, amount, at, ledger_index`

func scanSaleOffer(r rowScanner) (auction.Offer, error) {
	var o auction.Offer
	err := r.Scan(&o.SaleID, &o.Seq, &o.Stage, &o.BidderNo, &o.RegistrationID, &o.Amount, tm(&o.At), &o.LedgerIndex)
	return o, err
}

// AddSaleOffer stores an accepted quote or bid; a second offer at the same
// seq, or a second sealed quote of the same number, is a Conflict.
func (tx *Tx) AddSaleOffer(ctx context.Context, o auction.Offer) error {
	_, err := tx.exec(ctx, `INSERT INTO sale_offers (`+saleOfferCols+`) VALUES (?,?,?,?,?,?,?,?)`,
		o.SaleID, o.Seq, o.Stage, o.BidderNo, o.RegistrationID, o.Amount, tx.t(o.At), o.LedgerIndex)
	if err != nil {
		return writeErr("add sale offer", err, "该报价已提交，不能重复提交。", "交易或竞买申请")
	}
	return nil
}

// ListSaleOffers lists a sale's offers of one stage ("" = all) by seq.
func (tx *Tx) ListSaleOffers(ctx context.Context, saleID ids.ID, stage auction.Stage) ([]auction.Offer, error) {
	q := `SELECT ` + saleOfferCols + ` FROM sale_offers WHERE sale_id = ?`
	args := []any{saleID}
	if stage != "" {
		q += ` AND stage = ?`
		args = append(args, stage)
	}
	return collect(ctx, tx, "list sale offers", scanSaleOffer, q+` ORDER BY seq`, args...)
}

// ---- reserves

func (tx *Tx) AddSaleReserve(ctx context.Context, r auction.Reserve) error {
	_, err := tx.exec(ctx, `INSERT INTO sale_reserves (sale_id, seq, amount, ledger_index, set_at, set_by) VALUES (?,?,?,?,?,?)`,
		r.SaleID, r.Seq, r.Amount, r.LedgerIndex, tx.t(r.SetAt), r.SetBy)
	if err != nil {
		return writeErr("add sale reserve", err, "底价录入冲突，请重试。", "交易")
	}
	return nil
}

func (tx *Tx) ListSaleReserves(ctx context.Context, saleID ids.ID) ([]auction.Reserve, error) {
	return collect(ctx, tx, "list sale reserves", func(r rowScanner) (auction.Reserve, error) {
		var x auction.Reserve
		return x, r.Scan(&x.SaleID, &x.Seq, &x.Amount, &x.LedgerIndex, tm(&x.SetAt), &x.SetBy)
	}, `SELECT sale_id, seq, amount, ledger_index, set_at, set_by FROM sale_reserves WHERE sale_id = ? ORDER BY seq`, saleID)
}

// ---- events

func scanAuctionEvent(r rowScanner) (auction.Event, error) {
	var e auction.Event
	err := r.Scan(&e.SaleID, &e.Seq, &e.Type, tm(&e.At), nj{&e.Data})
	return e, err
}

// AddAuctionEvent stores a live-view event under the sale's commit seq; a
// second event at the same seq is a Conflict.
func (tx *Tx) AddAuctionEvent(ctx context.Context, e auction.Event) error {
	data, err := js(e.Data)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO auction_events (sale_id, seq, type, at, data) VALUES (?,?,?,?,?)`, e.SaleID, e.Seq, e.Type, tx.t(e.At), data); err != nil {
		return writeErr("add auction event", err, "竞价事件序号冲突，请重试。", "交易")
	}
	return nil
}

// ListAuctionEvents lists a sale's events with seq > afterSeq, ascending;
// limit ≤ 0 means all.
func (tx *Tx) ListAuctionEvents(ctx context.Context, saleID ids.ID, afterSeq int64, limit int) ([]auction.Event, error) {
	q := `SELECT sale_id, seq, type, at, data FROM auction_events WHERE sale_id = ? AND seq > ? ORDER BY seq`
	args := []any{saleID, afterSeq}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	return collect(ctx, tx, "list auction events", scanAuctionEvent, q, args...)
}

// LatestAuctionEvent is the sale's newest event; NotFound when it has none.
func (tx *Tx) LatestAuctionEvent(ctx context.Context, saleID ids.ID) (auction.Event, error) {
	e, err := scanAuctionEvent(tx.queryRow(ctx, `SELECT sale_id, seq, type, at, data FROM auction_events WHERE sale_id = ? ORDER BY seq DESC LIMIT 1`, saleID))
	if err != nil {
		return auction.Event{}, readErr("latest auction event", err, "竞价事件")
	}
	return e, nil
}
