package tender_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// opened makes opened bids in submission order, one minute apart.
func opened(prices ...money.Fen) []tender.Bid {
	var out []tender.Bid
	for i, p := range prices {
		id := ids.ID(fmt.Sprintf("bid-%c", 'A'+i))
		out = append(out, tender.Bid{ID: id, EntityID: ids.ID(fmt.Sprintf("ent-%c", 'A'+i)), Status: tender.BidOpened,
			SubmittedAt: time.Date(2026, 3, 10, 9, i, 0, 0, time.UTC), Opened: &tender.OpenedBid{BidContent: tender.BidContent{Price: p, DurationDays: 300}}})
	}
	return out
}

func names(bs []tender.Bid) map[ids.ID]string {
	m := map[ids.ID]string{}
	for _, b := range bs {
		m[b.EntityID] = "单位" + string(b.EntityID)
	}
	return m
}

func row(t *testing.T, r tender.Report, bidID ids.ID) tender.ReportRow {
	t.Helper()
	for _, x := range r.Rows {
		if x.BidID == bidID {
			return x
		}
	}
	t.Fatalf("no report row for %s", bidID)
	return tender.ReportRow{}
}

func candidateIDs(r tender.Report) []ids.ID {
	var out []ids.ID
	for _, c := range r.Candidates {
		out = append(out, c.BidID)
	}
	return out
}

func sameIDs(a, b []ids.ID) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func TestEvaluateLowestEvaluatedPrice(t *testing.T) {
	l := tender.Lot{ID: "lot", Method: tender.LowestPrice}
	// Submission order A..E.
	bs := opened(100_000, 102_000, 101_000, 101_000, 103_500)
	adj := map[ids.ID][3]money.Fen{
		"bid-A": {3000, 3000, 3001},    // mean 3000.33 → 3000 → 103000
		"bid-B": {0, 0, 0},             // 102000
		"bid-C": {1000, 1000, 1001},    // mean 1000.33 → 1000 → 102000
		"bid-D": {1000, 1000, 1000},    // 102000
		"bid-E": {-1000, -1000, -1002}, // mean -1000.67 → -1001 → 102499
	}
	var sheets []tender.ScoreSheet
	for m := 0; m < 3; m++ {
		sh := tender.ScoreSheet{LotID: l.ID, MemberID: ids.ID(fmt.Sprint("m", m))}
		for _, b := range bs {
			sh.Lines = append(sh.Lines, tender.SheetLine{BidID: b.ID, Pass: true, Adjustment: adj[b.ID][m]})
		}
		sheets = append(sheets, sh)
	}
	r := tender.Evaluate(l, bs, sheets, names(bs), 3)

	want := map[ids.ID]struct {
		eval money.Fen
		rank int
	}{
		"bid-C": {102_000, 1}, // ties B and D on evaluated price; lower price than B, earlier than D
		"bid-D": {102_000, 2},
		"bid-B": {102_000, 3},
		"bid-E": {102_499, 4},
		"bid-A": {103_000, 5},
	}
	for id, w := range want {
		got := row(t, r, id)
		if got.EvaluatedPrice != w.eval || got.Rank != w.rank || got.Rejected {
			t.Errorf("%s: evaluated %d rank %d rejected %v, want %d rank %d", id, got.EvaluatedPrice, got.Rank, got.Rejected, w.eval, w.rank)
		}
	}
	if got := candidateIDs(r); !sameIDs(got, []ids.ID{"bid-C", "bid-D", "bid-B"}) {
		t.Errorf("candidates %v, want C, D, B (at most 3, in rank order)", got)
	}
	if r.Failed {
		t.Error("report failed with responsive bids")
	}
	if c := r.Candidates[0]; c.EntityName != "单位ent-C" || c.Price != 101_000 {
		t.Errorf("first candidate %+v lacks name or price", c)
	}
}

func comprehensiveLot() tender.Lot {
	return tender.Lot{ID: "lot", Method: tender.Comprehensive, Scoring: tender.DefaultScoring()} // price 60, tech 30, biz 10
}

type verdict struct {
	pass      bool
	tech, biz int64
}

func sheetsFor(l tender.Lot, bs []tender.Bid, v map[ids.ID][]verdict) []tender.ScoreSheet {
	n := 0
	for _, x := range v {
		n = len(x)
	}
	var sheets []tender.ScoreSheet
	for m := 0; m < n; m++ {
		sh := tender.ScoreSheet{LotID: l.ID, MemberID: ids.ID(fmt.Sprint("m", m))}
		for _, b := range bs {
			x := v[b.ID][m]
			ln := tender.SheetLine{BidID: b.ID, Pass: x.pass}
			if x.pass {
				ln.Scores = map[string]int64{"tech": x.tech, "biz": x.biz}
			} else {
				ln.Reason = fmt.Sprintf("成员%d：工期不满足要求", m)
			}
			sh.Lines = append(sh.Lines, ln)
		}
		sheets = append(sheets, sh)
	}
	return sheets
}

