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
	kick chan struct{} // poll now (buffered 1)
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
		w = &feedWatch{stop: make(chan struct{}), kick: make(chan struct{}, 1)}
		f.watchers[topic] = w
		f.wg.Add(1)
		go f.poll(topic, w)
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

// Watching reports whether topic has watchers (and so is polled).
func (f *Feed) Watching(topic string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.watchers[topic] != nil
}

// Watched is the number of topics being polled.
func (f *Feed) Watched() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.watchers)
}

// Offer publishes ev, just committed by this process, on a watched topic
// when the hub already holds prev, the event before it in the source —
// then nothing can be missing before it and watchers get it without waiting
// for the next poll. Otherwise (something committed elsewhere is not read
// yet) the topic is polled now, which brings both in order. An unwatched
// topic is left alone: whoever subscribes reads the source first.
func (f *Feed) Offer(topic string, prev uint64, ev Event) {
	f.mu.Lock()
	w := f.watchers[topic]
	f.mu.Unlock()
	if w == nil {
		return
	}
	// A poll publishing meanwhile is harmless: PublishAt ignores an ID the
	// hub already has, and the source cannot hold ev's successor without ev.
	if f.hub.Last(topic) == prev {
		f.hub.PublishAt(topic, ev)
		return
	}
	select {
	case w.kick <- struct{}{}:
	default: // a poll is already due
	}
}

func (f *Feed) poll(topic string, w *feedWatch) {
	defer f.wg.Done()
	t := time.NewTicker(f.every)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-f.done:
			return
		case <-t.C:
		case <-w.kick:
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
