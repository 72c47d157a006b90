package web

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"ggzy/internal/ids"
	"ggzy/internal/live"
	"ggzy/internal/party"
	"ggzy/internal/tender"
)

// Live updates of the evaluation room (server-sent events, DESIGN.md §9).
//
// Every change in a room is a ledger entry under its lot, so the lot's newest
// ledger index (tender.Service.RoomVersion) is a durable, strictly increasing
// version. While a room has watchers, one goroutine per room polls it about
// once a second and publishes each new version on the room's topic with the
// version as the event ID (live.Hub.PublishAt): two server processes agree on
// the IDs, and a browser that reconnects with Last-Event-ID resumes on
// either. The event says only that the room changed ({"version":N}); the page
// fetches what its viewer may see. Polling stops when the last watcher goes.

// roomPoll is how often a watched room's version is read.
const roomPoll = time.Second

// roomEventType is the type of a room's change event.
const roomEventType = "room"

// roomTopic names a lot's room topic in the hub.
func roomTopic(lotID ids.ID) string { return "room/" + string(lotID) }

// roomLive holds the hub and the pollers of the watched rooms.
type roomLive struct {
	hub     *live.Hub
	svc     *tender.Service
	every   time.Duration
	handler http.Handler

	mu       sync.Mutex
	watchers map[ids.ID]*roomWatch
	closed   bool
	done     chan struct{}
	wg       sync.WaitGroup
}

// roomWatch is one watched room: how many streams follow it and its poller.
type roomWatch struct {
	n    int
	stop chan struct{}
}

func newRoomLive(svc *tender.Service, onError func(http.ResponseWriter, *http.Request, error)) *roomLive {
	l := &roomLive{svc: svc, every: roomPoll, watchers: map[ids.ID]*roomWatch{}, done: make(chan struct{})}
	l.hub = live.NewHub(live.Options{Buffer: 256, OnError: onError})
	l.handler = l.hub.Handler(func(r *http.Request) (string, error) { return roomTopic(r.PathValue("id")), nil })
	return l
}

// pollActor reads the version for the poller as the platform itself; each
// watcher's own access is checked when the stream is opened.
var pollActor = party.Actor{UserID: "system", Role: party.RoleSystem, Name: "评标室实时推送"}

// eventFor is the event announcing version v of a room.
func eventFor(v int64) live.Event {
	return live.Event{ID: uint64(v), Type: roomEventType, Data: []byte(`{"version":` + strconv.FormatInt(v, 10) + `}`)}
}

// seed publishes the version the caller just read, so that a stream that
// resumes from it (or from an earlier one) is served from the ring instead of
// being reset; an older or known version is ignored by the hub.
func (l *roomLive) seed(lotID ids.ID, v int64) {
	if v > 0 {
		l.hub.PublishAt(roomTopic(lotID), eventFor(v))
	}
}

// watch registers a stream on a room and starts its poller if it is the
// first; the returned function unregisters it (and stops the poller with the
// last stream).
func (l *roomLive) watch(lotID ids.ID) func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return func() {}
	}
	w := l.watchers[lotID]
	if w == nil {
		w = &roomWatch{stop: make(chan struct{})}
		l.watchers[lotID] = w
		l.wg.Add(1)
		go l.poll(lotID, w.stop)
	}
	w.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			w.n--
			if w.n == 0 && l.watchers[lotID] == w {
				delete(l.watchers, lotID)
				close(w.stop)
			}
		})
	}
}

// watched is the number of rooms being polled (for tests and metrics).
func (l *roomLive) watched() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.watchers)
}

func (l *roomLive) poll(lotID ids.ID, stop <-chan struct{}) {
	defer l.wg.Done()
	t := time.NewTicker(l.every)
	defer t.Stop()
	topic := roomTopic(lotID)
	for {
		select {
		case <-stop:
			return
		case <-l.done:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		v, err := l.svc.RoomVersion(ctx, pollActor, lotID)
		cancel()
		if err != nil {
			// The room was closed (the committee dissolved) or the store
			// is unavailable: nothing to announce; the streams keep their
			// heartbeat and the pages their last state.
			continue
		}
		if uint64(v) > l.hub.Last(topic) {
			l.hub.PublishAt(topic, eventFor(v))
		}
	}
}

// close stops the pollers and ends every stream (the browsers reconnect,
// normally to another process).
func (l *roomLive) close() {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.done)
	}
	l.mu.Unlock()
	l.hub.Close()
	l.wg.Wait()
}
