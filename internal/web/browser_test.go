package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"ggzy/internal/fixture"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

const chromiumPath = "/usr/bin/chromium"

// TestBrowserBidAndPublicOpening drives a real Chromium: a bidder logs in,
// obtains the documents, records the deposit and bids through the forms; at
// the deadline the opening runs, and a logged-out visitor sees the opening
// record with the bidder's name and price on the project page.
func TestBrowserBidAndPublicOpening(t *testing.T) {
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

	e := newEnv(t)
	w := e.w
	l := w.PublishedLot(t, fixture.LotOptions{Ceiling: 12_000_000_00})
	w.Bid(t, l.ID, 1, money.Fen(9_950_000_00))
	w.Bid(t, l.ID, 2, money.Fen(10_120_000_00))
	tn := noticeIDFor(t, w, l.ID)

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
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelT()

	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	shot := func(ctx context.Context, name string) {
		t.Helper()
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		must("screenshot "+name, err)
		p := filepath.Join(artifacts, name+".png")
		must("write "+name, os.WriteFile(p, buf, 0o644))
		t.Logf("screenshot: %s", p)
	}
	click := func(ctx context.Context, sel string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
		must("click "+sel, err)
	}
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		must("text "+sel, err)
		return s
	}
	base := e.ts.URL
	must("viewport", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))

	// The bidder logs in through the form.
	must("login page", chromedp.Do(ctx, chromedp.Navigate(base+"/login")))
	shot(ctx, "portal-login")
	must("fill login", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("login-username"), "bidder1"),
		chromedp.SendKeys(chromedp.ID("login-password"), fixture.Password),
	))
	click(ctx, "#login-submit")
	if s := text(ctx, "main"); !strings.Contains(s, "工作台") || !strings.Contains(s, w.Bidders[0].Name) && !strings.Contains(text(ctx, "header"), w.Bidders[0].Name) {
		t.Fatalf("not on the bidder console after login: %.300s", s)
	}
	shot(ctx, "console-bidder-home")

	// Obtain the documents, record the deposit, bid.
	must("lot page", chromedp.Do(ctx, chromedp.Navigate(base+"/console/lots/"+l.ID)))
	click(ctx, "#obtain-submit")
	must("deposit form", chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("deposit-reference")), chromedp.SendKeys(chromedp.ID("deposit-reference"), "GXBANK-2026-0001")))
	click(ctx, "#deposit-submit")
	must("bid form", chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID("bid-price")),
		chromedp.SendKeys(chromedp.ID("bid-price"), "9,876,543.21"),
		chromedp.SendKeys(chromedp.ID("bid-duration_days"), "365"),
		chromedp.SendKeys(chromedp.ID("bid-project_manager"), "王建"),
	))
	price := money.Fen(9_876_543_21)
	if got := text(ctx, "#bid-price-cap"); !strings.Contains(got, price.Capital()) {
		t.Errorf("live 大写 preview %q, want %q", got, price.Capital())
	}
	shot(ctx, "console-bidder-lot")
	click(ctx, "#bid-submit")
	receipt := text(ctx, ".receipt")
	for _, want := range []string{"投标文件接收回执", price.String(), "大写：" + price.Capital(), "北京时间", "留痕序号"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	shot(ctx, "console-bidder-receipt")

	// The deadline passes; the opening runs (the job runner is not under test).
	w.Clock.Set(l.BidDeadline.Add(time.Minute))
	op, err := w.Tender.OpenBids(context.Background(), l.ID)
	must("open bids", err)
	if op.BidderCount != 3 {
		t.Fatalf("opening counted %d bidders, want 3", op.BidderCount)
	}

	// A logged-out visitor sees the opening record on the project page.
	pub, cancelPub := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancelPub()
	must("public viewport", chromedp.Do(pub, chromedp.EmulateViewport(1280, 900)))
	must("project page", chromedp.Do(pub, chromedp.Navigate(base+"/projects/"+l.ProjectID)))
	if hdr := text(pub, "header"); !strings.Contains(hdr, "登录") || strings.Contains(hdr, "投标员1") {
		t.Errorf("the public browser is logged in: %.200s", hdr)
	}
	proj := text(pub, "main")
	for _, want := range []string{"开标记录", w.Bidders[0].Name, price.String(), "王建", "全过程记录"} {
		if !strings.Contains(proj, want) {
			t.Errorf("public project page lacks %q", want)
		}
	}
	shot(pub, "portal-project")

	for _, pg := range []struct{ name, path string }{
		{"portal-home", "/"},
		{"portal-notices", "/notices?cat=works"},
		{"portal-notice", "/notices/" + tn},
		{"portal-rules", "/rules"},
		{"portal-guide", "/guide"},
	} {
		must(pg.name, chromedp.Do(pub, chromedp.Navigate(base+pg.path)))
		shot(pub, pg.name)
	}

	// Reflow at 320 px: nothing may scroll sideways (UI.md §2.7).
	must("narrow", chromedp.Do(pub, chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile)))
	for _, pg := range []struct{ name, path string }{{"home", "/"}, {"project", "/projects/" + l.ProjectID}} {
		must(pg.name, chromedp.Do(pub, chromedp.Navigate(base+pg.path)))
		ok, err := chromedp.Run(pub, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		must("measure "+pg.name, err)
		if !ok {
			wide, _ := chromedp.Run(pub, chromedp.Evaluate[string](`(function(){var o=[];document.querySelectorAll('body *').forEach(function(e){var r=e.getBoundingClientRect();if(r.right>window.innerWidth+1)o.push(e.tagName+'.'+e.className+' '+Math.round(r.right))});return document.documentElement.scrollWidth+' > '+window.innerWidth+': '+o.slice(0,12).join(', ')})()`))
			t.Errorf("%s overflows horizontally at 320 px: %s", pg.name, wide)
		}
		shot(pub, "narrow-320-"+pg.name)
	}

	// 关怀模式: every button and link button is at least 60 px tall, and the
	// narrow page still does not scroll sideways (UI.md §2.7).
	must("care on", chromedp.Do(pub, chromedp.Navigate(base+"/care?on=1&back=/")))
	small, err := chromedp.Run(pub, chromedp.Evaluate[string](`(function(){var o=[];document.querySelectorAll('button, a.btn, input, select').forEach(function(e){var r=e.getBoundingClientRect();if(r.height>0&&r.height<59.5)o.push(e.tagName+' '+(e.textContent||e.name).trim().slice(0,10)+' '+Math.round(r.height))});return o.join(', ')})()`))
	must("measure care", err)
	if small != "" {
		t.Errorf("care mode targets under 60 px: %s", small)
	}
	ok, err := chromedp.Run(pub, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	must("measure care width", err)
	if !ok {
		t.Error("care mode overflows horizontally at 320 px")
	}
	shot(pub, "narrow-320-care-home")
}

func noticeIDFor(t *testing.T, w *fixture.World, lotID string) string {
	t.Helper()
	ns, _, err := w.Tender.Notices(context.Background(), w.Actor("operator"), tender.NoticeFilter{LotID: lotID, Kind: tender.NoticeTender})
	if err != nil || len(ns) == 0 {
		t.Fatal(fmt.Errorf("no tender notice: %v", err))
	}
	return ns[0].ID
}
