package scoring

import "ggzy/internal/apperr"

// Aggregation rules for the members' subjective scores of one item.
const (
	AggregateMean        = "mean"         // arithmetic mean
	AggregateTrimmedMean = "trimmed_mean" // drop one highest and one lowest when ≥ TrimMinCount scores
)

// Aggregate combines the members' scores (points ×100) for one item of one
// bid into the committee's score, rounded half away from zero:
//
//   - "mean": the arithmetic mean of all scores;
//   - "trimmed_mean": with at least TrimMinCount (5) scores, one highest and
//     one lowest score are dropped and the rest averaged; with fewer it is
//     the plain mean.
//
// Scores must be non-negative and there must be at least one.
func Aggregate(rule string, scores []int64) (int64, error) {
	if rule != AggregateMean && rule != AggregateTrimmedMean {
		return 0, apperr.New(apperr.Invalid, "评分汇总方法「%s」不受支持，可选：算术平均（mean）、去掉一个最高分和一个最低分后平均（trimmed_mean）。", rule).
			WithField("aggregate", "请选择支持的汇总方法。")
	}
	if len(scores) == 0 {
		return 0, apperr.New(apperr.Invalid, "没有可汇总的评分。")
	}
	var sum int64
	lo, hi := scores[0], scores[0]
	for i, s := range scores {
		if s < 0 {
			return 0, apperr.New(apperr.Invalid, "第%d个评分为%s分，评分不能为负数。", i+1, hundredths(s))
		}
		var ok bool
		if sum, ok = addChecked(sum, s); !ok {
			return 0, apperr.New(apperr.Invalid, "评分合计超出计算范围。")
		}
		lo, hi = min(lo, s), max(hi, s)
	}
	n := int64(len(scores))
	if rule == AggregateTrimmedMean && len(scores) >= TrimMinCount {
		sum -= lo + hi
		n -= 2
	}
	return divRound(sum, n), nil
}
