package rules

import (
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

// Result is the kind of an Outcome.
type Result string

const (
	Deal         Result = "deal"          // 成交
	TimedBidding Result = "timed_bidding" // 转入限时竞价
	NoDeal       Result = "no_deal"       // 不成交（流拍）
	Pending      Result = "pending"       // nothing decided yet (countdown running or paused)
)

// Reason says why there is no deal.
type Reason string

const (
	NoValidQuote Reason = "no_valid_quote" // 无有效报价
	BelowReserve Reason = "below_reserve"  // 最高报价未达到底价
)

// Text is the reason in Chinese, for notices and the result page.
func (r Reason) Text() string {
	switch r {
	case NoValidQuote:
		return "无有效报价"
	case BelowReserve:
		return "最高报价未达到底价"
	}
	return ""
}

// Outcome is the decision at a close.
//
//   - Deal: Winner, Price and Seq of the winning quote or bid.
//   - TimedBidding: StartPrice = highest listed quote + increment, the
//     Participants who confirmed in the join window; Highest is the standing
//     quote, whose bidder wins at its amount if nobody bids.
//   - NoDeal: Reason.
//
// Highest is the best valid quote considered (zero without one); ClosedAt
// is the end of a timed bidding or auction (its EndsAt), zero for a listing
// or sealed close. Basis names the rule that decided.
type Outcome struct {
	Result       Result    `json:"result"`
	Winner       string    `json:"winner,omitempty"`
	Price        money.Fen `json:"price,omitempty"`
	Seq          int64     `json:"seq,omitempty"`
	StartPrice   money.Fen `json:"start_price,omitempty"`
	Participants []string  `json:"participants,omitempty"`
	Reason       Reason    `json:"reason,omitempty"`
	Highest      Quote     `json:"highest"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
	Basis        string    `json:"basis,omitempty"`
}

// decide is the common end of every procedure: no quote → no deal; the best
// quote below the reserve → no deal; otherwise a deal with it.
func decide(best Quote, ok bool, reserve money.Fen, hasReserve bool, test ReserveTest, basis string) Outcome {
	if !ok {
		return Outcome{Result: NoDeal, Reason: NoValidQuote, Basis: basis}
	}
	if hasReserve && !test.Clears(best.Amount, reserve) {
		return Outcome{Result: NoDeal, Reason: BelowReserve, Highest: best, Basis: basis + "；" + BasisAL50}
	}
	return Outcome{Result: Deal, Winner: best.Bidder, Price: best.Amount, Seq: best.Seq, Highest: best, Basis: basis}
}

// CloseListing decides a listing (挂牌) at its close (RULES.md §4 "Close",
// LO39):
//
//   - no valid quote → NoDeal (NoValidQuote);
//   - valid quotes from one bidder only → his highest quote is a Deal if it
//     clears the reserve, else NoDeal (BelowReserve);
//   - quotes from two or more bidders, and at least two of them (bidders
//     with a valid listing quote: online entry needs one) confirmed within
//     the join window (joined) → TimedBidding from highest + increment among
//     those who confirmed, whatever the reserve (the price can still rise;
//     the reserve is tested when the timed bidding closes);
//   - otherwise the highest quote, ties to the earliest commit, is a Deal if
//     it clears the reserve, else NoDeal: below the reserve never wins.
//
// quotes are the accepted listing quotes (each checked with CheckQuote when
// it came in; the increment may have changed since); increment is the one
// in force at the close and must be positive (StartTimed refuses it
// otherwise). The reserve is compared with p.ReserveTest.
func CloseListing(p Params, quotes []Quote, increment, reserve money.Fen, hasReserve bool, joined []string) Outcome {
	best, ok := Highest(quotes)
	quoted := bidders(quotes)
	if ok && len(quoted) >= 2 {
		has := map[string]bool{}
		for _, b := range quoted {
			has[b] = true
		}
		var in []string
		for _, b := range joined {
			if has[b] {
				in = append(in, b)
				delete(has, b) // count each bidder once
			}
		}
		if len(in) >= 2 {
			return Outcome{
				Result:       TimedBidding,
				StartPrice:   addSat(best.Amount, increment),
				Participants: in,
				Highest:      best,
				Basis:        BasisLO39Close + "；" + basisOr(p.JoinWindow.Basis, BasisShantou),
			}
		}
	}
	return decide(best, ok, reserve, hasReserve, p.ReserveTest.Test, BasisLO39Close)
}

// JoinDeadline is the end of the join window that opens at the listing
// close: closeAt + JoinWindow. A confirmation at exactly the deadline is
// late.
func JoinDeadline(p Params, closeAt time.Time) time.Time {
	return closeAt.Add(p.JoinWindow.Duration())
}

// CheckJoin checks a bidder's confirmation that he takes part in timed
// bidding: within [closeAt, closeAt + JoinWindow) and only with at least one
// valid listing quote of his own (Shantou online rule [secondary]).
func CheckJoin(p Params, closeAt, at time.Time, bidder string, quotes []Quote) error {
	basis := basisOr(p.JoinWindow.Basis, BasisShantou)
	end := JoinDeadline(p, closeAt)
	if at.Before(closeAt) {
		return apperr.Rule(apperr.Conflict, basis, "挂牌尚未截止，截止后%s内方可确认参加限时竞价。", p.JoinWindow.Describe())
	}
	if !at.Before(end) {
		return apperr.Rule(apperr.Deadline, basis, "确认参加限时竞价的时间（挂牌截止后%s）已过，不能再参加限时竞价。", p.JoinWindow.Describe())
	}
	for _, q := range quotes {
		if q.valid() && q.Bidder == bidder {
			return nil
		}
	}
	return apperr.Rule(apperr.Forbidden, basis, "挂牌期间未提交有效报价的竞买人不能参加限时竞价。")
}

// CheckReserveEntry checks that the reserve (底价) is entered no later than
// ReserveLead before the listing close (Shantou [secondary]: 30 minutes);
// entering it exactly at the deadline is in time.
func CheckReserveEntry(p Params, at, closeAt time.Time) error {
	deadline := closeAt.Add(-p.ReserveLead.Duration())
	if at.After(deadline) {
		return apperr.Rule(apperr.Deadline, basisOr(p.ReserveLead.Basis, BasisShantou),
			"底价应在挂牌截止前%s录入，截止录入时间已过。", p.ReserveLead.Describe())
	}
	return nil
}

// CheckIncrementChange checks an operator's change of the increment during
// the listing: allowed only when p.IncrementMayChange (LO39 17: 挂牌期间可根据
// 竞价情况调整增价幅度), to a positive amount different from the old one.
// Quotes already accepted stand; later ones are checked against the new
// increment from the current price.
func CheckIncrementChange(p Params, old, next money.Fen) error {
	if !p.IncrementMayChange.On {
		return apperr.Rule(apperr.Conflict, basisOr(p.IncrementMayChange.Basis, BasisLO39Listing), "本宗交易公告规定挂牌期间不调整增价幅度。")
	}
	if next <= 0 {
		return apperr.New(apperr.Invalid, "增价幅度应大于零，您填写的是%s。", next).WithField("increment", "增价幅度应大于零。")
	}
	if next == old {
		return apperr.New(apperr.Invalid, "新的增价幅度与现行增价幅度%s相同。", old).WithField("increment", "增价幅度未变化。")
	}
	return nil
}
