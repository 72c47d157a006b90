package tender_test

import (
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/fixture"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/tender"
)

func TestSubmitBid(t *testing.T) {
	setup := func(t *testing.T) (*fixture.World, tender.Lot) {
		w := newWorld(t)
		return w, publishedT0(t, w)
	}
	in := tender.BidInput{Content: content(9_000_000_00)}

	t.Run("AtTheDeadlineIsRefusedWithBasis", func(t *testing.T) {
		w, l := setup(t)
		prepare(t, w, bidder(w, 0), l.ID)
		w.Clock.Set(l.BidDeadline.Add(-time.Second))
		_, err := w.Tender.SubmitBid(ctx, bidder(w, 0), l.ID, in)
		noErr(t, err)
		w.Clock.Set(l.BidDeadline)
		_, err = w.Tender.SubmitBid(ctx, bidder(w, 0), l.ID, in)
		wantErr(t, err, apperr.Deadline, "《招标投标法》第二十八条")
		w.Clock.Set(l.BidDeadline.Add(time.Hour))
		_, err = w.Tender.WithdrawBid(ctx, bidder(w, 0), l.ID)
		wantErr(t, err, apperr.Deadline, "第二十八条")
	})
	t.Run("DocumentsOutsideTheSalePeriodAreRefused", func(t *testing.T) {
		w := newWorld(t)
		l := draftLot(t, w, tender.Open)
		_, err := w.Tender.PublishTender(ctx, w.Actor("agency"), l.ID, tender.PublishInput{DocsFrom: bj(2026, 3, 3, 9, 0),
			DocsUntil: bj(2026, 3, 9, 17, 0), BidDeadline: bj(2026, 3, 24, 9, 30)})
		noErr(t, err)
		wantErr(t, w.Tender.ObtainDocuments(ctx, bidder(w, 0), l.ID), apperr.Deadline, "第十六条")
		w.Clock.Set(bj(2026, 3, 9, 17, 0))
		noErr(t, w.Tender.ObtainDocuments(ctx, bidder(w, 0), l.ID))
		w.Clock.Set(bj(2026, 3, 9, 17, 1))
		wantErr(t, w.Tender.ObtainDocuments(ctx, bidder(w, 1), l.ID), apperr.Deadline, "第十六条")
	})
	t.Run("WithoutDocumentsIsRefused", func(t *testing.T) {
		w, l := setup(t)
		noErr(t, w.Tender.RecordDeposit(ctx, bidder(w, 0), l.ID, 100_000_00, "BANK-1"))
		_, err := w.Tender.SubmitBid(ctx, bidder(w, 0), l.ID, in)
		wantErr(t, err, apperr.Conflict, "")
	})
	t.Run("WithoutDepositIsRefused", func(t *testing.T) {
		w, l := setup(t)
		noErr(t, w.Tender.ObtainDocuments(ctx, bidder(w, 0), l.ID))
		_, err := w.Tender.SubmitBid(ctx, bidder(w, 0), l.ID, in)
		wantErr(t, err, apperr.Conflict, "第二十六条")
	})
	t.Run("DepositBelowTheSecurityIsRefused", func(t *testing.T) {
		w, l := setup(t)
		err := w.Tender.RecordDeposit(ctx, bidder(w, 0), l.ID, 99_999_99, "BANK-1")
		if e := wantErr(t, err, apperr.Invalid, ""); e.Fields["amount"] == "" {
			t.Errorf("fields %v", e.Fields)
		}
	})
	t.Run("OnlyBiddersMayBid", func(t *testing.T) {
		w, l := setup(t)
		for _, who := range []string{"principal", "agency", "operator"} {
			_, err := w.Tender.SubmitBid(ctx, w.Actor(who), l.ID, in)
			wantErr(t, err, apperr.Forbidden, "")
		}
	})
	t.Run("UnknownFormatIsRefused", func(t *testing.T) {
		w, l := setup(t)
		prepare(t, w, bidder(w, 0), l.ID)
		_, err := w.Tender.SubmitBid(ctx, bidder(w, 0), l.ID, tender.BidInput{Format: "sealed-v9", Content: []byte("x")})
		wantErr(t, err, apperr.Invalid, "《电子招标投标办法》")
	})
	t.Run("UnreadablePlainContentIsRefused", func(t *testing.T) {
		w, l := setup(t)
		prepare(t, w, bidder(w, 0), l.ID)
		for _, c := range []string{`{"price":0,"duration_days":300}`, `{"price":100,"duration_days":300,"floor":1}`, `not json`} {
			_, err := w.Tender.SubmitBid(ctx, bidder(w, 0), l.ID, tender.BidInput{Content: []byte(c)})
			wantErr(t, err, apperr.Invalid, "")
		}
	})
	t.Run("ModificationBumpsTheVersionAndKeepsOneBid", func(t *testing.T) {
		w, l := setup(t)
		prepare(t, w, bidder(w, 0), l.ID)
		r1, err := w.Tender.SubmitBid(ctx, bidder(w, 0), l.ID, in)
		noErr(t, err)
		w.Clock.Advance(time.Hour)
		r2, err := w.Tender.SubmitBid(ctx, bidder(w, 0), l.ID, tender.BidInput{Content: content(8_800_000_00)})
		noErr(t, err)
		if r1.Version != 1 || r2.Version != 2 || r1.BidID != r2.BidID || r1.ContentHash == r2.ContentHash || r2.LedgerIndex <= r1.LedgerIndex {
			t.Errorf("receipts %+v %+v", r1, r2)
		}
		bs := bids(t, w, l.ID)
		if len(bs) != 1 || bs[0].Version != 2 || bs[0].ContentHash != r2.ContentHash || !bs[0].SubmittedAt.Equal(w.Clock.Now()) {
			t.Errorf("bids %+v", bs)
		}
	})
	t.Run("WithdrawMarksTheBidWithdrawn", func(t *testing.T) {
		w, l := setup(t)
		prepare(t, w, bidder(w, 0), l.ID)
		_, err := w.Tender.SubmitBid(ctx, bidder(w, 0), l.ID, in)
		noErr(t, err)
		r, err := w.Tender.WithdrawBid(ctx, bidder(w, 0), l.ID)
		noErr(t, err)
		if !r.Withdrawn || r.Version != 2 {
			t.Errorf("receipt %+v", r)
		}
		if b := bids(t, w, l.ID)[0]; b.Status != tender.BidWithdrawn {
			t.Errorf("bid status %s", b.Status)
		}
		_, err = w.Tender.WithdrawBid(ctx, bidder(w, 0), l.ID)
		wantErr(t, err, apperr.Conflict, "")
		_, err = w.Tender.WithdrawBid(ctx, bidder(w, 1), l.ID)
		wantErr(t, err, apperr.NotFound, "")
	})
	t.Run("ReceiptIndexIsAConfidentialEntryNamingNeitherLotNorBidder", func(t *testing.T) {
		w, l := setup(t)
		prepare(t, w, bidder(w, 0), l.ID)
		r, err := w.Tender.SubmitBid(ctx, bidder(w, 0), l.ID, in)
		noErr(t, err)
		rw, err := w.Tender.WithdrawBid(ctx, bidder(w, 0), l.ID)
		noErr(t, err)
		for _, idx := range []int64{r.LedgerIndex, rw.LedgerIndex} {
			var es []ledger.Entry
			read(t, w, func(tx *store.Tx) error {
				var err error
				es, err = tx.ListLedger(ctx, "", idx, 1)
				return err
			})
			if len(es) != 1 || es[0].Index != idx {
				t.Fatalf("no ledger entry at %d: %+v", idx, es)
			}
			e := es[0]
			if e.Type != ledger.Confidential || e.Subject != "" {
				t.Errorf("entry %d type %q subject %q", idx, e.Type, e.Subject)
			}
			for _, secret := range []string{l.Code, l.ID, w.Bidders[0].ID, w.Bidders[0].Name, r.BidID, r.ContentHash} {
				if strings.Contains(string(e.Public), secret) {
					t.Errorf("public part %s reveals %q", e.Public, secret)
				}
			}
			if !e.Verify() || !strings.Contains(string(e.Private), l.Code) || !strings.Contains(string(e.Private), w.Bidders[0].ID) {
				t.Errorf("private part %s does not commit to lot and bidder", e.Private)
			}
		}
	})
}

