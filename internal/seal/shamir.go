package seal

import (
	"fmt"
	"io"
)

// Shamir secret sharing over GF(2^8), byte-wise. Arithmetic is done with
// shifts and masks instead of log/exp tables, so no memory access depends on
// secret bytes (cache timing); speed does not matter for 16-byte keys.

// gfMul multiplies in GF(2^8) modulo x^8+x^4+x^3+x+1 (0x11b).
func gfMul(a, b byte) byte {
	var p byte
	for range 8 {
		p ^= a & -(b & 1)
		carry := -(a >> 7)
		a = a<<1 ^ 0x1b&carry
		b >>= 1
	}
	return p
}

// gfInv returns a^-1 = a^254 (a^255 = 1 for a ≠ 0); gfInv(0) = 0.
func gfInv(a byte) byte {
	// 254 = 0b11111110: square-and-multiply with a fixed sequence.
	r := byte(1)
	x := a
	for i := 0; i < 8; i++ {
		if i > 0 { // bits 1..7 of 254 are set, bit 0 is not
			r = gfMul(r, x)
		}
		x = gfMul(x, x)
	}
	return r
}

// splitSecret returns n shares of secret, share i (0-based) being the values
// at x = i+1 of random polynomials of degree k-1 whose constant terms are the
// secret's bytes.
func splitSecret(secret []byte, n, k int, rand io.Reader) ([][]byte, error) {
	if k < 2 || k > n || n > 255 {
		return nil, fmt.Errorf("seal: bad sharing %d of %d", k, n)
	}
	// coef[j*len(secret)+b] is the coefficient of x^(j+1) for byte b.
	coef := make([]byte, (k-1)*len(secret))
	if _, err := io.ReadFull(rand, coef); err != nil {
		return nil, fmt.Errorf("seal: random coefficients: %w", err)
	}
	defer clear(coef)
	shares := make([][]byte, n)
	for i := range shares {
		x := byte(i + 1)
		y := make([]byte, len(secret))
		for b, s := range secret {
			// Horner: ((a(k-1)·x + a(k-2))·x + … + a1)·x + s
			var v byte
			for j := k - 2; j >= 0; j-- {
				v = gfMul(v, x) ^ coef[j*len(secret)+b]
			}
			y[b] = gfMul(v, x) ^ s
		}
		shares[i] = y
	}
	return shares, nil
}

// interpolateAt evaluates at x the polynomial through the points (xs[i],
// ys[i]), byte by byte. The xs must be distinct; all ys the same length.
func interpolateAt(xs []byte, ys [][]byte, x byte) []byte {
	out := make([]byte, len(ys[0]))
	for i, xi := range xs {
		// Lagrange basis l_i(x) = Π_{j≠i} (x - x_j) / (x_i - x_j); in GF(2^8)
		// subtraction is XOR.
		num, den := byte(1), byte(1)
		for j, xj := range xs {
			if j != i {
				num = gfMul(num, x^xj)
				den = gfMul(den, xi^xj)
			}
		}
		l := gfMul(num, gfInv(den))
		for b, y := range ys[i] {
			out[b] ^= gfMul(l, y)
		}
	}
	return out
}

// combineShares recovers the secret (the value at 0).
func combineShares(xs []byte, ys [][]byte) []byte { return interpolateAt(xs, ys, 0) }