func TestEvaluateComprehensiveScoring(t *testing.T) {
	l := comprehensiveLot()
	// A 100000, B 110000, C 128000, D 105000 (submitted after B),
	// R 90000 (failed by the majority), F 80000 (rejected at the opening).
	bs := opened(100_000, 110_000, 128_000, 105_000, 90_000, 80_000)
	bs[5].Reject = []string{"投标报价高于最高投标限价（《招标投标法实施条例》第五十一条第五项）"}
	p := func(tech, biz int64) verdict { return verdict{true, tech, biz} }
	fail := verdict{}
	v := map[ids.ID][]verdict{
		"bid-A": {p(2400, 800), p(2500, 800), p(2600, 801)},
		"bid-B": {p(2700, 1000), p(2800, 1000), p(2900, 1000)},
		"bid-C": {p(3000, 1000), p(3000, 1000), p(3000, 1000)},
		"bid-D": {p(3000, 667), p(3000, 667), p(2623, 667)},
		"bid-E": {fail, fail, p(3000, 1000)},
		"bid-F": {p(3000, 1000), p(3000, 1000), p(3000, 1000)},
	}
	r := tender.Evaluate(l, bs, sheetsFor(l, bs, v), names(bs), 3)

	// The lowest valid price is A's 100000: R and F are not responsive, so
	// their lower prices do not set the base.
	want := map[ids.ID]struct{ price, other, total int64 }{
		"bid-A": {6000, 2500 + 800, 9300},  // 6000×100000/100000; (2400+2500+2600)/3; 2401/3 = 800.33 → 800
		"bid-B": {5455, 2800 + 1000, 9255}, // 600000000/110000 = 5454.55 → 5455
		"bid-C": {4688, 3000 + 1000, 8688}, // 600000000/128000 = 4687.5 → 4688 (half rounds up)
		"bid-D": {5714, 2874 + 667, 9255},  // 5714.29 → 5714; 8623/3 = 2874.33 → 2874
		"bid-E": {0, 0, 0},                 // rejected
		"bid-F": {0, 0, 0},                 // rejected
	}
	for id, w := range want {
		got := row(t, r, id)
		if got.PriceScore != w.price || got.OtherScore != w.other || got.Total != w.total {
			t.Errorf("%s: price %d other %d total %d, want %d %d %d", id, got.PriceScore, got.OtherScore, got.Total, w.price, w.other, w.total)
		}
	}
	ranks := map[ids.ID]int{"bid-A": 1, "bid-D": 2, "bid-B": 3, "bid-C": 4, "bid-E": 0, "bid-F": 0}
	for id, rank := range ranks {
		if got := row(t, r, id).Rank; got != rank {
			t.Errorf("%s rank %d, want %d (equal totals rank the lower price first)", id, got, rank)
		}
	}
	if got := candidateIDs(r); !sameIDs(got, []ids.ID{"bid-A", "bid-D", "bid-B"}) {
		t.Errorf("candidates %v", got)
	}
	e := row(t, r, "bid-E")
	if !e.Rejected || len(e.Reasons) != 1 || !strings.Contains(e.Reasons[0], "成员0：工期不满足要求") || !strings.Contains(e.Reasons[0], "成员1：工期不满足要求") {
		t.Errorf("majority-failed bid: %+v", e)
	}
	f := row(t, r, "bid-F")
	if !f.Rejected || len(f.Reasons) != 1 || !strings.Contains(f.Reasons[0], "最高投标限价") {
		t.Errorf("automatic rejection not carried: %+v", f)
	}
}

func TestEvaluateMeanCountsOnlyMembersWhoScored(t *testing.T) {
	// A member in the minority who fails a bid gives it no scores; the bid
	// stays responsive, and its subjective score is the mean of the members
	// who scored it, not diluted by the missing sheet.
	l := comprehensiveLot()
	bs := opened(100_000, 100_000)
	v := map[ids.ID][]verdict{
		"bid-A": {{true, 2400, 800}, {true, 2400, 800}, {true, 2400, 800}},
		"bid-B": {{false, 0, 0}, {true, 3000, 1000}, {true, 2700, 900}},
	}
	r := tender.Evaluate(l, bs, sheetsFor(l, bs, v), names(bs), 3)
	b := row(t, r, "bid-B")
	if b.Rejected {
		t.Fatalf("a minority fail rejected the bid: %+v", b)
	}
	if b.OtherScore != 2850+950 || b.Total != 6000+3800 || b.Rank != 1 {
		t.Errorf("bid B other %d total %d rank %d, want 3800, 9800, 1", b.OtherScore, b.Total, b.Rank)
	}

	lp := tender.Lot{ID: "lot", Method: tender.LowestPrice}
	sheets := []tender.ScoreSheet{
		{MemberID: "m0", Lines: []tender.SheetLine{{BidID: "bid-A", Pass: true, Adjustment: 900}, {BidID: "bid-B", Pass: false, Reason: "资格不符"}}},
		{MemberID: "m1", Lines: []tender.SheetLine{{BidID: "bid-A", Pass: true, Adjustment: 900}, {BidID: "bid-B", Pass: true, Adjustment: 3000}}},
		{MemberID: "m2", Lines: []tender.SheetLine{{BidID: "bid-A", Pass: true, Adjustment: 900}, {BidID: "bid-B", Pass: true, Adjustment: 3000}}},
	}
	r = tender.Evaluate(lp, bs, sheets, names(bs), 3)
	if got := row(t, r, "bid-B").EvaluatedPrice; got != 103_000 {
		t.Errorf("bid B evaluated %d, want 103000 (mean of the two adjustments given)", got)
	}
	if got := candidateIDs(r); !sameIDs(got, []ids.ID{"bid-A", "bid-B"}) {
		t.Errorf("candidates %v, want A (100900) before B (103000)", got)
	}
}

