package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"ggzy/internal/gm"
)

var testNow = time.Date(2026, 3, 1, 9, 30, 15, 123, time.FixedZone("CST", 8*3600))

type fixture struct {
	bidder  *gm.PrivateKey
	cust    []*gm.PrivateKey
	binding Binding
}

func genKey(t testing.TB) *gm.PrivateKey { return genKeyFrom(t, rand.Reader) }

func genKeyFrom(t testing.TB, r io.Reader) *gm.PrivateKey {
	t.Helper()
	k, err := gm.GenerateKey(r)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newFixture(t testing.TB, n, k int) *fixture { return newFixtureFrom(t, n, k, rand.Reader) }

// newFixtureFrom draws the keys from r (a seeded r makes the same keys in
// every fuzzing worker process).
func newFixtureFrom(t testing.TB, n, k int, r io.Reader) *fixture {
	t.Helper()
	f := &fixture{bidder: genKeyFrom(t, r)}
	f.binding = Binding{LotID: "lot-2026-001:A", EntityID: "91110000MA01ABCD2X", Threshold: k}
	for i := range n {
		ck := genKeyFrom(t, r)
		f.cust = append(f.cust, ck)
		f.binding.Custodians = append(f.binding.Custodians, Custodian{ID: fmt.Sprintf("cust-%d", i+1), Key: ck.Public()})
	}
	return f
}

func (f *fixture) params(chunk int) Params {
	return Params{
		LotID: f.binding.LotID, EntityID: f.binding.EntityID,
		Custodians: f.binding.Custodians, Threshold: f.binding.Threshold,
		Signer: f.bidder, ChunkSize: chunk, Now: testNow,
	}
}

// keyOf plays the server's registry: only the bidder's key is known.
func (f *fixture) keyOf(fp string) (*gm.PublicKey, error) {
	if pub := f.bidder.Public(); pub.Fingerprint() == fp {
		return pub, nil
	}
	return nil, errors.New("not registered")
}

func (f *fixture) seal(t testing.TB, pt []byte, chunk int) ([]byte, Header) {
	t.Helper()
	var out bytes.Buffer
	h, err := Seal(&out, bytes.NewReader(pt), int64(len(pt)), f.params(chunk), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if int64(out.Len()) != h.FileSize() {
		t.Fatalf("file is %d bytes, FileSize says %d", out.Len(), h.FileSize())
	}
	return out.Bytes(), h
}

// shares decrypts the shares of the custodians at the given positions.
func (f *fixture) shares(t testing.TB, h Header, which ...int) []Share {
	t.Helper()
	var out []Share
	for _, i := range which {
		s, err := DecryptShare(h, f.binding.Custodians[i].ID, f.cust[i])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func (f *fixture) check(file []byte) (Header, error) {
	return Check(bytes.NewReader(file), f.binding, f.keyOf, nil)
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestRoundTrip(t *testing.T) {
	f := newFixture(t, 3, 2)
	cases := []struct {
		name  string
		size  int
		chunk int
	}{
		{"empty", 0, 0},
		{"one byte", 1, 0},
		{"exactly one chunk", DefaultChunkSize, 0},
		{"one chunk and a byte", DefaultChunkSize + 1, 0},
		{"many small chunks", 37*MinChunkSize + 5, MinChunkSize},
		{"many chunks, last full", 16 * 4096, 4096},
		{"20 MiB", 20 << 20, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pt := randBytes(c.size)
			file, sh := f.seal(t, pt, c.chunk)
			chunk := c.chunk
			if chunk == 0 {
				chunk = DefaultChunkSize
			}
			if want := int64(c.size + 16*(c.size/chunk+1)); sh.CiphertextSize != want {
				t.Fatalf("ciphertext size %d, want %d", sh.CiphertextSize, want)
			}
			var stored bytes.Buffer
			h, err := Check(bytes.NewReader(file), f.binding, f.keyOf, &stored)
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			if !bytes.Equal(stored.Bytes(), file) {
				t.Fatal("Check did not copy the exact bytes")
			}
			if h.Digest() != sh.Digest() || h.Digest() == "" || h.LotID != f.binding.LotID ||
				h.PlaintextSize != int64(c.size) || !h.CreatedAt.Equal(testNow.Truncate(time.Second)) ||
				h.CreatedAt.Location() != time.UTC {
				t.Fatalf("header %+v", h)
			}
			rh, err := ReadHeader(bytes.NewReader(file))
			if err != nil || string(rh.Raw()) != string(h.Raw()) || rh.CiphertextSM3 != "" {
				t.Fatalf("ReadHeader: %v", err)
			}
			key, err := RecoverKey(rh, f.shares(t, rh, 2, 0))
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if _, err := Open(bytes.NewReader(file), key, f.binding, &got); err != nil {
				t.Fatalf("open: %v", err)
			}
			if !bytes.Equal(got.Bytes(), pt) {
				t.Fatal("plaintext differs")
			}
		})
	}
}

func TestRecoverEverySubset(t *testing.T) {
	for _, nk := range [][2]int{{2, 2}, {3, 2}, {3, 3}, {5, 3}} {
		n, k := nk[0], nk[1]
		t.Run(fmt.Sprintf("%d of %d", k, n), func(t *testing.T) {
			f := newFixture(t, n, k)
			pt := []byte(`{"price":"1000000.00"}`)
			file, h := f.seal(t, pt, 0)
			all := f.shares(t, h, seq(n)...)
			var want []byte
			for _, sub := range subsets(n, k) {
				key, err := RecoverKey(h, pick(all, sub))
				if err != nil {
					t.Fatalf("subset %v: %v", sub, err)
				}
				if want == nil {
					want = key
				} else if !bytes.Equal(key, want) {
					t.Fatalf("subset %v gives another key", sub)
				}
			}
			for _, sub := range subsets(n, k-1) {
				_, err := RecoverKey(h, pick(all, sub))
				var se *ShareError
				if !errors.As(err, &se) || !strings.Contains(se.Reason, "不足") {
					t.Fatalf("k-1 shares %v: %v", sub, err)
				}
			}
			// Duplicates do not count twice.
			if _, err := RecoverKey(h, append(pick(all, seq(k-1)), all[0])); err == nil {
				t.Fatal("a duplicated share counted twice")
			}
			var out bytes.Buffer
			if _, err := Open(bytes.NewReader(file), want, f.binding, &out); err != nil || out.String() != string(pt) {
				t.Fatalf("open: %v", err)
			}
		})
	}
}

func TestWrongShare(t *testing.T) {
	f := newFixture(t, 5, 3)
	_, h := f.seal(t, []byte("bid"), 0)
	all := f.shares(t, h, seq(5)...)
	good, err := RecoverKey(h, all[:3])
	if err != nil {
		t.Fatal(err)
	}
	// Errors in different bytes cannot cancel out in the key.
	bad := func(s Share) Share {
		y := bytes.Clone(s.Y)
		y[s.X] ^= 0x40
		return Share{X: s.X, Y: y}
	}

	// Exactly k shares, one wrong: detected, but not which.
	_, err = RecoverKey(h, []Share{all[0], bad(all[1]), all[2]})
	var se *ShareError
	if !errors.As(err, &se) || len(se.Bad) != 0 {
		t.Fatalf("k shares with a wrong one: %v", err)
	}
	// More than k, one or two wrong: the key, and the wrong ones named.
	for _, wrong := range [][]int{{1}, {4}, {0, 3}} {
		sh := append([]Share(nil), all...)
		for _, i := range wrong {
			sh[i] = bad(sh[i])
		}
		key, badX, err := RecoverKeyDetail(h, sh)
		if err != nil || !bytes.Equal(key, good) {
			t.Fatalf("wrong %v: %v", wrong, err)
		}
		var wantX []byte
		for _, i := range wrong {
			wantX = append(wantX, byte(i+1))
		}
		if !bytes.Equal(badX, wantX) {
			t.Fatalf("wrong %v: reported %v", wrong, badX)
		}
	}
	// The same error in shares 1 and 4 cancels at 0 for {1, 4, 5}: both
	// {1, 4, 5} and {2, 3, 5} give the key; nobody can tell which pair is
	// wrong, so none is named — but the key is right.
	same := func(s Share) Share {
		y := bytes.Clone(s.Y)
		y[5] ^= 0x40
		return Share{X: s.X, Y: y}
	}
	key, badX, err := RecoverKeyDetail(h, []Share{same(all[0]), all[1], all[2], same(all[3]), all[4]})
	if err != nil || !bytes.Equal(key, good) || len(badX) != 0 {
		t.Fatalf("cancelling errors: %v %v", badX, err)
	}
	// Three wrong of five: no 3 agree.
	sh := append([]Share(nil), all...)
	for _, i := range []int{0, 2, 4} {
		sh[i] = bad(sh[i])
	}
	if _, err := RecoverKey(h, sh); !errors.As(err, &se) {
		t.Fatalf("three wrong: %v", err)
	}
	// Two different Y for one X: that X is set aside and named.
	key, badX, err = RecoverKeyDetail(h, append(append([]Share(nil), all...), bad(all[2])))
	if err != nil || !bytes.Equal(key, good) || !bytes.Equal(badX, []byte{3}) {
		t.Fatalf("conflicting copies: %v %v", badX, err)
	}
	// Out-of-range shares are refused.
	if _, err := RecoverKey(h, []Share{{X: 9, Y: all[0].Y}, all[1], all[2]}); err == nil {
		t.Fatal("share with X beyond n accepted")
	}
	if _, err := RecoverKey(h, []Share{{X: 1, Y: all[0].Y[:15]}, all[1], all[2]}); err == nil {
		t.Fatal("short share accepted")
	}
}

func TestShareEncoding(t *testing.T) {
	s := Share{X: 3, Y: randBytes(16)}
	back, err := ParseShare(s.String())
	if err != nil || back.X != s.X || !bytes.Equal(back.Y, s.Y) {
		t.Fatalf("text: %v", err)
	}
	j, _ := json.Marshal(s)
	if !strings.HasPrefix(string(j), `{"x":3,"y":"`) {
		t.Fatalf("json %s", j)
	}
	var fromJSON Share
	if err := json.Unmarshal(j, &fromJSON); err != nil || fromJSON.X != 3 || !bytes.Equal(fromJSON.Y, s.Y) {
		t.Fatalf("json: %v", err)
	}
	for _, bad := range []string{"", "3", "0:" + hex.EncodeToString(s.Y), "x:00", "3:" + hex.EncodeToString(s.Y[:15]),
		"3:" + strings.ToUpper(hex.EncodeToString(s.Y)), "99:" + hex.EncodeToString(s.Y)} {
		if _, err := ParseShare(bad); !errors.Is(err, ErrShareFormat) {
			t.Errorf("ParseShare(%q) = %v", bad, err)
		}
	}
	if err := json.Unmarshal([]byte(`{"x":1,"y":"zz"}`), &fromJSON); err == nil {
		t.Error("bad JSON share accepted")
	}
}

func TestDecryptShare(t *testing.T) {
	f := newFixture(t, 3, 2)
	_, h := f.seal(t, []byte("bid"), 0)
	if _, err := DecryptShare(h, "nobody", f.cust[0]); !errors.Is(err, ErrNotCustodian) {
		t.Errorf("unknown custodian: %v", err)
	}
	if _, err := DecryptShare(h, "cust-1", f.cust[1]); !errors.Is(err, ErrCustodianKey) {
		t.Errorf("another custodian's key: %v", err)
	}
	// A share of this bid slipped into a header of another lot (whose
	// deadline may have passed) must not be decrypted for that lot.
	g := newFixture(t, 3, 2)
	g.cust, g.binding.Custodians = f.cust, f.binding.Custodians
	g.binding.LotID = "lot-2025-099"
	_, other := g.seal(t, []byte("x"), 0)
	other.Shares[0] = h.Shares[0]
	if _, err := DecryptShare(other, "cust-1", f.cust[0]); !errors.Is(err, ErrShareContext) {
		t.Errorf("transplanted share: %v", err)
	}
	// Shares in the wrong slot are refused too.
	swapped := h
	swapped.Shares = [][]byte{h.Shares[1], h.Shares[0], h.Shares[2]}
	swapped.Custodians = []CustodianRef{{ID: "cust-1", Key: h.Custodians[1].Key}, {ID: "cust-2", Key: h.Custodians[0].Key}, h.Custodians[2]}
	if _, err := DecryptShare(swapped, "cust-1", f.cust[1]); !errors.Is(err, ErrShareContext) {
		t.Errorf("share in another slot: %v", err)
	}
	garbled := h
	garbled.Shares = [][]byte{append(bytes.Clone(h.Shares[0][:40]), 1), h.Shares[1], h.Shares[2]}
	if _, err := DecryptShare(garbled, "cust-1", f.cust[0]); !errors.Is(err, ErrShareDecrypt) {
		t.Errorf("garbled share: %v", err)
	}
}

func TestSealRefusesBadInput(t *testing.T) {
	f := newFixture(t, 3, 2)
	var out bytes.Buffer
	if _, err := Seal(&out, strings.NewReader("short"), 10, f.params(0), rand.Reader); !errors.Is(err, ErrPlaintextSize) {
		t.Errorf("short plaintext: %v", err)
	}
	if _, err := Seal(&out, strings.NewReader("longer than said"), 3, f.params(0), rand.Reader); !errors.Is(err, ErrPlaintextSize) {
		t.Errorf("long plaintext: %v", err)
	}
	mut := []struct {
		name string
		f    func(*Params)
	}{
		{"threshold 1", func(p *Params) { p.Threshold = 1 }},
		{"threshold above n", func(p *Params) { p.Threshold = 4 }},
		{"one custodian", func(p *Params) { p.Custodians = p.Custodians[:1]; p.Threshold = 1 }},
		{"bad lot id", func(p *Params) { p.LotID = "标段1" }},
		{"quote in entity id", func(p *Params) { p.EntityID = `a"b` }},
		{"duplicate custodian key", func(p *Params) {
			p.Custodians = append([]Custodian(nil), p.Custodians...)
			p.Custodians[2].Key = p.Custodians[0].Key
		}},
		{"duplicate custodian id", func(p *Params) {
			p.Custodians = append([]Custodian(nil), p.Custodians...)
			p.Custodians[2].ID = p.Custodians[0].ID
		}},
		{"chunk too small", func(p *Params) { p.ChunkSize = 100 }},
		{"no signer", func(p *Params) { p.Signer = nil }},
		{"no time", func(p *Params) { p.Now = time.Time{} }},
	}
	for _, m := range mut {
		p := f.params(0)
		m.f(&p)
		if _, err := Seal(&out, strings.NewReader("x"), 1, p, rand.Reader); err == nil {
			t.Errorf("%s: sealed", m.name)
		}
	}
}

// parts splits a sealed file into header bytes, chunk bytes and trailer.
func parts(t testing.TB, file []byte) (header, chunks []byte, tr trailer) {
	t.Helper()
	hl := int(binary.BigEndian.Uint32(file[len(Magic):]))
	header = file[len(Magic)+4 : len(Magic)+4+hl]
	rest := file[len(Magic)+4+hl:]
	var h Header
	if err := json.Unmarshal(header, &h); err != nil {
		t.Fatal(err)
	}
	chunks = rest[:h.CiphertextSize]
	if err := json.Unmarshal(rest[h.CiphertextSize+4:], &tr); err != nil {
		t.Fatal(err)
	}
	return header, chunks, tr
}

// assemble builds a file; sign nil leaves the signature empty, digest
// "" computes the right one.
func assemble(header, chunks []byte, digest string, sign *gm.PrivateKey) []byte {
	sum := gm.SM3(chunks)
	if digest == "" {
		digest = hex.EncodeToString(sum[:])
	}
	tr := trailer{CiphertextSM3: digest}
	if sign != nil {
		tr.Signature, _ = sign.Sign(rand.Reader, append(bytes.Clone(header), sum[:]...))
	}
	tb, _ := json.Marshal(tr)
	var b bytes.Buffer
	b.WriteString(Magic)
	binary.Write(&b, binary.BigEndian, uint32(len(header)))
	b.Write(header)
	b.Write(chunks)
	binary.Write(&b, binary.BigEndian, uint32(len(tb)))
	b.Write(tb)
	return b.Bytes()
}

func code(err error) string {
	var ce *CheckError
	if errors.As(err, &ce) {
		return ce.Code
	}
	if err == nil {
		return "accepted"
	}
	return "other: " + err.Error()
}

func TestCheckRefusals(t *testing.T) {
	f := newFixture(t, 3, 2)
	pt := randBytes(3*MinChunkSize + 100)
	file, _ := f.seal(t, pt, MinChunkSize)
	header, chunks, tr := parts(t, file)
	if got := assemble(header, chunks, "", nil); len(got) >= len(file) {
		t.Fatal("assemble sanity") // unsigned must be shorter
	}
	if _, err := f.check(assemble(header, chunks, tr.CiphertextSM3, f.bidder)); err != nil {
		t.Fatalf("re-signed original refused: %v", err)
	}

	reheader := func(edit func(*Header)) []byte {
		var h Header
		json.Unmarshal(header, &h)
		edit(&h)
		b, _ := json.Marshal(&h)
		return b
	}
	other := genKey(t)
	swapped := bytes.Clone(chunks)
	c := MinChunkSize + tagSize
	copy(swapped[:c], chunks[c:2*c])
	copy(swapped[c:2*c], chunks[:c])

	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"plain JSON bid", []byte(`{"price":1}`), CodeUnencrypted},
		{"PDF", []byte("%PDF-1.7\n..."), CodeUnencrypted},
		{"empty", nil, CodeUnencrypted},
		{"other magic", append([]byte("GGZY-SEALED-v2\n"), file[len(Magic):]...), CodeUnencrypted},
		{"magic cut", []byte(Magic[:7]), CodeTruncated},
		{"header length cut", file[:len(Magic)+2], CodeTruncated},
		{"header cut", file[:len(Magic)+4+len(header)/2], CodeTruncated},
		{"ciphertext cut", file[:len(Magic)+4+len(header)+len(chunks)-1], CodeTruncated},
		{"trailer missing", file[:len(Magic)+4+len(header)+len(chunks)], CodeTruncated},
		{"trailer cut", file[:len(file)-1], CodeTruncated},
		{"extra byte", append(bytes.Clone(file), 0), CodeMalformed},
		{"header length zero", append([]byte(Magic), 0, 0, 0, 0), CodeMalformed},
		{"header length huge", append([]byte(Magic), 0x7f, 0, 0, 0), CodeMalformed},
		{"header not JSON", assemble([]byte("not json"), chunks, "", f.bidder), CodeMalformed},
		{"header with a space", assemble(append([]byte{' '}, header...), chunks, "", f.bidder), CodeMalformed},
		{"header with unknown field", assemble(append(append(bytes.Clone(header[:len(header)-1]), `,"x":1`...), '}'), chunks, "", f.bidder), CodeMalformed},
		{"header with duplicate field", assemble(append([]byte(`{"version":"sealed-v0",`), header[1:]...), chunks, "", f.bidder), CodeMalformed},
		{"threshold 1", assemble(reheader(func(h *Header) { h.Threshold = 1 }), chunks, "", f.bidder), CodeMalformed},
		{"shares missing", assemble(reheader(func(h *Header) { h.Shares = h.Shares[:2] }), chunks, "", f.bidder), CodeMalformed},
		{"sizes inconsistent", assemble(reheader(func(h *Header) { h.PlaintextSize-- }), chunks, "", f.bidder), CodeMalformed},
		{"local time", assemble(bytes.Replace(header, []byte(`Z"}`), []byte(`+00:00"}`), 1), chunks, "", f.bidder), CodeMalformed},
		{"wrong lot", assemble(reheader(func(h *Header) { h.LotID = "lot-2026-002" }), chunks, "", f.bidder), CodeLot},
		{"wrong entity", assemble(reheader(func(h *Header) { h.EntityID = "someone-else" }), chunks, "", f.bidder), CodeEntity},
		{"other threshold", assemble(reheader(func(h *Header) { h.Threshold = 3 }), chunks, "", f.bidder), CodeCustody},
		{"custodians reordered", assemble(reheader(func(h *Header) {
			h.Custodians[0], h.Custodians[1] = h.Custodians[1], h.Custodians[0]
			h.Shares[0], h.Shares[1] = h.Shares[1], h.Shares[0]
		}), chunks, "", f.bidder), CodeCustody},
		{"other custodian key", assemble(reheader(func(h *Header) { h.Custodians[2].Key = other.Public().Fingerprint() }), chunks, "", f.bidder), CodeCustody},
		{"other signer key", assemble(reheader(func(h *Header) { h.SignerKey = other.Public().Fingerprint() }), chunks, "", other), CodeUnknownKey},
		{"signed by another key", assemble(header, chunks, "", other), CodeBadSignature},
		{"unsigned", assemble(header, chunks, "", nil), CodeUnsigned},
		{"ciphertext changed", assemble(header, flip(chunks, 100), tr.CiphertextSM3, f.bidder), CodeDigest},
		{"chunks swapped", assemble(header, swapped, tr.CiphertextSM3, f.bidder), CodeDigest},
		{"digest replaced, old signature", withSig(assemble(header, flip(chunks, 3), "", nil), tr.Signature), CodeBadSignature},
		{"trailer not canonical", append(bytes.Clone(file[:len(file)-len(trailerBytes(file))]), 0, 0, 0, 2, '{', '}'), CodeMalformed},
	}
	// Header changed after signing, keeping the signature.
	later := reheader(func(h *Header) { h.CreatedAt = h.CreatedAt.Add(time.Hour) })
	cases = append(cases, struct {
		name string
		file []byte
		want string
	}{"header changed, old signature", withSig(assemble(later, chunks, "", nil), tr.Signature), CodeBadSignature})

	for _, c := range cases {
		_, err := f.check(c.file)
		if got := code(err); got != c.want {
			t.Errorf("%s: %s (%v), want %s", c.name, got, err, c.want)
		}
		var ce *CheckError
		if errors.As(err, &ce) && ce.Reason == "" {
			t.Errorf("%s: no reason", c.name)
		}
	}

	t.Run("too large", func(t *testing.T) {
		b := f.binding
		b.MaxSize = int64(len(file)) - 100
		_, err := Check(bytes.NewReader(file), b, f.keyOf, nil)
		if code(err) != CodeTooLarge {
			t.Fatalf("%v", err)
		}
		b.MaxSize = int64(len(file))
		if _, err := Check(bytes.NewReader(file), b, f.keyOf, nil); err != nil {
			t.Fatalf("at the limit: %v", err)
		}
	})

	t.Run("every bit of the header and trailer", func(t *testing.T) {
		hstart, hend := len(Magic), len(Magic)+4+len(header)
		tstart := hend + len(chunks)
		for i := 0; i < len(file); i++ {
			if i == hend {
				i = tstart // chunks are covered by the digest, sampled below
			}
			for bit := 0; bit < 8; bit += 3 {
				if _, err := f.check(flipBit(file, i, bit)); err == nil {
					t.Fatalf("byte %d bit %d flipped (header %d..%d): accepted", i, bit, hstart, hend)
				}
			}
		}
		for i := hend; i < tstart; i += 97 {
			if got := code(func() error { _, err := f.check(flipBit(file, i, 0)); return err }()); got != CodeDigest {
				t.Fatalf("chunk byte %d flipped: %s", i, got)
			}
		}
	})

	t.Run("every truncation", func(t *testing.T) {
		for n := 1; n < len(file); n += 1 + n/64 {
			if got := code(func() error { _, err := f.check(file[:n]); return err }()); got != CodeTruncated {
				t.Fatalf("cut at %d of %d: %s", n, len(file), got)
			}
		}
	})

	t.Run("Open refuses reordered and altered chunks", func(t *testing.T) {
		key, err := RecoverKey(mustHeader(t, file), f.shares(t, mustHeader(t, file), 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		open := func(b []byte) string {
			_, err := Open(bytes.NewReader(b), key, f.binding, io.Discard)
			return code(err)
		}
		if got := open(file); got != "accepted" {
			t.Fatalf("original: %s", got)
		}
		// The trailer digest is recomputed, as by someone who holds the
		// content key but not the bidder's signing key.
		if got := open(assemble(header, swapped, "", nil)); got != CodeDecrypt {
			t.Errorf("swapped chunks: %s", got)
		}
		if got := open(assemble(header, flip(chunks, 10), "", nil)); got != CodeDecrypt {
			t.Errorf("changed chunk: %s", got)
		}
		if got := open(assemble(header, flip(chunks, 10), tr.CiphertextSM3, nil)); got != CodeDecrypt {
			t.Errorf("changed chunk, old digest: %s", got)
		}
		// A trailer whose digest was changed leaves the content intact: Open
		// (which relies on the chunk tags) yields it; Check, at intake,
		// refuses such a file (see the digest case above).
		if got := open(assemble(header, chunks, hex.EncodeToString(make([]byte, 32)), nil)); got != "accepted" {
			t.Errorf("wrong digest, intact chunks: %s", got)
		}
		if got := open(file[:len(file)-3]); got != CodeTruncated {
			t.Errorf("truncated: %s", got)
		}
		wrong := bytes.Clone(key)
		wrong[0] ^= 1
		if _, err := Open(bytes.NewReader(file), wrong, f.binding, io.Discard); code(err) != CodeWrongKey {
			t.Errorf("wrong key: %v", err)
		}
		b := f.binding
		b.EntityID = "someone-else"
		if _, err := Open(bytes.NewReader(file), key, b, io.Discard); code(err) != CodeEntity {
			t.Errorf("wrong entity: %v", err)
		}
		// The same key on a header claiming another lot: the chunks are
		// bound to the header, so they do not decrypt.
		var h Header
		json.Unmarshal(header, &h)
		h.LotID = "lot-2026-009"
		moved, _ := json.Marshal(&h)
		b = f.binding
		b.LotID = h.LotID
		if _, err := Open(bytes.NewReader(assemble(moved, chunks, "", nil)), key, b, io.Discard); code(err) != CodeDecrypt {
			t.Errorf("moved to another lot: %v", err)
		}
	})

	t.Run("incomplete binding is a programming error", func(t *testing.T) {
		_, err := Check(bytes.NewReader(file), Binding{LotID: "x"}, f.keyOf, nil)
		var ce *CheckError
		if err == nil || errors.As(err, &ce) {
			t.Fatalf("%v", err)
		}
	})
}

func mustHeader(t testing.TB, file []byte) Header {
	t.Helper()
	h, err := ReadHeader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

func flipBit(b []byte, i, bit int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1 << bit
	return c
}

func trailerBytes(file []byte) []byte {
	// The trailer is the JSON object at the end; its length precedes it.
	for n := 1; n < 4096 && n+4 <= len(file); n++ {
		if int(binary.BigEndian.Uint32(file[len(file)-n-4:])) == n {
			return file[len(file)-n-4:]
		}
	}
	return nil
}

// withSig replaces the trailer's signature.
func withSig(file []byte, sig []byte) []byte {
	tb := trailerBytes(file)
	var tr trailer
	json.Unmarshal(tb[4:], &tr)
	tr.Signature = sig
	nb, _ := json.Marshal(tr)
	out := bytes.Clone(file[:len(file)-len(tb)])
	out = binary.BigEndian.AppendUint32(out, uint32(len(nb)))
	return append(out, nb...)
}

// failWriter fails after n bytes, like a full disk.
type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestCheckWriteErrorIsNotARefusal(t *testing.T) {
	f := newFixture(t, 3, 2)
	file, _ := f.seal(t, randBytes(5000), MinChunkSize)
	_, err := Check(bytes.NewReader(file), f.binding, f.keyOf, &failWriter{n: 3000})
	var ce *CheckError
	if err == nil || errors.As(err, &ce) || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("%v", err)
	}
}

// errReader fails after n bytes, like a dropped connection.
type errReader struct {
	r io.Reader
	n int
}

func (r *errReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("connection reset")
	}
	if len(p) > r.n {
		p = p[:r.n]
	}
	n, err := r.r.Read(p)
	r.n -= n
	return n, err
}

func TestCheckReadErrorIsNotARefusal(t *testing.T) {
	f := newFixture(t, 3, 2)
	file, _ := f.seal(t, randBytes(5000), MinChunkSize)
	for _, n := range []int{3, 100, 3000, len(file) - 2} {
		_, err := Check(&errReader{r: bytes.NewReader(file), n: n}, f.binding, f.keyOf, nil)
		var ce *CheckError
		if err == nil || errors.As(err, &ce) || !strings.Contains(err.Error(), "connection reset") {
			t.Fatalf("cut at %d: %v", n, err)
		}
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func subsets(n, k int) [][]int {
	if k == 0 {
		return [][]int{nil}
	}
	var out [][]int
	idx := seq(k)
	for {
		out = append(out, append([]int(nil), idx...))
		if !nextCombination(idx, n) {
			return out
		}
	}
}

func pick(all []Share, idx []int) []Share {
	var out []Share
	for _, i := range idx {
		out = append(out, all[i])
	}
	return out
}
