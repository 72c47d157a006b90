package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
	"ggzy/internal/verify"
)

// TestSaleLifecycleThroughAPI is the demo plot of issue 5 through the API,
// on both databases: a land plot from its creation and announcement through
// registration, review, deposits, listing quotes and a contested timed
// bidding to the deal, with the reserve revealed and checked, the
// confirmation in the sale view, and the bids delivered live by server-sent
// events that resume from Last-Event-ID — on this process and on another.
func TestSaleLifecycleThroughAPI(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) { saleLifecycle(t, newEnvOn(t, db)) })
}

func saleLifecycle(t *testing.T, e *env) {
	ctx := context.Background()
	w := e.w
	srv := httptest.NewServer(e.h)
	defer func() {
		_ = e.h.(io.Closer).Close() // ends the streams, so the server can close
		srv.Close()
	}()
	seller, op := e.login("principal"), e.login("operator")
	bidder := func(i int) string { return e.login(fmt.Sprintf("bidder%d", i)) }
	fenOf := func(f money.Fen) int64 { return int64(f) }

	// The seller registers the plot; an announcement whose listing would
	// start before the 20-day notice has run is refused with the earliest
	// lawful start.
	start, end := landListingDates(w.Calendar, w.Clock.Now())
	in := landSaleInput(auction.ModeListing, start.AddDate(0, 0, -10), end)
	var v SaleView
	e.do("POST", "/api/v1/sales", seller, SaleInput{Kind: "land", Mode: "listing", SaleTerms: saleTermsDTO(in)}).want(t, 201, &v)
	id := v.Sale.ID
	if v.Sale.Status != "draft" || !strings.HasPrefix(v.Sale.Code, "450100-TD-") || v.Sale.SellerID != w.Principal.ID || !v.CanManage || !v.IsSeller ||
		v.Sale.Data.Use != "residential" || v.Sale.UseLabel != "居住用地" || v.Sale.Rules.CountdownSeconds != 300 || v.Sale.StartPriceDisplay != "¥10,000,000.00" {
		t.Fatalf("created sale = %+v", v)
	}
	e.do("GET", "/api/v1/sales/"+id, "", nil).wantError(t, 404, "not_found")
	eb := e.do("POST", "/api/v1/sales/"+id+"/announce", seller, nil).wantError(t, 422, "invalid")
	if !strings.Contains(eb.Basis, "第39号") || eb.Fields["start_at"] == "" {
		t.Fatalf("early listing: %+v", eb)
	}
	in.StartAt = start
	e.do("PUT", "/api/v1/sales/"+id, seller, SaleChange{SaleTerms: saleTermsDTO(in)}).want(t, 200, nil)
	e.do("POST", "/api/v1/sales/"+id+"/announce", seller, nil).want(t, 200, &v)
	if v.Sale.Status != "announced" || !v.Sale.NoticeAt.Equal(w.Clock.Now()) || v.LastSeq == 0 {
		t.Fatalf("announced = %+v", v.Sale)
	}
	var list []SaleInfo
	e.do("GET", "/api/v1/sales?kind=land", "", nil).want(t, 200, &list)
	if len(list) != 1 || list[0].ID != id {
		t.Fatalf("public list = %+v", list)
	}

	// Four bidders apply; the centre qualifies three (their numbers are
	// drawn at the deposit) and rejects one with a reason.
	regs := map[int]SaleRegistration{}
	for i := 1; i <= 4; i++ {
		var r SaleRegistration
		e.do("POST", "/api/v1/sales/"+id+"/registrations", bidder(i), nil).want(t, 201, &r)
		regs[i] = r
	}
	e.do("POST", "/api/v1/sales/"+id+"/registrations/"+regs[4].ID+"/review", op, SaleReviewInput{}).wantError(t, 422, "invalid")
	e.do("POST", "/api/v1/sales/"+id+"/registrations/"+regs[4].ID+"/review", op, SaleReviewInput{Reason: "未提供有效的资信证明"}).want(t, 200, nil)
	e.do("POST", "/api/v1/sales/"+id+"/registrations/"+regs[4].ID+"/deposit", op, SaleDepositInput{Ref: "GX-4"}).wantError(t, 409, "conflict")
	no := map[int]string{}
	for i := 1; i <= 3; i++ {
		e.do("POST", "/api/v1/sales/"+id+"/registrations/"+regs[i].ID+"/review", op, SaleReviewInput{Approve: true}).want(t, 200, nil)
		var r SaleRegistration
		e.do("POST", "/api/v1/sales/"+id+"/registrations/"+regs[i].ID+"/deposit", op, SaleDepositInput{Ref: fmt.Sprintf("GXBANK-2026-%04d", i)}).want(t, 200, &r)
		if len(r.BidderNo) != 4 || r.DepositAt.IsZero() {
			t.Fatalf("deposit = %+v", r)
		}
		no[i] = r.BidderNo
	}
	// A registration of another sale is not this one's.
	e.do("POST", "/api/v1/sales/"+id+"/registrations/"+id+"/review", op, SaleReviewInput{Approve: true}).wantError(t, 404, "not_found")
	var mine SaleView
	e.do("GET", "/api/v1/sales/"+id, bidder(2), nil).want(t, 200, &mine)
	if mine.Mine == nil || mine.Mine.BidderNo != no[2] || !mine.Mine.Eligible || mine.Mine.Rank != 0 || len(mine.Registrations) != 0 {
		t.Fatalf("bidder 2's view: %+v", mine.Mine)
	}
	// The console lists numbers, not names; the audited view names them.
	console := e.do("GET", "/api/v1/sales/"+id, op, nil)
	console.want(t, 200, &v)
	if len(v.Registrations) != 4 {
		t.Fatalf("console registrations: %+v", v.Registrations)
	}
	assertNoBidders(t, "console", console.Body, e, 1, 2, 3, 4)
	e.do("POST", "/api/v1/sales/"+id+"/identities", op, ReasonInput{}).wantError(t, 422, "invalid")
	var idents []SaleIdentity
	e.do("POST", "/api/v1/sales/"+id+"/identities", op, ReasonInput{Reason: "核查竞买人之间的关联关系"}).want(t, 200, &idents)
	if len(idents) != 4 {
		t.Fatalf("identities = %+v", idents)
	}
	for _, x := range idents {
		if x.BidderNo == no[1] && (x.Name != w.Bidders[0].Name || x.USCC != w.Bidders[0].USCC) {
			t.Fatalf("identity of %s = %+v", no[1], x)
		}
	}

	// The seller enters the reserve: committed, shown to nobody.
	reserve := saleStart + 3*saleInc + 20_000_00 // ¥10,320,000.00, off the price grid
	e.do("PUT", "/api/v1/sales/"+id+"/reserve", op, SaleReserveInput{ReserveFen: fenOf(reserve)}).wantError(t, 403, "forbidden")
	e.do("PUT", "/api/v1/sales/"+id+"/reserve", seller, SaleReserveInput{ReserveFen: fenOf(reserve)}).want(t, 204, nil)

	// A watcher follows the sale live from the state it loaded.
	var pub SaleView
	e.do("GET", "/api/v1/sales/"+id, "", nil).want(t, 200, &pub)
	if !pub.HasReserve || pub.ReserveFen != 0 || pub.Mine != nil || len(pub.Registrations) != 0 || pub.CanManage {
		t.Fatalf("public view before the listing: %+v", pub)
	}
	from := pub.LastSeq
	watch := openStream(t, srv.URL+"/api/v1/sales/"+id+"/stream?lastEventId="+strconv.FormatInt(from, 10), "")
	defer watch.close()

	// Listing quotes: the first at the start price, then whole multiples of
	// the increment above the current price.
	w.Clock.Set(start.Add(time.Hour))
	e.do("GET", "/api/v1/sales?status=listing", "", nil).want(t, 200, &list)
	if len(list) != 1 || list[0].Status != "listing" || list[0].StatusLabel != "挂牌中" {
		t.Fatalf("listings at the start, before any quote: %+v", list)
	}
	var rc SaleReceipt
	e.do("POST", "/api/v1/sales/"+id+"/quotes", bidder(1), SaleAmountInput{AmountFen: fenOf(saleStart - 1)}).wantError(t, 422, "invalid")
	e.do("POST", "/api/v1/sales/"+id+"/quotes", bidder(1), SaleAmountInput{AmountFen: fenOf(saleStart)}).want(t, 201, &rc)
	if rc.BidderNo != no[1] || rc.NextFen != fenOf(saleStart+saleInc) || rc.LedgerIndex <= 0 || !rc.At.Equal(w.Clock.Now()) {
		t.Fatalf("quote receipt = %+v", rc)
	}
	w.Clock.Advance(time.Hour)
	off := e.do("POST", "/api/v1/sales/"+id+"/quotes", bidder(2), SaleAmountInput{AmountFen: fenOf(saleStart + saleInc + saleInc/2)}).wantError(t, 422, "invalid")
	if !strings.Contains(off.Message, "整数倍") || !strings.Contains(off.Message, (saleStart+saleInc).String()) || !strings.Contains(off.Message, (saleStart+2*saleInc).String()) || off.Basis == "" {
		t.Fatalf("refusal of a quote off the grid: %+v", off)
	}
	e.do("POST", "/api/v1/sales/"+id+"/quotes", bidder(2), SaleAmountInput{AmountFen: fenOf(saleStart + saleInc)}).want(t, 201, nil)
	w.Clock.Advance(time.Hour)
	e.do("POST", "/api/v1/sales/"+id+"/quotes", bidder(3), SaleAmountInput{AmountFen: fenOf(saleStart + 3*saleInc)}).want(t, 201, nil)
	e.do("POST", "/api/v1/sales/"+id+"/quotes", bidder(4), SaleAmountInput{AmountFen: fenOf(saleStart + 4*saleInc)}).wantError(t, 403, "forbidden") // rejected
	listingTop := saleStart + 3*saleInc

	pubRes := e.do("GET", "/api/v1/sales/"+id, "", nil)
	pubRes.want(t, 200, &pub)
	if pub.Sale.Status != "listing" || pub.State.PriceFen != fenOf(listingTop) || pub.State.Leader != no[3] || pub.State.Bids != 3 ||
		pub.State.NextFen != fenOf(listingTop+saleInc) || len(pub.Offers) != 3 {
		t.Fatalf("public view of the listing: %+v", pub.State)
	}
	assertNoBidders(t, "public view", pubRes.Body, e, 1, 2, 3, 4)
	assertNoReserve(t, "public view", pubRes.Body, reserve)
	e.do("GET", "/api/v1/sales/"+id, bidder(1), nil).want(t, 200, &mine)
	if mine.Mine.Rank != 3 || mine.Mine.BidderNo != no[1] {
		t.Fatalf("bidder 1's rank: %+v", mine.Mine)
	}

	// The listing closes with quotes from three bidders: bidders 1 and 3
	// confirm timed bidding within the join window (the jobs run directly).
	w.Clock.Set(end.Add(time.Second))
	e.tokens = map[string]string{} // the listing took longer than a token lives
	seller, op = e.login("principal"), e.login("operator")
	if err := w.Auction.CloseListing(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.do("POST", "/api/v1/sales/"+id+"/join", bidder(1), nil).want(t, 200, &v)
	if v.Sale.Status != "joining" || !v.Mine.Joined || !v.JoinBy.Equal(end.Add(5*time.Minute)) {
		t.Fatalf("joined: %+v %+v", v.Sale.Status, v.Mine)
	}
	e.do("POST", "/api/v1/sales/"+id+"/join", bidder(3), nil).want(t, 200, nil)
	w.Clock.Set(v.JoinBy)
	if err := w.Auction.StartTimed(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/sales/"+id, "", nil).want(t, 200, &pub)
	if pub.Sale.Status != "timed" || pub.State.PriceFen != fenOf(listingTop) || pub.State.Leader != no[3] || pub.State.NextFen != fenOf(listingTop+saleInc) ||
		!pub.State.EndsAt.Equal(v.JoinBy.Add(5*time.Minute)) || pub.LeftMs != 5*60*1000 {
		t.Fatalf("timed bidding starts: %+v left %d", pub.State, pub.LeftMs)
	}

	// Timed bidding: each bid restarts the countdown; a bid at a price
	// already taken is refused with the new minimum; one who did not join
	// may not bid.
	bid := func(i int, amount money.Fen) *resp {
		return e.do("POST", "/api/v1/sales/"+id+"/bids", bidder(i), SaleAmountInput{AmountFen: fenOf(amount)})
	}
	var bids []SaleReceipt
	w.Clock.Advance(time.Minute)
	bid(2, listingTop+saleInc).wantError(t, 403, "forbidden")
	bid(3, listingTop+saleInc).wantError(t, 409, "conflict") // leads already
	bid(1, listingTop+saleInc).want(t, 201, &rc)
	bids = append(bids, rc)
	if !rc.EndsAt.Equal(w.Clock.Now().Add(5*time.Minute)) || rc.NextFen != fenOf(listingTop+2*saleInc) {
		t.Fatalf("first bid: %+v", rc)
	}
	w.Clock.Advance(3 * time.Minute)
	sent := time.Now()
	bid(3, listingTop+2*saleInc).want(t, 201, &rc)
	bids = append(bids, rc)
	if got := watch.until(t, func(ev sseEvent) bool { return ev.ID == uint64(rc.Seq) }); time.Since(sent) > time.Second {
		t.Errorf("the bid reached the watcher %v after its receipt", time.Since(sent))
	} else {
		t.Logf("bid %d delivered to the watcher within %v of the request", got.ID, time.Since(sent))
	}
	if !rc.EndsAt.Equal(w.Clock.Now().Add(5 * time.Minute)) {
		t.Fatalf("the countdown did not restart: %+v", rc)
	}
	same := bid(1, listingTop+2*saleInc).wantError(t, 422, "invalid")
	if next := listingTop + 3*saleInc; !strings.Contains(same.Message, next.String()) {
		t.Fatalf("a bid at the price just taken is refused without the new minimum %s: %s", next, same.Message)
	}
	// … and with the state that refused it, to bid again without a read.
	if st := same.State; st == nil || st.NextFen != fenOf(listingTop+3*saleInc) || st.PriceFen != fenOf(listingTop+2*saleInc) || st.Leader != rc.BidderNo {
		t.Fatalf("refusal's state %+v, want price %d led by %s, next %d", st, fenOf(listingTop+2*saleInc), rc.BidderNo, fenOf(listingTop+3*saleInc))
	}
	w.Clock.Advance(4 * time.Minute)
	bid(1, listingTop+3*saleInc).want(t, 201, &rc)
	bids = append(bids, rc)
	e.do("GET", "/api/v1/sales/"+id, bidder(1), nil).want(t, 200, &mine)
	if mine.Mine.Rank != 1 || mine.State.Bids != 3 || !mine.State.EndsAt.Equal(rc.EndsAt) || mine.LeftMs != 5*60*1000 {
		t.Fatalf("bidder 1 leads: %+v %+v", mine.Mine, mine.State)
	}
	e.do("GET", "/api/v1/sales/"+id, bidder(3), nil).want(t, 200, &mine)
	if mine.Mine.Rank != 2 {
		t.Fatalf("bidder 3's rank: %+v", mine.Mine)
	}

	// The countdown runs out; the close job concludes: a deal, the reserve
	// revealed, the confirmation with the winner's name.
	w.Clock.Set(rc.EndsAt)
	bid(3, listingTop+4*saleInc).wantError(t, 409, "deadline")
	if err := w.Auction.CloseTimedJob(ctx, auction.TimedCloseSubject(id, rc.EndsAt)); err != nil {
		t.Fatal(err)
	}
	final := listingTop + 3*saleInc
	e.do("GET", "/api/v1/sales/"+id, "", nil).want(t, 200, &pub)
	c := pub.Confirmation
	if pub.Sale.Status != "closed" || pub.State.Result != "deal" || pub.State.Winner != no[1] || pub.State.PriceFen != fenOf(final) ||
		pub.ReserveFen != fenOf(reserve) || !pub.ClosedAt.Equal(rc.EndsAt) || c == nil {
		t.Fatalf("closed: %+v reserve %d confirmation %+v", pub.State, pub.ReserveFen, c)
	}
	if c.WinnerNo != no[1] || c.WinnerName != w.Bidders[0].Name || c.WinnerUSCC != w.Bidders[0].USCC || c.PriceFen != fenOf(final) ||
		c.PriceText != final.Capital() || c.SellerName != w.Principal.Name || !c.At.Equal(rc.EndsAt) || c.Stage != "timed" || c.LedgerIndex <= 0 {
		t.Fatalf("confirmation = %+v", c)
	}

	// The ledger as anyone fetches it: the reserve's commitment is opened
	// by a reveal under the sale's code, and so is the winner's number.
	if _, err := w.Ledger.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	entries := ledgerEntries(t, e)
	var reserveOK, bindingOK bool
	for _, p := range entries {
		if p.Type != ledger.Revealed || p.Subject != pub.Sale.Code {
			continue
		}
		var r ledger.Reveal
		if err := json.Unmarshal(p.Public, &r); err != nil {
			t.Fatal(err)
		}
		if r.Of < 0 || r.Of >= p.Index || !r.Check(entries[r.Of].Commitment) {
			t.Fatalf("reveal %d does not open entry %d", p.Index, r.Of)
		}
		var priv map[string]any
		if err := json.Unmarshal([]byte(r.Private), &priv); err != nil {
			t.Fatal(err)
		}
		switch priv["what"] {
		case "reserve":
			reserveOK = priv["reserve"] == float64(reserve) && priv["sale"] == pub.Sale.Code
		case "bidder_number":
			bindingOK = priv["bidder_no"] == no[1] && priv["uscc"] == w.Bidders[0].USCC
		}
	}
	if !reserveOK || !bindingOK {
		t.Fatalf("reveals: reserve %v, winner's number %v", reserveOK, bindingOK)
	}
	var out, errb bytes.Buffer
	if code := verify.Main(ctx, []string{"--url", srv.URL, "--state", filepath.Join(t.TempDir(), "monitor.json")}, &out, &errb); code != 0 {
		t.Fatalf("ggzy verify --url: exit %d\n%s%s", code, out.String(), errb.String())
	}
	// The confirmation as a signed PDF, public after the deal (salesdocs_test.go).
	checkConfirmationPDF(t, e, id, "", final.String(), final.Capital(), reserve.String(), reserve.Capital(), "挂牌截止后网上限时竞价的最高出价")

	// The stream delivered every change after the loaded state, in commit
	// order, each with its sequence as ID; the bids among them.
	closed := watch.until(t, func(ev sseEvent) bool { return ev.Type == "closed" })
	var all SaleEvents
	e.do("GET", "/api/v1/sales/"+id+"/events?after="+strconv.FormatInt(pub.LastSeq-1, 10), "", nil).want(t, 200, &all)
	if len(all.Events) != 1 || all.Events[0].Type != "closed" || uint64(all.Events[0].Seq) != closed.ID {
		t.Fatalf("events after %d: %+v", pub.LastSeq-1, all.Events)
	}
	var since SaleEvents
	e.do("GET", "/api/v1/sales/"+id+"/events?after="+strconv.FormatInt(from, 10), "", nil).want(t, 200, &since)
	got := watch.seen()
	checkStream(t, "live", got, since.Events)
	var bidSeqs []uint64
	for _, ev := range got {
		if ev.Type == "bid" {
			bidSeqs = append(bidSeqs, ev.ID)
		}
	}
	if len(bidSeqs) != 3 || bidSeqs[0] != uint64(bids[0].Seq) || bidSeqs[1] != uint64(bids[1].Seq) || bidSeqs[2] != uint64(bids[2].Seq) {
		t.Fatalf("bids on the stream %v, receipts %+v", bidSeqs, bids)
	}
	for _, ev := range got {
		assertNoBidders(t, "event", []byte(ev.Data), e, 1, 2, 3, 4)
	}
	watch.close()

	// A client that saw the first bid reconnects with Last-Event-ID: to
	// this process, and to another one (a fresh API on the same database),
	// it gets exactly what followed, and no reset.
	other := New(e.d)
	srv2 := httptest.NewServer(other)
	defer func() {
		_ = other.(io.Closer).Close()
		srv2.Close()
	}()
	var after SaleEvents
	e.do("GET", "/api/v1/sales/"+id+"/events?after="+strconv.FormatInt(bids[0].Seq, 10), "", nil).want(t, 200, &after)
	for name, url := range map[string]string{"same process": srv.URL, "other process": srv2.URL} {
		re := openStream(t, url+"/api/v1/sales/"+id+"/stream", strconv.FormatInt(bids[0].Seq, 10))
		re.until(t, func(ev sseEvent) bool { return ev.Type == "closed" })
		checkStream(t, name, re.seen(), after.Events)
		re.close()
	}
	// A watcher that has seen nothing of the sale gets its whole history.
	var history SaleEvents
	e.do("GET", "/api/v1/sales/"+id+"/events", "", nil).want(t, 200, &history)
	re := openStream(t, srv2.URL+"/api/v1/sales/"+id+"/stream", "0")
	re.until(t, func(ev sseEvent) bool { return ev.Type == "closed" })
	checkStream(t, "from the start", re.seen(), history.Events)
	re.close()
	t.Logf("first event seq %d", history.Events[0].Seq)
	if history.Events[0].Type != "announced" || history.More {
		t.Fatalf("history starts with %+v", history.Events[0])
	}
}

// checkStream compares what a stream delivered with the events the JSON
// API lists: the same IDs, types and data, in order, nothing else.
func checkStream(t *testing.T, name string, got []sseEvent, want []SaleEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: the stream delivered %d events, the API lists %d: %+v", name, len(got), len(want), got)
	}
	for i, ev := range got {
		var d SaleEvent
		if err := json.Unmarshal([]byte(ev.Data), &d); err != nil {
			t.Fatalf("%s: event %d: %v: %s", name, ev.ID, err, ev.Data)
		}
		w := want[i]
		gj, _ := json.Marshal(d)
		wj, _ := json.Marshal(w)
		if ev.ID != uint64(w.Seq) || ev.Type != w.Type || string(gj) != string(wj) {
			t.Fatalf("%s: event %d = %d %s %s, want %s", name, i, ev.ID, ev.Type, gj, wj)
		}
		if i > 0 && ev.ID <= got[i-1].ID {
			t.Fatalf("%s: IDs out of order: %d after %d", name, ev.ID, got[i-1].ID)
		}
	}
}

// assertNoBidders checks that a body names none of the fixture bidders i.
func assertNoBidders(t *testing.T, where string, body []byte, e *env, is ...int) {
	t.Helper()
	for _, i := range is {
		b := e.w.Bidders[i-1]
		for _, s := range []string{b.Name, b.USCC, b.ID} {
			if bytes.Contains(body, []byte(s)) {
				t.Fatalf("%s names bidder %d (%s): %s", where, i, s, body)
			}
		}
	}
}

// assertNoReserve checks that a body shows no reserve amount.
func assertNoReserve(t *testing.T, where string, body []byte, reserve money.Fen) {
	t.Helper()
	for _, s := range []string{reserve.String(), strconv.FormatInt(int64(reserve), 10), `"reserve_fen"`} {
		if bytes.Contains(body, []byte(s)) {
			t.Fatalf("%s shows the reserve (%s): %s", where, s, body)
		}
	}
}

// ledgerEntries fetches the whole public ledger through the API.
func ledgerEntries(t *testing.T, e *env) []LedgerEntry {
	t.Helper()
	var all []LedgerEntry
	for {
		var page LedgerEntries
		e.do("GET", fmt.Sprintf("/api/v1/ledger/entries?start=%d&end=%d", len(all), len(all)+MaxLedgerPage), "", nil).want(t, 200, &page)
		all = append(all, page.Entries...)
		if len(page.Entries) < MaxLedgerPage {
			return all
		}
	}
}

// ---- a small server-sent events client

type sseEvent struct {
	ID   uint64
	Type string
	Data string
}

type sseStream struct {
	cancel context.CancelFunc
	events chan sseEvent
	got    []sseEvent
}

// openStream connects to an event stream, resuming after lastID when given.
func openStream(t *testing.T, url, lastID string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		cancel()
		t.Fatalf("stream %s: %d %s: %s", url, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	s := &sseStream{cancel: cancel, events: make(chan sseEvent, 1024)}
	go func() {
		defer res.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		var data []string
		for sc.Scan() {
			line := sc.Text()
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch {
			case line == "":
				if data != nil {
					ev.Data = strings.Join(data, "\n")
					s.events <- ev
				}
				ev, data = sseEvent{}, nil
			case field == "id":
				ev.ID, _ = strconv.ParseUint(value, 10, 64)
			case field == "event":
				ev.Type = value
			case field == "data":
				data = append(data, value)
			}
		}
	}()
	return s
}

// until reads events until one satisfies ok (a reset fails the test).
func (s *sseStream) until(t *testing.T, ok func(sseEvent) bool) sseEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, open := <-s.events:
			if !open {
				t.Fatalf("the stream ended; events so far: %+v", s.got)
			}
			if ev.Type == "reset" {
				t.Fatalf("the stream was reset: %+v after %+v", ev, s.got)
			}
			s.got = append(s.got, ev)
			if ok(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no such event within 10s; events so far: %+v", s.got)
		}
	}
}

func (s *sseStream) seen() []sseEvent { return s.got }

func (s *sseStream) close() { s.cancel() }
