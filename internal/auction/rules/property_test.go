package rules

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/money"
)

func TestStartAscending(t *testing.T) {
	p := DefaultParams()
	listed := yuan(8_000_000)
	_, err := StartAscending(p, listed, inc, []string{"A"}, t0)
	checkErr(t, err, apperr.Conflict, BasisSOAL54, "合格意向受让方为1个", "协议转让")
	_, err = StartAscending(p, listed, inc, []string{"A", "A"}, t0)
	checkErr(t, err, apperr.Conflict, BasisSOAL54, "为1个")
	tm, err := StartAscending(p, listed, inc, []string{"A", "B"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	// Two buyers suffice (not MinAuctionBidders); the first quote may be
	// the listed price; raises are positive multiples of the increment.
	if err := tm.Bid("A", listed, 1, at(time.Minute)); err != nil {
		t.Fatal(err)
	}
	checkErr(t, tm.Bid("B", listed, 2, at(time.Minute)), apperr.Invalid, BasisIncrement, "下一个有效报价为¥8,010,000.00")
	checkErr(t, tm.Bid("B", listed+inc+1, 2, at(time.Minute)), apperr.Invalid, BasisIncrement, "整数倍")
	if err := tm.Bid("B", listed+2*inc, 2, at(time.Minute)); err != nil {
		t.Fatal(err)
	}
}

func TestCloseSealed(t *testing.T) {
	r := yuan(8_000_000)
	tests := []struct {
		name       string
		quotes     []Quote
		reserve    money.Fen
		hasReserve bool
		want       Outcome
	}{
		{"no quote", nil, r, true, Outcome{Result: NoDeal, Reason: NoValidQuote}},
		{"only invalid", []Quote{{Bidder: "A", Amount: 0, Seq: 1}, {Amount: r, Seq: 2}}, r, true, Outcome{Result: NoDeal, Reason: NoValidQuote}},
		{"highest wins", []Quote{q("A", yuan(8_100_000), 1), q("B", yuan(8_300_000), 2), q("C", yuan(8_200_000), 3)}, r, true,
			Outcome{Result: Deal, Winner: "B", Price: yuan(8_300_000), Seq: 2, Highest: q("B", yuan(8_300_000), 2)}},
		{"tie to the earliest commit", []Quote{q("A", yuan(8_300_000), 6), q("B", yuan(8_300_000), 2), q("C", yuan(8_300_000), 4)}, r, true,
			Outcome{Result: Deal, Winner: "B", Price: yuan(8_300_000), Seq: 2, Highest: q("B", yuan(8_300_000), 2)}},
		{"only the first quote of a bidder counts", []Quote{q("A", yuan(8_100_000), 1), q("B", yuan(8_200_000), 2), q("A", yuan(9_000_000), 3)}, r, true,
			Outcome{Result: Deal, Winner: "B", Price: yuan(8_200_000), Seq: 2, Highest: q("B", yuan(8_200_000), 2)}},
		{"equal to the reserve wins (lowest transfer price)", []Quote{q("A", r, 1)}, r, true,
			Outcome{Result: Deal, Winner: "A", Price: r, Seq: 1, Highest: q("A", r, 1)}},
		{"below the reserve never wins", []Quote{q("A", r-1, 1), q("B", r-100, 2)}, r, true,
			Outcome{Result: NoDeal, Reason: BelowReserve, Highest: q("A", r-1, 1)}},
		{"no reserve", []Quote{q("A", yuan(1), 1)}, r, false,
			Outcome{Result: Deal, Winner: "A", Price: yuan(1), Seq: 1, Highest: q("A", yuan(1), 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every rotation of the input gives the same outcome.
			for i := 0; i < max(1, len(tt.quotes)); i++ {
				in := append(append([]Quote{}, tt.quotes[min(i, len(tt.quotes)):]...), tt.quotes[:min(i, len(tt.quotes))]...)
				got := CloseSealed(in, tt.reserve, tt.hasReserve)
				if !strings.Contains(got.Basis, "令第32号") {
					t.Errorf("basis %q lacks O32", got.Basis)
				}
				if got.Reason == BelowReserve && !strings.Contains(got.Basis, "第五十五条") {
					t.Errorf("basis %q lacks SOAL 55", got.Basis)
				}
				got.Basis = ""
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("rotation %d: CloseSealed =\n %+v\nwant\n %+v", i, got, tt.want)
				}
			}
		})
	}
}

func TestCloseSealedIdenticalQuotesDeterministic(t *testing.T) {
	same := []Quote{{Bidder: "B", Amount: yuan(5), Seq: 1}, {Bidder: "A", Amount: yuan(5), Seq: 1}}
	for i := 0; i < 20; i++ {
		if o := CloseSealed(same, 0, false); o.Winner != "A" {
			t.Fatalf("winner %q, want A (fixed order on identical quotes)", o.Winner)
		}
	}
}

func TestCheckAgreement(t *testing.T) {
	listed := yuan(8_000_000)
	tests := []struct {
		name   string
		buyers int
		price  money.Fen
		listed money.Fen
		code   apperr.Code
		basis  string
		msg    string
	}{
		{"one buyer at the listed price", 1, listed, listed, "", "", ""},
		{"one buyer above it", 1, listed + 1, listed, "", "", ""},
		{"one buyer below it", 1, listed - 1, listed, apperr.Invalid, BasisSOAL55, "不得低于挂牌价"},
		{"two buyers: competitive bidding mandatory", 2, listed, listed, apperr.Conflict, BasisSOAL54, "征集到2个合格意向受让方，应当采用公开竞价"},
		{"five buyers", 5, listed * 2, listed, apperr.Conflict, BasisSOAL54, "不得协议转让"},
		{"no buyer", 0, listed, listed, apperr.Conflict, BasisO32, "没有合格意向受让方"},
		{"negative count", -1, listed, listed, apperr.Conflict, BasisO32, ""},
		{"no listed price", 1, listed, 0, apperr.Invalid, "", "挂牌价应大于零"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAgreement(tt.buyers, tt.price, tt.listed)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("CheckAgreement = %v, want nil", err)
				}
				return
			}
			checkErr(t, err, tt.code, tt.basis, tt.msg)
		})
	}
}

func TestCheckAgreementRounds(t *testing.T) {
	p := DefaultParams()
	checkErr(t, CheckAgreementRounds(p, 1), apperr.Conflict, "令第32号", "已进行1轮，须达到2轮")
	if err := CheckAgreementRounds(p, 2); err != nil {
		t.Error(err)
	}
	p.AgreementRounds.Value = 0
	if err := CheckAgreementRounds(p, 0); err != nil {
		t.Error(err)
	}
}
