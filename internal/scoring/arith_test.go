package scoring

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestDivRound(t *testing.T) {
	tests := []struct{ a, b, want int64 }{
		{3, 2, 2},    // 1.5 → 2
		{-3, 2, -2},  // −1.5 → −2 (away from zero)
		{5, -10, -1}, // −0.5 → −1
		{-5, -10, 1}, // 0.5 → 1
		{4, 10, 0},   // 0.4 → 0
		{-4, 10, 0},
		{14, 10, 1},
		{15, 10, 2},
		{25, 10, 3},
		{7, 1, 7},
		{0, 9, 0},
		{1, 0, 0}, // b = 0 → 0
		{math.MaxInt64, 1, math.MaxInt64},
		{math.MinInt64, 1, math.MinInt64},
		{math.MinInt64, -1, math.MaxInt64}, // overflow clamps
	}
	for _, tt := range tests {
		if got := divRound(tt.a, tt.b); got != tt.want {
			t.Errorf("divRound(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMulDivRoundEdges(t *testing.T) {
	tests := []struct {
		a, b, c int64
		want    int64
		ok      bool
	}{
		{math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64, true},
		{math.MaxInt64, 2, 1, 0, false},
		{math.MaxInt64, 2, 2, math.MaxInt64, true},
		{math.MinInt64, 1, 1, math.MinInt64, true},
		{math.MinInt64, -1, 1, 0, false},
		{1, 1, 0, 0, false},
		{1e15, 1e4, 3e15, 3333, true}, // product beyond int64 is fine
		{-1, 1, 2, -1, true},
	}
	for _, tt := range tests {
		got, ok := mulDivRound(tt.a, tt.b, tt.c)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("mulDivRound(%d, %d, %d) = %d, %v; want %d, %v", tt.a, tt.b, tt.c, got, ok, tt.want, tt.ok)
		}
	}
}

// TestMulDivRoundBig compares against math/big on random operands.
func TestMulDivRoundBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	half := big.NewRat(1, 2)
	for i := 0; i < 20000; i++ {
		a := r.Int64N(1e15) - 5e14
		b := r.Int64N(1e7) - 5e6
		c := r.Int64N(1e12) - 5e11
		if c == 0 {
			continue
		}
		got, ok := mulDivRound(a, b, c)
		q := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(a), big.NewInt(b)), big.NewInt(c))
		neg := q.Sign() < 0
		q.Abs(q).Add(q, half)
		w := new(big.Int).Quo(q.Num(), q.Denom()) // floor(|q| + ½)
		if neg {
			w.Neg(w)
		}
		if !w.IsInt64() {
			if ok {
				t.Fatalf("mulDivRound(%d, %d, %d) = %d, want overflow", a, b, c, got)
			}
			continue
		}
		if !ok || got != w.Int64() {
			t.Fatalf("mulDivRound(%d, %d, %d) = %d, %v; want %d", a, b, c, got, ok, w.Int64())
		}
	}
}

func TestHundredths(t *testing.T) {
	for v, want := range map[int64]string{2999: "29.99", 3000: "30", 6010: "60.1", 5: "0.05", -150: "-1.5", 0: "0", 10000: "100"} {
		if got := hundredths(v); got != want {
			t.Errorf("hundredths(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestAddChecked(t *testing.T) {
	if _, ok := addChecked(math.MaxInt64, 1); ok {
		t.Error("MaxInt64+1 should overflow")
	}
	if _, ok := addChecked(math.MinInt64, -1); ok {
		t.Error("MinInt64-1 should overflow")
	}
	if s, ok := addChecked(math.MaxInt64, math.MinInt64); !ok || s != -1 {
		t.Errorf("MaxInt64+MinInt64 = %d, %v", s, ok)
	}
}
