// Package rules holds the decision rules of land-use and mining-right
// listing (挂牌), auction (拍卖) and live timed bidding (限时竞价), and of the
// transfer modes of state-owned property rights (国有产权转让): open ascending
// quotes (多次报价), one sealed quote (一次报价) and agreement transfer (协议
// 转让). RULES.md §4, §5 and §11 are the source; tags there: [law] read in
// the statute, [secondary] quoted second-hand, [assumption] unsourced.
//
// The package does no I/O, keeps no storage and reads no clock: every time
// comes in as an argument (server time, which is authoritative), money is
// integer fen (money.Fen), and errors are *apperr.Error with a Chinese
// message and, when a statutory rule refused, its Basis. The service calls
// these functions and stores what they return; the same inputs always give
// the same decision, so a recorded sale can be replayed and checked.
//
// # Parameters (Params)
//
// Every number is a parameter with its unit and basis (RULES.md §11);
// DefaultParams gives the defaults, Validate refuses a setting that relaxes
// a statutory floor or cap:
//
//   - land notice ≥ 20 calendar days before the sale starts — LO39
//     《招标拍卖挂牌出让国有建设用地使用权规定》 [secondary];
//   - listing period ≥ 10 days — LO39 [secondary]; the unit is in conflict
//     (10 working days in one source, 10 days in the Changchun rule and
//     likely in LO39), so it is a parameter, default 10 working days; 10
//     calendar days is accepted as the other reading;
//   - auction notice ≥ 7 calendar days, viewing ≥ 2 — 《拍卖法》第四十五条、
//     第四十八条 [law];
//   - online rules of the Shantou listing rule [secondary]: the reserve is
//     entered ≥ 30 minutes before the close (CheckReserveEntry), bidders
//     confirm within 5 minutes after the close that they join timed bidding
//     (CheckJoin), the countdown is 5 minutes and restarts at every bid;
//   - at least 3 registered bidders for an auction (Sichuan mining rule
//     [secondary]; the land figure is truncated in the source, so the same
//     default is a platform setting);
//   - reserve test "not below" (≥), because 《拍卖法》第五十条 voids only a top
//     bid that does not reach the reserve; "above" (>) is the alternative
//     setting for local rules that read it so;
//   - the increment may change during the listing (LO39 17), default yes;
//   - the leader may not outbid himself, default refused [assumption];
//   - mining (Sichuan [secondary]): notice ≥ 20, online listing ≥ 10, result
//     publicity ≥ 10 working days; confirmation ≤ 3, publicity start ≤ 5;
//   - property rights (O32 《企业国有资产交易监督管理办法》 and exchange rules
//     [secondary]): pre-disclosure starts ≤ 10 working days after approval
//     and lasts ≥ 20; formal disclosure ≥ 20, each extension ≥ 5; capital
//     increase pre + formal ≥ 40 (国资发产权规〔2022〕39号); 2 rounds with a
//     single buyer before an agreement transfer (old rule).
//
// Counting days on the holiday calendar is the caller's (internal/calendar).
//
// # Quotes and increments
//
// LO39 17 [secondary]: the listing posts the start price and the increment
// rule and size; each quote is confirmed and the displayed price refreshed.
// Raises are whole multiples of the increment (auction [secondary];
// property rights: positive multiples above the top). NextValid and
// CheckQuote: the first quote may equal the start price (start + k ×
// increment, k ≥ 0); later ones are current + k × increment, k ≥ 1. Every
// refusal names the next valid amount. The increment may be changed
// mid-listing (CheckIncrementChange); later quotes count from the current
// price with the new increment.
//
// # Ranking
//
// Higher amount first; equal amounts rank by commit order (Quote.Seq, lower
// first), as LO39 gives the plot to the one who quoted first (报价相同的，先
// 提交报价单者为竞得人) [secondary]. Highest, Ranking, RankOf.
//
// # Listing close (CloseListing)
//
// RULES.md §4 "Close" [secondary]: no valid quote → no deal; quotes from one
// bidder → deal if the quote clears the reserve; quotes from two or more →
// timed bidding from highest + 1 increment if at least two of them confirm
// within the join window (online entry needs ≥ 1 valid listing quote),
// otherwise the highest, ties to the earliest; a quote below the reserve
// never wins. Timed bidding goes ahead even if the highest listed quote is
// below the reserve: the reserve is tested when it closes.
//
// # Timed bidding and auction (Timed)
//
// A pure state machine. StartTimed continues a listing: the standing price
// is the highest listed quote and its bidder the leader, so the first bid
// must be highest + increment; if nobody bids, the listing leader wins at his
// quote. StartAuction runs an online auction (拍卖) as timed bidding from the
// start price (the first bid may equal it) with ≥ MinAuctionBidders
// registered; the countdown replaces the three calls and the hammer, and
// the top bid confirmed at its end concludes the sale (《拍卖法》第五十一条至
// 第五十三条 [law]); a top bid below the reserve has no effect and the sale
// stops (第五十条 [law]).
//
// Bid applies bids in commit order. An accepted bid restarts the countdown
// from its commit time (EndsAt = at + Countdown). A bid at or after EndsAt is
// refused — at exactly EndsAt the countdown has run out; of two bids at the
// same price the first applied wins and the second is refused with the new
// minimum. Close at or after EndsAt ends the bidding as of EndsAt. Pause and
// Unpause freeze the countdown for a declared technical fault.
//
// Resume after a crash: the committed state is authoritative and the
// countdown is not extended for the downtime. If EndsAt passed while the
// server was down the bidding ended as of the last committed bid — its
// leader and price decide, ClosedAt is EndsAt — since no bid after it was
// acknowledged.
//
// # State-owned property rights
//
// 《企业国有资产法》第五十四条 [law]: open transfer at a lawful exchange, and
// with two or more transferees competitive bidding is mandatory
// (StartAscending needs two; CheckAgreement refuses two or more). 第五十五条
// [law]: the lowest transfer price rests on an approved valuation, so the
// sealed quote (CloseSealed) and the agreement price may equal but not fall
// below it. One sealed quote: highest wins, ties to the earliest commit.
// Agreement transfer: exactly one qualified buyer, at no less than the
// listed price (O32 direct signing [assumption]).
//
// # Land terms
//
// 《城镇国有土地使用权出让和转让暂行条例》第十二条 [law]: residential 70 years,
// industrial 50, education/science/culture/health/sport 50, commercial/
// tourism/entertainment 40, composite or other 50 (MaxLandTerm,
// CheckLandTerm).
package rules
