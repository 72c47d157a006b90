package gm

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

const noteName = "ggzy.example/ledger"

func TestNoteSignOpen(t *testing.T) {
	k, other := newKey(t), newKey(t)
	signer, err := NewNoteSigner(noteName, k)
	if err != nil {
		t.Fatal(err)
	}
	text := "ggzy.example/ledger\n12\nq8fX0iv3yJ0FZmfmT1YpXbC5dNhtn8BM3cZf2XxVq2M=\n"
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		t.Fatal(err)
	}

	v, err := NewNoteVerifier(noteName, k.Public())
	if err != nil {
		t.Fatal(err)
	}
	if v.KeyHash() != signer.KeyHash() || v.Name() != noteName {
		t.Fatal("verifier and signer disagree on the key")
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if n.Text != text || len(n.Sigs) != 1 {
		t.Fatalf("note %+v", n)
	}

	// The key ID is the C2SP recommendation over our algorithm identifier.
	h := sha256.Sum256([]byte(noteName + "\n" + NoteAlgorithm + string(k.Public().Bytes())))
	if binary.BigEndian.Uint32(h[:4]) != v.KeyHash() {
		t.Fatal("key hash is not SHA-256(name || 0x0A || alg || point)[:4]")
	}

	// Another key under the same name is an unknown verifier.
	ov, _ := NewNoteVerifier(noteName, other.Public())
	if _, err := note.Open(msg, note.VerifierList(ov)); err == nil {
		t.Fatal("note opened with another key's verifier")
	}
	// An impostor claiming the same name and hash must fail the signature.
	imp := &noteVerifier{name: noteName, hash: v.KeyHash(), pub: other.Public()}
	if _, err := note.Open(msg, note.VerifierList(imp)); err == nil {
		t.Fatal("note opened by an impostor verifier")
	}
	// A changed text fails.
	forged := []byte(strings.Replace(string(msg), "\n12\n", "\n13\n", 1))
	if _, err := note.Open(forged, note.VerifierList(v)); err == nil {
		t.Fatal("forged note opened")
	}
}

func TestNoteVerifierKey(t *testing.T) {
	k := newKey(t)
	vkey := VerifierKeyString(noteName, k.Public())
	if !strings.HasPrefix(vkey, noteName+"+") {
		t.Fatalf("vkey %q", vkey)
	}
	v, err := NewNoteVerifierFromKey(vkey)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := NewNoteSigner(noteName, k)
	msg, _ := note.Sign(&note.Note{Text: "hello\n"}, signer)
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Fatalf("parsed verifier refused: %v", err)
	}

	parts := strings.SplitN(vkey, "+", 3)
	raw, _ := base64.StdEncoding.DecodeString(parts[2])
	ed := append([]byte{1}, make([]byte, 32)...) // an Ed25519-type key
	bad := []struct {
		vkey string
		want error
	}{
		{"", ErrNoteKey},
		{"name", ErrNoteKey},
		{"na me+" + parts[1] + "+" + parts[2], ErrNoteKey},
		{parts[0] + "+zz+" + parts[2], ErrNoteKey},
		{parts[0] + "+" + parts[1] + "+!!", ErrNoteKey},
		{"other.example+" + parts[1] + "+" + parts[2], ErrNoteKeyHash},
		{parts[0] + "+" + parts[1] + "+" + base64.StdEncoding.EncodeToString(raw[:len(raw)-1]), ErrNoteKeyHash},
		{VerifierKeyStringRaw(noteName, ed), ErrNoteKey},
		{VerifierKeyStringRaw(noteName, raw[:len(raw)-1]), ErrNoteKey},
	}
	for _, c := range bad {
		if _, err := NewNoteVerifierFromKey(c.vkey); !errors.Is(err, c.want) {
			t.Errorf("%q: %v, want %v", c.vkey, err, c.want)
		}
	}
	if _, err := NewNoteSigner("a b", k); !errors.Is(err, ErrNoteKeyName) {
		t.Errorf("bad name: %v", err)
	}
	if _, err := NewNoteVerifier("a+b", k.Public()); !errors.Is(err, ErrNoteKeyName) {
		t.Errorf("bad name: %v", err)
	}
}

// VerifierKeyStringRaw builds a vkey with a correct hash over arbitrary key
// bytes, to reach the checks behind the hash.
func VerifierKeyStringRaw(name string, key []byte) string {
	return name + "+" + hex8(noteKeyHash(name, key)) + "+" + base64.StdEncoding.EncodeToString(key)
}

func hex8(h uint32) string {
	const digits = "0123456789abcdef"
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = digits[h&15]
		h >>= 4
	}
	return string(b[:])
}
