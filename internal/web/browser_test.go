package web_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"ggzy/internal/fixture"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

const chromiumPath = "/usr/bin/chromium"

// chromeEnv drives one Chromium tab against the test server.
type chromeEnv struct {
	t         *testing.T
	ctx       context.Context
	base      string
	artifacts string
	downloads string
}

// newChrome starts Chromium, or skips without it (except under CI=true).
func newChrome(t *testing.T, base string, timeout time.Duration) *chromeEnv {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required in CI: %v (apt-get install chromium fonts-wqy-zenhei)", err)
		}
		t.Skipf("chromium not installed at %s: skipping the browser test", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	artifacts := os.Getenv("GGZY_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelT)
	c := &chromeEnv{t: t, ctx: ctx, base: base, artifacts: artifacts, downloads: t.TempDir()}
	c.must("viewport", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	// Script errors would otherwise only show as a step that never ends.
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	done := make(chan struct{})
	t.Cleanup(func() { cancelT(); <-done }) // no logging after the test ends
	go func() {
		defer close(done)
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			msg := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
			t.Logf("browser exception: %s", msg)
		}
	}()
	_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: c.downloads})
	c.must("download behaviour", err)
	return c
}

// incognito is a second tab in a browser context of its own (no cookies).
func (c *chromeEnv) incognito() *chromeEnv {
	c.t.Helper()
	ctx, cancel := chromedp.NewContext(c.ctx, chromedp.WithNewBrowserContext())
	c.t.Cleanup(cancel)
	o := &chromeEnv{t: c.t, ctx: ctx, base: c.base, artifacts: c.artifacts, downloads: c.downloads}
	o.must("viewport", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	return o
}

// noSidewaysScroll checks the page reflows at the current width (UI.md §2.7).
func (c *chromeEnv) noSidewaysScroll(name string) {
	c.t.Helper()
	ok, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	c.must("measure "+name, err)
	if !ok {
		wide, _ := chromedp.Run(c.ctx, chromedp.Evaluate[string](`(function(){var o=[];document.querySelectorAll('body *').forEach(function(e){var r=e.getBoundingClientRect();if(r.right>window.innerWidth+1)o.push(e.tagName+'.'+e.className+' '+Math.round(r.right))});return document.documentElement.scrollWidth+' > '+window.innerWidth+': '+o.slice(0,12).join(', ')})()`))
		c.t.Errorf("%s overflows horizontally: %s", name, wide)
	}
}

func (c *chromeEnv) must(what string, err error) {
	c.t.Helper()
	if err == nil {
		return
	}
	if c.ctx.Err() == nil {
		if buf, e := chromedp.Run(c.ctx, chromedp.FullScreenshot(100)); e == nil {
			_ = os.WriteFile(filepath.Join(c.artifacts, "failure.png"), buf, 0o644)
		}
		if s, e := chromedp.Run(c.ctx, chromedp.Evaluate[string](`document.querySelector("main") ? document.querySelector("main").innerText.slice(0, 1500) : ""`)); e == nil {
			c.t.Logf("page at the failure: %s", s)
		}
	}
	c.t.Fatalf("%s: %v", what, err)
}

func (c *chromeEnv) shot(name string) {
	c.t.Helper()
	buf, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	c.must("screenshot "+name, err)
	p := filepath.Join(c.artifacts, name+".png")
	c.must("write "+name, os.WriteFile(p, buf, 0o644))
	c.t.Logf("screenshot: %s", p)
}

func (c *chromeEnv) nav(path string) {
	c.t.Helper()
	c.must("navigate "+path, chromedp.Do(c.ctx, chromedp.Navigate(c.base+path)))
}

// click clicks and waits for the page it loads.
func (c *chromeEnv) click(sel string) {
	c.t.Helper()
	_, err := chromedp.Run(c.ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
	c.must("click "+sel, err)
}

func (c *chromeEnv) text(sel string) string {
	c.t.Helper()
	s, err := chromedp.Run(c.ctx, chromedp.Text(chromedp.CSS(sel)))
	c.must("text "+sel, err)
	return s
}

// until waits for a JavaScript condition, across the navigations the
// page's scripts make (an evaluation during one fails and is retried).
func (c *chromeEnv) until(what, cond string, timeout time.Duration) {
	c.t.Helper()
	end := time.Now().Add(timeout)
	var err error
	for time.Now().Before(end) {
		var ok bool
		if ok, err = chromedp.Run(c.ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
			return
		}
		if c.ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err == nil {
		err = errors.New("timed out")
	}
	c.must("wait for "+what, err)
}

func (c *chromeEnv) login(user string) {
	c.t.Helper()
	c.nav("/login")
	c.must("fill login", chromedp.Do(c.ctx,
		chromedp.SendKeys(chromedp.ID("login-username"), user),
		chromedp.SendKeys(chromedp.ID("login-password"), fixture.Password),
	))
	c.click("#login-submit")
	if s := c.text("header"); !strings.Contains(s, "退出") {
		c.t.Fatalf("%s is not logged in: %.200s", user, s)
	}
}

func (c *chromeEnv) logout() {
	c.t.Helper()
	c.nav("/console")
	c.click(`form[action="/logout"] button`)
}

// waitDownload returns the path of the downloaded file named name.
func (c *chromeEnv) waitDownload(prefix string) string {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		es, _ := os.ReadDir(c.downloads)
		for _, e := range es {
			if strings.HasPrefix(e.Name(), prefix) && strings.HasSuffix(e.Name(), ".key.pem") {
				return filepath.Join(c.downloads, e.Name())
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("no download %s*.key.pem in %s", prefix, c.downloads)
	return ""
}

// generateKey makes a key pair in the browser on 我的密钥, downloads the
// encrypted private key and registers the public key; it returns the file.
func (c *chromeEnv) generateKey(user, purpose, passphrase string, shot bool) string {
	c.t.Helper()
	c.nav("/console/keys")
	c.until("the key generator", `!document.getElementById("keygen-form").hidden`, 30*time.Second)
	if shot {
		c.shot("console-keys")
	}
	c.must("passphrase", chromedp.Do(c.ctx,
		chromedp.SendKeys(chromedp.ID("keygen-passphrase"), passphrase),
		chromedp.SendKeys(chromedp.ID("keygen-passphrase2"), passphrase),
		chromedp.Click(chromedp.ID("keygen-submit")),
	))
	c.until("the key pair", `!document.getElementById("keygen-result").hidden`, 60*time.Second)
	pem, err := chromedp.Run(c.ctx, chromedp.Value(chromedp.ID("key-pem")))
	c.must("public key", err)
	if !strings.HasPrefix(pem, "-----BEGIN PUBLIC KEY-----") || strings.Contains(pem, "PRIVATE") {
		c.t.Fatalf("the registration form holds %q", pem)
	}
	if shot {
		c.shot("console-keys-generated")
	}
	c.must("download", chromedp.Do(c.ctx, chromedp.Click(chromedp.ID("keygen-download"))))
	file := c.waitDownload(user + "-" + purpose + "-")
	b, err := os.ReadFile(file)
	c.must("read key file", err)
	if !strings.Contains(string(b), "-----BEGIN ENCRYPTED PRIVATE KEY-----") {
		c.t.Fatalf("downloaded key file is not an encrypted private key: %.80s", b)
	}
	c.must("label", chromedp.Do(c.ctx, chromedp.SendKeys(chromedp.ID("key-label"), "浏览器生成")))
	c.click("#key-submit")
	if s := c.text("main"); !strings.Contains(s, "公钥已登记") || !strings.Contains(s, "有效") {
		c.t.Fatalf("%s's key was not registered: %.400s", user, s)
	}
	if shot {
		c.shot("console-keys-registered")
	}
	return file
}

// TestBrowserBidAndPublicOpening drives a real Chromium: a bidder logs in,
// obtains the documents, records the deposit and bids through the forms on a
// lot without custody; at the deadline the opening runs, and a logged-out
// visitor sees the opening record with the bidder's name and price on the
// project page.
func TestBrowserBidAndPublicOpening(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := newChrome(t, e.ts.URL, 3*time.Minute)
	l := w.PublishedLot(t, fixture.LotOptions{Ceiling: 12_000_000_00})
	w.Bid(t, l.ID, 1, money.Fen(9_950_000_00))
	w.Bid(t, l.ID, 2, money.Fen(10_120_000_00))
	tn := noticeIDFor(t, w, l.ID)

	// The bidder logs in through the form.
	c.nav("/login")
	c.shot("portal-login")
	c.login("bidder1")
	if s := c.text("main"); !strings.Contains(s, "工作台") || !strings.Contains(s, w.Bidders[0].Name) && !strings.Contains(c.text("header"), w.Bidders[0].Name) {
		t.Fatalf("not on the bidder console after login: %.300s", s)
	}
	c.shot("console-bidder-home")

	// Obtain the documents, record the deposit, bid.
	c.nav("/console/lots/" + l.ID)
	c.click("#obtain-submit")
	c.must("deposit form", chromedp.Do(c.ctx, chromedp.WaitVisible(chromedp.ID("deposit-reference")), chromedp.SendKeys(chromedp.ID("deposit-reference"), "GXBANK-2026-0001")))
	c.click("#deposit-submit")
	c.must("bid form", chromedp.Do(c.ctx,
		chromedp.WaitVisible(chromedp.ID("bid-price")),
		chromedp.SendKeys(chromedp.ID("bid-price"), "9,876,543.21"),
		chromedp.SendKeys(chromedp.ID("bid-duration_days"), "365"),
		chromedp.SendKeys(chromedp.ID("bid-project_manager"), "王建"),
	))
	price := money.Fen(9_876_543_21)
	if got := c.text("#bid-price-cap"); !strings.Contains(got, price.Capital()) {
		t.Errorf("live 大写 preview %q, want %q", got, price.Capital())
	}
	c.shot("console-bidder-lot")
	c.click("#bid-submit")
	receipt := c.text(".receipt")
	for _, want := range []string{"投标文件接收回执", price.String(), "大写：" + price.Capital(), "北京时间", "留痕序号"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	c.shot("console-bidder-receipt")

	// The deadline passes; the opening runs (the job runner is not under test).
	w.Clock.Set(l.BidDeadline.Add(time.Minute))
	op, err := w.Tender.OpenBids(context.Background(), l.ID)
	c.must("open bids", err)
	if op.BidderCount != 3 {
		t.Fatalf("opening counted %d bidders, want 3", op.BidderCount)
	}

	// A logged-out visitor sees the opening record on the project page.
	pub := c.incognito()
	pub.nav("/projects/" + l.ProjectID)
	if hdr := pub.text("header"); !strings.Contains(hdr, "登录") || strings.Contains(hdr, "投标员1") {
		t.Errorf("the public browser is logged in: %.200s", hdr)
	}
	proj := pub.text("main")
	for _, want := range []string{"开标记录", w.Bidders[0].Name, price.String(), "王建", "全过程记录"} {
		if !strings.Contains(proj, want) {
			t.Errorf("public project page lacks %q", want)
		}
	}
	pub.shot("portal-project")

	for _, pg := range []struct{ name, path string }{
		{"portal-home", "/"},
		{"portal-notices", "/notices?cat=works"},
		{"portal-notice", "/notices/" + tn},
		{"portal-rules", "/rules"},
		{"portal-guide", "/guide"},
		{"portal-experts", "/experts"},
	} {
		pub.nav(pg.path)
		pub.shot(pg.name)
	}

	// Reflow at 320 px: nothing may scroll sideways (UI.md §2.7).
	pub.must("narrow", chromedp.Do(pub.ctx, chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile)))
	for _, pg := range []struct{ name, path string }{{"home", "/"}, {"project", "/projects/" + l.ProjectID}, {"experts", "/experts?level=4"}} {
		pub.nav(pg.path)
		pub.noSidewaysScroll(pg.name)
		pub.shot("narrow-320-" + pg.name)
	}

	// 关怀模式: every button and link button is at least 60 px tall, and the
	// narrow page still does not scroll sideways (UI.md §2.7).
	pub.nav("/care?on=1&back=/")
	small, err := chromedp.Run(pub.ctx, chromedp.Evaluate[string](`(function(){var o=[];document.querySelectorAll('button, a.btn, input, select').forEach(function(e){var r=e.getBoundingClientRect();if(r.height>0&&r.height<59.5)o.push(e.tagName+' '+(e.textContent||e.name).trim().slice(0,10)+' '+Math.round(r.height))});return o.join(', ')})()`))
	pub.must("measure care", err)
	if small != "" {
		t.Errorf("care mode targets under 60 px: %s", small)
	}
	pub.noSidewaysScroll("care home")
	pub.shot("narrow-320-care-home")
}

// TestBrowserSealedBidAndDecryption drives Chromium through sealed bidding:
// two custodians make their keys in the browser, the agency names them with
// the supervisor on a draft lot and publishes; a bidder makes its signing key,
// seals and uploads its bid in the browser and sees the receipt; after the
// deadline (the fake clock) each custodian decrypts their shares in the
// browser; the public then sees the opening record with the right prices.
func TestBrowserSealedBidAndDecryption(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := newChrome(t, e.ts.URL, 5*time.Minute)
	bg := context.Background()

	ml := w.PrepareMatrixLot(t, fixture.StartDraft)
	lotPath := "/console/lots/" + ml.Lot.ID
	w.CustodyKey(t, "supervisor") // the third custodian's key, made outside the browser
	stalled := w.PrepareMatrixLot(t, fixture.StartSealed)

	// Custodians make their keys in the browser.
	const agencyPass, operatorPass, bidderPass = "代理机构保管口令2026", "交易中心保管口令2026", "投标签名口令-2026"
	c.login("agency")
	agencyKey := c.generateKey("agency", "custody", agencyPass, false)
	c.logout()
	c.login("operator")
	operatorKey := c.generateKey("operator", "custody", operatorPass, false)
	c.logout()

	// The agency names the custodians and publishes.
	c.login("agency")
	c.nav(lotPath)
	// Tick the three custodians in the list of people who may hold custody
	// (only those with a valid custody key can be ticked).
	for _, u := range []string{"agency", "operator", "supervisor"} {
		c.must("custody form", chromedp.Do(c.ctx, chromedp.Click(chromedp.CSS("#cand-"+string(w.Users[u].ID)))))
	}
	c.click("#custody-submit")
	if s := c.text("main"); !strings.Contains(s, "已指定投标文件密钥保管人") || !strings.Contains(s, "住建监督员") {
		t.Fatalf("custody not set: %.500s", s)
	}
	c.shot("console-lot-custody")
	c.click("#publish-submit")
	if s := c.text("main"); !strings.Contains(s, "招标公告已发布") {
		t.Fatalf("not published: %.500s", s)
	}
	l, err := w.GetLot(ml.Lot.ID)
	if err != nil || l.Custody == nil {
		t.Fatalf("lot %v", err)
	}
	c.nav(lotPath + "/decrypt")
	if s := c.text("main"); !strings.Contains(s, "《招标投标法》第三十四条") || !strings.Contains(s, "剩 ") {
		t.Errorf("decrypt page before the deadline: %.400s", s)
	}
	c.shot("console-decrypt-before")
	c.logout()
	c.nav("/notices/" + noticeID(t, w, l.ID, tender.NoticeTender))
	if s := c.text("main"); !strings.Contains(s, "投标文件密钥保管人") || !strings.Contains(s, l.Custody.Custodians[1].Fingerprint) {
		t.Errorf("the notice does not publish the custody set: %.400s", s)
	}
	c.shot("portal-notice-custody")

	// Two other bidders seal with the command-line code.
	w.SealedBid(t, l.ID, 1, 9_950_000_00)
	w.SealedBid(t, l.ID, 2, 10_120_000_00)

	// The bidder: signing key, documents, deposit, sealed bid.
	c.login("bidder1")
	bidderKey := c.generateKey("bidder1", "bid", bidderPass, true)
	c.nav(lotPath)
	c.click("#obtain-submit")
	c.must("deposit", chromedp.Do(c.ctx, chromedp.WaitVisible(chromedp.ID("deposit-reference")), chromedp.SendKeys(chromedp.ID("deposit-reference"), "GXBANK-2026-0001")))
	c.click("#deposit-submit")
	c.until("the sealing form", `!document.getElementById("seal-form").hidden`, 30*time.Second)
	attachment := filepath.Join(t.TempDir(), "技术标.pdf")
	c.must("attachment", os.WriteFile(attachment, []byte(strings.Repeat("施工组织设计。", 2000)), 0o644))
	c.must("bid form", chromedp.Do(c.ctx,
		chromedp.SendKeys(chromedp.ID("seal-price"), "9,876,543.21"),
		chromedp.SendKeys(chromedp.ID("seal-duration_days"), "365"),
		chromedp.SendKeys(chromedp.ID("seal-project_manager"), "王建"),
		chromedp.SetUploadFiles(chromedp.ID("seal-files"), []string{attachment}),
		chromedp.SetUploadFiles(chromedp.ID("seal-key"), []string{bidderKey}),
		chromedp.SendKeys(chromedp.ID("seal-passphrase"), bidderPass),
	))
	price := money.Fen(9_876_543_21)
	if got := c.text("#seal-price-cap"); !strings.Contains(got, price.Capital()) {
		t.Errorf("live 大写 preview %q, want %q", got, price.Capital())
	}
	c.shot("console-bidder-sealed")
	c.must("seal", chromedp.Do(c.ctx, chromedp.Click(chromedp.ID("seal-submit"))))
	c.until("the receipt", `location.pathname.endsWith("/receipt") && document.readyState === "complete"`, 90*time.Second)
	receipt := c.text(".receipt")
	v, err := w.Tender.ViewLot(bg, w.Actor("bidder1"), l.ID)
	if err != nil || v.MyReceipt == nil || v.MyBid.Format != tender.SealedFormat {
		t.Fatalf("no sealed bid stored: %v", err)
	}
	for _, want := range []string{"投标文件接收回执", "密封文件摘要", v.MyReceipt.ContentHash, "与本机加密时算出的摘要一致", "北京时间", "留痕序号"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	if strings.Contains(receipt, price.String()) {
		t.Error("the receipt shows the sealed price")
	}
	c.shot("console-bidder-sealed-receipt")
	c.logout()

	// The deadline passes: the opening starts the decryption.
	w.Clock.Set(l.BidDeadline.Add(time.Minute))
	for _, id := range []string{l.ID, stalled.Lot.ID} {
		if _, err := w.Tender.OpenBids(bg, id); err != nil {
			t.Fatal(err)
		}
	}

	decrypt := func(user, keyFile, pass, done string, shots bool) {
		t.Helper()
		c.login(user)
		if s := c.text("main"); !strings.Contains(s, "请在“开标解密”中用本人私钥解密份额") {
			t.Errorf("%s's console has no decryption to-do: %.400s", user, s)
		}
		if shots {
			c.shot("console-custodian-home")
		}
		c.click(`a[href="/console/decrypt"]`)
		if s := c.text("main"); !strings.Contains(s, l.Code) || !strings.Contains(s, "待解密") {
			t.Errorf("%s's decryption list: %.400s", user, s)
		}
		if shots {
			c.shot("console-decrypt-list")
		}
		c.nav(lotPath + "/decrypt")
		c.until("the decryption form", `!document.getElementById("decrypt-form").hidden`, 30*time.Second)
		c.must("key", chromedp.Do(c.ctx,
			chromedp.SetUploadFiles(chromedp.ID("decrypt-key"), []string{keyFile}),
			chromedp.SendKeys(chromedp.ID("decrypt-passphrase"), pass),
		))
		if shots {
			c.shot("console-decrypt-lot")
		}
		c.must("decrypt", chromedp.Do(c.ctx, chromedp.Click(chromedp.ID("decrypt-submit"))))
		c.until("the submitted shares", `document.querySelector(".flash") !== null && document.readyState === "complete"`, 60*time.Second)
		if s := c.text("main"); !strings.Contains(s, "已有 "+done+" 名保管人完成解密") || !strings.Contains(s, "您已提交本人的解密份额") {
			t.Errorf("%s after decrypting: %.500s", user, s)
		}
		if shots {
			c.shot("console-decrypt-done")
		}
		c.logout()
	}
	decrypt("agency", agencyKey, agencyPass, "1/2", true)
	decrypt("operator", operatorKey, operatorPass, "2/2", false)
	if err := w.Tender.DecryptBids(bg, l.ID); err != nil {
		t.Fatal(err)
	}

	// The public sees the opening record.
	c.nav("/projects/" + l.ProjectID)
	proj := c.text("main")
	for _, want := range []string{"开标记录", w.Bidders[0].Name, price.String(), "王建", money.Fen(9_950_000_00).String(), money.Fen(10_120_000_00).String(), "投标文件密钥保管"} {
		if !strings.Contains(proj, want) {
			t.Errorf("public project page lacks %q", want)
		}
	}
	c.shot("portal-project-sealed")

	// Another lot's window ran out below the threshold: the supervisor may extend it.
	sl, _ := w.GetLot(stalled.Lot.ID)
	w.Clock.Set(sl.DecryptBy.Add(time.Minute))
	if err := w.Tender.CheckDecryption(bg, sl.ID); err != nil {
		t.Fatal(err)
	}
	c.login("supervisor")
	c.nav("/console/lots/" + sl.ID)
	if s := c.text("main"); !strings.Contains(s, "解密停滞") || !strings.Contains(s, "延长解密时限") {
		t.Errorf("stalled lot: %.400s", s)
	}
	c.must("scroll", chromedp.Do(c.ctx, chromedp.ScrollIntoView(chromedp.ID("extend"))))
	c.shot("console-lot-stalled")

	// Reflow at 320 px on the new pages (UI.md §2.7).
	c.must("narrow", chromedp.Do(c.ctx, chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile)))
	for _, p := range []string{"/console/decrypt", "/console/keys", "/console/lots/" + sl.ID, "/console/lots/" + sl.ID + "/decrypt"} {
		c.nav(p)
		c.noSidewaysScroll(p + " at 320 px")
	}
	c.nav("/console/keys")
	c.shot("narrow-320-keys")
}

func noticeIDFor(t *testing.T, w *fixture.World, lotID string) string {
	t.Helper()
	ns, _, err := w.Tender.Notices(context.Background(), w.Actor("operator"), tender.NoticeFilter{LotID: lotID, Kind: tender.NoticeTender})
	if err != nil || len(ns) == 0 {
		t.Fatal(fmt.Errorf("no tender notice: %v", err))
	}
	return ns[0].ID
}

// TestBrowserExpertDrawAndPool: an invited expert confirms in the portal with
// the keyboard; the centre's draw panel and the pool pages reflow at 320 px.
func TestBrowserExpertDrawAndPool(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := newChrome(t, e.ts.URL, 3*time.Minute)
	l, invs := drawnLot(t, w)
	var iv tender.Invitation
	for _, x := range invs {
		if x.Status == tender.InvInvited {
			iv = x
			break
		}
	}
	user := ""
	for name, u := range w.Users {
		if u.ID == iv.UserID {
			user = name
		}
	}

	// The expert finds the notice from the console and confirms by keyboard.
	c.login(user)
	c.click(`a[href="/console/invitations"]`)
	if s := c.text("main"); !strings.Contains(s, l.Code) || !strings.Contains(s, "待确认") || !strings.Contains(s, "北京时间") {
		t.Fatalf("notices: %.400s", s)
	}
	c.shot("expert-invitations")
	// The recusal declaration is ticked by keyboard (space), then confirmed.
	c.must("focus the declaration", chromedp.Do(c.ctx, chromedp.Focus(chromedp.CSS("#inv-"+iv.ID+"-declare"))))
	c.must("tick it", chromedp.Do(c.ctx, chromedp.KeyEvent(" ")))
	c.must("focus the confirm button", chromedp.Do(c.ctx, chromedp.Focus(chromedp.CSS("#inv-"+iv.ID+"-accept"))))
	_, err := chromedp.Run(c.ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.KeyEvent("\r")))
	c.must("confirm by keyboard", err)
	if s := c.text("main"); !strings.Contains(s, "已确认参加评标") {
		t.Fatalf("after confirming: %.400s", s)
	}
	c.nav("/console/profile")
	if s := c.text("main"); !strings.Contains(s, "A0801 房屋建筑工程") || !strings.Contains(s, "在库") {
		t.Errorf("profile: %.400s", s)
	}
	c.must("narrow", chromedp.Do(c.ctx, chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile)))
	for _, p := range []string{"/console/invitations", "/console/profile"} {
		c.nav(p)
		c.noSidewaysScroll(p + " at 320 px")
	}
	c.must("wide", chromedp.Do(c.ctx, chromedp.EmulateViewport(1280, 900)))
	c.logout()

	// The centre: the draw record with its digests, and the pool.
	c.login("operator")
	c.nav("/console/lots/" + l.ID)
	if s := c.text("#draws"); !strings.Contains(s, "已抽取") || !strings.Contains(s, "ggzy verify-draw") || !strings.Contains(s, "已确认参加") {
		t.Errorf("draw panel: %.600s", s)
	}
	c.must("scroll", chromedp.Do(c.ctx, chromedp.ScrollIntoView(chromedp.ID("draws"))))
	c.shot("console-lot-draws")
	c.nav("/console/experts")
	if s := c.text("main"); !strings.Contains(s, "专家01") || !strings.Contains(s, "在库") {
		t.Errorf("pool: %.400s", s)
	}
	c.shot("console-experts")
	c.nav("/console/experts/" + w.Experts[0].ID)
	if s := c.text("main"); !strings.Contains(s, "暂停抽取或列入黑名单") || !strings.Contains(s, "履历") {
		t.Errorf("expert record: %.400s", s)
	}
	c.shot("console-expert")
	c.must("narrow", chromedp.Do(c.ctx, chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile)))
	for _, p := range []string{"/console/lots/" + l.ID, "/console/experts", "/console/experts/" + w.Experts[0].ID, "/console/experts/apply"} {
		c.nav(p)
		c.noSidewaysScroll(p + " at 320 px")
	}
	c.nav("/console/experts/apply")
	c.shot("narrow-320-expert-apply")
}

// TestBrowserEvaluationRoom drives Chromium through the evaluation room: an
// expert on the committee makes a 评审签名 key on 我的密钥 (download and
// register), opens the room from the console, scores the bids, signs the
// sheet with the key file and passphrase in the page and submits by
// keyboard; meanwhile the supervisor, in a browser context of its own, sees
// the progress change live (server-sent events), without a reload and by
// seat numbers only. A wrong passphrase is reported next to its field. The
// room reflows at 320 px.
func TestBrowserEvaluationRoom(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := newChrome(t, e.ts.URL, 5*time.Minute)
	bg := context.Background()
	l := w.PublishedLot(t, fixture.LotOptions{Method: tender.Comprehensive})
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00+int64(i)*100_000_00))
	}
	w.PassDeadline(t, l.ID)
	members := formCommittee(t, w, l.ID)
	if _, err := w.Tender.StartEvaluation(bg, w.Actor("operator"), l.ID); err != nil {
		t.Fatal(err)
	}
	roomP := "/console/lots/" + l.ID + "/room"
	var expertUser string
	for _, m := range members {
		if m.Kind == tender.MemberExpert {
			expertUser = usernameOf(w, m.UserID)
			break
		}
	}
	lv, err := w.Tender.ViewLot(bg, w.Actor("operator"), l.ID)
	if err != nil {
		t.Fatal(err)
	}

	// The expert makes a sheet-signing key in the browser.
	const pass = "评审签名口令-2026"
	c.login(expertUser)
	keyFile := c.generateKey(expertUser, "sign", pass, false)
	if s := c.text("main"); !strings.Contains(s, "评审签名") {
		t.Errorf("keys page of an expert: %.300s", s)
	}
	c.shot("console-keys-sign")

	// The supervisor watches the room live, in a browser context of its own.
	sup := c.incognito()
	sup.login("supervisor")
	sup.nav(roomP)
	sup.until("the live connection", `document.getElementById("room").dataset.stream === "connected"`, 15*time.Second)
	_, err = chromedp.Run(sup.ctx, chromedp.Evaluate[bool](`window.sameDocument = true`))
	sup.must("mark the document", err)
	if s := sup.text("#room-progress"); !strings.Contains(s, "0/5") || !strings.Contains(s, "第1席") {
		t.Errorf("supervisor's progress before: %.300s", s)
	}
	sup.shot("room-supervisor-before")

	// The expert enters the room from the console.
	c.nav("/console")
	c.click(`a[href="` + roomP + `"]`)
	c.until("the signing fields", `!document.getElementById("sheet-keybox").hidden`, 30*time.Second)
	if s := c.text("#sheet"); !strings.Contains(s, "由平台按公式计算") || !strings.Contains(s, "基准价比值法") {
		t.Errorf("the price item is not shown as computed: %.400s", s)
	}
	// Every field has a label (UI.md §2.7).
	unlabelled, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`Array.prototype.filter.call(document.querySelectorAll("#sheet-form input:not([type=hidden]), #room select, #room textarea"), function (e) { return !e.labels || !e.labels.length; }).map(function (e) { return e.name || e.id; }).join(", ")`))
	c.must("labels", err)
	if unlabelled != "" {
		t.Errorf("fields without a label: %s", unlabelled)
	}
	var fill []chromedp.Action[chromedp.Void]
	for _, b := range lv.Bids {
		for _, it := range l.Scoring {
			if !it.Price {
				fill = append(fill, chromedp.SendKeys(chromedp.CSS(`input[name="score_`+b.ID+`_`+it.Key+`"]`), fmt.Sprintf("%d.5", it.Max*8/1000)))
			}
		}
	}
	fill = append(fill,
		chromedp.SetUploadFiles(chromedp.CSS(`#sheet-key`), []string{keyFile}),
		chromedp.SendKeys(chromedp.CSS(`#sheet-passphrase`), pass))
	c.must("fill the sheet", chromedp.Do(c.ctx, fill...))
	c.shot("room-expert")
	// Submitted by keyboard: Enter in the passphrase field.
	c.must("focus", chromedp.Do(c.ctx, chromedp.Focus(chromedp.CSS(`#sheet-passphrase`))))
	c.must("enter", chromedp.Do(c.ctx, chromedp.KeyEvent("\r")))
	c.until("the signed sheet", `document.querySelector(".flash") !== null && document.readyState === "complete"`, 90*time.Second)
	if s := c.text("main"); !strings.Contains(s, "评审意见已签名提交") || !strings.Contains(s, "1/5") {
		t.Fatalf("after signing: %.600s", s)
	}
	v, err := w.Tender.ViewRoom(bg, w.Actor(expertUser), l.ID)
	if err != nil || v.MySheet == nil || v.MySheet.Signature == "" {
		t.Fatalf("no signed sheet stored: %v", err)
	}
	c.shot("room-expert-submitted")

	// The supervisor's page followed without reloading.
	sup.until("the live progress", `document.getElementById("room-done").textContent.indexOf("1/5") >= 0`, 20*time.Second)
	same, err := chromedp.Run(sup.ctx, chromedp.Evaluate[bool](`window.sameDocument === true`))
	sup.must("same document", err)
	if !same {
		t.Error("the supervisor's page reloaded instead of updating live")
	}
	if s := sup.text("main"); strings.Contains(s, members[0].Name) || strings.Contains(s, members[1].Name) || !strings.Contains(s, "已提交") {
		t.Errorf("the supervisor's live room: %.500s", s)
	}
	sup.shot("room-supervisor-live")

	// A revision signed with a wrong passphrase: the error is next to the field.
	c.until("the signing fields", `!document.getElementById("sheet-keybox").hidden`, 30*time.Second)
	c.must("wrong passphrase", chromedp.Do(c.ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#sheet-key`), []string{keyFile}),
		chromedp.SendKeys(chromedp.CSS(`#sheet-passphrase`), "不是这个口令"),
		chromedp.Click(chromedp.CSS(`#sheet-submit`))))
	c.until("the passphrase error", `!document.getElementById("sheet-passphrase-err").hidden`, 60*time.Second)
	if s := c.text("#sheet-passphrase-err"); !strings.Contains(s, "口令错误") {
		t.Errorf("passphrase error: %q", s)
	}
	c.shot("room-expert-wrong-passphrase")

	// Reflow at 320 px (UI.md §2.7).
	for _, b := range []*chromeEnv{c, sup} {
		b.must("narrow", chromedp.Do(b.ctx, chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile)))
		b.nav(roomP)
		b.noSidewaysScroll("the room at 320 px")
	}
	c.shot("narrow-320-room-expert")
	sup.shot("narrow-320-room-supervisor")
}
