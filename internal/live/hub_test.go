package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func ids(evs []Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func wantIDs(t *testing.T, got []Event, from, to uint64) {
	t.Helper()
	if len(got) != int(to-from+1) {
		t.Fatalf("got IDs %v, want %d..%d", ids(got), from, to)
	}
	for i, e := range got {
		if e.ID != from+uint64(i) {
			t.Fatalf("got IDs %v, want %d..%d", ids(got), from, to)
		}
	}
}

func TestPublish(t *testing.T) {
	t.Run("AssignsIDsFromOnePerTopic", func(t *testing.T) {
		h := NewHub(Options{})
		for i := 1; i <= 3; i++ {
			if ev := h.Publish("a", "bid", []byte(`{}`)); ev.ID != uint64(i) {
				t.Fatalf("event %d on a got ID %d", i, ev.ID)
			}
		}
		if ev := h.Publish("b", "bid", nil); ev.ID != 1 {
			t.Fatalf("first event on b got ID %d, want 1", ev.ID)
		}
		evs, complete := h.Since("a", 0)
		wantIDs(t, evs, 1, 3)
		if !complete || h.Last("a") != 3 || h.Last("b") != 1 {
			t.Fatalf("complete=%v last(a)=%d last(b)=%d", complete, h.Last("a"), h.Last("b"))
		}
	})
	t.Run("SinceReturnsOnlyLaterEventsInOrder", func(t *testing.T) {
		h := NewHub(Options{})
		for i := 0; i < 10; i++ {
			h.Publish("a", "bid", []byte(fmt.Sprint(i)))
		}
		evs, complete := h.Since("a", 6)
		wantIDs(t, evs, 7, 10)
		if !complete || string(evs[0].Data) != "6" || evs[0].Type != "bid" {
			t.Fatalf("complete=%v first=%+v", complete, evs[0])
		}
		if evs, complete := h.Since("a", 10); len(evs) != 0 || !complete {
			t.Fatalf("Since(last) = %v, %v; want nothing, complete", ids(evs), complete)
		}
	})
	t.Run("OldEventsLeaveTheBufferAndSinceSaysIncomplete", func(t *testing.T) {
		h := NewHub(Options{Buffer: 4})
		for i := 0; i < 10; i++ {
			h.Publish("a", "", nil)
		}
		evs, complete := h.Since("a", 0)
		wantIDs(t, evs, 7, 10)
		if complete {
			t.Fatal("Since(0) after eviction claims to be complete")
		}
		if _, complete := h.Since("a", 5); complete {
			t.Fatal("Since(5) claims to be complete, but 6 is gone")
		}
		if evs, complete := h.Since("a", 6); !complete {
			t.Fatalf("Since(6) = %v incomplete; 7..10 are all buffered", ids(evs))
		}
	})
	t.Run("SinceOnUnknownTopicOrFutureIDIsIncomplete", func(t *testing.T) {
		h := NewHub(Options{})
		if _, complete := h.Since("nope", 0); !complete {
			t.Fatal("nothing after 0 on an unknown topic should be complete")
		}
		if _, complete := h.Since("nope", 3); complete {
			t.Fatal("after 3 on an unknown topic should be incomplete")
		}
		h.Publish("a", "", nil)
		if _, complete := h.Since("a", 2); complete {
			t.Fatal("an ID beyond the last should be incomplete")
		}
		if h.Stats().Topics != 1 {
			t.Fatalf("Since created topics: %+v", h.Stats())
		}
	})
	t.Run("CleansTheType", func(t *testing.T) {
		h := NewHub(Options{})
		if ev := h.Publish("a", "bad\r\ntype\x00", nil); ev.Type != "badtype" {
			t.Fatalf("type %q", ev.Type)
		}
	})
	t.Run("ConcurrentPublishersGetDistinctConsecutiveIDs", func(t *testing.T) {
		h := NewHub(Options{Buffer: 8000})
		sub := h.Subscribe("a", 0)
		defer sub.Close()
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 1000; i++ {
					h.Publish("a", "bid", nil)
				}
			}()
		}
		var got []Event
		var err error
		for len(got) < 8000 && err == nil {
			got, err = sub.Next(context.Background(), got)
		}
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, got, 1, 8000)
	})
}

