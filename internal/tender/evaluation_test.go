package tender_test

import (
	"context"

	"ggzy/internal/testkit"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/fixture"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/tender"
)

// openedLot is a fixture lot with n bids, opened at its deadline.
func openedLot(t *testing.T, w *fixture.World, o fixture.LotOptions, n int) tender.Lot {
	t.Helper()
	l := w.PublishedLot(t, o)
	for i := 0; i < n; i++ {
		w.Clock.Advance(time.Minute)
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00-int64(i)*10_000_00))
	}
	w.PassDeadline(t, l.ID)
	return lot(t, w, l.ID)
}

// drawCommittee runs the whole draw: the request, the draw on its
// checkpoint, and every invited expert confirming. A draw that failed for
// want of experts is returned as its failure.
func drawCommittee(w *fixture.World, lotID ids.ID, reps ...string) ([]tender.Member, error) {
	l, err := w.Tender.ViewLot(ctx, w.Actor("operator"), lotID)
	if err != nil {
		return nil, err
	}
	d, err := w.Tender.RequestDraw(ctx, w.Actor("operator"), lotID, tender.DrawInput{Reps: reps,
		Needs: []draw.Need{{Specialty: "A0801", Count: l.Lot.CommitteeSize - l.Lot.PrincipalReps}}}, w.Party.UserByUsername)
	if err != nil {
		return nil, err
	}
	if err := w.Tender.RunDraw(ctx, d.ID); err != nil {
		return nil, err
	}
	ds, invs, err := w.Tender.ListLotDraws(ctx, w.Actor("operator"), lotID)
	if err != nil {
		return nil, err
	}
	if last := ds[len(ds)-1]; last.Status == tender.DrawFailed {
		return nil, apperr.Rule(apperr.Conflict, expert.BasisDraw, "%s", last.Failure)
	}
	for _, iv := range invs {
		if iv.Status == tender.InvInvited {
			if _, err := w.Tender.RespondInvitation(ctx, w.ActorByID(iv.UserID), iv.ID, true, "", true); err != nil {
				return nil, err
			}
		}
	}
	v, err := w.Tender.ViewLot(ctx, w.Actor("operator"), lotID)
	if err != nil || len(v.Committee) < v.Lot.CommitteeSize {
		return v.Committee, err
	}
	_, err = w.Tender.StartEvaluation(ctx, w.Actor("operator"), lotID)
	return v.Committee, err
}

func expertIDs(w *fixture.World, from, to int) []ids.ID {
	var out []ids.ID
	for _, e := range w.Experts[from:to] {
		out = append(out, e.ID)
	}
	return out
}

