package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/live"
)

// Live updates of the sales (issue 5 §4; server-sent events, DESIGN.md §9).
//
// Every change of a sale is written, in the change's own transaction, as an
// auction_events row under the sale's commit sequence (auction.Service.Events
// reads only committed rows). While a sale has watchers, one goroutine polls
// those rows every salePoll and publishes each new one on the sale's topic
// with its sequence as the event ID (live.Hub.PublishAt): every server process
// publishes the same IDs, so a browser that reconnects with Last-Event-ID —
// to this process or another — resumes exactly after the last event it saw,
// without missing or repeating one. A stream that opens first brings the
// topic up to date from the database before it subscribes (catchUp), so a
// page that rendered the state as of sequence N and asks for the events after
// N is served from the ring, not reset.
//
// The event's data is the public state after the change (price, bidder
// numbers, number of bids, next valid amount, countdown end, result): never a
// name. One stream serves the public live view and the bidder's room alike;
// the room works out its own rank from the numbers (sale.js).

// salePoll is how often a watched sale's events are read (issue 5 §4: the
// delivery latency budget is 100 ms at the 99th percentile).
const salePoll = 50 * time.Millisecond

// saleBatch bounds the events read per poll.
const saleBatch = 1024

// saleEventType is the SSE event type of every sale event (its kind is in
// the data).
const saleEventType = "sale"

// saleTopic names a sale's topic in the hub.
func saleTopic(id ids.ID) string { return "sale/" + string(id) }

// saleLive holds the sales' hub and the feed that polls the watched sales.
type saleLive struct {
	svc     *auction.Service
	hub     *live.Hub
	feed    *live.Feed
	handler http.Handler
}

func newSaleLive(svc *auction.Service, onError func(http.ResponseWriter, *http.Request, error)) *saleLive {
	l := &saleLive{svc: svc}
	// A contested bidding may run to thousands of bids: keep enough of them
	// for browsers that drop off for a moment to resume without a reset.
	// Flushes are paced as the API's streams are (api.saleFlushEvery): a
	// contested bidding must not cost a write per bid per browser.
	l.hub = live.NewHub(live.Options{Buffer: 4096, FlushEvery: 25 * time.Millisecond, OnError: onError})
	l.feed = live.NewFeed(l.hub, l.source, salePoll)
	l.handler = l.hub.Handler(func(r *http.Request) (string, error) { return saleTopic(r.PathValue("id")), nil })
	if svc != nil {
		// Bids this process commits reach its watchers at once
		// (live.Feed.Offer); the poll brings those of other processes.
		svc.OnCommitted(func(c auction.Committed) {
			if topic := saleTopic(c.Event.SaleID); l.feed.Watching(topic) {
				l.feed.Offer(topic, uint64(c.Prev), saleEventOf(c.Event))
			}
		})
	}
	return l
}

// source reads a sale's committed events after the given sequence.
func (l *saleLive) source(ctx context.Context, topic string, after uint64) ([]live.Event, error) {
	if l.svc == nil {
		return nil, nil
	}
	evs, err := l.svc.Events(ctx, strings.TrimPrefix(topic, "sale/"), int64(after), saleBatch)
	if err != nil {
		return nil, err
	}
	out := make([]live.Event, 0, len(evs))
	for _, ev := range evs {
		out = append(out, saleEventOf(ev))
	}
	return out, nil
}

// catchUp publishes the sale's events that the hub does not have yet, from
// the database; it fails (NotFound) for a sale that is not public.
func (l *saleLive) catchUp(ctx context.Context, id ids.ID) error {
	topic := saleTopic(id)
	for {
		evs, err := l.source(ctx, topic, l.hub.Last(topic))
		if err != nil {
			return err
		}
		for _, ev := range evs {
			l.hub.PublishAt(topic, ev)
		}
		if len(evs) < saleBatch {
			return nil
		}
	}
}

