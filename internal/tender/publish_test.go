package tender_test

import (
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/fixture"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/party"
	"ggzy/internal/tender"
)

// draftLot registers a project and a lot with one document, not published.
func draftLot(t *testing.T, w *fixture.World, proc tender.Procedure) tender.Lot {
	t.Helper()
	in := validLot()
	in.Procedure = proc
	return draftLotWith(t, w, in)
}

// draftLotWith is draftLot for any lot definition.
func draftLotWith(t *testing.T, w *fixture.World, in tender.LotInput) tender.Lot {
	t.Helper()
	p, err := w.Tender.CreateProject(ctx, w.Actor("principal"), tender.ProjectInput{Name: "南宁市五象新区道路改造工程", AgencyUSCC: w.Agency.USCC, SupervisorDept: "住建"})
	noErr(t, err)
	l, err := w.Tender.AddLot(ctx, w.Actor("agency"), p.ID, in)
	noErr(t, err)
	hash, size, err := w.Blobs.Put(strings.NewReader("招标文件正文"), 1<<20)
	noErr(t, err)
	_, err = w.Tender.AddDocument(ctx, w.Actor("agency"), l.ID, "招标文件.pdf", size, hash)
	noErr(t, err)
	return l
}

// openJobs lists the OpenBids jobs enqueued for a lot.
func openJobs(w *fixture.World, lotID ids.ID) []jobs.Job {
	var out []jobs.Job
	for _, j := range w.Jobs.Jobs {
		if j.Kind == jobs.OpenBids && j.Subject == lotID {
			out = append(out, j)
		}
	}
	return out
}

func TestPublishTender(t *testing.T) {
	// Documents available from Wednesday 2026-03-04 09:00: day 20 is
	// Tuesday 03-24, a working day.
	docsFrom := bj(2026, 3, 4, 9, 0)
	sched := func(docsUntil, deadline time.Time) tender.PublishInput {
		return tender.PublishInput{DocsFrom: docsFrom, DocsUntil: docsUntil, BidDeadline: deadline}
	}
	setup := func(t *testing.T) (*fixture.World, tender.Lot) {
		w := newWorld(t)
		w.Clock.Set(bj(2026, 3, 4, 8, 30))
		return w, draftLot(t, w, tender.Open)
	}

	t.Run("DeadlineUnder20DaysIsRefusedWithTheEarliestAndBasis", func(t *testing.T) {
		w, l := setup(t)
		_, err := w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, sched(bj(2026, 3, 10, 17, 0), bj(2026, 3, 23, 9, 30)))
		e := wantErr(t, err, apperr.Invalid, "《招标投标法》第二十四条")
		if !strings.Contains(e.Fields["bid_deadline"], "2026-03-24 09:30") {
			t.Errorf("bid_deadline message %q should offer 2026-03-24 09:30", e.Fields["bid_deadline"])
		}
		if got := lot(t, w, l.ID); got.Status != tender.Draft {
			t.Errorf("status %s after a refused publication", got.Status)
		}
	})
	t.Run("ExactlyTheEarliestDeadlineIsAcceptedAndTheOpeningScheduled", func(t *testing.T) {
		w, l := setup(t)
		deadline := bj(2026, 3, 24, 9, 30)
		if got := w.Tender.EarliestDeadline(docsFrom, 9, 30); !got.Equal(deadline) {
			t.Fatalf("EarliestDeadline %v, want %v", got, deadline)
		}
		n, err := w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, sched(bj(2026, 3, 10, 17, 0), deadline))
		noErr(t, err)
		if !n.Public || n.Kind != tender.NoticeTender {
			t.Errorf("notice %+v", n)
		}
		got := lot(t, w, l.ID)
		if got.Status != tender.Bidding || !got.BidDeadline.Equal(deadline) {
			t.Errorf("lot %s deadline %v", got.Status, got.BidDeadline)
		}
		js := openJobs(w, l.ID)
		if len(js) != 1 || !js[0].RunAt.Equal(deadline) {
			t.Errorf("open jobs %+v, want one at the deadline", js)
		}
	})
	t.Run("DocumentsPeriodUnder5DaysIsRefused", func(t *testing.T) {
		w, l := setup(t)
		_, err := w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, sched(bj(2026, 3, 8, 17, 0), bj(2026, 3, 24, 9, 30)))
		e := wantErr(t, err, apperr.Invalid, "第十六条")
		if !strings.Contains(e.Fields["docs_until"], "2026-03-09") {
			t.Errorf("docs_until message %q should offer 2026-03-09", e.Fields["docs_until"])
		}
	})
	t.Run("DocumentsPeriodOf5DaysIsAccepted", func(t *testing.T) {
		w, l := setup(t)
		_, err := w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, sched(bj(2026, 3, 9, 17, 0), bj(2026, 3, 24, 9, 30)))
		noErr(t, err)
	})
	t.Run("DocumentsUntilAfterDeadlineIsRefused", func(t *testing.T) {
		w, l := setup(t)
		_, err := w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, sched(bj(2026, 3, 25, 17, 0), bj(2026, 3, 24, 9, 30)))
		e := wantErr(t, err, apperr.Invalid, "")
		if e.Fields["docs_until"] == "" {
			t.Errorf("fields %v", e.Fields)
		}
	})
	t.Run("DocumentsFromInThePastIsRefused", func(t *testing.T) {
		w, l := setup(t)
		in := sched(bj(2026, 3, 10, 17, 0), bj(2026, 3, 24, 9, 30))
		in.DocsFrom = bj(2026, 3, 3, 9, 0)
		e := wantErr(t, mustErr(w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, in)), apperr.Invalid, "")
		if e.Fields["docs_from"] == "" {
			t.Errorf("fields %v", e.Fields)
		}
	})
	t.Run("OnlyTheManagersMayPublish", func(t *testing.T) {
		w, l := setup(t)
		for _, who := range []string{"bidder1", "operator", "supervisor"} {
			_, err := w.Tender.PublishTender(ctx, w.Actor(who), l.ID, sched(bj(2026, 3, 10, 17, 0), bj(2026, 3, 24, 9, 30)))
			wantErr(t, err, apperr.Forbidden, "")
		}
	})
}

