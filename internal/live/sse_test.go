package live

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStream(t *testing.T) {
	t.Run("SendsHeadersAndRetryThenEventsInOrder", func(t *testing.T) {
		h := NewHub(Options{})
		srv := serve(t, h)
		c := connect(t, srv.URL+"/live/room1", "")
		for k, want := range map[string]string{
			"Content-Type":      "text/event-stream",
			"Cache-Control":     "no-cache",
			"X-Accel-Buffering": "no",
		} {
			if got := c.resp.Header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if r := c.nextAny(t); r.retry != "2000" {
			t.Fatalf("first record %+v, want retry: 2000", r)
		}
		for i := 1; i <= 50; i++ {
			h.Publish("room1", "score", []byte(fmt.Sprintf(`{"n":%d}`, i)))
			h.Publish("room2", "score", nil) // another topic: not on this stream
		}
		for i := 1; i <= 50; i++ {
			r := c.next(t)
			if r.id != strconv.Itoa(i) || r.typ != "score" || r.data != fmt.Sprintf(`{"n":%d}`, i) {
				t.Fatalf("event %d: %+v", i, r)
			}
		}
	})
	t.Run("WithoutLastEventIDStartsWithTheNextEvent", func(t *testing.T) {
		h := NewHub(Options{})
		srv := serve(t, h)
		h.Publish("a", "old", nil)
		c := connect(t, srv.URL+"/live/a", "")
		c.nextAny(t) // retry
		h.Publish("a", "new", nil)
		if r := c.next(t); r.id != "2" || r.typ != "new" {
			t.Fatalf("got %+v, want event 2", r)
		}
	})
	t.Run("QueryParameterIsAFallbackForLastEventID", func(t *testing.T) {
		h := NewHub(Options{})
		srv := serve(t, h)
		for i := 0; i < 5; i++ {
			h.Publish("a", "", nil)
		}
		c := connect(t, srv.URL+"/live/a?lastEventId=3", "")
		if r := c.next(t); r.id != "4" {
			t.Fatalf("got %+v, want 4 (query parameter)", r)
		}
		c = connect(t, srv.URL+"/live/a?lastEventId=1", "4")
		if r := c.next(t); r.id != "5" {
			t.Fatalf("got %+v, want 5 (header wins)", r)
		}
	})
	t.Run("ResumesWithLastEventIDWithoutLossOrDuplicates", func(t *testing.T) {
		const n = 3000
		h := NewHub(Options{Buffer: 4096})
		srv := serve(t, h)
		go func() {
			for i := 1; i <= n; i++ {
				h.Publish("auction", "bid", []byte(fmt.Sprintf(`{"price":%d}`, i)))
				if i%20 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}()
		var got []string
		last, reconnects := "0", 0
		for len(got) < n {
			c := connect(t, srv.URL+"/live/auction", last)
			for k := 0; k < 97+reconnects*31 && len(got) < n; k++ {
				r := c.next(t)
				if r.typ != "bid" {
					t.Fatalf("unexpected %+v after %s", r, last)
				}
				got = append(got, r.id)
				last = r.id
			}
			c.close() // mid-stream, as a dropped connection would
			reconnects++
		}
		for i, id := range got {
			if id != strconv.Itoa(i+1) {
				t.Fatalf("event %d has id %s (after %d reconnects): lost or duplicated", i+1, id, reconnects)
			}
		}
		if reconnects < 10 {
			t.Fatalf("only %d reconnects", reconnects)
		}
	})
	t.Run("ReplaysLongBacklogsAndLargeEvents", func(t *testing.T) {
		h := NewHub(Options{Buffer: 2000})
		srv := serve(t, h)
		for i := 1; i <= 1500; i++ {
			h.Publish("a", "bid", []byte(strconv.Itoa(i)))
		}
		big := strings.Repeat("y", 100<<10)
		h.Publish("a", "doc", []byte(big))
		c := connect(t, srv.URL+"/live/a", "0")
		for i := 1; i <= 1500; i++ {
			if r := c.next(t); r.id != strconv.Itoa(i) || r.data != strconv.Itoa(i) {
				t.Fatalf("event %d: %+v", i, r)
			}
		}
		if r := c.next(t); r.id != "1501" || r.data != big {
			t.Fatalf("large event: id %s, %d bytes", r.id, len(r.data))
		}
	})
	t.Run("ResumesOnAnotherHubWithSharedIDs", func(t *testing.T) {
		// Two processes fed the same database sequence (PublishAt) agree on
		// IDs, so a browser can move from one to the other.
		a, b := NewHub(Options{}), NewHub(Options{})
		srvA, srvB := serve(t, a), serve(t, b)
		for _, id := range []uint64{101, 104, 105, 109} {
			for _, h := range []*Hub{a, b} {
				h.PublishAt("room", Event{ID: id, Type: "score", Data: []byte(strconv.FormatUint(id, 10))})
			}
		}
		c := connect(t, srvA.URL+"/live/room", "100")
		if r := c.next(t); r.id != "101" {
			t.Fatalf("got %+v", r)
		}
		if r := c.next(t); r.id != "104" {
			t.Fatalf("got %+v", r)
		}
		c.close()
		c = connect(t, srvB.URL+"/live/room", "104")
		if r := c.next(t); r.id != "105" {
			t.Fatalf("got %+v", r)
		}
		b.PublishAt("room", Event{ID: 109, Type: "score"}) // duplicate notification
		b.PublishAt("room", Event{ID: 112, Type: "score"})
		for _, want := range []string{"109", "112"} {
			if r := c.next(t); r.id != want {
				t.Fatalf("got %+v, want %s", r, want)
			}
		}
	})
	t.Run("ResetWhenLastEventIDIsTooOld", func(t *testing.T) {
		h := NewHub(Options{Buffer: 8})
		srv := serve(t, h)
		for i := 0; i < 20; i++ {
			h.Publish("a", "bid", nil)
		}
		c := connect(t, srv.URL+"/live/a", "5")
		if r := c.next(t); r.typ != "reset" || r.id != "20" || r.data != `{"last":20}` {
			t.Fatalf("got %+v, want reset with id 20", r)
		}
		h.Publish("a", "bid", nil)
		if r := c.next(t); r.id != "21" {
			t.Fatalf("after reset got %+v, want 21", r)
		}
		// 14..21 are buffered: 13 is the oldest ID that still resumes.
		c = connect(t, srv.URL+"/live/a", "12")
		if r := c.next(t); r.typ != "reset" || r.id != "21" {
			t.Fatalf("got %+v, want reset at 21", r)
		}
		c = connect(t, srv.URL+"/live/a", "13")
		if r := c.next(t); r.id != "14" || r.typ != "bid" {
			t.Fatalf("got %+v, want 14", r)
		}
	})
	t.Run("ResetWhenLastEventIDIsUnknownOrInvalid", func(t *testing.T) {
		h := NewHub(Options{})
		srv := serve(t, h)
		h.Publish("a", "bid", nil)
		for _, id := range []string{"7", "abc", "-1"} {
			c := connect(t, srv.URL+"/live/a", id)
			if r := c.next(t); r.typ != "reset" || r.id != "1" {
				t.Fatalf("Last-Event-ID %q: got %+v, want reset at 1", id, r)
			}
		}
	})
	t.Run("MultiLineData", func(t *testing.T) {
		h := NewHub(Options{})
		srv := serve(t, h)
		c := connect(t, srv.URL+"/live/a", "0")
		for _, data := range []string{"{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}", "x\r\ny\rz", "", "trailing\n", "\n"} {
			h.Publish("a", "doc", []byte(data))
			want := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(data)
			if r := c.next(t); r.data != want || r.typ != "doc" {
				t.Fatalf("published %q, client got %+v, want data %q", data, r, want)
			}
		}
		h.Publish("a", "evil\n\ndata: injected", []byte("1"))
		if r := c.next(t); r.typ != "evildata: injected" || r.data != "1" {
			t.Fatalf("got %+v", r)
		}
	})
	t.Run("Heartbeat", func(t *testing.T) {
		h := NewHub(Options{Heartbeat: 30 * time.Millisecond})
		srv := serve(t, h)
		c := connect(t, srv.URL+"/live/a", "")
		c.nextAny(t) // retry
		start := time.Now()
		if r := c.nextAny(t); !r.comment {
			t.Fatalf("got %+v, want a comment", r)
		}
		if d := time.Since(start); d < 20*time.Millisecond {
			t.Fatalf("heartbeat after %v", d)
		}
		h.Publish("a", "bid", nil)
		if r := c.nextAny(t); r.id != "1" {
			t.Fatalf("got %+v", r)
		}
		if r := c.nextAny(t); !r.comment {
			t.Fatalf("got %+v, want heartbeat to resume after the event", r)
		}
	})
	t.Run("TopicErrorAndMethod", func(t *testing.T) {
		h := NewHub(Options{OnError: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, err.Error(), http.StatusForbidden)
		}})
		mux := http.NewServeMux()
		mux.Handle("/live/{topic}", h.Handler(topicFromPath))
		srv := httptest.NewServer(mux)
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/live/forbidden1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d", resp.StatusCode)
		}
		resp, err = http.Post(srv.URL+"/live/a", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Fatalf("POST: %d %v", resp.StatusCode, resp.Header)
		}
		resp, err = http.Head(srv.URL + "/live/a")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" || h.Stats().Subscribers != 0 {
			t.Fatalf("HEAD: %d %v %+v", resp.StatusCode, resp.Header, h.Stats())
		}
	})
}

