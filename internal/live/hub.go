package live

import (
	"bytes"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Event is one message on a topic. Data is JSON; the hub keeps it as given and
// hands the same bytes to every reader, who must not modify them.
type Event struct {
	ID   uint64
	Type string
	Data []byte
}

// ResetType is the type of the event that tells a client its Last-Event-ID can
// no longer be served and it must reload its state.
const ResetType = "reset"

// Options configures a Hub. Zero values take the defaults.
type Options struct {
	// Buffer is the number of events kept per topic for resumption. Default 1024.
	Buffer int
	// Heartbeat is the silence after which a stream gets a ":" comment line.
	// Default 15s; negative disables.
	Heartbeat time.Duration
	// FlushEvery is the coalescing window: a stream flushes at most once per
	// window. Default 0, flush as soon as woken (e.g. 20ms batches writes).
	FlushEvery time.Duration
	// WriteTimeout bounds each write to a client; a client that does not take
	// the bytes within it is dropped. Default 10s; negative disables.
	WriteTimeout time.Duration
	// IdleTTL is how long a topic with no subscribers and no publishes is
	// kept. Default 10 minutes.
	IdleTTL time.Duration
	// OnError answers a request whose topic function failed. Default: 404.
	OnError func(w http.ResponseWriter, r *http.Request, err error)
}

// Stats is a snapshot of a hub, for metrics.
type Stats struct {
	Topics      int    // topics held
	Subscribers int    // open streams and Subscriptions
	Dropped     uint64 // subscribers dropped for falling behind or not reading
}

var (
	// ErrLagged is returned by Subscription.Next when events it had not read
	// were pushed out of the ring. Resubscribe (and reload state).
	ErrLagged = errors.New("live: subscriber fell behind the buffer")
	// ErrClosed is returned by Subscription.Next after Hub.Close or
	// Subscription.Close.
	ErrClosed = errors.New("live: closed")
)

// wakeInline is the number of subscribers up to which Publish wakes them
// itself.
const wakeInline = 64

// maxBatch bounds the events a subscriber takes per read.
const maxBatch = 256

// Hub is a set of topics. Its methods are safe for concurrent use.
type Hub struct {
	opts Options

	mu     sync.RWMutex
	topics map[string]*topic

	lastSweep atomic.Int64 // unix nanoseconds
	subs      atomic.Int64
	dropped   atomic.Uint64
	closed    atomic.Bool
	done      chan struct{}
	closeOnce sync.Once
}

// NewHub returns a hub with the given options.
func NewHub(opts Options) *Hub {
	if opts.Buffer <= 0 {
		opts.Buffer = 1024
	}
	if opts.Heartbeat == 0 {
		opts.Heartbeat = 15 * time.Second
	}
	if opts.FlushEvery < 0 {
		opts.FlushEvery = 0
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = 10 * time.Second
	}
	if opts.IdleTTL <= 0 {
		opts.IdleTTL = 10 * time.Minute
	}
	if opts.OnError == nil {
		opts.OnError = func(w http.ResponseWriter, _ *http.Request, _ error) {
			http.Error(w, http.StatusText(http.StatusNotFound), http.StatusNotFound)
		}
	}
	h := &Hub{opts: opts, topics: map[string]*topic{}, done: make(chan struct{})}
	h.lastSweep.Store(time.Now().UnixNano())
	return h
}

// entry is an event in a ring with its SSE encoding minus the id line. It is
// immutable once published.
type entry struct {
	ord  uint64 // position in the topic's history, counted from 0
	ev   Event
	body []byte
}

// ring holds the retained events, the one with ordinal o at o % len.
type ring []atomic.Pointer[entry]

// A topic is written under mu and read without locks: a subscriber loads
// wake, then seq, then ring, then the slots it wants, and knows a slot was
// overwritten (it lagged) by the entry's ordinal. Publishing stores the slot,
// then seq, then swaps and closes wake, so a reader either sees the new event
// or holds the channel that gets closed.
type topic struct {
	ring atomic.Pointer[ring]
	seq  atomic.Uint64                 // ordinal of the next event
	wake atomic.Pointer[chan struct{}] // closed and replaced on publish while there are subscribers

	mu    sync.Mutex
	first uint64 // oldest retained ordinal
	// base: events with ID ≤ base are not retained (evicted, or before the
	// first event this hub saw); every event with base < ID ≤ last is.
	base    uint64
	last    uint64
	subs    int
	touched time.Time // last publish, or last unsubscribe
	dead    bool      // dropped from the hub; look it up again
}

func newTopic() *topic {
	t := &topic{touched: time.Now()}
	w := make(chan struct{})
	t.wake.Store(&w)
	return t
}

// at returns the retained entry with ordinal o; t.mu is held.
func (t *topic) at(o uint64) *entry {
	r := *t.ring.Load()
	return r[o%uint64(len(r))].Load()
}

// ordAfter is the ordinal of the first retained event with ID > after; t.mu
// is held.
func (t *topic) ordAfter(after uint64) uint64 {
	seq := t.seq.Load()
	return t.first + uint64(sort.Search(int(seq-t.first), func(i int) bool {
		return t.at(t.first+uint64(i)).ev.ID > after
	}))
}

// complete reports whether every event after the given ID is retained.
func (t *topic) complete(after uint64) bool { return t.base <= after && after <= t.last }

// append publishes e; t.mu is held.
func (t *topic) append(e *entry, capacity int, now time.Time) {
	seq := t.seq.Load()
	n := seq - t.first
	var r ring
	if p := t.ring.Load(); p != nil {
		r = *p
	}
	if n == uint64(len(r)) && len(r) < capacity {
		grown := make(ring, min(max(2*len(r), 16), capacity))
		for o := t.first; o < seq; o++ {
			grown[o%uint64(len(grown))].Store(r[o%uint64(len(r))].Load())
		}
		t.ring.Store(&grown)
		r = grown
	}
	slot := &r[seq%uint64(len(r))]
	if n == uint64(len(r)) { // full: the oldest goes
		t.base = slot.Load().ev.ID
		t.first++
	}
	e.ord = seq
	slot.Store(e)
	t.seq.Store(seq + 1)
	t.last = e.ev.ID
	t.touched = now
	if t.subs > 0 {
		w := make(chan struct{})
		old := *t.wake.Swap(&w)
		if t.subs < wakeInline {
			close(old)
		} else {
			// Waking thousands of parked goroutines costs the closer ~0.4µs
			// each; let another goroutine pay it, not the publisher.
			go close(old)
		}
	}
}

// topic returns the named topic, creating it when create is set. The caller
// must lock it and check dead.
func (h *Hub) topic(name string, create bool) *topic {
	h.maybeSweep()
	h.mu.RLock()
	t := h.topics[name]
	h.mu.RUnlock()
	if t != nil || !create {
		return t
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if t = h.topics[name]; t == nil {
		t = newTopic()
		h.topics[name] = t
	}
	return t
}

// maybeSweep drops idle topics, at most twice per IdleTTL.
func (h *Hub) maybeSweep() {
	now := time.Now()
	last := h.lastSweep.Load()
	if now.UnixNano()-last < int64(h.opts.IdleTTL/2) || !h.lastSweep.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, t := range h.topics {
		t.mu.Lock()
		if t.subs == 0 && now.Sub(t.touched) >= h.opts.IdleTTL {
			t.dead = true
			delete(h.topics, name)
		}
		t.mu.Unlock()
	}
}

// lock returns the named topic, created if need be, locked for writing.
func (h *Hub) lock(name string) *topic {
	for {
		t := h.topic(name, true)
		t.mu.Lock()
		if !t.dead {
			return t
		}
		t.mu.Unlock()
	}
}

// Publish appends an event with the topic's next ID and wakes its
// subscribers. It never waits for them. The hub keeps data: do not modify it
// afterwards. CR, LF and NUL are removed from typ.
func (h *Hub) Publish(topic, typ string, data []byte) Event {
	typ = cleanType(typ)
	body := encodeBody(typ, data)
	now := time.Now()
	t := h.lock(topic)
	defer t.mu.Unlock()
	ev := Event{ID: t.last + 1, Type: typ, Data: data}
	t.append(&entry{ev: ev, body: body}, h.opts.Buffer, now)
	return ev
}

// PublishAt appends an event whose ID the caller owns (e.g. a database
// sequence number) and reports whether it was new: an ID not above the
// topic's last one is ignored. The first event a topic gets this way marks
// the start of what the hub can replay: clients resuming from an earlier ID
// get a reset. The hub keeps ev.Data: do not modify it afterwards.
func (h *Hub) PublishAt(topic string, ev Event) bool {
	ev.Type = cleanType(ev.Type)
	now := time.Now()
	t := h.lock(topic)
	defer t.mu.Unlock()
	if ev.ID <= t.last {
		return false
	}
	if t.seq.Load() == 0 {
		t.base = ev.ID - 1
	}
	t.append(&entry{ev: ev, body: encodeBody(ev.Type, ev.Data)}, h.opts.Buffer, now)
	return true
}

// Since returns the buffered events of a topic with ID > after, oldest first,
// and whether they are all the events after that ID. It is false when after is
// older than the buffer, or newer than the topic's last ID, or the topic is
// unknown and after > 0.
func (h *Hub) Since(topic string, after uint64) (events []Event, complete bool) {
	t := h.topic(topic, false)
	if t == nil {
		return nil, after == 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for o, end := t.ordAfter(after), t.seq.Load(); o < end; o++ {
		events = append(events, t.at(o).ev)
	}
	return events, t.complete(after)
}

// Last returns the ID of the last event published on a topic, 0 if none is
// known. A page rendering a topic's state reads it first and hands it to its
// EventSource as ?lastEventId=, so that nothing published in between is missed.
func (h *Hub) Last(topic string) uint64 {
	t := h.topic(topic, false)
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

// Stats returns a snapshot of the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.RLock()
	n := len(h.topics)
	h.mu.RUnlock()
	return Stats{Topics: n, Subscribers: int(h.subs.Load()), Dropped: h.dropped.Load()}
}

// Close ends every stream and Subscription; new streams end at once after
// telling the client to retry. Publishing and Since keep working.
func (h *Hub) Close() {
	h.closeOnce.Do(func() {
		h.closed.Store(true)
		close(h.done)
	})
}

// cleanType removes the characters that would break an SSE field.
func cleanType(typ string) string {
	if !strings.ContainsAny(typ, "\r\n\x00") {
		return typ
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return -1
		}
		return r
	}, typ)
}

// encodeBody encodes the event and data fields of an event and the blank line
// that ends it.
func encodeBody(typ string, data []byte) []byte {
	b := make([]byte, 0, len(typ)+len(data)+16+6*bytes.Count(data, []byte{'\n'}))
	if typ != "" {
		b = append(b, "event: "...)
		b = append(b, typ...)
		b = append(b, '\n')
	}
	for {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			b = append(b, "data: "...)
			b = append(b, data...)
			b = append(b, '\n')
			break
		}
		b = append(b, "data: "...)
		b = append(b, data[:i]...)
		b = append(b, '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	return append(b, '\n')
}

// appendEvent appends the SSE encoding of e to b.
func appendEvent(b []byte, e *entry) []byte {
	b = append(b, "id: "...)
	b = strconv.AppendUint(b, e.ev.ID, 10)
	b = append(b, '\n')
	return append(b, e.body...)
}

func resetEntry(last uint64) *entry {
	data := strconv.AppendUint([]byte(`{"last":`), last, 10)
	data = append(data, '}')
	return &entry{ev: Event{ID: last, Type: ResetType, Data: data}, body: encodeBody(ResetType, data)}
}
