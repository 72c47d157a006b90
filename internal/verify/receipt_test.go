package verify

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"

	"ggzy/internal/api"
	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/ledger"
	"ggzy/internal/store"
)

// synthReceipt builds, without a database, a tree of n entries whose entry
// k is a bid submission, signs a checkpoint with s, and returns k's receipt:
// fast material for receipt tests and fuzz seeds.
func synthReceipt(t testing.TB, s note.Signer, vkey string, n, k int) Receipt {
	t.Helper()
	at := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	hash := gm.SM3Hex([]byte("投标文件"))
	nodes := map[compact.NodeID][]byte{}
	var f ledger.Frontier
	var target ledger.Entry
	for i := 0; i < n; i++ {
		d := ledger.Draft{Type: "test.note", Public: map[string]any{"n": i}, Private: map[string]any{"ip": "10.0.0.1"}}
		if i == k {
			d = ledger.Draft{Type: ledger.Confidential, Public: map[string]any{}, Private: map[string]any{
				"type": "bid.submitted", "lot": "450100-GC-2026-0001-01", "entity": "E1", "bid": "B1", "version": 1, "content_sm3": hash, "ip": "10.0.0.9"}}
		}
		e, err := ledger.Seal(d, at)
		if err != nil {
			t.Fatal(err)
		}
		e.Index = int64(i)
		leaf, err := e.LeafHash()
		if err != nil {
			t.Fatal(err)
		}
		var ns []ledger.Node
		if f, ns, err = f.Append(leaf); err != nil {
			t.Fatal(err)
		}
		for _, nd := range ns {
			nodes[compact.NewNodeID(nd.Level, nd.Index)] = nd.Hash
		}
		if i == k {
			target = e
		}
	}
	root, err := f.Root()
	if err != nil {
		t.Fatal(err)
	}
	cp := ledger.Checkpoint{Origin: ledger.Origin("450100"), Size: uint64(n), Root: root, At: at.Add(time.Minute)}
	proof, err := ledger.InclusionProof(uint64(k), uint64(n), func(ids []compact.NodeID) ([][]byte, error) {
		out := make([][]byte, len(ids))
		for i, id := range ids {
			out[i] = nodes[id]
		}
		return out, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st := statement(t, api.Receipt{BidID: "B1", LotCode: "450100-GC-2026-0001-01", EntityID: "E1", Version: 1, ContentHash: hash, SubmittedAt: at, LedgerIndex: int64(k), Text: "投标文件已完整接收。"})
	r, err := BuildReceipt(target, hash, st, signNote(t, cp, s), proof, vkey)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func statement(t testing.TB, r api.Receipt) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// editStatement changes one field of the statement.
func editStatement(t testing.TB, r *Receipt, key string, v any) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Statement, &m); err != nil {
		t.Fatal(err)
	}
	m[key] = v
	b, _ := json.Marshal(m)
	r.Statement = b
}

func flipB64(s string) string {
	b, _ := base64.StdEncoding.DecodeString(s)
	b[0] ^= 1
	return base64.StdEncoding.EncodeToString(b)
}

// Every single-field change of a receipt fails, with its own kind of fault.
func TestReceiptTampers(t *testing.T) {
	s, v, vkey := otherKey(t)
	good := synthReceipt(t, s, vkey, 11, 6)
	if err := VerifyReceipt(good, v); err != nil {
		t.Fatalf("a good receipt fails: %v", err)
	}
	_, _, otherVkey := otherKey(t)
	cases := []struct {
		name   string
		edit   func(r *Receipt)
		want   FaultKind
		faults int // 0 = any number
	}{
		{"version", func(r *Receipt) { r.Version = "ggzy-receipt-v0" }, FaultFormat, 1},
		{"origin", func(r *Receipt) { r.Origin = ledger.Origin("999999") }, FaultOrigin, 1},
		{"statement index", func(r *Receipt) { editStatement(t, r, "ledger_index", 3) }, FaultStatement, 1},
		{"statement lot", func(r *Receipt) { editStatement(t, r, "lot_code", "450100-GC-2026-0002-01") }, FaultStatement, 1},
		{"statement time", func(r *Receipt) { editStatement(t, r, "submitted_at", "2026-03-01T01:00:00Z") }, FaultStatement, 1},
		{"statement not an object", func(r *Receipt) { r.Statement = json.RawMessage(`[1]`) }, FaultStatement, 1},
		{"entry public", func(r *Receipt) { r.Entry.Public = json.RawMessage(`{"x":1}`) }, FaultInclusion, 1},
		{"entry type", func(r *Receipt) { r.Entry.Type = "tender.published" }, FaultInclusion, 1},
		{"entry index", func(r *Receipt) { r.Entry.Index++ }, FaultInclusion, 0},
		{"entry index out of tree", func(r *Receipt) { r.Entry.Index = 11 }, FaultInclusion, 0},
		{"entry time", func(r *Receipt) { r.Entry.At = "2026-03-02T01:00:01Z" }, FaultInclusion, 0},
		{"entry commitment", func(r *Receipt) { r.Entry.Commitment = strings.Repeat("0", 64) }, FaultCommitment, 0},
		{"private", func(r *Receipt) { r.Private = strings.Replace(r.Private, "E1", "E2", 1) }, FaultCommitment, 0},
		{"salt", func(r *Receipt) { r.Salt += "x" }, FaultCommitment, 1},
		{"content hash", func(r *Receipt) { r.ContentHash = gm.SM3Hex([]byte("另一个文件")) }, FaultContentHash, 0},
		{"checkpoint", func(r *Receipt) { r.Checkpoint = strings.Replace(r.Checkpoint, "\n11\n", "\n12\n", 1) }, FaultSignature, 1},
		{"inclusion hash", func(r *Receipt) { r.Inclusion[0] = flipB64(r.Inclusion[0]) }, FaultInclusion, 1},
		{"inclusion short", func(r *Receipt) { r.Inclusion = r.Inclusion[1:] }, FaultInclusion, 1},
		{"inclusion malformed", func(r *Receipt) { r.Inclusion[0] = "###" }, FaultInclusion, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := good
			r.Inclusion = append([]string(nil), good.Inclusion...)
			c.edit(&r)
			err := VerifyReceipt(r, v)
			var re *ReceiptError
			if !errors.As(err, &re) {
				t.Fatalf("verified: %v", err)
			}
			if !re.Has(c.want) || (c.faults > 0 && len(re.Faults) != c.faults) {
				t.Fatalf("want fault %d (%d faults), got %v", c.want, c.faults, re.Faults)
			}
		})
	}
	t.Run("verifier key", func(t *testing.T) {
		// Trusting the receipt's own key: a receipt re-pointed at another
		// key fails the signature (and that mode is only self-consistency).
		r := good
		r.VerifierKey = otherVkey
		rep, err := CheckReceipt(t.Context(), r, ReceiptConfig{})
		if err != nil {
			t.Fatal(err)
		}
		wantProblems(t, rep, 1, "签名")
		wantFact(t, rep, "只证明回执内部一致")
	})
	t.Run("messages differ", func(t *testing.T) {
		seen := map[string]FaultKind{}
		for _, c := range cases {
			r := good
			r.Inclusion = append([]string(nil), good.Inclusion...)
			c.edit(&r)
			var re *ReceiptError
			errors.As(VerifyReceipt(r, v), &re)
			for _, f := range re.Faults {
				if k, ok := seen[f.Msg]; ok && k != f.Kind {
					t.Errorf("one message for two kinds: %s", f.Msg)
				}
				seen[f.Msg] = f.Kind
			}
		}
	})
}

