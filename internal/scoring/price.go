package scoring

import (
	"slices"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

// FullScore is the total of a scoring table: 100 points, in points ×100.
const FullScore int64 = 10000

// Price formulas (PriceRule.Formula).
const (
	// FormulaLowPriceFirst is 低价优先法 (财政部令第87号第五十五条):
	// lowest responsive price / price × Weight.
	FormulaLowPriceFirst = "low_price_first"
	// FormulaBaseRatio is 基准价比值法, the local engineering default:
	// lowest valid price / price × Weight. Engineering formulas are
	// configuration, not national law (RULES.md §2, last bullet).
	FormulaBaseRatio = "base_ratio"
	// FormulaBenchmarkDeviation is 基准价偏差扣分法: Weight minus D points per
	// 1 % distance from the mean of the valid prices, floored at 0.
	FormulaBenchmarkDeviation = "benchmark_deviation"
	// FormulaHighestPrice is 最高价比值法 for sales by tender (土地使用权
	// 招标出让): the bidder pays, so the highest valid price earns the full
	// Weight and any other price / highest valid price × Weight.
	FormulaHighestPrice = "highest_price"
)

// Procurement categories (PriceRule.Category).
const (
	CategoryWorks    = "works"    // 工程
	CategoryGoods    = "goods"    // 货物
	CategoryServices = "services" // 服务
	// CategorySale is a sale by tender (出让: land-use rights, E): the
	// price direction is reversed, a higher price is better.
	CategorySale = "sale"
)

// TrimMinCount is the number of valid prices from which benchmark_deviation
// with TrimExtremes leaves out one highest and one lowest price, and from
// which trimmed_mean drops one highest and one lowest score.
const TrimMinCount = 5

// BasisSaleEvaluation is the basis of scoring a sale by tender: the
// winner satisfies the tender's substantive requirements at the highest
// price, or has the best comprehensive evaluation (RULES.md §4 [secondary]).
const BasisSaleEvaluation = "《招标拍卖挂牌出让国有建设用地使用权规定》（国土资源部令第39号）第十四条"

// BasisGPEvaluation is the legal basis of the government-procurement price
// formula and weight ranges.
const BasisGPEvaluation = "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第五十五条"

// Price-weight ranges of government procurement, points ×100 of the
// 100-point total (RULES.md §3, tagged [secondary] there).
const (
	goodsWeightMin    int64 = 3000
	goodsWeightMax    int64 = 6000
	servicesWeightMin int64 = 1000
	servicesWeightMax int64 = 3000
)

// PriceRule configures a lot's price score. It is stored with the lot as
// data (JSON) and checked with Validate before the lot is published.
type PriceRule struct {
	Formula  string `json:"formula"`  // FormulaLowPriceFirst | FormulaBaseRatio | FormulaBenchmarkDeviation | FormulaHighestPrice
	Weight   int64  `json:"weight"`   // full price score, points ×100 (3000 = 30 points)
	Category string `json:"category"` // CategoryWorks | CategoryGoods | CategoryServices | CategorySale

	// benchmark_deviation only. DeductAbove / DeductBelow: points ×100
	// deducted per 1 % above / below the benchmark (pro rata for fractions
	// of a percent). TrimExtremes: leave one highest and one lowest price
	// out of the benchmark when there are at least TrimMinCount prices.
	DeductAbove  int64 `json:"deduct_above,omitempty"`
	DeductBelow  int64 `json:"deduct_below,omitempty"`
	TrimExtremes bool  `json:"trim_extremes,omitempty"`
}

// Validate checks the rule against the law and against itself. Errors are
// *apperr.Error with code Invalid; those imposed by statute carry Basis.
//
//   - goods and services (government procurement) must use low_price_first,
//     goods with a weight of 30–60 points, services 10–30 points (of 100);
//   - works: any buying formula (not highest_price), 0 < Weight ≤ 100 points;
//   - sale (land tender): highest_price only, 0 < Weight ≤ 100 points, and
//     highest_price for nothing else: a buyer's formula rewards paying
//     less, a seller's rewards paying more;
//   - benchmark_deviation needs non-negative deductions, not both zero, of
//     at most 100 points per 1 %; the other formulas take no deduction or
//     trimming settings.
func (r PriceRule) Validate() error {
	switch r.Formula {
	case FormulaLowPriceFirst, FormulaBaseRatio, FormulaBenchmarkDeviation, FormulaHighestPrice:
	default:
		return apperr.New(apperr.Invalid, "价格分计算方法「%s」不受支持，可选：低价优先法（low_price_first）、基准价比值法（base_ratio）、基准价偏差扣分法（benchmark_deviation）、最高价比值法（highest_price，出让项目）。", r.Formula).
			WithField("formula", "请选择支持的价格分计算方法。")
	}
	if r.Weight <= 0 || r.Weight > FullScore {
		return apperr.New(apperr.Invalid, "价格分权重应大于0分且不超过总分100分，当前为%s分。", hundredths(r.Weight)).
			WithField("weight", "价格分应在0至100分之间。")
	}
	switch r.Category {
	case CategorySale:
		if r.Formula != FormulaHighestPrice {
			return apperr.Rule(apperr.Invalid, BasisSaleEvaluation, "出让项目由投标人支付价款，报价越高越优，价格分应采用最高价比值法，不得使用「%s」。", r.Formula).
				WithField("formula", "出让项目请选择最高价比值法。")
		}
	case CategoryWorks:
		if r.Formula == FormulaHighestPrice {
			return apperr.New(apperr.Invalid, "最高价比值法仅适用于出让项目（报价越高越优），采购项目不得使用。").
				WithField("formula", "采购项目请选择按低价计分的方法。")
		}
	case CategoryGoods, CategoryServices:
		if r.Formula != FormulaLowPriceFirst {
			return apperr.Rule(apperr.Invalid, BasisGPEvaluation, "政府采购货物和服务项目的价格分统一采用低价优先法计算，不得使用「%s」。", r.Formula).
				WithField("formula", "政府采购项目请选择低价优先法。")
		}
		lo, hi, what := goodsWeightMin, goodsWeightMax, "货物"
		if r.Category == CategoryServices {
			lo, hi, what = servicesWeightMin, servicesWeightMax, "服务"
		}
		if r.Weight < lo || r.Weight > hi {
			return apperr.Rule(apperr.Invalid, BasisGPEvaluation, "%s项目的价格分值占总分值的比重应为%s%%至%s%%，当前为%s%%。",
				what, hundredths(lo), hundredths(hi), hundredths(r.Weight)).
				WithField("weight", "价格分权重超出法定范围。")
		}
	default:
		return apperr.New(apperr.Invalid, "项目类别「%s」不受支持，应为工程（works）、货物（goods）、服务（services）或出让（sale）。", r.Category).
			WithField("category", "请选择工程、货物或服务。")
	}
	if r.Formula == FormulaBenchmarkDeviation {
		if r.DeductAbove < 0 || r.DeductBelow < 0 || r.DeductAbove > FullScore || r.DeductBelow > FullScore {
			return apperr.New(apperr.Invalid, "偏差扣分标准应在0至100分（每偏离1%%）之间。").
				WithField("deduct", "扣分标准超出范围。")
		}
		if r.DeductAbove == 0 && r.DeductBelow == 0 {
			return apperr.New(apperr.Invalid, "基准价偏差扣分法须设置高于或低于评标基准价时每偏离1%%的扣分。").
				WithField("deduct", "请设置扣分标准。")
		}
	} else if r.DeductAbove != 0 || r.DeductBelow != 0 || r.TrimExtremes {
		return apperr.New(apperr.Invalid, "仅基准价偏差扣分法使用偏差扣分标准和“去掉最高、最低报价”设置。").
			WithField("deduct", "当前计算方法不使用该设置。")
	}
	return nil
}

// BasePrice returns the evaluation base (评标基准价) of the valid prices under
// r: the lowest price for low_price_first and base_ratio, the highest for
// highest_price, the (optionally trimmed) mean rounded to the fen for
// benchmark_deviation. It is 0 when
// there are no prices. Every price must be positive.
func BasePrice(r PriceRule, prices []money.Fen) (money.Fen, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	if err := checkPrices(prices); err != nil {
		return 0, err
	}
	if len(prices) == 0 {
		return 0, nil
	}
	switch r.Formula {
	case FormulaBenchmarkDeviation:
		return meanPrice(prices, r.TrimExtremes)
	case FormulaHighestPrice:
		return slices.Max(prices), nil
	}
	return minPrice(prices), nil
}

// PriceScores returns the price score (points ×100) of each valid
// (responsive) price, in the order given. The caller passes only bids that
// passed the compliance review (符合性审查); every price must be positive.
// An empty list gives an empty result.
func PriceScores(r PriceRule, prices []money.Fen) ([]int64, error) {
	base, err := BasePrice(r, prices)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(prices))
	for i, p := range prices {
		switch r.Formula {
		case FormulaBenchmarkDeviation:
			out[i] = deviationScore(r, base, p)
			continue
		case FormulaHighestPrice:
			// p ≤ base, so the quotient is at most Weight.
			out[i], _ = mulDivRound(int64(p), r.Weight, int64(base))
			continue
		}
		// base ≤ p, so the quotient is at most Weight and cannot overflow.
		out[i], _ = mulDivRound(int64(base), r.Weight, int64(p))
	}
	return out, nil
}

