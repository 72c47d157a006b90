package tender_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/fixture"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
)

// inPublicity is a lot with four bids evaluated at the deadline (Monday
// 03-23 09:30), so its candidate publicity ends at the end of Thursday 03-26.
// Bidder i bids 9,000,000 − i×100,000: candidates are bidders 3, 2, 1.
func inPublicity(t *testing.T, o fixture.LotOptions) (*fixture.World, tender.Lot, tender.Report) {
	t.Helper()
	w := newWorld(t)
	l := w.PublishedLot(t, o)
	for i := 0; i < 4; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00-int64(i)*100_000_00))
	}
	w.PassDeadline(t, l.ID)
	rep := w.Evaluate(t, l.ID)
	l = lot(t, w, l.ID)
	if l.Status != tender.Publicity || !l.PublicityUntil.Equal(bj(2026, 3, 27, 0, 0)) {
		t.Fatalf("lot %s publicity until %v", l.Status, l.PublicityUntil)
	}
	if len(rep.Candidates) != 3 || rep.Candidates[0].EntityID != w.Bidders[3].ID || rep.Candidates[1].EntityID != w.Bidders[2].ID {
		t.Fatalf("candidates %+v", rep.Candidates)
	}
	return w, l, rep
}

func TestDecideAward(t *testing.T) {
	const reason = "排名第一的中标候选人书面放弃中标，依次确定排名第二的候选人。"
	t.Run("BeforeThePublicityEndsIsRefusedWithBasis", func(t *testing.T) {
		w, l, rep := inPublicity(t, fixture.LotOptions{})
		w.Clock.Set(l.PublicityUntil.Add(-time.Second))
		_, err := w.Tender.DecideAward(ctx, w.Actor("agency"), l.ID, tender.AwardInput{BidID: rep.Candidates[0].BidID})
		wantErr(t, err, apperr.Deadline, "第五十四条")
	})
	t.Run("TheFirstCandidateIsAwardedWhenThePublicityEnds", func(t *testing.T) {
		w, l, rep := inPublicity(t, fixture.LotOptions{StateFunded: true})
		w.Clock.Set(l.PublicityUntil)
		_, err := w.Tender.DecideAward(ctx, bidder(w, 3), l.ID, tender.AwardInput{BidID: rep.Candidates[0].BidID})
		wantErr(t, err, apperr.Forbidden, "")
		a, err := w.Tender.DecideAward(ctx, w.Actor("principal"), l.ID, tender.AwardInput{BidID: rep.Candidates[0].BidID})
		noErr(t, err)
		if a.Rank != 1 || a.EntityID != w.Bidders[3].ID || a.Price != 8_700_000_00 || !a.NotifiedAt.Equal(l.PublicityUntil) {
			t.Errorf("award %+v", a)
		}
		if got := lot(t, w, l.ID); got.Status != tender.Awarded {
			t.Errorf("status %s", got.Status)
		}
		if ns := notices(t, w, l.ID, tender.NoticeAward); len(ns) != 1 || !ns[0].Public || !strings.Contains(ns[0].Body, w.Bidders[3].Name) {
			t.Errorf("award notices %+v", ns)
		}
		var due []jobs.Job
		for _, j := range w.Jobs.Jobs {
			if j.Kind == jobs.ContractDue && j.Subject == l.ID {
				due = append(due, j)
			}
		}
		// 03-27 + 30 days = Sunday 04-26 → Monday 04-27; due at its end.
		if len(due) != 1 || !due[0].RunAt.Equal(bj(2026, 4, 28, 0, 0)) {
			t.Errorf("contract due jobs %+v", due)
		}
		_, err = w.Tender.DecideAward(ctx, w.Actor("principal"), l.ID, tender.AwardInput{BidID: rep.Candidates[0].BidID})
		wantErr(t, err, apperr.Conflict, "")
	})
	t.Run("StateFundedRankTwoWithoutReasonIsRefusedWithBasis", func(t *testing.T) {
		w, l, rep := inPublicity(t, fixture.LotOptions{StateFunded: true})
		w.Clock.Set(l.PublicityUntil)
		_, err := w.Tender.DecideAward(ctx, w.Actor("agency"), l.ID, tender.AwardInput{BidID: rep.Candidates[1].BidID, ExceptionReason: "价格合适"})
		if e := wantErr(t, err, apperr.Invalid, "《招标投标法实施条例》第五十五条"); e.Fields["exception_reason"] == "" {
			t.Errorf("fields %v", e.Fields)
		}
		a, err := w.Tender.DecideAward(ctx, w.Actor("agency"), l.ID, tender.AwardInput{BidID: rep.Candidates[1].BidID, ExceptionReason: reason})
		noErr(t, err)
		if a.Rank != 2 || a.ExceptionReason != reason || a.EntityID != w.Bidders[2].ID {
			t.Errorf("award %+v", a)
		}
		if ns := notices(t, w, l.ID, tender.NoticeAward); len(ns) != 1 || !strings.Contains(ns[0].Body, reason) {
			t.Errorf("the notice does not state the reason: %+v", ns)
		}
	})
	t.Run("PrivatelyFundedRankTwoNeedsNoReason", func(t *testing.T) {
		w, l, rep := inPublicity(t, fixture.LotOptions{})
		w.Clock.Set(l.PublicityUntil)
		a, err := w.Tender.DecideAward(ctx, w.Actor("agency"), l.ID, tender.AwardInput{BidID: rep.Candidates[1].BidID})
		noErr(t, err)
		if a.Rank != 2 {
			t.Errorf("award %+v", a)
		}
	})
	t.Run("ANonCandidateIsRefused", func(t *testing.T) {
		w, l, rep := inPublicity(t, fixture.LotOptions{})
		w.Clock.Set(l.PublicityUntil)
		var fourth ids.ID
		for _, r := range rep.Rows {
			if r.Rank == 4 {
				fourth = r.BidID
			}
		}
		for _, id := range []ids.ID{fourth, "no-such-bid"} {
			_, err := w.Tender.DecideAward(ctx, w.Actor("agency"), l.ID, tender.AwardInput{BidID: id, ExceptionReason: reason})
			if e := wantErr(t, err, apperr.Invalid, "《招标投标法》第四十条"); e.Fields["bid_id"] == "" {
				t.Errorf("fields %v", e.Fields)
			}
		}
	})
	t.Run("APublicityObjectionBlocksTheAwardUntilAnswered", func(t *testing.T) {
		w, l, rep := inPublicity(t, fixture.LotOptions{})
		w.Clock.Set(bj(2026, 3, 25, 10, 0))
		const text = "第一中标候选人项目经理有在建工程，不满足招标文件要求。"
		_, err := w.Tender.FileObjection(ctx, bidder(w, 5), l.ID, tender.ObjectPublicity, text)
		wantErr(t, err, apperr.Forbidden, "")
		o, err := w.Tender.FileObjection(ctx, bidder(w, 0), l.ID, tender.ObjectPublicity, text)
		noErr(t, err)
		if !lot(t, w, l.ID).Suspended {
			t.Fatal("not suspended")
		}
		w.Clock.Set(l.PublicityUntil)
		_, err = w.Tender.DecideAward(ctx, w.Actor("agency"), l.ID, tender.AwardInput{BidID: rep.Candidates[0].BidID})
		wantErr(t, err, apperr.Conflict, "第五十四条")
		_, err = w.Tender.FileObjection(ctx, bidder(w, 1), l.ID, tender.ObjectPublicity, text)
		wantErr(t, err, apperr.Deadline, "第五十四条")
		_, err = w.Tender.AnswerObjection(ctx, w.Actor("agency"), o.ID, "经评标委员会复核，该项目经理无在建工程，异议不成立。")
		noErr(t, err)
		_, err = w.Tender.DecideAward(ctx, w.Actor("agency"), l.ID, tender.AwardInput{BidID: rep.Candidates[0].BidID})
		noErr(t, err)
	})
}

