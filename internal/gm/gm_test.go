package gm

import (
	"bytes"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm4"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newKey(t testing.TB) *PrivateKey {
	t.Helper()
	k, err := GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// GB/T 32905-2016 Appendix A.
func TestSM3KnownAnswers(t *testing.T) {
	cases := []struct{ in, want string }{
		{"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"},
		{strings.Repeat("abcd", 16), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"},
	}
	for _, c := range cases {
		if got := SM3Hex([]byte(c.in)); got != c.want {
			t.Errorf("SM3Hex(%q) = %s, want %s", c.in, got, c.want)
		}
		sum := SM3([]byte(c.in))
		if hex.EncodeToString(sum[:]) != c.want {
			t.Errorf("SM3(%q) wrong", c.in)
		}
		h := NewSM3()
		for _, b := range []byte(c.in) { // byte by byte exercises buffering
			h.Write([]byte{b})
		}
		if hex.EncodeToString(h.Sum(nil)) != c.want {
			t.Errorf("NewSM3(%q) wrong", c.in)
		}
	}
}

// GB/T 32907-2016 Appendix A: one block, then the same block 1,000,000 times.
func TestSM4KnownAnswers(t *testing.T) {
	key := unhex(t, "0123456789abcdeffedcba9876543210")
	c, err := sm4.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	buf := append([]byte(nil), key...)
	c.Encrypt(buf, buf)
	if want := unhex(t, "681edf34d206965e86b3e94f536e4246"); !bytes.Equal(buf, want) {
		t.Fatalf("SM4 = %x, want %x", buf, want)
	}
	c.Decrypt(buf, buf)
	if !bytes.Equal(buf, key) {
		t.Fatalf("SM4 decrypt = %x", buf)
	}
	for i := 0; i < 1_000_000; i++ {
		c.Encrypt(buf, buf)
	}
	if want := unhex(t, "595298c7c6fd271f0402f804c33d3f66"); !bytes.Equal(buf, want) {
		t.Fatalf("SM4^1000000 = %x, want %x", buf, want)
	}
}

// RFC 8998 Appendix A.1.
func TestSM4GCMKnownAnswer(t *testing.T) {
	aead, err := NewSM4GCM(unhex(t, "0123456789ABCDEFFEDCBA9876543210"))
	if err != nil {
		t.Fatal(err)
	}
	if aead.NonceSize() != GCMNonceSize || aead.Overhead() != GCMTagSize {
		t.Fatalf("nonce %d overhead %d", aead.NonceSize(), aead.Overhead())
	}
	nonce := unhex(t, "00001234567800000000ABCD")
	pt := unhex(t, "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB CCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"+
		"EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFF EEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA")
	ad := unhex(t, "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
	want := unhex(t, "17F399F08C67D5EE19D0DC9969C4BB7D 5FD46FD3756489069157B282BB200735"+
		"D82710CA5C22F0CCFA7CBF93D496AC15 A56834CBCF98C397B4024A2691233B8D"+
		"83DE3541E4C2B58177E065A9BF7B62EC")
	ct := aead.Seal(nil, nonce, pt, ad)
	if !bytes.Equal(ct, want) {
		t.Fatalf("SM4-GCM = %x\nwant      %x", ct, want)
	}
	back, err := aead.Open(nil, nonce, ct, ad)
	if err != nil || !bytes.Equal(back, pt) {
		t.Fatalf("open: %v", err)
	}
	for _, mut := range []func(){
		func() { ct[3] ^= 1 },
		func() { ct[len(ct)-1] ^= 0x80 },
		func() { ad[0] ^= 1 },
		func() { nonce[11] ^= 1 },
	} {
		ct2, ad2, nonce2 := bytes.Clone(ct), bytes.Clone(ad), bytes.Clone(nonce)
		mut()
		if _, err := aead.Open(nil, nonce, ct, ad); err == nil {
			t.Error("tampered SM4-GCM opened")
		}
		ct, ad, nonce = ct2, ad2, nonce2
	}
	if _, err := NewSM4GCM(make([]byte, 15)); err == nil {
		t.Error("15-byte key accepted")
	}
}

func TestSignVerify(t *testing.T) {
	k, other := newKey(t), newKey(t)
	msg := []byte("投标截止时间 2026-03-01T09:00:00+08:00")
	sig, err := k.Sign(rand.Reader, msg)
	if err != nil {
		t.Fatal(err)
	}
	pub := k.Public()
	if !pub.Verify(msg, sig) {
		t.Fatal("valid signature refused")
	}
	if other.Public().Verify(msg, sig) {
		t.Error("signature verified under another key")
	}
	bad := bytes.Clone(msg)
	bad[0] ^= 1
	if pub.Verify(bad, sig) {
		t.Error("signature verified for another message")
	}
	for i := range sig {
		s := bytes.Clone(sig)
		s[i] ^= 0x04
		if pub.Verify(msg, s) {
			t.Fatalf("signature with byte %d flipped verified", i)
		}
	}
	if pub.Verify(msg, nil) || pub.Verify(msg, append(bytes.Clone(sig), 0)) {
		t.Error("empty or padded signature verified")
	}
	var nilKey *PublicKey
	if nilKey.Verify(msg, sig) {
		t.Error("nil key verified")
	}
}

func TestEncryptDecrypt(t *testing.T) {
	k, other := newKey(t), newKey(t)
	for _, n := range []int{1, 17, 100, 4096} {
		pt := make([]byte, n)
		rand.Read(pt)
		ct, err := k.Public().Encrypt(rand.Reader, pt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.Decrypt(ct)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("n=%d: %v", n, err)
		}
		if _, err := other.Decrypt(ct); err == nil {
			t.Errorf("n=%d: another key decrypted", n)
		}
		for _, i := range []int{len(ct) / 2, len(ct) - 1} {
			c := bytes.Clone(ct)
			c[i] ^= 1
			if _, err := k.Decrypt(c); err == nil {
				t.Errorf("n=%d: tampered ciphertext (byte %d) decrypted", n, i)
			}
		}
	}
}

func TestPublicKeyEncodings(t *testing.T) {
	k := newKey(t)
	pub := k.Public()
	p, err := ParsePublicKeyPEM(pub.MarshalPEM())
	if err != nil || !p.Equal(pub) {
		t.Fatalf("PEM round trip: %v", err)
	}
	if !strings.HasPrefix(string(pub.DER()), pkixSM2Prefix) {
		t.Fatalf("DER prefix %x", pub.DER()[:26])
	}
	p, err = ParsePublicKeyBytes(pub.Bytes())
	if err != nil || !p.Equal(pub) {
		t.Fatalf("point round trip: %v", err)
	}
	fp := pub.Fingerprint()
	if len(fp) != 64 || fp != SM3Hex(pub.DER()) || fp == newKey(t).Public().Fingerprint() {
		t.Fatalf("fingerprint %q", fp)
	}
	if pub.Equal(newKey(t).Public()) {
		t.Error("different keys equal")
	}
	pt := pub.Bytes()
	pt[64] ^= 1 // off the curve
	if _, err := ParsePublicKeyBytes(pt); err == nil {
		t.Error("point off the curve accepted")
	}
	if _, err := ParsePublicKeyPEM([]byte("not a key")); !errors.Is(err, ErrBadKeyFile) {
		t.Errorf("garbage: %v", err)
	}
	if _, err := ParsePublicKeyPEM(k.MarshalPlainPEM()); err == nil {
		t.Error("private key block taken as public key")
	}
}

func TestPrivateKeyPEM(t *testing.T) {
	k := newKey(t)
	pass := []byte("正确的口令 correct horse")
	enc, err := k.MarshalEncryptedPEM(pass)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(enc, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
		t.Fatalf("PEM type: %.40s", enc)
	}
	back, err := ParsePrivateKeyPEM(enc, pass)
	if err != nil || !back.Public().Equal(k.Public()) {
		t.Fatalf("round trip: %v", err)
	}
	sig, _ := back.Sign(rand.Reader, []byte("m"))
	if !k.Public().Verify([]byte("m"), sig) {
		t.Fatal("parsed key signs differently")
	}
	if _, err := ParsePrivateKeyPEM(enc, []byte("wrong")); !errors.Is(err, ErrPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	if _, err := ParsePrivateKeyPEM(enc, []byte{}); !errors.Is(err, ErrPassphrase) {
		t.Errorf("empty passphrase: %v", err)
	}
	if _, err := ParsePrivateKeyPEM(enc, nil); !errors.Is(err, ErrPassphraseRequired) {
		t.Errorf("nil passphrase on encrypted key: %v", err)
	}
	plain := k.MarshalPlainPEM()
	if _, err := ParsePrivateKeyPEM(plain, pass); !errors.Is(err, ErrUnencryptedKey) {
		t.Errorf("unencrypted key with passphrase: %v", err)
	}
	if p, err := ParsePrivateKeyPEM(plain, nil); err != nil || !p.Public().Equal(k.Public()) {
		t.Errorf("unencrypted key, nil passphrase: %v", err)
	}
	if _, err := k.MarshalEncryptedPEM(nil); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("empty passphrase accepted: %v", err)
	}
	if _, err := ParsePrivateKeyPEM(k.Public().MarshalPEM(), nil); !errors.Is(err, ErrBadKeyFile) {
		t.Errorf("public key as private: %v", err)
	}
}

// openssl returns the path of OpenSSL, or skips (fails in CI, where it must be
// installed: the interoperability check is the point).
func openssl(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl not installed; CI must have it (apt-get install openssl)")
		}
		t.Skip("openssl not installed: skipping the interoperability check")
	}
	return p
}

func run(t *testing.T, dir string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func write(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// opensslVerify runs pkeyutl's SM2 verification; OpenSSL 3.0 needs the
// distinguishing ID spelled out.
func opensslVerify(t *testing.T, ossl, dir, pub, msg, sig string) error {
	out, err := run(t, dir, ossl, "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", msg,
		"-sigfile", sig, "-digest", "sm3", "-pkeyopt", "distid:"+DefaultUID)
	if err != nil {
		return errors.New(out)
	}
	return nil
}

func TestOpenSSLInterop(t *testing.T) {
	ossl := openssl(t)
	dir := t.TempDir()

	t.Run("OpenSSL verifies our signature", func(t *testing.T) {
		k := newKey(t)
		msg := []byte("checkpoint\n42\n")
		sig, err := k.Sign(rand.Reader, msg)
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, "pub.pem", k.Public().MarshalPEM())
		write(t, dir, "msg", msg)
		write(t, dir, "sig", sig)
		if err := opensslVerify(t, ossl, dir, "pub.pem", "msg", "sig"); err != nil {
			t.Fatalf("openssl refused our signature: %v", err)
		}
		write(t, dir, "msg2", append(msg, '!'))
		if err := opensslVerify(t, ossl, dir, "pub.pem", "msg2", "sig"); err == nil {
			t.Fatal("openssl verified our signature over another message")
		}
	})

	t.Run("SM3 agrees with openssl dgst", func(t *testing.T) {
		data := make([]byte, 100_003)
		rand.Read(data)
		write(t, dir, "data", data)
		out, err := run(t, dir, ossl, "dgst", "-sm3", "-r", "data")
		if err != nil {
			t.Fatal(out)
		}
		if got := strings.Fields(out)[0]; got != SM3Hex(data) {
			t.Fatalf("openssl %s, ours %s", got, SM3Hex(data))
		}
	})

	t.Run("key generated by OpenSSL", func(t *testing.T) {
		if out, err := run(t, dir, ossl, "genpkey", "-algorithm", "SM2", "-out", "ok.pem"); err != nil {
			t.Fatal(out)
		}
		if out, err := run(t, dir, ossl, "pkey", "-in", "ok.pem", "-pubout", "-out", "opub.pem"); err != nil {
			t.Fatal(out)
		}
		pemBytes, _ := os.ReadFile(filepath.Join(dir, "ok.pem"))
		k, err := ParsePrivateKeyPEM(pemBytes, nil)
		if err != nil {
			t.Fatal(err)
		}
		opub, _ := os.ReadFile(filepath.Join(dir, "opub.pem"))
		if !bytes.Equal(opub, k.Public().MarshalPEM()) {
			t.Errorf("public key PEM differs from OpenSSL's:\n%s\n%s", opub, k.Public().MarshalPEM())
		}
		msg := []byte("signed with an OpenSSL key")
		sig, _ := k.Sign(rand.Reader, msg)
		write(t, dir, "m3", msg)
		write(t, dir, "s3", sig)
		if err := opensslVerify(t, ossl, dir, "opub.pem", "m3", "s3"); err != nil {
			t.Fatalf("openssl refused: %v", err)
		}
		// And the other way: OpenSSL signs, we verify.
		if out, err := run(t, dir, ossl, "pkeyutl", "-sign", "-inkey", "ok.pem", "-rawin", "-in", "m3",
			"-digest", "sm3", "-pkeyopt", "distid:"+DefaultUID, "-out", "s4"); err != nil {
			t.Fatal(out)
		}
		s4, _ := os.ReadFile(filepath.Join(dir, "s4"))
		if !k.Public().Verify(msg, s4) {
			t.Fatal("we refused OpenSSL's signature")
		}
	})

	t.Run("SM2 encryption both ways", func(t *testing.T) {
		k := newKey(t)
		write(t, dir, "ek.pem", k.MarshalPlainPEM())
		write(t, dir, "epub.pem", k.Public().MarshalPEM())
		secret := []byte("share: 0123456789abcdef")
		ct, _ := k.Public().Encrypt(rand.Reader, secret)
		write(t, dir, "ct", ct)
		out, err := run(t, dir, ossl, "pkeyutl", "-decrypt", "-inkey", "ek.pem", "-in", "ct")
		if err != nil || out != string(secret) {
			t.Fatalf("openssl decrypt: %q %v", out, err)
		}
		write(t, dir, "pt", secret)
		if out, err := run(t, dir, ossl, "pkeyutl", "-encrypt", "-pubin", "-inkey", "epub.pem", "-in", "pt", "-out", "ct2"); err != nil {
			t.Fatal(out)
		}
		ct2, _ := os.ReadFile(filepath.Join(dir, "ct2"))
		got, err := k.Decrypt(ct2)
		if err != nil || !bytes.Equal(got, secret) {
			t.Fatalf("we could not decrypt OpenSSL's ciphertext: %v", err)
		}
	})

	t.Run("encrypted PKCS#8 both ways", func(t *testing.T) {
		k := newKey(t)
		enc, err := k.MarshalEncryptedPEM([]byte("s3cret"))
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, "enc.pem", enc)
		out, err := run(t, dir, ossl, "pkey", "-in", "enc.pem", "-passin", "pass:s3cret", "-pubout")
		if err != nil || out != string(k.Public().MarshalPEM()) {
			t.Fatalf("openssl could not read our encrypted key: %v\n%s", err, out)
		}
		if out, err := run(t, dir, ossl, "pkey", "-in", "ek.pem", "-aes-256-cbc", "-passout", "pass:abc", "-out", "oenc.pem"); err != nil {
			t.Fatal(out)
		}
		oenc, _ := os.ReadFile(filepath.Join(dir, "oenc.pem"))
		got, err := ParsePrivateKeyPEM(oenc, []byte("abc"))
		if err != nil {
			t.Fatalf("we could not read OpenSSL's encrypted key: %v", err)
		}
		if _, err := ParsePrivateKeyPEM(oenc, []byte("abd")); !errors.Is(err, ErrPassphrase) {
			t.Errorf("wrong passphrase on OpenSSL's key: %v", err)
		}
		ek, _ := os.ReadFile(filepath.Join(dir, "ek.pem"))
		want, _ := ParsePrivateKeyPEM(ek, nil)
		if !got.Public().Equal(want.Public()) {
			t.Fatal("different key")
		}
	})
}

func BenchmarkSM3_8MiB(b *testing.B) {
	data := make([]byte, 8<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		SM3(data)
	}
}

func BenchmarkSM4GCM_8MiB(b *testing.B) {
	aead, _ := NewSM4GCM(make([]byte, 16))
	data := make([]byte, 8<<20, 8<<20+16)
	nonce := make([]byte, 12)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		aead.Seal(data[:0], nonce, data, nil)
	}
}

