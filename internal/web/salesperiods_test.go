package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
)

// TestSalePeriodsThroughThePages: the statutory phases around the bidding
// on the pages. An auction created without its viewing cannot be announced
// (AL 48); one with it shows the viewing on its public page. A transfer of
// control is created with its pre-disclosure, whose phases the public page
// shows; on the last working day of its formal disclosure without a buyer
// the centre extends it from the console. A mining right's deal shows its
// confirmation and publicity dates.
func TestSalePeriodsThroughThePages(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	op := e.browser()
	op.login("operator")
	t0 := w.Clock.Now()
	wd := func(from time.Time, n int) time.Time {
		d, _ := w.Calendar.PeriodEnd(from, n, calendar.WorkingDays)
		return d
	}
	ymd := func(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02") }
	create := func(what string, f url.Values) string {
		t.Helper()
		p := op.postAs("/console/sales", "/console/sales", f)
		if p.status != http.StatusSeeOther || !saleIDRE.MatchString(p.loc) {
			t.Fatalf("%s: create: %d %q %s", what, p.status, p.loc, excerpt(p.body))
		}
		return saleIDRE.FindStringSubmatch(p.loc)[1]
	}
	announce := func(id string) page {
		return op.postAs("/console/sales/"+id+"/announce", "/console/sales/"+id, url.Values{})
	}
	must(t, "the creation form", op.get("/console/sales"), http.StatusOK, `name="view_from"`, `name="approved_on"`, `name="disclosure_from"`, "转让导致实际控制权转移")

	// The auction's viewing.
	startAt := beijing(wd(t0, 20), 10, 0)
	f := plotForm(w, startAt, time.Time{})
	f.Set("mode", "auction")
	f.Del("end_at")
	id := create("auction without a viewing", f)
	must(t, "announcing it", announce(id), http.StatusUnprocessableEntity, "拍卖公告应载明拍卖标的的展示时间", rules.BasisAL48)
	from, to := ymd(startAt.AddDate(0, 0, -3)), ymd(startAt.AddDate(0, 0, -1))
	f.Set("view_from", from)
	f.Set("view_to", to)
	id = create("auction with its viewing", f)
	op.flash(t, "announcing it", announce(id), "交易公告已发布")
	must(t, "the auction's public page", e.browser().get("/sales/"+id), http.StatusOK, "展示时间", from+" 至 "+to, "拍卖日前结束")
	must(t, "the auction's change form keeps its viewing", op.get("/console/sales/"+id), http.StatusOK,
		`name="view_from" type="date" value="`+from+`"`, `name="view_to" type="date" value="`+to+`"`)

	// The transfer of control: pre-disclosure, formal disclosure, extension.
	formal := wd(t0, 20)
	quoting := beijing(wd(formal, 20), 9, 0)
	pf := url.Values{"kind": {"property"}, "mode": {"ascending"}, "title": {"南宁某国有企业所持某公司51%股权"}, "seller": {w.Principal.USCC},
		"asset": {"某某有限公司51%股权"}, "valuation": {"9000000"}, "eligibility": {"依法设立并有效存续的企业法人"}, "deposit": {"900000"},
		"start_price": {"9000000"}, "increment": {"100000"}, "start_at": {dtl(quoting)},
		"control_transfer": {"1"}, "approved_on": {ymd(t0)}, "disclosure_from": {ymd(formal)}, "view_from": {ymd(t0)}}
	pid := create("transfer of control", pf)
	op.flash(t, "announcing it", announce(pid), "交易公告已发布")
	pub := e.browser().get("/sales/" + pid)
	must(t, "the transfer's public page", pub, http.StatusOK, "信息预披露", "正式信息披露", "不少于20个工作日", "转让行为批准日期", ymd(t0))
	mustNot(t, "the transfer's public page", pub.body, "展示时间") // no viewing outside an auction

	console := "/console/sales/" + pid
	mustNot(t, "the console before the end", op.get(console).body, `id="extend"`)
	last := clock.Date(quoting).AddDate(0, 0, -1)
	for !w.Calendar.IsWorkingDay(last) {
		last = last.AddDate(0, 0, -1)
	}
	w.Clock.Set(beijing(last, 16, 0))
	op.login("operator") // weeks later: a new session
	must(t, "the console on the last working day", op.get(console), http.StatusOK, `id="extend"`, "延长信息披露")
	p := op.postAs(console+"/extend", console, url.Values{"days": {"4"}, "reason": {"未征集到合格意向受让方"}})
	must(t, "4 days", p, http.StatusUnprocessableEntity, `href="#extend-days"`, "不得少于5个工作日")
	moved := beijing(wd(quoting, 5), 9, 0)
	op.flash(t, "5 days", op.postAs(console+"/extend", console, url.Values{"days": {"5"}, "reason": {"未征集到合格意向受让方"}}),
		"信息披露已延长至 "+clock.Format(moved))
	must(t, "the transfer's public page after the extension", e.browser().get("/sales/"+pid), http.StatusOK, clock.Format(moved))

	// The mining right's deal.
	w.Clock.Set(t0)
	ms := beijing(wd(t0, 20), 9, 0)
	me := beijing(wd(ms, 10), 15, 0)
	s, err := w.Auction.CreateSale(ctx, w.Actor("principal"), auction.SaleInput{Kind: auction.Mining, Mode: auction.ModeListing, Title: "武鸣区某水泥用石灰岩矿采矿权",
		Data:        auction.Data{Location: "南宁市武鸣区某镇", AreaM2: 120000, Mineral: "水泥用石灰岩", TermYears: 10, Decision: "价高者得"},
		Eligibility: "具备相应开采能力的企业法人", Deposit: 1_000_000_00, StartPrice: 5_000_000_00, Increment: 50_000_00, StartAt: ms, EndAt: me})
	if err == nil {
		_, err = w.Auction.Announce(ctx, w.Actor("principal"), s.ID)
	}
	var r auction.Registration
	if err == nil {
		r, err = w.Auction.Register(ctx, w.Actor("bidder1"), s.ID)
	}
	if err == nil {
		_, err = w.Auction.Qualify(ctx, w.Actor("operator"), r.ID, true, "")
	}
	if err == nil {
		_, err = w.Auction.ConfirmDeposit(ctx, w.Actor("operator"), r.ID, "GXBANK-1")
	}
	if err == nil {
		w.Clock.Set(ms.Add(time.Hour))
		_, err = w.Auction.Quote(ctx, w.Actor("bidder1"), s.ID, s.StartPrice)
	}
	if err == nil {
		w.Clock.Set(me)
		err = w.Auction.CloseListing(ctx, s.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	must(t, "the mining right's public page", e.browser().get("/sales/"+s.ID), http.StatusOK, "成交确认书签订", ymd(wd(me, 3)),
		"出让结果公示", ymd(wd(me, 10)), ymd(wd(me, 5)))
}
