package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
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

// roomLive holds the hub and the feed that polls the watched rooms.
type roomLive struct {
	hub     *live.Hub
	feed    *live.Feed
	handler http.Handler
}

func newRoomLive(svc *tender.Service, onError func(http.ResponseWriter, *http.Request, error)) *roomLive {
	l := &roomLive{}
	l.hub = live.NewHub(live.Options{Buffer: 256, OnError: onError})
	l.feed = live.NewFeed(l.hub, func(ctx context.Context, topic string, after uint64) ([]live.Event, error) {
		v, err := svc.RoomVersion(ctx, pollActor, strings.TrimPrefix(topic, "room/"))
		if err != nil || uint64(v) <= after {
			// The room was closed (the committee dissolved) or the store is
			// unavailable: nothing to announce; the pages keep their state.
			return nil, err
		}
		return []live.Event{eventFor(v)}, nil
	}, roomPoll)
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

// watch registers a stream on a room; the returned function unregisters it.
func (l *roomLive) watch(lotID ids.ID) func() { return l.feed.Watch(roomTopic(lotID)) }

// watched is the number of rooms being polled (for tests and metrics).
func (l *roomLive) watched() int { return l.feed.Watched() }

// close stops the pollers and ends every stream (the browsers reconnect,
// normally to another process).
func (l *roomLive) close() { l.feed.Close() }
