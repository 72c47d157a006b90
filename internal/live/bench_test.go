package live

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkFanout publishes to one topic watched by 2,000 subscribers and
// reports deliveries per second (events × subscribers received, divided by
// the time until the last subscriber had the last event) and the
// publish→receive latency. One op is one published event.
//
//   - subscription: in-process Subscriptions, i.e. the hub alone.
//   - sse: real EventSource streams over loopback HTTP, client parsing
//     included (it shares the CPUs with the server).
//   - burst100: bursts of 100 events published back to back, the next burst
//     when every subscriber has the last (capacity; latency includes
//     queueing within the burst).
//   - single: one event at a time, the next 20ms later or when every
//     subscriber has it, whichever is later (a busy auction: the latency of
//     one event reaching all 2,000 watchers).
func BenchmarkFanout(b *testing.B) {
	const subscribers = 2000
	for _, mode := range []struct {
		name  string
		burst int
		every time.Duration
	}{{"burst100", 100, 0}, {"single", 1, 20 * time.Millisecond}} {
		b.Run("subscription/"+mode.name, func(b *testing.B) {
			fanout(b, subscribers, mode.burst, mode.every, Options{Buffer: b.N + 1}, subscriptionReader)
		})
		for _, flush := range []time.Duration{0, 20 * time.Millisecond} {
			name := "sse/" + mode.name
			if flush > 0 {
				name += "/flush" + flush.String()
			}
			b.Run(name, func(b *testing.B) {
				fanout(b, subscribers, mode.burst, mode.every, Options{Buffer: b.N + 1, FlushEvery: flush}, sseReader)
			})
		}
	}
}

// reader starts one subscriber; ready is called once it is subscribed, and
// got(id, at) for every event received, with at the receive time.
type reader func(b *testing.B, h *Hub, url string, n int, ready func(), got func(batch []uint64)) error

func fanout(b *testing.B, subscribers, burst int, every time.Duration, opts Options, read reader) {
	h := NewHub(opts)
	srv := serve(b, h)
	payload := []byte(`{"lot":"L1","round":3,"price":123456789,"bidder":"B-0042","at":"2025-01-01T10:00:00Z"}`)

	pubAt := make([]time.Duration, b.N+1) // by event ID
	var t0 time.Time
	hists := make([]histogram, subscribers)
	// Subscribers count burst ends; the last to get one signals.
	var reached atomic.Int64
	burstDone := make(chan struct{}, 1)
	var ready, done sync.WaitGroup
	errs := make(chan error, subscribers)
	ready.Add(subscribers)
	done.Add(subscribers)
	for i := 0; i < subscribers; i++ {
		hist := &hists[i]
		go func() {
			defer done.Done()
			err := read(b, h, srv.URL+"/live/auction", b.N, ready.Done, func(batch []uint64) {
				now := time.Since(t0)
				for _, id := range batch {
					hist.add(now - pubAt[id])
					if (id%uint64(burst) == 0 || id == uint64(b.N)) && reached.Add(1)%int64(subscribers) == 0 {
						burstDone <- struct{}{}
					}
				}
			})
			if err != nil {
				errs <- err
			}
		}()
	}
	ready.Wait()
	for h.Stats().Subscribers < subscribers {
		time.Sleep(time.Millisecond)
	}

	b.ResetTimer()
	t0 = time.Now()
	var publishing time.Duration
	var tick *time.Ticker
	if every > 0 {
		tick = time.NewTicker(every)
		defer tick.Stop()
	}
	for i := 1; i <= b.N; i++ {
		if tick != nil {
			<-tick.C
		}
		start := time.Since(t0)
		pubAt[i] = start
		h.Publish("auction", "bid", payload)
		publishing += time.Since(t0) - start
		if i%burst == 0 || i == b.N {
			<-burstDone
		}
	}
	done.Wait()
	elapsed := time.Since(t0)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}

	var all histogram
	for i := range hists {
		all.merge(&hists[i])
	}
	b.ReportMetric(float64(subscribers)*float64(b.N)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(all.quantile(0.50))/1e3, "p50-µs")
	b.ReportMetric(float64(all.quantile(0.99))/1e3, "p99-µs")
	b.ReportMetric(float64(publishing.Nanoseconds())/float64(b.N), "publish-ns/op")
}

func subscriptionReader(b *testing.B, h *Hub, _ string, n int, ready func(), got func([]uint64)) error {
	sub := h.Subscribe("auction", 0)
	defer sub.Close()
	ready()
	var evs []Event
	ids := make([]uint64, 0, maxBatch)
	for seen := 0; seen < n; {
		var err error
		if evs, err = sub.Next(context.Background(), evs[:0]); err != nil {
			return err
		}
		ids = ids[:0]
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
		got(ids)
		seen += len(evs)
	}
	return nil
}

var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}

func sseReader(b *testing.B, _ *Hub, url string, n int, ready func(), got func([]uint64)) error {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Last-Event-ID", "0")
	resp, err := benchClient.Do(req)
	ready()
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	br := bufio.NewReaderSize(resp.Body, 16<<10)
	ids := make([]uint64, 0, maxBatch)
	idPrefix := []byte("id: ")
	for seen := 0; seen < n; {
		// Take what has arrived, then hand it over with one timestamp.
		ids = ids[:0]
		for len(ids) == 0 || br.Buffered() > 0 {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return fmt.Errorf("after %d events: %w", seen, err)
			}
			if bytes.HasPrefix(line, idPrefix) {
				id, err := strconv.ParseUint(string(line[len(idPrefix):len(line)-1]), 10, 64)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
		}
		got(ids)
		seen += len(ids)
	}
	return nil
}

// histogram counts durations in buckets 4% wide.
type histogram struct {
	counts [700]uint32
	n      uint64
}

const histBase = 1.04

func (h *histogram) add(d time.Duration) {
	i := 0
	if d > 1 {
		i = min(int(math.Log(float64(d))/math.Log(histBase)), len(h.counts)-1)
	}
	h.counts[i]++
	h.n++
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// quantile returns the upper bound of the bucket holding quantile q.
func (h *histogram) quantile(q float64) time.Duration {
	target := uint64(math.Ceil(q * float64(h.n)))
	var cum uint64
	for i, c := range h.counts {
		cum += uint64(c)
		if cum >= target && c > 0 {
			return time.Duration(math.Pow(histBase, float64(i+1)))
		}
	}
	return 0
}