func mustErr[T any](_ T, err error) error { return err }

func TestPublishTenderPeriodEndingOnNationalDayMovesToNextWorkingDay(t *testing.T) {
	// Documents from Friday 2026-09-11: day 20 is 10-01, and 10-01..10-07 are
	// the National Day holiday, so the earliest deadline is Thursday 10-08.
	w := newWorld(t)
	w.Clock.Set(bj(2026, 9, 11, 8, 0))
	l := draftLot(t, w, tender.Open)
	docsFrom := bj(2026, 9, 11, 9, 0)
	want := bj(2026, 10, 8, 9, 30)
	if got := w.Tender.EarliestDeadline(docsFrom, 9, 30); !got.Equal(want) {
		t.Fatalf("EarliestDeadline %v, want %v", got, want)
	}
	for _, d := range []time.Time{bj(2026, 10, 1, 9, 30), bj(2026, 10, 7, 9, 30)} {
		_, err := w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, tender.PublishInput{DocsFrom: docsFrom, DocsUntil: bj(2026, 9, 18, 17, 0), BidDeadline: d})
		e := wantErr(t, err, apperr.Invalid, "第二十四条")
		if !strings.Contains(e.Fields["bid_deadline"], "2026-10-08 09:30") {
			t.Errorf("deadline %v: message %q should offer 2026-10-08 09:30", d, e.Fields["bid_deadline"])
		}
	}
	_, err := w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, tender.PublishInput{DocsFrom: docsFrom, DocsUntil: bj(2026, 9, 18, 17, 0), BidDeadline: want})
	noErr(t, err)
}

