package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ggzy/internal/auction"
	"ggzy/internal/fixture"
	chrome "ggzy/internal/testkit/browser" // web_test has its own type browser (an HTTP visitor)
)

// TestBrowserTimedBiddingLive drives Chromium through a timed bidding:
// two bidders, each in a browser context of its own, are in their auction
// rooms and a visitor watches the public live view. One bids with the
// amount the room prefilled; the other's room and the public view show the
// new price, the number of bids and a countdown restarted to five minutes,
// live — without reloading — and the other's rank and prefilled amount
// follow. At the end the watching pages show the result, the winner and
// the reserve revealed by themselves. Every page reflows at 320 px.
func TestBrowserTimedBiddingLive(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := chrome.Start(t, e.ts.URL, 5*time.Minute)
	sale, numbers := timedSale(t, w)
	w.Clock.Advance(3 * time.Minute) // two minutes left
	room, public := "/console/sales/"+sale.ID, "/sales/"+sale.ID

	connected := func(b *chrome.Tab, who string) {
		t.Helper()
		b.Until(who+"'s live connection", `document.getElementById("sale-live").dataset.stream === "connected"`, 15*time.Second)
		_, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`window.sameDocument = true`))
		b.Must("mark the document", err)
	}
	same := func(b *chrome.Tab, who string) {
		t.Helper()
		ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`window.sameDocument === true`))
		b.Must("same document", err)
		if !ok {
			t.Errorf("%s's page reloaded instead of updating live", who)
		}
	}
	value := func(b *chrome.Tab, sel string) string {
		t.Helper()
		v, err := chromedp.Run(b.Ctx, chromedp.Value(chromedp.CSS(sel)))
		b.Must("value "+sel, err)
		return v
	}

	// Bidder 1 in its room.
	c.Login("bidder1", fixture.Password)
	c.Nav(room)
	connected(c, "bidder1")
	if s := c.Text("#sale-live"); !strings.Contains(s, "¥10,100,000.00") || !strings.Contains(s, "第 2 名") || !strings.Contains(s, "服务器时间") ||
		!strings.Contains(s, numbers[0]) {
		t.Errorf("bidder1's room: %.500s", s)
	}
	if cd := c.Text("#sale-countdown"); !strings.HasPrefix(cd, "01:5") && cd != "02:00" {
		t.Errorf("countdown with two minutes left: %q", cd)
	}
	if v := value(c, "#bid-amount"); v != "10200000.00" {
		t.Errorf("prefilled bid: %q", v)
	}
	c.Shot("sale-room-bidder1")

	// Bidder 2, leading, in a context of its own; a visitor on the public page.
	b2 := c.Incognito()
	b2.Login("bidder2", fixture.Password)
	b2.Nav(room)
	connected(b2, "bidder2")
	if s := b2.Text("#sale-rank"); s != "第 1 名（领先）" {
		t.Errorf("bidder2's rank: %q", s)
	}
	pub := c.Incognito()
	pub.Nav(public)
	connected(pub, "the visitor")
	if s := pub.Text("main"); !strings.Contains(s, "¥10,100,000.00") || !strings.Contains(s, numbers[1]) || strings.Contains(s, w.Bidders[0].Name) || strings.Contains(s, w.Bidders[1].Name) {
		t.Errorf("the public live view: %.600s", s)
	}
	pub.Shot("sale-public-before")

	// Bidder 1 bids the prefilled amount, by keyboard.
	w.Clock.Advance(10 * time.Second)
	c.Do("focus", chromedp.Focus(chromedp.CSS("#bid-amount")))
	c.Do("enter", chromedp.KeyEvent("\r"))
	c.Until("the acknowledgement", `document.querySelector(".flash") !== null && document.readyState === "complete"`, 20*time.Second)
	if s := c.Text(".flash"); !strings.Contains(s, "出价已接受") || !strings.Contains(s, "¥10,200,000.00") || !strings.Contains(s, "倒计时重新开始") {
		t.Errorf("bidder1's acknowledgement: %q", s)
	}
	c.Shot("sale-room-bidder1-after-bid")

	// Bidder 2's room follows live: price, bids, rank, a restarted countdown, the next amount.
	b2.Until("the new price", `document.getElementById("sale-price").textContent === "¥10,200,000.00"`, 10*time.Second)
	b2.Until("the restarted countdown", `/^0(4:5\d|5:00)$/.test(document.getElementById("sale-countdown").textContent)`, 5*time.Second)
	same(b2, "bidder2")
	if s := b2.Text("#sale-rank"); s != "第 2 名" {
		t.Errorf("bidder2's rank after being outbid: %q", s)
	}
	if s := b2.Text("#sale-bids"); s != "1" {
		t.Errorf("bids: %q", s)
	}
	if v := value(b2, "#bid-amount"); v != "10300000.00" {
		t.Errorf("bidder2's prefilled bid after the new price: %q", v)
	}
	if s := b2.Text("#bid-amount-cap"); !strings.Contains(s, "壹仟零叁拾万元整") {
		t.Errorf("the amount in words: %q", s)
	}
	if s := b2.Text("#sale-offers-body"); !strings.Contains(s, numbers[0]) || !strings.Contains(s, "¥10,200,000.00") {
		t.Errorf("the offers after the bid: %.300s", s)
	}
	b2.Shot("sale-room-bidder2-live")

	// So does the public view.
	pub.Until("the public price", `document.getElementById("sale-price").textContent === "¥10,200,000.00"`, 10*time.Second)
	pub.Until("the public countdown", `/^0(4:5\d|5:00)$/.test(document.getElementById("sale-countdown").textContent)`, 5*time.Second)
	same(pub, "the visitor")
	pub.Shot("sale-public-live")

	// Bidder 2 answers with the amount its room prefilled; bidder 1's room follows.
	connected(c, "bidder1")
	w.Clock.Advance(5 * time.Second)
	b2.Click("#bid-submit")
	if s := b2.Text(".flash"); !strings.Contains(s, "¥10,300,000.00") {
		t.Errorf("bidder2's acknowledgement: %q", s)
	}
	c.Until("bidder1's new price", `document.getElementById("sale-price").textContent === "¥10,300,000.00"`, 10*time.Second)
	c.Until("bidder1's rank", `document.getElementById("sale-rank").textContent === "第 2 名"`, 5*time.Second)
	same(c, "bidder1")

	// The centre's console of the sale: numbers only, the audited identities form.
	op := c.Incognito()
	op.Login("operator", fixture.Password)
	op.Nav(room)
	if s := op.Text("main"); !strings.Contains(s, "交易中心操作") || !strings.Contains(s, "查看竞买人身份") || strings.Contains(s, w.Bidders[0].Name) {
		t.Errorf("the centre's console: %.500s", s)
	}
	op.Shot("sale-console-operator")

	// The end: the pages that watch show the result and the confirmation by themselves.
	v, err := w.Auction.ViewSale(context.Background(), w.Actor("operator"), sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.Clock.Set(v.State.EndsAt)
	if err := w.Auction.CloseTimedJob(context.Background(), auction.TimedCloseSubject(sale.ID, v.State.EndsAt)); err != nil {
		t.Fatal(err)
	}
	pub.Until("the confirmation", `document.getElementById("sale-confirmation") !== null`, 20*time.Second)
	if s := pub.Text("main"); !strings.Contains(s, "已成交") || !strings.Contains(s, w.Bidders[1].Name) || !strings.Contains(s, "¥10,300,000.00") ||
		!strings.Contains(s, "¥10,100,000.00") || !strings.Contains(s, "壹仟零叁拾万元整") {
		t.Errorf("the public result: %.800s", s)
	}
	pub.Shot("sale-public-deal")
	b2.Until("the winner's room", `document.getElementById("sale-confirmation") !== null`, 20*time.Second)
	if s := b2.Text("#sale-result"); !strings.Contains(s, "贵单位竞得本宗交易") {
		t.Errorf("the winner's room: %.300s", s)
	}
	b2.Shot("sale-room-bidder2-won")

	// Reflow at 320 px (UI.md §2.7).
	for _, x := range []struct {
		b    *chrome.Tab
		path string
		shot string
	}{{c, room, "narrow-320-sale-room"}, {pub, public, "narrow-320-sale-public"}, {pub, "/sales", "narrow-320-sales"},
		{op, room, "narrow-320-sale-console-operator"}, {op, "/console/sales", "narrow-320-console-sales"}} {
		x.b.Do("narrow", chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile))
		x.b.Nav(x.path)
		x.b.NoSidewaysScroll(x.path + " at 320 px")
		x.b.Shot(x.shot)
	}
}

