package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// TestSalePeriodsThroughAPI: the statutory phases around the bidding
// through the API, on both databases: an auction's viewing dates, a
// state-property pre-disclosure and the extension of its formal
// disclosure, and a mining right's confirmation and publicity dates.
func TestSalePeriodsThroughAPI(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) { salePeriods(t, newEnvOn(t, db)) })
}

func salePeriods(t *testing.T, e *env) {
	ctx := context.Background()
	w := e.w
	seller, op := e.login("principal"), e.login("operator")
	t0 := w.Clock.Now()
	wd := func(from time.Time, n int) time.Time {
		d, _ := w.Calendar.PeriodEnd(from, n, calendar.WorkingDays)
		return d
	}
	ymd := func(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02") }

	// An auction's announcement states its viewing, or it is refused (AL 48).
	startAt := beijing(wd(t0, 20), 10, 0)
	in := landSaleInput(auction.ModeAuction, startAt, time.Time{})
	var v SaleView
	e.do("POST", "/api/v1/sales", seller, SaleInput{Kind: "land", Mode: "auction", SaleTerms: saleTermsDTO(in)}).want(t, 201, &v)
	id := v.Sale.ID
	eb := e.do("POST", "/api/v1/sales/"+id+"/announce", seller, nil).wantError(t, 422, "invalid")
	if !strings.Contains(eb.Basis, "第四十八条") || eb.Fields["view_from"] == "" {
		t.Fatalf("auction without a viewing: %+v", eb)
	}
	terms := saleTermsDTO(in)
	terms.Data.ViewFrom, terms.Data.ViewTo = ymd(startAt.AddDate(0, 0, -3)), ymd(startAt.AddDate(0, 0, -1))
	e.do("PUT", "/api/v1/sales/"+id, seller, SaleChange{SaleTerms: terms}).want(t, 200, nil)
	e.do("POST", "/api/v1/sales/"+id+"/announce", seller, nil).want(t, 200, nil)
	e.do("GET", "/api/v1/sales/"+id, "", nil).want(t, 200, &v)
	if v.Sale.Data.ViewFrom != terms.Data.ViewFrom || v.Sale.Data.ViewTo != terms.Data.ViewTo || v.Sale.Rules.MinAuctionBidders != 3 {
		t.Fatalf("public auction = %+v", v.Sale)
	}

	// A transfer of control: pre-disclosure, then formal disclosure; the
	// formal disclosure, ending without a buyer, is extended.
	formal := wd(t0, 20)
	quoting := beijing(wd(formal, 20), 9, 0)
	p := propertySaleInput(auction.ModeAscending, quoting, time.Time{})
	pt := saleTermsDTO(p)
	pt.Data.ControlTransfer, pt.Data.ApprovedOn, pt.Data.DisclosureFrom = true, ymd(t0), ymd(formal)
	e.do("POST", "/api/v1/sales", seller, SaleInput{Kind: "property", Mode: "ascending", SaleTerms: pt}).want(t, 201, &v)
	pid := v.Sale.ID
	e.do("POST", "/api/v1/sales/"+pid+"/announce", seller, nil).want(t, 200, &v)
	ph := v.Sale.DisclosurePhases
	if len(ph) != 2 || ph[0].Label != "信息预披露" || !ph[0].To.Equal(formal) || ph[1].Label != "正式信息披露" || !ph[1].To.Equal(quoting) {
		t.Fatalf("phases = %+v", ph)
	}
	e.do("POST", "/api/v1/sales/"+pid+"/registrations", e.login("bidder1"), nil).wantError(t, 409, "conflict")
	last := beijing(quoting, 9, 0).AddDate(0, 0, -1)
	for !w.Calendar.IsWorkingDay(last) {
		last = last.AddDate(0, 0, -1)
	}
	w.Clock.Set(beijing(last, 16, 0))
	op = e.freshLogin("operator") // weeks later: a new session
	e.do("POST", "/api/v1/sales/"+pid+"/extend-disclosure", op, SaleExtendInput{Days: 4, Reason: "未征集到意向受让方"}).wantError(t, 422, "invalid")
	e.do("POST", "/api/v1/sales/"+pid+"/extend-disclosure", op, SaleExtendInput{Days: 5, Reason: "未征集到意向受让方"}).want(t, 200, &v)
	moved := beijing(wd(quoting, 5), 9, 0)
	if !v.Sale.StartAt.Equal(moved) || !v.Sale.DisclosurePhases[1].To.Equal(moved) {
		t.Fatalf("extended sale starts %s (phases %+v), want %s", v.Sale.StartAt, v.Sale.DisclosurePhases, moved)
	}

	// A mining listing with one quote: a deal, with its confirmation and
	// publicity dates in the confirmation.
	w.Clock.Set(t0)
	seller = e.freshLogin("principal")
	ms := beijing(wd(t0, 20), 9, 0)
	me := beijing(wd(ms, 10), 15, 0)
	mi := auction.SaleInput{Kind: auction.Mining, Mode: auction.ModeListing, Title: "武鸣区某水泥用石灰岩矿采矿权",
		Data:        auction.Data{Location: "南宁市武鸣区某镇", AreaM2: 120000, Mineral: "水泥用石灰岩", TermYears: 10, Decision: "价高者得"},
		Eligibility: "具备相应开采能力的企业法人", Deposit: 1_000_000_00, StartPrice: 5_000_000_00, Increment: 50_000_00, StartAt: ms, EndAt: me}
	e.do("POST", "/api/v1/sales", seller, SaleInput{Kind: "mining", Mode: "listing", SaleTerms: saleTermsDTO(mi)}).want(t, 201, &v)
	mid := v.Sale.ID
	e.do("POST", "/api/v1/sales/"+mid+"/announce", seller, nil).want(t, 200, nil)
	r, err := w.Auction.Register(ctx, w.Actor("bidder1"), mid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = w.Auction.Qualify(ctx, w.Actor("operator"), r.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if _, err = w.Auction.ConfirmDeposit(ctx, w.Actor("operator"), r.ID, "GXBANK-1"); err != nil {
		t.Fatal(err)
	}
	w.Clock.Set(ms.Add(time.Hour))
	if _, err = w.Auction.Quote(ctx, w.Actor("bidder1"), mid, mi.StartPrice); err != nil {
		t.Fatal(err)
	}
	w.Clock.Set(me)
	if err = w.Auction.CloseListing(ctx, mid); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/sales/"+mid, "", nil).want(t, 200, &v)
	c := v.Confirmation
	if c == nil || c.Mining == nil || c.Mining.ConfirmBy != ymd(wd(me, 3)) || c.Mining.PublicityBy != ymd(wd(me, 5)) ||
		c.Mining.PublicityFrom != ymd(me) || c.Mining.PublicityUntil != ymd(wd(me, 10)) || !strings.Contains(c.Mining.Basis, "矿业权") {
		t.Fatalf("mining confirmation = %+v", c)
	}
}
