package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// TestSealedQuoteConformance tests the store methods of sealed quotes under
// custody (auction/sealed.go) on every database.
func TestSealedQuoteConformance(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("Custody", func(t *testing.T) { testSaleCustody(t, db) })
		t.Run("Quotes", func(t *testing.T) { testSealedQuotes(t, db) })
		t.Run("Shares", func(t *testing.T) { testSaleShares(t, db) })
	})
}

func testSaleCustody(t *testing.T, db *store.DB) {
	f := seed(t, db, "cus-")
	s1 := testSale("cus-s1", "450100-CQ-2026-0101", f.principal.ID, t0)
	s2 := testSale("cus-s2", "450100-CQ-2026-0102", f.principal.ID, at(time.Hour))
	cu := func(id string) auction.Custodian {
		return auction.Custodian{UserID: id, Name: "保管人" + id, Org: "centre", OrgName: "交易中心", Fingerprint: "ab" + id, PublicKey: "-----BEGIN PUBLIC KEY-----\n" + id}
	}
	c1 := auction.Custody{SaleID: s1.ID, Threshold: 2, WindowMinutes: 60, Custodians: []auction.Custodian{cu("u1"), cu("u2"), cu("u3")}, SetAt: at(time.Minute), SetBy: "op"}
	c2 := auction.Custody{SaleID: s2.ID, Threshold: 2, WindowMinutes: 30, Custodians: []auction.Custodian{cu("u2"), cu("u4")}, SetAt: at(time.Hour), SetBy: "op"}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateSale(ctx, s1))
		ok(t, tx.CreateSale(ctx, s2))
		ok(t, tx.PutSaleCustody(ctx, c1))
		ok(t, tx.PutSaleCustody(ctx, c2))
	})
	codes := func(ss []auction.Sale) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Code)
		}
		return out
	}
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetSaleCustody", must[auction.Custody](t)(tx.GetSaleCustody(ctx, s1.ID)), c1)
		_, err := tx.GetSaleCustody(ctx, "nope")
		isCode(t, "GetSaleCustody missing", err, apperr.NotFound)
		eq(t, "ListCustodySales newest first", codes(must[[]auction.Sale](t)(tx.ListCustodySales(ctx, "u2"))), []string{s2.Code, s1.Code})
		eq(t, "ListCustodySales one", codes(must[[]auction.Sale](t)(tx.ListCustodySales(ctx, "u3"))), []string{s1.Code})
		eq(t, "ListCustodySales none", len(must[[]auction.Sale](t)(tx.ListCustodySales(ctx, "u9"))), 0)
	})

	// Replacing: other custodians, then the decryption deadline.
	c1.Custodians, c1.Threshold = []auction.Custodian{cu("u1"), cu("u5")}, 2
	write(t, db, func(tx *store.Tx) { ok(t, tx.PutSaleCustody(ctx, c1)) })
	c1.DecryptBy, c1.Stalled = at(48*time.Hour), true
	write(t, db, func(tx *store.Tx) { ok(t, tx.PutSaleCustody(ctx, c1)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "PutSaleCustody replaces", must[auction.Custody](t)(tx.GetSaleCustody(ctx, s1.ID)), c1)
		eq(t, "ListCustodySales after the change", len(must[[]auction.Sale](t)(tx.ListCustodySales(ctx, "u3"))), 0)
		eq(t, "ListCustodySales new custodian", codes(must[[]auction.Sale](t)(tx.ListCustodySales(ctx, "u5"))), []string{s1.Code})
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.PutSaleCustody(ctx, auction.Custody{SaleID: "nope", Threshold: 2, SetAt: t0})
	})
	isCode(t, "PutSaleCustody unknown sale", err, apperr.NotFound)
}