func TestPublishAt(t *testing.T) {
	t.Run("IgnoresIDsNotAboveTheLast", func(t *testing.T) {
		h := NewHub(Options{})
		for _, c := range []struct {
			id   uint64
			want bool
		}{{10, true}, {10, false}, {7, false}, {12, true}, {0, false}, {30, true}} {
			if got := h.PublishAt("a", Event{ID: c.id, Type: "score"}); got != c.want {
				t.Fatalf("PublishAt(%d) = %v, want %v", c.id, got, c.want)
			}
		}
		evs, _ := h.Since("a", 9)
		if fmt.Sprint(ids(evs)) != "[10 12 30]" {
			t.Fatalf("got %v", ids(evs))
		}
		if ev := h.Publish("a", "x", nil); ev.ID != 31 {
			t.Fatalf("Publish after PublishAt(30) got %d", ev.ID)
		}
	})
	t.Run("HistoryBeforeTheFirstEventIsUnknown", func(t *testing.T) {
		h := NewHub(Options{})
		h.PublishAt("a", Event{ID: 100})
		h.PublishAt("a", Event{ID: 105})
		if evs, complete := h.Since("a", 99); !complete || len(evs) != 2 {
			t.Fatalf("Since(99) = %v, %v; want [100 105], complete", ids(evs), complete)
		}
		if evs, complete := h.Since("a", 100); !complete || len(evs) != 1 {
			t.Fatalf("Since(100) = %v, %v; gaps between IDs are not losses", ids(evs), complete)
		}
		if _, complete := h.Since("a", 50); complete {
			t.Fatal("Since(50) cannot be known complete: the hub started at 100")
		}
	})
}

