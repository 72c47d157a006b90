package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/httpx"
	"ggzy/internal/live"
)

// Live views of the sales (issue 5 §4): server-sent events on package live.
//
// A sale's events are rows of auction_events written in the transaction of
// each change, under the sale's commit sequence: a watcher only ever sees
// committed changes, in commit order. While a sale has watchers in this
// process, one poller (live.Feed) reads the rows after the last one it
// published every salePoll and publishes them with their sequence as the
// event ID (live.Hub.PublishAt). Every process publishes the same IDs for the
// same rows, so a browser that reconnects to another process with its
// Last-Event-ID resumes there without a gap or a duplicate. The event data is
// a SaleEvent: numbers, prices and times, never a name.

const (
	// salePoll is how often a watched sale's events are read: a bid reaches
	// a watcher well within 100 ms of its commit.
	salePoll = 50 * time.Millisecond
	// saleBuffer is how many events of a sale the hub keeps for resumption.
	saleBuffer = 4096
	// salePage bounds one read of a sale's events.
	salePage = 1000
)

// saleFlushEvery is how often at most a stream of a sale is flushed (the
// first event after a quiet spell goes out at once). A contested bidding
// commits hundreds of bids a second; writing each to each of thousands of
// watchers would cost a system call per bid per watcher and starve the
// bidding itself. A window this long keeps that cost bounded whatever the
// rate of bids, and delivery within the 100 ms budget.
var saleFlushEvery = 25 * time.Millisecond

// saleTopic names a sale's topic in the hub.
func saleTopic(id string) string { return "sale/" + id }

// saleLive holds the hub and the feed behind GET /sales/{id}/stream.
type saleLive struct {
	hub     *live.Hub
	feed    *live.Feed
	handler http.Handler
}

func newSaleLive(s *server) *saleLive {
	l := &saleLive{}
	l.hub = live.NewHub(live.Options{Buffer: saleBuffer, FlushEvery: saleFlushEvery, OnError: func(w http.ResponseWriter, _ *http.Request, err error) {
		e := apperr.As(err)
		writeError(w, httpx.Status(e.Code), e)
	}})
	l.feed = live.NewFeed(l.hub, func(ctx context.Context, topic string, after uint64) ([]live.Event, error) {
		return liveSaleEvents(ctx, s.d.Auction, strings.TrimPrefix(topic, "sale/"), after)
	}, salePoll)
	l.handler = l.hub.Handler(func(r *http.Request) (string, error) { return saleTopic(r.PathValue("id")), nil })
	// Bids this process commits reach its watchers at once (live.Feed.Offer);
	// the poll brings those of other processes.
	s.d.Auction.OnCommitted(func(c auction.Committed) {
		topic := saleTopic(c.Event.SaleID)
		if !l.feed.Watching(topic) {
			return
		}
		data, err := json.Marshal(saleEventDTO(c.Event))
		if err != nil {
			return // the poll publishes it
		}
		l.feed.Offer(topic, uint64(c.Prev), live.Event{ID: uint64(c.Event.Seq), Type: c.Event.Type, Data: data})
	})
	return l
}

// liveSaleEvents reads the sale's events after the given sequence as hub
// events: ID the sequence, type the event's, data the SaleEvent.
func liveSaleEvents(ctx context.Context, svc *auction.Service, saleID string, after uint64) ([]live.Event, error) {
	evs, err := svc.Events(ctx, saleID, int64(after), salePage)
	if err != nil {
		return nil, err
	}
	out := make([]live.Event, 0, len(evs))
	for _, ev := range evs {
		data, err := json.Marshal(saleEventDTO(ev))
		if err != nil {
			return nil, err
		}
		out = append(out, live.Event{ID: uint64(ev.Seq), Type: ev.Type, Data: data})
	}
	return out, nil
}

// sync publishes what the database has and the hub has not. It is also the
// stream's access check: a draft or unknown sale is NotFound.
func (l *saleLive) sync(ctx context.Context, svc *auction.Service, saleID string) error {
	topic := saleTopic(saleID)
	for {
		evs, err := liveSaleEvents(ctx, svc, saleID, l.hub.Last(topic))
		if err != nil {
			return err
		}
		for _, ev := range evs {
			l.hub.PublishAt(topic, ev)
		}
		if len(evs) < salePage {
			return nil
		}
	}
}

// prepare brings the sale's topic up to date before a stream subscribes, so
// that a client resuming from an event another process sent it, or from
// before the sale's first event, is served from the hub instead of being
// told to reload (a reset). It may set the request's Last-Event-ID.
func (l *saleLive) prepare(ctx context.Context, svc *auction.Service, r *http.Request) (*http.Request, error) {
	id := r.PathValue("id")
	topic := saleTopic(id)
	if err := l.sync(ctx, svc, id); err != nil {
		return nil, err
	}
	after, ok := resumeID(r)
	if !ok {
		return r, nil // from the next event (or a reset for a malformed ID)
	}
	if after > l.hub.Last(topic) { // committed meanwhile, seen through another process
		if err := l.sync(ctx, svc, id); err != nil {
			return nil, err
		}
	}
	if _, complete := l.hub.Since(topic, after); complete {
		return r, nil
	}
	// Nothing precedes the sale's first event: a client that has seen none
	// of its events resumes from just before it, if the hub still has it.
	first, err := svc.Events(ctx, id, 0, 1)
	if err != nil {
		return nil, err
	}
	if len(first) == 1 && after < uint64(first[0].Seq) {
		from := uint64(first[0].Seq) - 1
		if _, complete := l.hub.Since(topic, from); complete {
			r.Header.Set("Last-Event-ID", strconv.FormatUint(from, 10))
		}
	}
	return r, nil
}

// resumeID is the ID a stream resumes after: the Last-Event-ID header, else
// the lastEventId query parameter (as package live reads them).
func resumeID(r *http.Request) (uint64, bool) {
	v := strings.TrimSpace(r.Header.Get("Last-Event-ID"))
	if v == "" {
		v = strings.TrimSpace(r.URL.Query().Get("lastEventId"))
	}
	if v == "" {
		return 0, false
	}
	id, err := strconv.ParseUint(v, 10, 64)
	return id, err == nil
}

// close ends every stream (browsers reconnect, normally to another process)
// and stops the pollers.
func (l *saleLive) close() { l.feed.Close() }
