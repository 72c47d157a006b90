package auction_test

import (
	"encoding/json"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
)

// TestRunDueStepIsAudited: the trading centre runs a step the job runner
// has not run (a worker down): not before it is due, only by the centre;
// the step decides as it would on time, and who ran it is in the ledger.
func TestRunDueStepIsAudited(t *testing.T) {
	w := newWorld(t)
	s, regs := auctionSale(t, w, 3)
	op := w.Actor("operator")
	name, err := w.Auction.RunDueStep(ctx, op, s.ID) // at the start: the bidding opens
	noErr(t, err)
	eq(t, "step", name, "开始竞价")
	eq(t, "timed", sale(t, w, s.ID).Status, auction.StatusTimed)
	w.Clock.Advance(time.Minute)
	r, err := w.Auction.Bid(ctx, bidderActor(w, 1), s.ID, start)
	noErr(t, err)

	_, err = w.Auction.RunDueStep(ctx, bidderActor(w, 0), s.ID)
	wantErr(t, err, apperr.Forbidden, "")
	_, err = w.Auction.RunDueStep(ctx, op, s.ID)
	if e := wantErr(t, err, apperr.Conflict, ""); e.Message == "" {
		t.Fatal("no message")
	}

	w.Clock.Set(r.EndsAt.Add(time.Hour)) // nobody closed it on time
	name, err = w.Auction.RunDueStep(ctx, op, s.ID)
	noErr(t, err)
	eq(t, "step", name, "竞价结束处理")
	got := sale(t, w, s.ID)
	eq(t, "winner", got.Winner, regs[1].BidderNo)
	eq(t, "as of the end", got.ClosedAt, r.EndsAt)

	var runs []map[string]any
	for _, e := range ledgerAll(t, w) {
		if e.Type == "auction.due_step_run" {
			var pub, priv map[string]any
			noErr(t, json.Unmarshal(e.Public, &pub))
			noErr(t, json.Unmarshal(e.Private, &priv))
			runs = append(runs, map[string]any{"step": pub["step"], "actor": priv["actor"], "after": pub["status_after"]})
		}
	}
	if len(runs) != 2 {
		t.Fatalf("%d audit entries, want 2: %v", len(runs), runs)
	}
	eq(t, "audited step", runs[1]["step"], any("竞价结束处理"))
	eq(t, "audited actor", runs[1]["actor"], any(string(op.UserID)))
	eq(t, "status after", runs[1]["after"], any(string(auction.StatusClosed)))

	_, err = w.Auction.RunDueStep(ctx, op, s.ID)
	wantErr(t, err, apperr.Conflict, "") // closed: nothing is due
}