func TestSubscription(t *testing.T) {
	ctx := context.Background()
	t.Run("ReplaysThenFollows", func(t *testing.T) {
		h := NewHub(Options{})
		for i := 0; i < 5; i++ {
			h.Publish("a", "", nil)
		}
		sub := h.Subscribe("a", 2)
		defer sub.Close()
		got, err := sub.Next(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, got, 3, 5)
		go func() {
			time.Sleep(10 * time.Millisecond)
			h.Publish("a", "", nil)
		}()
		got, err = sub.Next(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, got, 6, 6)
	})
	t.Run("TooOldStartsWithReset", func(t *testing.T) {
		h := NewHub(Options{Buffer: 4})
		for i := 0; i < 10; i++ {
			h.Publish("a", "", nil)
		}
		sub := h.Subscribe("a", 3)
		defer sub.Close()
		h.Publish("a", "", nil)
		got, err := sub.Next(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Type != ResetType || got[0].ID != 10 || string(got[0].Data) != `{"last":10}` || got[1].ID != 11 {
			t.Fatalf("got %+v, want reset at 10 then 11", got)
		}
	})
	t.Run("FallingBehindTheBufferIsLagged", func(t *testing.T) {
		h := NewHub(Options{Buffer: 4})
		sub := h.Subscribe("a", 0)
		defer sub.Close()
		h.Publish("a", "", nil)
		if got, err := sub.Next(ctx, nil); err != nil || len(got) != 1 {
			t.Fatalf("got %v, %v", ids(got), err)
		}
		for i := 0; i < 5; i++ { // 2..6; 2 is pushed out unread
			h.Publish("a", "", nil)
		}
		for i := 0; i < 2; i++ {
			if _, err := sub.Next(ctx, nil); !errors.Is(err, ErrLagged) {
				t.Fatalf("err = %v, want ErrLagged", err)
			}
		}
		if h.Stats().Dropped != 1 {
			t.Fatalf("stats %+v", h.Stats())
		}
	})
	t.Run("ExactlyFullBufferIsNotLagged", func(t *testing.T) {
		h := NewHub(Options{Buffer: 4})
		sub := h.Subscribe("a", 0)
		defer sub.Close()
		for i := 0; i < 4; i++ {
			h.Publish("a", "", nil)
		}
		got, err := sub.Next(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, got, 1, 4)
	})
	t.Run("CloseAndContextUnblockNext", func(t *testing.T) {
		h := NewHub(Options{})
		sub := h.Subscribe("a", 0)
		errc := make(chan error, 1)
		go func() { _, err := sub.Next(ctx, nil); errc <- err }()
		time.Sleep(10 * time.Millisecond)
		sub.Close()
		sub.Close()
		if err := <-errc; !errors.Is(err, ErrClosed) {
			t.Fatalf("err = %v", err)
		}
		sub = h.Subscribe("a", 0)
		defer sub.Close()
		cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel()
		if _, err := sub.Next(cctx, nil); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		h.Close()
		if _, err := sub.Next(ctx, nil); !errors.Is(err, ErrClosed) {
			t.Fatalf("after Hub.Close: err = %v", err)
		}
		if n := h.Stats().Subscribers; n != 1 {
			t.Fatalf("%d subscribers, want 1 (closed one released)", n)
		}
	})
}

func TestIdleTopicsAreDropped(t *testing.T) {
	h := NewHub(Options{IdleTTL: 30 * time.Millisecond})
	h.Publish("idle", "", nil)
	sub := h.Subscribe("watched", 0)
	time.Sleep(40 * time.Millisecond)
	h.Publish("other", "", nil) // any use sweeps
	if n := h.Stats().Topics; n != 2 {
		t.Fatalf("%d topics, want 2 (idle dropped, watched and other kept)", n)
	}
	if h.Last("idle") != 0 {
		t.Fatal("dropped topic still known")
	}
	if ev := h.Publish("idle", "", nil); ev.ID != 1 {
		t.Fatalf("recreated topic starts at %d", ev.ID)
	}
	sub.Close()
	time.Sleep(40 * time.Millisecond)
	h.Last("x")
	if n := h.Stats().Topics; n != 0 {
		t.Fatalf("%d topics after everything went idle", n)
	}
}

// Topics being dropped and recreated while others publish and read must not
// lose a subscribed topic's events.
func TestIdleSweepRacesWithUse(t *testing.T) {
	h := NewHub(Options{IdleTTL: time.Microsecond, Buffer: 4000})
	sub := h.Subscribe("kept", 0)
	defer sub.Close()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				h.Publish(fmt.Sprint("churn", g, i%7), "", nil)
				h.Publish("kept", "", nil)
				h.Since(fmt.Sprint("churn", g, i%5), 0)
			}
		}()
	}
	var got []Event
	var err error
	for len(got) < 4000 && err == nil {
		got, err = sub.Next(context.Background(), got)
	}
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, got, 1, 4000)
}

func TestEncodeBody(t *testing.T) {
	for _, c := range []struct {
		typ, data, want string
	}{
		{"bid", `{"a":1}`, "event: bid\ndata: {\"a\":1}\n\n"},
		{"", `1`, "data: 1\n\n"},
		{"x", "", "event: x\ndata: \n\n"},
		{"x", "a\nb\r\nc\rd", "event: x\ndata: a\ndata: b\ndata: c\ndata: d\n\n"},
		{"x", "a\n", "event: x\ndata: a\ndata: \n\n"},
		{"x", " lead", "event: x\ndata:  lead\n\n"},
	} {
		if got := string(encodeBody(c.typ, []byte(c.data))); got != c.want {
			t.Errorf("encodeBody(%q, %q) = %q, want %q", c.typ, c.data, got, c.want)
		}
	}
}
