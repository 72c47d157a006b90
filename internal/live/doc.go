// Package live is the server-sent-events hub behind the evaluation room, live
// openings and live auctions (DESIGN.md §9, "live updates": server-sent events
// on net/http, coalesced flushes, one EventSource per tab, Last-Event-ID for
// resumption). It uses only the standard library.
//
// # Model
//
// A Hub holds named topics. Each topic keeps the last Options.Buffer events in
// a ring, ordered by ID. Publishing appends to the ring and wakes the topic's
// subscribers by closing one channel; it never waits for them, and with many
// subscribers even the wake-up runs on another goroutine, so Publish costs
// the same for 2 watchers as for 2,000. Every subscriber (one per browser tab,
// or an in-process Subscription) is only a cursor into that ring, read without
// locks: on waking it takes whatever it has not yet seen, in one batch, and
// writes it out. So a watcher costs no per-event queue, a burst of events
// becomes one write and one flush, and the SSE encoding of an event is done
// once at publish time, not once per watcher.
//
// # Event IDs
//
// IDs are per topic and strictly increasing. Publish assigns the next one
// (1, 2, 3, … for a topic this hub has not seen). PublishAt is for callers
// that own the IDs, e.g. a database sequence number, so that several `ggzy
// serve` processes fed by LISTEN/NOTIFY agree on them and a browser can resume
// on any of them; publishing an ID that is not above the topic's last one is
// ignored, so replays and duplicate notifications are harmless. IDs need not be
// contiguous.
//
// IDs assigned by Publish live only as long as the topic in this process: they
// start again at 1 after a restart or after the topic was dropped as idle (see
// below). A client holding a larger ID than the topic has gets a reset; one
// holding a smaller ID from an earlier incarnation cannot be told apart. Where
// resumption must survive restarts, publish with PublishAt and durable IDs.
//
// # Resumption and reset
//
// A stream starts after the ID in the Last-Event-ID header (sent by the browser
// when it reconnects) or, failing that, the lastEventId query parameter (which
// the page sets to the ID of the state it rendered, see Hub.Last); with neither
// it starts with the next event published. If every event after that ID is
// still in the ring they are replayed, without loss or duplicates. Otherwise —
// the ID is older than the ring, or newer than anything this hub knows, or not
// a number — the stream starts with an event of type "reset" whose id is the
// topic's last ID and whose data is {"last":<id>}: the client reloads its full
// state and then applies the events that follow. Clients apply events
// idempotently (skip those already reflected in the state they loaded), which
// also covers the small overlap around a reset.
//
// # Slow subscribers
//
// Publishing never blocks on a subscriber. A subscriber that has fallen so far
// behind that events it has not read were pushed out of the ring is dropped:
// its stream ends (Subscription.Next returns ErrLagged), the browser
// reconnects after the retry interval with its Last-Event-ID, and gets a reset.
// A client that stops reading altogether is caught by the write deadline
// (Options.WriteTimeout), which the handler keeps renewing while it writes
// (a stuck client is cut off after between half and all of it); that renewal
// also keeps the server's own WriteTimeout from cutting healthy streams. The
// ResponseWriter must support flushing (directly or through Unwrap, as
// http.ResponseController requires) and must not compress or buffer the
// stream.
//
// # Wire format
//
// A stream opens with "retry: 2000". Each event is written as "id:", "event:"
// (omitted when the type is empty, which browsers see as "message") and one
// "data:" line per line of the data (a CR, LF or CRLF in the data starts a new
// data: line, so the client sees LF line ends), then a blank line. After
// Options.Heartbeat without output the handler writes the comment line ":" so
// that proxies keep the connection open. With Options.FlushEvery > 0, writes
// that follow one another within that window are batched into one flush;
// with 0 each wake-up is flushed at once (events already queued at that moment
// still go out together).
//
// # Memory
//
// A topic holds at most Options.Buffer events. A topic with no subscriber that
// has seen no publish for Options.IdleTTL is dropped, ring and all, the next
// time the hub is used; Since and Last then report it as unknown. So memory is
// bounded by the topics that are live or were live recently.
//
// # Shutdown
//
// Close ends every stream and Subscription (clients reconnect, normally to
// another process). Register it with http.Server.RegisterOnShutdown so that
// Shutdown is not held up by open streams.
package live
