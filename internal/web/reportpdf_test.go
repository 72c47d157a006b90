package web_test

import (
	"net/http"
	"strings"
	"testing"

	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/pdf"
)

// The lot page offers the signed report PDF to those who see the report,
// and to nobody else.
func TestReportPDFLink(t *testing.T) {
	e := newEnv(t)
	l := e.w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		e.w.Bid(t, l.ID, i, money.Fen(9_000_000_00+int64(i)*100_000_00))
	}
	e.w.PassDeadline(t, l.ID)
	e.w.Evaluate(t, l.ID)
	link := "/console/lots/" + l.ID + "/report.pdf"

	agency := e.browser()
	agency.login("agency")
	if p := agency.get("/console/lots/" + l.ID); p.status != 200 || !strings.Contains(p.body, link) || !strings.Contains(p.body, "下载评标报告（PDF）") {
		t.Fatalf("agency's lot page lacks the report link (%d)", p.status)
	}
	p := agency.get(link)
	if e.w.HTTPDeps().Font == nil {
		if p.status != http.StatusInternalServerError || !strings.Contains(p.body, "fonts-wqy-zenhei") {
			t.Fatalf("without the font: %d %s", p.status, excerpt(p.body))
		}
		t.Skip("WQY Zen Hei not installed: the PDF itself is not checked")
	}
	if p.status != 200 || p.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(p.body, "%PDF-") {
		t.Fatalf("report.pdf: %d %s", p.status, p.header.Get("Content-Type"))
	}
	if !strings.Contains(p.header.Get("Content-Disposition"), "filename*=UTF-8''%E8%AF%84%E6%A0%87%E6%8A%A5%E5%91%8A-") {
		t.Errorf("Content-Disposition %q", p.header.Get("Content-Disposition"))
	}
	if p.header.Get("X-Content-SM3") != gm.SM3Hex([]byte(p.body)) || !pdf.Verify([]byte(p.body), p.header.Get("X-Signature-SM2"), e.w.PlatformKey.Public()) {
		t.Error("the PDF's digest or platform signature does not verify")
	}

	bidder := e.browser()
	bidder.login("bidder1")
	if p := bidder.get("/console/lots/" + l.ID); p.status != 200 || strings.Contains(p.body, link) {
		t.Fatalf("bidder's lot page: %d, link shown: %v", p.status, strings.Contains(p.body, link))
	}
	if p := bidder.get(link); p.status != http.StatusNotFound {
		t.Fatalf("bidder gets the report PDF: %d", p.status)
	}
}
