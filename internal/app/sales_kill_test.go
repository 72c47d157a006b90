package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/clock"
	"ggzy/internal/fixture"
	"ggzy/internal/money"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
	"ggzy/internal/worker"
)

// Amounts of the sales below: start ¥10,000,000.00, increment ¥100,000.00.
const (
	saleStart = money.Fen(10_000_000_00)
	saleInc   = money.Fen(100_000_00)
)

// Wire shapes of the sales API (internal/api/sales.go), as a client sees them.
type wireState struct {
	Status   string    `json:"status"`
	PriceFen int64     `json:"price_fen"`
	BidderNo string    `json:"bidder_no"`
	Leader   string    `json:"leader"`
	Bids     int       `json:"bids"`
	NextFen  int64     `json:"next_fen"`
	EndsAt   time.Time `json:"ends_at"`
	Result   string    `json:"result"`
	Winner   string    `json:"winner"`
}

type wireEvent struct {
	Seq   int64     `json:"seq"`
	Type  string    `json:"type"`
	At    time.Time `json:"at"`
	State wireState `json:"state"`
}

type wireOffer struct {
	Seq       int64     `json:"seq"`
	Stage     string    `json:"stage"`
	BidderNo  string    `json:"bidder_no"`
	AmountFen int64     `json:"amount_fen"`
	At        time.Time `json:"at"`
}

type wireView struct {
	State    wireState   `json:"state"`
	Offers   []wireOffer `json:"offers"`
	ClosedAt time.Time   `json:"closed_at"`
	LastSeq  int64       `json:"last_seq"`
	Mine     *struct {
		BidderNo string `json:"bidder_no"`
	} `json:"mine"`
}

type wireReceipt struct {
	Seq       int64     `json:"seq"`
	BidderNo  string    `json:"bidder_no"`
	AmountFen int64     `json:"amount_fen"`
	At        time.Time `json:"at"`
	NextFen   int64     `json:"next_fen"`
	EndsAt    time.Time `json:"ends_at"`
}

