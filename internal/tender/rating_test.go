package tender_test

import (
	"testing"

	"ggzy/internal/apperr"
	"ggzy/internal/tender"
)

// TestRatingsAndRecords: the agency and the supervisor rate each expert
// once after the report; the record counts draws, seats and ratings.
func TestRatingsAndRecords(t *testing.T) {
	w, l, ms, bs := roomLot(t)
	v := room(t, w, w.Actor("operator"), l.ID)
	var exp tender.Member
	for _, m := range v.Members {
		if m.Kind == tender.MemberExpert {
			exp = m
		}
	}
	err := w.Tender.RateExpert(ctx, w.Actor("agency"), l.ID, exp.ExpertID, 4, "")
	wantErr(t, err, apperr.Conflict, "") // no report yet
	for _, a := range ms {
		_, err := w.SubmitSheet(t, a, l.ID, passAll(l, bs))
		noErr(t, err)
	}
	wantErr(t, w.Tender.RateExpert(ctx, w.Actor("principal"), l.ID, exp.ExpertID, 4, ""), apperr.Forbidden, "")
	wantErr(t, w.Tender.RateExpert(ctx, bidder(w, 0), l.ID, exp.ExpertID, 9, ""), apperr.Forbidden, "") // the rater first, then the form
	wantErr(t, w.Tender.RateExpert(ctx, w.Actor("agency"), l.ID, exp.ExpertID, 0, ""), apperr.Invalid, "")
	if e := wantErr(t, w.Tender.RateExpert(ctx, w.Actor("agency"), l.ID, exp.ExpertID, 2, ""), apperr.Invalid, ""); e.Fields["comment"] == "" {
		t.Fatalf("fields %v", e.Fields)
	}
	wantErr(t, w.Tender.RateExpert(ctx, w.Actor("agency"), l.ID, "not-on-the-committee", 4, ""), apperr.NotFound, "")
	noErr(t, w.Tender.RateExpert(ctx, w.Actor("agency"), l.ID, exp.ExpertID, 4, "认真负责"))
	wantErr(t, w.Tender.RateExpert(ctx, w.Actor("agency"), l.ID, exp.ExpertID, 5, ""), apperr.Conflict, "")
	noErr(t, w.Tender.RateExpert(ctx, w.Actor("supervisor"), l.ID, exp.ExpertID, 2, "评审意见理由不充分"))

	mine, err := w.Tender.LotRatings(ctx, w.Actor("agency"), l.ID)
	noErr(t, err)
	all, err := w.Tender.LotRatings(ctx, w.Actor("operator"), l.ID)
	noErr(t, err)
	if len(mine) != 1 || mine[0].Score != 4 || len(all) != 2 {
		t.Fatalf("agency sees %d, staff %d", len(mine), len(all))
	}
	_, err = w.Tender.LotRatings(ctx, bidder(w, 0), l.ID)
	wantErr(t, err, apperr.Forbidden, "")

	st, rs, err := w.Tender.ExpertRecord(ctx, w.Actor("operator"), exp.ExpertID)
	noErr(t, err)
	if st.Draws != 1 || st.Served != 1 || st.Ratings != 2 || st.MeanRating != 3 || len(rs) != 2 {
		t.Fatalf("record %+v", st)
	}
	_, _, err = w.Tender.ExpertRecord(ctx, w.Actor("agency"), exp.ExpertID)
	wantErr(t, err, apperr.Forbidden, "")
	n, err := w.Expert.PublicCounts(ctx)
	noErr(t, err)
	if n["active"] != len(w.Experts) {
		t.Fatalf("public counts %v", n)
	}
}