func BenchmarkSM2Sign(b *testing.B) {
	k := newKey(b)
	msg := make([]byte, 256)
	for b.Loop() {
		k.Sign(rand.Reader, msg)
	}
}

func BenchmarkSM2Verify(b *testing.B) {
	k := newKey(b)
	msg := make([]byte, 256)
	sig, _ := k.Sign(rand.Reader, msg)
	pub := k.Public()
	for b.Loop() {
		pub.Verify(msg, sig)
	}
}

// A key file that asks for an absurd KDF cost is refused before deriving.
func TestPrivateKeyKDFCostCapped(t *testing.T) {
	type algo = pkix.AlgorithmIdentifier
	raw := func(v any) asn1.RawValue {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: b}
	}
	sm4cbc := algo{Algorithm: asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 104, 2}, Parameters: raw(make([]byte, 16))}
	file := func(kdf algo) []byte {
		der, err := asn1.Marshal(struct {
			Algo algo
			Data []byte
		}{algo{Algorithm: oidPBES2(), Parameters: raw(struct{ KDF, Enc algo }{kdf, sm4cbc})}, make([]byte, 160)})
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der})
	}
	scrypt := algo{Algorithm: oidScrypt(), Parameters: raw(struct {
		Salt    []byte
		N, R, P int
	}{make([]byte, 16), 1 << 30, 8, 1})}
	pbkdf2 := algo{Algorithm: oidPBKDF2(), Parameters: raw(struct {
		Salt   []byte
		Rounds int
	}{make([]byte, 16), 1 << 40})}
	for _, kdf := range []algo{scrypt, pbkdf2} {
		start := time.Now()
		if _, err := ParsePrivateKeyPEM(file(kdf), []byte("x")); !errors.Is(err, ErrKDFCost) {
			t.Errorf("%v: %v", kdf.Algorithm, err)
		}
		if time.Since(start) > time.Second {
			t.Errorf("%v: took %v", kdf.Algorithm, time.Since(start))
		}
	}
}
