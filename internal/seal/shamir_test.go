package seal

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"testing"
)

// refMul is the schoolbook product reduced by 0x11b, as a reference.
func refMul(a, b byte) byte {
	var p uint16
	for i := 0; i < 8; i++ {
		if b&(1<<i) != 0 {
			p ^= uint16(a) << i
		}
	}
	for i := 15; i >= 8; i-- {
		if p&(1<<i) != 0 {
			p ^= 0x11b << (i - 8)
		}
	}
	return byte(p)
}

func TestGFArithmetic(t *testing.T) {
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			if got, want := gfMul(byte(a), byte(b)), refMul(byte(a), byte(b)); got != want {
				t.Fatalf("%#x·%#x = %#x, want %#x", a, b, got, want)
			}
		}
		if a != 0 && gfMul(byte(a), gfInv(byte(a))) != 1 {
			t.Fatalf("inverse of %#x", a)
		}
	}
	if gfMul(0x57, 0x83) != 0xc1 { // FIPS 197 §4.2
		t.Fatal("FIPS 197 example")
	}
	if gfInv(0) != 0 {
		t.Fatal("inv(0)")
	}
}

// zeroReader makes every coefficient 0: all shares then equal the secret.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestShamirProperties(t *testing.T) {
	cases := []struct{ n, k, size int }{
		{2, 2, 16}, {3, 2, 16}, {3, 3, 16}, {5, 3, 16}, {7, 4, 16}, {10, 2, 1}, {8, 8, 33}, {32, 5, 16},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d of %d", c.k, c.n), func(t *testing.T) {
			secret := randBytes(c.size)
			ys, err := splitSecret(secret, c.n, c.k, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			xs := make([]byte, c.n)
			for i := range xs {
				xs[i] = byte(i + 1)
			}
			tried := 0
			for _, sub := range subsets(c.n, c.k) {
				if tried++; tried > 500 {
					break
				}
				sx, sy := make([]byte, c.k), make([][]byte, c.k)
				for i, j := range sub {
					sx[i], sy[i] = xs[j], ys[j]
				}
				if got := combineShares(sx, sy); !bytes.Equal(got, secret) {
					t.Fatalf("subset %v: %x, want %x", sub, got, secret)
				}
				// Every other share lies on the same polynomial.
				for j := range xs {
					if !bytes.Equal(interpolateAt(sx, sy, xs[j]), ys[j]) {
						t.Fatalf("share %d off the polynomial of %v", j+1, sub)
					}
				}
			}
			// All n together give the secret too.
			if !bytes.Equal(combineShares(xs, ys), secret) {
				t.Fatal("all shares")
			}
			// k-1 shares give something else (2^-8·size chance of a false
			// failure is why size ≥ 16 is used where it matters).
			if c.size >= 16 {
				if got := combineShares(xs[:c.k-1], ys[:c.k-1]); bytes.Equal(got, secret) {
					t.Fatal("k-1 shares gave the secret")
				}
			}
			// Degree check: with zero coefficients every share is the secret.
			zs, _ := splitSecret(secret, c.n, c.k, zeroReader{})
			for i, y := range zs {
				if !bytes.Equal(y, secret) {
					t.Fatalf("zero polynomial, share %d", i+1)
				}
			}
		})
	}
	for _, bad := range [][2]int{{3, 1}, {2, 3}, {256, 2}} {
		if _, err := splitSecret([]byte{1}, bad[0], bad[1], rand.Reader); err == nil {
			t.Errorf("split %d of %d accepted", bad[1], bad[0])
		}
	}
}

// With k-1 shares fixed, every secret is equally possible: for each candidate
// secret exactly one choice of the random coefficients yields those shares.
// Checked exhaustively for k = 2 on one byte.
func TestShamirSecrecy(t *testing.T) {
	var counts [256]int
	for s := 0; s < 256; s++ {
		for a := 0; a < 256; a++ {
			ys, _ := splitSecret([]byte{byte(s)}, 2, 2, bytes.NewReader([]byte{byte(a)}))
			if ys[0][0] == 0x5a { // the share custodian 1 sees
				counts[s]++
			}
		}
	}
	for s, c := range counts {
		if c != 1 {
			t.Fatalf("secret %#x is consistent with share 1 = 0x5a %d times", s, c)
		}
	}
}
