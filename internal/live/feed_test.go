package live

import (
	"context"
	"sync"
	"testing"
	"time"
)

// memSource is a durable source in memory: events 1..n of each topic.
type memSource struct {
	mu    sync.Mutex
	evs   map[string][]Event
	reads int
}

func (m *memSource) add(topic, typ string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := uint64(len(m.evs[topic]) + 1)
	m.evs[topic] = append(m.evs[topic], Event{ID: n, Type: typ, Data: []byte(`{}`)})
}

func (m *memSource) read(_ context.Context, topic string, after uint64) ([]Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	var out []Event
	for _, e := range m.evs[topic] {
		if e.ID > after {
			out = append(out, e)
		}
	}
	return out, nil
}

// TestFeedPollsWatchedTopicsOnly: a topic is polled while watched, and two
// hubs fed from one durable source publish the same IDs (two processes).
func TestFeedPollsWatchedTopicsOnly(t *testing.T) {
	src := &memSource{evs: map[string][]Event{}}
	h1, h2 := NewHub(Options{}), NewHub(Options{})
	f1, f2 := NewFeed(h1, src.read, 5*time.Millisecond), NewFeed(h2, src.read, 5*time.Millisecond)
	defer f1.Close()
	defer f2.Close()
	src.add("a", "bid")
	time.Sleep(30 * time.Millisecond)
	src.mu.Lock()
	if src.reads != 0 {
		t.Fatalf("%d reads with nobody watching", src.reads)
	}
	src.mu.Unlock()
	stop1, stop2 := f1.Watch("a"), f2.Watch("a")
	again := f1.Watch("a")
	if f1.Watched() != 1 {
		t.Fatalf("watched %d, want 1 poller for 2 watchers", f1.Watched())
	}
	src.add("a", "bid")
	src.add("a", "close")
	wait := func(h *Hub) {
		deadline := time.Now().Add(2 * time.Second)
		for h.Last("a") < 3 && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
	}
	wait(h1)
	wait(h2)
	e1, _ := h1.Since("a", 0)
	e2, _ := h2.Since("a", 0)
	if len(e1) != 3 || len(e2) != 3 || e1[2].ID != 3 || e2[2].Type != "close" {
		t.Fatalf("hub 1 %v, hub 2 %v", e1, e2)
	}
	again()
	if f1.Watched() != 1 {
		t.Fatal("the poller stopped with a watcher left")
	}
	stop1()
	stop1() // twice is once
	stop2()
	deadline := time.Now().Add(time.Second)
	for (f1.Watched() != 0 || f2.Watched() != 0) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if f1.Watched() != 0 || f2.Watched() != 0 {
		t.Fatal("pollers still running with no watcher")
	}
}

// TestFeedOffer: an event offered right after its commit reaches the hub at
// once when the hub holds the one before it; when something committed
// elsewhere is missing, the offer is not published out of order but polls
// the source at once, which brings both in order. An unwatched topic is
// left alone.
func TestFeedOffer(t *testing.T) {
	src := &memSource{evs: map[string][]Event{}}
	h := NewHub(Options{})
	f := NewFeed(h, src.read, time.Hour) // no timed poll during the test
	defer f.Close()

	src.add("a", "bid") // 1
	f.Offer("a", 0, Event{ID: 1, Type: "bid", Data: []byte(`{}`)})
	if h.Last("a") != 0 || f.Watching("a") {
		t.Fatalf("unwatched topic published: last %d", h.Last("a"))
	}
	stop := f.Watch("a")
	defer stop()
	if !f.Watching("a") {
		t.Fatal("watched topic not reported")
	}
	f.Offer("a", 0, Event{ID: 1, Type: "bid", Data: []byte(`{}`)})
	if h.Last("a") != 1 {
		t.Fatalf("offer after the last held event: last %d, want 1", h.Last("a"))
	}
	sub := h.Subscribe("a", 0)
	defer sub.Close()

	// 2 was committed by another process; this one offers 3.
	src.add("a", "bid") // 2
	src.add("a", "bid") // 3
	f.Offer("a", 2, Event{ID: 3, Type: "bid", Data: []byte(`{}`)})
	deadline := time.Now().Add(2 * time.Second)
	for h.Last("a") != 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	var ids []uint64
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for len(ids) < 3 {
		evs, err := sub.Next(ctx, nil)
		if err != nil {
			t.Fatalf("after %v: %v", ids, err)
		}
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) != 3 || ids[0] != 1 || ids[1] != 2 || ids[2] != 3 {
		t.Fatalf("events %v, want 1 2 3 in order", ids)
	}
}