// watch registers a stream on a sale; the returned function unregisters it.
func (l *saleLive) watch(id ids.ID) func() { return l.feed.Watch(saleTopic(id)) }

// watched is the number of sales being polled (for tests and metrics).
func (l *saleLive) watched() int { return l.feed.Watched() }

// close stops the pollers and ends every stream (the browsers reconnect,
// normally to another process).
func (l *saleLive) close() { l.feed.Close() }

// saleEvent is the data of a sale's event as the pages read it: the public
// state after the change, amounts in fen and as text, instants in Unix
// milliseconds. Bidders appear by number only.
type saleEvent struct {
	Seq          int64  `json:"seq"`
	Type         string `json:"type"`
	AtMS         int64  `json:"at_ms"`
	Status       string `json:"status"`
	StatusText   string `json:"status_text"`
	Price        int64  `json:"price"`
	PriceText    string `json:"price_text"`
	PriceCapital string `json:"price_capital"`
	Next         int64  `json:"next,omitempty"`
	NextText     string `json:"next_text,omitempty"`
	NextPlain    string `json:"next_plain,omitempty"`
	Increment    string `json:"increment_text,omitempty"`
	BidderNo     string `json:"bidder_no,omitempty"`
	Leader       string `json:"leader,omitempty"`
	Bids         int    `json:"bids"`
	EndsMS       int64  `json:"ends_ms,omitempty"`
	EndsText     string `json:"ends_text,omitempty"`
	JoinByMS     int64  `json:"join_by_ms,omitempty"`
	Joined       int    `json:"joined,omitempty"`
	Paused       bool   `json:"paused,omitempty"`
	RemainingMS  int64  `json:"remaining_ms,omitempty"`
	Result       string `json:"result,omitempty"`
	ResultText   string `json:"result_text,omitempty"`
	Winner       string `json:"winner,omitempty"`
	Reason       string `json:"reason_text,omitempty"`
}

// saleEventOf is the live event of a sale event: its ID is the sale's commit
// sequence of the change.
func saleEventOf(ev auction.Event) live.Event {
	d := ev.Data
	si := saleStatusInfo(d.Status, d.Paused, d.Result)
	j := saleEvent{Seq: ev.Seq, Type: ev.Type, AtMS: ev.At.UnixMilli(), Status: string(d.Status), StatusText: si.Text,
		Price: int64(d.Price), PriceText: d.Price.String(), PriceCapital: d.Price.Capital(), BidderNo: d.BidderNo, Leader: d.Leader, Bids: d.Bids,
		Joined: d.Joined, Paused: d.Paused, RemainingMS: d.Remaining, Result: string(d.Result), ResultText: d.Result.Label(), Winner: d.Winner}
	if d.Next > 0 {
		j.Next, j.NextText, j.NextPlain = int64(d.Next), d.Next.String(), d.Next.Plain()
	}
	if d.Increment > 0 {
		j.Increment = d.Increment.String()
	}
	if !d.EndsAt.IsZero() {
		j.EndsMS, j.EndsText = d.EndsAt.UnixMilli(), d.EndsAt.In(clock.Shanghai).Format("15:04:05")
	}
	if !d.JoinBy.IsZero() {
		j.JoinByMS = d.JoinBy.UnixMilli()
	}
	if d.Reason != "" {
		j.Reason = auction.ReasonText(d.Reason)
	}
	b, _ := json.Marshal(j) // plain data: cannot fail
	return live.Event{ID: uint64(ev.Seq), Type: saleEventType, Data: b}
}

// saleEvents streams a sale's events to anyone who may see the sale (its
// public state has numbers, never names); a draft has no stream.
func (s *server) saleEvents(w http.ResponseWriter, r *http.Request) {
	if !s.salesOn(w, r) {
		return
	}
	id := r.PathValue("id")
	if err := s.sales.catchUp(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	done := s.sales.watch(id)
	defer done()
	s.sales.handler.ServeHTTP(w, r)
}