// deviationScore is Weight − |p − b| × 100 × D / b, floored at 0.
func deviationScore(r PriceRule, b, p money.Fen) int64 {
	diff, d := int64(p-b), r.DeductAbove
	if diff < 0 {
		diff, d = -diff, r.DeductBelow
	}
	if diff == 0 || d == 0 {
		return r.Weight
	}
	ded, ok := mulDivRound(diff, 100*d, int64(b))
	if !ok || ded >= r.Weight { // an unrepresentable deduction exceeds any weight
		return 0
	}
	return r.Weight - ded
}

func checkPrices(prices []money.Fen) error {
	for i, p := range prices {
		if p <= 0 {
			return apperr.New(apperr.Invalid, "第%d个有效投标报价为%s，投标报价必须大于零。", i+1, p.String()).
				WithField("prices", "投标报价必须大于零。")
		}
	}
	return nil
}

func minPrice(prices []money.Fen) money.Fen {
	m := prices[0]
	for _, p := range prices[1:] {
		if p < m {
			m = p
		}
	}
	return m
}

// meanPrice is the mean of prices rounded half away from zero to the fen;
// with trim and at least TrimMinCount prices, one highest and one lowest are
// left out first. prices is non-empty and positive.
func meanPrice(prices []money.Fen, trim bool) (money.Fen, error) {
	var sum int64
	lo, hi := prices[0], prices[0]
	for _, p := range prices {
		var ok bool
		if sum, ok = addChecked(sum, int64(p)); !ok {
			return 0, apperr.New(apperr.Invalid, "投标报价合计超出计算范围。")
		}
		lo, hi = min(lo, p), max(hi, p)
	}
	n := int64(len(prices))
	if trim && len(prices) >= TrimMinCount {
		sum -= int64(lo) + int64(hi) // cannot overflow: both are summands
		n -= 2
	}
	return money.Fen(divRound(sum, n)), nil
}
