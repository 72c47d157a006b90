package store_test

import (
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/money"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

var _ auction.Store = store.Bind[auction.Tx](nil)

// TestAuctionConformance tests the sale store methods (issue 5) on every
// database.
func TestAuctionConformance(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("Sales", func(t *testing.T) { testSales(t, db) })
		t.Run("LockSale", func(t *testing.T) { testLockSale(t, db) })
		t.Run("Registrations", func(t *testing.T) { testSaleRegistrations(t, db) })
		t.Run("Offers", func(t *testing.T) { testSaleOffers(t, db) })
		t.Run("Reserves", func(t *testing.T) { testSaleReserves(t, db) })
		t.Run("Events", func(t *testing.T) { testAuctionEvents(t, db) })
	})
}

// testSale is a sale with every column set; seller is an entity ID.
func testSale(id, code, seller string, created time.Time) auction.Sale {
	return auction.Sale{ID: id, Code: code, Kind: auction.Land, Mode: auction.ModeListing, Title: "五象新区某地块国有建设用地使用权", Region: "450100", SellerID: seller,
		Data:        auction.Data{Location: "南宁市良庆区", AreaM2: 12345.67, Use: rules.LandResidential, TermYears: 70, PlotRatio: "≤2.5", Conditions: "净地出让", Extra: json.RawMessage(`{"x":1}`)},
		Eligibility: "中华人民共和国境内的法人", Deposit: 2_000_000_00, StartPrice: 10_000_000_00, Increment: 100_000_00, Params: rules.DefaultParams(),
		NoticeAt: created, StartAt: created.Add(21 * 24 * time.Hour), EndAt: created.Add(40 * 24 * time.Hour), Status: auction.StatusAnnounced,
		CreatedBy: "u1", CreatedAt: created, UpdatedAt: created, Version: 1}
}

