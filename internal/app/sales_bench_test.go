package app_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ggzy/internal/api"
	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/clock"
	"ggzy/internal/fixture"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// BenchmarkTimedBidding measures issue 5 §7 in one run per database: the
// timed bidding of an online auction with 200 bidders (GGZY_BENCH_BIDDERS)
// bidding as fast as the rules allow (each one the next valid amount it
// last learnt — from its receipt or from the refusal's state —, never over
// its own leading bid) through the Bid use case, for GGZY_BENCH_SECONDS (5),
// while 2,000 SSE clients (GGZY_BENCH_WATCHERS) watch the sale's stream
// (api.New on an httptest server sharing the bidders' Service, as in a
// process that serves both; real HTTP over loopback), beside the raw single-row insert
// transaction rate of the same database at the same concurrency, measured
// in the same run. It reports accepted bids/s, raw tx/s, their ratio
// (target ≥ 0.5) and the p50/p99 of the time from a bid's acceptance (the
// Bid call returned after its commit) to its arrival at each watcher
// (target p99 < 100 ms).
//
//	GGZY_TEST_POSTGRES=… go test -run '^$' -bench TimedBidding -benchtime 1x -timeout 20m ./internal/app/
func BenchmarkTimedBidding(b *testing.B) {
	bidders, watchers := envInt("GGZY_BENCH_BIDDERS", 200), envInt("GGZY_BENCH_WATCHERS", 2000)
	dur := time.Duration(envInt("GGZY_BENCH_SECONDS", 5)) * time.Second
	for _, dbname := range []string{"sqlite", "postgres"} {
		b.Run(dbname, func(b *testing.B) {
			var db *store.DB
			if dbname == "sqlite" {
				db = testkit.OpenSQLite(b)
			} else {
				db = testkit.OpenPostgres(b)
			}
			ctx := context.Background()
			w := fixture.New(b, db)

			// The sale, on the world's fake clock, 40 days before its start.
			startAt := time.Now().UTC().Truncate(time.Second)
			w.Clock.Set(startAt.AddDate(0, 0, -40))
			in := auction.SaleInput{Kind: auction.Land, Mode: auction.ModeAuction, Title: "五象新区GC2026-100号地块国有建设用地使用权",
				Data: auction.Data{Location: "南宁市良庆区五象大道以南", AreaM2: 35678.9, Use: rules.LandResidential, TermYears: 70, PlotRatio: "1.0＜容积率≤2.8",
					Conditions: "净地出让，现状交地", Decision: "价高者得",
					ViewFrom: startAt.In(clock.Shanghai).AddDate(0, 0, -2).Format("2006-01-02"), ViewTo: startAt.In(clock.Shanghai).AddDate(0, 0, -1).Format("2006-01-02")},
				Eligibility: "中华人民共和国境内外的法人和其他组织，法律另有规定者除外", Deposit: 2_000_000_00, StartPrice: saleStart, Increment: money.Fen(100),
				StartAt: startAt}
			s, err := w.Auction.CreateSale(ctx, w.Actor("principal"), in)
			if err != nil {
				b.Fatal(err)
			}
			if s, err = w.Auction.Announce(ctx, w.Actor("principal"), s.ID); err != nil {
				b.Fatal(err)
			}
			actors := make([]party.Actor, bidders)
			numbers := make([]string, bidders)
			for i := 0; i < bidders; i++ {
				code, err := party.MakeUSCC("91", fixture.Region, fmt.Sprintf("%08d", 60000000+i))
				if err != nil {
					b.Fatal(err)
				}
				e, err := w.Party.RegisterEntity(ctx, party.System(), party.EntityInput{USCC: code, Name: fmt.Sprintf("竞买压测企业%03d", i), LegalRep: fmt.Sprintf("法人%03d", i), Kind: party.KindEnterprise, Region: fixture.Region})
				if err != nil {
					b.Fatal(err)
				}
				name := fmt.Sprintf("buyer%03d", i)
				u, err := w.Party.CreateUser(ctx, party.System(), party.UserInput{Username: name, Name: name, Password: fixture.Password, Role: party.RoleBidder, EntityID: e.ID})
				if err != nil {
					b.Fatal(err)
				}
				actors[i] = u.Actor("127.0.0.1")
				w.Clock.Advance(time.Minute)
				reg, err := w.Auction.Register(ctx, actors[i], s.ID)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := w.Auction.Qualify(ctx, w.Actor("operator"), reg.ID, true, ""); err != nil {
					b.Fatal(err)
				}
				if reg, err = w.Auction.ConfirmDeposit(ctx, w.Actor("operator"), reg.ID, fmt.Sprintf("BANK-%d", i)); err != nil {
					b.Fatal(err)
				}
				numbers[i] = reg.BidderNo // drawn with the deposit
			}
			// The bidding runs at server (real) time.
			svc, err := auction.New(auction.Config{Store: store.Bind[auction.Tx](db), Clock: clock.Real{}, IDs: w.IDs, Calendar: w.Calendar, Region: fixture.Region})
			if err != nil {
				b.Fatal(err)
			}

			// Raw single-row insert transactions, same concurrency.
			ph := "?, ?"
			if db.Dialect() == store.Postgres {
				ph = "$1, $2"
			}
			if _, err := db.Writer().Exec("CREATE TABLE bench_raw (id TEXT PRIMARY KEY, v BIGINT)"); err != nil {
				b.Fatal(err)
			}
			var raw atomic.Int64
			var rawRate float64
			{
				stop := time.Now().Add(dur)
				var wg sync.WaitGroup
				t0 := time.Now()
				for g := 0; g < bidders; g++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for time.Now().Before(stop) {
							k := raw.Add(1)
							if err := rawTx(db, "INSERT INTO bench_raw (id, v) VALUES ("+ph+")", strconv.FormatInt(k, 10), k); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				rawRate = float64(raw.Load()) / time.Since(t0).Seconds()
			}

			if err := svc.StartTimed(ctx, s.ID); err != nil {
				b.Fatal(err)
			}

			// Watchers: 2,000 SSE streams of the sale.
			// The server runs on the bidders' service, as in production,
			// where bids and streams share a process's Service.
			deps := w.HTTPDeps()
			deps.Auction = svc
			srv := httptest.NewServer(api.New(deps))
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, MaxConnsPerHost: 0, DisableCompression: true}}
			type arrival struct{ seq, at int64 }
			got := make([][]arrival, watchers)
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			var ready, wdone sync.WaitGroup
			ready.Add(watchers)
			wdone.Add(watchers)
			t0 := time.Now()
			var werr atomic.Int64
			for i := 0; i < watchers; i++ {
				go func() {
					defer wdone.Done()
					req, _ := http.NewRequestWithContext(wctx, "GET", srv.URL+"/api/v1/sales/"+string(s.ID)+"/stream", nil)
					resp, err := client.Do(req)
					ready.Done()
					if err != nil {
						werr.Add(1)
						return
					}
					defer resp.Body.Close()
					if resp.StatusCode != 200 {
						werr.Add(1)
						return
					}
					br := bufio.NewReaderSize(resp.Body, 16<<10)
					var batch []int64
					for {
						batch = batch[:0]
						for len(batch) == 0 || br.Buffered() > 0 {
							line, err := br.ReadSlice('\n')
							if err != nil {
								return
							}
							if bytes.HasPrefix(line, []byte("id: ")) {
								n, _ := strconv.ParseInt(string(bytes.TrimSpace(line[4:])), 10, 64)
								batch = append(batch, n)
							}
						}
						now := int64(time.Since(t0))
						for _, n := range batch {
							got[i] = append(got[i], arrival{n, now})
						}
					}
				}()
			}
			ready.Wait()
			time.Sleep(500 * time.Millisecond) // the last subscriptions settle
			if n := werr.Load(); n > 0 {
				b.Fatalf("%d watchers failed to connect", n)
			}

			// Bidders.
			var next atomic.Int64
			next.Store(int64(saleStart))
			// The standing bidder number as the bidders last learnt it,
			// newest state first: answers arrive out of order.
			type standing struct {
				seq int64
				no  string
			}
			var leader atomic.Pointer[standing]
			leader.Store(&standing{})
			lead := func(seq int64, no string) {
				for {
					cur := leader.Load()
					if seq <= cur.seq || leader.CompareAndSwap(cur, &standing{seq, no}) {
						return
					}
				}
			}
			var mu sync.Mutex
			accepted := map[int64]int64{} // seq → acceptance, ns since t0
			var nAcc, nRef, nOther atomic.Int64
			b.ResetTimer()
			bstart := time.Now()
			stop := bstart.Add(dur)
			var bwg sync.WaitGroup
			for i := 0; i < bidders; i++ {
				bwg.Add(1)
				go func() {
					defer bwg.Done()
					for time.Now().Before(stop) {
						if leader.Load().no == numbers[i] {
							runtime.Gosched() // the rules forbid raising one's own lead
							continue
						}
						rc, err := svc.Bid(ctx, actors[i], s.ID, money.Fen(next.Load()))
						if err != nil {
							nRef.Add(1)
							// A stale amount is refused with the state that
							// refused it: no second read.
							var ref *auction.Refused
							if errors.As(err, &ref) {
								casMax(&next, int64(ref.State.Next))
								lead(ref.Seq, ref.State.Leader)
								continue
							}
							if nOther.Add(1) <= 3 {
								b.Logf("refused: %v", err)
							}
							ev, err := svc.LatestEvent(ctx, s.ID)
							if err != nil {
								b.Error(err)
								return
							}
							if ev.Data.Status != auction.StatusTimed {
								b.Errorf("bidding no longer timed: %s", ev.Data.Status)
								return
							}
							casMax(&next, int64(ev.Data.Next))
							lead(ev.Seq, ev.Data.Leader)
							continue
						}
						at := int64(time.Since(t0))
						nAcc.Add(1)
						mu.Lock()
						accepted[rc.Seq] = at
						mu.Unlock()
						casMax(&next, int64(rc.Next))
						lead(rc.Seq, rc.BidderNo)
					}
				}()
			}
			bwg.Wait()
			elapsed := time.Since(bstart)
			time.Sleep(time.Second) // the last bids reach the watchers
			b.StopTimer()
			cancel()
			wdone.Wait()

			var lat []time.Duration
			missing := 0
			for i := range got {
				seen := make(map[int64]bool, len(got[i]))
				for _, a := range got[i] {
					if acc, ok := accepted[a.seq]; ok {
						seen[a.seq] = true
						lat = append(lat, time.Duration(max(0, a.at-acc)))
					}
				}
				missing += len(accepted) - len(seen)
			}
			slices.Sort(lat)
			q := func(p float64) float64 {
				if len(lat) == 0 {
					return 0
				}
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6
			}
			bids := float64(nAcc.Load()) / elapsed.Seconds()
			b.ReportMetric(rawRate, "raw/s")
			b.ReportMetric(bids, "bids/s")
			b.ReportMetric(bids/rawRate, "ratio")
			b.ReportMetric(q(0.50), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
			b.ReportMetric(float64(nRef.Load())/elapsed.Seconds(), "refused/s")
			b.ReportMetric(float64(missing), "undelivered")
			b.Logf("%s: %d accepted, %d refused (%d of them not for a stale amount) in %v; raw %d in %v; %d deliveries measured, %d (bid, watcher) pairs undelivered",
				dbname, nAcc.Load(), nRef.Load(), nOther.Load(), elapsed.Round(time.Millisecond), raw.Load(), dur, len(lat), missing)
		})
	}
}

func casMax(a *atomic.Int64, v int64) {
	for {
		cur := a.Load()
		if v <= cur || a.CompareAndSwap(cur, v) {
			return
		}
	}
}

func rawTx(db *store.DB, q string, args ...any) error {
	tx, err := db.Writer().Begin()
	if err != nil {
		return err
	}
	if _, err := tx.Exec(q, args...); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