func TestInvitedTender(t *testing.T) {
	usccs := func(w *fixture.World, idx ...int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, w.Bidders[i].USCC)
		}
		return out
	}
	publish := func(w *fixture.World, l tender.Lot, inv []string) (tender.Notice, error) {
		now := w.Clock.Now()
		dl := w.Tender.EarliestDeadline(now, 9, 30)
		return w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, tender.PublishInput{DocsFrom: now, DocsUntil: dl, BidDeadline: dl, Invitees: inv})
	}
	t.Run("TwoInviteesAreRefusedWithBasis", func(t *testing.T) {
		w := newWorld(t)
		l := draftLot(t, w, tender.Invited)
		e := wantErr(t, mustErr(publish(w, l, usccs(w, 0, 1))), apperr.Invalid, "《招标投标法》第十七条")
		if e.Fields["invitees"] == "" {
			t.Errorf("fields %v", e.Fields)
		}
		if lot(t, w, l.ID).Status != tender.Draft {
			t.Error("lot published")
		}
	})
	t.Run("TheSameInviteeThreeTimesIsOne", func(t *testing.T) {
		w := newWorld(t)
		l := draftLot(t, w, tender.Invited)
		wantErr(t, mustErr(publish(w, l, usccs(w, 0, 0, 0))), apperr.Invalid, "第十七条")
	})
	t.Run("ThreeInviteesTakePartAndNobodyElse", func(t *testing.T) {
		w := newWorld(t)
		l := draftLot(t, w, tender.Invited)
		n, err := publish(w, l, usccs(w, 0, 1, 2))
		noErr(t, err)
		if n.Public {
			t.Error("the invitation (投标邀请书) is public")
		}
		pub, _, err := w.Tender.Notices(ctx, party.Public("1.2.3.4"), tender.NoticeFilter{})
		noErr(t, err)
		for _, x := range pub {
			if x.ID == n.ID {
				t.Error("the invitation is listed to the public")
			}
		}
		_, err = w.Tender.Notice(ctx, party.Public("1.2.3.4"), n.ID)
		wantErr(t, err, apperr.NotFound, "")
		_, err = w.Tender.Notice(ctx, bidder(w, 3), n.ID)
		wantErr(t, err, apperr.NotFound, "")
		_, err = w.Tender.Notice(ctx, bidder(w, 0), n.ID)
		noErr(t, err)
		_, err = w.Tender.ViewLot(ctx, bidder(w, 3), l.ID)
		wantErr(t, err, apperr.NotFound, "")

		outsider := bidder(w, 3)
		wantErr(t, w.Tender.ObtainDocuments(ctx, outsider, l.ID), apperr.Forbidden, "第十七条")
		_, err = w.Tender.SubmitBid(ctx, outsider, l.ID, tender.BidInput{Content: content(9_000_000_00)})
		wantErr(t, err, apperr.Forbidden, "第十七条")

		r := bidAs(t, w, bidder(w, 0), l.ID, tender.BidContent{Price: 9_000_000_00, DurationDays: 300})
		if r.Version != 1 {
			t.Errorf("receipt %+v", r)
		}
	})
}

// publishedT0 is the fixture lot published at T0 (Monday 2026-03-02 09:00):
// deadline Monday 03-23 09:30 (day 20, Sunday 03-22, moves to Monday).
func publishedT0(t *testing.T, w *fixture.World) tender.Lot {
	t.Helper()
	l := w.PublishedLot(t, fixture.LotOptions{})
	if !l.BidDeadline.Equal(bj(2026, 3, 23, 9, 30)) {
		t.Fatalf("fixture deadline %v", l.BidDeadline)
	}
	return l
}