func TestViewLotBeforeTheOpeningKeepsBiddersSecret(t *testing.T) {
	// 《招标投标法》第二十二条: nobody learns who or how many obtained the
	// documents or bid before the opening.
	w := newWorld(t)
	l := publishedT0(t, w)
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, 9_000_000_00)
	}
	noErr(t, w.Tender.ObtainDocuments(ctx, bidder(w, 3), l.ID))
	secretsOf := func(skip int) []string {
		var out []string
		for i := 0; i < 4; i++ {
			if i != skip {
				b := w.Bidders[i]
				out = append(out, b.ID, b.Name, b.USCC, b.LegalRep)
			}
		}
		return out
	}
	viewers := map[string]party.Actor{
		"principal": w.Actor("principal"), "agency": w.Actor("agency"), "operator": w.Actor("operator"),
		"supervisor": w.Actor("supervisor"), "auditor": w.Actor("auditor"), "public": party.Public("1.2.3.4"),
		"anotherBidder": bidder(w, 5),
	}
	for name, a := range viewers {
		t.Run(name, func(t *testing.T) {
			v, err := w.Tender.ViewLot(ctx, a, l.ID)
			noErr(t, err)
			if len(v.Bids) != 0 || len(v.Access) != 0 || v.Opening != nil || v.MyBid != nil || v.MyReceipt != nil || v.Report != nil {
				t.Errorf("bids %d access %d opening %v mybid %v", len(v.Bids), len(v.Access), v.Opening, v.MyBid)
			}
			js := toJSON(t, v)
			for _, s := range secretsOf(-1) {
				if strings.Contains(js, s) {
					t.Errorf("view names a bidder: %q", s)
				}
			}
		})
	}
	t.Run("theBidderSeesItsOwnBidOnly", func(t *testing.T) {
		v, err := w.Tender.ViewLot(ctx, bidder(w, 0), l.ID)
		noErr(t, err)
		if v.MyBid == nil || v.MyBid.EntityID != w.Bidders[0].ID || v.MyReceipt == nil || !v.MyAccess || v.MyDeposit == nil {
			t.Fatalf("own bid %+v receipt %+v", v.MyBid, v.MyReceipt)
		}
		if len(v.Bids) != 0 || len(v.Access) != 0 || v.Opening != nil {
			t.Errorf("bids %d access %d", len(v.Bids), len(v.Access))
		}
		js := toJSON(t, v)
		for _, s := range secretsOf(0) {
			if strings.Contains(js, s) {
				t.Errorf("view names another bidder: %q", s)
			}
		}
	})
	t.Run("theLotsPublicTimeline", func(t *testing.T) {
		es, err := w.Tender.Timeline(ctx, l.Code)
		noErr(t, err)
		js := toJSON(t, es)
		for _, s := range secretsOf(-1) {
			if strings.Contains(js, s) {
				t.Errorf("timeline names a bidder: %q", s)
			}
		}
		for _, e := range es {
			if e.Type == ledger.Confidential || strings.HasPrefix(e.Type, "bid.") || strings.HasPrefix(e.Type, "documents.") || strings.HasPrefix(e.Type, "deposit.") {
				t.Errorf("timeline entry %s", e.Type)
			}
		}
	})
}