func testSealedQuotes(t *testing.T, db *store.DB) {
	f := seed(t, db, "sq-")
	s := testSale("sq-s1", "450100-CQ-2026-0201", f.principal.ID, t0)
	r1 := auction.Registration{ID: "sq-r1", SaleID: s.ID, EntityID: f.bidder.ID, UserID: "u9", Status: auction.Qualified, BidderNo: "4821", BindingIndex: 3, CreatedAt: t0, UpdatedAt: t0}
	r2 := auction.Registration{ID: "sq-r2", SaleID: s.ID, EntityID: f.principal.ID, UserID: "u8", Status: auction.Qualified, BidderNo: "1093", BindingIndex: 4, CreatedAt: t0, UpdatedAt: t0}
	// The package is binary; the header is kept byte for byte.
	q1 := auction.SealedQuote{SaleID: s.ID, RegistrationID: r1.ID, BidderNo: "4821", Seq: 9, Digest: "d1", Header: json.RawMessage(`{"version":"sealed-v1","lot_id":"sq-s1"}`),
		Package: []byte{0, 1, 2, 0xff, 0xfe, '\n'}, At: at(time.Minute), LedgerIndex: 20, Status: auction.SealedPending}
	q2 := auction.SealedQuote{SaleID: s.ID, RegistrationID: r2.ID, BidderNo: "1093", Seq: 4, Digest: "d2", Header: json.RawMessage(`{"a":1}`),
		Package: []byte("GGZY-SEALED-v1\n"), At: at(time.Second), LedgerIndex: 12, Status: auction.SealedPending}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateSale(ctx, s))
		ok(t, tx.CreateSaleRegistration(ctx, r1))
		ok(t, tx.CreateSaleRegistration(ctx, r2))
		ok(t, tx.AddSealedQuote(ctx, q1))
		ok(t, tx.AddSealedQuote(ctx, q2))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListSealedQuotes by seq", must[[]auction.SealedQuote](t)(tx.ListSealedQuotes(ctx, s.ID)), []auction.SealedQuote{q2, q1})
		eq(t, "ListSealedQuotes none", len(must[[]auction.SealedQuote](t)(tx.ListSealedQuotes(ctx, "nope"))), 0)
	})
	dup := q1
	dup.Seq, dup.Digest = 15, "d3"
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.AddSealedQuote(ctx, dup) })
	isCode(t, "AddSealedQuote twice per bidder number", err, apperr.Conflict)
	dup.SaleID = "nope"
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.AddSealedQuote(ctx, dup) })
	isCode(t, "AddSealedQuote unknown sale", err, apperr.NotFound)

	// The opening writes status, amount and failure, nothing else.
	q1.Status, q1.Amount = auction.SealedOpened, 5_300_000_00
	q2.Status, q2.Amount, q2.Failure = auction.SealedRejected, 4_999_999_99, "报价低于挂牌价"
	changed := q1
	changed.Digest, changed.Package = "other", []byte("other")
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.UpdateSealedQuote(ctx, changed))
		ok(t, tx.UpdateSealedQuote(ctx, q2))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "UpdateSealedQuote", must[[]auction.SealedQuote](t)(tx.ListSealedQuotes(ctx, s.ID)), []auction.SealedQuote{q2, q1})
	})
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.UpdateSealedQuote(ctx, auction.SealedQuote{SaleID: s.ID, BidderNo: "9999", Status: auction.SealedOpened})
	})
	isCode(t, "UpdateSealedQuote missing", err, apperr.NotFound)
}

func testSaleShares(t *testing.T, db *store.DB) {
	f := seed(t, db, "ssh-")
	s := testSale("ssh-s1", "450100-CQ-2026-0301", f.principal.ID, t0)
	a := auction.SaleShare{SaleID: s.ID, BidderNo: "4821", CustodianID: "u2", Share: `{"x":2,"y":"aa"}`, SubmittedAt: at(time.Minute)}
	b := auction.SaleShare{SaleID: s.ID, BidderNo: "1093", CustodianID: "u1", Share: `{"x":1,"y":"bb"}`, SubmittedAt: at(time.Minute)}
	c := auction.SaleShare{SaleID: s.ID, BidderNo: "4821", CustodianID: "u1", Share: `{"x":1,"y":"cc"}`, SubmittedAt: at(2 * time.Minute)}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateSale(ctx, s))
		for _, sh := range []auction.SaleShare{a, b, c} {
			ok(t, tx.SaveSaleShare(ctx, sh))
		}
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListSaleShares by number, custodian", must[[]auction.SaleShare](t)(tx.ListSaleShares(ctx, s.ID)), []auction.SaleShare{b, c, a})
	})
	a.Share, a.SubmittedAt = `{"x":2,"y":"dd"}`, at(time.Hour)
	write(t, db, func(tx *store.Tx) { ok(t, tx.SaveSaleShare(ctx, a)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "SaveSaleShare replaces", must[[]auction.SaleShare](t)(tx.ListSaleShares(ctx, s.ID)), []auction.SaleShare{b, c, a})
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.SaveSaleShare(ctx, auction.SaleShare{SaleID: "nope", BidderNo: "1", CustodianID: "u", Share: "{}", SubmittedAt: t0})
	})
	isCode(t, "SaveSaleShare unknown sale", err, apperr.NotFound)
}
