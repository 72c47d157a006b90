package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ggzy/internal/api"
	"ggzy/internal/app"
	"ggzy/internal/auction"
	"ggzy/internal/clock"
	"ggzy/internal/config"
	"ggzy/internal/expert"
	"ggzy/internal/gm"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
	"ggzy/internal/pdf"
	"ggzy/internal/sealbid"
	"ggzy/internal/store"
	"ggzy/internal/tender"
)

// TestDemoSeed: the demo data set has what issue 2 asks for — ≥ 20
// enterprises with valid codes, several principals, an agency, ≥ 60 experts,
// lots in every lifecycle state with one opening minutes after start-up —
// and a second start duplicates nothing (it only adds a new live opening when
// none is due).
func TestDemoSeed(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Defaults()
	cfg.DB, cfg.DataDir, cfg.KeyPassphrase = "sqlite:"+filepath.Join(dir, "ggzy.db"), dir, "demo-test"
	ctx := context.Background()
	build := func() *app.App {
		a, err := app.Build(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Real{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	a := build()
	if _, err := app.Seed(ctx, a); err != nil {
		t.Fatal(err)
	}
	count := func(a *app.App) (ents map[party.EntityKind]int, experts int, lots map[tender.Status]int, soon int) {
		ents, lots = map[party.EntityKind]int{}, map[tender.Status]int{}
		err := a.DB.Read(ctx, func(tx *store.Tx) error {
			es, err := tx.ListEntities(ctx, "")
			if err != nil {
				return err
			}
			for _, e := range es {
				if err := party.ValidateUSCC(e.USCC); err != nil {
					t.Errorf("%s: invalid USCC %s: %v", e.Name, e.USCC, err)
				}
				ents[e.Kind]++
			}
			xs, err := tx.ListExperts(ctx, expert.Filter{})
			experts = len(xs)
			if err != nil {
				return err
			}
			ls, err := tx.ListLots(ctx, tender.LotFilter{})
			for _, l := range ls {
				lots[l.Status]++
				if l.Status == tender.Bidding && l.BidDeadline.After(time.Now()) && l.BidDeadline.Before(time.Now().Add(10*time.Minute)) {
					soon++
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	ents, experts, lots, soon := count(a)
	if ents[party.KindEnterprise] < 20 || ents[party.KindPrincipal] < 3 || ents[party.KindAgency] != 1 || experts < 60 {
		t.Errorf("entities %v, experts %d", ents, experts)
	}
	for _, st := range []tender.Status{tender.Draft, tender.Bidding, tender.Evaluating, tender.Publicity, tender.Awarded, tender.Contracted, tender.Failed} {
		if lots[st] == 0 {
			t.Errorf("no lot in state %s: %v", st, lots)
		}
	}
	if soon != 1 {
		t.Errorf("%d lots open minutes after start-up, want 1", soon)
	}
	checkDemoPlots(t, a)
	checkDemoSealedSale(t, a, dir)
	checkDemoLandTender(t, a)
	// `ggzy verify` against the demo: a consistent, fully verified ledger,
	// from outside over HTTP and from inside over the database.
	if _, err := a.Ledger.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	var out, errb bytes.Buffer
	if code := app.Main(ctx, []string{"verify", "--url", srv.URL, "--state", filepath.Join(dir, "monitor.json")}, &out, &errb, os.Getenv); code != 0 {
		t.Errorf("ggzy verify --url on the demo: exit %d\n%s%s", code, out.String(), errb.String())
	} else if !strings.Contains(out.String(), "披露记录") {
		t.Errorf("the demo's monitor report mentions no reveal:\n%s", out.String())
	}
	// `ggzy verify-draw` re-runs every demo draw: the public may for lots
	// whose report exists; the others need staff's token (GGZY_TOKEN).
	var draws []tender.Draw
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		ls, err := tx.ListLots(ctx, tender.LotFilter{})
		for _, l := range ls {
			ds, err := tx.ListDraws(ctx, l.ID)
			if err != nil {
				return err
			}
			draws = append(draws, ds...)
		}
		return err
	})
	if err != nil || len(draws) == 0 {
		t.Fatalf("demo draws: %d, %v", len(draws), err)
	}
	tok, _, _, err := a.Party.Login(ctx, "supervisor", app.DemoPassword, "api", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "GGZY_TOKEN" {
			return tok
		}
		return os.Getenv(k)
	}
	for _, d := range draws {
		out.Reset()
		if code := app.Main(ctx, []string{"verify-draw", "--url", srv.URL, "--draw", d.ID, "--key", a.LedgerKey.VerifierKey}, &out, &errb, env); code != 0 {
			t.Errorf("ggzy verify-draw %s: exit %d\n%s%s", d.ID, code, out.String(), errb.String())
		} else if !strings.Contains(out.String(), "得到相同的") {
			t.Errorf("verify-draw report:\n%s", out.String())
		}
	}
	srv.Close()
	out.Reset()
	if code := app.Main(ctx, []string{"verify", "--db", cfg.DB, "--key", a.LedgerKey.VerifierKey}, &out, &errb, os.Getenv); code != 0 {
		t.Errorf("ggzy verify --db on the demo: exit %d\n%s%s", code, out.String(), errb.String())
	}
	a.Close()
	a2 := build()
	if _, err := app.Seed(ctx, a2); err != nil {
		t.Fatal(err)
	}
	if n := len(demoPlots(t, a2)); n != 2 {
		t.Errorf("second start: %d land plots, want 2", n)
	}
	ents2, experts2, lots2, soon2 := count(a2)
	if len(ents2) != len(ents) || ents2[party.KindEnterprise] != ents[party.KindEnterprise] || experts2 != experts || soon2 != 1 || lots2[tender.Bidding] != lots[tender.Bidding] {
		t.Errorf("second start changed the data: %v/%v experts %d/%d lots %v/%v soon %d", ents, ents2, experts, experts2, lots, lots2, soon2)
	}
}

// demoPlots are the demo's land sales.
func demoPlots(t *testing.T, a *app.App) []auction.Sale {
	t.Helper()
	var sales []auction.Sale
	err := a.DB.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		sales, err = tx.ListSales(context.Background(), auction.SaleFilter{Kind: auction.Land})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sales
}

// checkDemoPlots: the demo has the land plot of issue 5 concluded after a
// contested timed bidding, its reserve revealed in the ledger, and a second
// plot in its listing period, on which bidder01 quotes through the API.
func checkDemoPlots(t *testing.T, a *app.App) {
	t.Helper()
	ctx := context.Background()
	var deal, listing *auction.Sale
	plots := demoPlots(t, a)
	for i, s := range plots {
		switch {
		case s.Status == auction.StatusClosed && s.Result == auction.Deal:
			deal = &plots[i]
		case s.Phase(time.Now()) == auction.StatusListing:
			listing = &plots[i]
		}
	}
	if len(plots) != 2 || deal == nil || listing == nil {
		t.Fatalf("demo plots: %+v", plots)
	}
	if deal.Mode != auction.ModeListing || deal.Timed == nil || deal.Timed.Bids < 5 || deal.Confirmation == nil || !deal.HasReserve ||
		deal.Final < deal.Reserve || deal.Confirmation.WinnerName == "" || deal.Confirmation.Stage != auction.StageTimed {
		t.Errorf("concluded plot: %+v timed %+v confirmation %+v", deal, deal.Timed, deal.Confirmation)
	}
	var reserveRevealed bool
	var quoters = map[string]bool{}
	var eligible int
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		es, err := tx.ListLedger(ctx, deal.Code, 0, 0)
		if err != nil {
			return err
		}
		for _, e := range es {
			var r ledger.Reveal
			if e.Type != ledger.Revealed || json.Unmarshal(e.Public, &r) != nil {
				continue
			}
			var priv map[string]any
			if json.Unmarshal([]byte(r.Private), &priv) == nil && priv["what"] == "reserve" && priv["reserve"] == float64(deal.Reserve) {
				reserveRevealed = true
			}
		}
		os, err := tx.ListSaleOffers(ctx, deal.ID, auction.StageListing)
		for _, o := range os {
			quoters[o.BidderNo] = true
		}
		if err != nil {
			return err
		}
		regs, err := tx.ListSaleRegistrations(ctx, listing.ID)
		for _, r := range regs {
			if r.Eligible() {
				eligible++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reserveRevealed || len(quoters) < 2 {
		t.Errorf("concluded plot: reserve revealed %v, listing quotes from %d bidders", reserveRevealed, len(quoters))
	}
	if listing.Quotes < 2 || listing.Status != auction.StatusListing || eligible < 3 || !listing.EndAt.After(time.Now().Add(24*time.Hour)) || !listing.HasReserve {
		t.Errorf("listing plot: %+v, %d eligible bidders", listing, eligible)
	}

	// A visitor signed in as bidder01 quotes the next valid amount.
	call := func(method, path, token string, body, out any) int {
		t.Helper()
		var rd io.Reader
		if body != nil {
			j, _ := json.Marshal(body)
			rd = bytes.NewReader(j)
		}
		r := httptest.NewRequest(method, path, rd)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		a.Handler.ServeHTTP(w, r)
		if out != nil {
			if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
				t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
			}
		}
		return w.Code
	}
	var list []api.SaleInfo
	if code := call("GET", "/api/v1/sales?kind=land", "", nil, &list); code != 200 || len(list) != 2 {
		t.Fatalf("GET /api/v1/sales: %d %+v", code, list)
	}
	var login api.LoginResponse
	if code := call("POST", "/api/v1/auth/login", "", api.LoginRequest{Username: "bidder01", Password: app.DemoPassword}, &login); code != 200 {
		t.Fatalf("login bidder01: %d", code)
	}
	var v api.SaleView
	if code := call("GET", "/api/v1/sales/"+listing.ID, login.Token, nil, &v); code != 200 || v.Mine == nil || !v.Mine.Eligible || v.State.NextFen == 0 {
		t.Fatalf("bidder01's view of the listing plot: %d %+v", code, v.Mine)
	}
	var rc api.SaleReceipt
	if code := call("POST", "/api/v1/sales/"+listing.ID+"/quotes", login.Token, api.SaleAmountInput{AmountFen: v.State.NextFen}, &rc); code != 201 || rc.BidderNo != v.Mine.BidderNo {
		t.Errorf("bidder01 quotes %s: %d %+v", v.State.NextDisplay, code, rc)
	}

	// The concluded plot offers its confirmation (成交确认书) as a signed PDF
	// to anyone, on its public page and at the API.
	pdfLink := "/sales/" + deal.ID + "/confirmation.pdf"
	r := httptest.NewRecorder()
	a.Handler.ServeHTTP(r, httptest.NewRequest("GET", "/sales/"+deal.ID, nil))
	if r.Code != 200 || !strings.Contains(r.Body.String(), `href="`+pdfLink+`"`) {
		t.Errorf("the concluded plot's page (%d) does not link to its confirmation PDF", r.Code)
	}
	for _, path := range []string{pdfLink, "/api/v1/sales/" + deal.ID + "/confirmation.pdf"} {
		r := httptest.NewRecorder()
		a.Handler.ServeHTTP(r, httptest.NewRequest("GET", path, nil))
		if _, err := pdf.LoadFont(); err != nil {
			if r.Code != http.StatusInternalServerError {
				t.Errorf("%s without the font: %d", path, r.Code)
			}
			continue
		}
		if r.Code != 200 || r.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body.Bytes(), []byte("%PDF-")) ||
			!pdf.Verify(r.Body.Bytes(), r.Header().Get("X-Signature-SM2"), a.PlatformKey.Public()) {
			t.Errorf("%s: %d %s, signature verifies: %v", path, r.Code, r.Header().Get("Content-Type"), pdf.Verify(r.Body.Bytes(), r.Header().Get("X-Signature-SM2"), a.PlatformKey.Public()))
		}
	}
}

// checkDemoSealedSale: the demo has a state-property transfer by one sealed
// quote in its window, its custodians (the centre and the supervisor, who
// have demo keys) named, two quotes sealed; a visitor signed in as bidder01
// seals one more with its demo key file through the API and gets a receipt.
func checkDemoSealedSale(t *testing.T, a *app.App, dataDir string) {
	t.Helper()
	ctx := context.Background()
	var sales []auction.Sale
	if err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		sales, err = tx.ListSales(ctx, auction.SaleFilter{Kind: auction.Property})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var sale *auction.Sale
	for i, s := range sales {
		if s.Mode == auction.ModeSealed {
			sale = &sales[i]
		}
	}
	if sale == nil {
		t.Fatalf("no sealed-quote sale in the demo: %+v", sales)
	}
	if sale.Phase(time.Now()) != auction.StatusListing || !sale.EndAt.After(time.Now().Add(30*time.Minute)) {
		t.Errorf("the sealed-quote sale is not in its window: %s, ends %s", sale.Phase(time.Now()), sale.EndAt)
	}
	cv, err := a.Auction.SaleCustody(ctx, party.Public(""), sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"operator", "supervisor"}
	if len(cv.Custody.Custodians) != len(want) || cv.Custody.Threshold != 2 {
		t.Errorf("custody: %d custodians, k=%d", len(cv.Custody.Custodians), cv.Custody.Threshold)
	}
	for i, c := range cv.Custody.Custodians {
		if i >= len(want) {
			break
		}
		u, err := a.Party.UserByUsername(ctx, want[i])
		if err != nil || u.ID != c.UserID {
			t.Errorf("custodian %d is %s (%s), want the demo's %s", i+1, c.Name, c.UserID, want[i])
		}
		// The demo keeps the custodians' key files: they decrypt with them.
		if _, err := os.Stat(filepath.Join(app.KeyDir(dataDir), want[i]+".key.pem")); err != nil {
			t.Errorf("custodian %s has no demo key file: %v", want[i], err)
		}
	}
	var quotes []auction.SealedQuote
	if err := a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		quotes, err = tx.ListSealedQuotes(ctx, sale.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(quotes) != 2 {
		t.Errorf("%d sealed quotes in the demo, want 2", len(quotes))
	}

	// bidder01 seals one more, as its client would, with its demo key.
	call := func(method, path, token string, body []byte, out any) int {
		t.Helper()
		r := httptest.NewRequest(method, path, bytes.NewReader(body))
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		a.Handler.ServeHTTP(w, r)
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		return w.Code
	}
	lb, _ := json.Marshal(api.LoginRequest{Username: "bidder01", Password: app.DemoPassword})
	var login api.LoginResponse
	if code := call("POST", "/api/v1/auth/login", "", lb, &login); code != 200 {
		t.Fatalf("login bidder01: %d", code)
	}
	var v api.SaleView
	if code := call("GET", "/api/v1/sales/"+sale.ID, login.Token, nil, &v); code != 200 || v.Mine == nil || !v.Mine.Eligible || v.Mine.BidderNo == "" {
		t.Fatalf("bidder01's view of the sealed-quote sale: %d %+v", code, v.Mine)
	}
	var cust api.SaleCustodyView
	if code := call("GET", "/api/v1/sales/"+sale.ID+"/custody", "", nil, &cust); code != 200 {
		t.Fatalf("custody: %d", code)
	}
	kb, err := os.ReadFile(filepath.Join(app.KeyDir(dataDir), "bidder01.key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := gm.ParsePrivateKeyPEM(kb, []byte(app.DemoPassword))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := sealbid.Seal(&buf, cust.Custody, v.Mine.BidderNo, auction.EncodeQuote(sale.StartPrice+500_000_00), nil, key, time.Now(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/api/v1/sales/"+sale.ID+"/sealed-quote", bytes.NewReader(buf.Bytes()))
	r.Header.Set("Authorization", "Bearer "+login.Token)
	r.Header.Set("Content-Type", "application/octet-stream")
	w := httptest.NewRecorder()
	a.Handler.ServeHTTP(w, r)
	var rc api.SaleSealedReceipt
	if err := json.Unmarshal(w.Body.Bytes(), &rc); err != nil || w.Code != 201 || rc.BidderNo != v.Mine.BidderNo || rc.LedgerIndex == 0 {
		t.Errorf("bidder01's sealed quote: %d %s", w.Code, w.Body)
	}
}
