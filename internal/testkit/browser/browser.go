// Package browser drives a headless Chromium tab against a test server, for
// the browser tests. Without Chromium (or in -short mode) they are skipped,
// except that CI=true requires it; screenshots go to $GGZY_ARTIFACTS.
package browser

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// EnvArtifacts names the directory the screenshots are written to (a temp
// directory when unset).
const EnvArtifacts = "GGZY_ARTIFACTS"

const chromiumPath = "/usr/bin/chromium"

// Require skips the test without Chromium or in -short mode, except that it
// fails without Chromium when CI=true.
func Require(t testing.TB) {
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
}

// Tab is one Chromium tab against the server at a base URL. Its methods
// fail the test on error, after saving failure.png and logging the page.
type Tab struct {
	Ctx       context.Context // the tab's chromedp context, for chromedp.Run
	Artifacts string          // where Shot writes ($GGZY_ARTIFACTS or a temp dir)
	t         testing.TB
	base      string
	downloads string
}

// Start runs Chromium (after Require) for at most timeout and returns its
// tab; everything stops on cleanup.
func Start(t testing.TB, base string, timeout time.Duration) *Tab {
	t.Helper()
	Require(t)
	artifacts := os.Getenv(EnvArtifacts)
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
	c := &Tab{Ctx: ctx, Artifacts: artifacts, t: t, base: base, downloads: t.TempDir()}
	c.Do("viewport", chromedp.EmulateViewport(1280, 900))
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
	c.Must("download behaviour", err)
	return c
}

// Incognito is a second tab in a browser context of its own (no cookies).
func (c *Tab) Incognito() *Tab {
	c.t.Helper()
	ctx, cancel := chromedp.NewContext(c.Ctx, chromedp.WithNewBrowserContext())
	c.t.Cleanup(cancel)
	o := &Tab{Ctx: ctx, Artifacts: c.Artifacts, t: c.t, base: c.base, downloads: c.downloads}
	o.Do("viewport", chromedp.EmulateViewport(1280, 900))
	return o
}

// Must fails the test if err is set, with a screenshot (failure.png) and
// the page's text while the tab still runs.
func (c *Tab) Must(what string, err error) {
	c.t.Helper()
	if err == nil {
		return
	}
	if c.Ctx.Err() == nil {
		if buf, e := chromedp.Run(c.Ctx, chromedp.FullScreenshot(100)); e == nil {
			_ = os.WriteFile(filepath.Join(c.Artifacts, "failure.png"), buf, 0o644)
		}
		if s, e := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`document.querySelector("main") ? document.querySelector("main").innerText.slice(0, 1500) : ""`)); e == nil {
			c.t.Logf("page at the failure: %s", s)
		}
	}
	c.t.Fatalf("%s: %v", what, err)
}

// Do runs the steps, failing the test (as Must) on error.
func (c *Tab) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	c.Must(what, chromedp.Do(c.Ctx, steps...))
}

// Shot saves a full-page screenshot as <Artifacts>/<name>.png.
func (c *Tab) Shot(name string) {
	c.t.Helper()
	buf, err := chromedp.Run(c.Ctx, chromedp.FullScreenshot(100))
	c.Must("screenshot "+name, err)
	p := filepath.Join(c.Artifacts, name+".png")
	c.Must("write "+name, os.WriteFile(p, buf, 0o644))
	c.t.Logf("screenshot: %s", p)
}

// Nav loads a path of the server.
func (c *Tab) Nav(path string) {
	c.t.Helper()
	c.Do("navigate "+path, chromedp.Navigate(c.base+path))
}

// Click clicks and waits for the page it loads.
func (c *Tab) Click(sel string) {
	c.t.Helper()
	_, err := chromedp.Run(c.Ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
	c.Must("click "+sel, err)
}

// Text is the visible text of the first element matching sel (waiting for it).
func (c *Tab) Text(sel string) string {
	c.t.Helper()
	s, err := chromedp.Run(c.Ctx, chromedp.Text(chromedp.CSS(sel)))
	c.Must("text "+sel, err)
	return s
}

// Until waits for a JavaScript condition, across the navigations the
// page's scripts make (an evaluation during one fails and is retried).
func (c *Tab) Until(what, cond string, timeout time.Duration) {
	c.t.Helper()
	end := time.Now().Add(timeout)
	var err error
	for time.Now().Before(end) {
		var ok bool
		if ok, err = chromedp.Run(c.Ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
			return
		}
		if c.Ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err == nil {
		err = errors.New("timed out")
	}
	c.Must("wait for "+what, err)
}

// Login signs in through the portal's login form and checks the header
// then offers 退出.
func (c *Tab) Login(user, password string) {
	c.t.Helper()
	c.Nav("/login")
	c.Do("fill login",
		chromedp.SendKeys(chromedp.ID("login-username"), user),
		chromedp.SendKeys(chromedp.ID("login-password"), password),
	)
	c.Click("#login-submit")
	if s := c.Text("header"); !strings.Contains(s, "退出") {
		c.t.Fatalf("%s is not logged in: %.200s", user, s)
	}
}

// Logout signs out with the console's button.
func (c *Tab) Logout() {
	c.t.Helper()
	c.Nav("/console")
	c.Click(`form[action="/logout"] button`)
}

// NoSidewaysScroll checks the page reflows at the current width (UI.md §2.7).
func (c *Tab) NoSidewaysScroll(name string) {
	c.t.Helper()
	ok, err := chromedp.Run(c.Ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	c.Must("measure "+name, err)
	if !ok {
		wide, _ := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`(function(){var o=[];document.querySelectorAll('body *').forEach(function(e){var r=e.getBoundingClientRect();if(r.right>window.innerWidth+1)o.push(e.tagName+'.'+e.className+' '+Math.round(r.right))});return document.documentElement.scrollWidth+' > '+window.innerWidth+': '+o.slice(0,12).join(', ')})()`))
		c.t.Errorf("%s overflows horizontally: %s", name, wide)
	}
}

// WaitDownload returns the path of the first download named prefix*suffix
// within 30 s.
func (c *Tab) WaitDownload(prefix, suffix string) string {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		es, _ := os.ReadDir(c.downloads)
		for _, e := range es {
			if strings.HasPrefix(e.Name(), prefix) && strings.HasSuffix(e.Name(), suffix) {
				return filepath.Join(c.downloads, e.Name())
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("no download %s*%s in %s", prefix, suffix, c.downloads)
	return ""
}
