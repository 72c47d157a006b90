package scoring

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

func TestValidate(t *testing.T) {
	lpf := func(cat string, w int64) PriceRule {
		return PriceRule{Formula: FormulaLowPriceFirst, Weight: w, Category: cat}
	}
	tests := []struct {
		name  string
		r     PriceRule
		ok    bool
		basis bool   // error must carry the O87 basis
		msg   string // substring of the message
	}{
		// Goods: 30–60 % of 100 points (O87 55).
		{"goods 30% accepted", lpf(CategoryGoods, 3000), true, false, ""},
		{"goods 60% accepted", lpf(CategoryGoods, 6000), true, false, ""},
		{"goods 45% accepted", lpf(CategoryGoods, 4500), true, false, ""},
		{"goods 29.99% refused", lpf(CategoryGoods, 2999), false, true, "30%至60%，当前为29.99%"},
		{"goods 60.01% refused", lpf(CategoryGoods, 6001), false, true, "当前为60.01%"},
		// Services: 10–30 %.
		{"services 10% accepted", lpf(CategoryServices, 1000), true, false, ""},
		{"services 30% accepted", lpf(CategoryServices, 3000), true, false, ""},
		{"services 9.99% refused", lpf(CategoryServices, 999), false, true, "服务项目的价格分值占总分值的比重应为10%至30%"},
		{"services 30.01% refused", lpf(CategoryServices, 3001), false, true, "30.01%"},
		{"services 60% refused", lpf(CategoryServices, 6000), false, true, ""},
		// Works: 0 < Weight ≤ 100 points.
		{"works 0.01 point", lpf(CategoryWorks, 1), true, false, ""},
		{"works 100 points", lpf(CategoryWorks, 10000), true, false, ""},
		{"works 0 refused", lpf(CategoryWorks, 0), false, false, "大于0分"},
		{"works negative refused", lpf(CategoryWorks, -100), false, false, "当前为-1分"},
		{"works 100.01 refused", lpf(CategoryWorks, 10001), false, false, "100.01分"},
		{"goods 0 refused", lpf(CategoryGoods, 0), false, false, ""},
		{"works base_ratio", PriceRule{Formula: FormulaBaseRatio, Weight: 7000, Category: CategoryWorks}, true, false, ""},
		{"works benchmark", PriceRule{Formula: FormulaBenchmarkDeviation, Weight: 6000, Category: CategoryWorks, DeductAbove: 100, DeductBelow: 50, TrimExtremes: true}, true, false, ""},
		{"works benchmark below only", PriceRule{Formula: FormulaBenchmarkDeviation, Weight: 6000, Category: CategoryWorks, DeductBelow: 50}, true, false, ""},
		// GP must use low_price_first.
		{"goods base_ratio refused", PriceRule{Formula: FormulaBaseRatio, Weight: 3000, Category: CategoryGoods}, false, true, "低价优先法"},
		{"services benchmark refused", PriceRule{Formula: FormulaBenchmarkDeviation, Weight: 2000, Category: CategoryServices, DeductAbove: 100}, false, true, "低价优先法"},
		// Configuration mistakes.
		{"unknown formula", PriceRule{Formula: "average", Weight: 3000, Category: CategoryWorks}, false, false, "「average」"},
		{"empty formula", PriceRule{Weight: 3000, Category: CategoryWorks}, false, false, ""},
		{"unknown category", lpf("land", 3000), false, false, "「land」"},
		{"empty category", lpf("", 3000), false, false, ""},
		{"benchmark without deductions", PriceRule{Formula: FormulaBenchmarkDeviation, Weight: 6000, Category: CategoryWorks}, false, false, "扣分"},
		{"benchmark negative deduction", PriceRule{Formula: FormulaBenchmarkDeviation, Weight: 6000, Category: CategoryWorks, DeductAbove: -1, DeductBelow: 50}, false, false, ""},
		{"benchmark huge deduction", PriceRule{Formula: FormulaBenchmarkDeviation, Weight: 6000, Category: CategoryWorks, DeductAbove: 10001}, false, false, ""},
		{"lpf with deduction", PriceRule{Formula: FormulaLowPriceFirst, Weight: 3000, Category: CategoryWorks, DeductAbove: 100}, false, false, "仅基准价偏差扣分法"},
		{"base_ratio with trim", PriceRule{Formula: FormulaBaseRatio, Weight: 3000, Category: CategoryWorks, TrimExtremes: true}, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			if tt.ok {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate() = nil, want error")
			}
			e, isApp := err.(*apperr.Error)
			if !isApp {
				t.Fatalf("error %T is not *apperr.Error", err)
			}
			if e.Code != apperr.Invalid {
				t.Errorf("code = %s, want invalid", e.Code)
			}
			if tt.basis {
				if e.Basis != BasisGPEvaluation || !strings.Contains(e.Error(), "财政部令第87号）第五十五条") {
					t.Errorf("basis = %q, want %q", e.Basis, BasisGPEvaluation)
				}
			} else if e.Basis != "" {
				t.Errorf("unexpected basis %q", e.Basis)
			}
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", e.Message, tt.msg)
			}
			if len(e.Fields) == 0 {
				t.Error("no field message")
			}
		})
	}
}

