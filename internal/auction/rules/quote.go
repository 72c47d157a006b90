package rules

import (
	"math"
	"slices"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

// Quote is an accepted quote (报价) of the listing, a bid (出价) of timed
// bidding or auction, or a sealed quote.
type Quote struct {
	Bidder string    `json:"bidder"` // anonymous bidder number (竞买号牌)
	Amount money.Fen `json:"amount"`
	Seq    int64     `json:"seq"` // commit order: lower was committed first
	At     time.Time `json:"at"`  // server time of the commit
}

// valid reports whether q can count at all: a bidder and a positive amount.
func (q Quote) valid() bool { return q.Bidder != "" && q.Amount > 0 }

// NextValid is the lowest amount a quote may have. Before any quote
// (hasQuotes false) it is the start price: the first quote may equal it.
// After one it is current + increment. The sum saturates at the largest
// money.Fen instead of wrapping.
func NextValid(current, start, increment money.Fen, hasQuotes bool) money.Fen {
	if !hasQuotes {
		return start
	}
	return addSat(current, increment)
}

// CheckQuote checks a quote in listing, auction, timed bidding or open
// ascending quotes (多次报价). Before any quote the amount must be the start
// price plus a whole multiple (≥ 0) of the increment; after one it must be
// current + k × increment for a whole k ≥ 1. The error (Invalid, with the
// increment rule as basis) names the next valid amount and, when the amount
// is off the increment grid, the lowest valid amount above it.
func CheckQuote(amount, current, start, increment money.Fen, hasQuotes bool) error {
	if increment <= 0 {
		return apperr.New(apperr.Invalid, "增价幅度应大于零，当前为%s，请联系交易中心核对公告。", increment).
			WithField("increment", "增价幅度应大于零。")
	}
	base := current
	if !hasQuotes {
		if start <= 0 {
			return apperr.New(apperr.Invalid, "起始价应大于零，当前为%s，请联系交易中心核对公告。", start).
				WithField("start", "起始价应大于零。")
		}
		base = start
	}
	next := NextValid(current, start, increment, hasQuotes)
	if amount < next {
		if !hasQuotes {
			return apperr.Rule(apperr.Invalid, BasisIncrement, "首次报价不得低于起始价%s，您的报价为%s；下一个有效报价为%s。", start, amount, next).
				WithField("amount", "报价低于起始价。")
		}
		return apperr.Rule(apperr.Invalid, BasisIncrement, "报价应不低于当前最高价%s加一个增价幅度%s；您的报价为%s，下一个有效报价为%s。", current, increment, amount, next).
			WithField("amount", "报价低于当前最高价加一个增价幅度。")
	}
	if r := (amount - base) % increment; r != 0 {
		up := addSat(amount, increment-r)
		what := "当前最高价"
		if !hasQuotes {
			what = "起始价"
		}
		return apperr.Rule(apperr.Invalid, BasisIncrement, "加价须为增价幅度%s的整数倍：%s为%s，您的报价%s不符合；下一个有效报价为%s，高于您所填金额的最低有效报价为%s。", increment, what, base, amount, next, up).
			WithField("amount", "加价不是增价幅度的整数倍。")
	}
	return nil
}

// ahead reports whether a ranks before b: higher amount first; at equal
// amounts the earlier commit (lower Seq), then the earlier time.
func ahead(a, b Quote) bool {
	if a.Amount != b.Amount {
		return a.Amount > b.Amount
	}
	if a.Seq != b.Seq {
		return a.Seq < b.Seq
	}
	return a.At.Before(b.At)
}

// Highest returns the best of the valid quotes (bidder set, amount > 0):
// the highest amount, ties to the earliest commit (lowest Seq; LO39 close
// rule: 报价相同的，先提交者为竞得人). ok is false when none is valid.
func Highest(quotes []Quote) (Quote, bool) {
	var best Quote
	ok := false
	for _, q := range quotes {
		if !q.valid() {
			continue
		}
		if !ok || ahead(q, best) {
			best, ok = q, true
		}
	}
	return best, ok
}

// Ranking returns each bidder's best valid quote, best first (ranked as in
// Highest). It is the live ranking shown to bidders (each sees only his own
// rank).
func Ranking(quotes []Quote) []Quote {
	best := map[string]Quote{}
	for _, q := range quotes {
		if !q.valid() {
			continue
		}
		if b, seen := best[q.Bidder]; !seen || ahead(q, b) {
			best[q.Bidder] = q
		}
	}
	out := make([]Quote, 0, len(best))
	for _, q := range best {
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b Quote) int {
		switch {
		case ahead(a, b):
			return -1
		case ahead(b, a):
			return 1
		}
		if a.Bidder < b.Bidder { // identical quotes: any fixed order
			return -1
		}
		return 1
	})
	return out
}

// RankOf is bidder's 1-based rank in Ranking(quotes); 0 without a valid
// quote.
func RankOf(quotes []Quote, bidder string) int {
	for i, q := range Ranking(quotes) {
		if q.Bidder == bidder {
			return i + 1
		}
	}
	return 0
}

// bidders returns the distinct bidders of the valid quotes, in order of
// first appearance.
func bidders(quotes []Quote) []string {
	seen := map[string]bool{}
	var out []string
	for _, q := range quotes {
		if q.valid() && !seen[q.Bidder] {
			seen[q.Bidder] = true
			out = append(out, q.Bidder)
		}
	}
	return out
}

func addSat(a, b money.Fen) money.Fen {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	if b < 0 && a < math.MinInt64-b {
		return math.MinInt64
	}
	return a + b
}