// A client that stops reading is cut off by the write deadline, while
// Publish carries on and a reading client misses nothing.
func TestStalledClientIsDroppedAndPublishNeverBlocks(t *testing.T) {
	const writeTimeout = 2 * time.Second
	h := NewHub(Options{WriteTimeout: writeTimeout, Buffer: 2048})
	srv := serve(t, h)
	fast := connect(t, srv.URL+"/live/a", "")

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	fmt.Fprintf(conn, "GET /live/a HTTP/1.1\r\nHost: test\r\n\r\n")
	eventually(t, "both clients subscribed", func() bool { return h.Stats().Subscribers == 2 })

	const n = 1500
	payload := []byte(`"` + strings.Repeat("x", 16<<10) + `"`) // n×16KiB outgrows socket buffers
	var (
		wg       sync.WaitGroup
		received int
		bad      error
	)
	wg.Add(1)
	go func() { // the fast client keeps reading
		defer wg.Done()
		for i := 1; i <= n; i++ {
			select {
			case r, ok := <-fast.recs:
				if !ok {
					bad = errors.New("fast client's stream ended")
					return
				}
				if r.comment || r.retry != "" {
					i--
					continue
				}
				if r.id != strconv.Itoa(i) {
					bad = fmt.Errorf("fast client got id %s, want %d", r.id, i)
					return
				}
				received++
			case <-time.After(10 * time.Second):
				bad = fmt.Errorf("fast client stuck after %d events", received)
				return
			}
		}
	}()
	var slowest time.Duration
	begin := time.Now()
	for i := 0; i < n; i++ {
		start := time.Now()
		h.Publish("a", "blob", payload)
		slowest = max(slowest, time.Since(start))
	}
	wg.Wait()
	if bad != nil {
		t.Fatal(bad)
	}
	t.Logf("published and delivered %d×16KiB in %v with a stalled subscriber attached: %+v", n, time.Since(begin), h.Stats())
	eventually(t, "the stalled client is dropped", func() bool {
		s := h.Stats()
		return s.Subscribers == 1 && s.Dropped >= 1
	})
	t.Logf("slowest Publish %v; stats %+v", slowest, h.Stats())
	if slowest > writeTimeout/2 {
		t.Fatalf("a Publish took %v: it waited for a subscriber", slowest)
	}
	h.Publish("a", "after", nil)
	if r := fast.next(t); r.typ != "after" {
		t.Fatalf("fast client got %+v", r)
	}
}

