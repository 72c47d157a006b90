package rules

import (
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

// MinCompetitiveBuyers is the number of qualified transferees from which
// open competitive bidding is mandatory (《企业国有资产法》第五十四条:
// 征集产生的受让方为两个以上的，转让应当采用公开竞价的交易方式). Statute, not a
// parameter.
const MinCompetitiveBuyers = 2

// StartAscending starts open ascending quotes (多次报价) for a state-owned
// property transfer at startAt: timed bidding from the listed price (the
// first quote may equal it), raises in positive whole multiples of the
// increment, among the qualified buyers. It needs at least
// MinCompetitiveBuyers of them (SOAL 54); with one, the transfer goes by
// agreement (CheckAgreement).
func StartAscending(p Params, listed, increment money.Fen, qualified []string, startAt time.Time) (Timed, error) {
	n := len(distinct(qualified))
	if n < MinCompetitiveBuyers {
		return Timed{}, apperr.Rule(apperr.Conflict, BasisSOAL54,
			"合格意向受让方为%d个，公开竞价需要两个以上合格意向受让方；只有一个的，可依规定协议转让。", n)
	}
	return newTimed(p, listed, increment, qualified, startAt)
}

// CloseSealed decides one sealed quote (一次报价) after the window: the
// highest quote wins, ties to the earliest commit. Each bidder has one
// quote; if the caller passes more, only his first committed quote (lowest
// Seq) counts. A quote below the reserve (转让底价) never wins: the test is
// always "not below", because the reserve of a property transfer is the
// lowest transfer price (SOAL 55: 合理确定最低转让价格), which the price may
// equal.
func CloseSealed(quotes []Quote, reserve money.Fen, hasReserve bool) Outcome {
	first := map[string]Quote{}
	for _, q := range quotes {
		if !q.valid() {
			continue
		}
		if f, seen := first[q.Bidder]; !seen || q.Seq < f.Seq {
			first[q.Bidder] = q
		}
	}
	var best Quote
	ok := false
	for _, q := range first {
		if !ok || ahead(q, best) || !ahead(best, q) && q.Bidder < best.Bidder {
			best, ok = q, true
		}
	}
	o := decide(best, ok, reserve, hasReserve, ReserveNotBelow, BasisO32+"（一次报价：报价最高者为受让方）")
	if o.Reason == BelowReserve {
		o.Basis = BasisO32 + "；" + BasisSOAL55
	}
	return o
}

// CheckAgreement checks an agreement transfer (协议转让) to a single
// qualified buyer: only with exactly one qualified buyer — with two or more
// competitive bidding is mandatory (SOAL 54) — and at a price not below the
// listed price (挂牌价; O32 direct signing [assumption], the listed price
// resting on the approved valuation, SOAL 55).
func CheckAgreement(qualifiedBuyers int, price, listed money.Fen) error {
	if qualifiedBuyers >= MinCompetitiveBuyers {
		return apperr.Rule(apperr.Conflict, BasisSOAL54,
			"征集到%d个合格意向受让方，应当采用公开竞价的交易方式，不得协议转让。", qualifiedBuyers)
	}
	if qualifiedBuyers < 1 {
		return apperr.Rule(apperr.Conflict, BasisO32,
			"没有合格意向受让方，不能协议转让；可延长信息披露期限或调整条件后重新披露。")
	}
	if listed <= 0 {
		return apperr.New(apperr.Invalid, "挂牌价应大于零，当前为%s。", listed).WithField("listed", "挂牌价应大于零。")
	}
	if price < listed {
		return apperr.Rule(apperr.Invalid, BasisSOAL55+"；"+BasisO32,
			"协议转让价格%s低于挂牌价%s，不得低于挂牌价签约。", price, listed).
			WithField("price", "转让价格不得低于挂牌价。")
	}
	return nil
}

// CheckAgreementRounds checks that rounds disclosure rounds ended with a
// single qualified buyer before an agreement transfer, as p.AgreementRounds
// requires (old rule: 2 [secondary]; 0 allows direct signing after the
// first round under O32).
func CheckAgreementRounds(p Params, rounds int) error {
	if need := p.AgreementRounds.Value; rounds < need {
		return apperr.Rule(apperr.Conflict, basisOr(p.AgreementRounds.Basis, BasisO32),
			"只征集到一个合格意向受让方的信息披露已进行%d轮，须达到%d轮后方可协议转让。", rounds, need)
	}
	return nil
}
