package verify

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ggzy/internal/ledger"
)

// Arbitrary bytes through the checkpoint parsers never panic, and nothing
// opens under a key that never signed.
func FuzzParseCheckpoint(f *testing.F) {
	s, v, _ := otherKey(f)
	_, never, _ := otherKey(f)
	cp := ledger.Checkpoint{Origin: ledger.Origin("450100"), Size: 9, Root: bytes.Repeat([]byte{7}, 32), At: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
	signed := signNote(f, cp, s)
	f.Add(signed)
	f.Add(cp.Body())
	f.Add([]byte{})
	f.Add([]byte("a\n1\nAAAA\n\n— x y\n"))
	f.Add([]byte("o\n18446744073709551615\n" + strings.Repeat("A", 43) + "=\ntime 9999-12-31T23:59:59Z\n"))
	f.Add(bytes.Replace(signed, []byte("time "), []byte("time x"), 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, err := note.Open(b, note.VerifierList(v)); err == nil {
			_, _ = ledger.ParseBody(n.Text)
		}
		_, _ = ledger.ParseBody(string(b))
		_, _ = unverifiedCheckpoint(b)
		_, _ = openCheckpoint(b, v)
		if _, err := openCheckpoint(b, never); err == nil {
			t.Fatal("a checkpoint opened under a key that never signed")
		}
	})
}

// Arbitrary JSON never panics and never verifies under a key that never
// signed; under the genuine key, anything that verifies states the genuine
// facts (entry, private part, salt, content hash).
func FuzzVerifyReceipt(f *testing.F) {
	s, genuine, vkey := otherKey(f)
	_, never, _ := otherKey(f)
	good := synthReceipt(f, s, vkey, 9, 5)
	goodLeaf, err := good.Entry.LeafHash()
	if err != nil {
		f.Fatal(err)
	}
	b, _ := json.Marshal(good)
	f.Add(b)
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"version":"ggzy-receipt-v1","entry":{"index":-1},"inclusion":["AA=="]}`))
	f.Add(bytes.Replace(b, []byte(`"index":5`), []byte(`"index":4`), 1))
	f.Add(bytes.Replace(b, []byte(`"statement":{`), []byte(`"statement":{"ledger_index":"5",`), 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Receipt
		if json.Unmarshal(b, &r) != nil {
			return
		}
		if VerifyReceipt(r, never) == nil {
			t.Fatal("a receipt verified under a key that never signed")
		}
		if v, err := verifierFromKey(r.VerifierKey); err == nil {
			_ = VerifyReceipt(r, v)
		}
		if VerifyReceipt(r, genuine) != nil {
			return
		}
		leaf, err := r.Entry.LeafHash()
		if err != nil || !bytes.Equal(leaf, goodLeaf) || r.Entry.Index != good.Entry.Index || r.Private != good.Private ||
			r.Salt != good.Salt || !strings.EqualFold(r.ContentHash, good.ContentHash) {
			t.Fatalf("a receipt stating other facts verified: %+v", r)
		}
	})
}