func testSales(t *testing.T, db *store.DB) {
	f := seed(t, db, "sal-")
	a := testSale("sal-s1", "450100-TD-2026-0001", f.principal.ID, t0)
	b := testSale("sal-s2", "450100-KY-2026-0001", f.principal.ID, at(time.Hour))
	b.Kind, b.Mode, b.Status, b.EndAt, b.Data.Extra = auction.Mining, auction.ModeAuction, auction.StatusDraft, time.Time{}, nil
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateSale(ctx, a))
		ok(t, tx.CreateSale(ctx, b))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetSale", must[auction.Sale](t)(tx.GetSale(ctx, a.ID)), a)
		eq(t, "GetSale zero times", must[auction.Sale](t)(tx.GetSale(ctx, b.ID)), b)
		eq(t, "GetSaleByCode", must[auction.Sale](t)(tx.GetSaleByCode(ctx, a.Code)), a)
		_, err := tx.GetSale(ctx, "nope")
		isCode(t, "GetSale missing", err, apperr.NotFound)
		_, err = tx.GetSaleByCode(ctx, "nope")
		isCode(t, "GetSaleByCode missing", err, apperr.NotFound)
		ids := func(ss []auction.Sale) []string {
			var out []string
			for _, s := range ss {
				if s.SellerID == f.principal.ID {
					out = append(out, s.ID)
				}
			}
			return out
		}
		eq(t, "ListSales newest first", ids(must[[]auction.Sale](t)(tx.ListSales(ctx, auction.SaleFilter{SellerID: f.principal.ID}))), []string{b.ID, a.ID})
		eq(t, "ListSales public", ids(must[[]auction.Sale](t)(tx.ListSales(ctx, auction.SaleFilter{SellerID: f.principal.ID, Public: true}))), []string{a.ID})
		eq(t, "ListSales kind", ids(must[[]auction.Sale](t)(tx.ListSales(ctx, auction.SaleFilter{Kind: auction.Mining, SellerID: f.principal.ID}))), []string{b.ID})
		eq(t, "ListSales mode+status", ids(must[[]auction.Sale](t)(tx.ListSales(ctx, auction.SaleFilter{Mode: auction.ModeListing, Status: auction.StatusAnnounced, SellerID: f.principal.ID}))), []string{a.ID})
		eq(t, "ListSales limit", len(must[[]auction.Sale](t)(tx.ListSales(ctx, auction.SaleFilter{SellerID: f.principal.ID, Limit: 1}))), 1)
	})

	// Duplicate code or ID, unknown seller.
	dup := testSale("sal-s3", a.Code, f.principal.ID, t0)
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.CreateSale(ctx, dup) })
	isCode(t, "CreateSale duplicate code", err, apperr.Conflict)
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.CreateSale(ctx, testSale("sal-s4", "X-1", "nobody", t0)) })
	isCode(t, "CreateSale unknown seller", err, apperr.NotFound)

	// UpdateSale writes everything but code, seq and creation, bumps the
	// version and refuses a stale one.
	tm := rules.Timed{Price: 10_100_000_00, Leader: "4821", Seq: 7, EndsAt: at(5 * time.Minute), Bids: 3, Increment: 100_000_00, Countdown: 5 * time.Minute, Participants: []string{"4821", "1093"}}
	up := a
	up.Title, up.Status, up.Price, up.Leader, up.Quotes, up.Timed, up.EndsAt, up.JoinBy = "改名", auction.StatusTimed, tm.Price, tm.Leader, 4, &tm, tm.EndsAt, at(time.Minute)
	up.Reserve, up.HasReserve, up.Result, up.Reason, up.Winner, up.Final, up.ClosedAt = 10_050_000_00, true, auction.Deal, "", "4821", tm.Price, at(6*time.Minute)
	up.Confirmation = &auction.Confirmation{SaleID: a.ID, SaleCode: a.Code, WinnerNo: "4821", WinnerName: "天津某某工程有限公司", Price: tm.Price, PriceText: tm.Price.Capital(), At: at(6 * time.Minute), LedgerIndex: 42}
	up.UpdatedAt, up.Code, up.Seq = at(time.Hour), "ignored", 99
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.UpdateSale(ctx, &up))
		eq(t, "UpdateSale bumps version", up.Version, int64(2))
	})
	read(t, db, func(tx *store.Tx) {
		got := must[auction.Sale](t)(tx.GetSale(ctx, a.ID))
		want := up
		want.Code, want.Seq = a.Code, 0
		eq(t, "UpdateSale round trip", got, want)
	})
	stale := a
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateSale(ctx, &stale) })
	isCode(t, "UpdateSale stale version", err, apperr.Conflict)
	missing := testSale("sal-none", "X-2", f.principal.ID, t0)
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateSale(ctx, &missing) })
	isCode(t, "UpdateSale missing", err, apperr.NotFound)
}

func testLockSale(t *testing.T, db *store.DB) {
	f := seed(t, db, "lck-")
	s := testSale("lck-s1", "450100-TD-2026-0101", f.principal.ID, t0)
	write(t, db, func(tx *store.Tx) { ok(t, tx.CreateSale(ctx, s)) })
	for want := int64(1); want <= 3; want++ {
		write(t, db, func(tx *store.Tx) {
			got := must[auction.Sale](t)(tx.LockSale(ctx, s.ID))
			eq(t, "LockSale seq", got.Seq, want)
			got.Seq = 0
			eq(t, "LockSale returns the sale", got, s)
		})
	}
	// A rolled-back lock takes no number.
	_ = db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.LockSale(ctx, s.ID); err != nil {
			return err
		}
		return apperr.New(apperr.Conflict, "rollback")
	})
	write(t, db, func(tx *store.Tx) {
		eq(t, "LockSale after rollback", must[auction.Sale](t)(tx.LockSale(ctx, s.ID)).Seq, int64(4))
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error { _, err := tx.LockSale(ctx, "nope"); return err })
	isCode(t, "LockSale missing", err, apperr.NotFound)
}

