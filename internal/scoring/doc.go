// Package scoring holds the pure arithmetic of the evaluation room (评标室):
// price-score formulas configured per lot as data, aggregation of the
// members' subjective scores, the score-deviation check (评分偏离), the
// extension vote (延长评标时间) and the chair election (推选评标委员会主任).
//
// The package does no I/O, keeps no state and reads no clock. Every result
// is an integer — scores in points ×100 (10000 = 100 points), money in fen
// (money.Fen) — and every division rounds half away from zero exactly once
// from exact integer inputs, so the same inputs give the same figures on any
// machine, and an auditor can recompute them by hand.
//
// # Price score (价格分)
//
// A lot's price score is configured by a PriceRule {Formula, Weight,
// Category}; Weight is the price score's share of the 100-point total, in
// points ×100.
//
// "low_price_first" — 低价优先法, the government-procurement formula of
// 《政府采购货物和服务招标投标管理办法》（财政部令第87号）第五十五条: the lowest
// responsive price is the evaluation base (评标基准价) and scores full marks;
// every other responsive bid scores
//
//	score_i = base / price_i × Weight
//
// The same article bounds the weight (RULES.md §3): goods 30–60 % of the
// total score, services 10–30 %; the article also makes 低价优先法 the only
// price formula for goods and services, so Validate refuses any other
// formula in those categories.
//
// "base_ratio" — 基准价比值法, the engineering (works) local default: the
// lowest valid price divided by the bid price, times Weight; the same shape
// as low_price_first. Engineering price formulas are not fixed by national
// law: they are set by the tender file and local rules, so the platform
// treats them as configuration (RULES.md §2, last bullet: "Local price
// formulas = configuration"; award basis 《招标投标法》第四十一条).
//
// "benchmark_deviation" — 基准价偏差扣分法, an engineering configuration: the
// benchmark (评标基准价) is the arithmetic mean of the valid prices, rounded
// to the fen; with TrimExtremes and at least five valid prices one highest
// and one lowest price are left out of the mean first. Each bid then loses D
// points ×100 for every 1 % it lies from the benchmark (DeductAbove above it,
// DeductBelow below it), pro rata, floored at zero:
//
//	score_i = max(0, Weight − |price_i − benchmark| / benchmark × 100 × D)
//
// # Aggregating members' scores
//
// "mean" is the arithmetic mean of the members' scores for one item;
// "trimmed_mean" drops one highest and one lowest score when there are at
// least five scores and is the plain mean otherwise.
//
// # Score deviation (评分偏离)
//
// A member's score on an item deviates when |score − committee mean| is
// more than thresholdPct % of the committee mean, the mean being taken over
// all members' scores for that item (the member's own included). When the
// mean is zero the item's maximum replaces it as the reference, so the
// check never divides by zero. See Deviations.
//
// # Extension of the evaluation time (延长评标时间)
//
// 《招标投标法实施条例》第四十八条: when more than one third of the committee
// members consider the time insufficient, the tenderer shall extend it. The
// threshold is strictly "more than one third" (3 × votes > members).
//
// # Chair (评标委员会主任)
//
// The committee elects its chair; a candidate needs a strict majority of all
// members (not merely of those who voted). Without one there is no chair
// yet. See ElectChair.
package scoring
