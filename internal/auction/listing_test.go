package auction_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/fixture"
	"ggzy/internal/jobs"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// TestLandPlotFromAnnouncementToConfirmation is the demo plot of issue 5:
// announcement, listing quotes, a contested timed bidding and the
// confirmation with the reserve revealed and checked — on both databases.
func TestLandPlotFromAnnouncementToConfirmation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) { landPlot(t, fixture.New(t, db)) })
}

func landPlot(t *testing.T, w *fixture.World) {
	seller, op := w.Actor("principal"), w.Actor("operator")
	startAt, endAt := landDates(w)

	// Announcement: the notice period and the listing period are checked.
	draft, err := w.Auction.CreateSale(ctx, seller, landInput(auction.ModeListing, fixture.T0.Add(10*24*time.Hour), endAt))
	noErr(t, err)
	if !regexp.MustCompile(`^450100-TD-2026-\d{4}$`).MatchString(draft.Code) {
		t.Fatalf("code %q", draft.Code)
	}
	_, err = w.Auction.Announce(ctx, seller, draft.ID)
	wantErr(t, err, apperr.Invalid, "第39号")
	_, err = w.Auction.ChangeAnnouncement(ctx, seller, draft.ID, landInput(auction.ModeListing, startAt, startAt.Add(5*24*time.Hour)), "")
	noErr(t, err)
	e := wantErr(t, func() error { _, err := w.Auction.Announce(ctx, seller, draft.ID); return err }(), apperr.Invalid, "第39号")
	if e.Fields["end_at"] == "" {
		t.Fatalf("listing period refusal names no field: %+v", e)
	}
	_, err = w.Auction.ChangeAnnouncement(ctx, seller, draft.ID, landInput(auction.ModeListing, startAt, endAt), "")
	noErr(t, err)
	_, err = w.Auction.Announce(ctx, bidderActor(w, 0), draft.ID)
	wantErr(t, err, apperr.Forbidden, "")
	s, err := w.Auction.Announce(ctx, seller, draft.ID)
	noErr(t, err)
	eq(t, "status", s.Status, auction.StatusAnnounced)
	if j := w.Jobs.Jobs[len(w.Jobs.Jobs)-1]; j.Kind != jobs.AuctionCloseListing || !j.RunAt.Equal(endAt) || j.Subject != s.ID {
		t.Fatalf("close job %+v", j)
	}

	// Bidders: registration, review, deposit → random numbers.
	var regs []auction.Registration
	for i := 0; i < 3; i++ {
		regs = append(regs, enrol(t, w, s.ID, i))
	}
	rej, err := w.Auction.Register(ctx, bidderActor(w, 3), s.ID)
	noErr(t, err)
	_, err = w.Auction.Register(ctx, bidderActor(w, 3), s.ID)
	wantErr(t, err, apperr.Conflict, "")
	_, err = w.Auction.Qualify(ctx, op, rej.ID, false, "")
	wantErr(t, err, apperr.Invalid, "")
	_, err = w.Auction.Qualify(ctx, op, rej.ID, false, "未提供有效的资信证明")
	noErr(t, err)
	_, err = w.Auction.ConfirmDeposit(ctx, op, rej.ID, "BANK-X")
	wantErr(t, err, apperr.Conflict, "")
	_, err = w.Auction.Register(ctx, seller, s.ID)
	wantErr(t, err, apperr.Forbidden, "")
	nos := map[string]bool{}
	for _, r := range regs {
		if !regexp.MustCompile(`^[1-9]\d{3}$`).MatchString(r.BidderNo) || nos[r.BidderNo] {
			t.Fatalf("bidder number %q (have %v)", r.BidderNo, nos)
		}
		nos[r.BidderNo] = true
	}
	no := func(i int) string { return regs[i].BidderNo }

	// The reserve: the seller's side only; committed, shown nowhere.
	reserve := start + 3*inc + 20_000_00 // ¥10,320,000.00, off the price grid
	wantErr(t, w.Auction.SetReserve(ctx, bidderActor(w, 0), s.ID, reserve), apperr.Forbidden, "")
	wantErr(t, w.Auction.SetReserve(ctx, op, s.ID, reserve), apperr.Forbidden, "")
	noErr(t, w.Auction.SetReserve(ctx, seller, s.ID, reserve-inc)) // replaced below; both revealed at the end
	noErr(t, w.Auction.SetReserve(ctx, seller, s.ID, reserve))

	// Listing quotes.
	_, err = w.Auction.Quote(ctx, bidderActor(w, 0), s.ID, start)
	wantErr(t, err, apperr.Conflict, "第十七条")
	w.Clock.Set(startAt.Add(time.Hour))
	_, err = w.Auction.Quote(ctx, bidderActor(w, 3), s.ID, start)
	wantErr(t, err, apperr.Forbidden, "")
	_, err = w.Auction.Quote(ctx, bidderActor(w, 4), s.ID, start)
	wantErr(t, err, apperr.Forbidden, "") // never registered
	_, err = w.Auction.Quote(ctx, bidderActor(w, 0), s.ID, start-1)
	wantErr(t, err, apperr.Invalid, "")
	r1, err := w.Auction.Quote(ctx, bidderActor(w, 0), s.ID, start)
	noErr(t, err)
	eq(t, "next after the first quote", r1.Next, start+inc)
	_, err = w.Auction.Quote(ctx, bidderActor(w, 0), s.ID, start+inc)
	wantErr(t, err, apperr.Conflict, "") // the leader may not outbid himself
	w.Clock.Advance(time.Hour)
	e = wantErr(t, func() error { _, err := w.Auction.Quote(ctx, bidderActor(w, 1), s.ID, start+inc+inc/2); return err }(), apperr.Invalid, "第十七条")
	if !strings.Contains(e.Message, (start+inc).String()) || !strings.Contains(e.Message, (start+2*inc).String()) {
		t.Fatalf("refusal does not name the next valid amounts: %s", e.Message)
	}
	_, err = w.Auction.Quote(ctx, bidderActor(w, 1), s.ID, start+inc)
	noErr(t, err)
	w.Clock.Advance(time.Hour)
	_, err = w.Auction.Quote(ctx, bidderActor(w, 2), s.ID, start+3*inc) // two increments at once
	noErr(t, err)

	// The increment changes by the operator's audited decision.
	_, err = w.Auction.ChangeIncrement(ctx, bidderActor(w, 0), s.ID, inc/2, "竞价激烈")
	wantErr(t, err, apperr.Forbidden, "")
	_, err = w.Auction.ChangeIncrement(ctx, op, s.ID, inc/2, "")
	wantErr(t, err, apperr.Invalid, "")
	_, err = w.Auction.ChangeIncrement(ctx, op, s.ID, inc/2, "经出让人同意，调整增价幅度")
	noErr(t, err)
	w.Clock.Advance(time.Hour)
	_, err = w.Auction.Quote(ctx, bidderActor(w, 0), s.ID, start+3*inc+inc/2)
	noErr(t, err)
	listingTop := start + 3*inc + inc/2 // ¥10,350,000.00 by bidder 0, above the reserve

	pub := view(t, w, party.Public("1.2.3.4"), s.ID)
	eq(t, "public phase", pub.Sale.Status, auction.StatusListing)
	eq(t, "public price", pub.State.Price, listingTop)
	eq(t, "public leader", pub.State.Leader, no(0))
	eq(t, "public bids", pub.State.Bids, 4)
	eq(t, "public next", pub.State.Next, listingTop+inc/2)
	eq(t, "public offers", len(pub.Offers), 4)
	eq(t, "public sees a reserve exists", pub.HasReserve, true)
	eq(t, "public sees no reserve amount", pub.Reserve, money.Fen(0))
	if pub.Mine != nil || pub.Registrations != nil {
		t.Fatal("public view has a bidder's or the console's part")
	}
	mine := view(t, w, bidderActor(w, 1), s.ID)
	eq(t, "bidder 1 number", mine.Mine.BidderNo, no(1))
	eq(t, "bidder 1 rank", mine.Mine.Rank, 3)
	eq(t, "bidder 0 rank", view(t, w, bidderActor(w, 0), s.ID).Mine.Rank, 1)
	console := view(t, w, op, s.ID)
	eq(t, "console registrations", len(console.Registrations), 4)

	// Too late for the reserve (30 minutes before the close).
	w.Clock.Set(endAt.Add(-10 * time.Minute))
	wantErr(t, w.Auction.SetReserve(ctx, seller, s.ID, reserve), apperr.Deadline, "汕头")

	// The listing closes; two or more bidders → the join window.
	noErr(t, func() error { err := w.Auction.CloseListing(ctx, s.ID); wantNotDue(t, err, endAt); return nil }())
	w.Clock.Set(endAt)
	_, err = w.Auction.Quote(ctx, bidderActor(w, 1), s.ID, listingTop+inc)
	wantErr(t, err, apperr.Deadline, "")
	w.Clock.Set(endAt.Add(2 * time.Second)) // the job runs a little late
	noErr(t, w.Auction.CloseListing(ctx, s.ID))
	noErr(t, w.Auction.CloseListing(ctx, s.ID)) // idempotent
	got := sale(t, w, s.ID)
	eq(t, "status after the close", got.Status, auction.StatusJoining)
	joinBy := endAt.Add(5 * time.Minute)
	eq(t, "join deadline counts from the close", got.JoinBy, joinBy)
	if j := w.Jobs.Jobs[len(w.Jobs.Jobs)-1]; j.Kind != jobs.AuctionStartTimed || !j.RunAt.Equal(joinBy) {
		t.Fatalf("start job %+v", j)
	}
	noErr(t, w.Auction.Join(ctx, bidderActor(w, 0), s.ID))
	wantErr(t, w.Auction.Join(ctx, bidderActor(w, 0), s.ID), apperr.Conflict, "")
	wantErr(t, w.Auction.Join(ctx, bidderActor(w, 3), s.ID), apperr.Forbidden, "")
	w.Clock.Advance(time.Minute)
	noErr(t, w.Auction.Join(ctx, bidderActor(w, 1), s.ID))

	// Timed bidding among those who joined, from the top quote + increment.
	wantNotDue(t, w.Auction.StartTimed(ctx, s.ID), joinBy)
	w.Clock.Set(joinBy)
	wantErr(t, w.Auction.Join(ctx, bidderActor(w, 2), s.ID), apperr.Deadline, "")
	noErr(t, w.Auction.StartTimed(ctx, s.ID))
	noErr(t, w.Auction.StartTimed(ctx, s.ID)) // idempotent
	got = sale(t, w, s.ID)
	eq(t, "timed", got.Status, auction.StatusTimed)
	eq(t, "standing price", got.Timed.Price, listingTop)
	eq(t, "standing leader", got.Timed.Leader, no(0))
	eq(t, "countdown end", got.EndsAt, joinBy.Add(5*time.Minute))
	firstEnd := got.EndsAt
	_, err = w.Auction.Bid(ctx, bidderActor(w, 2), s.ID, listingTop+inc/2)
	wantErr(t, err, apperr.Forbidden, "") // did not join
	_, err = w.Auction.Bid(ctx, bidderActor(w, 0), s.ID, listingTop+inc/2)
	wantErr(t, err, apperr.Conflict, "") // leads already

	w.Clock.Advance(time.Minute)
	b1, err := w.Auction.Bid(ctx, bidderActor(w, 1), s.ID, listingTop+inc/2)
	noErr(t, err)
	eq(t, "countdown restarts", b1.EndsAt, w.Clock.Now().Add(5*time.Minute))
	w.Clock.Advance(3 * time.Minute)
	b2, err := w.Auction.Bid(ctx, bidderActor(w, 0), s.ID, listingTop+inc)
	noErr(t, err)
	eq(t, "countdown restarts again", b2.EndsAt, w.Clock.Now().Add(5*time.Minute))
	// The same price a moment later: the first committed wins, the second
	// is refused with the new price.
	e = wantErr(t, func() error { _, err := w.Auction.Bid(ctx, bidderActor(w, 1), s.ID, listingTop+inc); return err }(), apperr.Invalid, "")
	if !strings.Contains(e.Message, (listingTop + inc + inc/2).String()) {
		t.Fatalf("same-price refusal does not name the new minimum: %s", e.Message)
	}
	if b2.Seq <= b1.Seq {
		t.Fatalf("commit order %d then %d", b1.Seq, b2.Seq)
	}

	live := view(t, w, party.Public(""), s.ID)
	eq(t, "live price", live.State.Price, listingTop+inc)
	eq(t, "live leader", live.State.Leader, no(0))
	eq(t, "live bids", live.State.Bids, 2)
	eq(t, "live next", live.State.Next, listingTop+inc+inc/2)
	eq(t, "live ends", live.State.EndsAt, b2.EndsAt)
	eq(t, "time left at server time", live.Left, 5*time.Minute)
	eq(t, "bidder 1 rank", view(t, w, bidderActor(w, 1), s.ID).Mine.Rank, 2)

	// The close job of an earlier end comes back at the current end; run
	// early, it waits.
	wantNotDue(t, w.Auction.CloseTimedJob(ctx, auction.TimedCloseSubject(s.ID, firstEnd)), b2.EndsAt)
	eq(t, "an earlier end's job leaves it open", sale(t, w, s.ID).Status, auction.StatusTimed)
	wantNotDue(t, w.Auction.CloseTimed(ctx, s.ID, b2.EndsAt), b2.EndsAt)

	// Before the deal: no name in any public view, event or public entry,
	// and the reserve nowhere.
	var views []any
	for _, a := range []party.Actor{party.Public(""), bidderActor(w, 0), bidderActor(w, 1), bidderActor(w, 2), seller, op} {
		views = append(views, view(t, w, a, s.ID))
	}
	evs, err := w.Auction.Events(ctx, s.ID, 0, 0)
	noErr(t, err)
	text := dump(t, views, evs) + published(t, w)
	for i := 0; i < 4; i++ {
		mustNotContain(t, "views, events and public ledger before the deal", text, secrets(w, i)...)
	}
	mustNotContain(t, "views, events and public ledger before the deal", text, `"reserve":1032000000`, `"reserve":1022000000`, reserve.String(), (reserve - inc).String(), "1032000000", "1022000000")

	// The close, as of the countdown's end.
	w.Clock.Set(b2.EndsAt.Add(800 * time.Millisecond))
	noErr(t, w.Auction.CloseTimedJob(ctx, auction.TimedCloseSubject(s.ID, b2.EndsAt)))
	noErr(t, w.Auction.CloseTimedJob(ctx, auction.TimedCloseSubject(s.ID, b2.EndsAt))) // idempotent
	got = sale(t, w, s.ID)
	eq(t, "closed", got.Status, auction.StatusClosed)
	eq(t, "deal", got.Result, auction.Deal)
	eq(t, "closed as of the end", got.ClosedAt, b2.EndsAt)
	eq(t, "winner", got.Winner, no(0))
	eq(t, "price", got.Final, listingTop+inc)

	c := view(t, w, party.Public(""), s.ID)
	if c.Confirmation == nil {
		t.Fatal("no confirmation")
	}
	eq(t, "confirmation winner", c.Confirmation.WinnerName, w.Bidders[0].Name)
	eq(t, "confirmation number", c.Confirmation.WinnerNo, no(0))
	eq(t, "confirmation USCC", c.Confirmation.WinnerUSCC, w.Bidders[0].USCC)
	eq(t, "confirmation price", c.Confirmation.Price, listingTop+inc)
	eq(t, "confirmation in words", c.Confirmation.PriceText, (listingTop + inc).Capital())
	eq(t, "confirmation time", c.Confirmation.At, b2.EndsAt)
	eq(t, "confirmation seller", c.Confirmation.SellerName, w.Principal.Name)
	eq(t, "reserve shown after the end", c.Reserve, reserve)

	// Both reserve commitments are revealed and check; the winner's number
	// binding too; the losers stay anonymous.
	rv := reveals(t, w, s.Code)
	var rs []float64
	winnerRevealed := false
	for _, p := range rv {
		switch p["what"] {
		case "reserve":
			rs = append(rs, p["reserve"].(float64))
		case "bidder_number":
			if p["bidder_no"] != no(0) || p["entity_name"] != w.Bidders[0].Name {
				t.Fatalf("binding reveal %v", p)
			}
			winnerRevealed = true
		default:
			t.Fatalf("unexpected reveal %v", p)
		}
	}
	slices.Sort(rs)
	if len(rs) != 2 || rs[0] != float64(reserve-inc) || rs[1] != float64(reserve) || !winnerRevealed {
		t.Fatalf("reveals: reserves %v, winner %v", rs, winnerRevealed)
	}
	after := published(t, w)
	if !strings.Contains(after, w.Bidders[0].Name) {
		t.Fatal("the winner's name is not public after the deal")
	}
	for i := 1; i < 4; i++ {
		mustNotContain(t, "public ledger after the deal", after, secrets(w, i)...)
	}
	mustNotContain(t, "public ledger after the deal (IP addresses)", after, "127.0.0.1")

	// Events: one per change, in commit order, ending with the close.
	evs, err = w.Auction.Events(ctx, s.ID, 0, 0)
	noErr(t, err)
	var types []string
	for i, ev := range evs {
		if i > 0 && ev.Seq <= evs[i-1].Seq {
			t.Fatalf("event seqs not increasing: %d after %d", ev.Seq, evs[i-1].Seq)
		}
		types = append(types, ev.Type)
	}
	want := []string{auction.EvAnnounced, auction.EvQuote, auction.EvQuote, auction.EvQuote, auction.EvIncrementChanged, auction.EvQuote,
		auction.EvListingClosed, auction.EvJoined, auction.EvJoined, auction.EvTimedStarted, auction.EvBid, auction.EvBid, auction.EvClosed}
	if !slices.Equal(types, want) {
		t.Fatalf("events\n got  %v\n want %v", types, want)
	}
	last := evs[len(evs)-1]
	eq(t, "closing event result", last.Data.Result, auction.Deal)
	eq(t, "closing event winner", last.Data.Winner, no(0))
	eq(t, "closing event price", last.Data.Price, listingTop+inc)
	latest, err := w.Auction.LatestEvent(ctx, s.ID)
	noErr(t, err)
	eq(t, "latest event", latest.Seq, last.Seq)
	tail, err := w.Auction.Events(ctx, s.ID, evs[9].Seq, 2)
	noErr(t, err)
	if len(tail) != 2 || tail[0].Seq != evs[10].Seq || tail[1].Seq != evs[11].Seq {
		t.Fatalf("resume after %d: %+v", evs[9].Seq, tail)
	}
	j, _ := json.Marshal(evs)
	mustNotContain(t, "events after the deal", string(j), secrets(w, 0)...)

	// The audited operator view of identities leaves a ledger entry.
	_, err = w.Auction.Identities(ctx, bidderActor(w, 0), s.ID, "查看")
	wantErr(t, err, apperr.Forbidden, "")
	ids, err := w.Auction.Identities(ctx, op, s.ID, "核对成交确认书")
	noErr(t, err)
	eq(t, "identities", len(ids), 4)
	es := ledgerAll(t, w)
	eq(t, "identity view audited", es[len(es)-1].Type, "auction.identities_viewed")
}

