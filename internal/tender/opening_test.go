package tender_test

import (
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/fixture"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
)

func TestOpenBids(t *testing.T) {
	withBids := func(t *testing.T, n int) (*fixture.World, tender.Lot) {
		w := newWorld(t)
		l := publishedT0(t, w)
		for i := 0; i < n; i++ {
			w.Clock.Advance(time.Minute)
			w.Bid(t, l.ID, i, money.Fen(9_000_000_00+int64(i)*10_000_00))
		}
		return w, l
	}

	t.Run("BeforeTheDeadlineNobodyCanOpen", func(t *testing.T) {
		w, l := withBids(t, 3)
		w.Clock.Set(l.BidDeadline.Add(-time.Second))
		_, err := w.Tender.OpenBids(ctx, l.ID)
		wantErr(t, err, apperr.Deadline, "《招标投标法》第三十四条")
		if got := lot(t, w, l.ID); got.Status != tender.Bidding {
			t.Errorf("status %s", got.Status)
		}
		for _, b := range bids(t, w, l.ID) {
			if b.Status != tender.BidSubmitted || b.Opened != nil {
				t.Errorf("bid %s opened early", b.ID)
			}
		}
	})
	t.Run("FewerThanThreeBidsFailsTheTender", func(t *testing.T) {
		w, l := withBids(t, 3)
		_, err := w.Tender.WithdrawBid(ctx, bidder(w, 2), l.ID)
		noErr(t, err)
		op := w.PassDeadline(t, l.ID)
		if !op.Failed || op.BidderCount != 2 || len(op.Rows) != 0 || !op.AsOf.Equal(l.BidDeadline) {
			t.Errorf("opening %+v", op)
		}
		got := lot(t, w, l.ID)
		if got.Status != tender.Failed || !strings.Contains(got.FailedReason, "第四十四条") {
			t.Errorf("lot %s %q", got.Status, got.FailedReason)
		}
		if ns := notices(t, w, l.ID, tender.NoticeFailed); len(ns) != 1 || !ns[0].Public {
			t.Errorf("failed notices %+v", ns)
		}
		if ns := notices(t, w, l.ID, tender.NoticeOpening); len(ns) != 0 {
			t.Errorf("opening notice for a failed tender")
		}
		for _, b := range bids(t, w, l.ID) {
			if b.Opened != nil || b.Status == tender.BidOpened {
				t.Errorf("bid %s was opened: %+v", b.ID, b.Opened)
			}
		}
		types := ledgerTypes(t, w, l.Code)
		if count(types, "tender.failed") != 1 || count(types, "tender.opened") != 0 {
			t.Errorf("ledger %v", types)
		}
	})
	t.Run("RetenderLinksTheFailedLotAndCanBePublished", func(t *testing.T) {
		w, l := withBids(t, 2)
		w.PassDeadline(t, l.ID)
		_, err := w.Tender.Retender(ctx, bidder(w, 0), l.ID)
		wantErr(t, err, apperr.Forbidden, "")
		nl, err := w.Tender.Retender(ctx, w.Actor("agency"), l.ID)
		noErr(t, err)
		if nl.RetenderOf != l.ID || nl.Status != tender.Draft || nl.Code == l.Code || nl.Estimate != l.Estimate || nl.Security != l.Security {
			t.Errorf("re-tender %+v", nl)
		}
		_, err = w.Tender.Retender(ctx, w.Actor("agency"), l.ID)
		wantErr(t, err, apperr.Conflict, "")
		v, err := w.Tender.ViewLot(ctx, w.Actor("principal"), l.ID)
		noErr(t, err)
		if v.Retender == nil || v.Retender.ID != nl.ID {
			t.Errorf("failed lot's view does not link the re-tender: %+v", v.Retender)
		}
		hash, size, err := w.Blobs.Put(strings.NewReader("招标文件（重新招标）"), 1<<20)
		noErr(t, err)
		_, err = w.Tender.AddDocument(ctx, w.Actor("agency"), nl.ID, "招标文件.pdf", size, hash)
		noErr(t, err)
		now := w.Clock.Now()
		dl := w.Tender.EarliestDeadline(now, 9, 30)
		_, err = w.Tender.PublishTender(ctx, w.Actor("agency"), nl.ID, tender.PublishInput{DocsFrom: now, DocsUntil: dl, BidDeadline: dl})
		noErr(t, err)
		if got := lot(t, w, nl.ID); got.Status != tender.Bidding {
			t.Errorf("re-tender status %s", got.Status)
		}
	})
	t.Run("OnlyAFailedLotCanBeRetendered", func(t *testing.T) {
		w, l := withBids(t, 3)
		_, err := w.Tender.Retender(ctx, w.Actor("agency"), l.ID)
		wantErr(t, err, apperr.Conflict, "")
	})
	t.Run("ThreeBidsAreOpenedWithNamesAndPrices", func(t *testing.T) {
		w, l := withBids(t, 3)
		op := w.PassDeadline(t, l.ID)
		if op.Failed || op.BidderCount != 3 || len(op.Rows) != 3 {
			t.Fatalf("opening %+v", op)
		}
		for i, r := range op.Rows {
			want := money.Fen(9_000_000_00 + int64(i)*10_000_00)
			if r.EntityName != w.Bidders[i].Name || r.EntityID != w.Bidders[i].ID || r.Price != want || r.Status != tender.BidOpened || r.DurationDays != 365 {
				t.Errorf("row %d %+v", i, r)
			}
		}
		if got := lot(t, w, l.ID); got.Status != tender.Evaluating || !got.OpenedAt.Equal(l.BidDeadline) {
			t.Errorf("lot %s opened at %v", got.Status, got.OpenedAt)
		}
		ns := notices(t, w, l.ID, tender.NoticeOpening)
		if len(ns) != 1 || !ns[0].Public || !strings.Contains(string(ns[0].Data), w.Bidders[2].Name) {
			t.Errorf("opening notices %+v", ns)
		}
		if len(warnings(t, w, l.ID)) != 0 {
			t.Errorf("warnings on a punctual opening: %v", warningKinds(t, w, l.ID))
		}
		// After the opening the managers see the bids and who took documents.
		v, err := w.Tender.ViewLot(ctx, w.Actor("principal"), l.ID)
		noErr(t, err)
		if len(v.Bids) != 3 || len(v.Access) != 3 || v.Opening == nil {
			t.Errorf("principal after opening: bids %d access %d", len(v.Bids), len(v.Access))
		}
		for _, b := range v.Bids {
			if b.Content != nil {
				t.Error("raw bid content in the view")
			}
		}
	})
	t.Run("OpeningTwiceOpensOnce", func(t *testing.T) {
		w, l := withBids(t, 3)
		op1 := w.PassDeadline(t, l.ID)
		w.Clock.Advance(time.Minute)
		op2, err := w.Tender.OpenBids(ctx, l.ID)
		noErr(t, err)
		if !op2.RanAt.Equal(op1.RanAt) || !op2.AsOf.Equal(op1.AsOf) || len(op2.Rows) != len(op1.Rows) {
			t.Errorf("second opening %+v differs from %+v", op2, op1)
		}
		if ns := notices(t, w, l.ID, tender.NoticeOpening); len(ns) != 1 {
			t.Errorf("%d opening notices", len(ns))
		}
		if types := ledgerTypes(t, w, l.Code); count(types, "tender.opened") != 1 {
			t.Errorf("ledger %v", types)
		}
	})
	t.Run("ALateRunOpensAsOfTheDeadlineAndWarns", func(t *testing.T) {
		w, l := withBids(t, 3)
		late := l.BidDeadline.Add(3 * time.Hour)
		w.Clock.Set(late)
		op, err := w.Tender.OpenBids(ctx, l.ID)
		noErr(t, err)
		if !op.AsOf.Equal(l.BidDeadline) || !op.RanAt.Equal(late) {
			t.Errorf("as of %v ran at %v", op.AsOf, op.RanAt)
		}
		if kinds := warningKinds(t, w, l.ID); len(kinds) != 1 || kinds[0] != "opening.late" {
			t.Errorf("warnings %v", kinds)
		}
	})
	t.Run("APendingObjectionPostponesTheOpeningUntilAnswered", func(t *testing.T) {
		w, l := withBids(t, 3)
		w.Clock.Set(bj(2026, 3, 12, 10, 0))
		o, err := w.Tender.FileObjection(ctx, bidder(w, 0), l.ID, tender.ObjectDocuments, "评分标准存在明显倾向性，请予以修改。")
		noErr(t, err)
		w.Clock.Set(l.BidDeadline)
		_, err = w.Tender.OpenBids(ctx, l.ID)
		if err != tender.ErrSuspended {
			t.Fatalf("err %v, want ErrSuspended", err)
		}
		w.Clock.Set(l.BidDeadline.Add(time.Hour))
		_, err = w.Tender.AnswerObjection(ctx, w.Actor("agency"), o.ID, "评分标准符合规定，维持原文件。")
		noErr(t, err)
		js := openJobs(w, l.ID)
		if last := js[len(js)-1]; !last.RunAt.Equal(w.Clock.Now()) || last.Kind != jobs.OpenBids {
			t.Errorf("no opening enqueued at the answer: %+v", js)
		}
		op, err := w.Tender.OpenBids(ctx, l.ID)
		noErr(t, err)
		if op.Failed || !op.AsOf.Equal(l.BidDeadline) {
			t.Errorf("opening %+v", op)
		}
	})
}

