package rules

import (
	"slices"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

// Timed is the state of a live timed bidding (限时竞价), an online auction
// (拍卖) or open ascending quotes (多次报价). It is a plain value: the caller
// stores it with each committed bid and applies bids one at a time, in
// commit order. Times come in as arguments; nothing here reads a clock.
//
// Price is the standing price and Leader its bidder (empty before the first
// bid of an auction, when Price is the start price and a first bid may equal
// it); Seq is the commit order of the standing quote or bid. EndsAt is when
// the countdown runs out; Bids counts the accepted bids of this stage.
type Timed struct {
	Price     money.Fen     `json:"price"`
	Leader    string        `json:"leader,omitempty"`
	Seq       int64         `json:"seq"`
	EndsAt    time.Time     `json:"ends_at"`
	Bids      int           `json:"bids"`
	Increment money.Fen     `json:"increment"`
	Countdown time.Duration `json:"countdown"`
	Ended     bool          `json:"ended"`

	// Participants may bid; empty means the caller admits bidders itself.
	Participants []string `json:"participants,omitempty"`
	// LeaderMayRebid lets the current leader raise his own bid; the zero
	// value (default, Params.LeaderMayRebid) refuses it.
	LeaderMayRebid bool `json:"leader_may_rebid,omitempty"`
	// ReserveTest compares the final price with the reserve; the zero value
	// is ReserveNotBelow.
	ReserveTest ReserveTest `json:"reserve_test,omitempty"`
	// Paused is set by Pause for a declared technical fault; Remaining is
	// the countdown left at the pause.
	Paused    bool          `json:"paused,omitempty"`
	Remaining time.Duration `json:"remaining,omitempty"`
}

// StartTimed starts the timed bidding decided by a listing close (o.Result
// TimedBidding) at startAt: the standing price is the highest listed quote,
// its bidder the leader, so the first valid bid is highest + increment
// (o.StartPrice); only o.Participants may bid. If nobody bids before the
// countdown runs out, the listing leader wins at his quote (if it clears
// the reserve).
func StartTimed(p Params, o Outcome, increment money.Fen, startAt time.Time) (Timed, error) {
	if o.Result != TimedBidding {
		return Timed{}, apperr.New(apperr.Conflict, "挂牌结果不是转入限时竞价，不能开始限时竞价。")
	}
	if !o.Highest.valid() {
		return Timed{}, apperr.New(apperr.Conflict, "没有有效的挂牌最高报价，不能开始限时竞价。")
	}
	t, err := newTimed(p, o.Highest.Amount, increment, o.Participants, startAt)
	if err != nil {
		return Timed{}, err
	}
	t.Leader, t.Seq = o.Highest.Bidder, o.Highest.Seq
	return t, nil
}

// StartAuction starts an online auction (拍卖) at startAt: timed bidding
// from the start price, the first bid may equal it, with at least
// p.MinAuctionBidders registered (qualified, deposit confirmed) bidders;
// fewer is a Conflict error with the basis of the minimum. The three calls
// and the hammer of a floor auction (AL 51) are replaced by the countdown:
// when it runs out the top bid is confirmed (Close).
func StartAuction(p Params, start, increment money.Fen, registered []string, startAt time.Time) (Timed, error) {
	n := len(distinct(registered))
	if n < p.MinAuctionBidders.Value {
		return Timed{}, apperr.Rule(apperr.Conflict, basisOr(p.MinAuctionBidders.Basis, DefaultParams().MinAuctionBidders.Basis),
			"报名并通过资格审查的竞买人为%d人，少于%d人，不得开始拍卖。", n, p.MinAuctionBidders.Value)
	}
	return newTimed(p, start, increment, registered, startAt)
}

func newTimed(p Params, price, increment money.Fen, participants []string, startAt time.Time) (Timed, error) {
	if price <= 0 {
		return Timed{}, apperr.New(apperr.Invalid, "起始价应大于零，当前为%s。", price).WithField("start", "起始价应大于零。")
	}
	if increment <= 0 {
		return Timed{}, apperr.New(apperr.Invalid, "增价幅度应大于零，当前为%s。", increment).WithField("increment", "增价幅度应大于零。")
	}
	cd := p.Countdown.Duration()
	if cd <= 0 {
		return Timed{}, apperr.New(apperr.Invalid, "限时竞价倒计时应大于零。").WithField("countdown", "请设置倒计时。")
	}
	return Timed{
		Price:          price,
		EndsAt:         startAt.Add(cd),
		Increment:      increment,
		Countdown:      cd,
		Participants:   distinct(participants),
		LeaderMayRebid: p.LeaderMayRebid.On,
		ReserveTest:    p.ReserveTest.Test,
	}, nil
}

// Next is the lowest valid bid now: the start price before the first bid of
// an auction, otherwise Price + Increment. The bid button shows it.
func (t *Timed) Next() money.Fen {
	return NextValid(t.Price, t.Price, t.Increment, t.Leader != "")
}

// Left is the countdown shown at server time at: EndsAt − at, never
// negative; while paused, the remaining time frozen at the pause.
func (t *Timed) Left(at time.Time) time.Duration {
	if t.Paused {
		return t.Remaining
	}
	if t.Ended || !at.Before(t.EndsAt) {
		return 0
	}
	return t.EndsAt.Sub(at)
}

// Bid applies one bid committed at server time at with commit order seq.
// The caller applies bids in commit order, so of two bids at the same price
// the first applied wins and the second is refused with the new minimum.
// It is refused (t unchanged) when:
//
//   - the bidding has ended, or at is at or after EndsAt (Deadline): a bid
//     at exactly EndsAt is refused because the countdown has run out;
//   - the bidding is paused (Conflict);
//   - the bidder is not a participant (Forbidden);
//   - the bidder is the leader and LeaderMayRebid is off (Conflict);
//   - the amount is below Next() or not Price + a whole multiple of the
//     increment (Invalid; the message names the new minimum).
//
// An accepted bid becomes the standing price and restarts the countdown
// from at: EndsAt = at + Countdown (never earlier than the EndsAt already
// set).
func (t *Timed) Bid(bidder string, amount money.Fen, seq int64, at time.Time) error {
	if t.Ended {
		return apperr.New(apperr.Deadline, "竞价已结束，出价未被接受。")
	}
	if t.Paused {
		return apperr.New(apperr.Conflict, "竞价因技术故障暂停，恢复后方可出价。")
	}
	if !at.Before(t.EndsAt) {
		return apperr.New(apperr.Deadline, "倒计时已结束，出价未被接受。")
	}
	if bidder == "" {
		return apperr.New(apperr.Invalid, "出价缺少竞买号牌。").WithField("bidder", "缺少竞买号牌。")
	}
	if len(t.Participants) > 0 && !slices.Contains(t.Participants, bidder) {
		return apperr.New(apperr.Forbidden, "您不是本场竞价的参与人，不能出价。")
	}
	if bidder == t.Leader && !t.LeaderMayRebid {
		return apperr.Rule(apperr.Conflict, BasisPlatform, "您当前已是最高报价者（%s），不能对自己的报价加价。", t.Price)
	}
	if err := CheckQuote(amount, t.Price, t.Price, t.Increment, t.Leader != ""); err != nil {
		return err
	}
	t.Price, t.Leader, t.Seq = amount, bidder, seq
	t.Bids++
	if end := at.Add(t.Countdown); end.After(t.EndsAt) {
		t.EndsAt = end
	}
	return nil
}

// Close decides the bidding at server time at. Before EndsAt, or while
// paused, the result is Pending and t is unchanged. At or after EndsAt the
// bidding ends (Ended) as of EndsAt (ClosedAt), whenever Close is called:
// the leader's price, if it clears the reserve under t.ReserveTest, is a
// Deal (AL 51–53: the top bid confirmed concludes the sale); a price below
// it is NoDeal (BelowReserve, AL 50); no bid and no standing quote is NoDeal
// (NoValidQuote). Close is idempotent.
func (t *Timed) Close(at time.Time, reserve money.Fen, hasReserve bool) Outcome {
	if t.Paused || !t.Ended && at.Before(t.EndsAt) {
		return Outcome{Result: Pending}
	}
	t.Ended = true
	best := Quote{Bidder: t.Leader, Amount: t.Price, Seq: t.Seq}
	o := decide(best, t.Leader != "", reserve, hasReserve, t.ReserveTest, BasisAL51to53)
	o.ClosedAt = t.EndsAt
	return o
}

// Pause stops the countdown at server time at for a declared technical
// fault (the operator's audited decision); bids are refused until Unpause.
func (t *Timed) Pause(at time.Time) error {
	if t.Paused {
		return apperr.New(apperr.Conflict, "竞价已处于暂停状态。")
	}
	if t.Ended || !at.Before(t.EndsAt) {
		return apperr.New(apperr.Deadline, "倒计时已结束，竞价不能再暂停。")
	}
	t.Paused, t.Remaining = true, t.EndsAt.Sub(at)
	return nil
}

// Unpause resumes the countdown at server time at with the time that was
// left at the pause: EndsAt = at + Remaining.
func (t *Timed) Unpause(at time.Time) error {
	if !t.Paused {
		return apperr.New(apperr.Conflict, "竞价未暂停。")
	}
	t.EndsAt, t.Paused, t.Remaining = at.Add(t.Remaining), false, 0
	return nil
}

// Resume is the state to continue with after the server was down, at
// server time now, from the last committed state t.
//
// The countdown is not extended for the downtime: EndsAt was fixed by the
// last committed bid (or the start) and stays. If now is before it, the
// bidding goes on with the time left. If it passed while the server was
// down, the bidding has ended as of the last committed bid: Ended is set,
// Close gives the outcome with ClosedAt = EndsAt and the leader of the last
// committed bid, and no later bid can be accepted (none was acknowledged:
// a bid is acknowledged only after its commit). A paused bidding stays
// paused. An operator who declares the downtime a technical fault may
// instead have paused the bidding before it (Pause/Unpause).
func Resume(t Timed, now time.Time) Timed {
	if !t.Ended && !t.Paused && !now.Before(t.EndsAt) {
		t.Ended = true
	}
	return t
}

// distinct drops empty and repeated names, keeping the first order.
func distinct(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