func TestCheckObjectionDue(t *testing.T) {
	const text = "第一中标候选人业绩证明材料与实际不符，请核查。"
	setup := func(t *testing.T) (*fixture.World, tender.Lot, tender.Objection) {
		w, l, _ := inPublicity(t, fixture.LotOptions{})
		w.Clock.Set(bj(2026, 3, 25, 10, 0)) // Wednesday: day 3 is Saturday 03-28 → Monday 03-30
		o, err := w.Tender.FileObjection(ctx, bidder(w, 0), l.ID, tender.ObjectPublicity, text)
		noErr(t, err)
		if !o.DueAt.Equal(bj(2026, 3, 31, 0, 0)) {
			t.Fatalf("due %v", o.DueAt)
		}
		return w, l, o
	}
	t.Run("UnansweredAtTheDueTimeWarns", func(t *testing.T) {
		w, l, o := setup(t)
		w.Clock.Set(o.DueAt.Add(-time.Second))
		wantNotDue(t, w.Tender.CheckObjectionDue(ctx, o.ID), o.DueAt)
		if n := len(warnings(t, w, l.ID)); n != 0 {
			t.Fatalf("%d warnings before the due time", n)
		}
		w.Clock.Set(o.DueAt)
		noErr(t, w.Tender.CheckObjectionDue(ctx, o.ID))
		if kinds := warningKinds(t, w, l.ID); len(kinds) != 1 || kinds[0] != "objection.overdue" {
			t.Errorf("warnings %v", kinds)
		}
		if types := ledgerTypes(t, w, l.Code); count(types, "warning.objection_overdue") != 1 {
			t.Errorf("ledger %v", types)
		}
	})
	t.Run("AnsweredInTimeDoesNotWarn", func(t *testing.T) {
		w, l, o := setup(t)
		_, err := w.Tender.AnswerObjection(ctx, w.Actor("agency"), o.ID, "经复核，业绩材料真实有效。")
		noErr(t, err)
		w.Clock.Set(o.DueAt.Add(time.Hour))
		noErr(t, w.Tender.CheckObjectionDue(ctx, o.ID))
		if n := len(warnings(t, w, l.ID)); n != 0 {
			t.Errorf("%d warnings", n)
		}
	})
}

