package tender_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/fixture"
	"ggzy/internal/jobs"
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/rules"
	"ggzy/internal/store"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
)

const conf = ledger.Confidential

// TestLifecycle runs one lot from registration to contract on every
// database, checking that each use case appends exactly its ledger entries.
func TestLifecycle(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		w := fixture.New(t, db)
		agency, principal := w.Actor("agency"), w.Actor("principal")
		step := func(name string, want []string, fn func() error) {
			t.Helper()
			before := len(ledgerAll(t, w))
			if err := fn(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var got []string
			for _, e := range ledgerAll(t, w)[before:] {
				got = append(got, e.Type)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s appended %v, want %v", name, got, want)
			}
		}

		var p tender.Project
		var l tender.Lot
		step("CreateProject", []string{"project.created"}, func() (err error) {
			p, err = w.Tender.CreateProject(ctx, principal, tender.ProjectInput{Name: "南宁市邕江大桥维修加固工程", AgencyUSCC: w.Agency.USCC, StateFunded: true, SupervisorDept: "交通"})
			return err
		})
		step("AddLot", []string{"lot.created"}, func() (err error) {
			in := validLot()
			in.Method, in.Scoring, in.Ceiling = tender.Comprehensive, tender.DefaultScoring(), 9_500_000_00
			l, err = w.Tender.AddLot(ctx, agency, p.ID, in)
			return err
		})
		step("AddDocument", []string{"document.uploaded"}, func() error {
			hash, size, err := w.Blobs.Put(strings.NewReader("招标文件"), 1<<20)
			if err != nil {
				return err
			}
			_, err = w.Tender.AddDocument(ctx, agency, l.ID, "招标文件.pdf", size, hash)
			return err
		})
		deadline := bj(2026, 3, 23, 9, 30)
		step("PublishTender", []string{"tender.published"}, func() error {
			_, err := w.Tender.PublishTender(ctx, agency, l.ID, tender.PublishInput{DocsFrom: fixture.T0, DocsUntil: bj(2026, 3, 9, 17, 0), BidDeadline: deadline})
			return err
		})
		prices := []money.Fen{9_200_000_00, 9_000_000_00, 9_400_000_00}
		for i, price := range prices {
			a := bidder(w, i)
			w.Clock.Advance(time.Hour)
			step("ObtainDocuments", []string{conf}, func() error { return w.Tender.ObtainDocuments(ctx, a, l.ID) })
			step("ObtainDocumentsAgain", nil, func() error { return w.Tender.ObtainDocuments(ctx, a, l.ID) })
			step("RecordDeposit", []string{conf}, func() error { return w.Tender.RecordDeposit(ctx, a, l.ID, 100_000_00, "BANK") })
			step("SubmitBid", []string{conf}, func() error {
				_, err := w.Tender.SubmitBid(ctx, a, l.ID, tender.BidInput{Content: content(price)})
				return err
			})
		}
		w.Clock.Set(deadline)
		// The opening reveals the 9 confidential entries (3 × documents, deposit, bid).
		step("OpenBids", append([]string{"tender.opened"}, slices.Repeat([]string{ledger.Revealed}, 9)...), func() error {
			op, err := w.Tender.OpenBids(ctx, l.ID)
			if err == nil && (op.BidderCount != 3 || op.Failed) {
				err = fmt.Errorf("opening %+v", op)
			}
			return err
		})
		w.Clock.Set(bj(2026, 3, 23, 14, 0))
		var members []tender.Member
		step("DrawCommittee", []string{"evaluation.draw_requested", "evaluation.draw_done", "evaluation.invitation_confirmed", "evaluation.invitation_confirmed", "evaluation.invitation_confirmed", "evaluation.invitation_confirmed", "evaluation.committee_formed", "evaluation.started"}, func() (err error) {
			members, err = drawCommittee(w, l.ID, "principal2")
			return err
		})
		l = lot(t, w, l.ID)
		bs := evaluable(t, w, l.ID)
		for i, m := range members {
			want := []string{"evaluation.sheet_submitted"}
			if i == len(members)-1 {
				want = append(want, "evaluation.finished")
			}
			a := actorOfUser(t, w, m.UserID)
			w.SignSheet(t, a, l.Code, nil) // the member's key is registered beforehand
			step("SubmitScoreSheet", want, func() error {
				_, err := w.SubmitSheet(t, a, l.ID, passAll(l, bs))
				return err
			})
		}
		rep := report(t, w, l.ID)
		// Equal subjective scores (2400 + 800): the lowest price wins.
		// 9,000,000 → 60.00; 9,200,000 → 6000×90/92 = 5869.57 → 58.70; 9,400,000 → 5744.68 → 57.45.
		wantTotals := []int64{6000 + 3200, 5870 + 3200, 5745 + 3200}
		for i, c := range rep.Candidates {
			if c.Total != wantTotals[i] {
				t.Errorf("candidate %d total %d, want %d", i+1, c.Total, wantTotals[i])
			}
		}
		if rep.Candidates[0].EntityID != w.Bidders[1].ID {
			t.Fatalf("first candidate %+v", rep.Candidates[0])
		}
		l = lot(t, w, l.ID)
		w.Clock.Set(l.PublicityUntil) // end of Thursday 03-26
		if !l.PublicityUntil.Equal(bj(2026, 3, 27, 0, 0)) {
			t.Errorf("publicity until %v", l.PublicityUntil)
		}
		step("DecideAward", []string{"evaluation.committee_revealed", ledger.Revealed, "tender.awarded"}, func() error {
			_, err := w.Tender.DecideAward(ctx, principal, l.ID, tender.AwardInput{BidID: rep.Candidates[0].BidID})
			return err
		})
		w.Clock.Set(bj(2026, 4, 3, 10, 0))
		step("RecordContract", []string{"contract.recorded"}, func() error {
			_, err := w.Tender.RecordContract(ctx, agency, l.ID, bj(2026, 4, 2, 15, 0), 9_000_000_00)
			return err
		})
		if got := lot(t, w, l.ID); got.Status != tender.Contracted {
			t.Errorf("status %s", got.Status)
		}
		// The ledger is dense and every entry checks against its commitment.
		for i, e := range ledgerAll(t, w) {
			if e.Index != int64(i) || !e.Verify() {
				t.Errorf("entry %d: index %d verify %v", i, e.Index, e.Verify())
			}
		}
		kinds := w.Jobs.Kinds()
		for _, k := range []string{jobs.OpenBids, jobs.PublicityEnd, jobs.ContractDue} {
			if count(kinds, k) != 1 {
				t.Errorf("jobs %v: want one %s", kinds, k)
			}
		}
		for _, n := range []tender.NoticeKind{tender.NoticeTender, tender.NoticeOpening, tender.NoticeCandidates, tender.NoticeAward, tender.NoticeContract} {
			if ns := notices(t, w, l.ID, n); len(ns) != 1 || !ns[0].Public {
				t.Errorf("%s notices: %d", n, len(ns))
			}
		}
	})
}