func TestDrawCommittee(t *testing.T) {
	t.Run("OnlyTheOperatorDraws", func(t *testing.T) {
		w := newWorld(t)
		l := openedLot(t, w, fixture.LotOptions{}, 3)
		for _, who := range []string{"principal", "agency", "supervisor", "bidder1", "expert1"} {
			_, err := w.Tender.RequestDraw(ctx, w.Actor(who), l.ID, tender.DrawInput{Reps: []string{"principal2"}, Needs: []draw.Need{{Specialty: "A0801", Count: 4}}}, w.Party.UserByUsername)
			wantErr(t, err, apperr.Forbidden, "")
		}
	})
	t.Run("BeforeTheOpeningIsRefused", func(t *testing.T) {
		w := newWorld(t)
		l := publishedT0(t, w)
		_, err := drawCommittee(w, l.ID, "principal2")
		wantErr(t, err, apperr.Conflict, "")
	})
	t.Run("NeedsExactlyThePrincipalsRepresentatives", func(t *testing.T) {
		w := newWorld(t)
		l := openedLot(t, w, fixture.LotOptions{}, 3)
		for _, reps := range [][]string{nil, {"principal", "principal2"}, {"agency"}, {"bidder1"}, {"expert1"}, {"nobody"}} {
			_, err := drawCommittee(w, l.ID, reps...)
			if e := wantErr(t, err, apperr.Invalid, ""); e.Fields["reps"] == "" {
				t.Errorf("reps %v: fields %v", reps, e.Fields)
			}
		}
		ms, err := drawCommittee(w, l.ID, "principal2")
		noErr(t, err)
		if len(ms) != 5 {
			t.Fatalf("%d members", len(ms))
		}
		reps, chairs := 0, 0
		for _, m := range ms {
			if m.Kind == tender.MemberRep {
				reps++
				if m.UserID != w.Users["principal2"].ID {
					t.Errorf("rep %+v", m)
				}
			}
			if m.Chair {
				chairs++
			}
		}
		if reps != 1 || chairs != 0 { // the chair is elected by the committee (ElectChair)
			t.Errorf("reps %d chairs %d", reps, chairs)
		}
		_, err = drawCommittee(w, l.ID, "principal2")
		wantErr(t, err, apperr.Conflict, "")
	})
	t.Run("OnePersonCannotHoldTwoSeats", func(t *testing.T) {
		w := newWorld(t)
		in := validLot()
		in.CommitteeSize, in.PrincipalReps = 7, 2
		l := draftLotWith(t, w, in)
		dl := w.Tender.EarliestDeadline(w.Clock.Now(), 9, 30)
		_, err := w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, tender.PublishInput{DocsFrom: w.Clock.Now(), DocsUntil: dl, BidDeadline: dl})
		noErr(t, err)
		for i := 0; i < 3; i++ {
			w.Bid(t, l.ID, i, 9_000_000_00)
		}
		w.PassDeadline(t, l.ID)
		_, err = drawCommittee(w, l.ID, "principal2", "principal2")
		wantErr(t, err, apperr.Invalid, "")
		ms, err := drawCommittee(w, l.ID, "principal2", "principal")
		noErr(t, err)
		if len(ms) != 7 {
			t.Errorf("%d members", len(ms))
		}
	})
	t.Run("ExpertsEmployedByABidderOrTheManagersAreExcluded", func(t *testing.T) {
		w := newWorld(t)
		l := openedLot(t, w, fixture.LotOptions{}, 3)
		setEmployer(t, w, expertIDs(w, 0, 2), w.Bidders[0].ID)
		setEmployer(t, w, expertIDs(w, 2, 4), w.Bidders[2].ID)
		setEmployer(t, w, expertIDs(w, 4, 5), w.Principal.ID)
		setEmployer(t, w, expertIDs(w, 5, 6), w.Agency.ID)
		ms, err := drawCommittee(w, l.ID, "principal2")
		noErr(t, err)
		eligible := map[ids.ID]bool{}
		for _, id := range expertIDs(w, 6, 10) {
			eligible[id] = true
		}
		n := 0
		for _, m := range ms {
			if m.Kind == tender.MemberExpert {
				n++
				if !eligible[m.ExpertID] {
					t.Errorf("conflicted expert %s drawn", m.Name)
				}
			}
		}
		if n != 4 {
			t.Errorf("%d experts", n)
		}
	})
	t.Run("NotEnoughExpertsIsAnError", func(t *testing.T) {
		w := newWorld(t)
		l := openedLot(t, w, fixture.LotOptions{}, 3)
		setEmployer(t, w, expertIDs(w, 0, 7), w.Bidders[1].ID)
		_, err := drawCommittee(w, l.ID, "principal2")
		wantErr(t, err, apperr.Conflict, "第四十六条")
		var ms []tender.Member
		read(t, w, func(tx *store.Tx) error {
			var err error
			ms, err = tx.ListMembers(ctx, l.ID)
			return err
		})
		if len(ms) != 0 {
			t.Errorf("%d members saved by a failed draw", len(ms))
		}
	})
	t.Run("NamesAreHiddenFromThePublicAndSupervisorBeforeTheReport", func(t *testing.T) {
		w := newWorld(t)
		l := openedLot(t, w, fixture.LotOptions{}, 3)
		ms, err := drawCommittee(w, l.ID, "principal2")
		noErr(t, err)
		var expertNames []string
		var anExpert party.Actor
		for _, m := range ms {
			if m.Kind == tender.MemberExpert {
				expertNames = append(expertNames, m.Name)
				anExpert = actorOfUser(t, w, m.UserID)
			}
		}
		for name, a := range map[string]party.Actor{"public": party.Public("1.2.3.4"), "supervisor": w.Actor("supervisor"),
			"principal": w.Actor("principal"), "agency": w.Actor("agency"), "bidder": bidder(w, 0)} {
			v, err := w.Tender.ViewLot(ctx, a, l.ID)
			noErr(t, err)
			js := toJSON(t, v)
			for _, n := range expertNames {
				if strings.Contains(js, n) {
					t.Errorf("%s's view names committee member %s", name, n)
				}
			}
			if len(v.Committee) != 0 {
				t.Errorf("%s sees the committee", name)
			}
		}
		v, err := w.Tender.ViewLot(ctx, anExpert, l.ID)
		noErr(t, err)
		if !v.IsMember || len(v.Bids) != 3 {
			t.Errorf("member's view: member %v bids %d", v.IsMember, len(v.Bids))
		}
		for _, e := range ledgerAll(t, w) {
			for _, n := range expertNames {
				if strings.Contains(string(e.Public), n) {
					t.Errorf("public ledger entry %s names %s", e.Type, n)
				}
			}
		}
	})
}

