package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/fixture"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// TestLandTenderInTheLandSales: a plot sold by tender (招标出让) is listed
// under 土地矿业权, labelled as a tender and linked to its project page,
// which shows the plot data; the property list does not carry it.
func TestLandTenderInTheLandSales(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := t.Context()
	seller := w.Actor("principal")
	p, l := w.LandLot(t, false)
	now := w.Clock.Now()
	dl := w.Tender.EarliestLandDeadline(now, 9, 30)
	if _, err := w.Tender.PublishTender(ctx, seller, l.ID, tender.PublishInput{DocsFrom: now, DocsUntil: dl, BidDeadline: dl}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	href := "/projects/" + string(p.ID) + "#lot-" + string(l.ID)
	must(t, "land list", b.get("/sales?cat=land"), 200, "招标出让", "五象新区总部基地 GC2026-18号地块", `href="`+href+`"`, "南宁市良庆区秋月路以南、玉象路以东", "¥300,000,000.00", "最高报价法", "共 <span class=\"num\">1</span> 宗")
	must(t, "all sales", b.get("/sales"), 200, `href="`+href+`"`)
	if pg := b.get("/sales?cat=property"); strings.Contains(pg.body, "GC2026-18号地块") {
		t.Error("a land tender in the property list")
	}
	must(t, "project page", b.get("/projects/"+string(p.ID)), 200, "国有建设用地使用权 · 招标出让", "出让人", "宗地坐落", "南宁市良庆区秋月路以南、玉象路以东",
		"35120.56 平方米", "居住用地", "70 年", "1.0＜容积率≤3.0", "起始价", "¥300,000,000.00", "国有建设用地使用权招标出让公告", `href="/sales?cat=land"`)
	if pg := b.get("/projects/" + string(p.ID)); strings.Contains(pg.body, "底价") || strings.Contains(pg.body, "估算价") {
		t.Error("the project page of a land tender in bidding mentions a reserve or an estimate")
	}
}

// TestLandTenderThroughTheConsoleForms: the seller registers a land project
// and a lot with its plot through the console forms (the plot fields only on
// a land project, the domain's errors next to them), enters the reserve on
// the lot page (never shown back), and is refused after the deadline; the
// bid form says 开发建设周期 on the land lot, 工期 on a works lot.
func TestLandTenderThroughTheConsoleForms(t *testing.T) {
	e := newEnv(t)
	w := e.w
	b := e.browser()
	b.login("principal")
	tok := b.csrf("/console")
	must(t, "console", b.get("/console"), 200, "交易类别", `name="category" value="land"`)
	p := b.post("/console/projects", url.Values{"csrf": {tok}, "name": {"五象新区总部基地"}, "category": {"land"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("land project: %d %s", p.status, excerpt(p.body))
	}
	projPath := p.loc
	must(t, "land project page", b.get(projPath), 200, "国有建设用地使用权招标出让", `id="lot-location"`, `id="lot-start_price"`, `id="lot-use"`,
		`value="highest_price"`, "最高报价法", `value="E0101"`)
	if pg := b.get(projPath); strings.Contains(pg.body, `id="lot-estimate"`) || strings.Contains(pg.body, `id="lot-ceiling"`) || strings.Contains(pg.body, `value="lowest_price"`) {
		t.Error("the land lot form asks for an estimate, a ceiling or the lowest-price method")
	}
	// A works project's form is unchanged: no plot fields.
	p = b.post("/console/projects", url.Values{"csrf": {tok}, "name": {"邕江大桥维修工程"}, "supervisor_dept": {"交通"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("works project: %d %s", p.status, excerpt(p.body))
	}
	worksPath := p.loc
	if pg := b.get(worksPath); strings.Contains(pg.body, `id="lot-location"`) || !strings.Contains(pg.body, `id="lot-estimate"`) || !strings.Contains(pg.body, `value="lowest_price"`) {
		t.Error("the works lot form changed")
	}

	lotForm := func(over map[string]string) url.Values {
		v := url.Values{"csrf": {tok}, "name": {"GC2026-18号地块"}, "procedure": {"open"}, "method": {"highest_price"}, "security": {"60000000"},
			"category_code": {"E0101"}, "committee_size": {"5"}, "principal_reps": {"1"}, "location": {"南宁市良庆区秋月路以南、玉象路以东"},
			"area_m2": {"35120.56"}, "use": {"residential"}, "term_years": {"70"}, "plot_ratio": {"1.0＜容积率≤3.0"}, "start_price": {"300000000"}}
		for k, x := range over {
			v.Set(k, x)
		}
		return v
	}
	// The domain's field errors, next to their fields.
	p = b.post(projPath+"/lots", lotForm(map[string]string{"term_years": "71", "location": "南宁", "start_price": "", "method": "lowest_price", "category_code": "A0801"}))
	must(t, "invalid land lot", p, http.StatusUnprocessableEntity, `href="#lot-term_years"`, "居住用地的出让最高年限为70年", `href="#lot-location"`, "宗地坐落",
		`href="#lot-start_price"`, `href="#lot-method"`, "最高报价法或综合评估法", `href="#lot-category_code"`, "城镇国有土地使用权出让和转让暂行条例》第十二条")
	if i := strings.Index(p.body, `id="lot-term_years"`); i < 0 || !strings.Contains(p.body[i:], "居住用地的出让最高年限为70年") {
		t.Error("the term error is not next to its field")
	}
	if strings.Contains(p.body, `href="#lot-estimate"`) {
		t.Error("a land lot's error names the estimate, which the form does not ask")
	}
	p = b.post(projPath+"/lots", lotForm(nil))
	if p.status != http.StatusSeeOther {
		t.Fatalf("land lot: %d %s", p.status, excerpt(p.body))
	}
	lotPath := p.loc
	lotID := strings.TrimPrefix(lotPath, "/console/lots/")
	l, err := w.GetLot(lotID)
	if err != nil || l.Land == nil || l.Land.StartPrice != money.Fen(300_000_000_00) || l.Land.AreaM2 != 35120.56 || l.Method != tender.HighestPrice {
		t.Fatalf("land lot %+v %v", l, err)
	}

	// The reserve: below the start price refused next to the field; once
	// entered, the page says so without the amount.
	pg := b.get(lotPath)
	must(t, "lot page", pg, 200, "录入底价", `id="reserve-reserve"`)
	p = b.post(lotPath+"/reserve", url.Values{"csrf": {tok}, "reserve": {"290000000"}})
	must(t, "low reserve", p, http.StatusUnprocessableEntity, `href="#reserve-reserve"`, "底价低于起始价")
	if strings.Contains(p.body, `value="290000000"`) {
		t.Error("the refused reserve is shown back")
	}
	p = b.follow(b.post(lotPath+"/reserve", url.Values{"csrf": {tok}, "reserve": {"320000000"}}))
	must(t, "reserve entered", p, 200, "底价已录入并承诺入账")
	mustNot(t, "lot page after the reserve", p.body, "320000000", "320,000,000", "¥320")
	other := e.browser()
	other.login("bidder1")
	otok := other.csrf("/console")
	// The draft lot is not even visible to a bidder.
	must(t, "reserve by a bidder on a draft", other.post(lotPath+"/reserve", url.Values{"csrf": {otok}, "reserve": {"330000000"}}), http.StatusNotFound)

	// Publish with the land notice period (prefilled), then bid.
	p = b.follow(b.postMultipart(lotPath+"/documents", url.Values{"csrf": {tok}}, "file", "招标出让文件.pdf", "招标出让文件"))
	dl := w.Tender.EarliestLandDeadline(w.Clock.Now(), 9, 30)
	good := dl.In(clock.Shanghai).Format("2006-01-02T15:04")
	must(t, "publish form", p, 200, `value="`+good+`"`, "国土资源部令第39号")
	p = b.follow(b.post(lotPath+"/publish", url.Values{"csrf": {tok}, "docs_from": {w.Clock.Now().In(clock.Shanghai).Format("2006-01-02T15:04")}, "docs_until": {good}, "bid_deadline": {good}}))
	must(t, "published", p, 200, "国有建设用地使用权招标出让公告", "录入底价")
	a := w.Actor("bidder1")
	if err := w.Tender.ObtainDocuments(t.Context(), a, lotID); err != nil {
		t.Fatal(err)
	}
	if err := w.Tender.RecordDeposit(t.Context(), a, lotID, money.Fen(60_000_000_00), "GX-1"); err != nil {
		t.Fatal(err)
	}
	// Someone else cannot enter the reserve.
	must(t, "reserve by a bidder", other.post(lotPath+"/reserve", url.Values{"csrf": {otok}, "reserve": {"330000000"}}), http.StatusForbidden, "只有本项目的招标人或代理机构可以录入底价")
	bp := other.get(lotPath)
	must(t, "land bid form", bp, 200, "开发建设周期（日历天）", "起始价 <span class=\"num\">¥300,000,000.00</span>")
	mustNot(t, "land bid form", bp.body, "工期（日历天）", `id="reserve-reserve"`)

	// After the deadline: no form, and the use case refuses with its basis.
	w.Clock.Set(dl.Add(time.Minute))
	b = e.browser() // the session has expired meanwhile
	b.login("principal")
	tok = b.csrf("/console")
	if pg := b.get(lotPath); strings.Contains(pg.body, `id="reserve-reserve"`) {
		t.Error("reserve form after the deadline")
	}
	must(t, "reserve after the deadline", b.post(lotPath+"/reserve", url.Values{"csrf": {tok}, "reserve": {"330000000"}}), http.StatusConflict, "国土资源部令第39号）第十二条")

	// A works lot keeps 工期 and has no reserve form.
	wl := w.PublishedLot(t, fixture.LotOptions{})
	a4 := w.Actor("bidder2")
	if err := w.Tender.ObtainDocuments(t.Context(), a4, wl.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.Tender.RecordDeposit(t.Context(), a4, wl.ID, money.Fen(100_000_00), "GX-2"); err != nil {
		t.Fatal(err)
	}
	wb := e.browser()
	wb.login("bidder2")
	wp := wb.get("/console/lots/" + wl.ID)
	must(t, "works bid form", wp, 200, "工期（日历天）")
	mustNot(t, "works bid form", wp.body, "开发建设周期", "起始价")
	_ = worksPath
}

// TestLandTenderNoticesUnderTheLandCategory: /notices?cat=land lists the
// land tender's notices (category land) and not the works ones; the works
// category does not list the land notice.
func TestLandTenderNoticesUnderTheLandCategory(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := t.Context()
	w.PublishedLot(t, fixture.LotOptions{}) // a works notice: 南宁市五象新区道路改造工程第一标段
	seller := w.Actor("principal")
	_, l := w.LandLot(t, false)
	now := w.Clock.Now()
	dl := w.Tender.EarliestLandDeadline(now, 9, 30)
	if _, err := w.Tender.PublishTender(ctx, seller, l.ID, tender.PublishInput{DocsFrom: now, DocsUntil: dl, BidDeadline: dl}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	pg := b.get("/notices?cat=land")
	must(t, "land notices", pg, 200, "五象新区总部基地GC2026-18号地块国有建设用地使用权招标出让公告", "共 <span class=\"num\">1</span> 条", `aria-current="page">土地`)
	mustNot(t, "land notices", pg.body, "道路改造工程")
	works := b.get("/notices?cat=works")
	must(t, "works notices", works, 200, "道路改造工程")
	mustNot(t, "works notices", works.body, "国有建设用地使用权招标出让公告")
	// The home page's land tile counts the land tender (listed under /sales?cat=land).
	home := b.get("/").body
	i := strings.Index(home, `class="tile" href="/sales?cat=land"`)
	if i < 0 || !strings.Contains(home[i:min(len(home), i+400)], `<span class="num">1</span> 条信息 · 今日 <span class="num">1</span>`) {
		t.Errorf("land tile does not count the land tender: %.400s", home[max(i, 0):])
	}
	// The notice's own page leads back to the land category.
	id := noticeID(t, w, l.ID, tender.NoticeTender)
	must(t, "land notice", b.get("/notices/"+id), 200, `href="/notices?cat=land"`)
}

// TestLandTenderBidFormReceiptAndOpeningRecord: on a land lot the bid form
// asks for 报价（出让价款） and 开发建设周期 only, a bid without 质量标准 and
// 项目经理 is accepted and its receipt shows the land terms; the opening
// record (project page, opening notice) has the land columns and no works
// ones, even for a form that still carried them. A works lot still refuses
// a bid without them, and its record keeps the works columns.
func TestLandTenderBidFormReceiptAndOpeningRecord(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := t.Context()

	// Works: three bids, then bidder4's change without the works fields refused.
	wl := w.PublishedLot(t, fixture.LotOptions{})
	for i := 3; i < 6; i++ {
		w.Bid(t, wl.ID, i, money.Fen(9_000_000_00+int64(i)*10_000_00))
	}
	wb := e.browser()
	wb.login("bidder4")
	wtok := wb.csrf("/console")
	must(t, "works bid form", wb.get("/console/lots/"+wl.ID), 200, "投标报价（元）", `id="bid-quality"`, `id="bid-project_manager"`)
	must(t, "works bid without the works fields", wb.postMultipart("/console/lots/"+wl.ID+"/bid", url.Values{"csrf": {wtok}, "price": {"9100000"}, "duration_days": {"300"}}, "", "", ""),
		http.StatusUnprocessableEntity, "请填写质量标准", "请填写项目经理姓名")

	seller := w.Actor("principal")
	p, l := w.LandLot(t, false)
	now := w.Clock.Now()
	dl := w.Tender.EarliestLandDeadline(now, 9, 30)
	if _, err := w.Tender.PublishTender(ctx, seller, l.ID, tender.PublishInput{DocsFrom: now, DocsUntil: dl, BidDeadline: dl}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		a := w.Actor(fmt.Sprintf("bidder%d", i+1))
		if err := w.Tender.ObtainDocuments(ctx, a, l.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.Tender.RecordDeposit(ctx, a, l.ID, l.Security, fmt.Sprintf("GX-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	lotPath := "/console/lots/" + l.ID
	b := e.browser()
	b.login("bidder1")
	tok := b.csrf("/console")
	pg := b.get(lotPath)
	must(t, "land bid form", pg, 200, "报价（出让价款，元）", "开发建设周期（日历天）")
	mustNot(t, "land bid form", pg.body, `id="bid-quality"`, `id="bid-project_manager"`, "质量标准", "项目经理", "投标报价（元）")
	rc := b.follow(b.postMultipart(lotPath+"/bid", url.Values{"csrf": {tok}, "price": {"310000000"}, "duration_days": {"1080"}}, "", "", ""))
	must(t, "land receipt", rc, 200, "投标文件第1版已完整接收", "报价（出让价款）", "¥310,000,000.00", "开发建设周期", "1080 日历天")
	mustNot(t, "land receipt", rc.body, "质量标准", "项目经理", "工期")
	for i, c := range []tender.BidContent{{Price: 320_000_000_00, DurationDays: 1110}, {Price: 330_000_000_00, DurationDays: 1140, Quality: "合格", ProjectManager: "张三"}} {
		if _, err := w.Tender.SubmitBid(ctx, w.Actor(fmt.Sprintf("bidder%d", i+2)), l.ID, tender.BidInput{Content: tender.EncodePlain(c)}); err != nil {
			t.Fatal(err)
		}
	}

	// Open both, in deadline order.
	openLand := func() {
		w.Clock.Set(dl)
		if _, err := w.Tender.OpenBids(ctx, l.ID); err != nil {
			t.Fatal(err)
		}
	}
	if dl.Before(wl.BidDeadline) {
		openLand()
		w.PassDeadline(t, wl.ID)
	} else {
		w.PassDeadline(t, wl.ID)
		openLand()
	}
	pub := e.browser()
	pp := pub.get("/projects/" + string(p.ID))
	must(t, "land opening record", pp, 200, "报价（出让价款）", "开发建设周期", "1080 日历天", "1140 日历天", "¥330,000,000.00")
	mustNot(t, "land opening record", pp.body, "质量标准", "项目经理", "张三", ">工期<")
	np := pub.get("/notices/" + noticeID(t, w, l.ID, tender.NoticeOpening))
	must(t, "land opening notice", np, 200, "报价（出让价款）", "开发建设周期", "<dt>出让人</dt>", "<dt>起始价</dt>")
	mustNot(t, "land opening notice", np.body, "质量标准", "项目经理", "<dt>招标人</dt>", "<dt>估算价</dt>")
	wp := pub.get("/projects/" + string(wl.ProjectID))
	must(t, "works opening record", wp, 200, "投标报价", ">工期<", "质量标准", "项目经理", "项目经理4")
	mustNot(t, "works opening record", wp.body, "开发建设周期", "出让价款")
	must(t, "works opening notice", pub.get("/notices/"+noticeID(t, w, wl.ID, tender.NoticeOpening)), 200, "质量标准", "项目经理4", "<dt>招标人</dt>", "<dt>估算价</dt>")
}
