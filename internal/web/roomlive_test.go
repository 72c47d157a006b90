package web

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"ggzy/internal/fixture"
	"ggzy/internal/money"
	"ggzy/internal/testkit"
)

// A room is polled only while someone watches it: the poller starts with
// the first stream and stops with the last; Close ends the streams.
func TestRoomPollerFollowsItsWatchers(t *testing.T) {
	w := fixture.New(t, testkit.OpenSQLite(t))
	h, err := New(w.HTTPDeps())
	if err != nil {
		t.Fatal(err)
	}
	s := h.(*server)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	l := w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00+int64(i)*100_000_00))
	}
	w.PassDeadline(t, l.ID)
	w.Committee(t, l.ID)

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := azCSRF.FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("no form token")
	}
	res, err = c.PostForm(ts.URL+"/login", url.Values{"csrf": {html.UnescapeString(m[1])}, "username": {"supervisor"}, "password": {fixture.Password}, "next": {"/console"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	open := func() (*http.Response, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/console/lots/"+string(l.ID)+"/room/events", nil)
		res, err := c.Do(req)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("stream: %v %v", err, res)
		}
		buf := make([]byte, 32)
		if n, _ := res.Body.Read(buf); !strings.HasPrefix(string(buf[:n]), "retry:") {
			t.Fatalf("stream opens with %q", buf[:n])
		}
		return res, cancel
	}
	eventually := func(what string, cond func() bool) {
		t.Helper()
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if cond() {
				return
			}
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	if s.live.watched() != 0 {
		t.Fatalf("%d rooms polled before anyone watches", s.live.watched())
	}
	r1, stop1 := open()
	r2, stop2 := open()
	if n := s.live.watched(); n != 1 {
		t.Fatalf("two streams on one room: %d pollers", n)
	}
	stop1()
	r1.Body.Close()
	time.Sleep(100 * time.Millisecond)
	if n := s.live.watched(); n != 1 {
		t.Fatalf("one stream left: %d pollers", n)
	}
	stop2()
	r2.Body.Close()
	eventually("the poller to stop", func() bool { return s.live.watched() == 0 })

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
		t.Fatal("Close left the stream open")
	}
	eventually("the watchers to leave", func() bool { return s.live.watched() == 0 })
}