func TestIssueClarification(t *testing.T) {
	const text = "第三章技术条款第2.1项修改为C30混凝土。"
	t.Run("FifteenDaysBeforeKeepsTheDeadline", func(t *testing.T) {
		w := newWorld(t)
		l := publishedT0(t, w)
		w.Clock.Set(bj(2026, 3, 8, 16, 0)) // 03-08 → 03-23: 15 days
		c, err := w.Tender.IssueClarification(ctx, w.Actor("agency"), l.ID, text, time.Time{})
		noErr(t, err)
		if !c.NewDeadline.Equal(l.BidDeadline) || !lot(t, w, l.ID).BidDeadline.Equal(l.BidDeadline) {
			t.Errorf("deadline moved to %v", c.NewDeadline)
		}
		if len(openJobs(w, l.ID)) != 1 {
			t.Errorf("opening re-enqueued without a new deadline: %+v", openJobs(w, l.ID))
		}
		if ns := notices(t, w, l.ID, tender.NoticeClarification); len(ns) != 1 || !ns[0].Public {
			t.Errorf("clarification notices %+v", ns)
		}
	})
	t.Run("UnderFifteenDaysWithoutNewDeadlineIsRefusedWithTheEarliest", func(t *testing.T) {
		w := newWorld(t)
		l := publishedT0(t, w)
		w.Clock.Set(bj(2026, 3, 9, 10, 0)) // 14 days left; 03-09 + 15 = Tuesday 03-24
		_, err := w.Tender.IssueClarification(ctx, w.Actor("agency"), l.ID, text, time.Time{})
		e := wantErr(t, err, apperr.Invalid, "《招标投标法实施条例》第二十一条")
		if !strings.Contains(e.Message, "2026-03-24 09:30") || !strings.Contains(e.Fields["new_deadline"], "2026-03-24 09:30") {
			t.Errorf("error %q %v should offer 2026-03-24 09:30", e.Message, e.Fields)
		}
		if len(notices(t, w, l.ID, tender.NoticeClarification)) != 0 {
			t.Error("a refused clarification was published")
		}
	})
	t.Run("EarlierThanTheEarliestIsRefused", func(t *testing.T) {
		w := newWorld(t)
		l := publishedT0(t, w)
		w.Clock.Set(bj(2026, 3, 9, 10, 0))
		_, err := w.Tender.IssueClarification(ctx, w.Actor("agency"), l.ID, text, bj(2026, 3, 23, 17, 0))
		wantErr(t, err, apperr.Invalid, "第二十一条")
	})
	t.Run("AnyTimeOnTheLawfulDateIsAccepted", func(t *testing.T) {
		// The 15 days are counted in days: 2026-03-24 08:00 is as lawful as 09:30.
		w := newWorld(t)
		l := publishedT0(t, w)
		w.Clock.Set(bj(2026, 3, 9, 10, 0))
		_, err := w.Tender.IssueClarification(ctx, w.Actor("agency"), l.ID, text, bj(2026, 3, 24, 8, 0))
		noErr(t, err)
	})
	t.Run("TheEarliestIsAcceptedAndMovesTheDeadlineAndTheOpening", func(t *testing.T) {
		w := newWorld(t)
		l := publishedT0(t, w)
		w.Clock.Set(bj(2026, 3, 9, 10, 0))
		newDL := bj(2026, 3, 24, 9, 30)
		c, err := w.Tender.IssueClarification(ctx, w.Actor("agency"), l.ID, text, newDL)
		noErr(t, err)
		if !c.OldDeadline.Equal(l.BidDeadline) || !c.NewDeadline.Equal(newDL) {
			t.Errorf("clarification %+v", c)
		}
		if got := lot(t, w, l.ID).BidDeadline; !got.Equal(newDL) {
			t.Errorf("lot deadline %v", got)
		}
		js := openJobs(w, l.ID)
		if len(js) != 2 || !js[1].RunAt.Equal(newDL) {
			t.Errorf("open jobs %+v, want a second one at %v", js, newDL)
		}
		// The job still queued at the old deadline must not open early.
		w.Clock.Set(l.BidDeadline)
		_, err = w.Tender.OpenBids(ctx, l.ID)
		wantErr(t, err, apperr.Deadline, "第三十四条")
	})
	t.Run("AnEarlierDeadlineIsRefused", func(t *testing.T) {
		w := newWorld(t)
		l := publishedT0(t, w)
		w.Clock.Set(bj(2026, 3, 3, 10, 0))
		_, err := w.Tender.IssueClarification(ctx, w.Actor("agency"), l.ID, text, bj(2026, 3, 22, 9, 30))
		wantErr(t, err, apperr.Invalid, "")
	})
}

