package scoring

import (
	"slices"
	"strings"
	"testing"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

// TestValidateSale: a sale by tender (land) scores price only by
// highest_price, and highest_price is refused to buyers.
func TestValidateSale(t *testing.T) {
	tests := []struct {
		name  string
		r     PriceRule
		basis string // "" = no basis expected
		msg   string // "" = accepted
	}{
		{"sale highest_price accepted", PriceRule{Formula: FormulaHighestPrice, Weight: 6000, Category: CategorySale}, "", ""},
		{"sale 100 points accepted", PriceRule{Formula: FormulaHighestPrice, Weight: 10000, Category: CategorySale}, "", ""},
		{"sale 0 points refused", PriceRule{Formula: FormulaHighestPrice, Weight: 0, Category: CategorySale}, "", "大于0分"},
		{"sale low_price_first refused", PriceRule{Formula: FormulaLowPriceFirst, Weight: 6000, Category: CategorySale}, BasisSaleEvaluation, "最高价比值法"},
		{"sale base_ratio refused", PriceRule{Formula: FormulaBaseRatio, Weight: 6000, Category: CategorySale}, BasisSaleEvaluation, "「base_ratio」"},
		{"works highest_price refused", PriceRule{Formula: FormulaHighestPrice, Weight: 6000, Category: CategoryWorks}, "", "仅适用于出让项目"},
		{"goods highest_price refused", PriceRule{Formula: FormulaHighestPrice, Weight: 3000, Category: CategoryGoods}, BasisGPEvaluation, "低价优先法"},
		{"sale with deduction refused", PriceRule{Formula: FormulaHighestPrice, Weight: 6000, Category: CategorySale, DeductAbove: 100}, "", "仅基准价偏差扣分法"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			e, ok := err.(*apperr.Error)
			if !ok || e.Code != apperr.Invalid {
				t.Fatalf("Validate() = %v, want an Invalid *apperr.Error", err)
			}
			if e.Basis != tt.basis {
				t.Errorf("basis = %q, want %q", e.Basis, tt.basis)
			}
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", e.Message, tt.msg)
			}
		})
	}
}

// TestPriceScoresHighest: score = price / highest valid price × Weight,
// rounded half away from zero; the highest price gets the full weight.
func TestPriceScoresHighest(t *testing.T) {
	sale := func(w int64) PriceRule {
		return PriceRule{Formula: FormulaHighestPrice, Weight: w, Category: CategorySale}
	}
	tests := []struct {
		name   string
		r      PriceRule
		prices []money.Fen
		base   money.Fen
		want   []int64
	}{
		{"highest and half", sale(6000), fens(200_000_00, 100_000_00), 200_000_00, []int64{6000, 3000}},
		{"order kept", sale(6000), fens(150_000_00, 200_000_00, 100_000_00), 200_000_00, []int64{4500, 6000, 3000}},
		{"thirds round", sale(10000), fens(3, 2, 1), 3, []int64{10000, 6667, 3333}},
		{"half a hundredth rounds up", sale(1), fens(2, 1), 2, []int64{1, 1}},
		{"all equal", sale(4000), fens(7, 7, 7), 7, []int64{4000, 4000, 4000}},
		{"single price", sale(6000), fens(335_000_000_00), 335_000_000_00, []int64{6000}},
		{"land-sized amounts", sale(6000), fens(1_200_000_000_00, 1_180_000_000_00), 1_200_000_000_00, []int64{6000, 5900}},
		{"empty", sale(6000), nil, 0, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PriceScores(tt.r, tt.prices)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("PriceScores = %v, want %v", got, tt.want)
			}
			if b, err := BasePrice(tt.r, tt.prices); err != nil || b != tt.base {
				t.Errorf("BasePrice = %d, %v; want %d", b, err, tt.base)
			}
		})
	}
	if _, err := PriceScores(sale(6000), fens(100, 0)); err == nil {
		t.Error("a zero price was scored")
	}
}

// TestPriceScoresHighestMonotone: a higher price never scores less, the
// opposite of the buyers' formulas on the same prices.
func TestPriceScoresHighestMonotone(t *testing.T) {
	prices := fens(90, 100, 95, 120, 101)
	hi, err := PriceScores(PriceRule{Formula: FormulaHighestPrice, Weight: 6000, Category: CategorySale}, prices)
	if err != nil {
		t.Fatal(err)
	}
	lo, err := PriceScores(PriceRule{Formula: FormulaBaseRatio, Weight: 6000, Category: CategoryWorks}, prices)
	if err != nil {
		t.Fatal(err)
	}
	for i := range prices {
		for j := range prices {
			if prices[i] > prices[j] && (hi[i] <= hi[j] || lo[i] >= lo[j]) {
				t.Fatalf("prices %d > %d: highest_price %d vs %d, base_ratio %d vs %d", prices[i], prices[j], hi[i], hi[j], lo[i], lo[j])
			}
		}
	}
}