// listed announces a land listing and enrols n bidders; the clock is at the
// listing's start.
func listed(t *testing.T, w *fixture.World, n int) (auction.Sale, []auction.Registration) {
	t.Helper()
	startAt, endAt := landDates(w)
	s := announced(t, w, landInput(auction.ModeListing, startAt, endAt))
	var regs []auction.Registration
	for i := 0; i < n; i++ {
		regs = append(regs, enrol(t, w, s.ID, i))
	}
	w.Clock.Set(startAt)
	return s, regs
}

func TestListingClose(t *testing.T) {
	t.Run("SingleQuoteIsADeal", func(t *testing.T) {
		w := newWorld(t)
		s, regs := listed(t, w, 2)
		noErr(t, w.Auction.SetReserve(ctx, w.Actor("principal"), s.ID, start))
		_, err := w.Auction.Quote(ctx, bidderActor(w, 1), s.ID, start)
		noErr(t, err)
		w.Clock.Set(s.EndAt)
		noErr(t, w.Auction.CloseListing(ctx, s.ID))
		got := sale(t, w, s.ID)
		eq(t, "result", got.Result, auction.Deal)
		eq(t, "winner", got.Winner, regs[1].BidderNo)
		eq(t, "price", got.Final, start)
		eq(t, "as of the close", got.ClosedAt, s.EndAt)
		eq(t, "confirmation", got.Confirmation.WinnerName, w.Bidders[1].Name)
	})
	t.Run("BelowReserveIsNoDeal", func(t *testing.T) {
		w := newWorld(t)
		s, _ := listed(t, w, 2)
		noErr(t, w.Auction.SetReserve(ctx, w.Actor("principal"), s.ID, start+inc))
		_, err := w.Auction.Quote(ctx, bidderActor(w, 0), s.ID, start)
		noErr(t, err)
		w.Clock.Set(s.EndAt.Add(time.Hour)) // the job ran an hour late: still as of the close
		noErr(t, w.Auction.CloseListing(ctx, s.ID))
		got := sale(t, w, s.ID)
		eq(t, "result", got.Result, auction.NoDeal)
		eq(t, "reason", got.Reason, string(rules.BelowReserve))
		eq(t, "as of the close", got.ClosedAt, s.EndAt)
		if got.Confirmation != nil {
			t.Fatal("confirmation without a deal")
		}
		rv := reveals(t, w, s.Code)
		if len(rv) != 1 {
			t.Fatalf("reveals %v", rv)
		}
		for _, p := range rv {
			eq(t, "revealed reserve", p["reserve"].(float64), float64(start+inc))
		}
		text := published(t, w)
		for i := 0; i < 2; i++ {
			mustNotContain(t, "public ledger after no deal", text, secrets(w, i)...)
		}
	})
	t.Run("NoQuoteIsNoDeal", func(t *testing.T) {
		w := newWorld(t)
		s, _ := listed(t, w, 1)
		w.Clock.Set(s.EndAt)
		noErr(t, w.Auction.CloseListing(ctx, s.ID))
		got := sale(t, w, s.ID)
		eq(t, "reason", got.Reason, string(rules.NoValidQuote))
	})
	t.Run("FewerThanTwoJoinersTheHighestWins", func(t *testing.T) {
		w := newWorld(t)
		s, regs := listed(t, w, 2)
		_, err := w.Auction.Quote(ctx, bidderActor(w, 0), s.ID, start)
		noErr(t, err)
		_, err = w.Auction.Quote(ctx, bidderActor(w, 1), s.ID, start+inc)
		noErr(t, err)
		w.Clock.Set(s.EndAt)
		noErr(t, w.Auction.CloseListing(ctx, s.ID))
		noErr(t, w.Auction.Join(ctx, bidderActor(w, 0), s.ID))
		w.Clock.Set(s.EndAt.Add(5 * time.Minute))
		noErr(t, w.Auction.StartTimed(ctx, s.ID))
		got := sale(t, w, s.ID)
		eq(t, "result", got.Result, auction.Deal)
		eq(t, "the highest wins", got.Winner, regs[1].BidderNo)
		eq(t, "as of the listing close", got.ClosedAt, s.EndAt)
	})
	t.Run("LateCloseOpensTheJoinWindowNow", func(t *testing.T) {
		w := newWorld(t)
		s, _ := listed(t, w, 2)
		_, err := w.Auction.Quote(ctx, bidderActor(w, 0), s.ID, start)
		noErr(t, err)
		_, err = w.Auction.Quote(ctx, bidderActor(w, 1), s.ID, start+inc)
		noErr(t, err)
		w.Clock.Set(s.EndAt.Add(time.Hour))
		noErr(t, w.Auction.CloseListing(ctx, s.ID))
		eq(t, "join window from the late run", sale(t, w, s.ID).JoinBy, s.EndAt.Add(time.Hour+5*time.Minute))
	})
}