// gatedWriter is a ResponseWriter whose writes block once armed, as a stuck
// client's would, until released.
type gatedWriter struct {
	hdr     http.Header
	mu      sync.Mutex
	out     bytes.Buffer
	flushes int
	armed   bool
	blocked chan struct{} // closed when a write blocks
	release chan struct{}
}

func newGatedWriter() *gatedWriter {
	return &gatedWriter{hdr: http.Header{}, blocked: make(chan struct{}), release: make(chan struct{})}
}

func (g *gatedWriter) Header() http.Header { return g.hdr }
func (g *gatedWriter) WriteHeader(int)     {}
func (g *gatedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	armed := g.armed
	g.mu.Unlock()
	if armed {
		select {
		case <-g.blocked:
		default:
			close(g.blocked)
		}
		<-g.release
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.out.Write(p)
}
func (g *gatedWriter) Flush() {
	g.mu.Lock()
	g.flushes++
	g.mu.Unlock()
}
func (g *gatedWriter) arm() { g.mu.Lock(); g.armed = true; g.mu.Unlock() }
func (g *gatedWriter) snapshot() (string, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.out.String(), g.flushes
}

// serveDirect runs the handler on w in the background; the returned channel
// is closed when it returns.
func serveDirect(ctx context.Context, h *Hub, w http.ResponseWriter, target, lastID string) <-chan struct{} {
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if lastID != "" {
		r.Header.Set("Last-Event-ID", lastID)
	}
	done := make(chan struct{})
	handler := h.Handler(func(r *http.Request) (string, error) { return strings.TrimPrefix(r.URL.Path, "/"), nil })
	go func() { defer close(done); handler.ServeHTTP(w, r) }()
	return done
}

// A stream whose client is so slow that unread events leave the buffer ends,
// so that the browser reconnects and gets a reset.
func TestLaggingStreamIsDropped(t *testing.T) {
	h := NewHub(Options{Buffer: 16})
	w := newGatedWriter()
	done := serveDirect(context.Background(), h, w, "/a", "0")
	eventually(t, "subscribed", func() bool { return h.Stats().Subscribers == 1 })
	w.arm()
	h.Publish("a", "bid", nil)
	<-w.blocked
	start := time.Now()
	for i := 0; i < 100; i++ {
		h.Publish("a", "bid", nil)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("publishing past a stuck writer took %v", d)
	}
	close(w.release)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("lagging stream was not dropped")
	}
	if s := h.Stats(); s.Subscribers != 0 || s.Dropped != 1 {
		t.Fatalf("stats %+v", s)
	}
	out, _ := w.snapshot()
	if !strings.HasPrefix(out, retryLine+"id: 1\n") || strings.Contains(out, "id: 101\n") {
		t.Fatalf("output %q", out)
	}
}

