package web_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ggzy/internal/fixture"
	"ggzy/internal/money"
	"ggzy/internal/tender"
	chrome "ggzy/internal/testkit/browser"
)

// TestBrowserSealedLandBid drives Chromium through a sealed land bid (土地使用
// 权招标出让): on a land lot with custody the sealing form asks for 报价（出让
// 价款） and 开发建设周期 only; a price below the start price is refused in the
// page, before sealing, citing the start price (the opening would reject it:
// sealed, the platform cannot check it on upload); the bidder then seals
// with its key file, gets the receipt, and after the deadline and the
// custodians' decryption the public opening record shows the bid in the land
// columns without the works ones.
func TestBrowserSealedLandBid(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := chrome.Start(t, e.ts.URL, 4*time.Minute)
	ctx := t.Context()

	seller := w.Actor("principal")
	p, l := w.LandLot(t, true)
	start := fixture.LandStartPrice
	now := w.Clock.Now()
	dl := w.Tender.EarliestLandDeadline(now, 9, 30)
	if _, err := w.Tender.PublishTender(ctx, seller, l.ID, tender.PublishInput{DocsFrom: now, DocsUntil: dl, BidDeadline: dl}); err != nil {
		t.Fatal(err)
	}
	l, err := w.GetLot(l.ID)
	if err != nil || l.Custody == nil {
		t.Fatalf("land lot without custody: %v", err)
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
	// Two other bidders seal as their own client would, with land forms.
	for i, bc := range []tender.BidContent{{Price: 320_000_000_00, DurationDays: 1110}, {Price: 315_000_000_00, DurationDays: 1140}} {
		sealed := w.SealBid(t, l, i+1, bc)
		if _, err := w.Tender.SubmitSealedBid(ctx, w.Actor(fmt.Sprintf("bidder%d", i+2)), l.ID, bytes.NewReader(sealed), 1<<30); err != nil {
			t.Fatal(err)
		}
	}

	const pass = "土地投标签名口令-2026"
	pem, err := w.BidKey(t, 0).MarshalEncryptedPEM([]byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "bidder1-bid.key.pem")
	c.Must("key file", os.WriteFile(keyFile, pem, 0o600))

	// The land form: price (出让价款) and development period, no works terms.
	lotPath := "/console/lots/" + l.ID
	c.Login("bidder1", fixture.Password)
	c.Nav(lotPath)
	c.Until("the sealing form", `!document.getElementById("seal-form").hidden`, 30*time.Second)
	form := c.Text("#seal-form")
	for _, want := range []string{"报价（出让价款，元）", "开发建设周期（日历天）", "起始价"} {
		if !strings.Contains(form, want) {
			t.Errorf("the land sealing form lacks %q: %.400s", want, form)
		}
	}
	for _, not := range []string{"质量标准", "项目经理", "投标报价（元）", "工期（日历天）"} {
		if strings.Contains(form, not) {
			t.Errorf("the land sealing form shows %q", not)
		}
	}
	works, err := chromedp.Run(c.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('#seal-quality, #seal-project_manager, #bid-quality, #bid-project_manager').length`))
	c.Must("works inputs", err)
	if works != 0 {
		t.Errorf("the land lot's page has %d works inputs (质量标准/项目经理)", works)
	}

	// Below the start price: refused in the page, next to the price, before
	// anything is sealed or uploaded.
	c.Do("a price below the start price",
		chromedp.SendKeys(chromedp.ID("seal-price"), "290,000,000"),
		chromedp.SendKeys(chromedp.ID("seal-duration_days"), "1080"),
		chromedp.SetUploadFiles(chromedp.ID("seal-key"), []string{keyFile}),
		chromedp.SendKeys(chromedp.ID("seal-passphrase"), pass),
		chromedp.Click(chromedp.ID("seal-submit")),
	)
	c.Until("the refusal or a receipt", `location.pathname.endsWith("/receipt") || !document.getElementById("seal-error").hidden`, 60*time.Second)
	if s := c.Text("main"); strings.Contains(s, "投标文件接收回执") {
		t.Fatalf("a sealed land bid below the start price was not refused in the page: %.600s", s)
	}
	if s := c.Text("#seal-error"); !strings.Contains(s, "不得低于招标出让公告载明的起始价 "+start.String()) {
		t.Errorf("the refusal below the start price: %q", s)
	}
	invalid, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`document.getElementById("seal-price").getAttribute("aria-invalid") || ""`))
	c.Must("price field", err)
	if invalid != "true" {
		t.Error("the refusal is not marked on the price field")
	}
	if v, err := w.Tender.ViewLot(ctx, w.Actor("bidder1"), l.ID); err != nil || v.MyBid != nil {
		t.Fatalf("a bid below the start price was stored: %v", err)
	}
	c.Shot("console-land-sealed-below-start")

	// A valid price: sealed, uploaded, the receipt.
	// Emptied by script: SendKeys appends and SetValue refuses "".
	_, err = chromedp.Run(c.Ctx, chromedp.Evaluate[bool](`(document.getElementById("seal-price").value = "", true)`))
	c.Must("clear the price", err)
	c.Do("the price", chromedp.SendKeys(chromedp.ID("seal-price"), "310,000,000"))
	price := money.Fen(310_000_000_00)
	if got := c.Text("#seal-price-cap"); !strings.Contains(got, price.Capital()) {
		t.Errorf("live 大写 preview %q, want %q", got, price.Capital())
	}
	if got, err := chromedp.Run(c.Ctx, chromedp.Value(chromedp.ID("seal-passphrase"))); err != nil || got == "" {
		// The refusal came before the key was used: the passphrase stays.
		c.Do("passphrase", chromedp.SendKeys(chromedp.ID("seal-passphrase"), pass))
	}
	c.Shot("console-land-sealed")
	c.Do("seal", chromedp.Click(chromedp.ID("seal-submit")))
	c.Until("the receipt", `location.pathname.endsWith("/receipt") && document.readyState === "complete"`, 90*time.Second)
	receipt := c.Text(".receipt")
	v, err := w.Tender.ViewLot(ctx, w.Actor("bidder1"), l.ID)
	if err != nil || v.MyReceipt == nil || v.MyBid.Format != tender.SealedFormat {
		t.Fatalf("no sealed bid stored: %v", err)
	}
	for _, want := range []string{"投标文件接收回执", "GC2026-18号地块", "密封文件摘要", v.MyReceipt.ContentHash, "平台未保存也无法查看报价等内容", "留痕序号"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	// Sealed: the platform cannot show the land terms; and no works terms.
	for _, not := range []string{price.String(), "质量标准", "项目经理", "工期"} {
		if strings.Contains(receipt, not) {
			t.Errorf("the sealed land receipt shows %q", not)
		}
	}
	c.Shot("console-land-sealed-receipt")
	c.Logout()

	// The deadline; the custodians (through the service) decrypt; the opening record.
	w.Clock.Set(dl.Add(time.Minute))
	if _, err := w.Tender.OpenBids(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.Decrypt(t, l.ID, "operator", "agency"); err != nil {
		t.Fatal(err)
	}
	pub := c.Incognito()
	pub.Nav("/projects/" + p.ID)
	rec := pub.Text("main")
	for _, want := range []string{"开标记录", "报价（出让价款）", "开发建设周期", w.Bidders[0].Name, price.String(), "1080 日历天",
		money.Fen(320_000_000_00).String(), "1140 日历天"} {
		if !strings.Contains(rec, want) {
			t.Errorf("public opening record lacks %q", want)
		}
	}
	for _, not := range []string{"质量标准", "项目经理"} {
		if strings.Contains(rec, not) {
			t.Errorf("public opening record of a land lot shows %q", not)
		}
	}
	pub.Shot("portal-land-opening")
}
