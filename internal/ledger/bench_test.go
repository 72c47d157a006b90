package ledger_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/ledger"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// BenchmarkLedger measures the ledger's figures on both databases: appends
// (one entry per transaction, as a use case does), and at a tree of
// GGZY_BENCH_LEDGER entries (default 20 000) the latency of an inclusion
// proof, of a consistency proof and of signing a checkpoint.
// Run: go test -run '^$' -bench Ledger ./internal/ledger/
func BenchmarkLedger(b *testing.B) {
	size := 20_000
	if v, err := strconv.Atoi(os.Getenv("GGZY_BENCH_LEDGER")); err == nil && v > 0 {
		size = v
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			var db *store.DB
			if dialect == "sqlite" {
				db = testkit.OpenSQLite(b)
			} else {
				if os.Getenv(testkit.EnvPostgres) == "" {
					b.Skip("GGZY_TEST_POSTGRES not set")
				}
				db = testkit.OpenPostgres(b)
			}
			ctx := context.Background()
			k, _ := gm.GenerateKey(rand.Reader)
			signer, _ := gm.NewNoteSigner("ggzy/bench", k)
			log := ledger.NewLog(store.Bind[ledger.Tx](db), signer, "ggzy/bench", clock.Real{})
			entry := func(i int) ledger.Entry {
				e, err := ledger.Seal(ledger.Draft{Type: "bench.entry", Subject: "BENCH", Public: map[string]any{"i": i, "lot": "450100-2026-0001-01"},
					Private: map[string]any{"actor": "u1", "ip": "127.0.0.1"}}, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				return e
			}
			b.Run("append", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if err := db.WithTx(ctx, func(tx *store.Tx) error { _, err := tx.AppendLedger(ctx, entry(i)); return err }); err != nil {
						b.Fatal(err)
					}
				}
			})
			// Grow the tree to size in batches (fast setup, same code path).
			var n int
			_ = db.Read(ctx, func(tx *store.Tx) error {
				f, err := tx.LedgerTree(ctx)
				n = int(f.Size)
				return err
			})
			for n < size {
				if err := db.WithTx(ctx, func(tx *store.Tx) error {
					for j := 0; j < 500 && n < size; j++ {
						if _, err := tx.AppendLedger(ctx, entry(n)); err != nil {
							return err
						}
						n++
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			cp, err := log.Sign(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("inclusion-proof-at-%d", cp.Size), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if _, err := log.Inclusion(ctx, uint64(i*7919)%cp.Size, cp.Size); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("consistency-proof-at-%d", cp.Size), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if _, err := log.Consistency(ctx, 1+uint64(i*7919)%(cp.Size-1), cp.Size); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("sign-checkpoint", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if err := db.WithTx(ctx, func(tx *store.Tx) error { _, err := tx.AppendLedger(ctx, entry(i)); return err }); err != nil {
						b.Fatal(err)
					}
					if _, err := log.Sign(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