// awarded is inPublicity's lot awarded to the first candidate on Friday
// 03-27 10:00: the contract is due by the end of Monday 04-27.
func awarded(t *testing.T) (*fixture.World, tender.Lot, tender.Award) {
	t.Helper()
	w, l, rep := inPublicity(t, fixture.LotOptions{})
	w.Clock.Set(bj(2026, 3, 27, 10, 0))
	a, err := w.Tender.DecideAward(ctx, w.Actor("agency"), l.ID, tender.AwardInput{BidID: rep.Candidates[0].BidID})
	noErr(t, err)
	return w, l, a
}

func TestRecordContract(t *testing.T) {
	t.Run("AnAmountOtherThanTheAwardPriceIsRefused", func(t *testing.T) {
		w, l, a := awarded(t)
		w.Clock.Set(bj(2026, 4, 10, 10, 0))
		for _, amt := range []money.Fen{a.Price - 1, a.Price + 100_000_00, 0} {
			basis := "第四十六条" // a different amount departs from the award
			if amt == 0 {
				basis = ""
			}
			_, err := w.Tender.RecordContract(ctx, w.Actor("agency"), l.ID, bj(2026, 4, 10, 9, 0), amt)
			if e := wantErr(t, err, apperr.Invalid, basis); e.Fields["amount"] == "" {
				t.Errorf("amount %d: fields %v", amt, e.Fields)
			}
		}
		if lot(t, w, l.ID).Status != tender.Awarded {
			t.Error("status changed")
		}
	})
	t.Run("ASigningDateBeforeTheAwardOrInTheFutureIsRefused", func(t *testing.T) {
		w, l, a := awarded(t)
		w.Clock.Set(bj(2026, 4, 10, 10, 0))
		for _, d := range []time.Time{bj(2026, 3, 26, 10, 0), bj(2026, 4, 11, 10, 0), {}} {
			_, err := w.Tender.RecordContract(ctx, w.Actor("agency"), l.ID, d, a.Price)
			if e := wantErr(t, err, apperr.Invalid, ""); e.Fields["signed_at"] == "" {
				t.Errorf("signed %v: fields %v", d, e.Fields)
			}
		}
	})
	t.Run("WithinThirtyDaysRecordsWithoutWarning", func(t *testing.T) {
		w, l, a := awarded(t)
		w.Clock.Set(bj(2026, 4, 28, 9, 0))
		c, err := w.Tender.RecordContract(ctx, w.Actor("agency"), l.ID, bj(2026, 4, 27, 23, 0), a.Price)
		noErr(t, err)
		if c.Amount != a.Price {
			t.Errorf("contract %+v", c)
		}
		if got := lot(t, w, l.ID); got.Status != tender.Contracted {
			t.Errorf("status %s", got.Status)
		}
		if kinds := warningKinds(t, w, l.ID); len(kinds) != 0 {
			t.Errorf("warnings %v", kinds)
		}
		if ns := notices(t, w, l.ID, tender.NoticeContract); len(ns) != 1 || !ns[0].Public {
			t.Errorf("contract notices %+v", ns)
		}
		_, err = w.Tender.RecordContract(ctx, w.Actor("agency"), l.ID, bj(2026, 4, 27, 23, 0), a.Price)
		wantErr(t, err, apperr.Conflict, "")
	})
	t.Run("AfterThirtyDaysRecordsWithALateWarning", func(t *testing.T) {
		w, l, a := awarded(t)
		w.Clock.Set(bj(2026, 4, 29, 9, 0))
		_, err := w.Tender.RecordContract(ctx, w.Actor("agency"), l.ID, bj(2026, 4, 28, 10, 0), a.Price)
		noErr(t, err)
		ws := warnings(t, w, l.ID)
		if len(ws) != 1 || ws[0].Kind != "contract.late" || !strings.Contains(ws[0].Basis, "第四十六条") {
			t.Errorf("warnings %+v", ws)
		}
	})
}

