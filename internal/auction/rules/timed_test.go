package rules

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

const inc = money.Fen(10_000_00) // 10,000 yuan

// listingTimed is the timed bidding after a listing whose highest quote is
// B's 1,060,000 yuan (seq 2), with A, B and C joined, started at t0.
func listingTimed(t *testing.T, p Params) Timed {
	t.Helper()
	quotes := []Quote{q("A", yuan(1_040_000), 1), q("B", yuan(1_060_000), 2), q("C", yuan(1_050_000), 3)}
	o := CloseListing(p, quotes, inc, yuan(1_100_000), true, []string{"A", "B", "C"})
	if o.Result != TimedBidding {
		t.Fatalf("listing close = %+v, want timed bidding", o)
	}
	tm, err := StartTimed(p, o, inc, t0)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestStartTimed(t *testing.T) {
	p := DefaultParams()
	tm := listingTimed(t, p)
	want := Timed{
		Price: yuan(1_060_000), Leader: "B", Seq: 2, EndsAt: at(5 * time.Minute),
		Increment: inc, Countdown: 5 * time.Minute,
		Participants: []string{"A", "B", "C"}, ReserveTest: ReserveNotBelow,
	}
	if !reflect.DeepEqual(tm, want) {
		t.Fatalf("StartTimed =\n %+v\nwant\n %+v", tm, want)
	}
	if n := tm.Next(); n != yuan(1_070_000) {
		t.Errorf("Next = %s, want highest + increment ¥1,070,000.00", n)
	}

	_, err := StartTimed(p, Outcome{Result: Deal}, inc, t0)
	checkErr(t, err, apperr.Conflict, "", "不是转入限时竞价")
	_, err = StartTimed(p, Outcome{Result: TimedBidding}, inc, t0)
	checkErr(t, err, apperr.Conflict, "", "没有有效的挂牌最高报价")
	o := Outcome{Result: TimedBidding, Highest: q("B", yuan(1), 1)}
	_, err = StartTimed(p, o, 0, t0)
	checkErr(t, err, apperr.Invalid, "", "增价幅度应大于零")
	bad := p
	bad.Countdown.Seconds = 0
	_, err = StartTimed(bad, o, inc, t0)
	checkErr(t, err, apperr.Invalid, "", "倒计时")
}

// step is one bid applied to a Timed, with the expected result and state.
type step struct {
	name   string
	bidder string
	amount money.Fen
	at     time.Duration
	code   apperr.Code // "" = accepted
	msg    string      // substring of the refusal
	price  money.Fen   // state after the step
	leader string
	endsAt time.Duration
	bids   int
}

func run(t *testing.T, tm *Timed, steps []step) {
	t.Helper()
	for i, s := range steps {
		before := *tm
		err := tm.Bid(s.bidder, s.amount, int64(100+i), at(s.at))
		if s.code == "" {
			if err != nil {
				t.Fatalf("step %d %s: Bid = %v, want accepted", i, s.name, err)
			}
			if tm.Seq != int64(100+i) {
				t.Errorf("step %d %s: Seq = %d, want %d", i, s.name, tm.Seq, 100+i)
			}
		} else {
			checkErr(t, err, s.code, "*", s.msg)
			if !reflect.DeepEqual(*tm, before) {
				t.Errorf("step %d %s: refused bid changed the state:\n %+v\nwas\n %+v", i, s.name, *tm, before)
			}
		}
		if tm.Price != s.price || tm.Leader != s.leader || !tm.EndsAt.Equal(at(s.endsAt)) || tm.Bids != s.bids {
			t.Errorf("step %d %s: state price %s leader %s ends %v bids %d; want %s %s %v %d",
				i, s.name, tm.Price, tm.Leader, tm.EndsAt.Sub(t0), tm.Bids, s.price, s.leader, s.endsAt, s.bids)
		}
	}
}

func TestTimedBidCountdownAndRefusals(t *testing.T) {
	tm := listingTimed(t, DefaultParams())
	m, s := time.Minute, time.Second
	run(t, &tm, []step{
		{"listing leader may not outbid himself", "B", yuan(1_070_000), 30 * s, apperr.Conflict, "已是最高报价者", yuan(1_060_000), "B", 5 * m, 0},
		{"below highest + increment", "A", yuan(1_065_000), 30 * s, apperr.Invalid, "下一个有效报价为¥1,070,000.00", yuan(1_060_000), "B", 5 * m, 0},
		{"equal to the standing price", "A", yuan(1_060_000), 30 * s, apperr.Invalid, "¥1,070,000.00", yuan(1_060_000), "B", 5 * m, 0},
		{"first bid at the start price restarts the countdown", "A", yuan(1_070_000), 1 * m, "", "", yuan(1_070_000), "A", 6 * m, 1},
		{"not a whole multiple", "C", yuan(1_085_000), 2 * m, apperr.Invalid, "最低有效报价为¥1,090,000.00", yuan(1_070_000), "A", 6 * m, 1},
		{"not a participant", "D", yuan(1_080_000), 2 * m, apperr.Forbidden, "不是本场竞价的参与人", yuan(1_070_000), "A", 6 * m, 1},
		{"empty bidder", "", yuan(1_080_000), 2 * m, apperr.Invalid, "竞买号牌", yuan(1_070_000), "A", 6 * m, 1},
		{"three increments at once", "C", yuan(1_100_000), 5*m + 59*s, "", "", yuan(1_100_000), "C", 10*m + 59*s, 2},
		{"leader again refused", "C", yuan(1_110_000), 6 * m, apperr.Conflict, "¥1,100,000.00", yuan(1_100_000), "C", 10*m + 59*s, 2},
		{"the old listing leader joins in", "B", yuan(1_110_000), 10*m + 58*s, "", "", yuan(1_110_000), "B", 15*m + 58*s, 3},
		{"last nanosecond is in time", "A", yuan(1_120_000), 15*m + 58*s - 1, "", "", yuan(1_120_000), "A", 20*m + 58*s - 1, 4},
		{"exactly at EndsAt is refused", "C", yuan(1_130_000), 20*m + 58*s - 1, apperr.Deadline, "倒计时已结束", yuan(1_120_000), "A", 20*m + 58*s - 1, 4},
		{"after EndsAt is refused", "C", yuan(1_130_000), time.Hour, apperr.Deadline, "倒计时已结束", yuan(1_120_000), "A", 20*m + 58*s - 1, 4},
	})
	o := tm.Close(at(time.Hour), yuan(1_100_000), true)
	if o.Result != Deal || o.Winner != "A" || o.Price != yuan(1_120_000) || o.Seq != 110 || !o.ClosedAt.Equal(at(20*m+58*s-1)) {
		t.Errorf("Close = %+v, want deal to A at ¥1,120,000.00 closed at EndsAt", o)
	}
}

// Two bids at the same price at the same moment: the caller applies them
// in commit order; the first wins and the second is told the new minimum.
func TestTimedSamePriceRace(t *testing.T) {
	tm := listingTimed(t, DefaultParams())
	same := at(90 * time.Second)
	if err := tm.Bid("A", yuan(1_070_000), 10, same); err != nil {
		t.Fatalf("first bid refused: %v", err)
	}
	err := tm.Bid("C", yuan(1_070_000), 11, same)
	checkErr(t, err, apperr.Invalid, BasisIncrement, "当前最高价¥1,070,000.00", "下一个有效报价为¥1,080,000.00")
	if tm.Leader != "A" || tm.Seq != 10 || tm.Bids != 1 {
		t.Errorf("state after race: %+v, want A (seq 10) leading with 1 bid", tm)
	}
	// C retries with the new minimum, same moment: accepted.
	if err := tm.Bid("C", tm.Next(), 12, same); err != nil {
		t.Fatalf("retry refused: %v", err)
	}
	if tm.Price != yuan(1_080_000) || tm.Leader != "C" {
		t.Errorf("after retry: %+v", tm)
	}
}

func TestTimedLeaderMayRebid(t *testing.T) {
	p := DefaultParams()
	p.LeaderMayRebid.On = true
	tm := listingTimed(t, p)
	if !tm.LeaderMayRebid {
		t.Fatal("flag not copied")
	}
	if err := tm.Bid("B", yuan(1_070_000), 10, at(time.Minute)); err != nil {
		t.Fatalf("leader rebid refused with the flag on: %v", err)
	}
	if err := tm.Bid("B", yuan(1_090_000), 11, at(2*time.Minute)); err != nil {
		t.Fatalf("second rebid refused: %v", err)
	}
	if tm.Bids != 2 || !tm.EndsAt.Equal(at(7*time.Minute)) {
		t.Errorf("state %+v", tm)
	}
}

// A bid restarts the countdown from its time but never shortens a longer
// first period.
func TestTimedCountdownNeverShortened(t *testing.T) {
	tm := Timed{Price: yuan(100), Increment: yuan(1), Countdown: 5 * time.Minute, EndsAt: at(10 * time.Minute)}
	if err := tm.Bid("A", yuan(100), 1, at(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !tm.EndsAt.Equal(at(10 * time.Minute)) {
		t.Errorf("EndsAt = %v, want unchanged 10m", tm.EndsAt.Sub(t0))
	}
	if err := tm.Bid("B", yuan(101), 2, at(7*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !tm.EndsAt.Equal(at(12 * time.Minute)) {
		t.Errorf("EndsAt = %v, want 12m", tm.EndsAt.Sub(t0))
	}
}

func TestTimedClose(t *testing.T) {
	m := time.Minute
	reserve := yuan(1_080_000)
	// withBid: listing leader B at 1,060,000; A bids 1,080,000 at 1m (ends 6m).
	withBid := func(test ReserveTest) Timed {
		p := DefaultParams()
		p.ReserveTest.Test = test
		tm := listingTimed(t, p)
		if err := tm.Bid("A", yuan(1_080_000), 50, at(m)); err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name       string
		tm         Timed
		at         time.Duration
		reserve    money.Fen
		hasReserve bool
		want       Outcome
	}{
		{"before EndsAt: pending", withBid(ReserveNotBelow), 5 * m, reserve, true,
			Outcome{Result: Pending}},
		{"exactly at EndsAt: decided", withBid(ReserveNotBelow), 6 * m, reserve, true,
			Outcome{Result: Deal, Winner: "A", Price: yuan(1_080_000), Seq: 50, Highest: Quote{Bidder: "A", Amount: yuan(1_080_000), Seq: 50}, ClosedAt: at(6 * m)}},
		{"called late: closed as of EndsAt", withBid(ReserveNotBelow), 90 * m, reserve, true,
			Outcome{Result: Deal, Winner: "A", Price: yuan(1_080_000), Seq: 50, Highest: Quote{Bidder: "A", Amount: yuan(1_080_000), Seq: 50}, ClosedAt: at(6 * m)}},
		{"equal to the reserve under >", withBid(ReserveAbove), 6 * m, reserve, true,
			Outcome{Result: NoDeal, Reason: BelowReserve, Highest: Quote{Bidder: "A", Amount: yuan(1_080_000), Seq: 50}, ClosedAt: at(6 * m)}},
		{"below the reserve", withBid(ReserveNotBelow), 6 * m, reserve + 1, true,
			Outcome{Result: NoDeal, Reason: BelowReserve, Highest: Quote{Bidder: "A", Amount: yuan(1_080_000), Seq: 50}, ClosedAt: at(6 * m)}},
		{"no reserve", withBid(ReserveAbove), 6 * m, 0, false,
			Outcome{Result: Deal, Winner: "A", Price: yuan(1_080_000), Seq: 50, Highest: Quote{Bidder: "A", Amount: yuan(1_080_000), Seq: 50}, ClosedAt: at(6 * m)}},
		{"nobody bids: the listing leader wins at his quote", listingTimed(t, DefaultParams()), 5 * m, yuan(1_060_000), true,
			Outcome{Result: Deal, Winner: "B", Price: yuan(1_060_000), Seq: 2, Highest: Quote{Bidder: "B", Amount: yuan(1_060_000), Seq: 2}, ClosedAt: at(5 * m)}},
		{"nobody bids, listing leader below the reserve", listingTimed(t, DefaultParams()), 5 * m, yuan(1_060_001), true,
			Outcome{Result: NoDeal, Reason: BelowReserve, Highest: Quote{Bidder: "B", Amount: yuan(1_060_000), Seq: 2}, ClosedAt: at(5 * m)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := tt.tm
			got := tm.Close(at(tt.at), tt.reserve, tt.hasReserve)
			if tt.want.Result == Pending {
				if got.Result != Pending || tm.Ended {
					t.Fatalf("Close = %+v ended %v, want pending", got, tm.Ended)
				}
				if err := tm.Bid("C", tm.Next(), 99, at(tt.at)); err != nil {
					t.Errorf("bid after a pending close refused: %v", err)
				}
				return
			}
			if !tm.Ended {
				t.Error("not ended")
			}
			if !strings.Contains(got.Basis, "拍卖法》第五十一条") {
				t.Errorf("basis %q lacks AL 51–53", got.Basis)
			}
			if got.Reason == BelowReserve && !strings.Contains(got.Basis, "第五十条") {
				t.Errorf("basis %q lacks AL 50", got.Basis)
			}
			got.Basis = ""
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Close =\n %+v\nwant\n %+v", got, tt.want)
			}
			// Idempotent, and no bid after the end.
			again := tm.Close(at(tt.at+time.Hour), tt.reserve, tt.hasReserve)
			again.Basis = ""
			if !reflect.DeepEqual(again, tt.want) {
				t.Errorf("second Close = %+v", again)
			}
			checkErr(t, tm.Bid("C", tm.Next(), 99, at(0)), apperr.Deadline, "", "竞价已结束")
		})
	}
}

func TestStartAuction(t *testing.T) {
	p := DefaultParams()
	start := yuan(5_000_000)
	_, err := StartAuction(p, start, inc, []string{"A", "B"}, t0)
	checkErr(t, err, apperr.Conflict, p.MinAuctionBidders.Basis, "竞买人为2人，少于3人")
	_, err = StartAuction(p, start, inc, []string{"A", "B", "B", ""}, t0)
	checkErr(t, err, apperr.Conflict, "*", "竞买人为2人")
	noBasis := p
	noBasis.MinAuctionBidders.Basis = ""
	_, err = StartAuction(noBasis, start, inc, nil, t0)
	checkErr(t, err, apperr.Conflict, "矿业权", "竞买人为0人")
	_, err = StartAuction(p, 0, inc, []string{"A", "B", "C"}, t0)
	checkErr(t, err, apperr.Invalid, "", "起始价应大于零")

	tm, err := StartAuction(p, start, inc, []string{"A", "B", "C"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if tm.Leader != "" || tm.Next() != start || !tm.EndsAt.Equal(at(5*time.Minute)) {
		t.Fatalf("auction start %+v next %s", tm, tm.Next())
	}
	m := time.Minute
	run(t, &tm, []step{
		{"below the start price", "A", start - 1, m, apperr.Invalid, "首次报价不得低于起始价¥5,000,000.00", start, "", 5 * m, 0},
		{"start + half an increment", "A", start + inc/2, m, apperr.Invalid, "最低有效报价为¥5,010,000.00", start, "", 5 * m, 0},
		{"outsider", "Z", start, m, apperr.Forbidden, "参与人", start, "", 5 * m, 0},
		{"first bid equal to the start price", "A", start, m, "", "", start, "A", 6 * m, 1},
		{"second bid at start refused", "B", start, 2 * m, apperr.Invalid, "下一个有效报价为¥5,010,000.00", start, "A", 6 * m, 1},
		{"second bid start + increment", "B", start + inc, 2 * m, "", "", start + inc, "B", 7 * m, 2},
	})
	o := tm.Close(at(7*time.Minute), start+inc, true)
	if o.Result != Deal || o.Winner != "B" || o.Price != start+inc {
		t.Errorf("auction close %+v", o)
	}

	// No bid at all: no deal, no valid quote.
	empty, _ := StartAuction(p, start, inc, []string{"A", "B", "C"}, t0)
	o = empty.Close(at(5*time.Minute), 0, false)
	if o.Result != NoDeal || o.Reason != NoValidQuote || !o.ClosedAt.Equal(at(5*time.Minute)) {
		t.Errorf("empty auction close %+v", o)
	}
}

func TestTimedPause(t *testing.T) {
	m := time.Minute
	tm := listingTimed(t, DefaultParams()) // ends at 5m
	if err := tm.Pause(at(2 * m)); err != nil {
		t.Fatal(err)
	}
	if !tm.Paused || tm.Remaining != 3*m || tm.Left(at(time.Hour)) != 3*m {
		t.Fatalf("paused state %+v", tm)
	}
	checkErr(t, tm.Pause(at(3*m)), apperr.Conflict, "", "已处于暂停")
	checkErr(t, tm.Bid("A", tm.Next(), 10, at(3*m)), apperr.Conflict, "", "暂停")
	if o := tm.Close(at(time.Hour), 0, false); o.Result != Pending || tm.Ended {
		t.Fatalf("close while paused = %+v", o)
	}
	if r := Resume(tm, at(time.Hour)); !reflect.DeepEqual(r, tm) {
		t.Errorf("Resume changed a paused bidding: %+v", r)
	}
	if err := tm.Unpause(at(20 * m)); err != nil {
		t.Fatal(err)
	}
	if tm.Paused || !tm.EndsAt.Equal(at(23*m)) || tm.Left(at(21*m)) != 2*m {
		t.Fatalf("after unpause %+v", tm)
	}
	checkErr(t, tm.Unpause(at(21*m)), apperr.Conflict, "", "未暂停")
	if err := tm.Bid("A", tm.Next(), 10, at(22*m)); err != nil {
		t.Fatalf("bid after unpause refused: %v", err)
	}
	checkErr(t, tm.Pause(at(time.Hour)), apperr.Deadline, "", "不能再暂停")
	tm.Close(at(time.Hour), 0, false)
	checkErr(t, tm.Pause(at(22*m)), apperr.Deadline, "", "不能再暂停")
}

func TestTimedLeft(t *testing.T) {
	tm := listingTimed(t, DefaultParams())
	for _, tt := range []struct {
		at   time.Duration
		want time.Duration
	}{{0, 5 * time.Minute}, {4 * time.Minute, time.Minute}, {5 * time.Minute, 0}, {time.Hour, 0}, {-time.Minute, 6 * time.Minute}} {
		if got := tm.Left(at(tt.at)); got != tt.want {
			t.Errorf("Left(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

// The server commits each accepted bid with the state, is killed, and
// restarts at `now` from the last committed state.
func TestResumeAfterDowntime(t *testing.T) {
	m, s := time.Minute, time.Second
	committed := func(t *testing.T) Timed {
		tm := listingTimed(t, DefaultParams())
		if err := tm.Bid("A", yuan(1_070_000), 10, at(m)); err != nil {
			t.Fatal(err)
		}
		if err := tm.Bid("C", yuan(1_080_000), 11, at(3*m)); err != nil { // ends at 8m
			t.Fatal(err)
		}
		// Durable store and reload: the state survives JSON.
		b, err := json.Marshal(tm)
		if err != nil {
			t.Fatal(err)
		}
		var back Timed
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.EndsAt.UTC(), tm.EndsAt.UTC()) || back.Price != tm.Price || back.Leader != tm.Leader || back.Countdown != tm.Countdown {
			t.Fatalf("state lost in JSON: %+v vs %+v", back, tm)
		}
		return back
	}

	t.Run("back before EndsAt: the countdown goes on, not extended", func(t *testing.T) {
		tm := Resume(committed(t), at(7*m))
		if tm.Ended || !tm.EndsAt.Equal(at(8*m)) || tm.Left(at(7*m)) != m {
			t.Fatalf("resumed %+v", tm)
		}
		if err := tm.Bid("A", yuan(1_090_000), 12, at(7*m+30*s)); err != nil {
			t.Fatalf("bid after resume refused: %v", err)
		}
		if !tm.EndsAt.Equal(at(12*m + 30*s)) {
			t.Errorf("EndsAt = %v", tm.EndsAt.Sub(t0))
		}
	})
	for _, now := range []time.Duration{8 * m, 8*m + 1, 2 * time.Hour} {
		t.Run("expired while down at "+now.String(), func(t *testing.T) {
			tm := Resume(committed(t), at(now))
			if !tm.Ended {
				t.Fatal("not ended")
			}
			checkErr(t, tm.Bid("A", yuan(1_090_000), 12, at(now)), apperr.Deadline, "", "竞价已结束")
			o := tm.Close(at(now), yuan(1_080_000), true)
			if o.Result != Deal || o.Winner != "C" || o.Price != yuan(1_080_000) || o.Seq != 11 || !o.ClosedAt.Equal(at(8*m)) {
				t.Errorf("outcome %+v, want deal to C as of the last committed bid, closed at 8m", o)
			}
		})
	}
	t.Run("expired while down, below the reserve", func(t *testing.T) {
		tm := Resume(committed(t), at(time.Hour))
		o := tm.Close(at(time.Hour), yuan(1_080_001), true)
		if o.Result != NoDeal || o.Reason != BelowReserve || !o.ClosedAt.Equal(at(8*m)) {
			t.Errorf("outcome %+v", o)
		}
	})
	t.Run("already ended stays ended", func(t *testing.T) {
		tm := committed(t)
		tm.Close(at(time.Hour), 0, false)
		if r := Resume(tm, at(0)); !r.Ended {
			t.Error("Resume reopened an ended bidding")
		}
	})
}