// prepareAuction creates, on the database at url (data directory dir, which
// then holds the platform key), an online land auction starting at startAt
// (real time, now or soon) with the given countdown, and enrols bidder1…
// bidderN, through the use cases on a back-dated fake clock; the auction's
// start job is in the platform's job queue, so the `ggzy serve` started next
// begins the timed bidding at startAt.
func prepareAuction(t *testing.T, url, dir string, n int, countdown time.Duration, startAt time.Time) string {
	t.Helper()
	r := start(t, url, dir)
	defer r.stop()
	w := fixture.New(t, r.a.DB)
	r.a.DB.SetEnqueuer(r.a.Runner.Enqueue)
	p := rules.DefaultParams()
	p.Countdown.Seconds = int64(countdown / time.Second)
	startAt = startAt.UTC().Truncate(time.Second)
	clk := clock.NewFake(startAt.AddDate(0, 0, -40))
	svc, err := auction.New(auction.Config{Store: store.Bind[auction.Tx](r.a.DB), Clock: clk, IDs: w.IDs, Calendar: w.Calendar, Params: &p, Region: fixture.Region})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	in := auction.SaleInput{Kind: auction.Land, Mode: auction.ModeAuction, Title: "五象新区GC2026-099号地块国有建设用地使用权",
		Data: auction.Data{Location: "南宁市良庆区五象大道以南", AreaM2: 35678.9, Use: rules.LandResidential, TermYears: 70, PlotRatio: "1.0＜容积率≤2.8",
			Conditions: "净地出让，现状交地", Decision: "价高者得",
			ViewFrom: startAt.In(clock.Shanghai).AddDate(0, 0, -2).Format("2006-01-02"), ViewTo: startAt.In(clock.Shanghai).AddDate(0, 0, -1).Format("2006-01-02")},
		Eligibility: "中华人民共和国境内外的法人和其他组织，法律另有规定者除外", Deposit: 2_000_000_00, StartPrice: saleStart, Increment: saleInc,
		StartAt: startAt}
	s, err := svc.CreateSale(ctx, w.Actor("principal"), in)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = svc.Announce(ctx, w.Actor("principal"), s.ID); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		clk.Advance(time.Hour)
		reg, err := svc.Register(ctx, w.Actor(fmt.Sprintf("bidder%d", i+1)), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Qualify(ctx, w.Actor("operator"), reg.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ConfirmDeposit(ctx, w.Actor("operator"), reg.ID, fmt.Sprintf("BANK-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	return s.ID
}

// login signs bidder<i> in through the process's API.
func login(t *testing.T, base, username string) *apiClient {
	t.Helper()
	c := &apiClient{base: base}
	var lr struct {
		Token string `json:"token"`
	}
	if code, err := c.do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": fixture.Password}, &lr); err != nil || code != 200 {
		t.Fatalf("login %s: %d %v", username, code, err)
	}
	c.token = lr.Token
	return c
}

func saleView(t *testing.T, c *apiClient, id string) wireView {
	t.Helper()
	var v wireView
	if code, err := c.do("GET", "/api/v1/sales/"+id, nil, &v); err != nil || code != 200 {
		t.Fatalf("GET sale: %d %v", code, err)
	}
	return v
}

// saleEventsAll reads every event of the sale through GET /events.
func saleEventsAll(t *testing.T, c *apiClient, id string) []wireEvent {
	t.Helper()
	var all []wireEvent
	after := int64(0)
	for {
		var page struct {
			Events []wireEvent `json:"events"`
			More   bool        `json:"more"`
		}
		if code, err := c.do("GET", fmt.Sprintf("/api/v1/sales/%s/events?after=%d", id, after), nil, &page); err != nil || code != 200 {
			t.Fatalf("GET events: %d %v", code, err)
		}
		all = append(all, page.Events...)
		if !page.More || len(page.Events) == 0 {
			return all
		}
		after = page.Events[len(page.Events)-1].Seq
	}
}

// bidOnce posts a bid; it returns the HTTP status (0 if the server is gone).
func bidOnce(c *apiClient, id string, amount int64) (int, wireReceipt, error) {
	var rc wireReceipt
	code, err := c.do("POST", "/api/v1/sales/"+id+"/bids", map[string]int64{"amount_fen": amount}, &rc)
	return code, rc, err
}

func sameTime(a, b time.Time) bool {
	d := a.Sub(b)
	return d < time.Millisecond && d > -time.Millisecond
}

// waitTimed polls the view until the timed bidding has started.
func waitTimed(t *testing.T, c *apiClient, id string) wireView {
	t.Helper()
	var v wireView
	waitFor(t, "the timed bidding to start", 30*time.Second, func() bool {
		v = saleView(t, c, id)
		return v.State.Status == "timed"
	})
	return v
}

// TestTimedBiddingSurvivesSIGKILL: SIGKILL `ggzy serve` while bidders bid
// in the timed bidding of an online auction and restart it on the same
// database. No acknowledged bid is lost (offers and events hold every one,
// in order), the countdown resumes from the last committed bid, and a
// countdown that ran out while the server was down ends the auction as of
// the last committed bid once the restarted server's close job runs.
func TestTimedBiddingSurvivesSIGKILL(t *testing.T) {
	bin := ggzyBinary(t)
	eachDB(t, func(t *testing.T, newURL func(*testing.T) string) {
		t.Parallel() // SQLite and PostgreSQL side by side: each waits on countdowns and on River's scheduler
		// bidLoop bids next amounts alternately as the clients, pace apart,
		// until the server stops answering or stop is closed; it returns the
		// receipts.
		bidLoop := func(t *testing.T, cs []*apiClient, id string, next int64, pace time.Duration, stop <-chan struct{}) []wireReceipt {
			var acked []wireReceipt
			for k := 0; ; k++ {
				select {
				case <-stop:
					return acked
				default:
				}
				code, rc, err := bidOnce(cs[k%len(cs)], id, next)
				if err != nil || code == 0 {
					return acked // the server is gone
				}
				if code != 201 {
					t.Errorf("bid %d of %d refused: %d", k+1, next, code)
					return acked
				}
				acked = append(acked, rc)
				next = rc.NextFen
				time.Sleep(pace)
			}
		}
		// checkKept: the acknowledged bids are all in the offers and the
		// events, in order, each one increment above the previous, and at
		// most one bid past them was committed unacknowledged (its answer
		// lost in the kill).
		checkKept := func(t *testing.T, v wireView, evs []wireEvent, acked []wireReceipt) []wireOffer {
			var offers []wireOffer
			for _, o := range v.Offers {
				if o.Stage == "timed" {
					offers = append(offers, o)
				}
			}
			var bids []wireEvent
			for _, e := range evs {
				if e.Type == "bid" {
					bids = append(bids, e)
				}
			}
			if len(offers) < len(acked) || len(offers) > len(acked)+1 || len(bids) != len(offers) {
				t.Fatalf("%d acknowledged bids; %d offers and %d bid events stored", len(acked), len(offers), len(bids))
			}
			byseq := map[int64]wireOffer{}
			for i, o := range offers {
				byseq[o.Seq] = o
				if i > 0 && o.AmountFen != offers[i-1].AmountFen+int64(saleInc) {
					t.Errorf("offer %d: %d after %d", i, o.AmountFen, offers[i-1].AmountFen)
				}
			}
			for i, e := range bids {
				if i > 0 && e.Seq <= bids[i-1].Seq {
					t.Errorf("bid events out of order: %d after %d", e.Seq, bids[i-1].Seq)
				}
				if o, ok := byseq[e.Seq]; !ok || o.AmountFen != e.State.PriceFen || o.BidderNo != e.State.BidderNo {
					t.Errorf("bid event %d (%d by %s) has no matching offer", e.Seq, e.State.PriceFen, e.State.BidderNo)
				}
			}
			for i, a := range acked {
				o, ok := byseq[a.Seq]
				if !ok || o.AmountFen != a.AmountFen || o.BidderNo != a.BidderNo {
					t.Errorf("acknowledged bid %d (seq %d, %d by %s) lost: %+v", i+1, a.Seq, a.AmountFen, a.BidderNo, o)
				}
				if o.Seq != offers[i].Seq {
					t.Errorf("acknowledged bid %d is offer %d", i+1, o.Seq)
				}
			}
			return offers
		}

		t.Run("BidsKeptCountdownResumes", func(t *testing.T) {
			url, dir := newURL(t), t.TempDir()
			const countdown = 60 * time.Second
			id := prepareAuction(t, url, dir, 3, countdown, time.Now().Add(3*time.Second))
			p := startProc(t, bin, url, dir)
			cs := []*apiClient{login(t, p.url, "bidder1"), login(t, p.url, "bidder2"), login(t, p.url, "bidder3")}
			v := waitTimed(t, cs[0], id)
			stop := make(chan struct{})
			done := make(chan []wireReceipt, 1)
			go func() { done <- bidLoop(t, cs, id, v.State.NextFen, 0, stop) }()
			time.Sleep(1500 * time.Millisecond)
			if err := p.cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
				t.Fatal(err)
			}
			_ = p.cmd.Wait()
			acked := <-done
			close(stop)
			if len(acked) < 5 {
				t.Fatalf("only %d bids acknowledged before the kill", len(acked))
			}
			t.Logf("%d bids acknowledged before SIGKILL", len(acked))

			p2 := startProc(t, bin, url, dir)
			for _, c := range cs {
				c.base = p2.url
			}
			v = saleView(t, cs[0], id)
			offers := checkKept(t, v, saleEventsAll(t, cs[0], id), acked)
			last := offers[len(offers)-1]
			if v.State.Status != "timed" {
				t.Fatalf("after the restart the sale is %q, want timed", v.State.Status)
			}
			if want := last.At.Add(countdown); !sameTime(v.State.EndsAt, want) {
				t.Errorf("countdown ends at %s after the restart; the last committed bid (%s) set %s", v.State.EndsAt, last.At, want)
			}
			if a := acked[len(acked)-1]; v.State.EndsAt.Before(a.EndsAt.Add(-time.Millisecond)) {
				t.Errorf("countdown ends at %s, before the last receipt's %s", v.State.EndsAt, a.EndsAt)
			}
			if v.State.PriceFen != last.AmountFen || v.State.Leader != last.BidderNo || v.State.NextFen != last.AmountFen+int64(saleInc) {
				t.Errorf("state after the restart %+v; last committed offer %+v", v.State, last)
			}
			// Bidding goes on from the committed state on the new process.
			var c *apiClient
			for _, x := range cs {
				if saleView(t, x, id).Mine.BidderNo != last.BidderNo {
					c = x
					break
				}
			}
			code, rc, err := bidOnce(c, id, v.State.NextFen)
			if err != nil || code != 201 {
				t.Fatalf("bid after the restart: %d %v", code, err)
			}
			if rc.Seq <= last.Seq || !sameTime(rc.EndsAt, rc.At.Add(countdown)) {
				t.Errorf("receipt after the restart %+v (last committed seq %d)", rc, last.Seq)
			}
		})

		t.Run("ExpiredWhileDown", func(t *testing.T) {
			url, dir := newURL(t), t.TempDir()
			const countdown = 4 * time.Second
			id := prepareAuction(t, url, dir, 3, countdown, time.Now().Add(3*time.Second))
			p := startProc(t, bin, url, dir)
			cs := []*apiClient{login(t, p.url, "bidder1"), login(t, p.url, "bidder2"), login(t, p.url, "bidder3")}
			v := waitTimed(t, cs[0], id)
			stop := make(chan struct{})
			done := make(chan []wireReceipt, 1)
			// A realistic pace: each bid schedules a close job, and hundreds of
			// stale ones would delay the close after the restart.
			go func() { done <- bidLoop(t, cs, id, v.State.NextFen, 25*time.Millisecond, stop) }()
			time.Sleep(1000 * time.Millisecond)
			if err := p.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = p.cmd.Wait()
			acked := <-done
			close(stop)
			if len(acked) < 3 {
				t.Fatalf("only %d bids acknowledged before the kill", len(acked))
			}
			t.Logf("%d bids acknowledged before SIGKILL", len(acked))
			// Stay down past the countdown's end.
			time.Sleep(time.Until(acked[len(acked)-1].EndsAt) + 1500*time.Millisecond)

			restarted := time.Now()
			p2 := startProc(t, bin, url, dir)
			for _, c := range cs {
				c.base = p2.url
			}
			var v2 wireView
			waitFor(t, "the restarted server to close the auction", 30*time.Second, func() bool {
				v2 = saleView(t, cs[0], id)
				return v2.State.Status == "closed"
			})
			t.Logf("closed %s after the restart (River's scheduler moves due jobs every %s)", time.Since(restarted).Round(time.Millisecond), worker.SchedulerLead)
			offers := checkKept(t, v2, saleEventsAll(t, cs[0], id), acked)
			last := offers[len(offers)-1]
			if v2.State.Result != "deal" || v2.State.Winner != last.BidderNo || v2.State.PriceFen != last.AmountFen {
				t.Errorf("result %+v; the last committed bid was %+v", v2.State, last)
			}
			if want := last.At.Add(countdown); !sameTime(v2.ClosedAt, want) {
				t.Errorf("closed at %s, want the last committed bid's countdown end %s", v2.ClosedAt, want)
			}
			if code, _, err := bidOnce(cs[0], id, v2.State.PriceFen+int64(saleInc)); err != nil || code == 201 {
				t.Errorf("bid after the close: %d %v", code, err)
			}
		})
	})
}

// sseEvent is one server-sent event of a sale stream.
type sseEvent struct {
	ID   int64
	Type string
	Data wireEvent
}

// watchSale reads the sale's stream on base from after lastID until it
// sees the closed event or ctx ends.
func watchSale(ctx context.Context, base, id string, lastID int64) ([]sseEvent, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/sales/%s/stream?lastEventId=%d", base, id, lastID), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("stream: %d %s", resp.StatusCode, b)
	}
	var out []sseEvent
	var cur sseEvent
	var data bytes.Buffer
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if data.Len() > 0 {
				if err := json.Unmarshal(data.Bytes(), &cur.Data); err != nil {
					return out, fmt.Errorf("event %d: %v: %s", cur.ID, err, data.Bytes())
				}
				out = append(out, cur)
				if cur.Type == "closed" || cur.Data.Type == "closed" {
					return out, nil
				}
			}
			cur, data = sseEvent{}, bytes.Buffer{}
		case strings.HasPrefix(line, "id:"):
			n, err := strconv.ParseInt(strings.TrimSpace(line[3:]), 10, 64)
			if err != nil {
				return out, fmt.Errorf("event id %q", line)
			}
			cur.ID = n
		case strings.HasPrefix(line, "event:"):
			cur.Type = strings.TrimSpace(line[6:])
		case strings.HasPrefix(line, "data:"):
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	if err := sc.Err(); err != nil {
		return out, err
	}
	return out, fmt.Errorf("stream ended before the close after %d events", len(out))
}

// TestTwoProcessesServeOneSale: two `ggzy serve` processes on one
// PostgreSQL database (sharing the platform key) serve one online auction.
// Bids go concurrently through either process; a watcher on each process
// sees the same events, in commit order without gap or duplicate, one
// order of bids each one increment above the previous, and one result.
func TestTwoProcessesServeOneSale(t *testing.T) {
	bin := ggzyBinary(t)
	url := testkit.PostgresURL(t)
	dir := t.TempDir()
	const countdown = 5 * time.Second
	id := prepareAuction(t, url, dir, 3, countdown, time.Now().Add(3*time.Second))
	ps := []*proc{startProc(t, bin, url, dir), startProc(t, bin, url, dir)}
	v := waitTimed(t, login(t, ps[0].url, "bidder1"), id)

	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	type watched struct {
		evs []sseEvent
		err error
	}
	watches := make([]chan watched, len(ps))
	for i, p := range ps {
		watches[i] = make(chan watched, 1)
		go func() {
			evs, err := watchSale(ctx, p.url, id, v.LastSeq)
			watches[i] <- watched{evs, err}
		}()
	}
	time.Sleep(300 * time.Millisecond) // let the watchers subscribe (they resume from last_seq anyway)

	// Three bidders on each process, each bidding the next amount it
	// reads, as fast as it can, for a few seconds.
	var mu sync.Mutex
	var acked []wireReceipt
	refused := 0
	var wg sync.WaitGroup
	until := time.Now().Add(3 * time.Second)
	for pi, p := range ps {
		for b := 1; b <= 3; b++ {
			c := login(t, p.url, fmt.Sprintf("bidder%d", b))
			other := &apiClient{base: ps[1-pi].url, token: c.token} // the same session through the other process
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; time.Now().Before(until); k++ {
					via := c
					if k%2 == 1 {
						via = other
					}
					var sv wireView
					if code, err := via.do("GET", "/api/v1/sales/"+id, nil, &sv); err != nil || code != 200 {
						t.Errorf("GET sale: %d %v", code, err)
						return
					}
					if sv.State.Status != "timed" {
						t.Errorf("sale %s during the bidding", sv.State.Status)
						return
					}
					if sv.Mine != nil && sv.State.Leader == sv.Mine.BidderNo {
						time.Sleep(5 * time.Millisecond)
						continue
					}
					code, rc, err := bidOnce(via, id, sv.State.NextFen)
					switch {
					case err != nil:
						t.Errorf("bid: %v", err)
						return
					case code == 201:
						mu.Lock()
						acked = append(acked, rc)
						mu.Unlock()
					case code >= 500:
						t.Errorf("bid of %d: server error %d", sv.State.NextFen, code)
						return
					default:
						mu.Lock()
						refused++
						mu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	t.Logf("%d bids accepted, %d refused (outbid or leading) through two processes", len(acked), refused)
	if len(acked) < 10 {
		t.Fatalf("only %d bids accepted", len(acked))
	}

	var seqs [][]sseEvent
	for i, w := range watches {
		r := <-w
		if r.err != nil {
			t.Fatalf("watcher on process %d: %v (after %d events)", i+1, r.err, len(r.evs))
		}
		seqs = append(seqs, r.evs)
	}
	a, b := seqs[0], seqs[1]
	if len(a) != len(b) {
		t.Errorf("watchers saw %d and %d events", len(a), len(b))
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i].ID != b[i].ID || a[i].Data.Type != b[i].Data.Type || a[i].Data.State.PriceFen != b[i].Data.State.PriceFen || a[i].Data.State.BidderNo != b[i].Data.State.BidderNo {
			t.Fatalf("event %d differs: %+v / %+v", i, a[i], b[i])
		}
	}
	// The stream is the committed events after last_seq, as GET /events has them.
	c := login(t, ps[1].url, "bidder1")
	var all []wireEvent
	for _, e := range saleEventsAll(t, c, id) {
		if e.Seq > v.LastSeq {
			all = append(all, e)
		}
	}
	if len(all) != len(a) {
		t.Fatalf("the stream had %d events, the database %d after seq %d", len(a), len(all), v.LastSeq)
	}
	byseq := map[int64]wireReceipt{}
	for _, r := range acked {
		if _, dup := byseq[r.Seq]; dup {
			t.Errorf("two receipts with seq %d", r.Seq)
		}
		byseq[r.Seq] = r
	}
	price, bids, closed := v.State.PriceFen, 0, 0
	for i, e := range a {
		if e.ID != all[i].Seq || e.Data.Seq != e.ID || e.Data.Type != all[i].Type {
			t.Errorf("stream event %d: id %d type %s; database seq %d type %s", i, e.ID, e.Data.Type, all[i].Seq, all[i].Type)
		}
		if i > 0 && e.ID <= a[i-1].ID {
			t.Errorf("event ids out of order: %d after %d", e.ID, a[i-1].ID)
		}
		switch e.Data.Type {
		case "bid":
			want := price + int64(saleInc)
			if bids == 0 && v.State.Bids == 0 {
				want = v.State.NextFen // the first bid may be the start price
			}
			if e.Data.State.PriceFen != want {
				t.Errorf("bid event %d: %d, want %d (one increment above %d)", e.ID, e.Data.State.PriceFen, want, price)
			}
			r, ok := byseq[e.ID]
			if !ok || r.AmountFen != e.Data.State.PriceFen || r.BidderNo != e.Data.State.BidderNo {
				t.Errorf("bid event %d (%d by %s) has no matching receipt", e.ID, e.Data.State.PriceFen, e.Data.State.BidderNo)
			}
			price = e.Data.State.PriceFen
			bids++
		case "closed":
			closed++
			if e.Data.State.Result != "deal" || e.Data.State.PriceFen != price {
				t.Errorf("closed event %+v; last bid %d", e.Data.State, price)
			}
		}
	}
	if bids != len(acked) || closed != 1 {
		t.Errorf("stream: %d bid events for %d receipts, %d closed events", bids, len(acked), closed)
	}
	// One result, whichever process is asked.
	v0, v1 := saleView(t, login(t, ps[0].url, "bidder2"), id), saleView(t, c, id)
	if v0.State.Result != "deal" || v0.State.Result != v1.State.Result || v0.State.Winner != v1.State.Winner || v0.State.PriceFen != v1.State.PriceFen ||
		v0.State.PriceFen != price || !v0.ClosedAt.Equal(v1.ClosedAt) {
		t.Errorf("results differ or wrong: %+v at %s / %+v at %s (last bid %d)", v0.State, v0.ClosedAt, v1.State, v1.ClosedAt, price)
	}
}
