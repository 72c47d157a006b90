package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/ledger"
	"ggzy/internal/pdf"
)

// pdfText is the text of a PDF by pdftotext -layout, whitespace removed;
// skipped without poppler-utils, failed in CI.
func pdfText(t *testing.T, b []byte) string {
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

// checkConfirmationPDF downloads the confirmation of a concluded sale as
// token (anyone: "" is the public) and checks the download — type, name,
// the platform's signature against the published key — and that its text
// holds want, the reserve's reveal entries that the public deal entry
// lists and the deal entry itself. Without the font it checks the clear
// error instead.
func checkConfirmationPDF(t *testing.T, e *env, id, token string, want ...string) {
	t.Helper()
	path := "/api/v1/sales/" + id + "/confirmation.pdf"
	if e.d.Font == nil {
		eb := e.do("GET", path, token, nil).wantError(t, http.StatusInternalServerError, "internal")
		if !strings.Contains(eb.Message, "fonts-wqy-zenhei") {
			t.Errorf("no-font message %q", eb.Message)
		}
		t.Log("WQY Zen Hei not installed: the confirmation PDF itself is not checked")
		return
	}
	r := e.do("GET", path, token, nil)
	if r.Code != 200 || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		t.Fatalf("confirmation.pdf: %d %s %.200s", r.Code, r.Header.Get("Content-Type"), r.Body)
	}
	var v SaleView
	e.do("GET", "/api/v1/sales/"+id, token, nil).want(t, 200, &v)
	c := v.Confirmation
	if c == nil {
		t.Fatal("a confirmation PDF for a sale whose view has no confirmation")
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") ||
		!strings.Contains(cd, "filename*=UTF-8''%E6%88%90%E4%BA%A4%E7%A1%AE%E8%AE%A4%E4%B9%A6-"+c.SaleCode+".pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	var key LedgerKey
	e.do("GET", "/api/v1/ledger/key", "", nil).want(t, 200, &key)
	pub, err := gm.ParsePublicKeyPEM([]byte(key.PublicKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	if r.Header.Get("X-Content-SM3") != gm.SM3Hex(r.Body) {
		t.Error("X-Content-SM3 is not the SM3 of the body")
	}
	if !pdf.Verify(r.Body, r.Header.Get("X-Signature-SM2"), pub) {
		t.Error("X-Signature-SM2 does not verify with the published platform key")
	}

	// The reveals of the reserve, as the public deal entry lists them.
	if _, err := e.w.Ledger.Sign(context.Background()); err != nil {
		t.Fatal(err)
	}
	entries := ledgerEntries(t, e)
	if c.LedgerIndex >= int64(len(entries)) || entries[c.LedgerIndex].Type != "auction.concluded" || entries[c.LedgerIndex].Subject != c.SaleCode {
		t.Fatalf("the confirmation's ledger index %d is not the deal entry", c.LedgerIndex)
	}
	var deal struct {
		Reveals []int64 `json:"reserve_reveals"`
	}
	if err := json.Unmarshal(entries[c.LedgerIndex].Public, &deal); err != nil {
		t.Fatal(err)
	}
	if v.HasReserve != (len(deal.Reveals) > 0) {
		t.Fatalf("reserve %v, reveals %v", v.HasReserve, deal.Reveals)
	}
	for _, i := range deal.Reveals {
		if entries[i].Type != ledger.Revealed {
			t.Fatalf("reveal %d is a %s entry", i, entries[i].Type)
		}
		want = append(want, "第"+strconv.FormatInt(i, 10)+"号")
	}
	at := c.At.In(clock.Shanghai).Format("2006年1月2日 15:04") + "（北京时间）"
	want = append(want, "成交确认书", c.SaleCode, c.Title, c.WinnerName, c.WinnerUSCC, "竞买号牌"+c.WinnerNo, c.PriceText,
		"成交留痕记录第"+strconv.FormatInt(c.LedgerIndex, 10)+"号公开留痕记录", "成交时间"+at, c.Basis, "ggzyverify")
	text := pdfText(t, r.Body)
	for _, w := range want {
		if !strings.Contains(text, strings.Join(strings.Fields(w), "")) {
			t.Errorf("the confirmation PDF lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("text: %s", text)
	}
}

// TestConfirmationPDFOnlyAfterADeal: before the result, and for a sale
// that ended without a deal, there is no confirmation: 404 with a Chinese
// message saying which; a draft stays hidden like its page.
func TestConfirmationPDFOnlyAfterADeal(t *testing.T) {
	e := newEnv(t)
	w, ctx := e.w, context.Background()
	seller := w.Actor("principal")
	start, end := landListingDates(w.Calendar, w.Clock.Now())
	sale, err := w.Auction.CreateSale(ctx, seller, landSaleInput(auction.ModeListing, start, end))
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/sales/" + sale.ID + "/confirmation.pdf"
	e.do("GET", path, "", nil).wantError(t, 404, "not_found")
	if _, err := w.Auction.Announce(ctx, seller, sale.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"", e.login("principal"), e.login("operator")} {
		eb := e.do("GET", path, tok, nil).wantError(t, 404, "not_found")
		if !strings.Contains(eb.Message, "尚未成交") {
			t.Errorf("before the result: %q", eb.Message)
		}
	}
	// Nobody quotes: the listing closes without a deal.
	w.Clock.Set(end.Add(time.Second))
	if err := w.Auction.CloseListing(ctx, sale.ID); err != nil {
		t.Fatal(err)
	}
	var v SaleView
	e.do("GET", "/api/v1/sales/"+sale.ID, "", nil).want(t, 200, &v)
	if v.Sale.Status != "closed" || v.State.Result != "no_deal" {
		t.Fatalf("closed: %+v", v.State)
	}
	eb := e.do("GET", path, "", nil).wantError(t, 404, "not_found")
	if !strings.Contains(eb.Message, "不成交") {
		t.Errorf("no deal: %q", eb.Message)
	}
}
