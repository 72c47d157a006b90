package scoring

// MemberScore is one committee member's score on one item, points ×100.
type MemberScore struct {
	Member string `json:"member"`
	Score  int64  `json:"score"`
}

// Deviation is a member whose score on an item lies too far from the
// committee mean (评分偏离), for the chair to raise with the member.
type Deviation struct {
	Item   string `json:"item"`
	Member string `json:"member"`
	Score  int64  `json:"score"` // points ×100
	Mean   int64  `json:"mean"`  // committee mean, points ×100, rounded
	// Reference is what the deviation is a share of: the committee mean
	// (exact, shown rounded in Mean), or the item's maximum when the mean
	// is 0. RefIsMax tells which.
	RefIsMax bool `json:"ref_is_max,omitempty"`
	// DeviationPct is |score − mean| / reference in percent ×100
	// (2534 = 25.34 %), rounded half away from zero.
	DeviationPct int64 `json:"deviation_pct"`
	High         bool  `json:"high"` // score above the mean
}

// Deviations returns, in input order, the members whose score on item
// deviates from the committee mean by more than thresholdPct percent.
//
// Definition. The committee mean is the exact arithmetic mean of all the
// scores given (the member's own included). A member's deviation is
// |score − mean| / mean, and the member deviates when that share, expressed
// in percent ×100 and rounded half away from zero — the figure shown in
// DeviationPct — is strictly greater than thresholdPct × 100. Deciding on
// the shown figure means nobody is flagged at a displayed "20.00 %" under a
// 20 % threshold. When the mean is 0 the reference is the item's maximum
// max instead (with non-negative scores a zero mean means everyone gave 0,
// so no one deviates); when that is not positive either, the deviation is
// taken as 0. A negative threshold counts as 0. The mean is computed from
// integers (n × score − Σ) so that no rounding of the mean shifts the test.
func Deviations(item string, max int64, scores []MemberScore, thresholdPct int) []Deviation {
	if len(scores) == 0 {
		return nil
	}
	if thresholdPct < 0 {
		thresholdPct = 0
	}
	n := int64(len(scores))
	var sum int64
	for _, s := range scores {
		sum += s.Score
	}
	mean := divRound(sum, n)
	var out []Deviation
	for _, s := range scores {
		num := n*s.Score - sum // n × (score − mean), exact
		d := Deviation{Item: item, Member: s.Member, Score: s.Score, Mean: mean, High: num > 0}
		if num < 0 {
			num = -num
		}
		var ok bool
		switch {
		case sum != 0:
			// |n·score − Σ| / |Σ| × 10000
			d.DeviationPct, ok = mulDivRound(num, 10000, abs64(sum))
		case max > 0:
			d.RefIsMax = true
			// |n·score − Σ| / (n·max) × 10000
			d.DeviationPct, ok = mulDivRound(num, 10000, n*max)
		default:
			d.DeviationPct, ok = 0, true
		}
		if !ok {
			d.DeviationPct = 1<<63 - 1
		}
		if d.DeviationPct > int64(thresholdPct)*100 {
			out = append(out, d)
		}
	}
	return out
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