// TestRefusedUseCasesLeaveTheLedgerUnchanged: a use case that fails writes
// nothing, neither state nor ledger entry.
func TestRefusedUseCasesLeaveTheLedgerUnchanged(t *testing.T) {
	w := newWorld(t)
	l := publishedT0(t, w)
	prepare(t, w, bidder(w, 0), l.ID)
	noErr(t, w.Tender.ObtainDocuments(ctx, bidder(w, 1), l.ID))
	for i := 2; i < 5; i++ {
		w.Bid(t, l.ID, i, 9_000_000_00)
	}
	bidIn := tender.BidInput{Content: content(9_000_000_00)}
	for _, tc := range []struct {
		name string
		at   time.Time
		fn   func() error
	}{
		{"BidWithoutDeposit", fixture.T0, func() error {
			_, err := w.Tender.SubmitBid(ctx, bidder(w, 1), l.ID, bidIn)
			return err
		}},
		{"BidWithoutDocuments", fixture.T0, func() error {
			_, err := w.Tender.SubmitBid(ctx, bidder(w, 5), l.ID, bidIn)
			return err
		}},
		{"ClarificationWithoutLawfulDeadline", bj(2026, 3, 20, 10, 0), func() error {
			_, err := w.Tender.IssueClarification(ctx, w.Actor("agency"), l.ID, "修改工程量清单第5项。", time.Time{})
			return err
		}},
		{"LateDocumentObjection", bj(2026, 3, 20, 10, 0), func() error {
			_, err := w.Tender.FileObjection(ctx, bidder(w, 0), l.ID, tender.ObjectDocuments, "招标文件资格条件设置不合理，请修改。")
			return err
		}},
		{"EarlyOpening", bj(2026, 3, 23, 9, 29), func() error {
			_, err := w.Tender.OpenBids(ctx, l.ID)
			return err
		}},
		{"BidAfterDeadline", bj(2026, 3, 23, 9, 30), func() error {
			_, err := w.Tender.SubmitBid(ctx, bidder(w, 0), l.ID, bidIn)
			return err
		}},
		{"WithdrawalAfterDeadline", bj(2026, 3, 23, 9, 30), func() error {
			_, err := w.Tender.WithdrawBid(ctx, bidder(w, 2), l.ID)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.Clock.Set(tc.at)
			before, lotBefore, bidsBefore := len(ledgerAll(t, w)), lot(t, w, l.ID), len(bids(t, w, l.ID))
			if err := tc.fn(); err == nil {
				t.Fatal("not refused")
			}
			if after := len(ledgerAll(t, w)); after != before {
				t.Errorf("ledger grew from %d to %d", before, after)
			}
			if got := lot(t, w, l.ID); got.Version != lotBefore.Version || !got.BidDeadline.Equal(lotBefore.BidDeadline) {
				t.Errorf("lot changed: %+v", got)
			}
			if n := len(bids(t, w, l.ID)); n != bidsBefore {
				t.Errorf("bids %d → %d", bidsBefore, n)
			}
		})
	}
}

