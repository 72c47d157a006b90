package ledger

import (
	"testing"
	"time"
)

func TestCanonicalIsStableAndUnescaped(t *testing.T) {
	v := map[string]any{"z": 1, "a": []any{"中文 <b>", 2.5}, "m": map[string]int{"y": 1, "b": 2}}
	a, err := Canonical(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(a); got != `{"a":["中文 <b>",2.5],"m":{"b":2,"y":1},"z":1}` {
		t.Fatalf("canonical = %s", got)
	}
	for i := 0; i < 20; i++ {
		b, _ := Canonical(v)
		if string(b) != string(a) {
			t.Fatal("the same value gave different bytes")
		}
	}
}

func TestSealCommitsToThePrivatePart(t *testing.T) {
	e, err := Seal(Draft{Type: "bid.submitted", Public: map[string]any{}, Private: map[string]any{"entity": "e1", "ip": "10.0.0.1"}}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !e.Verify() || e.Salt == "" || len(e.Commitment) != 64 {
		t.Fatalf("entry %+v does not verify", e)
	}
	e.Private = []byte(`{"entity":"e2","ip":"10.0.0.1"}`)
	if e.Verify() {
		t.Fatal("a changed private part still verifies")
	}
}