// TestChangeAnnouncement: a change of substance restarts the notice period.
func TestChangeAnnouncement(t *testing.T) {
	w := newWorld(t)
	seller := w.Actor("principal")
	startAt, endAt := landDates(w)
	s := announced(t, w, landInput(auction.ModeListing, startAt, endAt))
	w.Clock.Advance(5 * 24 * time.Hour)
	in := landInput(auction.ModeListing, startAt, endAt)

	in.Title = "五象新区GC2026-018号地块（更正）"
	_, err := w.Auction.ChangeAnnouncement(ctx, seller, s.ID, in, "")
	wantErr(t, err, apperr.Invalid, "")
	got, err := w.Auction.ChangeAnnouncement(ctx, seller, s.ID, in, "更正标题")
	noErr(t, err)
	eq(t, "a title change keeps the period", got.NoticeAt, s.NoticeAt)

	in.StartPrice = start + inc
	_, err = w.Auction.ChangeAnnouncement(ctx, seller, s.ID, in, "调整起始价")
	wantErr(t, err, apperr.Invalid, "第39号")
	in.StartAt, in.EndAt = startAt.Add(7*24*time.Hour), endAt.Add(7*24*time.Hour)
	got, err = w.Auction.ChangeAnnouncement(ctx, seller, s.ID, in, "调整起始价")
	noErr(t, err)
	eq(t, "the period restarts", got.NoticeAt, w.Clock.Now())
	eq(t, "new start price", got.StartPrice, start+inc)
	if j := w.Jobs.Jobs[len(w.Jobs.Jobs)-1]; j.Kind != jobs.AuctionCloseListing || !j.RunAt.Equal(in.EndAt) {
		t.Fatalf("close job not rescheduled: %+v", j)
	}
	// The old close job finds the sale not yet due.
	w.Clock.Set(endAt)
	wantNotDue(t, w.Auction.CloseListing(ctx, s.ID), in.EndAt)

	w.Clock.Set(in.StartAt)
	_, err = w.Auction.ChangeAnnouncement(ctx, seller, s.ID, in, "再次调整")
	wantErr(t, err, apperr.Conflict, "")
	es := ledgerAll(t, w)
	var restarted []bool
	for _, e := range es {
		if e.Type == "auction.announcement_changed" {
			var p map[string]any
			noErr(t, json.Unmarshal(e.Public, &p))
			restarted = append(restarted, p["restarted"].(bool))
		}
	}
	if !slices.Equal(restarted, []bool{false, true}) {
		t.Fatalf("changes recorded %v", restarted)
	}
}