// BuildReceipt refuses to hand out a receipt that would not verify.
func TestBuildReceiptSelfCheck(t *testing.T) {
	s, _, vkey := otherKey(t)
	good := synthReceipt(t, s, vkey, 5, 2)
	e := ledger.Entry{Index: good.Entry.Index, Type: good.Entry.Type, Public: good.Entry.Public, Private: json.RawMessage(good.Private), Salt: good.Salt, Commitment: good.Entry.Commitment}
	e.At, _ = time.Parse(time.RFC3339Nano, good.Entry.At)
	proof, _ := ledger.UnB64(good.Inclusion)
	if _, err := BuildReceipt(e, good.ContentHash, good.Statement, []byte(good.Checkpoint), proof, vkey); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	proof[0] = make([]byte, 32)
	if _, err := BuildReceipt(e, good.ContentHash, good.Statement, []byte(good.Checkpoint), proof, vkey); err == nil {
		t.Fatal("a receipt with a wrong proof was built")
	}
	if _, err := BuildReceipt(e, good.ContentHash, good.Statement, []byte("not a note"), proof, vkey); err == nil {
		t.Fatal("a receipt with no checkpoint was built")
	}
}

// A receipt for a real bid on the platform, built the way the API will.
func TestReceiptOfRealBid(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		r := e.bidReceipt()
		if err := VerifyReceipt(r, e.w.LedgerVerifier); err != nil {
			t.Fatal(err)
		}
		_, other, _ := otherKey(t)
		var re *ReceiptError
		if err := VerifyReceipt(r, other); !errors.As(err, &re) || !re.Has(FaultSignature) {
			t.Fatalf("verified with another key: %v", err)
		}
	})
}

// bidReceipt has bidder 5 bid on a fresh lot and builds its receipt.
func (e *env) bidReceipt() Receipt {
	e.t.Helper()
	lot := e.w.PublishedLot(e.t, fixture.LotOptions{})
	tr := e.w.Bid(e.t, lot.ID, 4, 9_300_000_00)
	cp, err := e.w.Ledger.CheckpointCovering(e.ctx, tr.LedgerIndex)
	if err != nil {
		e.t.Fatal(err)
	}
	proof, err := e.w.Ledger.Inclusion(e.ctx, uint64(tr.LedgerIndex), cp.Size)
	if err != nil {
		e.t.Fatal(err)
	}
	st := statement(e.t, api.Receipt{BidID: string(tr.BidID), LotID: string(tr.LotID), LotCode: tr.LotCode, EntityID: string(tr.EntityID), Version: tr.Version,
		ContentHash: tr.ContentHash, SubmittedAt: tr.SubmittedAt, LedgerIndex: tr.LedgerIndex, Text: tr.Describe()})
	r, err := BuildReceipt(e.entry(tr.LedgerIndex), tr.ContentHash, st, cp.Note, proof, e.key())
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}
