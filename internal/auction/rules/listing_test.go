package rules

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

func TestCloseListing(t *testing.T) {
	inc := yuan(10_000)
	r := yuan(1_050_000) // reserve
	above := DefaultParams()
	above.ReserveTest.Test = ReserveAbove
	two := []Quote{q("A", yuan(1_040_000), 1), q("B", yuan(1_060_000), 2)}
	tests := []struct {
		name       string
		p          Params
		quotes     []Quote
		reserve    money.Fen
		hasReserve bool
		joined     []string
		want       Outcome
	}{
		{"no quote", DefaultParams(), nil, r, true, nil,
			Outcome{Result: NoDeal, Reason: NoValidQuote}},
		{"only invalid quotes", DefaultParams(), []Quote{{Bidder: "A", Amount: 0, Seq: 1}, {Amount: r, Seq: 2}}, r, true, []string{"A"},
			Outcome{Result: NoDeal, Reason: NoValidQuote}},
		{"one quote clearing the reserve", DefaultParams(), []Quote{q("A", yuan(1_060_000), 1)}, r, true, nil,
			Outcome{Result: Deal, Winner: "A", Price: yuan(1_060_000), Seq: 1, Highest: q("A", yuan(1_060_000), 1)}},
		{"one quote equal to the reserve, test ≥", DefaultParams(), []Quote{q("A", r, 1)}, r, true, nil,
			Outcome{Result: Deal, Winner: "A", Price: r, Seq: 1, Highest: q("A", r, 1)}},
		{"one quote equal to the reserve, test >", above, []Quote{q("A", r, 1)}, r, true, nil,
			Outcome{Result: NoDeal, Reason: BelowReserve, Highest: q("A", r, 1)}},
		{"one quote below the reserve", DefaultParams(), []Quote{q("A", r-1, 1)}, r, true, nil,
			Outcome{Result: NoDeal, Reason: BelowReserve, Highest: q("A", r-1, 1)}},
		{"one quote, no reserve", DefaultParams(), []Quote{q("A", yuan(1), 1)}, r, false, nil,
			Outcome{Result: Deal, Winner: "A", Price: yuan(1), Seq: 1, Highest: q("A", yuan(1), 1)}},
		{"one bidder quoting twice is still one bidder", DefaultParams(), []Quote{q("A", yuan(1_000_000), 1), q("A", yuan(1_060_000), 2)}, r, true, []string{"A", "Z"},
			Outcome{Result: Deal, Winner: "A", Price: yuan(1_060_000), Seq: 2, Highest: q("A", yuan(1_060_000), 2)}},
		{"two bidders, both join → timed bidding", DefaultParams(), two, r, true, []string{"B", "A"},
			Outcome{Result: TimedBidding, StartPrice: yuan(1_070_000), Participants: []string{"B", "A"}, Highest: q("B", yuan(1_060_000), 2)}},
		{"timed bidding even when the highest is below the reserve", DefaultParams(), two, yuan(2_000_000), true, []string{"A", "B"},
			Outcome{Result: TimedBidding, StartPrice: yuan(1_070_000), Participants: []string{"A", "B"}, Highest: q("B", yuan(1_060_000), 2)}},
		{"two joiners without the leader", DefaultParams(), append(two[:2:2], q("C", yuan(1_050_000), 3)), r, true, []string{"A", "C"},
			Outcome{Result: TimedBidding, StartPrice: yuan(1_070_000), Participants: []string{"A", "C"}, Highest: q("B", yuan(1_060_000), 2)}},
		{"one joiner → the highest", DefaultParams(), two, r, true, []string{"A"},
			Outcome{Result: Deal, Winner: "B", Price: yuan(1_060_000), Seq: 2, Highest: q("B", yuan(1_060_000), 2)}},
		{"nobody joins → the highest", DefaultParams(), two, r, true, nil,
			Outcome{Result: Deal, Winner: "B", Price: yuan(1_060_000), Seq: 2, Highest: q("B", yuan(1_060_000), 2)}},
		{"one joiner, highest below the reserve → no deal", DefaultParams(), two, yuan(1_060_001), true, []string{"B"},
			Outcome{Result: NoDeal, Reason: BelowReserve, Highest: q("B", yuan(1_060_000), 2)}},
		{"one joiner, highest equal to the reserve, test >", above, two, yuan(1_060_000), true, []string{"B"},
			Outcome{Result: NoDeal, Reason: BelowReserve, Highest: q("B", yuan(1_060_000), 2)}},
		{"one joiner, highest equal to the reserve, test ≥", DefaultParams(), two, yuan(1_060_000), true, []string{"B"},
			Outcome{Result: Deal, Winner: "B", Price: yuan(1_060_000), Seq: 2, Highest: q("B", yuan(1_060_000), 2)}},
		{"joiner without a listing quote does not count", DefaultParams(), two, r, true, []string{"A", "Z"},
			Outcome{Result: Deal, Winner: "B", Price: yuan(1_060_000), Seq: 2, Highest: q("B", yuan(1_060_000), 2)}},
		{"a joiner confirming twice counts once", DefaultParams(), two, r, true, []string{"A", "A"},
			Outcome{Result: Deal, Winner: "B", Price: yuan(1_060_000), Seq: 2, Highest: q("B", yuan(1_060_000), 2)}},
		{"a joiner with only an invalid quote does not count", DefaultParams(), append(two[:2:2], Quote{Bidder: "C", Amount: 0, Seq: 3}), r, true, []string{"A", "C"},
			Outcome{Result: Deal, Winner: "B", Price: yuan(1_060_000), Seq: 2, Highest: q("B", yuan(1_060_000), 2)}},
		{"tie at the top goes to the earliest commit", DefaultParams(), []Quote{q("A", yuan(1_060_000), 9), q("B", yuan(1_060_000), 4), q("C", yuan(1_050_000), 1)}, r, true, nil,
			Outcome{Result: Deal, Winner: "B", Price: yuan(1_060_000), Seq: 4, Highest: q("B", yuan(1_060_000), 4)}},
		{"tie at the top, earliest below the reserve under >", above, []Quote{q("A", r, 9), q("B", r, 4)}, r, true, nil,
			Outcome{Result: NoDeal, Reason: BelowReserve, Highest: q("B", r, 4)}},
		{"several bidders, no reserve, nobody joins", DefaultParams(), two, 0, false, nil,
			Outcome{Result: Deal, Winner: "B", Price: yuan(1_060_000), Seq: 2, Highest: q("B", yuan(1_060_000), 2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CloseListing(tt.p, tt.quotes, inc, tt.reserve, tt.hasReserve, tt.joined)
			if !strings.Contains(got.Basis, "国土资源部令第39号") {
				t.Errorf("basis %q lacks LO39", got.Basis)
			}
			if got.Reason == BelowReserve && !strings.Contains(got.Basis, "第五十条") {
				t.Errorf("below-reserve basis %q lacks AL 50", got.Basis)
			}
			if got.Result == TimedBidding && !strings.Contains(got.Basis, "汕头") {
				t.Errorf("timed-bidding basis %q lacks the online rule", got.Basis)
			}
			got.Basis = ""
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CloseListing =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

func TestReasonText(t *testing.T) {
	if NoValidQuote.Text() != "无有效报价" || BelowReserve.Text() != "最高报价未达到底价" || Reason("").Text() != "" {
		t.Error("reason texts")
	}
}

func TestCheckJoin(t *testing.T) {
	p := DefaultParams()
	closeAt := at(0)
	quotes := []Quote{q("A", yuan(100), 1), {Bidder: "C", Amount: 0, Seq: 2}}
	if got, want := JoinDeadline(p, closeAt), at(5*time.Minute); !got.Equal(want) {
		t.Fatalf("JoinDeadline = %v, want %v", got, want)
	}
	tests := []struct {
		name   string
		at     time.Time
		bidder string
		code   apperr.Code
		msg    string
	}{
		{"at the close", at(0), "A", "", ""},
		{"inside the window", at(4*time.Minute + 59*time.Second), "A", "", ""},
		{"last nanosecond", at(5*time.Minute - 1), "A", "", ""},
		{"exactly at the deadline is late", at(5 * time.Minute), "A", apperr.Deadline, "已过"},
		{"after the deadline", at(time.Hour), "A", apperr.Deadline, "5分钟"},
		{"before the close", at(-time.Second), "A", apperr.Conflict, "尚未截止"},
		{"no listing quote", at(time.Minute), "B", apperr.Forbidden, "未提交有效报价"},
		{"only an invalid quote", at(time.Minute), "C", apperr.Forbidden, "未提交有效报价"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckJoin(p, closeAt, tt.at, tt.bidder, quotes)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("CheckJoin = %v, want nil", err)
				}
				return
			}
			checkErr(t, err, tt.code, "汕头", tt.msg)
		})
	}
}

func TestCheckReserveEntry(t *testing.T) {
	p := DefaultParams()
	closeAt := at(10 * time.Hour)
	tests := []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"a day before", at(-14 * time.Hour), true},
		{"exactly 30 minutes before the close", closeAt.Add(-30 * time.Minute), true},
		{"one second late", closeAt.Add(-30*time.Minute + time.Second), false},
		{"at the close", closeAt, false},
		{"after the close", closeAt.Add(time.Minute), false},
	}
	for _, tt := range tests {
		err := CheckReserveEntry(p, tt.at, closeAt)
		if tt.ok {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		checkErr(t, err, apperr.Deadline, "汕头", "挂牌截止前30分钟")
	}
}

func TestCheckIncrementChange(t *testing.T) {
	p := DefaultParams()
	if err := CheckIncrementChange(p, yuan(10_000), yuan(5_000)); err != nil {
		t.Fatalf("change refused: %v", err)
	}
	checkErr(t, CheckIncrementChange(p, yuan(10_000), 0), apperr.Invalid, "", "大于零")
	checkErr(t, CheckIncrementChange(p, yuan(10_000), -yuan(1)), apperr.Invalid, "", "大于零")
	checkErr(t, CheckIncrementChange(p, yuan(10_000), yuan(10_000)), apperr.Invalid, "", "相同")
	p.IncrementMayChange.On = false
	checkErr(t, CheckIncrementChange(p, yuan(10_000), yuan(5_000)), apperr.Conflict, "第十七条", "不调整增价幅度")
}
