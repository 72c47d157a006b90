package live

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// retryLine opens every stream: the browser waits 2s before reconnecting.
const retryLine = "retry: 2000\n\n"

// writeChunk is the most a stream buffers before handing bytes to the
// ResponseWriter.
const writeChunk = 32 << 10

// Handler returns the SSE endpoint for the topic that topicOf names for a
// request; its error is answered by Options.OnError (authorise there or
// before). The stream resumes after the Last-Event-ID header or the
// lastEventId query parameter, as described in the package documentation, and
// runs until the client goes away, the subscriber is dropped, or Hub.Close.
// It accepts GET and HEAD.
func (h *Hub) Handler(topicOf func(*http.Request) (string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		name, err := topicOf(r)
		if err != nil {
			h.opts.OnError(w, r, err)
			return
		}
		hdr := w.Header()
		hdr.Set("Content-Type", "text/event-stream")
		hdr.Set("Cache-Control", "no-cache")
		hdr.Set("X-Accel-Buffering", "no")
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusOK)
			return
		}
		st := &stream{h: h, w: w, rc: http.NewResponseController(w), ctx: r.Context(), deadlines: h.opts.WriteTimeout > 0}
		defer st.finish()
		st.buf = append(st.buf, retryLine...)
		if h.closed.Load() {
			st.flush() // tell the client to come back (elsewhere), then end
			return
		}
		after, from := lastEventID(r)
		sub := h.subscribe(name, after, from)
		defer sub.Close()
		st.run(sub)
	})
}

// lastEventID reads where the client wants to resume.
func lastEventID(r *http.Request) (uint64, start) {
	v := strings.TrimSpace(r.Header.Get("Last-Event-ID"))
	if v == "" {
		v = strings.TrimSpace(r.URL.Query().Get("lastEventId"))
	}
	if v == "" {
		return 0, fromNow
	}
	id, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fromReset
	}
	return id, fromID
}

// stream writes one subscriber's events to one response.
type stream struct {
	h         *Hub
	w         http.ResponseWriter
	rc        *http.ResponseController
	ctx       context.Context
	buf       []byte
	deadlines bool      // keep a write deadline on the connection
	deadline  time.Time // the current one
	failed    bool      // a write failed; the connection is done
	heartbeat *time.Timer
	coalesce  *time.Timer
	lastFlush time.Time
}

func (st *stream) run(sub *Subscription) {
	h := st.h
	var beat <-chan time.Time
	if h.opts.Heartbeat > 0 {
		st.heartbeat = time.NewTimer(h.opts.Heartbeat)
		defer st.heartbeat.Stop()
		beat = st.heartbeat.C
	}
	defer func() {
		if st.coalesce != nil {
			st.coalesce.Stop()
		}
	}()
	for {
		// Take everything queued; write it in one go.
		var wake <-chan struct{}
		for {
			var err error
			sub.buf, wake, err = sub.fetch(sub.buf[:0])
			for i := range sub.buf {
				st.buf = appendEvent(st.buf, sub.buf[i])
				sub.buf[i] = nil
				if len(st.buf) >= writeChunk && !st.write() {
					return
				}
			}
			if err != nil {
				return // dropped: the client reconnects and gets a reset
			}
			if len(sub.buf) < maxBatch {
				break
			}
		}
		if len(st.buf) > 0 && !st.flush() {
			return
		}
		select {
		case <-wake:
			if h.opts.FlushEvery > 0 && !st.hold() {
				return
			}
		case <-beat:
			// The timer is not pushed back on every flush (that would cost a
			// timer update per event per stream); it checks when it fires.
			if idle := time.Since(st.lastFlush); idle < h.opts.Heartbeat {
				st.heartbeat.Reset(h.opts.Heartbeat - idle)
				continue
			}
			st.buf = append(st.buf, ":\n"...)
			if !st.flush() {
				return
			}
			st.heartbeat.Reset(h.opts.Heartbeat)
		case <-st.ctx.Done():
			return
		case <-h.done:
			return
		}
	}
}

// hold waits out the rest of the coalescing window that began with the last
// flush, so that what is published meanwhile goes out in the same flush. It
// reports false when the stream should end.
func (st *stream) hold() bool {
	d := time.Until(st.lastFlush.Add(st.h.opts.FlushEvery))
	if d <= 0 {
		return true
	}
	if st.coalesce == nil {
		st.coalesce = time.NewTimer(d)
	} else {
		st.coalesce.Reset(d)
	}
	select {
	case <-st.coalesce.C:
		return true
	case <-st.ctx.Done():
		return false
	case <-st.h.done:
		return false
	}
}

// write hands the buffered bytes to the response writer. The write deadline
// is renewed once half of it is used up, so a client that takes nothing is
// cut off after between WriteTimeout/2 and WriteTimeout.
func (st *stream) write() bool {
	if st.deadlines {
		now := time.Now()
		if st.deadline.Sub(now) < st.h.opts.WriteTimeout/2 {
			st.deadline = now.Add(st.h.opts.WriteTimeout)
			if err := st.rc.SetWriteDeadline(st.deadline); errors.Is(err, http.ErrNotSupported) {
				st.deadlines = false
			}
		}
	}
	_, err := st.w.Write(st.buf)
	if cap(st.buf) > writeChunk {
		st.buf = nil // do not keep a burst's buffer for the life of the stream
	} else {
		st.buf = st.buf[:0]
	}
	return st.check(err)
}

// flush writes the buffered bytes and flushes them to the client.
func (st *stream) flush() bool {
	if !st.write() || !st.check(st.rc.Flush()) {
		return false
	}
	st.lastFlush = time.Now()
	return true
}

func (st *stream) check(err error) bool {
	if err == nil || errors.Is(err, http.ErrNotSupported) {
		return true // a writer that cannot flush delivers late, not never
	}
	st.failed = true
	if errors.Is(err, os.ErrDeadlineExceeded) {
		st.h.dropped.Add(1) // the client stopped reading
	}
	return false
}

// finish bounds the server's last write (the end of the chunked body) when the
// stream ended cleanly; net/http clears the deadline before reusing the
// connection. After a failed write the connection is left to fail.
func (st *stream) finish() {
	if st.deadlines && !st.failed {
		st.rc.SetWriteDeadline(time.Now().Add(st.h.opts.WriteTimeout))
	}
}