func TestCheckContractDue(t *testing.T) {
	t.Run("UnsignedAfterThirtyDaysWarns", func(t *testing.T) {
		w, l, _ := awarded(t)
		w.Clock.Set(bj(2026, 4, 27, 23, 59))
		wantNotDue(t, w.Tender.CheckContractDue(ctx, l.ID), bj(2026, 4, 28, 0, 0))
		if n := len(warnings(t, w, l.ID)); n != 0 {
			t.Fatalf("%d warnings within the 30 days", n)
		}
		w.Clock.Set(bj(2026, 4, 28, 0, 0))
		noErr(t, w.Tender.CheckContractDue(ctx, l.ID))
		ws := warnings(t, w, l.ID)
		if len(ws) != 1 || ws[0].Kind != "contract.overdue" || !strings.Contains(ws[0].Basis, "第四十六条") {
			t.Errorf("warnings %+v", ws)
		}
		if types := ledgerTypes(t, w, l.Code); count(types, "warning.contract_overdue") != 1 {
			t.Errorf("ledger %v", types)
		}
	})
	t.Run("SignedInTimeDoesNotWarn", func(t *testing.T) {
		w, l, a := awarded(t)
		w.Clock.Set(bj(2026, 4, 20, 10, 0))
		_, err := w.Tender.RecordContract(ctx, w.Actor("agency"), l.ID, bj(2026, 4, 20, 9, 0), a.Price)
		noErr(t, err)
		w.Clock.Set(bj(2026, 5, 10, 0, 0))
		noErr(t, w.Tender.CheckContractDue(ctx, l.ID))
		if n := len(warnings(t, w, l.ID)); n != 0 {
			t.Errorf("%d warnings", n)
		}
	})
}

// TestWarningsBySupervisingDepartment: a supervisor sees the warnings of its
// own department's projects only; bidders see none.
func TestWarningsBySupervisingDepartment(t *testing.T) {
	w, l, _ := awarded(t)
	w.Clock.Set(bj(2026, 4, 28, 0, 0))
	noErr(t, w.Tender.CheckContractDue(ctx, l.ID))
	u, err := w.Party.CreateUser(ctx, party.System(), party.UserInput{Username: "shuili", Name: "水利监督员", Password: fixture.Password, Role: party.RoleSupervisor, Department: "水利"})
	noErr(t, err)
	own, err := w.Tender.Warnings(ctx, w.Actor("supervisor")) // 住建, the project's department
	noErr(t, err)
	other, err := w.Tender.Warnings(ctx, u.Actor("127.0.0.1"))
	noErr(t, err)
	ops, err := w.Tender.Warnings(ctx, w.Actor("operator"))
	noErr(t, err)
	if len(own) != 1 || len(other) != 0 || len(ops) != 1 {
		t.Fatalf("住建 %d, 水利 %d, operator %d warnings; want 1, 0, 1", len(own), len(other), len(ops))
	}
	if _, err := w.Tender.Warnings(ctx, bidder(w, 0)); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a bidder read the warnings: %v", err)
	}
}

// wantNotDue checks that a job that ran early asks to run again at the due time.
func wantNotDue(t *testing.T, err error, at time.Time) {
	t.Helper()
	var nd *tender.NotDueError
	if !errors.As(err, &nd) || !nd.At.Equal(at) {
		t.Fatalf("early run: %v, want NotDueError at %v", err, at)
	}
}

// TestCheckPublicityEnd: at the end of the publicity the ledger records that
// it ran its full period and how many objections it drew; an early run asks
// to come back at the end.
func TestCheckPublicityEnd(t *testing.T) {
	w := fixture.New(t, testkit.OpenSQLite(t))
	l := w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00+i*10_000_00))
	}
	w.PassDeadline(t, l.ID)
	w.Evaluate(t, l.ID)
	lt, err := w.GetLot(l.ID)
	noErr(t, err)
	w.Clock.Set(lt.PublicityUntil.Add(-time.Minute))
	wantNotDue(t, w.Tender.CheckPublicityEnd(ctx, l.ID), lt.PublicityUntil)
	w.Clock.Set(lt.PublicityUntil)
	noErr(t, w.Tender.CheckPublicityEnd(ctx, l.ID))
	if types := ledgerTypes(t, w, l.Code); count(types, "publicity.ended") != 1 {
		t.Fatalf("ledger %v", types)
	}
}