// committee draws the committee and returns each member's actor.
func committee(t *testing.T, w *fixture.World, lotID ids.ID) []party.Actor {
	t.Helper()
	ms, err := drawCommittee(w, lotID, "principal2")
	noErr(t, err)
	var out []party.Actor
	for _, m := range ms {
		out = append(out, actorOfUser(t, w, m.UserID))
	}
	return out
}

func TestSubmitScoreSheet(t *testing.T) {
	setup := func(t *testing.T) (*fixture.World, tender.Lot, []party.Actor, []tender.Bid) {
		w := newWorld(t)
		l := openedLot(t, w, fixture.LotOptions{Method: tender.Comprehensive}, 3)
		return w, l, committee(t, w, l.ID), evaluable(t, w, l.ID)
	}
	t.Run("ANonMemberCannotSubmit", func(t *testing.T) {
		w, l, ms, bs := setup(t)
		in := map[ids.ID]bool{}
		for _, m := range ms {
			in[m.UserID] = true
		}
		for _, who := range []string{"expert1", "expert2", "expert3", "expert4", "expert5", "expert6", "principal", "operator", "bidder1"} {
			if in[w.Users[who].ID] {
				continue
			}
			_, err := w.Tender.SubmitScoreSheet(ctx, w.Actor(who), l.ID, passAll(l, bs), tender.SheetSignature{})
			wantErr(t, err, apperr.Forbidden, "")
		}
	})
	t.Run("TheSheetMustCoverEveryBidOnce", func(t *testing.T) {
		w, l, ms, bs := setup(t)
		lines := passAll(l, bs)
		_, err := w.SubmitSheet(t, ms[0], l.ID, lines[:2])
		wantErr(t, err, apperr.Invalid, "")
		_, err = w.SubmitSheet(t, ms[0], l.ID, append(lines[:2:2], lines[0]))
		wantErr(t, err, apperr.Invalid, "")
		other := append(lines[:2:2], tender.SheetLine{BidID: "not-a-bid", Pass: true})
		_, err = w.SubmitSheet(t, ms[0], l.ID, other)
		wantErr(t, err, apperr.Invalid, "")
	})
	t.Run("AFailNeedsAReason", func(t *testing.T) {
		w, l, ms, bs := setup(t)
		lines := passAll(l, bs)
		// A plain "fail" without the criterion is refused, as is a failed criterion without a reason.
		lines[1] = tender.SheetLine{BidID: bs[1].ID, Pass: false, Reason: "资格不符"}
		_, err := w.SubmitSheet(t, ms[0], l.ID, lines)
		if e := wantErr(t, err, apperr.Invalid, ""); e.Fields[bs[1].ID+".reason"] == "" {
			t.Errorf("fields %v", e.Fields)
		}
		lines[1] = failLine(bs[1].ID, "qualification", "  ")
		_, err = w.SubmitSheet(t, ms[0], l.ID, lines)
		if e := wantErr(t, err, apperr.Invalid, ""); !strings.Contains(e.Fields[bs[1].ID+".reason"], "资格条件") {
			t.Errorf("fields %v", e.Fields)
		}
		lines[1] = failLine(bs[1].ID, "qualification", "未提供项目经理注册证书")
		sh, err := w.SubmitSheet(t, ms[0], l.ID, lines)
		noErr(t, err)
		for _, ln := range sh.Lines {
			if ln.BidID == bs[1].ID && (ln.Pass || !strings.Contains(ln.Reason, "资格条件：未提供项目经理注册证书") || len(ln.Checks) != len(tender.ComplianceCriteria)) {
				t.Errorf("stored line %+v", ln)
			}
		}
	})
	t.Run("ScoresMustStayWithinTheItem", func(t *testing.T) {
		w, l, ms, bs := setup(t)
		lines := passAll(l, bs)
		lines[0].Scores["tech"] = 3001
		_, err := w.SubmitSheet(t, ms[0], l.ID, lines)
		if e := wantErr(t, err, apperr.Invalid, ""); e.Fields[bs[0].ID+".tech"] == "" {
			t.Errorf("fields %v", e.Fields)
		}
		delete(lines[0].Scores, "tech")
		_, err = w.SubmitSheet(t, ms[0], l.ID, lines)
		wantErr(t, err, apperr.Invalid, "")
	})
	t.Run("TheLastSheetMakesTheReportAndStartsThePublicity", func(t *testing.T) {
		w, l, ms, bs := setup(t)
		w.Clock.Set(bj(2026, 3, 23, 14, 0))
		for i, m := range ms[:len(ms)-1] {
			_, err := w.SubmitSheet(t, m, l.ID, passAll(l, bs))
			noErr(t, err)
			if i == 0 { // a member may replace its own sheet meanwhile
				_, err = w.SubmitSheet(t, m, l.ID, passAll(l, bs))
				noErr(t, err)
			}
		}
		if got := lot(t, w, l.ID); got.Status != tender.Evaluating {
			t.Fatalf("status %s before the last sheet", got.Status)
		}
		// The last member signs on Thursday 03-26: day 3 is Sunday 03-29,
		// so the publicity runs to the end of Monday 03-30.
		now := bj(2026, 3, 26, 10, 0)
		w.Clock.Set(now)
		_, err := w.SubmitSheet(t, ms[len(ms)-1], l.ID, passAll(l, bs))
		noErr(t, err)
		got := lot(t, w, l.ID)
		until := bj(2026, 3, 31, 0, 0)
		if got.Status != tender.Publicity || !got.PublicityFrom.Equal(now) || !got.PublicityUntil.Equal(until) || !got.ReportAt.Equal(now) {
			t.Errorf("lot %s publicity %v – %v", got.Status, got.PublicityFrom, got.PublicityUntil)
		}
		rep := report(t, w, l.ID)
		if len(rep.Candidates) != 3 || rep.Candidates[0].EntityID != w.Bidders[2].ID || len(rep.Members) != 5 {
			t.Errorf("report %+v", rep)
		}
		ns := notices(t, w, l.ID, tender.NoticeCandidates)
		if len(ns) != 1 || !ns[0].Public || !strings.Contains(string(ns[0].Data), w.Bidders[2].Name) || !strings.Contains(ns[0].Body, "2026-03-31 00:00") {
			t.Errorf("candidates notices %+v", ns)
		}
		var pubEnd []jobs.Job
		for _, j := range w.Jobs.Jobs {
			if j.Kind == jobs.PublicityEnd && j.Subject == l.ID {
				pubEnd = append(pubEnd, j)
			}
		}
		if len(pubEnd) != 1 || !pubEnd[0].RunAt.Equal(until) {
			t.Errorf("publicity end jobs %+v", pubEnd)
		}
		if types := ledgerTypes(t, w, l.Code); count(types, "evaluation.sheet_submitted") != 6 || count(types, "evaluation.finished") != 1 {
			t.Errorf("ledger %v", types)
		}
		_, err = w.SubmitSheet(t, ms[0], l.ID, passAll(l, bs))
		wantErr(t, err, apperr.Conflict, "")
	})
	t.Run("AllBidsRejectedFailsTheTender", func(t *testing.T) {
		w, l, ms, bs := setup(t)
		for _, m := range ms {
			var lines []tender.SheetLine
			for _, b := range bs {
				lines = append(lines, failLine(b.ID, "sign", "投标文件未按要求签字盖章"))
			}
			_, err := w.SubmitSheet(t, m, l.ID, lines)
			noErr(t, err)
		}
		got := lot(t, w, l.ID)
		if got.Status != tender.Failed || got.FailedReason == "" {
			t.Errorf("lot %s %q", got.Status, got.FailedReason)
		}
		if rep := report(t, w, l.ID); !rep.Failed || len(rep.Candidates) != 0 {
			t.Errorf("report %+v", rep)
		}
		if ns := notices(t, w, l.ID, tender.NoticeFailed); len(ns) != 1 || !ns[0].Public {
			t.Errorf("failed notices %+v", ns)
		}
		if _, err := w.Tender.Retender(ctx, w.Actor("agency"), l.ID); err != nil {
			t.Errorf("re-tender after all bids rejected: %v", err)
		}
	})
}