func TestOpenBidsRejectsAutomatically(t *testing.T) {
	w := newWorld(t)
	l := w.PublishedLot(t, fixture.LotOptions{Ceiling: 9_000_000_00})
	_, twinA := registerBidder(t, w, 1, "广西同源建设有限公司", "赵同一", "twina")
	_, twinB := registerBidder(t, w, 2, "南宁同源工程有限公司", "赵同一", "twinb")
	bc := func(price money.Fen, alt ...money.Fen) tender.BidContent {
		return tender.BidContent{Price: price, AlternativePrices: alt, DurationDays: 300, Quality: "合格"}
	}
	bidAs(t, w, bidder(w, 0), l.ID, bc(8_500_000_00))               // valid
	bidAs(t, w, bidder(w, 1), l.ID, bc(9_000_000_01))               // above the ceiling
	bidAs(t, w, bidder(w, 2), l.ID, bc(8_400_000_00, 8_300_000_00)) // alternative not invited
	bidAs(t, w, twinA, l.ID, bc(8_600_000_00))                      // same legal representative
	bidAs(t, w, twinB, l.ID, bc(8_700_000_00))                      // same legal representative
	bidAs(t, w, bidder(w, 3), l.ID, bc(9_000_000_00))               // exactly the ceiling: valid
	w.PassDeadline(t, l.ID)

	bs := bids(t, w, l.ID)
	wantReason := map[string]string{
		w.Bidders[1].ID: "最高投标限价",
		w.Bidders[2].ID: "备选",
		twinA.EntityID:  "法定代表人",
		twinB.EntityID:  "法定代表人",
		w.Bidders[0].ID: "",
		w.Bidders[3].ID: "",
	}
	for ent, reason := range wantReason {
		b := bidOf(t, bs, ent)
		got := strings.Join(b.Reject, "；")
		if reason == "" && got != "" || reason != "" && !strings.Contains(got, reason) {
			t.Errorf("bid of %s rejected for %q, want %q", ent, got, reason)
		}
	}

	rep := w.Evaluate(t, l.ID)
	for ent, reason := range wantReason {
		var r tender.ReportRow
		for _, x := range rep.Rows {
			if x.EntityID == ent {
				r = x
			}
		}
		if r.Rejected != (reason != "") || reason != "" && !strings.Contains(strings.Join(r.Reasons, ""), reason) {
			t.Errorf("report row of %s: %+v", ent, r)
		}
	}
	if len(rep.Candidates) != 2 || rep.Candidates[0].EntityID != w.Bidders[0].ID || rep.Candidates[1].EntityID != w.Bidders[3].ID {
		t.Errorf("candidates %+v", rep.Candidates)
	}
}

