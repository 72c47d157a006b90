package auction_test

import (
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/calendar"
	"ggzy/internal/fixture"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/party"
)

// auctionSale announces an online auction of the demo plot and enrols n
// bidders; the clock is at the auction's start.
func auctionSale(t *testing.T, w *fixture.World, n int) (auction.Sale, []auction.Registration) {
	t.Helper()
	startAt, _ := landDates(w)
	s := announced(t, w, landInput(auction.ModeAuction, startAt, time.Time{}))
	if j := w.Jobs.Jobs[len(w.Jobs.Jobs)-1]; j.Kind != jobs.AuctionStartTimed || !j.RunAt.Equal(startAt) {
		t.Fatalf("start job %+v", j)
	}
	var regs []auction.Registration
	for i := 0; i < n; i++ {
		regs = append(regs, enrol(t, w, s.ID, i))
	}
	w.Clock.Set(startAt)
	return s, regs
}

func TestOnlineAuction(t *testing.T) {
	t.Run("FewerThanThreeBiddersNoDeal", func(t *testing.T) {
		w := newWorld(t)
		s, _ := auctionSale(t, w, 2)
		noErr(t, w.Auction.StartTimed(ctx, s.ID))
		got := sale(t, w, s.ID)
		eq(t, "result", got.Result, auction.NoDeal)
		eq(t, "reason", got.Reason, auction.TooFewBidders)
		eq(t, "as of the start", got.ClosedAt, s.StartAt)
	})
	t.Run("FromTheStartPrice", func(t *testing.T) {
		w := newWorld(t)
		s, regs := auctionSale(t, w, 3)
		wantNotDue(t, func() error { w.Clock.Set(s.StartAt.Add(-time.Second)); return w.Auction.StartTimed(ctx, s.ID) }(), s.StartAt)
		w.Clock.Set(s.StartAt)
		noErr(t, w.Auction.StartTimed(ctx, s.ID))
		got := sale(t, w, s.ID)
		eq(t, "timed", got.Status, auction.StatusTimed)
		eq(t, "first bid may equal the start price", got.Timed.Next(), start)
		w.Clock.Advance(time.Minute)
		r, err := w.Auction.Bid(ctx, bidderActor(w, 2), s.ID, start)
		noErr(t, err)
		eq(t, "bid number", r.BidderNo, regs[2].BidderNo)
		w.Clock.Set(r.EndsAt)
		_, err = w.Auction.Bid(ctx, bidderActor(w, 1), s.ID, start+inc)
		wantErr(t, err, apperr.Deadline, "") // at exactly the end the countdown has run out
		noErr(t, w.Auction.CloseTimed(ctx, s.ID, time.Time{}))
		got = sale(t, w, s.ID)
		eq(t, "single bid wins", got.Winner, regs[2].BidderNo)
		eq(t, "closed as of the end", got.ClosedAt, r.EndsAt)
	})
}

// TestResumeAfterDowntime: the server was down across the countdown's end;
// the close job, run when it comes back, ends the bidding as of the last
// committed bid, and no bid is accepted meanwhile.
func TestResumeAfterDowntime(t *testing.T) {
	w := newWorld(t)
	s, regs := auctionSale(t, w, 3)
	w.Clock.Set(s.StartAt.Add(-time.Hour))
	noErr(t, w.Auction.SetReserve(ctx, w.Actor("principal"), s.ID, start+inc))
	w.Clock.Set(s.StartAt)
	noErr(t, w.Auction.StartTimed(ctx, s.ID))
	var last auction.Receipt
	for i, b := range []int{0, 1, 2, 0} {
		w.Clock.Advance(time.Duration(30+i) * time.Second)
		r, err := w.Auction.Bid(ctx, bidderActor(w, b), s.ID, start+inc*money.Fen(i)) // the first at the start price, then one increment each
		noErr(t, err)
		last = r
	}
	eq(t, "end follows the last bid", sale(t, w, s.ID).EndsAt, last.At.Add(5*time.Minute))

	// Down for an hour.
	w.Clock.Advance(time.Hour)
	_, err := w.Auction.Bid(ctx, bidderActor(w, 1), s.ID, last.Amount+inc)
	wantErr(t, err, apperr.Deadline, "")
	v := view(t, w, party.Public(""), s.ID)
	eq(t, "no time left", v.Left, time.Duration(0))
	noErr(t, w.Auction.CloseTimedJob(ctx, auction.TimedCloseSubject(s.ID, last.EndsAt)))
	got := sale(t, w, s.ID)
	eq(t, "deal", got.Result, auction.Deal)
	eq(t, "the last committed bid wins", got.Winner, regs[0].BidderNo)
	eq(t, "at its price", got.Final, last.Amount)
	eq(t, "as of the committed end", got.ClosedAt, last.EndsAt)
	eq(t, "confirmation time", got.Confirmation.At, last.EndsAt)
}

