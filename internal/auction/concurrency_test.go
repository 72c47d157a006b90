package auction_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/fixture"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// TestTwoProcessesOneOrder: two services on two handles of one database
// (two `ggzy serve` processes) take bids on one timed bidding at once. Each
// accepted bid is exactly one increment above the one committed before it,
// in commit order, with one event each: one order of bids, one result.
func TestTwoProcessesOneOrder(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			url := "sqlite:" + filepath.Join(t.TempDir(), "two.db")
			if name == "postgres" {
				url = testkit.PostgresURL(t)
			}
			var dbs []*store.DB
			for range 2 {
				db, err := store.Open(ctx, url)
				noErr(t, err)
				t.Cleanup(func() { db.Close() })
				dbs = append(dbs, db)
			}
			noErr(t, dbs[0].Migrate(ctx))
			w := fixture.New(t, dbs[0])
			dbs[1].SetEnqueuer(func(context.Context, *sql.Tx, jobs.Job) error { return nil })
			other, err := auction.New(auction.Config{Store: store.Bind[auction.Tx](dbs[1]), Clock: w.Clock, IDs: w.IDs, Calendar: w.Calendar, Region: fixture.Region})
			noErr(t, err)
			svcs := []*auction.Service{w.Auction, other}

			s, _ := auctionSale(t, w, 6)
			noErr(t, w.Auction.StartTimed(ctx, s.ID))
			const perBidder = 12
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				accepted []auction.Receipt
				failures []error
			)
			for b := 0; b < 6; b++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					svc := svcs[b%2]
					for range perBidder {
						v, err := svc.ViewSale(ctx, bidderActor(w, b), s.ID)
						if err != nil {
							mu.Lock()
							failures = append(failures, err)
							mu.Unlock()
							return
						}
						r, err := svc.Bid(ctx, bidderActor(w, b), s.ID, v.State.Next)
						mu.Lock()
						switch {
						case err == nil:
							accepted = append(accepted, r)
						case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.Conflict):
							// overtaken, or leading: refused with the new price
						default:
							failures = append(failures, err)
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(failures) > 0 {
				t.Fatalf("%d unexpected errors; first: %v", len(failures), failures[0])
			}
			if len(accepted) < 6 {
				t.Fatalf("only %d bids accepted", len(accepted))
			}
			var offers []auction.Offer
			noErr(t, dbs[1].Read(ctx, func(tx *store.Tx) error {
				var err error
				offers, err = tx.ListSaleOffers(ctx, s.ID, auction.StageTimed)
				return err
			}))
			if len(offers) != len(accepted) {
				t.Fatalf("%d offers stored, %d acknowledged", len(offers), len(accepted))
			}
			for i, o := range offers {
				if o.Amount != start+inc*money.Fen(i) {
					t.Fatalf("bid %d (seq %d) is %s, want %s: it did not see the bid committed before it", i, o.Seq, o.Amount, start+inc*money.Fen(i))
				}
				if i > 0 && o.Seq <= offers[i-1].Seq {
					t.Fatalf("seq %d after %d", o.Seq, offers[i-1].Seq)
				}
			}
			evs, err := other.Events(ctx, s.ID, 0, 0)
			noErr(t, err)
			bids := 0
			for _, e := range evs {
				if e.Type == auction.EvBid {
					if e.Data.Price != start+inc*money.Fen(bids) || e.Seq != offers[bids].Seq {
						t.Fatalf("event %d: %+v, offer %+v", bids, e, offers[bids])
					}
					bids++
				}
			}
			eq(t, "one event per accepted bid", bids, len(offers))
			got := sale(t, w, s.ID)
			eq(t, "state price", got.Timed.Price, offers[len(offers)-1].Amount)
			eq(t, "state bids", got.Timed.Bids, len(offers))
		})
	}
}