func TestFlushEveryCoalescesWrites(t *testing.T) {
	run := func(every time.Duration) (flushes int, took time.Duration, out string) {
		h := NewHub(Options{FlushEvery: every})
		w := newGatedWriter()
		ctx, cancel := context.WithCancel(context.Background())
		done := serveDirect(ctx, h, w, "/a", "")
		eventually(t, "subscribed", func() bool { return h.Stats().Subscribers == 1 })
		_, before := w.snapshot() // the retry line's
		start := time.Now()
		for i := 0; i < 40; i++ {
			h.Publish("a", "bid", nil)
			time.Sleep(2 * time.Millisecond)
		}
		eventually(t, "all delivered", func() bool { o, _ := w.snapshot(); return strings.Contains(o, "id: 40\n") })
		took = time.Since(start)
		cancel()
		<-done
		out, flushes = w.snapshot()
		return flushes - before, took, out
	}
	const window = 100 * time.Millisecond
	batched, took, out := run(window)
	for i := 1; i <= 40; i++ {
		if !strings.Contains(out, fmt.Sprintf("id: %d\n", i)) {
			t.Fatalf("event %d missing from %q", i, out)
		}
	}
	eager, _, _ := run(0)
	t.Logf("flushes for 40 events 2ms apart: %d in %v with FlushEvery=%v, %d with 0", batched, took, window, eager)
	if limit := int(took/window) + 2; batched > limit {
		t.Fatalf("%d flushes in %v with a %v window, want ≤ %d", batched, took, window, limit)
	}
	if eager <= batched {
		t.Fatalf("FlushEvery=0 flushed %d times, no more than batched %d", eager, batched)
	}
}

