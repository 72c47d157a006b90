package tender_test

import (
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/draw"
	"ggzy/internal/fixture"
	"ggzy/internal/ids"
	"ggzy/internal/party"
	"ggzy/internal/scoring"
	"ggzy/internal/store"
	"ggzy/internal/tender"
)

// roomLot is a comprehensive lot with 3 opened bids and a formed, started
// committee; it returns the members' actors (the principal's rep first).
func roomLot(t *testing.T) (*fixture.World, tender.Lot, []party.Actor, []tender.Bid) {
	t.Helper()
	w := newWorld(t)
	l := openedLot(t, w, fixture.LotOptions{Method: tender.Comprehensive}, 3)
	return w, lot(t, w, l.ID), committee(t, w, l.ID), evaluable(t, w, l.ID)
}

func room(t *testing.T, w *fixture.World, a party.Actor, lotID ids.ID) tender.RoomView {
	t.Helper()
	v, err := w.Tender.ViewRoom(ctx, a, lotID)
	noErr(t, err)
	return v
}

// TestDeviationsMustBeExplained: a score far from the committee mean holds
// the evaluation until its member explains it in writing.
func TestDeviationsMustBeExplained(t *testing.T) {
	w, l, ms, bs := roomLot(t)
	var tech string
	for _, it := range l.Scoring {
		if !it.Price && tech == "" {
			tech = it.Key
		}
	}
	// Before submitting, a member sees progress but not the others' sheets.
	_, err := w.SubmitSheet(t, ms[0], l.ID, passAll(l, bs))
	noErr(t, err)
	if v := room(t, w, ms[1], l.ID); len(v.Sheets) != 0 || len(v.Submitted) != 1 {
		t.Fatalf("before submitting: %d sheets visible, %d submitted", len(v.Sheets), len(v.Submitted))
	}
	for _, a := range ms[1 : len(ms)-1] {
		_, err := w.SubmitSheet(t, a, l.ID, passAll(l, bs))
		noErr(t, err)
	}
	if v := room(t, w, ms[1], l.ID); len(v.Sheets) != 3 {
		t.Fatalf("after submitting: %d others' sheets", len(v.Sheets))
	}
	// The last member scores bid 0's technical item at 40 % instead of 80 %.
	low := passAll(l, bs)
	for _, it := range l.Scoring {
		if it.Key == tech {
			low[0].Scores[tech] = it.Max * 4 / 10
		}
	}
	last := ms[len(ms)-1]
	_, err = w.SubmitSheet(t, last, l.ID, low)
	noErr(t, err)
	v := room(t, w, last, l.ID)
	if v.Room.Status != tender.RoomExplaining || len(v.Deviations) != 1 || v.Deviations[0].BidID != bs[0].ID || v.Deviations[0].Item != tech {
		t.Fatalf("room %s deviations %+v", v.Room.Status, v.Deviations)
	}
	if lot(t, w, l.ID).Status != tender.Evaluating {
		t.Fatal("the evaluation finished with an unexplained deviation")
	}
	err = w.Tender.ExplainDeviation(ctx, ms[0], l.ID, bs[0].ID, tech, "我没有偏离，但想说明")
	wantErr(t, err, apperr.NotFound, "")
	err = w.Tender.ExplainDeviation(ctx, last, l.ID, bs[0].ID, tech, "短")
	wantErr(t, err, apperr.Invalid, "")
	noErr(t, w.Tender.ExplainDeviation(ctx, last, l.ID, bs[0].ID, tech, "该投标人施工组织设计缺少雨季施工措施，故扣分较多"))
	if got := lot(t, w, l.ID); got.Status != tender.Publicity {
		t.Fatalf("after the explanation: %s", got.Status)
	}
	types := ledgerTypes(t, w, l.Code)
	if !contains(types, "evaluation.deviations_flagged") || !contains(types, "evaluation.deviation_explained") {
		t.Fatalf("ledger %v", types)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestChairElectionAndExtension: a majority elects the chair; more than a
// third saying time is insufficient extends the evaluation (TBR 48).
func TestChairElectionAndExtension(t *testing.T) {
	w, l, ms, _ := roomLot(t)
	v := room(t, w, ms[0], l.ID)
	cand := v.Members[1].ID
	before, err := w.Tender.RoomVersion(ctx, w.Actor("supervisor"), l.ID)
	noErr(t, err)
	_, err = w.Tender.RoomVersion(ctx, w.Actor("bidder1"), l.ID)
	wantErr(t, err, apperr.NotFound, "")
	for i := 0; i < 2; i++ {
		r, err := w.Tender.Vote(ctx, ms[i], l.ID, tender.VoteChair, cand)
		noErr(t, err)
		if r.Chair != "" {
			t.Fatalf("chair elected by %d of 5", i+1)
		}
	}
	if after, err := w.Tender.RoomVersion(ctx, ms[0], l.ID); err != nil || after <= before {
		t.Fatalf("room version %d after two votes, %d before (%v)", after, before, err)
	}
	_, err = w.Tender.Vote(ctx, ms[2], l.ID, tender.VoteChair, "not-a-member")
	wantErr(t, err, apperr.Invalid, "")
	r, err := w.Tender.Vote(ctx, ms[2], l.ID, tender.VoteChair, cand)
	noErr(t, err)
	if r.Chair != cand {
		t.Fatalf("chair %q, want %q", r.Chair, cand)
	}
	_, err = w.Tender.Vote(ctx, w.Actor("bidder1"), l.ID, tender.VoteChair, cand)
	wantErr(t, err, apperr.Forbidden, "")

	ends := r.EndsAt
	r, err = w.Tender.Vote(ctx, ms[0], l.ID, tender.VoteExtend, "")
	noErr(t, err)
	if !r.EndsAt.Equal(ends) {
		t.Fatal("extended by 1 of 5")
	}
	r, err = w.Tender.Vote(ctx, ms[0], l.ID, tender.VoteExtend, "") // the same member again counts once
	noErr(t, err)
	if !r.EndsAt.Equal(ends) {
		t.Fatal("extended by one member voting twice")
	}
	r, err = w.Tender.Vote(ctx, ms[1], l.ID, tender.VoteExtend, "")
	noErr(t, err)
	if !r.EndsAt.Equal(ends.Add(tender.DefaultEvalPolicy().Extension)) || r.Extensions != 1 {
		t.Fatalf("2 of 5: ends %v (was %v), extensions %d", r.EndsAt, ends, r.Extensions)
	}
	if !contains(ledgerTypes(t, w, l.Code), "evaluation.extended") {
		t.Fatal("no ledger entry for the extension")
	}
}

// TestRoomFailureTimers on a fake clock: before the start the principal
// decides after 2 hours; during the evaluation the committee is re-formed
// after 4 hours.
func TestRoomFailureTimers(t *testing.T) {
	t.Run("BeforeTheStart", func(t *testing.T) {
		w := newWorld(t)
		l := openedLot(t, w, fixture.LotOptions{}, 3)
		formWithoutStarting(t, w, l.ID)
		_, err := w.Tender.DeclareFailure(ctx, w.Actor("agency"), l.ID, "异地分会场网络中断")
		wantErr(t, err, apperr.Forbidden, "")
		r, err := w.Tender.DeclareFailure(ctx, w.Actor("operator"), l.ID, "异地分会场网络中断")
		noErr(t, err)
		if r.Status != tender.RoomInterrupted || !r.ResumeBy.Equal(w.Clock.Now().Add(2*time.Hour)) {
			t.Fatalf("room %+v", r)
		}
		w.Clock.Advance(119 * time.Minute)
		noErr(t, w.Tender.RoomFailureDue(ctx, l.ID)) // early: nothing
		if s := room(t, w, w.Actor("operator"), l.ID).Room.Status; s != tender.RoomInterrupted {
			t.Fatalf("early: %s", s)
		}
		w.Clock.Advance(2 * time.Minute)
		_, err = w.Tender.Resume(ctx, w.Actor("operator"), l.ID)
		wantErr(t, err, apperr.Deadline, "")
		noErr(t, w.Tender.RoomFailureDue(ctx, l.ID))
		if s := room(t, w, w.Actor("operator"), l.ID).Room.Status; s != tender.RoomDecision {
			t.Fatalf("after 2 hours: %s", s)
		}
		_, err = w.Tender.DecideAfterFailure(ctx, w.Actor("agency"), l.ID, true, "继续")
		wantErr(t, err, apperr.Forbidden, "")
		r, err = w.Tender.DecideAfterFailure(ctx, w.Actor("principal"), l.ID, true, "网络已恢复，继续评标")
		noErr(t, err)
		if r.Status != tender.RoomWaiting {
			t.Fatalf("after the decision: %s", r.Status)
		}
		_, err = w.Tender.StartEvaluation(ctx, w.Actor("operator"), l.ID)
		noErr(t, err)
	})
	t.Run("DuringTheEvaluation", func(t *testing.T) {
		w, l, ms, bs := roomLot(t)
		_, err := w.SubmitSheet(t, ms[1], l.ID, passAll(l, bs))
		noErr(t, err)
		r, err := w.Tender.DeclareFailure(ctx, w.Actor("operator"), l.ID, "评标系统服务器故障")
		noErr(t, err)
		if !r.ResumeBy.Equal(w.Clock.Now().Add(4 * time.Hour)) {
			t.Fatalf("resume by %v", r.ResumeBy)
		}
		_, err = w.SubmitSheet(t, ms[2], l.ID, passAll(l, bs))
		wantErr(t, err, apperr.Conflict, "") // no scoring while interrupted
		// A repair within the limit resumes, and the lost time is added.
		w.Clock.Advance(time.Hour)
		r, err = w.Tender.Resume(ctx, w.Actor("operator"), l.ID)
		noErr(t, err)
		if r.Status != tender.RoomRunning {
			t.Fatalf("resumed to %s", r.Status)
		}
		_, err = w.Tender.DeclareFailure(ctx, w.Actor("operator"), l.ID, "评标系统再次故障")
		noErr(t, err)
		w.Clock.Advance(4*time.Hour + time.Minute)
		noErr(t, w.Tender.RoomFailureDue(ctx, l.ID))
		v, err := w.Tender.ViewLot(ctx, w.Actor("operator"), l.ID)
		noErr(t, err)
		if len(v.Committee) != 0 {
			t.Fatalf("committee of %d after the repair limit", len(v.Committee))
		}
		var sheets []tender.ScoreSheet
		read(t, w, func(tx *store.Tx) error {
			var err error
			sheets, err = tx.ListSheets(ctx, l.ID)
			return err
		})
		if len(sheets) != 0 {
			t.Fatalf("%d sheets kept", len(sheets))
		}
		if !contains(ledgerTypes(t, w, l.Code), "evaluation.reconstituted") {
			t.Fatal("no ledger entry for the re-formed committee")
		}
		// A new committee is drawn, the retry visible with its reason.
		_, err = w.Tender.RequestDraw(ctx, w.Actor("operator"), l.ID, tender.DrawInput{Reason: "故障超时，重新组建评标委员会",
			Needs: []draw.Need{{Specialty: "A0801", Count: 4}}}, w.Party.UserByUsername)
		if err != nil && !strings.Contains(err.Error(), "不足") {
			noErr(t, err)
		}
	})
}

// formWithoutStarting draws and seats the committee but leaves the room waiting.
func formWithoutStarting(t *testing.T, w *fixture.World, lotID ids.ID) {
	t.Helper()
	requestDraw(t, w, lotID, tender.DrawInput{Needs: []draw.Need{{Specialty: "A0801", Count: 4}}})
	for _, iv := range invitations(t, w, lotID) {
		_, err := w.Tender.RespondInvitation(ctx, w.ActorByID(iv.UserID), iv.ID, true, "", true)
		noErr(t, err)
	}
}

// TestReplacedMemberIsReevaluated: a replaced member's findings are
// discarded; the substitute from a supplementary draw scores afresh.
func TestReplacedMemberIsReevaluated(t *testing.T) {
	w, l, ms, bs := roomLot(t)
	for _, a := range ms[:2] {
		_, err := w.SubmitSheet(t, a, l.ID, passAll(l, bs))
		noErr(t, err)
	}
	v := room(t, w, ms[1], l.ID)
	gone := v.Me.ID
	err := w.Tender.ReplaceMember(ctx, w.Actor("operator"), l.ID, gone, "")
	wantErr(t, err, apperr.Invalid, "")
	noErr(t, w.Tender.ReplaceMember(ctx, w.Actor("operator"), l.ID, gone, "评标中发现与投标人存在利害关系，应当回避"))
	if v := room(t, w, w.Actor("supervisor"), l.ID); len(v.Members) != 4 || len(v.Submitted) != 1 {
		t.Fatalf("after the replacement: %d members, %d sheets", len(v.Members), len(v.Submitted))
	}
	_, err = w.SubmitSheet(t, ms[1], l.ID, passAll(l, bs))
	wantErr(t, err, apperr.Forbidden, "")
	d := requestDraw(t, w, l.ID, tender.DrawInput{Reason: "更换回避专家", Needs: []draw.Need{{Specialty: "A0801", Count: 1}}})
	if d.Status != tender.DrawDone {
		t.Fatalf("supplementary draw %s %s", d.Status, d.Failure)
	}
	var sub party.Actor
	for _, iv := range invitations(t, w, l.ID) {
		if iv.DrawID == d.ID && iv.Status == tender.InvInvited {
			_, err := w.Tender.RespondInvitation(ctx, w.ActorByID(iv.UserID), iv.ID, true, "", true)
			noErr(t, err)
			sub = w.ActorByID(iv.UserID)
		}
	}
	if v := room(t, w, sub, l.ID); v.Me == nil || len(v.Members) != 5 || v.Room.Status != tender.RoomRunning {
		t.Fatalf("substitute not seated: %+v", v.Room)
	}
	for _, a := range append([]party.Actor{sub}, ms[2:]...) {
		_, err := w.SubmitSheet(t, a, l.ID, passAll(l, bs))
		noErr(t, err)
	}
	if got := lot(t, w, l.ID); got.Status != tender.Publicity {
		t.Fatalf("after the substitute: %s", got.Status)
	}
}

// TestSheetsMustBeSignedByTheMember: no signature, a signature by another
// key, or a changed sheet are refused.
func TestSheetsMustBeSignedByTheMember(t *testing.T) {
	w, l, ms, bs := roomLot(t)
	lines := passAll(l, bs)
	_, err := w.Tender.SubmitScoreSheet(ctx, ms[0], l.ID, lines, tender.SheetSignature{})
	if e := wantErr(t, err, apperr.Invalid, "第五十三条"); e.Fields["signature"] == "" {
		t.Fatalf("fields %v", e.Fields)
	}
	other := w.SignSheet(t, ms[1], l.Code, lines) // ms[1]'s key
	_, err = w.Tender.SubmitScoreSheet(ctx, ms[0], l.ID, lines, other)
	wantErr(t, err, apperr.Invalid, "")
	sig := w.SignSheet(t, ms[0], l.Code, lines)
	changed := passAll(l, bs)
	changed[0] = failLine(changed[0].BidID, "responsive", "工期不满足招标文件要求")
	_, err = w.Tender.SubmitScoreSheet(ctx, ms[0], l.ID, changed, sig)
	wantErr(t, err, apperr.Invalid, "")
	sh, err := w.Tender.SubmitScoreSheet(ctx, ms[0], l.ID, lines, sig)
	noErr(t, err)
	if sh.Signature == "" || sh.Digest == "" {
		t.Fatalf("sheet %+v", sh)
	}
}

// TestPriceFormulaIsConfigured: the GP low-price-first formula's weight
// ranges are enforced on goods and services lots, and the price score is
// computed, not typed.
func TestPriceFormulaIsConfigured(t *testing.T) {
	w := newWorld(t)
	p, err := w.Tender.CreateProject(ctx, w.Actor("principal"), tender.ProjectInput{Name: "南宁市第一人民医院医疗设备采购", AgencyUSCC: w.Agency.USCC, SupervisorDept: "住建"})
	noErr(t, err)
	lotWith := func(code string, weight int64) error {
		in := validLot()
		in.Method, in.CategoryCode = tender.Comprehensive, code
		in.Scoring = []tender.ScoreItem{{Key: "price", Name: "投标报价", Max: weight, Price: true, Formula: scoring.FormulaLowPriceFirst},
			{Key: "tech", Name: "技术", Max: 10000 - weight}}
		_, err := w.Tender.AddLot(ctx, w.Actor("agency"), p.ID, in)
		return err
	}
	for _, c := range []struct {
		code   string
		weight int64
		ok     bool
	}{
		{"B02", 2900, false}, {"B02", 3000, true}, {"B02", 6000, true}, {"B02", 6100, false},
		{"C01", 900, false}, {"C01", 1000, true}, {"C01", 3000, true}, {"C01", 3100, false},
	} {
		err := lotWith(c.code, c.weight)
		if c.ok {
			noErr(t, err)
			continue
		}
		if e := wantErr(t, err, apperr.Invalid, "第五十五条"); e.Fields["scoring"] == "" {
			t.Errorf("%s %d: fields %v", c.code, c.weight, e.Fields)
		}
	}
	// Computed: equal subjective scores, so the lowest price has the top price score.
	l := tender.Lot{Method: tender.Comprehensive, CategoryCode: "B02", Scoring: []tender.ScoreItem{
		{Key: "price", Name: "投标报价", Max: 3000, Price: true, Formula: scoring.FormulaLowPriceFirst}, {Key: "tech", Name: "技术", Max: 7000}}}
	bids := []tender.Bid{{ID: "b1", Opened: &tender.OpenedBid{BidContent: tender.BidContent{Price: 800_000_00}}}, {ID: "b2", Opened: &tender.OpenedBid{BidContent: tender.BidContent{Price: 1_000_000_00}}}}
	sheets := []tender.ScoreSheet{{Lines: []tender.SheetLine{{BidID: "b1", Pass: true, Scores: map[string]int64{"tech": 5000}}, {BidID: "b2", Pass: true, Scores: map[string]int64{"tech": 5000}}}}}
	rep := tender.Evaluate(l, bids, sheets, nil, 3)
	if rep.Rows[0].PriceScore != 3000 || rep.Rows[1].PriceScore != 2400 {
		t.Fatalf("price scores %d %d, want 3000 2400", rep.Rows[0].PriceScore, rep.Rows[1].PriceScore)
	}
}