// TestPublicLotsListsWhatThePublicMaySee: drafts never, an invited tender in
// bidding only to staff, everything else with its project.
func TestPublicLotsListsWhatThePublicMaySee(t *testing.T) {
	w := fixture.New(t, testkit.OpenSQLite(t))
	open := w.PublishedLot(t, fixture.LotOptions{})
	invited := w.PublishedLot(t, fixture.LotOptions{Procedure: tender.Invited, Invitees: []string{w.Bidders[0].USCC, w.Bidders[1].USCC, w.Bidders[2].USCC}})
	p, err := w.Tender.CreateProject(ctx, w.Actor("principal"), tender.ProjectInput{Name: "南宁市草稿项目示例", SupervisorDept: "住建"})
	noErr(t, err)
	_, err = w.Tender.AddLot(ctx, w.Actor("principal"), p.ID, tender.LotInput{Name: "草稿标段", Procedure: tender.Open, Method: tender.LowestPrice,
		Estimate: 1_000_000_00, CategoryCode: "A0801", CommitteeSize: 5, PrincipalReps: 1})
	noErr(t, err)
	ids := func(cs []tender.LotCard) []string {
		var out []string
		for _, c := range cs {
			if c.Project.ID != c.Lot.ProjectID {
				t.Errorf("card %s carries project %s", c.Lot.ID, c.Project.ID)
			}
			out = append(out, c.Lot.ID)
		}
		return out
	}
	pub, err := w.Tender.PublicLots(ctx, party.Public("1.2.3.4"), tender.LotFilter{})
	noErr(t, err)
	if got := ids(pub); len(got) != 1 || got[0] != open.ID {
		t.Fatalf("public sees %v, want only the open tender %s", got, open.ID)
	}
	staff, err := w.Tender.PublicLots(ctx, w.Actor("operator"), tender.LotFilter{Status: tender.Bidding})
	noErr(t, err)
	if got := ids(staff); len(got) != 2 {
		t.Fatalf("operator sees %v, want the open and the invited tender (%s)", got, invited.ID)
	}
}
