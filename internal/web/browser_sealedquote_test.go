package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ggzy/internal/auction"
	"ggzy/internal/fixture"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/sealbid"
	chrome "ggzy/internal/testkit/browser" // web_test has its own type browser (an HTTP visitor)
)

// TestBrowserSealedQuote drives Chromium through one sealed quote (一次报价)
// of a state-property sale: the trading centre names the custodians in the
// sale's console (a set of one is refused next to the field); bidder1, in
// the quote window, types its amount, chooses its key file and passphrase,
// and the page seals the quote in the browser (WebAssembly) and posts only
// the sealed file — a wrong passphrase and an amount below the listed price
// are refused on their fields first — and shows the receipt with the digest
// the platform stored and the ledger index. After the window a custodian
// finds the sale on 开标解密 and decrypts in the browser, another through
// the service; the public page then shows the result and the opening.
func TestBrowserSealedQuote(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := chrome.Start(t, e.ts.URL, 5*time.Minute)
	ctx := context.Background()
	op := w.Actor("operator")
	sale := announcedSealedSale(t, w)
	for _, u := range []string{"operator", "supervisor", "agency"} {
		w.CustodyKey(t, u)
	}
	room := "/console/sales/" + sale.ID
	// clearField empties an input (SetValue refuses "").
	clearField := func(b *chrome.Tab, id string) {
		t.Helper()
		_, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`(document.getElementById("`+id+`").value = "", true)`))
		b.Must("clear "+id, err)
	}

	// The centre names the custodians by username in the console.
	c.Login("operator", fixture.Password)
	c.Nav(room)
	c.Do("one custodian", chromedp.SendKeys(chromedp.ID("custody-usernames"), "operator"))
	c.Click("#custody-submit")
	if s := c.Text("#custody"); !strings.Contains(s, "至少2名") {
		t.Errorf("a single custodian, next to the field: %.400s", s)
	}
	clearField(c, "custody-usernames")
	c.Do("custodians", chromedp.SendKeys(chromedp.ID("custody-usernames"), "operator, supervisor, agency"))
	c.Click("#custody-submit")
	if s := c.Text(".flash"); !strings.Contains(s, "已指定一次报价的密钥保管人") {
		t.Fatalf("custody not set: %q", s)
	}
	if s := c.Text("#custody"); !strings.Contains(s, "住建监督员") || !strings.Contains(s, "报价解密（您是第 1 号保管人）") {
		t.Errorf("the published custody in the console: %.500s", s)
	}
	c.Shot("sale-console-custody")
	c.Logout()

	nos := make([]string, 2)
	for i := range nos {
		r, err := w.Auction.Register(ctx, w.Actor([]string{"bidder1", "bidder2"}[i]), sale.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Auction.Qualify(ctx, op, r.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if r, err = w.Auction.ConfirmDeposit(ctx, op, r.ID, "GXBANK"); err != nil {
			t.Fatal(err)
		}
		nos[i] = r.BidderNo
	}
	w.Clock.Set(sale.StartAt.Add(time.Hour))
	// bidder2 seals with the command-line code.
	cv, err := w.Auction.SaleCustody(ctx, party.Public(""), sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := sealbid.Seal(&buf, cv.Custody.Sealing(cv.Sale), nos[1], auction.EncodeQuote(5_100_000_00), nil, w.BidKey(t, 1), w.Clock.Now(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Auction.SubmitSealed(ctx, w.Actor("bidder2"), sale.ID, buf.Bytes()); err != nil {
		t.Fatal(err)
	}

	// bidder1 seals in the browser with its key file.
	const pass = "竞买签名口令-2026"
	pem, err := w.BidKey(t, 0).MarshalEncryptedPEM([]byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "bidder1-bid.key.pem")
	c.Must("key file", os.WriteFile(keyFile, pem, 0o600))
	c.Login("bidder1", fixture.Password)
	c.Nav(room)
	c.Until("the sealing form", `!document.getElementById("quote-seal-form").hidden`, 30*time.Second)
	clear, err := chromedp.Run(c.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('#my-sale input[name="amount"], #my-sale [name="price"]').length`))
	c.Must("clear inputs", err)
	if clear != 0 {
		t.Errorf("the bidder's room still has %d clear-amount inputs", clear)
	}
	c.Do("quote form",
		chromedp.SendKeys(chromedp.ID("sealed-amount"), "4,900,000"),
		chromedp.SetUploadFiles(chromedp.ID("sealed-key"), []string{keyFile}),
		chromedp.SendKeys(chromedp.ID("sealed-passphrase"), "wrong passphrase"),
		chromedp.Click(chromedp.ID("quote-seal-submit")),
	)
	c.Until("the amount refused", `!document.getElementById("quote-seal-error").hidden && document.getElementById("sealed-amount").getAttribute("aria-invalid") === "true"`, 30*time.Second)
	if s := c.Text("#quote-seal-error"); !strings.Contains(s, "不得低于挂牌价") || !strings.Contains(s, "第五十五条") {
		t.Errorf("an amount below the listed price: %q", s)
	}
	clearField(c, "sealed-amount")
	c.Do("amount",
		chromedp.SendKeys(chromedp.ID("sealed-amount"), "5,400,000"),
		chromedp.Click(chromedp.ID("quote-seal-submit")),
	)
	c.Until("the passphrase refused", `document.getElementById("sealed-passphrase").getAttribute("aria-invalid") === "true"`, 30*time.Second)
	if s := c.Text("#quote-seal-error"); !strings.Contains(s, "私钥口令错误") {
		t.Errorf("a wrong passphrase: %q", s)
	}
	price := money.Fen(5_400_000_00)
	if s := c.Text("#sealed-amount-cap"); !strings.Contains(s, price.Capital()) {
		t.Errorf("live 大写 preview %q, want %q", s, price.Capital())
	}
	clearField(c, "sealed-passphrase")
	c.Do("passphrase", chromedp.SendKeys(chromedp.ID("sealed-passphrase"), pass))
	c.Shot("sale-room-sealing")
	c.Do("seal", chromedp.Click(chromedp.ID("quote-seal-submit")))
	c.Until("the receipt", `document.getElementById("sealed-receipt") !== null && document.readyState === "complete"`, 60*time.Second)
	mine, err := w.Auction.MySealedQuote(ctx, w.Actor("bidder1"), sale.ID)
	if err != nil || mine.Status != auction.SealedPending || mine.BidderNo != nos[0] {
		t.Fatalf("no sealed quote stored for bidder1: %+v %v", mine, err)
	}
	if s := c.Text(".flash"); !strings.Contains(s, "一次报价已密封提交") {
		t.Errorf("the acknowledgement: %q", s)
	}
	c.Until("the digest check", `document.getElementById("receipt-digest-check").textContent !== ""`, 10*time.Second)
	receipt := c.Text("#sealed-receipt")
	for _, want := range []string{"一次报价回执", nos[0], mine.Digest, "与本机加密时算出的摘要一致", "留痕序号", "北京时间"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("the receipt lacks %q: %s", want, receipt)
		}
	}
	if page := c.Text("main"); strings.Contains(page, price.String()) || strings.Contains(page, "5400000") || strings.Contains(page, "5,400,000") {
		t.Error("the page after submission shows the sealed amount")
	}
	if n, err := chromedp.Run(c.Ctx, chromedp.Evaluate[int](`document.querySelectorAll("#quote-seal-form").length`)); err != nil || n != 0 {
		t.Errorf("the sealing form is still offered after the one quote (%d, %v)", n, err)
	}
	c.Shot("sale-room-sealed-receipt")

	// The window ends; a custodian decrypts in the browser, another through the service.
	w.Clock.Set(sale.EndAt)
	if err := w.Auction.CloseSealed(ctx, sale.ID); err != nil {
		t.Fatal(err)
	}
	cu := c.Incognito()
	cu.Login("supervisor", fixture.Password)
	if s := cu.Text("main"); !strings.Contains(s, sale.Code) || !strings.Contains(s, "解密一次报价的份额") {
		t.Errorf("the supervisor's console has no decryption to-do for the sale: %.500s", s)
	}
	cu.Nav("/console/decrypt")
	if s := cu.Text("#decrypt-sales"); !strings.Contains(s, sale.Code) || !strings.Contains(s, "待解密") || !strings.Contains(s, "0/2") {
		t.Errorf("the custodian's list: %.400s", s)
	}
	cu.Shot("console-decrypt-list-sales")
	cu.Click(`#decrypt-sales a[href="` + room + `/decrypt"]`)
	cu.Until("the decryption form", `!document.getElementById("decrypt-form").hidden`, 30*time.Second)
	supKey, err := w.CustodyKeys["supervisor"].MarshalEncryptedPEM([]byte(pass))
	cu.Must("custody key", err)
	supFile := filepath.Join(t.TempDir(), "supervisor-custody.key.pem")
	cu.Must("custody key file", os.WriteFile(supFile, supKey, 0o600))
	cu.Do("decrypt",
		chromedp.SetUploadFiles(chromedp.ID("decrypt-key"), []string{supFile}),
		chromedp.SendKeys(chromedp.ID("decrypt-passphrase"), pass),
		chromedp.Click(chromedp.ID("decrypt-submit")))
	cu.Until("the submitted shares", `document.querySelector(".flash") !== null && document.readyState === "complete"`, 60*time.Second)
	if s := cu.Text(".flash"); !strings.Contains(s, "已有 1/2 名保管人完成解密") {
		t.Errorf("after the supervisor's shares: %q", s)
	}
	a := w.Actor("agency")
	s2, envs, err := w.Auction.CustodyEnvelopes(ctx, a, sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	shares, bad := sealbid.OpenShares(string(s2.ID), string(a.UserID), envs, w.CustodyKeys["agency"])
	if len(bad) > 0 {
		t.Fatalf("agency: %+v", bad)
	}
	in := make([]auction.ShareInput, len(shares))
	for i, sh := range shares {
		in[i] = auction.ShareInput{BidderNo: sh.BidID, Share: sh.Share}
	}
	if done, k, err := w.Auction.SubmitShares(ctx, a, sale.ID, in); err != nil || done != 2 || k != 2 {
		t.Fatalf("agency's shares: %d/%d %v", done, k, err)
	}

	// The public page shows the result and the opened quotes.
	pub := c.Incognito()
	pub.Nav("/sales/" + sale.ID)
	page := pub.Text("main")
	for _, want := range []string{"已成交", price.String(), price.Capital(), nos[0], w.Bidders[0].Name, money.Fen(5_100_000_00).String(), "一次报价"} {
		if !strings.Contains(page, want) {
			t.Errorf("the public page lacks %q: %.800s", want, page)
		}
	}
	pub.Shot("sale-public-sealed-deal")

	// Reflow at 320 px (UI.md §2.7).
	cu.Do("narrow", chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile))
	for _, p := range []string{room, "/console/decrypt", room + "/decrypt"} {
		cu.Nav(p)
		cu.NoSidewaysScroll(p + " at 320 px")
	}
}