func fens(v ...int64) []money.Fen {
	out := make([]money.Fen, len(v))
	for i, x := range v {
		out[i] = money.Fen(x)
	}
	return out
}

func TestPriceScoresLowest(t *testing.T) {
	works := func(w int64) PriceRule {
		return PriceRule{Formula: FormulaLowPriceFirst, Weight: w, Category: CategoryWorks}
	}
	goods := PriceRule{Formula: FormulaLowPriceFirst, Weight: 3000, Category: CategoryGoods}
	tests := []struct {
		name   string
		r      PriceRule
		prices []money.Fen
		want   []int64
	}{
		{"base and double", goods, fens(100_000_00, 200_000_00), []int64{3000, 1500}},
		{"order kept", goods, fens(200_000_00, 100_000_00, 150_000_00), []int64{1500, 3000, 2000}},
		{"half rounds up", goods, fens(100, 200000), []int64{3000, 2}},                                                               // 300000/200000 = 1.5 → 2
		{"below half rounds down", goods, fens(100, 200001), []int64{3000, 1}},                                                       // 1.49999 → 1
		{"0.5 of a hundredth", works(1), fens(1, 2, 3), []int64{1, 1, 0}},                                                            // 0.5 → 1; 0.33 → 0
		{"thirds", PriceRule{Formula: FormulaLowPriceFirst, Weight: 6000, Category: CategoryGoods}, fens(3, 7), []int64{6000, 2571}}, // 2571.43
		{"two thirds", works(10000), fens(2, 3), []int64{10000, 6667}},
		{"all equal", goods, fens(5_000_000, 5_000_000, 5_000_000), []int64{3000, 3000, 3000}},
		{"single price", goods, fens(123_456_78), []int64{3000}},
		{"empty", goods, nil, []int64{}},
		{"large amounts", works(10000), fens(1e14, 3e14), []int64{10000, 3333}},
	}
	for _, tt := range tests {
		for _, f := range []string{FormulaLowPriceFirst, FormulaBaseRatio} {
			r := tt.r
			r.Formula = f
			if f == FormulaBaseRatio {
				r.Category = CategoryWorks // base_ratio is engineering only
			}
			t.Run(tt.name+"/"+f, func(t *testing.T) {
				got, err := PriceScores(r, tt.prices)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("PriceScores = %v, want %v", got, tt.want)
				}
			})
		}
	}
}

func TestPriceScoresRefused(t *testing.T) {
	goods := PriceRule{Formula: FormulaLowPriceFirst, Weight: 3000, Category: CategoryGoods}
	bench := PriceRule{Formula: FormulaBenchmarkDeviation, Weight: 6000, Category: CategoryWorks, DeductAbove: 100}
	tests := []struct {
		name   string
		r      PriceRule
		prices []money.Fen
		msg    string
	}{
		{"zero price", goods, fens(100, 0), "第2个有效投标报价为¥0.00"},
		{"negative price", goods, fens(-1, 100), "第1个"},
		{"zero price benchmark", bench, fens(0), "大于零"},
		{"negative price benchmark", bench, fens(100, -5), "大于零"},
		{"invalid rule", PriceRule{Formula: FormulaLowPriceFirst, Weight: 2999, Category: CategoryGoods}, fens(100), "30%至60%"},
		{"benchmark sum overflow", bench, fens(1<<62, 1<<62), "超出计算范围"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PriceScores(tt.r, tt.prices)
			if err == nil {
				t.Fatalf("PriceScores = %v, want error", got)
			}
			if e, ok := err.(*apperr.Error); !ok || e.Code != apperr.Invalid || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("error = %v, want Invalid containing %q", err, tt.msg)
			}
			if got != nil {
				t.Errorf("scores %v returned with error", got)
			}
		})
	}
}

