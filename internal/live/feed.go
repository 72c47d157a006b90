package live

import (
	"context"
	"sync"
	"time"
)

// Source reads a topic's durable events after the given ID, in ID order
// (for example rows of an events table, or a version number turned into
// one event). IDs must come from the durable source, so that every server
// process publishes the same IDs and a client resuming with Last-Event-ID
// on another process misses nothing.
type Source func(ctx context.Context, topic string, after uint64) ([]Event, error)

// Feed keeps the topics of a hub fed from a Source while they have
// watchers: one goroutine per watched topic polls the source and publishes
// what is new (Hub.PublishAt ignores what it already has). Polling a
// durable source, rather than publishing from the write path, is what lets
// several processes serve one topic consistently.
type Feed struct {
	hub   *Hub
	src   Source
	every time.Duration

	mu       sync.Mutex
	watchers map[string]*feedWatch
	closed   bool
	done     chan struct{}
	wg       sync.WaitGroup
}

type feedWatch struct {
	n    int
	stop chan struct{}
}

// NewFeed returns a feed polling src every interval for the hub's watched
// topics.
func NewFeed(hub *Hub, src Source, every time.Duration) *Feed {
	return &Feed{hub: hub, src: src, every: every, watchers: map[string]*feedWatch{}, done: make(chan struct{})}
}

// Watch registers a watcher of topic, starting its poller with the first;
// the returned function unregisters it (the last one stops the poller).
func (f *Feed) Watch(topic string) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return func() {}
	}
	w := f.watchers[topic]
	if w == nil {
		w = &feedWatch{stop: make(chan struct{})}
		f.watchers[topic] = w
		f.wg.Add(1)
		go f.poll(topic, w.stop)
	}
	w.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			w.n--
			if w.n == 0 && f.watchers[topic] == w {
				delete(f.watchers, topic)
				close(w.stop)
			}
		})
	}
}

// Watched is the number of topics being polled.
func (f *Feed) Watched() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.watchers)
}

func (f *Feed) poll(topic string, stop <-chan struct{}) {
	defer f.wg.Done()
	t := time.NewTicker(f.every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-f.done:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		evs, err := f.src(ctx, topic, f.hub.Last(topic))
		cancel()
		if err != nil {
			// The source is unavailable or the topic gone: nothing to
			// announce; streams keep their heartbeat.
			continue
		}
		for _, ev := range evs {
			f.hub.PublishAt(topic, ev)
		}
	}
}

// Close stops the pollers and ends every stream of the hub (browsers
// reconnect, normally to another process).
func (f *Feed) Close() {
	f.mu.Lock()
	if !f.closed {
		f.closed = true
		close(f.done)
	}
	f.mu.Unlock()
	f.hub.Close()
	f.wg.Wait()
}
