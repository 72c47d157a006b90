package rules

import (
	"math"
	"slices"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

func TestNextValid(t *testing.T) {
	start, inc := yuan(1_000_000), yuan(10_000)
	tests := []struct {
		name      string
		current   money.Fen
		hasQuotes bool
		want      money.Fen
	}{
		{"first quote may equal the start price", 0, false, start},
		{"first quote ignores current", yuan(5), false, start},
		{"after a quote: current + increment", yuan(1_050_000), true, yuan(1_060_000)},
		{"after the first quote at start", start, true, yuan(1_010_000)},
		{"saturates instead of wrapping", math.MaxInt64 - 5, true, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := NextValid(tt.current, start, inc, tt.hasQuotes); got != tt.want {
			t.Errorf("%s: NextValid = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestCheckQuote(t *testing.T) {
	start, inc := yuan(1_000_000), yuan(10_000)
	tests := []struct {
		name      string
		amount    money.Fen
		current   money.Fen
		inc       money.Fen
		hasQuotes bool
		code      apperr.Code // "" = accepted
		msgs      []string
	}{
		// First quote: start + k × increment, k ≥ 0.
		{"first at start", start, 0, inc, false, "", nil},
		{"first at start + 3 increments", yuan(1_030_000), 0, inc, false, "", nil},
		{"first below start", yuan(999_999), 0, inc, false, apperr.Invalid, []string{"首次报价不得低于起始价¥1,000,000.00", "下一个有效报价为¥1,000,000.00"}},
		{"first off the grid", yuan(1_005_000), 0, inc, false, apperr.Invalid, []string{"整数倍", "起始价为¥1,000,000.00", "下一个有效报价为¥1,000,000.00", "最低有效报价为¥1,010,000.00"}},
		{"first one fen over", start + 1, 0, inc, false, apperr.Invalid, []string{"最低有效报价为¥1,010,000.00"}},
		// Later quotes: current + k × increment, k ≥ 1.
		{"one increment", yuan(1_060_000), yuan(1_050_000), inc, true, "", nil},
		{"five increments", yuan(1_100_000), yuan(1_050_000), inc, true, "", nil},
		{"equal to current refused", yuan(1_050_000), yuan(1_050_000), inc, true, apperr.Invalid, []string{"当前最高价¥1,050,000.00", "下一个有效报价为¥1,060,000.00"}},
		{"one fen short", yuan(1_060_000) - 1, yuan(1_050_000), inc, true, apperr.Invalid, []string{"下一个有效报价为¥1,060,000.00"}},
		{"below current refused", yuan(900_000), yuan(1_050_000), inc, true, apperr.Invalid, []string{"¥1,060,000.00"}},
		{"one and a half increments", yuan(1_065_000), yuan(1_050_000), inc, true, apperr.Invalid, []string{"整数倍", "当前最高价为¥1,050,000.00", "下一个有效报价为¥1,060,000.00", "最低有效报价为¥1,070,000.00"}},
		{"grid from current after an increment change", yuan(1_055_000), yuan(1_050_000), yuan(5_000), true, "", nil},
		{"odd current, grid follows it", yuan(1_053_333) + 33, yuan(1_043_333) + 33, inc, true, "", nil},
		// Configuration errors.
		{"zero increment", yuan(1_060_000), yuan(1_050_000), 0, true, apperr.Invalid, []string{"增价幅度应大于零"}},
		{"negative increment", yuan(1_060_000), yuan(1_050_000), -1, true, apperr.Invalid, []string{"增价幅度应大于零"}},
		{"negative amount", -start, 0, inc, false, apperr.Invalid, []string{"下一个有效报价为¥1,000,000.00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckQuote(tt.amount, tt.current, start, tt.inc, tt.hasQuotes)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("CheckQuote = %v, want nil", err)
				}
				return
			}
			basis := BasisIncrement
			if tt.inc <= 0 {
				basis = ""
			}
			e := checkErr(t, err, tt.code, basis, tt.msgs...)
			if len(e.Fields) == 0 {
				t.Error("no field message")
			}
		})
	}
}

func TestCheckQuoteFirstNeedsPositiveStart(t *testing.T) {
	checkErr(t, CheckQuote(yuan(10), 0, 0, yuan(1), false), apperr.Invalid, "", "起始价应大于零")
}

// Property: every amount NextValid proposes is accepted, and NextValid − 1
// never is.
func TestNextValidIsAccepted(t *testing.T) {
	for _, inc := range []money.Fen{1, 7, yuan(1), yuan(50_000)} {
		for _, cur := range []money.Fen{yuan(100), yuan(100) + 3, yuan(987_654) + 21} {
			for _, has := range []bool{false, true} {
				start := yuan(100)
				n := NextValid(cur, start, inc, has)
				if err := CheckQuote(n, cur, start, inc, has); err != nil {
					t.Errorf("inc %s cur %s has %v: NextValid %s refused: %v", inc, cur, has, n, err)
				}
				if err := CheckQuote(n-1, cur, start, inc, has); err == nil {
					t.Errorf("inc %s cur %s has %v: %s accepted", inc, cur, has, n-1)
				}
			}
		}
	}
}

func TestHighest(t *testing.T) {
	a := yuan(1_000_000)
	tests := []struct {
		name   string
		quotes []Quote
		want   Quote
		ok     bool
	}{
		{"none", nil, Quote{}, false},
		{"only invalid", []Quote{{Bidder: "", Amount: a, Seq: 1}, {Bidder: "A", Amount: 0, Seq: 2}, {Bidder: "B", Amount: -1, Seq: 3}}, Quote{}, false},
		{"single", []Quote{q("A", a, 1)}, q("A", a, 1), true},
		{"highest amount", []Quote{q("A", a, 1), q("B", a+yuan(20_000), 2), q("C", a+yuan(10_000), 3)}, q("B", a+yuan(20_000), 2), true},
		{"tie to the earliest commit", []Quote{q("A", a, 7), q("B", a, 3), q("C", a, 5)}, q("B", a, 3), true},
		{"tie order independent of slice order", []Quote{q("C", a, 5), q("B", a, 3), q("A", a, 7)}, q("B", a, 3), true},
		{"equal seq falls back to time", []Quote{{Bidder: "A", Amount: a, Seq: 1, At: at(2 * time.Second)}, {Bidder: "B", Amount: a, Seq: 1, At: at(time.Second)}}, Quote{Bidder: "B", Amount: a, Seq: 1, At: at(time.Second)}, true},
		{"invalid higher quote ignored", []Quote{q("A", a, 1), {Bidder: "", Amount: a * 2, Seq: 2}}, q("A", a, 1), true},
	}
	for _, tt := range tests {
		got, ok := Highest(tt.quotes)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: Highest = %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRanking(t *testing.T) {
	a := yuan(1_000_000)
	quotes := []Quote{
		q("A", a, 1),
		q("B", a+yuan(10_000), 2),
		q("C", a+yuan(20_000), 3),
		q("A", a+yuan(30_000), 4),
		q("D", a+yuan(30_000), 5), // same as A, later: ranks after A
		q("B", a+yuan(10_000), 6), // B's repeat at the same amount: earlier one counts
		{Bidder: "E", Amount: 0, Seq: 7},
	}
	got := Ranking(quotes)
	var names []string
	for _, r := range got {
		names = append(names, r.Bidder)
	}
	if want := []string{"A", "D", "C", "B"}; !slices.Equal(names, want) {
		t.Fatalf("Ranking = %v, want %v", names, want)
	}
	if got[3].Seq != 2 {
		t.Errorf("B's best quote seq = %d, want the earlier 2", got[3].Seq)
	}
	for bidder, want := range map[string]int{"A": 1, "D": 2, "C": 3, "B": 4, "E": 0, "X": 0} {
		if r := RankOf(quotes, bidder); r != want {
			t.Errorf("RankOf(%s) = %d, want %d", bidder, r, want)
		}
	}
	if len(Ranking(nil)) != 0 {
		t.Error("Ranking(nil) not empty")
	}
}
