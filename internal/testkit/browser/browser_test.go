package browser_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ggzy/internal/testkit/browser"
)

// The helpers against a tiny stand-in of the portal: log in and out through
// its forms, wait for a script, read text, download a file, take a shot.
func TestTab(t *testing.T) {
	t.Setenv(browser.EnvArtifacts, t.TempDir()) // keep the CI artifacts free of it
	const page = `<!doctype html><html><head><meta charset="utf-8"></head><body><header>%s</header><main>%s</main></body></html>`
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, page, "登录", `<form method="post" action="/login"><input id="login-username" name="u"><input id="login-password" name="p" type="password"><button id="login-submit">登录</button></form>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("u") != "bidder1" || r.FormValue("p") != "pw" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/console", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, page, `<form method="post" action="/logout"><button>退出</button></form>`,
			`工作台<a id="dl" href="/file" download="bidder1-bid-1.key.pem">下载</a><script>setTimeout(function(){document.body.dataset.ready="yes"},200)</script>`)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /file", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)

	c := browser.Start(t, ts.URL, time.Minute)
	c.Login("bidder1", "pw")
	if s := c.Text("main"); s != "工作台下载" {
		t.Errorf("console text %q", s)
	}
	c.Until("the script", `document.body.dataset.ready === "yes"`, 10*time.Second)
	c.Do("download", chromedp.Click(chromedp.ID("dl")))
	if f := c.WaitDownload("bidder1-bid-", ".key.pem"); filepath.Base(f) != "bidder1-bid-1.key.pem" {
		t.Errorf("download %s", f)
	}
	c.NoSidewaysScroll("the console")
	c.Shot("selftest")
	if _, err := os.Stat(filepath.Join(c.Artifacts, "selftest.png")); err != nil {
		t.Error(err)
	}
	c.Logout()
	if s := c.Incognito(); s.Ctx == c.Ctx {
		t.Error("the incognito tab shares the context")
	}
}
