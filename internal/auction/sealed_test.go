package auction_test

import (
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/money"
	"ggzy/internal/party"
)

func TestSealedQuote(t *testing.T) {
	w := newWorld(t)
	startAt := propertyStart(w)
	endAt := startAt.Add(48 * time.Hour)
	s := announced(t, w, propertyInput(auction.ModeSealed, startAt, endAt))
	var regs []auction.Registration
	for i := 0; i < 3; i++ {
		regs = append(regs, enrol(t, w, s.ID, i))
	}
	listed := money.Fen(5_000_000_00)
	noErr(t, w.Auction.SetReserve(ctx, w.Actor("principal"), s.ID, listed+100_000_00))
	_, err := w.Auction.SubmitSealed(ctx, bidderActor(w, 0), s.ID, listed)
	wantErr(t, err, apperr.Conflict, "") // before the window
	w.Clock.Set(startAt.Add(time.Hour))
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 0), s.ID, listed-1)
	wantErr(t, err, apperr.Invalid, "第五十五条")
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 0), s.ID, listed+300_000_00)
	noErr(t, err)
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 0), s.ID, listed+400_000_00)
	wantErr(t, err, apperr.Conflict, "") // one quote only
	w.Clock.Advance(time.Hour)
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 1), s.ID, listed+300_000_00) // the same amount, later
	noErr(t, err)
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 2), s.ID, listed+50_000_00) // below the reserve
	noErr(t, err)
	_, err = w.Auction.Quote(ctx, bidderActor(w, 2), s.ID, listed)
	wantErr(t, err, apperr.Conflict, "")

	// Before the close nobody sees an amount or a count; the bidder its own.
	pub := view(t, w, party.Public(""), s.ID)
	if len(pub.Offers) != 0 || pub.State.Bids != 0 || pub.State.Price != 0 {
		t.Fatalf("public view shows sealed quotes: %+v", pub)
	}
	mine := view(t, w, bidderActor(w, 1), s.ID)
	if mine.Mine.Sealed == nil || mine.Mine.Sealed.Amount != listed+300_000_00 || len(mine.Offers) != 0 {
		t.Fatalf("bidder's view: %+v", mine.Mine)
	}
	text := published(t, w) + dump(t, pub, view(t, w, w.Actor("operator"), s.ID))
	mustNotContain(t, "before the close", text, "530000000", "505000000", "510000000")
	for i := 0; i < 3; i++ {
		mustNotContain(t, "before the close", text, secrets(w, i)...)
	}

	wantNotDue(t, w.Auction.CloseSealed(ctx, s.ID), endAt)
	w.Clock.Set(endAt)
	_, err = w.Auction.SubmitSealed(ctx, bidderActor(w, 2), s.ID, listed)
	wantErr(t, err, apperr.Deadline, "")
	noErr(t, w.Auction.CloseSealed(ctx, s.ID))
	noErr(t, w.Auction.CloseSealed(ctx, s.ID))
	got := sale(t, w, s.ID)
	eq(t, "deal", got.Result, auction.Deal)
	eq(t, "highest, ties to the earliest", got.Winner, regs[0].BidderNo)
	eq(t, "price", got.Final, listed+300_000_00)
	eq(t, "as of the window's end", got.ClosedAt, endAt)
	eq(t, "confirmation", got.Confirmation.WinnerName, w.Bidders[0].Name)
	eq(t, "stage", got.Confirmation.Stage, auction.StageSealed)

	// Every sealed quote and the reserve are revealed and check.
	n := map[string]int{}
	for _, p := range reveals(t, w, s.Code) {
		n[p["what"].(string)]++
	}
	if n["sealed_quote"] != 3 || n["reserve"] != 1 || n["bidder_number"] != 1 {
		t.Fatalf("reveals %v", n)
	}
	pub = view(t, w, party.Public(""), s.ID)
	eq(t, "quotes shown after the close", len(pub.Offers), 3)
	after := published(t, w)
	for i := 1; i < 3; i++ {
		mustNotContain(t, "public ledger after the deal", after, secrets(w, i)...)
	}
	mustNotContain(t, "public ledger after the deal (IP addresses)", after, "127.0.0.1")
}

func TestAgreementTransfer(t *testing.T) {
	w := newWorld(t)
	op := w.Actor("operator")
	startAt := propertyStart(w)
	s := announced(t, w, propertyInput(auction.ModeAgreement, startAt, time.Time{}))
	wantErr(t, w.Auction.SetReserve(ctx, w.Actor("principal"), s.ID, 1), apperr.Conflict, "")
	r := enrol(t, w, s.ID, 0)
	listed := money.Fen(5_000_000_00)
	in := auction.AgreementInput{RegistrationID: r.ID, Price: listed, Rounds: 2, Approval: "桂国资产权〔2026〕12号"}

	_, err := w.Auction.Agree(ctx, op, s.ID, in)
	wantErr(t, err, apperr.Conflict, "") // disclosure not over
	w.Clock.Set(startAt)
	_, err = w.Auction.Agree(ctx, w.Actor("principal"), s.ID, in)
	wantErr(t, err, apperr.Forbidden, "")
	bad := in
	bad.Approval = ""
	_, err = w.Auction.Agree(ctx, op, s.ID, bad)
	wantErr(t, err, apperr.Invalid, "")
	bad = in
	bad.Rounds = 1
	_, err = w.Auction.Agree(ctx, op, s.ID, bad)
	wantErr(t, err, apperr.Conflict, "第32号")
	bad = in
	bad.Price = listed - 1
	_, err = w.Auction.Agree(ctx, op, s.ID, bad)
	wantErr(t, err, apperr.Invalid, "第五十五条")

	// A second qualified buyer makes competition mandatory.
	w.Clock.Set(startAt.Add(-time.Hour))
	r2, err := w.Auction.Register(ctx, bidderActor(w, 1), s.ID)
	noErr(t, err)
	_, err = w.Auction.Qualify(ctx, op, r2.ID, true, "")
	noErr(t, err)
	w.Clock.Set(startAt)
	_, err = w.Auction.Agree(ctx, op, s.ID, in)
	wantErr(t, err, apperr.Conflict, "第五十四条")
	w.Clock.Set(startAt.Add(-time.Hour))
	_, err = w.Auction.Qualify(ctx, op, r2.ID, true, "")
	wantErr(t, err, apperr.Conflict, "") // reviewed already
	t.Run("OneQualifiedBuyer", func(t *testing.T) {
		w := newWorld(t)
		s := announced(t, w, propertyInput(auction.ModeAgreement, startAt, time.Time{}))
		r := enrol(t, w, s.ID, 0)
		rej, err := w.Auction.Register(ctx, bidderActor(w, 1), s.ID)
		noErr(t, err)
		_, err = w.Auction.Qualify(ctx, w.Actor("operator"), rej.ID, false, "不符合受让条件")
		noErr(t, err)
		w.Clock.Set(startAt)
		got, err := w.Auction.Agree(ctx, w.Actor("operator"), s.ID, auction.AgreementInput{RegistrationID: r.ID, Price: listed + 1, Rounds: 2, Approval: "桂国资产权〔2026〕12号"})
		noErr(t, err)
		eq(t, "deal", got.Result, auction.Deal)
		eq(t, "buyer", got.Confirmation.WinnerName, w.Bidders[0].Name)
		eq(t, "price", got.Confirmation.Price, listed+1)
		eq(t, "stage", got.Confirmation.Stage, auction.StageAgreement)
	})
}
