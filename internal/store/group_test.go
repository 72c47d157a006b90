package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"ggzy/internal/ledger"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// TestGroupCommit: concurrent write transactions share commits, yet each
// stays all-or-nothing: the failures (some after writing) leave nothing, the
// successes are all there exactly once, a panic reaches its own caller only,
// and the ledger stays dense.
func TestGroupCommit(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		const n = 64
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			failed = errors.New("refused by the use case")
			errs   = make([]error, n)
			panics = make([]any, n)
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() {
					if p := recover(); p != nil {
						mu.Lock()
						panics[i] = p
						mu.Unlock()
					}
				}()
				errs[i] = db.WithTx(ctx, func(tx *store.Tx) error {
					// Every use case writes first, then some are refused or blow up.
					if _, err := tx.AppendLedger(ctx, ledger.Entry{At: t0, Type: "grp", Subject: fmt.Sprintf("grp-%02d", i), Public: json.RawMessage(`{}`), Salt: "s", Commitment: "c"}); err != nil {
						return err
					}
					switch {
					case i%5 == 1:
						return failed
					case i == 7:
						panic("boom")
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := map[string]bool{}
		for i := range n {
			switch {
			case i == 7:
				if panics[i] == nil {
					t.Errorf("use case %d: its panic did not reach its caller", i)
				}
			case i%5 == 1:
				if !errors.Is(errs[i], failed) {
					t.Errorf("use case %d: err %v, want its own refusal", i, errs[i])
				}
			default:
				if errs[i] != nil || panics[i] != nil {
					t.Errorf("use case %d: err %v panic %v", i, errs[i], panics[i])
				}
				want[fmt.Sprintf("grp-%02d", i)] = true
			}
		}
		read(t, db, func(tx *store.Tx) {
			es := must[[]ledger.Entry](t)(tx.ListLedger(ctx, "", 0, 0))
			got := map[string]int{}
			for i, e := range es {
				if e.Index != int64(i) {
					t.Fatalf("ledger not dense at %d: %d", i, e.Index)
				}
				if e.Type == "grp" {
					got[e.Subject]++
				}
			}
			for s := range want {
				if got[s] != 1 {
					t.Errorf("%s committed %d times, want once", s, got[s])
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d subjects committed, want %d (refused ones must leave nothing)", len(got), len(want))
			}
		})
	})
}

// TestGroupCommitHonoursCancelledContexts: a use case whose context is done
// before it runs does not run.
func TestGroupCommitHonoursCancelledContexts(t *testing.T) {
	db := testkit.OpenSQLite(t)
	c, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	err := db.WithTx(c, func(tx *store.Tx) error { ran = true; return nil })
	if err == nil || ran {
		t.Fatalf("cancelled: err %v ran %v", err, ran)
	}
}

// TestClosedStoreRefusesWrites: after Close a write returns an error instead
// of waiting forever.
func TestClosedStoreRefusesWrites(t *testing.T) {
	db, err := store.Open(ctx, "sqlite:"+t.TempDir()+"/c.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	done := make(chan error, 1)
	go func() { done <- db.WithTx(ctx, func(*store.Tx) error { return nil }) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a write on a closed store succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a write on a closed store hangs")
	}
}