func TestFileObjection(t *testing.T) {
	const text = "招标文件资格条件设置了排斥潜在投标人的业绩要求。"
	setup := func(t *testing.T) (*fixture.World, tender.Lot) {
		w := newWorld(t)
		l := publishedT0(t, w)
		prepare(t, w, bidder(w, 0), l.ID)
		prepare(t, w, bidder(w, 1), l.ID)
		return w, l
	}
	t.Run("TenDaysBeforeTheDeadlineIsAccepted", func(t *testing.T) {
		w, l := setup(t)
		w.Clock.Set(bj(2026, 3, 13, 23, 0)) // 03-13 → 03-23: 10 days
		o, err := w.Tender.FileObjection(ctx, bidder(w, 0), l.ID, tender.ObjectDocuments, text)
		noErr(t, err)
		if want := bj(2026, 3, 17, 0, 0); !o.DueAt.Equal(want) { // end of the 3rd day
			t.Errorf("answer due %v, want %v", o.DueAt, want)
		}
	})
	t.Run("NineDaysBeforeTheDeadlineIsRefusedWithBasis", func(t *testing.T) {
		w, l := setup(t)
		w.Clock.Set(bj(2026, 3, 14, 0, 1))
		_, err := w.Tender.FileObjection(ctx, bidder(w, 0), l.ID, tender.ObjectDocuments, text)
		wantErr(t, err, apperr.Deadline, "第二十二条")
	})
	t.Run("WithoutTheDocumentsIsRefused", func(t *testing.T) {
		w, l := setup(t)
		_, err := w.Tender.FileObjection(ctx, bidder(w, 4), l.ID, tender.ObjectDocuments, text)
		wantErr(t, err, apperr.Forbidden, "")
	})
	t.Run("SuspendsTheLotUntilAnswered", func(t *testing.T) {
		w, l := setup(t)
		w.Clock.Set(bj(2026, 3, 10, 10, 0))
		o, err := w.Tender.FileObjection(ctx, bidder(w, 0), l.ID, tender.ObjectDocuments, text)
		noErr(t, err)
		if !lot(t, w, l.ID).Suspended {
			t.Fatal("lot not suspended")
		}
		_, err = w.Tender.SubmitBid(ctx, bidder(w, 1), l.ID, tender.BidInput{Content: content(9_000_000_00)})
		wantErr(t, err, apperr.Conflict, "第二十二条")
		wantErr(t, w.Tender.ObtainDocuments(ctx, bidder(w, 2), l.ID), apperr.Conflict, "")

		_, err = w.Tender.AnswerObjection(ctx, bidder(w, 0), o.ID, "已答复，维持原文件。")
		wantErr(t, err, apperr.Forbidden, "")
		a, err := w.Tender.AnswerObjection(ctx, w.Actor("agency"), o.ID, "经核实，业绩要求与项目规模相适应，维持原文件。")
		noErr(t, err)
		if a.AnsweredAt.IsZero() || lot(t, w, l.ID).Suspended {
			t.Fatalf("answered %+v, lot still suspended %v", a, lot(t, w, l.ID).Suspended)
		}
		// Neither the objection nor its answer is tied to the lot in the public
		// ledger before the opening: either would show that someone obtained
		// the documents (TBL 22).
		for _, typ := range ledgerTypes(t, w, l.Code) {
			if strings.HasPrefix(typ, "objection.") {
				t.Errorf("public ledger of the lot has %s before the opening", typ)
			}
		}
		_, err = w.Tender.SubmitBid(ctx, bidder(w, 1), l.ID, tender.BidInput{Content: content(9_000_000_00)})
		noErr(t, err)
	})
	t.Run("TheLotResumesOnlyWhenEveryObjectionIsAnswered", func(t *testing.T) {
		w, l := setup(t)
		w.Clock.Set(bj(2026, 3, 10, 10, 0))
		o1, err := w.Tender.FileObjection(ctx, bidder(w, 0), l.ID, tender.ObjectDocuments, text)
		noErr(t, err)
		o2, err := w.Tender.FileObjection(ctx, bidder(w, 1), l.ID, tender.ObjectDocuments, "技术参数指向特定品牌，请予以修改。")
		noErr(t, err)
		_, err = w.Tender.AnswerObjection(ctx, w.Actor("agency"), o1.ID, "业绩要求合理，维持原文件。")
		noErr(t, err)
		if !lot(t, w, l.ID).Suspended {
			t.Fatal("resumed with an objection still open")
		}
		_, err = w.Tender.AnswerObjection(ctx, w.Actor("agency"), o1.ID, "再次答复。")
		wantErr(t, err, apperr.Conflict, "")
		_, err = w.Tender.AnswerObjection(ctx, w.Actor("principal"), o2.ID, "已删除品牌指向性参数，另行发布澄清。")
		noErr(t, err)
		if lot(t, w, l.ID).Suspended {
			t.Fatal("still suspended")
		}
	})
	t.Run("ObjectorIsHiddenFromThePrincipalBeforeTheOpening", func(t *testing.T) {
		w, l := setup(t)
		w.Clock.Set(bj(2026, 3, 10, 10, 0))
		o, err := w.Tender.FileObjection(ctx, bidder(w, 0), l.ID, tender.ObjectDocuments, text)
		noErr(t, err)
		for _, who := range []string{"principal", "agency", "supervisor", "operator"} {
			v, err := w.Tender.ViewLot(ctx, w.Actor(who), l.ID)
			noErr(t, err)
			if len(v.Objections) != 1 || v.Objections[0].EntityID != "" {
				t.Errorf("%s sees objections %+v", who, v.Objections)
			}
			js := toJSON(t, v)
			if strings.Contains(js, w.Bidders[0].ID) || strings.Contains(js, w.Bidders[0].Name) {
				t.Errorf("%s's view names the objector", who)
			}
		}
		v, err := w.Tender.ViewLot(ctx, bidder(w, 0), l.ID)
		noErr(t, err)
		if len(v.Objections) != 1 || v.Objections[0].EntityID != w.Bidders[0].ID {
			t.Errorf("objector's own view %+v", v.Objections)
		}
		v, err = w.Tender.ViewLot(ctx, bidder(w, 1), l.ID)
		noErr(t, err)
		if len(v.Objections) != 0 {
			t.Errorf("another bidder sees %+v", v.Objections)
		}
		_, err = w.Tender.AnswerObjection(ctx, w.Actor("agency"), o.ID, "维持原招标文件。")
		noErr(t, err)
		// After the opening the objector may be named to the managers.
		w.Bid(t, l.ID, 2, 9_000_000_00)
		w.Bid(t, l.ID, 3, 9_000_000_00)
		w.Bid(t, l.ID, 4, 9_000_000_00)
		w.PassDeadline(t, l.ID)
		v, err = w.Tender.ViewLot(ctx, w.Actor("principal"), l.ID)
		noErr(t, err)
		if len(v.Objections) != 1 || v.Objections[0].EntityID != w.Bidders[0].ID {
			t.Errorf("after the opening: %+v", v.Objections)
		}
	})
	t.Run("FilingIsConfidentialInTheLedger", func(t *testing.T) {
		w, l := setup(t)
		w.Clock.Set(bj(2026, 3, 10, 10, 0))
		before := len(ledgerAll(t, w))
		_, err := w.Tender.FileObjection(ctx, bidder(w, 0), l.ID, tender.ObjectDocuments, text)
		noErr(t, err)
		es := ledgerAll(t, w)[before:]
		if len(es) != 1 || es[0].Type != "confidential.submission" || es[0].Subject != "" ||
			strings.Contains(string(es[0].Public), l.Code) || strings.Contains(string(es[0].Public), w.Bidders[0].ID) {
			t.Errorf("entries %+v", es)
		}
	})
}
