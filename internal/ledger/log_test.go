package ledger_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/ledger"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// TestLogSignsAndProves: a receipt's checkpoint covers its entry at once,
// its signature verifies with the platform's SM2 key and not another's, and
// the proofs the log serves verify against signed roots.
func TestLogSignsAndProves(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k, _ := gm.GenerateKey(rand.Reader)
		other, _ := gm.GenerateKey(rand.Reader)
		const origin = "ggzy/ledger/450100"
		signer, _ := gm.NewNoteSigner(origin, k)
		v, _ := gm.NewNoteVerifier(origin, k.Public())
		ov, _ := gm.NewNoteVerifier(origin, other.Public())
		clk := clock.NewFake(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
		log := ledger.NewLog(store.Bind[ledger.Tx](db), signer, origin, clk)
		var leaves [][]byte
		appendOne := func(i int) int64 {
			var idx int64
			e, _ := ledger.Seal(ledger.Draft{Type: "t", Subject: "S", Public: map[string]any{"i": i}}, clk.Now())
			if err := db.WithTx(ctx, func(tx *store.Tx) error {
				var err error
				idx, err = tx.AppendLedger(ctx, e)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			e.Index = idx
			h, _ := e.LeafHash()
			leaves = append(leaves, h)
			return idx
		}
		for i := range 5 {
			appendOne(i)
		}
		first, err := log.Sign(ctx)
		if err != nil {
			t.Fatal(err)
		}
		idx := appendOne(5)
		cp, err := log.CheckpointCovering(ctx, idx)
		if err != nil || cp.Size != uint64(idx)+1 {
			t.Fatalf("checkpoint covering %d: size %d, %v", idx, cp.Size, err)
		}
		n, err := note.Open(cp.Note, note.VerifierList(v))
		if err != nil {
			t.Fatalf("checkpoint does not verify with the platform key: %v", err)
		}
		if _, err := note.Open(cp.Note, note.VerifierList(ov)); err == nil {
			t.Fatal("checkpoint verifies with another key")
		}
		body, err := ledger.ParseBody(n.Text)
		if err != nil || body.Size != cp.Size || body.Origin != origin || !body.At.Equal(clk.Now()) {
			t.Fatalf("checkpoint body %+v, %v", body, err)
		}
		p, err := log.Inclusion(ctx, uint64(idx), cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.VerifyInclusion(uint64(idx), cp.Size, leaves[idx], p, body.Root); err != nil {
			t.Fatalf("inclusion proof: %v", err)
		}
		c, err := log.Consistency(ctx, first.Size, cp.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.VerifyConsistency(first.Size, cp.Size, c, first.Root, body.Root); err != nil {
			t.Fatalf("consistency proof: %v", err)
		}
		// Signing again without new entries makes no new checkpoint.
		again, err := log.Sign(ctx)
		if err != nil || again.Size != cp.Size || string(again.Note) != string(cp.Note) {
			t.Fatalf("re-sign: %+v %v", again, err)
		}
		if _, err := log.Inclusion(ctx, 99, cp.Size); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("proof of a missing index: %v", err)
		}
		if _, err := log.Inclusion(ctx, 0, cp.Size+5); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("proof at a size beyond the tree: %v", err)
		}
	})
}
