package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/pdf"
)

// confirmationText is the text of a PDF (pdftotext -layout), whitespace
// removed; skipped without poppler-utils, failed in CI.
func confirmationText(t *testing.T, b []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not found: CI installs poppler-utils")
		}
		t.Skip("pdftotext not found (apt-get install poppler-utils)")
	}
	src := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(src, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", src, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

// downloadConfirmation fetches a sale's confirmation PDF as b and checks
// the download and the platform's signature; it returns the PDF's text
// ("" without the font, after checking the clear error).
func downloadConfirmation(t *testing.T, e *env, b *browser, id string) string {
	t.Helper()
	p := b.get("/sales/" + id + "/confirmation.pdf")
	if e.w.HTTPDeps().Font == nil {
		if p.status != http.StatusInternalServerError || !strings.Contains(p.body, "fonts-wqy-zenhei") {
			t.Fatalf("without the font: %d %s", p.status, excerpt(p.body))
		}
		t.Log("WQY Zen Hei not installed: the PDF itself is not checked")
		return ""
	}
	if p.status != 200 || p.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(p.body, "%PDF-") {
		t.Fatalf("confirmation.pdf: %d %s %s", p.status, p.header.Get("Content-Type"), excerpt(p.body))
	}
	if !strings.Contains(p.header.Get("Content-Disposition"), "filename*=UTF-8''%E6%88%90%E4%BA%A4%E7%A1%AE%E8%AE%A4%E4%B9%A6-") {
		t.Errorf("Content-Disposition %q", p.header.Get("Content-Disposition"))
	}
	if p.header.Get("X-Content-SM3") != gm.SM3Hex([]byte(p.body)) || !pdf.Verify([]byte(p.body), p.header.Get("X-Signature-SM2"), e.w.PlatformKey.Public()) {
		t.Error("the PDF's digest or platform signature does not verify")
	}
	return confirmationText(t, []byte(p.body))
}

// TestConfirmationPDFOnTheSalePages: before the deal neither page offers
// the confirmation and its address answers 404 in Chinese; after it the
// public page and the seller's console page link to it, and anyone
// downloads it signed, with the winner and the price in capitals.
func TestConfirmationPDFOnTheSalePages(t *testing.T) {
	e := newEnv(t)
	w, ctx := e.w, context.Background()
	sale, numbers := timedSale(t, w)
	link := "/sales/" + sale.ID + "/confirmation.pdf"
	anon, seller := e.browser(), e.browser()
	seller.login("principal")
	for _, p := range []page{anon.get("/sales/" + sale.ID), seller.get("/console/sales/" + sale.ID)} {
		must(t, "a page during the bidding", p, http.StatusOK)
		mustNot(t, "a page during the bidding", p.body, link, "下载成交确认书")
	}
	must(t, "the confirmation before the deal", anon.get(link), http.StatusNotFound, "尚未成交", "错误代码 404-")

	w.Clock.Advance(20 * time.Second)
	price := plotStart + 2*plotInc
	if _, err := w.Auction.Bid(ctx, w.Actor("bidder1"), sale.ID, price); err != nil {
		t.Fatal(err)
	}
	v, err := w.Auction.ViewSale(ctx, w.Actor("operator"), sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.Clock.Set(v.State.EndsAt)
	if err := w.Auction.CloseTimedJob(ctx, auction.TimedCloseSubject(sale.ID, v.State.EndsAt)); err != nil {
		t.Fatal(err)
	}
	seller.login("principal") // the session of the morning has ended
	for what, p := range map[string]page{"the public page": anon.get("/sales/" + sale.ID), "the seller's console": seller.get("/console/sales/" + sale.ID)} {
		must(t, what, p, http.StatusOK, `href="`+link+`"`, "下载成交确认书（PDF）")
	}
	text := downloadConfirmation(t, e, anon, sale.ID)
	if text == "" {
		return
	}
	c := w.Bidders[0]
	for _, s := range []string{"成交确认书", sale.Code, c.Name, c.USCC, "竞买号牌" + numbers[0], price.String(), price.Capital(),
		"挂牌截止后网上限时竞价的最高出价", (plotStart + plotInc).Capital(), "ggzyverify", "出让人（盖章）", "竞得人（盖章）"} {
		if !strings.Contains(text, strings.Join(strings.Fields(s), "")) {
			t.Errorf("the confirmation lacks %q", s)
		}
	}
}

// TestAnnouncementChangeThroughTheConsole: the seller's console offers the
// change form pre-filled while the sale is announced. A change without a
// reason, or a change of substance that keeps a start now too close, is
// refused with the rule beside the field; a change of substance with a
// lawful new start restarts the notice period and says so; a correction
// of the title's wording does not restart it and says that. A bidder may
// not change the announcement.
func TestAnnouncementChangeThroughTheConsole(t *testing.T) {
	e := newEnv(t)
	w, ctx := e.w, context.Background()
	startAt, endAt := listingDates(w)
	seller := e.browser()
	seller.login("principal")
	p := seller.postAs("/console/sales", "/console/sales", plotForm(w, startAt, endAt))
	if p.status != http.StatusSeeOther || !saleIDRE.MatchString(p.loc) {
		t.Fatalf("create: %d %s", p.status, excerpt(p.body))
	}
	id := saleIDRE.FindStringSubmatch(p.loc)[1]
	console := "/console/sales/" + id
	seller.flash(t, "announced", seller.postAs(console+"/announce", console, nil), "交易公告已发布")
	first, err := w.Auction.ViewSale(ctx, w.Actor("principal"), id)
	if err != nil {
		t.Fatal(err)
	}

	// Two days on, the form shows the announcement as it stands.
	w.Clock.Advance(48 * time.Hour)
	seller.login("principal")
	p = seller.get(console)
	must(t, "the change form", p, http.StatusOK, `action="`+console+`/change"`, `value="五象新区GC2026-018号地块国有建设用地使用权"`,
		`value="35678.90"`, `value="10000000.00"`, `value="`+dtl(startAt)+`"`, "变更理由", "公告期")
	form := plotForm(w, startAt, endAt)
	delete(form, "seller")

	// Refused: no reason; a new start price with the old start (now only
	// 18 days after the change that restarts the period).
	form.Set("start_price", "10500000")
	p = seller.postAs(console+"/change", console, form)
	must(t, "a change without a reason", p, http.StatusUnprocessableEntity, "请写明变更公告的理由", `href="#change-reason"`, "变更理由")
	form.Set("reason", "经出让人研究调整起始价")
	p = seller.postAs(console+"/change", console, form)
	must(t, "a change of substance with the old start", p, http.StatusUnprocessableEntity, "公告发布之日至开始之日不得少于20日",
		`href="#change-start_at"`, rules.BasisLO39, `value="10500000"`, "经出让人研究调整起始价")
	if v, _ := w.Auction.ViewSale(ctx, w.Actor("principal"), id); v.Sale.StartPrice != plotStart {
		t.Fatalf("a refused change changed the start price to %s", v.Sale.StartPrice)
	}

	// A change of substance with a lawful new start restarts the period.
	newStart, newEnd := listingDates(w)
	form.Set("start_at", dtl(newStart))
	form.Set("end_at", dtl(newEnd))
	now := w.Clock.Now()
	p = seller.flash(t, "a change of substance", seller.postAs(console+"/change", console, form), "公告已变更", "实质性变更",
		"公告期自 "+clock.Format(now)+"（北京时间）起重新计算", clock.Format(newStart))
	v, err := w.Auction.ViewSale(ctx, w.Actor("principal"), id)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Sale.NoticeAt.Equal(now) || v.Sale.StartPrice != money.Fen(10_500_000_00) || !v.Sale.StartAt.Equal(newStart) {
		t.Fatalf("after the change: notice %s start %s price %s", v.Sale.NoticeAt, v.Sale.StartAt, v.Sale.StartPrice)
	}
	must(t, "the page after the change", p, http.StatusOK, `value="10500000.00"`)

	// A correction of the title's wording keeps the period.
	w.Clock.Advance(time.Hour)
	form.Set("title", "五象新区GC2026-018号宗地国有建设用地使用权")
	form.Set("reason", "更正标的名称中的文字错误")
	seller.flash(t, "a correction", seller.postAs(console+"/change", console, form), "仅更正标的名称文字", "不重新计算公告期")
	v, _ = w.Auction.ViewSale(ctx, w.Actor("principal"), id)
	if !v.Sale.NoticeAt.Equal(now) || v.Sale.Title != "五象新区GC2026-018号宗地国有建设用地使用权" {
		t.Fatalf("after the correction: notice %s title %s (first notice %s)", v.Sale.NoticeAt, v.Sale.Title, first.Sale.NoticeAt)
	}

	// A bidder sees no form and may not change.
	bidder := e.browser()
	bidder.login("bidder1")
	mustNot(t, "a bidder's room", bidder.get(console).body, `action="`+console+`/change"`)
	must(t, "a bidder's change", bidder.postAs(console+"/change", console, form), http.StatusForbidden, "只有出让人（转让方）或交易中心可以变更交易公告")
}

// agreementSale is a state-owned property sale by agreement transfer,
// announced now, its 20-working-day disclosure ending at the start it
// returns, with bidder1 qualified and its deposit confirmed.
func agreementSale(t *testing.T, e *env) (auction.Sale, string) {
	t.Helper()
	w, ctx := e.w, context.Background()
	d, _ := w.Calendar.PeriodEnd(w.Clock.Now(), 20, calendar.WorkingDays)
	in := auction.SaleInput{Kind: auction.Property, Mode: auction.ModeAgreement, Title: "南宁某国有企业所持某公司40%股权",
		Data:        auction.Data{Asset: "南宁某某有限公司40%股权", Valuation: 5_000_000_00, Conditions: "受让方须承接职工安置方案"},
		Eligibility: "依法设立并有效存续的企业法人", Deposit: 500_000_00, StartPrice: 5_000_000_00, StartAt: beijing(d, 9, 0)}
	sale, err := w.Auction.CreateSale(ctx, w.Actor("principal"), in)
	if err == nil {
		sale, err = w.Auction.Announce(ctx, w.Actor("principal"), sale.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.Auction.Register(ctx, w.Actor("bidder1"), sale.ID)
	if err == nil {
		_, err = w.Auction.Qualify(ctx, w.Actor("operator"), r.ID, true, "")
	}
	if err == nil {
		r, err = w.Auction.ConfirmDeposit(ctx, w.Actor("operator"), r.ID, "GXBANK-CQ-1")
	}
	if err != nil {
		t.Fatal(err)
	}
	return sale, r.BidderNo
}

// TestAgreementTransferThroughTheConsole: the trading centre's console
// shows the agreement transfer's rule; before the disclosure ends the form
// is not offered; after it, a price below the listed price and a decision
// without the approval document are refused beside their fields, and a
// lawful decision concludes the sale with the single qualified buyer,
// whose confirmation is then public.
func TestAgreementTransferThroughTheConsole(t *testing.T) {
	e := newEnv(t)
	w, ctx := e.w, context.Background()
	sale, number := agreementSale(t, e)
	console := "/console/sales/" + sale.ID
	op := e.browser()
	op.login("operator")
	p := op.get(console)
	must(t, "during the disclosure", p, http.StatusOK, "协议转让", rules.BasisSOAL54, "不得低于挂牌价", "期满后方可协议转让")
	mustNot(t, "during the disclosure", p.body, `action="`+console+`/agree"`)

	w.Clock.Set(sale.StartAt.Add(time.Hour))
	op.login("operator")
	p = op.get(console)
	must(t, "the agreement form", p, http.StatusOK, `action="`+console+`/agree"`, "竞买号牌 "+number, `value="5000000.00"`, "批准文件", rules.BasisSOAL54)
	v, err := w.Auction.ViewSale(ctx, w.Actor("operator"), sale.ID)
	if err != nil || len(v.Registrations) != 1 {
		t.Fatalf("registrations: %v %+v", err, v.Registrations)
	}
	reg := v.Registrations[0].ID
	form := url.Values{"registration": {reg}, "price": {"4990000"}, "rounds": {"2"}, "approval": {"南宁国资产权〔2026〕12号"}}
	p = op.postAs(console+"/agree", console, form)
	must(t, "a price below the listed price", p, http.StatusUnprocessableEntity, "低于挂牌价", `href="#agree-price"`, rules.BasisSOAL55, `value="4990000"`)
	form.Set("price", "5200000")
	form.Set("approval", " ")
	p = op.postAs(console+"/agree", console, form)
	must(t, "no approval document", p, http.StatusUnprocessableEntity, "协议转让须经批准，请填写批准文件", `href="#agree-approval"`)
	if v, _ := w.Auction.ViewSale(ctx, w.Actor("operator"), sale.ID); v.State.Status == auction.StatusClosed {
		t.Fatal("a refused agreement closed the sale")
	}
	seller := e.browser()
	seller.login("principal")
	must(t, "the seller's agreement", seller.postAs(console+"/agree", console, form), http.StatusForbidden, "协议转让由交易中心")

	form.Set("approval", "南宁国资产权〔2026〕12号")
	price := money.Fen(5_200_000_00)
	op.flash(t, "the agreement", op.postAs(console+"/agree", console, form), "协议转让已成交", price.String(), price.Capital(), number, "下载成交确认书（PDF）")
	anon := e.browser()
	must(t, "the public page after the agreement", anon.get("/sales/"+sale.ID), http.StatusOK, "已成交", w.Bidders[0].Name, "下载成交确认书（PDF）")
	if text := downloadConfirmation(t, e, anon, sale.ID); text != "" {
		for _, s := range []string{"受让方（盖章）", "转让方（盖章）", w.Bidders[0].Name, price.Capital(), "协议转让", "本宗交易未设底价。"} {
			if !strings.Contains(text, s) {
				t.Errorf("the confirmation lacks %q", s)
			}
		}
	}
}