func testSaleRegistrations(t *testing.T, db *store.DB) {
	f := seed(t, db, "reg-")
	s := testSale("reg-s1", "450100-TD-2026-0201", f.principal.ID, t0)
	r1 := auction.Registration{ID: "reg-r1", SaleID: s.ID, EntityID: f.bidder.ID, UserID: "u9", Status: auction.Pending, BindingIndex: -1, CreatedAt: t0, UpdatedAt: t0}
	r2 := auction.Registration{ID: "reg-r2", SaleID: s.ID, EntityID: f.principal.ID, UserID: "u8", Status: auction.Qualified, DepositRef: "BANK-1", DepositAt: at(time.Minute),
		BidderNo: "4821", BindingIndex: 17, JoinedAt: at(time.Hour), CreatedAt: at(time.Second), UpdatedAt: at(time.Hour)}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateSale(ctx, s))
		ok(t, tx.CreateSaleRegistration(ctx, r1))
		ok(t, tx.CreateSaleRegistration(ctx, r2))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetSaleRegistration", must[auction.Registration](t)(tx.GetSaleRegistration(ctx, r1.ID)), r1)
		eq(t, "GetSaleRegistration full", must[auction.Registration](t)(tx.GetSaleRegistration(ctx, r2.ID)), r2)
		eq(t, "GetSaleRegistrationByEntity", must[auction.Registration](t)(tx.GetSaleRegistrationByEntity(ctx, s.ID, f.principal.ID)), r2)
		eq(t, "ListSaleRegistrations", must[[]auction.Registration](t)(tx.ListSaleRegistrations(ctx, s.ID)), []auction.Registration{r1, r2})
		_, err := tx.GetSaleRegistration(ctx, "nope")
		isCode(t, "GetSaleRegistration missing", err, apperr.NotFound)
		_, err = tx.GetSaleRegistrationByEntity(ctx, s.ID, "nope")
		isCode(t, "GetSaleRegistrationByEntity missing", err, apperr.NotFound)
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		dup := r1
		dup.ID = "reg-r3"
		return tx.CreateSaleRegistration(ctx, dup)
	})
	isCode(t, "CreateSaleRegistration twice per entity", err, apperr.Conflict)
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		x := r1
		x.ID, x.SaleID = "reg-r4", "nope"
		return tx.CreateSaleRegistration(ctx, x)
	})
	isCode(t, "CreateSaleRegistration unknown sale", err, apperr.NotFound)

	// The bidder number is unique per sale; "" is not a number.
	r1.Status, r1.DepositRef, r1.DepositAt, r1.BidderNo, r1.BindingIndex, r1.UpdatedAt = auction.Qualified, "BANK-2", at(2*time.Minute), "4821", 18, at(2*time.Minute)
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateSaleRegistration(ctx, r1) })
	isCode(t, "UpdateSaleRegistration number taken", err, apperr.Conflict)
	r1.BidderNo = "1093"
	write(t, db, func(tx *store.Tx) { ok(t, tx.UpdateSaleRegistration(ctx, r1)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "UpdateSaleRegistration", must[auction.Registration](t)(tx.GetSaleRegistration(ctx, r1.ID)), r1)
	})
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.UpdateSaleRegistration(ctx, auction.Registration{ID: "nope", CreatedAt: t0, UpdatedAt: t0})
	})
	isCode(t, "UpdateSaleRegistration missing", err, apperr.NotFound)
}

