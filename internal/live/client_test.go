package live

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// rec is one thing a test client read from a stream, parsed as a browser
// would: an event (dispatched at a blank line), a comment, or a retry field.
type rec struct {
	id, typ, data string
	hasID         bool
	comment       bool
	retry         string
}

// client is an EventSource stand-in reading one stream.
type client struct {
	resp   *http.Response
	recs   chan rec
	cancel context.CancelFunc
	done   chan struct{}
}

func topicFromPath(r *http.Request) (string, error) {
	t := r.PathValue("topic")
	if t == "" || strings.HasPrefix(t, "forbidden") {
		return "", fmt.Errorf("no topic %q", t)
	}
	return t, nil
}

// serve starts a test server with the hub's handler at /live/{topic}.
func serve(t testing.TB, h *Hub) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /live/{topic}", h.Handler(topicFromPath))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	return srv
}

// connect opens a stream; lastID, when not empty, is sent as Last-Event-ID.
func connect(t testing.TB, url, lastID string) *client {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	c := &client{resp: resp, recs: make(chan rec, 1<<16), cancel: cancel, done: make(chan struct{})}
	go c.read()
	t.Cleanup(c.close)
	return c
}

func (c *client) close() {
	c.cancel()
	<-c.done
	c.resp.Body.Close()
}

func (c *client) read() {
	defer close(c.done)
	defer close(c.recs)
	br := bufio.NewReader(c.resp.Body)
	var cur rec
	var data []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if data != nil {
				cur.data = strings.Join(data, "\n")
				c.recs <- cur
			} else if cur.retry != "" {
				c.recs <- rec{retry: cur.retry}
			}
			cur, data = rec{}, nil
			continue
		}
		if strings.HasPrefix(line, ":") {
			c.recs <- rec{comment: true}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			cur.id, cur.hasID = value, true
		case "event":
			cur.typ = value
		case "data":
			data = append(data, value)
		case "retry":
			cur.retry = value
		}
	}
}

// next returns the next event, skipping comments and retry fields.
func (c *client) next(t testing.TB) rec {
	t.Helper()
	for {
		r := c.nextAny(t)
		if !r.comment && r.retry == "" {
			return r
		}
	}
}

func (c *client) nextAny(t testing.TB) rec {
	t.Helper()
	select {
	case r, ok := <-c.recs:
		if !ok {
			t.Fatal("stream ended")
		}
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for the stream")
	}
	panic("unreachable")
}

// ended reports whether the server ended the stream within d.
func (c *client) ended(d time.Duration) bool {
	timeout := time.After(d)
	for {
		select {
		case _, ok := <-c.recs:
			if !ok {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

// eventually polls cond until it holds or 5s pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settleGoroutines waits until the goroutine count is back to at most n.
func settleGoroutines(t testing.TB, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want ≤ %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		time.Sleep(10 * time.Millisecond)
	}
}