func TestEvaluateComplianceNeedsMajority(t *testing.T) {
	for _, tc := range []struct {
		members, fails int
		rejected       bool
	}{
		{5, 2, false}, {5, 3, true}, {3, 1, false}, {3, 2, true}, {7, 3, false}, {7, 4, true},
	} {
		t.Run(fmt.Sprintf("%dOf%dFail", tc.fails, tc.members), func(t *testing.T) {
			l := tender.Lot{ID: "lot", Method: tender.LowestPrice}
			bs := opened(100_000, 120_000, 130_000)
			var sheets []tender.ScoreSheet
			for m := 0; m < tc.members; m++ {
				sh := tender.ScoreSheet{MemberID: ids.ID(fmt.Sprint("m", m))}
				for _, b := range bs {
					ln := tender.SheetLine{BidID: b.ID, Pass: true}
					if b.ID == "bid-A" && m < tc.fails {
						ln.Pass, ln.Reason = false, "未按要求提供授权委托书"
					}
					sh.Lines = append(sh.Lines, ln)
				}
				sheets = append(sheets, sh)
			}
			r := tender.Evaluate(l, bs, sheets, names(bs), 3)
			a := row(t, r, "bid-A")
			if a.Rejected != tc.rejected {
				t.Fatalf("rejected = %v, want %v", a.Rejected, tc.rejected)
			}
			first := "bid-A"
			if tc.rejected {
				first = "bid-B"
				if a.Rank != 0 || !strings.Contains(strings.Join(a.Reasons, ""), "未按要求提供授权委托书") {
					t.Errorf("rejected row %+v", a)
				}
			}
			if r.Candidates[0].BidID != ids.ID(first) {
				t.Errorf("first candidate %s, want %s", r.Candidates[0].BidID, first)
			}
		})
	}
}

func TestEvaluateAllRejectedFails(t *testing.T) {
	l := comprehensiveLot()
	bs := opened(100_000, 110_000, 120_000)
	bs[0].Reject = []string{"与其他投标人的法定代表人为同一人"}
	bs[1].Reject = []string{"与其他投标人的法定代表人为同一人"}
	v := map[ids.ID][]verdict{
		"bid-A": {{true, 3000, 1000}, {true, 3000, 1000}, {true, 3000, 1000}},
		"bid-B": {{true, 3000, 1000}, {true, 3000, 1000}, {true, 3000, 1000}},
		"bid-C": {{false, 0, 0}, {false, 0, 0}, {true, 3000, 1000}},
	}
	r := tender.Evaluate(l, bs, sheetsFor(l, bs, v), names(bs), 3)
	if !r.Failed || len(r.Candidates) != 0 {
		t.Fatalf("failed %v candidates %v, want failed with none", r.Failed, r.Candidates)
	}
	for _, x := range r.Rows {
		if !x.Rejected || x.Rank != 0 || len(x.Reasons) == 0 {
			t.Errorf("row %+v", x)
		}
	}
}

func TestEvaluateCandidatesAreAtMostMax(t *testing.T) {
	l := tender.Lot{ID: "lot", Method: tender.LowestPrice}
	bs := opened(500, 400, 300, 200, 100)
	sh := tender.ScoreSheet{MemberID: "m0"}
	for _, b := range bs {
		sh.Lines = append(sh.Lines, tender.SheetLine{BidID: b.ID, Pass: true})
	}
	r := tender.Evaluate(l, bs, []tender.ScoreSheet{sh}, names(bs), 3)
	if got := candidateIDs(r); !sameIDs(got, []ids.ID{"bid-E", "bid-D", "bid-C"}) {
		t.Fatalf("candidates %v", got)
	}
	for i, c := range r.Candidates {
		if c.Rank != i+1 {
			t.Errorf("candidate %d has rank %d", i, c.Rank)
		}
	}
	if row(t, r, "bid-A").Rank != 5 {
		t.Error("non-candidates still ranked")
	}
}