func testSaleOffers(t *testing.T, db *store.DB) {
	f := seed(t, db, "off-")
	s := testSale("off-s1", "450100-TD-2026-0301", f.principal.ID, t0)
	r := auction.Registration{ID: "off-r1", SaleID: s.ID, EntityID: f.bidder.ID, UserID: "u9", Status: auction.Qualified, BidderNo: "4821", BindingIndex: 3, CreatedAt: t0, UpdatedAt: t0}
	o1 := auction.Offer{SaleID: s.ID, Seq: 5, Stage: auction.StageListing, BidderNo: "4821", RegistrationID: r.ID, Amount: 10_000_000_00, At: at(time.Minute), LedgerIndex: 11}
	o2 := auction.Offer{SaleID: s.ID, Seq: 3, Stage: auction.StageListing, BidderNo: "4821", RegistrationID: r.ID, Amount: 9_000_000_00, At: t0, LedgerIndex: 9}
	o3 := auction.Offer{SaleID: s.ID, Seq: 9, Stage: auction.StageTimed, BidderNo: "4821", RegistrationID: r.ID, Amount: 10_100_000_00, At: at(time.Hour), LedgerIndex: 20}
	o4 := auction.Offer{SaleID: s.ID, Seq: 12, Stage: auction.StageSealed, BidderNo: "4821", RegistrationID: r.ID, Amount: 11_000_000_00, At: at(2 * time.Hour), LedgerIndex: 30}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateSale(ctx, s))
		ok(t, tx.CreateSaleRegistration(ctx, r))
		for _, o := range []auction.Offer{o1, o2, o3, o4} {
			ok(t, tx.AddSaleOffer(ctx, o))
		}
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListSaleOffers all by seq", must[[]auction.Offer](t)(tx.ListSaleOffers(ctx, s.ID, "")), []auction.Offer{o2, o1, o3, o4})
		eq(t, "ListSaleOffers listing", must[[]auction.Offer](t)(tx.ListSaleOffers(ctx, s.ID, auction.StageListing)), []auction.Offer{o2, o1})
		eq(t, "ListSaleOffers sealed", must[[]auction.Offer](t)(tx.ListSaleOffers(ctx, s.ID, auction.StageSealed)), []auction.Offer{o4})
		eq(t, "ListSaleOffers none", len(must[[]auction.Offer](t)(tx.ListSaleOffers(ctx, "nope", ""))), 0)
	})
	again := o1
	again.Amount++
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.AddSaleOffer(ctx, again) })
	isCode(t, "AddSaleOffer same seq", err, apperr.Conflict)
	sealed2 := o4
	sealed2.Seq = 13
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.AddSaleOffer(ctx, sealed2) })
	isCode(t, "AddSaleOffer second sealed quote", err, apperr.Conflict)
	bad := o1
	bad.Seq, bad.RegistrationID = 40, "nope"
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.AddSaleOffer(ctx, bad) })
	isCode(t, "AddSaleOffer unknown registration", err, apperr.NotFound)
}

func testSaleReserves(t *testing.T, db *store.DB) {
	f := seed(t, db, "res-")
	s := testSale("res-s1", "450100-TD-2026-0401", f.principal.ID, t0)
	r1 := auction.Reserve{SaleID: s.ID, Seq: 4, Amount: 10_500_000_00, LedgerIndex: 7, SetAt: at(time.Minute), SetBy: "u1"}
	r2 := auction.Reserve{SaleID: s.ID, Seq: 2, Amount: 10_400_000_00, LedgerIndex: 5, SetAt: t0, SetBy: "u1"}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateSale(ctx, s))
		ok(t, tx.AddSaleReserve(ctx, r1))
		ok(t, tx.AddSaleReserve(ctx, r2))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListSaleReserves by seq", must[[]auction.Reserve](t)(tx.ListSaleReserves(ctx, s.ID)), []auction.Reserve{r2, r1})
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.AddSaleReserve(ctx, r1) })
	isCode(t, "AddSaleReserve same seq", err, apperr.Conflict)
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		x := r1
		x.SaleID = "nope"
		return tx.AddSaleReserve(ctx, x)
	})
	isCode(t, "AddSaleReserve unknown sale", err, apperr.NotFound)
}