// TestCommitteeNamesSecretUntilTheAward: during the candidate publicity an
// objection can still send the bids back to the committee, so its names stay
// secret until the award is decided (《招标投标法》第三十七条).
func TestCommitteeNamesSecretUntilTheAward(t *testing.T) {
	w := fixture.New(t, testkit.OpenSQLite(t))
	ctx := context.Background()
	l := w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00+i*10_000_00))
	}
	w.PassDeadline(t, l.ID)
	rep := w.Evaluate(t, l.ID)
	outsiders := map[string]party.Actor{"public": party.Public("1.2.3.4"), "supervisor": w.Actor("supervisor"), "bidder": bidder(w, 0)}
	check := func(stage string, wantVisible bool) {
		for name, a := range outsiders {
			v, err := w.Tender.ViewLot(ctx, a, l.ID)
			noErr(t, err)
			if got := len(v.Committee) > 0; got != wantVisible {
				t.Errorf("%s: %s sees the committee: %v, want %v", stage, name, got, wantVisible)
			}
			if !wantVisible {
				js := toJSON(t, v)
				for _, n := range rep.Members {
					if strings.Contains(js, n) {
						t.Errorf("%s: %s's view names member %s", stage, name, n)
					}
				}
			}
		}
		named := false
		for _, e := range ledgerAll(t, w) {
			for _, n := range rep.Members {
				named = named || strings.Contains(string(e.Public), n)
			}
		}
		if named != wantVisible {
			t.Errorf("%s: public ledger names the committee: %v, want %v", stage, named, wantVisible)
		}
	}
	check("publicity", false)
	lot, err := w.GetLot(l.ID)
	noErr(t, err)
	w.Clock.Set(lot.PublicityUntil)
	_, err = w.Tender.DecideAward(ctx, w.Actor("agency"), l.ID, tender.AwardInput{BidID: rep.Candidates[0].BidID})
	noErr(t, err)
	check("after the award", true)
}
