package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ggzy/internal/fixture"
	"ggzy/internal/testkit"
)

// startLiveServer serves a fresh world over HTTP and returns the server
// itself too, whose pollers the stream tests count.
func startLiveServer(t *testing.T) (*fixture.World, *server, *httptest.Server) {
	t.Helper()
	w := fixture.New(t, testkit.OpenSQLite(t))
	h, err := New(w.HTTPDeps())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return w, h.(*server), ts
}

// checkPollerFollowsWatchers checks the poller behind the event stream at
// url (a room's or a sale's, named by what): none runs before anyone
// watches, one serves two streams and stays while one is left, it stops
// with the last, and Close ends the streams still open.
func checkPollerFollowsWatchers(t *testing.T, s *server, c *http.Client, url, what string, watched func() int) {
	t.Helper()
	open := func() (*http.Response, context.CancelFunc) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		res, err := c.Do(req)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("stream: %v %v", err, res)
		}
		// The first bytes come once the server has registered the watcher.
		buf := make([]byte, 32)
		if n, _ := res.Body.Read(buf); !strings.HasPrefix(string(buf[:n]), "retry:") {
			t.Fatalf("stream opens with %q", buf[:n])
		}
		return res, cancel
	}
	eventually := func(desc string, cond func() bool) {
		t.Helper()
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if cond() {
				return
			}
		}
		t.Fatalf("timed out waiting for %s", desc)
	}
	if n := watched(); n != 0 {
		t.Fatalf("%d %ss polled before anyone watches", n, what)
	}
	r1, stop1 := open()
	r2, stop2 := open()
	if n := watched(); n != 1 {
		t.Fatalf("two streams on one %s: %d pollers", what, n)
	}
	stop1()
	r1.Body.Close()
	time.Sleep(100 * time.Millisecond)
	if n := watched(); n != 1 {
		t.Fatalf("one stream left: %d pollers", n)
	}
	stop2()
	r2.Body.Close()
	eventually("the poller to stop", func() bool { return watched() == 0 })

	// Close ends the open streams (the browser reconnects elsewhere).
	r3, stop3 := open()
	defer stop3()
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, r3.Body)
		close(done)
	}()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("Close left the %s's stream open", what)
	}
	eventually("the watchers to leave", func() bool { return watched() == 0 })
}