func TestCancellationReleasesGoroutines(t *testing.T) {
	h := NewHub(Options{Heartbeat: 20 * time.Millisecond})
	srv := serve(t, h)
	h.Publish("a", "x", nil)
	base := runtime.NumGoroutine()
	var clients []*client
	const n = 2 * wakeInline
	for i := 0; i < n; i++ {
		clients = append(clients, connect(t, srv.URL+"/live/a", "0"))
	}
	eventually(t, "all subscribed", func() bool { return h.Stats().Subscribers == n })
	if runtime.NumGoroutine() < base+n {
		t.Fatalf("expected at least one goroutine per stream")
	}
	for i := 0; i < 10; i++ {
		h.Publish("a", "x", nil)
	}
	for _, c := range clients {
		if r := c.next(t); r.id != "1" {
			t.Fatalf("got %+v", r)
		}
	}
	for _, c := range clients {
		c.close()
	}
	eventually(t, "no subscribers", func() bool { return h.Stats().Subscribers == 0 })
	settleGoroutines(t, base)
}

func TestCloseEndsStreams(t *testing.T) {
	h := NewHub(Options{})
	srv := serve(t, h)
	base := runtime.NumGoroutine()
	c := connect(t, srv.URL+"/live/a", "")
	c.nextAny(t)
	sub := h.Subscribe("a", 0)
	h.Close()
	if !c.ended(5 * time.Second) {
		t.Fatal("stream still open after Close")
	}
	if _, err := sub.Next(context.Background(), nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after Close: %v", err)
	}
	sub.Close()
	// A new stream is told to retry and ends.
	resp, err := http.Get(srv.URL + "/live/a")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != retryLine {
		t.Fatalf("body after Close %q", body)
	}
	if s := h.Stats(); s.Subscribers != 0 {
		t.Fatalf("stats %+v", s)
	}
	settleGoroutines(t, base)
}

// The stream parses as the browser's EventSource would, checked here on the
// raw bytes rather than through the test client.
func TestWireFormat(t *testing.T) {
	h := NewHub(Options{})
	w := newGatedWriter()
	ctx, cancel := context.WithCancel(context.Background())
	h.Publish("a", "bid", []byte("{\"p\":1,\n\"q\":2}"))
	h.Publish("a", "", []byte(`3`))
	done := serveDirect(ctx, h, w, "/a", "0")
	eventually(t, "written", func() bool { o, _ := w.snapshot(); return strings.Contains(o, "id: 2\n") })
	cancel()
	<-done
	out, _ := w.snapshot()
	want := "retry: 2000\n\nid: 1\nevent: bid\ndata: {\"p\":1,\ndata: \"q\":2}\n\nid: 2\ndata: 3\n\n"
	if out != want {
		t.Fatalf("wire\n%q\nwant\n%q", out, want)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.Contains(l, ":") {
			t.Fatalf("line without a field: %q", l)
		}
	}
}