// TestBrowserSaleConsoles drives the consoles of a sale in Chromium: the
// trading centre fills in the creation form by keyboard (every field has a
// label) and announces the plot; the seller enters the reserve; a bidder
// finds the sale in its console and applies; the centre qualifies it and
// confirms its deposit, and the bidder's room shows its number. The
// console pages reflow at 320 px.
func TestBrowserSaleConsoles(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := chrome.Start(t, e.ts.URL, 5*time.Minute)

	c.Login("operator", fixture.Password)
	c.Nav("/console")
	c.Click(`a[href="/console/sales"]`)
	unlabelled, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`Array.prototype.filter.call(document.querySelectorAll("#new-sale input:not([type=hidden]), #new-sale select, #new-sale textarea"), function (e) { return !e.labels || !e.labels.length; }).map(function (e) { return e.name; }).join(", ")`))
	c.Must("labels", err)
	if unlabelled != "" {
		t.Errorf("creation form fields without a label: %s", unlabelled)
	}
	c.Shot("console-sales-operator")
	f := plotForm(w, time.Time{}, time.Time{})
	var fill []chromedp.Action[chromedp.Void]
	for _, k := range []string{"title", "seller", "location", "area_m2", "term_years", "plot_ratio", "conditions", "eligibility", "start_price", "increment", "deposit", "decision"} {
		fill = append(fill, chromedp.SendKeys(chromedp.ID("sale-"+k), f.Get(k)))
	}
	fill = append(fill, chromedp.SetValue(chromedp.ID("sale-use"), "residential"))
	c.Do("fill the form", fill...)
	c.Click("#sale-submit")
	if s := c.Text("main"); !strings.Contains(s, "已登记为草稿") || !strings.Contains(s, "发布公告") || !strings.Contains(s, "35678.90 平方米") {
		t.Fatalf("after creating: %.600s", s)
	}
	c.Click("#announce-submit")
	if s := c.Text(".flash"); !strings.Contains(s, "交易公告已发布") {
		t.Fatalf("after announcing: %q", s)
	}
	loc, err := chromedp.Run(c.Ctx, chromedp.Location())
	c.Must("location", err)
	room := strings.TrimPrefix(loc, e.ts.URL)
	c.Shot("sale-console-announced")

	// The seller enters the reserve.
	seller := c.Incognito()
	seller.Login("principal", fixture.Password)
	seller.Nav(room)
	seller.Do("reserve", chromedp.SendKeys(chromedp.ID("reserve-reserve"), "10250000"))
	if s := seller.Text("#reserve-cap"); !strings.Contains(s, "壹仟零贰拾伍万元整") {
		t.Errorf("the reserve in words: %q", s)
	}
	seller.Click("#reserve-submit")
	if s := seller.Text("main"); !strings.Contains(s, "底价已录入") || strings.Contains(s, "10,250,000") {
		t.Errorf("after the reserve: %.400s", s)
	}
	seller.Shot("sale-console-seller")

	// A bidder applies from its console.
	b := c.Incognito()
	b.Login("bidder1", fixture.Password)
	b.Nav("/console/sales")
	b.Click(`#open-h ~ ul a[href="` + room + `"]`)
	b.Click("#register-submit")
	if s := b.Text("main"); !strings.Contains(s, "竞买申请已提交") || !strings.Contains(s, "等待交易中心资格审查") {
		t.Errorf("after applying: %.400s", s)
	}
	b.Shot("sale-room-applied")

	// The centre qualifies it and confirms the deposit.
	c.Nav(room)
	c.Shot("sale-console-operator-review")
	c.Click(`#registrations button[id$="-approve"]`)
	c.Do("reference", chromedp.SendKeys(chromedp.CSS(`#registrations input[name="ref"]`), "GXBANK-20260302-001"))
	c.Click(`#registrations button[id$="-deposit"]`)
	if s := c.Text(".flash"); !strings.Contains(s, "竞买号牌") {
		t.Errorf("after the deposit: %q", s)
	}
	b.Nav(room)
	if s := b.Text("#my-sale"); !strings.Contains(s, "竞买号牌为") || !strings.Contains(s, "挂牌将于") {
		t.Errorf("the bidder's room with its number: %.400s", s)
	}
	b.Shot("sale-room-numbered")

	for _, x := range []struct {
		b          *chrome.Tab
		path, shot string
	}{{c, "/console/sales", "narrow-320-console-sales-form"}, {seller, room, "narrow-320-sale-console-seller"}, {b, room, "narrow-320-sale-room-numbered"}} {
		x.b.Do("narrow", chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile))
		x.b.Nav(x.path)
		x.b.NoSidewaysScroll(x.path + " at 320 px")
		x.b.Shot(x.shot)
	}
}