func TestLandTermAndModes(t *testing.T) {
	w := newWorld(t)
	startAt, endAt := landDates(w)
	in := landInput(auction.ModeListing, startAt, endAt)
	in.Data.Use, in.Data.TermYears = rules.LandCommercial, 50
	_, err := w.Auction.CreateSale(ctx, w.Actor("principal"), in)
	wantErr(t, err, apperr.Invalid, "第十二条")
	in = landInput(auction.ModeSealed, startAt, endAt)
	e := wantErr(t, func() error { _, err := w.Auction.CreateSale(ctx, w.Actor("principal"), in); return err }(), apperr.Invalid, "")
	if e.Fields["mode"] == "" {
		t.Fatalf("no mode field: %+v", e)
	}
	_, err = w.Auction.CreateSale(ctx, bidderActor(w, 0), landInput(auction.ModeListing, startAt, endAt))
	wantErr(t, err, apperr.Forbidden, "")
	// The trading centre enters a sale for a registered seller.
	in = landInput(auction.ModeListing, startAt, endAt)
	in.SellerUSCC = w.Principal.USCC
	s, err := w.Auction.CreateSale(ctx, w.Actor("operator"), in)
	noErr(t, err)
	eq(t, "seller", s.SellerID, w.Principal.ID)
	// A draft is seen by its seller and the centre only.
	_, err = w.Auction.ViewSale(ctx, party.Public(""), s.ID)
	wantErr(t, err, apperr.NotFound, "")
	view(t, w, w.Actor("principal"), s.ID)
}