// outboxDown is a store whose job outbox fails: the use case fails after its
// state change and ledger entry, which must roll back with it.
type outboxDown struct{ inner tender.Store }

type outboxDownTx struct{ tender.Tx }

var errOutbox = errors.New("outbox unavailable")

func (s outboxDown) WithTx(ctx context.Context, fn func(tender.Tx) error) error {
	return s.inner.WithTx(ctx, func(tx tender.Tx) error { return fn(outboxDownTx{tx}) })
}
func (s outboxDown) Read(ctx context.Context, fn func(tender.Tx) error) error {
	return s.inner.Read(ctx, fn)
}
func (outboxDownTx) Enqueue(context.Context, jobs.Job) error { return errOutbox }

func TestStateLedgerAndJobsCommitTogether(t *testing.T) {
	w := newWorld(t)
	broken := tender.New(tender.Config{Store: outboxDown{store.Bind[tender.Tx](w.DB)}, Clock: w.Clock, IDs: w.IDs,
		Rules: rules.EngineeringTender(), Calendar: w.Calendar, Region: fixture.Region})
	l := draftLot(t, w, tender.Open)
	before := len(ledgerAll(t, w))
	dl := w.Tender.EarliestDeadline(w.Clock.Now(), 9, 30)
	_, err := broken.PublishTender(ctx, w.Actor("agency"), l.ID, tender.PublishInput{DocsFrom: w.Clock.Now(), DocsUntil: dl, BidDeadline: dl})
	if !errors.Is(err, errOutbox) {
		t.Fatalf("err %v, want the outbox error", err)
	}
	if apperr.CodeOf(err) != apperr.Internal {
		t.Errorf("code %s", apperr.CodeOf(err))
	}
	if got := len(ledgerAll(t, w)); got != before {
		t.Errorf("ledger grew from %d to %d although the transaction failed", before, got)
	}
	if got := lot(t, w, l.ID); got.Status != tender.Draft {
		t.Errorf("status %s although the transaction failed", got.Status)
	}
	if ns := notices(t, w, l.ID, ""); len(ns) != 0 {
		t.Errorf("%d notices although the transaction failed", len(ns))
	}
	if js := openJobs(w, l.ID); len(js) != 0 {
		t.Errorf("jobs %+v", js)
	}
	// The same use case on a working outbox commits all three.
	_, err = w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, tender.PublishInput{DocsFrom: w.Clock.Now(), DocsUntil: dl, BidDeadline: dl})
	noErr(t, err)
	if got := len(ledgerAll(t, w)); got != before+1 || len(openJobs(w, l.ID)) != 1 || lot(t, w, l.ID).Status != tender.Bidding {
		t.Errorf("ledger %d → %d, jobs %d", before, got, len(openJobs(w, l.ID)))
	}
}
