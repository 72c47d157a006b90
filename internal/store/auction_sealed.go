package store

import (
	"context"
	"fmt"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/ids"
)

// ---- sealed quotes under k-of-n custody (auction/sealed.go)

// PutSaleCustody stores a sale's custody, replacing an earlier one, and
// the index of who holds a share of it.
func (tx *Tx) PutSaleCustody(ctx context.Context, c auction.Custody) error {
	cs, err := js(c.Custodians)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = "[]"
	}
	if _, err := tx.exec(ctx, `INSERT INTO sale_custody (sale_id, threshold, window_minutes, custodians, decrypt_by, stalled, set_at, set_by) VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT (sale_id) DO UPDATE SET threshold = excluded.threshold, window_minutes = excluded.window_minutes, custodians = excluded.custodians,
		decrypt_by = excluded.decrypt_by, stalled = excluded.stalled, set_at = excluded.set_at, set_by = excluded.set_by`,
		c.SaleID, c.Threshold, c.WindowMinutes, cs, tx.t(c.DecryptBy), c.Stalled, tx.t(c.SetAt), c.SetBy); err != nil {
		return writeErr("put sale custody", err, "", "交易")
	}
	if _, err := tx.exec(ctx, `DELETE FROM sale_custodians WHERE sale_id = ?`, c.SaleID); err != nil {
		return fmt.Errorf("store: put sale custody: %w", err)
	}
	for _, cu := range c.Custodians {
		if _, err := tx.exec(ctx, `INSERT INTO sale_custodians (sale_id, user_id) VALUES (?,?)`, c.SaleID, cu.UserID); err != nil {
			return writeErr("put sale custody", err, "保管人重复。", "交易")
		}
	}
	return nil
}

// GetSaleCustody returns a sale's custody; NotFound when none was set.
func (tx *Tx) GetSaleCustody(ctx context.Context, saleID ids.ID) (auction.Custody, error) {
	var c auction.Custody
	err := tx.queryRow(ctx, `SELECT sale_id, threshold, window_minutes, custodians, decrypt_by, stalled, set_at, set_by FROM sale_custody WHERE sale_id = ?`, saleID).
		Scan(&c.SaleID, &c.Threshold, &c.WindowMinutes, nj{&c.Custodians}, tm(&c.DecryptBy), &c.Stalled, tm(&c.SetAt), &c.SetBy)
	if err != nil {
		return auction.Custody{}, readErr("get sale custody", err, "报价密钥保管设置")
	}
	return c, nil
}

// ListCustodySales lists the sales the user holds a share of, newest first.
func (tx *Tx) ListCustodySales(ctx context.Context, userID ids.ID) ([]auction.Sale, error) {
	return collect(ctx, tx, "list custody sales", scanSale, `SELECT `+saleCols+` FROM sales WHERE id IN (SELECT sale_id FROM sale_custodians WHERE user_id = ?)
		ORDER BY created_at DESC, id DESC`, userID)
}

const sealedQuoteCols = `sale_id, bidder_no, registration_id, seq, digest, header, package, at, ledger_index, status, amount, failure`

func scanSealedQuote(r rowScanner) (auction.SealedQuote, error) {
	var q auction.SealedQuote
	err := r.Scan(&q.SaleID, &q.BidderNo, &q.RegistrationID, &q.Seq, &q.Digest, nr{&q.Header}, &q.Package, tm(&q.At), &q.LedgerIndex, &q.Status, &q.Amount, &q.Failure)
	return q, err
}

// AddSealedQuote stores a sealed quote package; a second one of the bidder
// number on the sale is an apperr Conflict.
func (tx *Tx) AddSealedQuote(ctx context.Context, q auction.SealedQuote) error {
	_, err := tx.exec(ctx, `INSERT INTO sale_sealed_quotes (`+sealedQuoteCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		q.SaleID, q.BidderNo, q.RegistrationID, q.Seq, q.Digest, raw(q.Header), q.Package, tx.t(q.At), q.LedgerIndex, q.Status, q.Amount, q.Failure)
	if err != nil {
		return writeErr("add sealed quote", err, "一次报价只能提交一次，您已提交。", "交易或竞买申请")
	}
	return nil
}

// UpdateSealedQuote writes a sealed quote's opening: status, amount, failure.
func (tx *Tx) UpdateSealedQuote(ctx context.Context, q auction.SealedQuote) error {
	res, err := tx.exec(ctx, `UPDATE sale_sealed_quotes SET status = ?, amount = ?, failure = ? WHERE sale_id = ? AND bidder_no = ?`,
		q.Status, q.Amount, q.Failure, q.SaleID, q.BidderNo)
	if err != nil {
		return fmt.Errorf("store: update sealed quote: %w", err)
	}
	return mustAffect("update sealed quote", res, "一次报价")
}

// ListSealedQuotes lists a sale's sealed quotes in commit order.
func (tx *Tx) ListSealedQuotes(ctx context.Context, saleID ids.ID) ([]auction.SealedQuote, error) {
	return collect(ctx, tx, "list sealed quotes", scanSealedQuote, `SELECT `+sealedQuoteCols+` FROM sale_sealed_quotes WHERE sale_id = ? ORDER BY seq`, saleID)
}

// SaveSaleShare stores a custodian's decrypted share of a sealed quote's
// key; a second submission of the same share replaces the first.
func (tx *Tx) SaveSaleShare(ctx context.Context, s auction.SaleShare) error {
	if s.Share == "" {
		return apperr.New(apperr.Invalid, "解密份额为空。")
	}
	_, err := tx.exec(ctx, `INSERT INTO sale_custody_shares (sale_id, bidder_no, custodian_id, share, submitted_at) VALUES (?,?,?,?,?)
		ON CONFLICT (sale_id, bidder_no, custodian_id) DO UPDATE SET share = excluded.share, submitted_at = excluded.submitted_at`,
		s.SaleID, s.BidderNo, s.CustodianID, s.Share, tx.t(s.SubmittedAt))
	if err != nil {
		return writeErr("save sale share", err, "", "交易")
	}
	return nil
}

// ListSaleShares lists a sale's shares by bidder number, then custodian.
func (tx *Tx) ListSaleShares(ctx context.Context, saleID ids.ID) ([]auction.SaleShare, error) {
	return collect(ctx, tx, "list sale shares", func(r rowScanner) (auction.SaleShare, error) {
		var s auction.SaleShare
		return s, r.Scan(&s.SaleID, &s.BidderNo, &s.CustodianID, &s.Share, tm(&s.SubmittedAt))
	}, `SELECT sale_id, bidder_no, custodian_id, share, submitted_at FROM sale_custody_shares WHERE sale_id = ? ORDER BY bidder_no, custodian_id`, saleID)
}