func testAuctionEvents(t *testing.T, db *store.DB) {
	f := seed(t, db, "evt-")
	s := testSale("evt-s1", "450100-TD-2026-0501", f.principal.ID, t0)
	write(t, db, func(tx *store.Tx) { ok(t, tx.CreateSale(ctx, s)) })
	read(t, db, func(tx *store.Tx) {
		_, err := tx.LatestAuctionEvent(ctx, s.ID)
		isCode(t, "LatestAuctionEvent none", err, apperr.NotFound)
	})
	var evs []auction.Event
	for i, seq := range []int64{1, 2, 4, 7} {
		evs = append(evs, auction.Event{SaleID: s.ID, Seq: seq, Type: auction.EvBid, At: at(time.Duration(i) * time.Second),
			Data: auction.EventData{Status: auction.StatusTimed, Price: 10_000_000_00 + money.Fen(100_000_00*i), BidderNo: "4821", Leader: "4821", Bids: i + 1, EndsAt: at(5 * time.Minute)}})
	}
	write(t, db, func(tx *store.Tx) {
		for _, e := range evs {
			ok(t, tx.AddAuctionEvent(ctx, e))
		}
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListAuctionEvents all", must[[]auction.Event](t)(tx.ListAuctionEvents(ctx, s.ID, 0, 0)), evs)
		eq(t, "ListAuctionEvents after 2", must[[]auction.Event](t)(tx.ListAuctionEvents(ctx, s.ID, 2, 0)), evs[2:])
		eq(t, "ListAuctionEvents after 1 limit 2", must[[]auction.Event](t)(tx.ListAuctionEvents(ctx, s.ID, 1, 2)), evs[1:3])
		eq(t, "ListAuctionEvents after last", len(must[[]auction.Event](t)(tx.ListAuctionEvents(ctx, s.ID, 7, 0))), 0)
		eq(t, "LatestAuctionEvent", must[auction.Event](t)(tx.LatestAuctionEvent(ctx, s.ID)), evs[3])
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.AddAuctionEvent(ctx, evs[0]) })
	isCode(t, "AddAuctionEvent same seq", err, apperr.Conflict)
}

// TestLockSaleOrdersTwoPools: transactions through two handles on one
// database (two processes) that read the sale's price and write it plus
// one all succeed, get dense sequence numbers, and each sees the one
// before it — the check-then-act of a bid is serialised by LockSale.
func TestLockSaleOrdersTwoPools(t *testing.T) {
	urls := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "two.db") },
		"postgres": func(t *testing.T) string { return testkit.PostgresURL(t) },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			url := urls[name](t)
			var dbs []*store.DB
			for range 2 {
				db, err := store.Open(ctx, url)
				ok(t, err)
				t.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			ok(t, dbs[0].Migrate(ctx))
			f := seed(t, dbs[0], "two-")
			s := testSale("two-s1", "450100-TD-2026-0601", f.principal.ID, t0)
			r := auction.Registration{ID: "two-r1", SaleID: s.ID, EntityID: f.bidder.ID, UserID: "u9", Status: auction.Qualified, BidderNo: "4821", BindingIndex: 3, CreatedAt: t0, UpdatedAt: t0}
			write(t, dbs[0], func(tx *store.Tx) {
				ok(t, tx.CreateSale(ctx, s))
				ok(t, tx.CreateSaleRegistration(ctx, r))
			})
			const workers, each = 6, 15
			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				errs []error
			)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db := dbs[w%2]
					for range each {
						err := db.WithTx(ctx, func(tx *store.Tx) error {
							sale, err := tx.LockSale(ctx, s.ID)
							if err != nil {
								return err
							}
							sale.Price += 1
							sale.Quotes++
							if err := tx.AddSaleOffer(ctx, auction.Offer{SaleID: s.ID, Seq: sale.Seq, Stage: auction.StageTimed, BidderNo: "4821", RegistrationID: r.ID, Amount: sale.Price, At: t0}); err != nil {
								return err
							}
							return tx.UpdateSale(ctx, &sale)
						})
						if err != nil {
							mu.Lock()
							errs = append(errs, err)
							mu.Unlock()
						}
					}
				}()
			}
			wg.Wait()
			if len(errs) > 0 {
				t.Fatalf("%d of %d transactions failed; first: %v", len(errs), workers*each, errs[0])
			}
			read(t, dbs[1], func(tx *store.Tx) {
				offers := must[[]auction.Offer](t)(tx.ListSaleOffers(ctx, s.ID, ""))
				if len(offers) != workers*each {
					t.Fatalf("%d offers, want %d", len(offers), workers*each)
				}
				for i, o := range offers {
					if o.Seq != int64(i+1) || int64(o.Amount) != int64(i+1) {
						t.Fatalf("offer %d: seq %d amount %d (a transaction did not see the one before it)", i, o.Seq, o.Amount)
					}
				}
				sale := must[auction.Sale](t)(tx.GetSale(ctx, s.ID))
				eq(t, "final price", int64(sale.Price), int64(workers*each))
				eq(t, "final seq", sale.Seq, int64(workers*each))
				eq(t, "version", sale.Version, int64(workers*each+1))
			})
		})
	}
}