func TestPriceScoresBenchmark(t *testing.T) {
	rule := func(above, below int64, trim bool) PriceRule {
		return PriceRule{Formula: FormulaBenchmarkDeviation, Weight: 6000, Category: CategoryWorks, DeductAbove: above, DeductBelow: below, TrimExtremes: trim}
	}
	tests := []struct {
		name   string
		r      PriceRule
		prices []money.Fen
		base   money.Fen
		want   []int64
	}{
		{"above and below differ", rule(100, 50, false), fens(900000, 1000000, 1100000), 1000000, []int64{5500, 6000, 5000}},
		{"no deduction below", rule(100, 0, false), fens(900000, 1000000, 1100000), 1000000, []int64{6000, 6000, 5000}},
		{"fraction of a percent, below half", rule(100, 100, false), fens(1012345, 987655), 1000000, []int64{6000 - 123, 6000 - 123}}, // 123.45
		{"fraction of a percent, half", rule(100, 100, false), fens(1012350, 987650), 1000000, []int64{6000 - 124, 6000 - 124}},       // 123.5 → 124
		{"floored at zero", rule(100, 100, false), fens(1000, 1000, 7000), 3000, []int64{0, 0, 0}},                                    // 66.7 % and 133 % off
		{"single price", rule(100, 100, true), fens(4242), 4242, []int64{6000}},
		{"all equal", rule(100, 100, true), fens(500, 500, 500, 500, 500, 500), 500, []int64{6000, 6000, 6000, 6000, 6000, 6000}},
		{"empty", rule(100, 100, true), nil, 0, []int64{}},
		// Trimming: one highest and one lowest left out of the benchmark at ≥ 5 prices only.
		{"trim with 5", rule(100, 100, true), fens(800000, 900000, 1000000, 1100000, 5000000), 1000000, []int64{4000, 5000, 6000, 5000, 0}},
		{"no trim flag with 5", rule(100, 100, false), fens(800000, 900000, 1000000, 1100000, 5000000), 1760000, []int64{
			6000 - 5455, // 960000/1760000×100×100 = 5454.5 → 5455
			6000 - 4886, // 4886.36
			6000 - 4318, // 4318.18
			6000 - 3750, // 3750
			0,
		}},
		{"trim flag with 4 does not trim", rule(100, 100, true), fens(900000, 1000000, 1100000, 5000000), 2000000, []int64{500, 1000, 1500, 0}}, // 55 %, 50 %, 45 %, 150 % off,
		{"trim drops one of tied extremes", rule(100, 100, true), fens(1000, 1000, 2000, 3000, 3000), 2000, []int64{1000, 1000, 6000, 1000, 1000}},
		// Benchmark rounded half away from zero to the fen.
		{"benchmark 100.5 → 101", rule(10000, 10000, false), fens(100, 101), 101, []int64{0, 6000}},
		{"benchmark 100.33 → 100", rule(1, 1, false), fens(100, 100, 101), 100, []int64{6000, 6000, 5999}}, // 1 % × 1 = 1
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, err := BasePrice(tt.r, tt.prices)
			if err != nil {
				t.Fatal(err)
			}
			if base != tt.base {
				t.Errorf("BasePrice = %d, want %d", base, tt.base)
			}
			got, err := PriceScores(tt.r, tt.prices)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("PriceScores = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBasePriceLowest(t *testing.T) {
	r := PriceRule{Formula: FormulaLowPriceFirst, Weight: 3000, Category: CategoryGoods}
	if b, err := BasePrice(r, fens(300, 100, 200)); err != nil || b != 100 {
		t.Errorf("BasePrice = %d, %v; want 100", b, err)
	}
	if _, err := BasePrice(r, fens(300, 0)); err == nil {
		t.Error("zero price accepted")
	}
}

// TestPriceScoresProperties checks, on random inputs, that low_price_first
// gives the lowest price the full weight, never exceeds it, is monotone in
// price and is deterministic; and that benchmark_deviation stays in [0, W].
func TestPriceScoresProperties(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 500; i++ {
		n := 1 + rnd.IntN(12)
		prices := make([]money.Fen, n)
		for j := range prices {
			prices[j] = money.Fen(1 + rnd.Int64N(1e12))
		}
		lp := PriceRule{Formula: FormulaLowPriceFirst, Weight: 3000 + rnd.Int64N(3001), Category: CategoryGoods}
		s, err := PriceScores(lp, prices)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := PriceScores(lp, prices)
		if !slices.Equal(s, again) {
			t.Fatal("not deterministic")
		}
		lo := slices.Min(prices)
		for j := range prices {
			if s[j] > lp.Weight || s[j] < 0 {
				t.Fatalf("score %d outside [0, %d]", s[j], lp.Weight)
			}
			if prices[j] == lo && s[j] != lp.Weight {
				t.Fatalf("lowest price scored %d, want %d", s[j], lp.Weight)
			}
			for k := range prices {
				if prices[j] < prices[k] && s[j] < s[k] {
					t.Fatalf("not monotone: %d→%d, %d→%d", prices[j], s[j], prices[k], s[k])
				}
			}
		}
		bd := PriceRule{Formula: FormulaBenchmarkDeviation, Weight: 1 + rnd.Int64N(10000), Category: CategoryWorks,
			DeductAbove: rnd.Int64N(10001), DeductBelow: 1 + rnd.Int64N(10000), TrimExtremes: rnd.IntN(2) == 0}
		s, err = PriceScores(bd, prices)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range s {
			if v < 0 || v > bd.Weight {
				t.Fatalf("benchmark score %d outside [0, %d]", v, bd.Weight)
			}
		}
	}
}

func TestPriceRuleJSON(t *testing.T) {
	r := PriceRule{Formula: FormulaBenchmarkDeviation, Weight: 6000, Category: CategoryWorks, DeductAbove: 100, DeductBelow: 50, TrimExtremes: true}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"formula":"benchmark_deviation","weight":6000,"category":"works","deduct_above":100,"deduct_below":50,"trim_extremes":true}`
	if string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	var back PriceRule
	if err := json.Unmarshal(b, &back); err != nil || back != r {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	b, _ = json.Marshal(PriceRule{Formula: FormulaLowPriceFirst, Weight: 3000, Category: CategoryGoods})
	if string(b) != `{"formula":"low_price_first","weight":3000,"category":"goods"}` {
		t.Errorf("json = %s", b)
	}
}
