package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/fixture"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/web"
)

// Amounts of the demo plot: start ¥10,000,000.00, increment ¥100,000.00.
const (
	plotStart = money.Fen(10_000_000_00)
	plotInc   = money.Fen(100_000_00)
)

// beijing is a Beijing wall-clock instant on the date of d.
func beijing(d time.Time, h, m int) time.Time {
	s := d.In(clock.Shanghai)
	return time.Date(s.Year(), s.Month(), s.Day(), h, m, 0, 0, clock.Shanghai).UTC()
}

// listingDates are the earliest lawful start and close of a land listing
// announced at the world's current time.
func listingDates(w *fixture.World) (time.Time, time.Time) {
	s, _ := w.Calendar.PeriodEnd(w.Clock.Now(), 20, calendar.CalendarDays)
	startAt := beijing(s, 9, 0)
	e, _ := w.Calendar.PeriodEnd(startAt, 10, calendar.WorkingDays)
	return startAt, beijing(e, 15, 0)
}

func dtl(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02T15:04") }

// plotForm is the console's creation form for the demo plot.
func plotForm(w *fixture.World, startAt, endAt time.Time) url.Values {
	return url.Values{"kind": {"land"}, "mode": {"listing"}, "title": {"五象新区GC2026-018号地块国有建设用地使用权"}, "seller": {w.Principal.USCC},
		"location": {"南宁市良庆区五象大道以南、平乐大道以东"}, "area_m2": {"35678.90"}, "use": {"residential"}, "term_years": {"70"},
		"plot_ratio": {"1.0＜容积率≤2.8"}, "conditions": {"净地出让，现状交地"}, "decision": {"价高者得"},
		"eligibility": {"中华人民共和国境内外的法人和其他组织，法律另有规定者除外"}, "deposit": {"20000000"},
		"start_price": {plotStart.Plain()}, "increment": {plotInc.Plain()}, "start_at": {dtl(startAt)}, "end_at": {dtl(endAt)}}
}

var saleIDRE = regexp.MustCompile(`^/console/sales/([^/?]+)$`)

// postAs posts a form with the visitor's token, read from path.
func (b *browser) postAs(path, formPage string, form url.Values) page {
	b.e.t.Helper()
	f := url.Values{"csrf": {b.csrf(formPage)}}
	for k, v := range form {
		f[k] = v
	}
	return b.post(path, f)
}

// must checks a page's status and that it contains each of want.
func must(t *testing.T, what string, p page, status int, want ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: %d, want %d: %s", what, p.status, status, excerpt(p.body))
	}
	for _, s := range want {
		if !strings.Contains(p.body, s) {
			t.Errorf("%s: page lacks %q: %s", what, s, excerpt(p.body))
		}
	}
}

func mustNot(t *testing.T, what, body string, words ...string) {
	t.Helper()
	for _, s := range words {
		if s != "" && strings.Contains(body, s) {
			t.Errorf("%s shows %q", what, s)
		}
	}
}

// flash follows a post-redirect-get and returns the page with its message.
func (b *browser) flash(t *testing.T, what string, p page, want ...string) page {
	t.Helper()
	if p.status != http.StatusSeeOther {
		t.Fatalf("%s: %d, want 303: %s", what, p.status, excerpt(p.body))
	}
	next := b.get(p.loc)
	must(t, what+" (after)", next, http.StatusOK, want...)
	return next
}

