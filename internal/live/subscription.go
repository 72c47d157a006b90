package live

import (
	"context"
	"sync"
	"time"
)

// Subscription is an in-process reader of a topic: a cursor into its ring.
// Next must not be called concurrently with itself; Close may be called from
// any goroutine, more than once.
type Subscription struct {
	h      *Hub
	t      *topic
	pos    uint64 // ordinal of the next event to read
	reset  *entry // pending reset, delivered first
	buf    []*entry
	lagged bool
	done   chan struct{}
	once   sync.Once
}

// Subscribe reads a topic from the first event after the given ID (0: from
// the first event the hub has). If the events after it are no longer all
// buffered, or the ID is newer than the topic's last, the first event is a
// reset (see the package documentation). To read only what is published from
// now on, pass Last(topic). The topic is kept while subscribed; Close the
// Subscription when done.
func (h *Hub) Subscribe(topic string, after uint64) *Subscription {
	return h.subscribe(topic, after, fromID)
}

// start says where a new subscriber starts reading.
type start int

const (
	fromID    start = iota // after the given ID, or reset
	fromNow                // with the next event published
	fromReset              // with a reset (the client's ID is unusable)
)

func (h *Hub) subscribe(name string, after uint64, from start) *Subscription {
	t := h.lock(name)
	s := &Subscription{h: h, t: t, done: make(chan struct{})}
	switch {
	case from == fromNow:
		s.pos = t.seq.Load()
	case from == fromID && t.complete(after):
		s.pos = t.ordAfter(after)
	default:
		s.pos = t.seq.Load()
		s.reset = resetEntry(t.last)
	}
	t.subs++
	t.mu.Unlock()
	h.subs.Add(1)
	return s
}

// fetch appends to dst the events not yet read, at most maxBatch, and returns
// the channel that is closed when more are published. It returns ErrLagged
// when events not yet read were pushed out of the ring. It takes no lock.
func (s *Subscription) fetch(dst []*entry) ([]*entry, <-chan struct{}, error) {
	if s.reset != nil {
		dst = append(dst, s.reset)
		s.reset = nil
	}
	if s.lagged {
		return dst, nil, ErrLagged
	}
	t := s.t
	wake := *t.wake.Load()
	end := t.seq.Load()
	if s.pos == end {
		return dst, wake, nil
	}
	r := *t.ring.Load()
	for ; s.pos < end && len(dst) < maxBatch; s.pos++ {
		e := r[s.pos%uint64(len(r))].Load()
		if e == nil || e.ord != s.pos {
			s.lagged = true
			s.h.dropped.Add(1)
			return dst, nil, ErrLagged
		}
		dst = append(dst, e)
	}
	return dst, wake, nil
}

func (s *Subscription) closed() bool {
	select {
	case <-s.done:
		return true
	case <-s.h.done:
		return true
	default:
		return false
	}
}

// Next waits for the events not yet read and appends them to dst, oldest
// first, at most a few hundred at a time. It returns ErrLagged when the
// subscriber fell so far behind that events were lost (resubscribe and reload
// state), ErrClosed after Close or Hub.Close, or the context's error.
func (s *Subscription) Next(ctx context.Context, dst []Event) ([]Event, error) {
	for {
		if s.closed() {
			return dst, ErrClosed
		}
		var wake <-chan struct{}
		var err error
		s.buf, wake, err = s.fetch(s.buf[:0])
		for i := range s.buf {
			dst = append(dst, s.buf[i].ev)
			s.buf[i] = nil
		}
		if len(s.buf) > 0 || err != nil {
			return dst, err
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return dst, ctx.Err()
		case <-s.done:
			return dst, ErrClosed
		case <-s.h.done:
			return dst, ErrClosed
		}
	}
}

// Close ends the subscription and releases its hold on the topic.
func (s *Subscription) Close() {
	s.once.Do(func() {
		close(s.done)
		t := s.t
		t.mu.Lock()
		t.subs--
		if t.subs == 0 {
			t.touched = time.Now()
		}
		t.mu.Unlock()
		s.h.subs.Add(-1)
	})
}
