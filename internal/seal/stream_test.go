package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// pattern yields n deterministic bytes without holding them.
type pattern struct {
	n, off int64
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n-p.off {
		b = b[:p.n-p.off]
	}
	for i := range b {
		v := p.off + int64(i)
		b[i] = byte(v ^ v>>8 ^ v>>17)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// knownKeyRand makes Seal's content key (the first 16 bytes it draws) known.
func knownKeyRand(key []byte) io.Reader { return io.MultiReader(bytes.NewReader(key), rand.Reader) }

// A 64 MiB bid goes Seal → Check → Open through pipes, never whole in memory:
// all three together allocate a small fraction of its size.
func TestStreamingMemoryIsBounded(t *testing.T) {
	size := int64(64 << 20)
	if testing.Short() {
		size = 16 << 20
	}
	f := newFixture(t, 3, 2)
	key := randBytes(16)
	var wantCRC, gotCRC uint32

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	sealedR, sealedW := io.Pipe()
	checkedR, checkedW := io.Pipe()
	sealErr, checkErr := make(chan error, 1), make(chan error, 1)
	go func() {
		crc := crc32.NewIEEE()
		_, err := Seal(sealedW, io.TeeReader(&pattern{n: size}, crc), size, f.params(0), knownKeyRand(key))
		wantCRC = crc.Sum32()
		sealedW.CloseWithError(err)
		sealErr <- err
	}()
	go func() {
		_, err := Check(sealedR, f.binding, f.keyOf, checkedW)
		checkedW.CloseWithError(err)
		checkErr <- err
	}()
	crc := crc32.NewIEEE()
	h, openErr := Open(checkedR, key, f.binding, crc)
	gotCRC = crc.Sum32()
	if err := <-sealErr; err != nil {
		t.Fatalf("seal: %v", err)
	}
	if err := <-checkErr; err != nil {
		t.Fatalf("check: %v", err)
	}
	if openErr != nil {
		t.Fatalf("open: %v", openErr)
	}
	runtime.ReadMemStats(&after)

	if h.PlaintextSize != size || gotCRC != wantCRC {
		t.Fatalf("plaintext differs (size %d)", h.PlaintextSize)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d MiB through Seal, Check and Open allocated %d KiB", size>>20, alloc>>10)
	if alloc > 8<<20 {
		t.Fatalf("allocated %d MiB for a %d MiB bid", alloc>>20, size>>20)
	}
}

// The bidder's signature is plain GB/T 32918 SM2 over header || digest, so an
// auditor can check it with OpenSSL alone.
func TestSignatureVerifiesWithOpenSSL(t *testing.T) {
	ossl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl not installed; CI must have it")
		}
		t.Skip("openssl not installed: skipping the interoperability check")
	}
	f := newFixture(t, 3, 2)
	file, h := f.seal(t, randBytes(5000), MinChunkSize)
	header, _, tr := parts(t, file)
	digest, _ := hex.DecodeString(tr.CiphertextSM3)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "msg"), append(bytes.Clone(header), digest...), 0o600)
	os.WriteFile(filepath.Join(dir, "sig"), h.Signature, 0o600)
	os.WriteFile(filepath.Join(dir, "pub.pem"), f.bidder.Public().MarshalPEM(), 0o600)
	cmd := exec.Command(ossl, "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg",
		"-sigfile", "sig", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
}

func benchFixture(b *testing.B) (*fixture, []byte, []byte, []byte) {
	f := newFixture(b, 3, 2)
	pt := randBytes(8 << 20)
	key := randBytes(16)
	var out bytes.Buffer
	if _, err := Seal(&out, bytes.NewReader(pt), int64(len(pt)), f.params(0), knownKeyRand(key)); err != nil {
		b.Fatal(err)
	}
	return f, pt, out.Bytes(), key
}

func BenchmarkSeal8MiB(b *testing.B) {
	f, pt, _, _ := benchFixture(b)
	b.SetBytes(int64(len(pt)))
	for b.Loop() {
		if _, err := Seal(io.Discard, bytes.NewReader(pt), int64(len(pt)), f.params(0), rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck8MiB(b *testing.B) {
	f, pt, file, _ := benchFixture(b)
	b.SetBytes(int64(len(pt)))
	for b.Loop() {
		if _, err := Check(bytes.NewReader(file), f.binding, f.keyOf, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen8MiB(b *testing.B) {
	f, pt, file, key := benchFixture(b)
	b.SetBytes(int64(len(pt)))
	for b.Loop() {
		if _, err := Open(bytes.NewReader(file), key, f.binding, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