// TestLandSaleThroughThePages: the trading centre creates the demo plot
// through the console form (a form with mistakes is shown again with each
// field's error) and announces it; the seller enters the reserve; three
// bidders register, two are qualified and their deposits confirmed (the
// third is refused with a reason); the listing takes quotes, refusing one
// that is not a whole multiple of the increment with the next valid
// amounts; at the close both join the timed bidding, where the leader may
// not outbid itself and a stale bid is refused with the new minimum; at the
// end the public page shows the deal, the winner and the reserve revealed.
// Until then no page names a bidder.
func TestLandSaleThroughThePages(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	startAt, endAt := listingDates(w)

	op := e.browser()
	op.login("operator")
	p := op.get("/console/sales")
	must(t, "the centre's sales", p, http.StatusOK, "登记新交易", `name="seller"`, dtl(startAt), dtl(endAt))

	// A form with mistakes comes back with every field's error, kept values.
	bad := plotForm(w, startAt, endAt)
	bad.Set("title", "地")
	bad.Set("area_m2", "三万")
	bad.Set("term_years", "80")
	p = op.postAs("/console/sales", "/console/sales", bad)
	must(t, "a bad form", p, http.StatusUnprocessableEntity, `href="#sale-area_m2"`, "错误代码 422-", "五象大道以南")
	p = op.postAs("/console/sales", "/console/sales", func() url.Values { f := plotForm(w, startAt, endAt); f.Set("term_years", "80"); return f }())
	must(t, "a term over the maximum", p, http.StatusUnprocessableEntity, `href="#sale-term_years"`, "出让最高年限为70年", rules.BasisLandTerm)

	p = op.postAs("/console/sales", "/console/sales", plotForm(w, startAt, endAt))
	if p.status != http.StatusSeeOther || !saleIDRE.MatchString(p.loc) {
		t.Fatalf("create: %d %q %s", p.status, p.loc, excerpt(p.body))
	}
	id := saleIDRE.FindStringSubmatch(p.loc)[1]
	console := "/console/sales/" + id
	public := "/sales/" + id
	p = op.flash(t, "created", p, "已登记为草稿", "发布公告")
	if anon := e.browser().get(public); anon.status != http.StatusNotFound {
		t.Errorf("a draft on the portal: %d", anon.status)
	}
	op.flash(t, "announced", op.postAs(console+"/announce", console, nil), "交易公告已发布", "公告中")

	anon := e.browser()
	p = anon.get("/sales?cat=land")
	must(t, "the listing", p, http.StatusOK, "五象新区GC2026-018号地块", "¥10,000,000.00", "挂牌开始")
	p = anon.get(public)
	must(t, "the announcement", p, http.StatusOK, "南宁市良庆区五象大道以南", "35678.90 平方米", "居住用地", "70 年", "¥10,000,000.00", "¥100,000.00",
		"¥20,000,000.00", "竞得人确定方式", "价高者得", "确认参加限时竞价", "南宁市城市建设局", `id="sale-live"`,
		"公告期", "不少于20日", "挂牌期", "不少于10个工作日")

	// The seller enters the reserve; nobody sees it before the end.
	seller := e.browser()
	seller.login("principal")
	reserve := money.Fen(10_250_000_00)
	seller.flash(t, "the reserve", seller.postAs(console+"/reserve", console, url.Values{"reserve": {reserve.Plain()}}), "底价已录入", "已录入底价")
	for _, b := range []*browser{anon, op, seller} {
		mustNot(t, "a page before the end", b.get(public).body, "10,250,000", "10250000")
	}
	mustNot(t, "the centre's console before the end", op.get(console).body, "10,250,000", "10250000")

	// Three bidders apply.
	bidders := make([]*browser, 3)
	for i := range bidders {
		bidders[i] = e.browser()
		bidders[i].login(fmt.Sprintf("bidder%d", i+1))
		must(t, "the room before applying", bidders[i].get(console), http.StatusOK, "提交竞买申请", "¥20,000,000.00")
		bidders[i].flash(t, "register", bidders[i].postAs(console+"/register", console, nil), "竞买申请已提交", "等待交易中心资格审查")
	}
	p = bidders[0].postAs(console+"/register", console, nil)
	must(t, "a second application", p, http.StatusConflict, "不能重复报名")

	// The centre reviews by number and state only.
	v, err := w.Auction.ViewSale(ctx, w.Actor("operator"), id)
	if err != nil || len(v.Registrations) != 3 {
		t.Fatalf("registrations: %v %d", err, len(v.Registrations))
	}
	p = op.get(console)
	must(t, "the centre's registrations", p, http.StatusOK, "待资格审查", "资格审查通过", "查看竞买人身份")
	for _, b := range w.Bidders[:3] {
		mustNot(t, "the centre's console", p.body, b.Name, b.USCC)
	}
	regs := map[ids.ID]int{}
	for _, rl := range v.Registrations {
		for i := 0; i < 3; i++ {
			if r, err := w.Auction.ViewSale(ctx, w.Actor(fmt.Sprintf("bidder%d", i+1)), id); err == nil && r.Mine != nil && r.Mine.RegistrationID == rl.ID {
				regs[rl.ID] = i
			}
		}
	}
	for reg, i := range regs {
		if i == 2 {
			p = op.postAs(console+"/qualify", console, url.Values{"reg": {reg}, "decision": {"reject"}})
			must(t, "a rejection without reason", p, http.StatusUnprocessableEntity, `href="#reg-`+reg+`-reason"`, "不通过的理由")
			op.flash(t, "reject", op.postAs(console+"/qualify", console, url.Values{"reg": {reg}, "decision": {"reject"}, "reason": {"未提交银行资信证明"}}), "资格审查未通过")
			continue
		}
		op.flash(t, "qualify", op.postAs(console+"/qualify", console, url.Values{"reg": {reg}, "decision": {"approve"}}), "资格审查已通过")
		p = op.postAs(console+"/deposit", console, url.Values{"reg": {reg}, "ref": {""}})
		must(t, "a deposit without reference", p, http.StatusUnprocessableEntity, `href="#reg-`+reg+`-ref"`)
		op.flash(t, "deposit", op.postAs(console+"/deposit", console, url.Values{"reg": {reg}, "ref": {"GXBANK-" + strconv.Itoa(i)}}), "竞买号牌")
	}
	must(t, "a rejected bidder", bidders[2].get(console), http.StatusOK, "资格审查未通过", "未提交银行资信证明")
	p = op.postAs("/console/sales/"+id+"/qualify", console, url.Values{"reg": {"no-such-registration"}})
	must(t, "a registration of no sale", p, http.StatusNotFound)

	numbers := make([]string, 2)
	for i := range numbers {
		r, err := w.Auction.ViewSale(ctx, w.Actor(fmt.Sprintf("bidder%d", i+1)), id)
		if err != nil || r.Mine == nil || r.Mine.BidderNo == "" {
			t.Fatalf("bidder%d has no number: %v", i+1, err)
		}
		numbers[i] = r.Mine.BidderNo
		must(t, "the room with a number", bidders[i].get(console), http.StatusOK, numbers[i], "挂牌将于")
	}

	// The listing: quotes by page (after the jump of the clock, the
	// sessions of the day have ended).
	relogin := func() {
		op.login("operator")
		seller.login("principal")
		for i, b := range bidders {
			b.login(fmt.Sprintf("bidder%d", i+1))
		}
	}
	w.Clock.Set(startAt.Add(time.Hour))
	relogin()
	p = bidders[0].get(console)
	must(t, "the quote form", p, http.StatusOK, `action="`+console+`/quote"`, `value="10000000.00"`, "提交报价", "大写：壹仟万元整")
	bidders[0].flash(t, "a quote", bidders[0].postAs(console+"/quote", console, url.Values{"amount": {"10000000"}}), "报价已接受", "¥10,000,000.00", "第 1 名（领先）")
	p = bidders[1].postAs(console+"/quote", console, url.Values{"amount": {"10150000"}})
	must(t, "a quote off the increment", p, http.StatusUnprocessableEntity, "整数倍", "下一个有效报价为¥10,100,000.00", "¥10,200,000.00",
		`href="#quote-amount"`, `value="10100000.00"`, rules.BasisIncrement)
	bidders[1].flash(t, "a valid quote", bidders[1].postAs(console+"/quote", console, url.Values{"amount": {"10100000.00"}}), "报价已接受", "第 1 名（领先）")
	bidders[0].flash(t, "a higher quote", bidders[0].postAs(console+"/quote", console, url.Values{"amount": {"10200000"}}), "报价已接受")
	must(t, "the second bidder's rank", bidders[1].get(console), http.StatusOK, "第 2 名", "¥10,200,000.00", "¥10,300,000.00")
	p = anon.get(public)
	must(t, "the public listing", p, http.StatusOK, numbers[0], numbers[1], "¥10,200,000.00", "距报价截止")
	// The centre sees when the close falls due; the button comes then.
	p = op.get(console)
	must(t, "the close before it is due", p, http.StatusOK, `id="close-later"`, "到期程序：挂牌截止处理")
	mustNot(t, "the close before it is due", p.body, `id="close-submit"`)

	// The close: both join the timed bidding.
	w.Clock.Set(endAt)
	relogin()
	must(t, "the close when due", op.get(console), http.StatusOK, `id="close-submit"`, "执行挂牌截止处理")
	if err := w.Auction.CloseListing(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(time.Minute)
	for _, b := range bidders[:2] {
		must(t, "the join form", b.get(console), http.StatusOK, "确认参加限时竞价", `action="`+console+`/join"`)
		b.flash(t, "join", b.postAs(console+"/join", console, nil), "已确认参加限时竞价")
	}
	v, _ = w.Auction.ViewSale(ctx, w.Actor("operator"), id)
	w.Clock.Set(v.JoinBy)
	if err := w.Auction.StartTimed(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(30 * time.Second)
	p = bidders[1].get(console)
	must(t, "the bid form", p, http.StatusOK, `action="`+console+`/bid"`, `value="10300000.00"`, "距竞价结束", "04:30", "第 2 名", "服务器时间")
	p = bidders[0].postAs(console+"/bid", console, url.Values{"amount": {"10300000"}})
	must(t, "the leader outbidding itself", p, http.StatusConflict, "您当前已是最高报价者")
	bidders[1].flash(t, "a bid", bidders[1].postAs(console+"/bid", console, url.Values{"amount": {"10300000"}}), "出价已接受", "倒计时重新开始", "05:00", "第 1 名（领先）")
	p = bidders[0].postAs(console+"/bid", console, url.Values{"amount": {"10300000"}})
	must(t, "a stale bid", p, http.StatusUnprocessableEntity, "下一个有效报价为¥10,400,000.00", `value="10400000.00"`, "第 2 名")
	w.Clock.Advance(10 * time.Second)
	bidders[0].flash(t, "the winning bid", bidders[0].postAs(console+"/bid", console, url.Values{"amount": {"10400000"}}), "出价已接受")
	// Nobody sees another bidder's name (the header names one's own entity).
	for who, b := range []*browser{bidders[0], bidders[1], anon} {
		for _, path := range []string{public, console} {
			body := b.get(path).body
			for i := 0; i < 3; i++ {
				if i != who {
					mustNot(t, "a page during the bidding", body, w.Bidders[i].Name, w.Bidders[i].USCC)
				}
			}
			mustNot(t, "a page during the bidding", body, "10,250,000")
		}
	}

	// The end: the deal, the winner and the reserve revealed.
	v, _ = w.Auction.ViewSale(ctx, w.Actor("operator"), id)
	ends := v.State.EndsAt
	w.Clock.Set(ends)
	if err := w.Auction.CloseTimedJob(ctx, auction.TimedCloseSubject(id, ends)); err != nil {
		t.Fatal(err)
	}
	p = anon.get(public)
	must(t, "the result", p, http.StatusOK, "已成交", "成交确认书", w.Bidders[0].Name, w.Bidders[0].USCC, numbers[0], "¥10,400,000.00", "壹仟零肆拾万元整",
		"底价", "¥10,250,000.00", "ggzy verify", "/api/v1/ledger/entries?start=")
	mustNot(t, "the result", p.body, w.Bidders[1].Name, w.Bidders[2].Name)
	must(t, "the winner's room", bidders[0].get(console), http.StatusOK, "贵单位竞得本宗交易")
	must(t, "the listing after the deal", anon.get("/sales"), http.StatusOK, "已成交", "¥10,400,000.00")
}

// saleEventData is the data of a sale's live event (saleslive.go).
type saleEventData struct {
	Seq       int64  `json:"seq"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	Price     int64  `json:"price"`
	BidderNo  string `json:"bidder_no"`
	Bids      int    `json:"bids"`
	Next      int64  `json:"next"`
	EndsMS    int64  `json:"ends_ms"`
	PriceText string `json:"price_text"`
}

// timedSale prepares the demo plot in timed bidding between bidders 1 and
// 2 (bidder 2 leading at the start price plus one increment; the reserve at
// that price), with the clock at the start; it returns the sale and the
// bidders' numbers.
func timedSale(t *testing.T, w *fixture.World) (auction.Sale, []string) {
	t.Helper()
	ctx := context.Background()
	startAt, endAt := listingDates(w)
	in := auction.SaleInput{Kind: auction.Land, Mode: auction.ModeListing, Title: "五象新区GC2026-018号地块国有建设用地使用权",
		Data:        auction.Data{Location: "南宁市良庆区五象大道以南", AreaM2: 35678.9, Use: rules.LandResidential, TermYears: 70, Decision: "价高者得"},
		Eligibility: "中华人民共和国境内外的法人和其他组织", Deposit: 2_000_000_00, StartPrice: plotStart, Increment: plotInc, StartAt: startAt, EndAt: endAt}
	sale, err := w.Auction.CreateSale(ctx, w.Actor("principal"), in)
	if err == nil {
		sale, err = w.Auction.Announce(ctx, w.Actor("principal"), sale.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	// The seller's reserve: committed, secret, revealed at the end (a
	// change that shows in no event: a gap in the event IDs).
	if err := w.Auction.SetReserve(ctx, w.Actor("principal"), sale.ID, plotStart+plotInc); err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for i := 0; i < 2; i++ {
		a := w.Actor(fmt.Sprintf("bidder%d", i+1))
		r, err := w.Auction.Register(ctx, a, sale.ID)
		if err == nil {
			_, err = w.Auction.Qualify(ctx, w.Actor("operator"), r.ID, true, "")
		}
		if err == nil {
			r, err = w.Auction.ConfirmDeposit(ctx, w.Actor("operator"), r.ID, "BANK")
		}
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, r.BidderNo)
	}
	w.Clock.Set(startAt)
	for i, amt := range []money.Fen{plotStart, plotStart + plotInc} {
		if _, err := w.Auction.Quote(ctx, w.Actor(fmt.Sprintf("bidder%d", i+1)), sale.ID, amt); err != nil {
			t.Fatal(err)
		}
	}
	w.Clock.Set(endAt)
	if err := w.Auction.CloseListing(ctx, sale.ID); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := w.Auction.Join(ctx, w.Actor(fmt.Sprintf("bidder%d", i+1)), sale.ID); err != nil {
			t.Fatal(err)
		}
	}
	v, err := w.Auction.ViewSale(ctx, w.Actor("operator"), sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.Clock.Set(v.JoinBy)
	if err := w.Auction.StartTimed(ctx, sale.ID); err != nil {
		t.Fatal(err)
	}
	return sale, numbers
}

// TestSaleEventsResumeFromLastEventID: the sale's stream carries its events
// with the sale's commit sequence as the ID, in order and without names; a
// client that reconnects with Last-Event-ID gets exactly what it missed
// (nothing twice), on this process or a fresh one.
func TestSaleEventsResumeFromLastEventID(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	sale, numbers := timedSale(t, w)
	events := "/sales/" + sale.ID + "/events"
	all, err := w.Auction.Events(ctx, sale.ID, 0, 0)
	if err != nil || len(all) < 5 {
		t.Fatalf("events: %v %d", err, len(all))
	}
	// A watcher that saw the announcement resumes after it: every later event, in order.
	anon := e.browser()
	ch, stop := anon.stream(events, strconv.FormatInt(all[0].Seq, 10))
	for _, want := range all[1:] {
		ev, ok := nextEvent(t, ch, 5*time.Second)
		if !ok {
			t.Fatalf("no event %d", want.Seq)
		}
		if ev.id != strconv.FormatInt(want.Seq, 10) || ev.typ != "sale" {
			t.Fatalf("event %q (%s), want id %d", ev.id, ev.typ, want.Seq)
		}
		var d saleEventData
		if err := json.Unmarshal([]byte(ev.data), &d); err != nil || d.Seq != want.Seq || d.Type != want.Type {
			t.Fatalf("event %s data %s: %v", ev.id, ev.data, err)
		}
	}
	// Live: bids arrive as they are committed.
	w.Clock.Advance(20 * time.Second)
	rc, err := w.Auction.Bid(ctx, w.Actor("bidder1"), sale.ID, plotStart+2*plotInc)
	if err != nil {
		t.Fatal(err)
	}
	ev, ok := nextEvent(t, ch, 5*time.Second)
	if !ok || ev.id != strconv.FormatInt(rc.Seq, 10) {
		t.Fatalf("the bid's event: %+v %v", ev, ok)
	}
	var d saleEventData
	_ = json.Unmarshal([]byte(ev.data), &d)
	if d.Type != "bid" || d.BidderNo != numbers[0] || d.Price != int64(plotStart+2*plotInc) || d.Next != int64(plotStart+3*plotInc) ||
		d.EndsMS != rc.EndsAt.UnixMilli() || d.Bids != 1 || d.PriceText != "¥10,200,000.00" {
		t.Errorf("the bid's data: %+v", d)
	}
	for i := 0; i < 6; i++ {
		mustNot(t, "an event", ev.data, w.Bidders[i].Name, w.Bidders[i].USCC, w.Bidders[i].ID)
	}
	stop()
	seen := rc.Seq

	// While it is away, two more bids; it comes back with Last-Event-ID.
	var missed []int64
	for i, b := range []string{"bidder2", "bidder1"} {
		w.Clock.Advance(10 * time.Second)
		r, err := w.Auction.Bid(ctx, w.Actor(b), sale.ID, plotStart+money.Fen(3+i)*plotInc)
		if err != nil {
			t.Fatal(err)
		}
		missed = append(missed, r.Seq)
	}
	for _, who := range []*browser{anon, e.browser()} {
		ch, stop = who.stream(events, strconv.FormatInt(seen, 10))
		for _, want := range missed {
			ev, ok := nextEvent(t, ch, 5*time.Second)
			if !ok || ev.id != strconv.FormatInt(want, 10) {
				t.Fatalf("resumed: got %+v, want id %d", ev, want)
			}
		}
		if ev, ok := nextEvent(t, ch, 300*time.Millisecond); ok {
			t.Errorf("resumed stream repeats or invents an event: %+v", ev)
		}
		stop()
	}

	// A fresh process (no topic in its hub) resumes the same way.
	e2 := newEnvOn(t, w)
	ch, stop = e2.browser().stream(events, strconv.FormatInt(seen, 10))
	for _, want := range missed {
		ev, ok := nextEvent(t, ch, 5*time.Second)
		if !ok || ev.id != strconv.FormatInt(want, 10) {
			t.Fatalf("another process: got %+v, want id %d", ev, want)
		}
	}
	stop()

	// A draft has no stream; neither has an unknown sale.
	draft, err := w.Auction.CreateSale(ctx, w.Actor("principal"), auction.SaleInput{Kind: auction.Land, Mode: auction.ModeAuction, Title: "草稿地块国有建设用地使用权",
		Data: auction.Data{Location: "南宁市", AreaM2: 100, Use: rules.LandIndustrial, TermYears: 50}, Eligibility: "法人", Deposit: 1, StartPrice: 100, Increment: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/sales/" + draft.ID + "/events", "/sales/nope/events"} {
		if p := anon.get(path); p.status != http.StatusNotFound {
			t.Errorf("%s: %d", path, p.status)
		}
	}
}

// newEnvOn is a second server process on the same world's database.
func newEnvOn(t *testing.T, w *fixture.World) *env {
	t.Helper()
	h, err := web.New(w.HTTPDeps())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &env{t: t, w: w, ts: ts}
}
