package scoring

// BasisExtension is the legal basis of the extension vote.
const BasisExtension = "《招标投标法实施条例》第四十八条"

// ExtensionCarried reports whether votes of members asking for more
// evaluation time carry: more than 1/divisor of the committee members —
// one third (《招标投标法实施条例》第四十八条; rules.ExtensionShareDivisor) —,
// exactly divisor × votes > members in integers. So with 3, 2 of 5
// carries, 1 of 3 and 3 of 9 do not, 4 of 9 does. Impossible input
// (members ≤ 0, votes < 0, votes > members, divisor ≤ 0) never carries.
func ExtensionCarried(votes, members, divisor int) bool {
	if members <= 0 || votes < 0 || votes > members || divisor <= 0 {
		return false
	}
	return divisor*votes > members
}

// ElectChair counts the chair election (推选评标委员会主任). votes maps each
// voter to the candidate he votes for; members is the committee.
//
// A candidate wins with a strict majority of all members — 2 × votes >
// number of members, abstentions and missing votes counting against — so at
// most one candidate can win and the result does not depend on map order.
// Only votes cast by a member for a member count; duplicates in members and
// empty names are ignored. Without a winner ok is false: there is no chair
// yet and the committee votes again.
func ElectChair(votes map[string]string, members []string) (chair string, ok bool) {
	set := make(map[string]bool, len(members))
	for _, m := range members {
		if m != "" {
			set[m] = true
		}
	}
	if len(set) == 0 {
		return "", false
	}
	tally := map[string]int{}
	for voter, cand := range votes {
		if set[voter] && set[cand] {
			tally[cand]++
		}
	}
	for cand, n := range tally {
		if 2*n > len(set) {
			return cand, true
		}
	}
	return "", false
}
