package scoring

import (
	"math"
	"math/bits"
	"strconv"
)

// divRound returns a/b rounded half away from zero; 0 when b is 0.
func divRound(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	q, ok := mulDivRound(a, 1, b)
	if !ok { // only MinInt64 / -1
		return math.MaxInt64
	}
	return q
}

// mulDivRound returns a×b/c rounded half away from zero, computed exactly
// with a 128-bit intermediate product. ok is false when c is 0 or the
// result does not fit in an int64.
func mulDivRound(a, b, c int64) (q int64, ok bool) {
	if c == 0 {
		return 0, false
	}
	neg := (a < 0) != (b < 0) != (c < 0)
	hi, lo := bits.Mul64(absU(a), absU(b))
	d := absU(c)
	if hi >= d { // quotient ≥ 2^64
		return 0, false
	}
	uq, r := bits.Div64(hi, lo, d)
	if r >= d-r { // 2r ≥ d: half or more rounds away from zero
		if uq == math.MaxUint64 {
			return 0, false
		}
		uq++
	}
	if neg {
		if uq > 1<<63 {
			return 0, false
		}
		return int64(-uq), true // -2^63 wraps to itself, which is correct
	}
	if uq > math.MaxInt64 {
		return 0, false
	}
	return int64(uq), true
}

// absU is |x| as a uint64 (exact for MinInt64 too).
func absU(x int64) uint64 {
	if x < 0 {
		return uint64(-(x + 1)) + 1
	}
	return uint64(x)
}

// addChecked adds without wrapping; ok is false on overflow.
func addChecked(a, b int64) (int64, bool) {
	s := a + b
	if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
		return 0, false
	}
	return s, true
}

// hundredths formats a ×100 fixed-point value: 2999 → "29.99", 3000 → "30".
func hundredths(v int64) string {
	sign := ""
	u := absU(v)
	if v < 0 {
		sign = "-"
	}
	s := sign + strconv.FormatUint(u/100, 10)
	if f := u % 100; f != 0 {
		if f%10 == 0 {
			s += "." + strconv.FormatUint(f/10, 10)
		} else {
			s += "." + strconv.FormatUint(f/10, 10) + strconv.FormatUint(f%10, 10)
		}
	}
	return s
}