// TestPause: a declared technical fault freezes the countdown; resuming
// restores the time that was left.
func TestPause(t *testing.T) {
	w := newWorld(t)
	s, _ := auctionSale(t, w, 3)
	noErr(t, w.Auction.StartTimed(ctx, s.ID))
	w.Clock.Advance(time.Minute)
	r, err := w.Auction.Bid(ctx, bidderActor(w, 0), s.ID, start)
	noErr(t, err)
	w.Clock.Advance(2 * time.Minute)
	_, err = w.Auction.Pause(ctx, bidderActor(w, 0), s.ID, "网络故障")
	wantErr(t, err, apperr.Forbidden, "")
	_, err = w.Auction.Pause(ctx, w.Actor("operator"), s.ID, "")
	wantErr(t, err, apperr.Invalid, "")
	_, err = w.Auction.Pause(ctx, w.Actor("operator"), s.ID, "交易系统网络故障，暂停竞价")
	noErr(t, err)
	_, err = w.Auction.Bid(ctx, bidderActor(w, 1), s.ID, start+inc)
	wantErr(t, err, apperr.Conflict, "")
	v := view(t, w, party.Public(""), s.ID)
	eq(t, "paused", v.State.Paused, true)
	eq(t, "frozen time left", v.Left, 3*time.Minute)
	w.Clock.Advance(time.Hour)
	noErr(t, w.Auction.CloseTimed(ctx, s.ID, r.EndsAt)) // paused: the close waits
	eq(t, "still timed", sale(t, w, s.ID).Status, auction.StatusTimed)
	got, err := w.Auction.Unpause(ctx, w.Actor("operator"), s.ID, "故障已排除，恢复竞价")
	noErr(t, err)
	eq(t, "time left restored", got.EndsAt, w.Clock.Now().Add(3*time.Minute))
	if j := w.Jobs.Jobs[len(w.Jobs.Jobs)-1]; j.Kind != jobs.AuctionCloseTimed || j.Subject != auction.TimedCloseSubject(s.ID, got.EndsAt) {
		t.Fatalf("close job after resuming: %+v", j)
	}
	wantNotDue(t, w.Auction.CloseTimed(ctx, s.ID, r.EndsAt), got.EndsAt) // the old end's job comes back at the new end
	eq(t, "still timed", sale(t, w, s.ID).Status, auction.StatusTimed)
	w.Clock.Set(got.EndsAt)
	noErr(t, w.Auction.CloseTimedJob(ctx, auction.TimedCloseSubject(s.ID, got.EndsAt)))
	eq(t, "closed", sale(t, w, s.ID).ClosedAt, got.EndsAt)
}

// propertyDates: the earliest end of a 20-working-day disclosure from T0.
func propertyStart(w *fixture.World) time.Time {
	d, _ := w.Calendar.PeriodEnd(fixture.T0, 20, calendar.WorkingDays)
	return at(d, 9, 0)
}

func propertyInput(mode auction.Mode, startAt, endAt time.Time) auction.SaleInput {
	return auction.SaleInput{Kind: auction.Property, Mode: mode, Title: "南宁某国有企业所持某公司40%股权",
		Data:        auction.Data{Asset: "某某有限公司40%股权", Valuation: 5_000_000_00, Conditions: "受让方须承接职工安置方案", Decision: "价高者得"},
		Eligibility: "依法设立并有效存续的企业法人", Deposit: 500_000_00, StartPrice: 5_000_000_00, Increment: 50_000_00, StartAt: startAt, EndAt: endAt}
}

func TestOpenAscendingQuotes(t *testing.T) {
	w := newWorld(t)
	startAt := propertyStart(w)
	bad := propertyInput(auction.ModeAscending, startAt.Add(-24*time.Hour), time.Time{})
	s, err := w.Auction.CreateSale(ctx, w.Actor("principal"), bad)
	noErr(t, err)
	_, err = w.Auction.Announce(ctx, w.Actor("principal"), s.ID)
	wantErr(t, err, apperr.Invalid, "第32号") // disclosure ≥ 20 working days
	_, err = w.Auction.ChangeAnnouncement(ctx, w.Actor("principal"), s.ID, propertyInput(auction.ModeAscending, startAt, time.Time{}), "")
	noErr(t, err)
	_, err = w.Auction.Announce(ctx, w.Actor("principal"), s.ID)
	noErr(t, err)
	enrol(t, w, s.ID, 0)
	w.Clock.Set(startAt)
	noErr(t, w.Auction.StartTimed(ctx, s.ID))
	got := sale(t, w, s.ID)
	eq(t, "one buyer: no competition", got.Reason, auction.SingleBuyer)
}
