package auction_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/fixture"
	"ggzy/internal/jobs"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// The statutory periods around the bidding: the auction's viewing (AL 48),
// the mining auction's quorum and the mining result's publicity and
// confirmation (RULES.md §4), the state-property pre-disclosure and the
// extension of a disclosure without a qualified buyer (RULES.md §5).

// workday is the last day of n working days after from, on the world's
// holiday table.
func workday(w *fixture.World, from time.Time, n int) time.Time {
	d, _ := w.Calendar.PeriodEnd(from, n, calendar.WorkingDays)
	return d
}

// ymd is t's Shanghai date k days later, as announcements write dates.
func ymd(t time.Time, k int) string {
	return t.In(clock.Shanghai).AddDate(0, 0, k).Format("2006-01-02")
}

func miningInput(mode auction.Mode, startAt, endAt time.Time) auction.SaleInput {
	in := auction.SaleInput{Kind: auction.Mining, Mode: mode, Title: "武鸣区某水泥用石灰岩矿采矿权",
		Data:        auction.Data{Location: "南宁市武鸣区某镇", AreaM2: 120000, Mineral: "水泥用石灰岩", TermYears: 10, Decision: "价高者得"},
		Eligibility: "具备相应开采能力的企业法人", Deposit: 1_000_000_00, StartPrice: 5_000_000_00, Increment: 50_000_00, StartAt: startAt, EndAt: endAt}
	if mode == auction.ModeAuction {
		in.Data.ViewFrom, in.Data.ViewTo = viewing(startAt)
	}
	return in
}

func transferInput(mode auction.Mode, startAt time.Time) auction.SaleInput {
	return auction.SaleInput{Kind: auction.Property, Mode: mode, Title: "南宁某国有企业所持某公司51%股权",
		Data:        auction.Data{Asset: "某某有限公司51%股权", Valuation: 9_000_000_00, Conditions: "受让方须承接职工安置方案", Decision: "价高者得"},
		Eligibility: "依法设立并有效存续的企业法人", Deposit: 900_000_00, StartPrice: 9_000_000_00, Increment: 100_000_00, StartAt: startAt}
}

// entries returns the public parts of the ledger entries of a type about
// a sale.
func entries(t *testing.T, w *fixture.World, typ, code string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range ledgerAll(t, w) {
		if e.Type == typ && e.Subject == code {
			var m map[string]any
			noErr(t, json.Unmarshal(e.Public, &m))
			out = append(out, m)
		}
	}
	return out
}

func TestAuctionViewing(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) { auctionViewing(t, fixture.New(t, db)) })
}

func auctionViewing(t *testing.T, w *fixture.World) {
	seller := w.Actor("principal")
	startAt := at(workday(w, fixture.T0, 20), 10, 0) // beyond the land, mining and auction notices
	for _, in := range []auction.SaleInput{landInput(auction.ModeAuction, startAt, time.Time{}), miningInput(auction.ModeAuction, startAt, time.Time{})} {
		lawful := in.Data
		in.Data.ViewFrom, in.Data.ViewTo = "", ""
		s, err := w.Auction.CreateSale(ctx, seller, in)
		noErr(t, err)
		e := wantErr(t, func() error { _, err := w.Auction.Announce(ctx, seller, s.ID); return err }(), apperr.Invalid, "第四十八条")
		if e.Fields["view_from"] == "" || !strings.Contains(e.Message, "展示时间") {
			t.Fatalf("%s: missing viewing refused without the field: %+v", in.Kind, e)
		}
		for _, bad := range []struct{ from, to, msg string }{
			{ymd(startAt, -1), ymd(startAt, -1), "不得少于2日"},
			{ymd(startAt, -1), ymd(startAt, 0), "展示应在拍卖日前结束"},
		} {
			in.Data.ViewFrom, in.Data.ViewTo = bad.from, bad.to
			_, err = w.Auction.ChangeAnnouncement(ctx, seller, s.ID, in, "")
			noErr(t, err)
			e := wantErr(t, func() error { _, err := w.Auction.Announce(ctx, seller, s.ID); return err }(), apperr.Invalid, "第四十八条")
			if !strings.Contains(e.Message, bad.msg) || e.Fields["view_to"] == "" {
				t.Fatalf("%s %s–%s: %+v, want %q on view_to", in.Kind, bad.from, bad.to, e, bad.msg)
			}
		}
		in.Data = lawful
		_, err = w.Auction.ChangeAnnouncement(ctx, seller, s.ID, in, "")
		noErr(t, err)
		s, err = w.Auction.Announce(ctx, seller, s.ID)
		noErr(t, err)
		eq(t, "status", s.Status, auction.StatusAnnounced)
		v := view(t, w, party.Public("1.2.3.4"), s.ID)
		eq(t, "viewing from", v.Sale.Data.ViewFrom, lawful.ViewFrom)
		eq(t, "viewing to", v.Sale.Data.ViewTo, lawful.ViewTo)
		ann := entries(t, w, "auction.announced", s.Code)
		if len(ann) != 1 || ann[0]["data"].(map[string]any)["view_to"] != lawful.ViewTo {
			t.Fatalf("announcement entry without the viewing: %v", ann)
		}
	}

	// Only an auction states a viewing; dates are YYYY-MM-DD.
	startL, endL := landDates(w)
	in := landInput(auction.ModeListing, startL, endL)
	in.Data.ViewFrom, in.Data.ViewTo = viewing(startL)
	_, err := w.Auction.CreateSale(ctx, seller, in)
	if e := wantErr(t, err, apperr.Invalid, ""); e.Fields["view_from"] == "" {
		t.Fatalf("viewing on a listing: %+v", e)
	}
	in = landInput(auction.ModeAuction, startAt, time.Time{})
	in.Data.ViewTo = strings.ReplaceAll(in.Data.ViewTo, "-", "/")
	_, err = w.Auction.CreateSale(ctx, seller, in)
	if e := wantErr(t, err, apperr.Invalid, ""); !strings.Contains(e.Fields["view_to"], "YYYY-MM-DD") {
		t.Fatalf("malformed date: %+v", e)
	}
}

func TestMiningAuctionQuorum(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) { miningAuctionQuorum(t, fixture.New(t, db)) })
}

// miningAuctionQuorum: with the platform allowing 2 bidders at a land
// auction, a mining auction still needs 3 (Sichuan rule): with 2 it does
// not start and ends without a deal, with the reason and basis in the
// ledger; with 3 it starts.
func miningAuctionQuorum(t *testing.T, w *fixture.World) {
	p := rules.DefaultParams()
	p.MinAuctionBidders.Value = 2
	svc, err := auction.New(auction.Config{Store: store.Bind[auction.Tx](w.DB), Clock: w.Clock, IDs: w.IDs, Calendar: w.Calendar, Params: &p,
		Region: fixture.Region, Keys: party.Keyring{S: w.Party}})
	noErr(t, err)
	seller := w.Actor("principal")
	startAt := at(workday(w, fixture.T0, 20), 10, 0)
	create := func(in auction.SaleInput, bidders int) auction.Sale {
		s, err := svc.CreateSale(ctx, seller, in)
		noErr(t, err)
		s, err = svc.Announce(ctx, seller, s.ID)
		noErr(t, err)
		for i := 0; i < bidders; i++ {
			enrol(t, w, s.ID, i)
		}
		return s
	}
	land := create(landInput(auction.ModeAuction, startAt, time.Time{}), 2)
	short := create(miningInput(auction.ModeAuction, startAt, time.Time{}), 2)
	full := create(miningInput(auction.ModeAuction, startAt, time.Time{}), 3)

	w.Clock.Set(startAt)
	for _, s := range []auction.Sale{land, short, full} {
		noErr(t, svc.StartTimed(ctx, s.ID))
	}
	eq(t, "land auction with 2 bidders", sale(t, w, land.ID).Status, auction.StatusTimed)
	eq(t, "mining auction with 3 bidders", sale(t, w, full.ID).Status, auction.StatusTimed)
	got := sale(t, w, short.ID)
	eq(t, "mining auction with 2 bidders", got.Status, auction.StatusClosed)
	eq(t, "result", got.Result, auction.NoDeal)
	eq(t, "reason", got.Reason, auction.TooFewBidders)
	v := view(t, w, party.Public("1.2.3.4"), short.ID)
	eq(t, "public reason", v.State.Reason, auction.TooFewBidders)
	c := entries(t, w, "auction.concluded", short.Code)
	if len(c) != 1 || c[0]["basis"] != rules.BasisMiningQuorum || c[0]["reason"] != auction.TooFewBidders {
		t.Fatalf("conclusion entry %v, want the reason and the basis %q", c, rules.BasisMiningQuorum)
	}
}

func TestMiningResultPublicity(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) { miningResultPublicity(t, fixture.New(t, db)) })
}

// miningResultPublicity: a mining listing decided at its close carries the
// confirmation and publicity dates on the holiday calendar, in its view and
// in the conclusion's entry; a land deal has none.
func miningResultPublicity(t *testing.T, w *fixture.World) {
	startAt := at(workday(w, fixture.T0, 20), 9, 0)
	endAt := at(workday(w, startAt, 10), 15, 0)
	m := announced(t, w, miningInput(auction.ModeListing, startAt, endAt))
	startL, endL := landDates(w)
	l := announced(t, w, landInput(auction.ModeListing, startL, endL))
	for _, s := range []auction.Sale{m, l} {
		enrol(t, w, s.ID, 0)
	}
	w.Clock.Set(startL.Add(time.Hour))
	_, err := w.Auction.Quote(ctx, bidderActor(w, 0), l.ID, start)
	noErr(t, err)
	w.Clock.Set(startAt.Add(time.Hour))
	_, err = w.Auction.Quote(ctx, bidderActor(w, 0), m.ID, m.StartPrice)
	noErr(t, err)
	w.Clock.Set(endL)
	noErr(t, w.Auction.CloseListing(ctx, l.ID))
	ran := endAt.Add(2 * time.Minute) // the job runs a little after the close
	w.Clock.Set(ran)
	noErr(t, w.Auction.CloseListing(ctx, m.ID))

	v := view(t, w, party.Public("1.2.3.4"), m.ID)
	eq(t, "mining result", v.State.Result, auction.Deal)
	if v.Confirmation == nil || v.Confirmation.Mining == nil {
		t.Fatalf("mining confirmation without its dates: %+v", v.Confirmation)
	}
	r := *v.Confirmation.Mining
	for _, c := range []struct {
		what      string
		got, want time.Time
	}{
		{"deal", r.DealAt, endAt},
		{"confirmation by (3 working days)", r.ConfirmBy, workday(w, endAt, 3)},
		{"publicity starts by (5 working days)", r.PublicityBy, workday(w, endAt, 5)},
		{"publicity from (the publication)", r.PublicityFrom, clock.Date(ran)},
		{"publicity until (10 working days)", r.PublicityUntil, workday(w, ran, 10)},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s: %s, want %s", c.what, c.got, c.want)
		}
	}
	if r.Late || r.Basis != rules.BasisMiningResult {
		t.Errorf("late %v, basis %q", r.Late, r.Basis)
	}
	c := entries(t, w, "auction.concluded", m.Code)
	if len(c) != 1 {
		t.Fatalf("conclusion entries %v", c)
	}
	pub, _ := c[0]["mining"].(map[string]any)
	if pub == nil || pub["confirm_by"] == nil || pub["publicity_until"] == nil {
		t.Fatalf("conclusion entry without the mining dates: %v", c[0])
	}
	var until time.Time
	noErr(t, until.UnmarshalText([]byte(pub["publicity_until"].(string))))
	if !until.Equal(r.PublicityUntil) {
		t.Errorf("entry's publicity end %s, view's %s", until, r.PublicityUntil)
	}

	lv := view(t, w, party.Public("1.2.3.4"), l.ID)
	eq(t, "land result", lv.State.Result, auction.Deal)
	if lv.Confirmation == nil || lv.Confirmation.Mining != nil {
		t.Fatalf("land confirmation %+v, want no mining dates", lv.Confirmation)
	}
}

func TestPreDisclosure(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) { preDisclosure(t, fixture.New(t, db)) })
}

// preDisclosure: a transfer of control is pre-disclosed for 20 working
// days from within 10 working days of its approval, then formally
// disclosed for 20 more; buyers register from the formal disclosure on.
func preDisclosure(t *testing.T, w *fixture.World) {
	seller := w.Actor("principal")
	formal := workday(w, fixture.T0, 20)
	startAt := at(workday(w, formal, 20), 9, 0)
	in := transferInput(auction.ModeAscending, startAt)
	in.Data.ControlTransfer = true
	s, err := w.Auction.CreateSale(ctx, seller, in)
	noErr(t, err)
	try := func(change func(*auction.SaleInput), field, msg string) {
		t.Helper()
		change(&in)
		_, err := w.Auction.ChangeAnnouncement(ctx, seller, s.ID, in, "")
		noErr(t, err)
		e := wantErr(t, func() error { _, err := w.Auction.Announce(ctx, seller, s.ID); return err }(), apperr.Invalid, "第32号")
		if e.Fields[field] == "" || !strings.Contains(e.Message, msg) {
			t.Fatalf("%+v, want %q on %s", e, msg, field)
		}
	}
	try(func(*auction.SaleInput) {}, "approved_on", "批准日期")
	try(func(in *auction.SaleInput) { in.Data.ApprovedOn = ymd(fixture.T0, -40) }, "disclosure_from", "应先进行不少于20个工作日的信息预披露")
	try(func(in *auction.SaleInput) { in.Data.DisclosureFrom = ymd(formal, 0) }, "approved_on", "获批后10个工作日内")
	try(func(in *auction.SaleInput) {
		in.Data.ApprovedOn, in.Data.DisclosureFrom = ymd(fixture.T0, 0), ymd(workday(w, fixture.T0, 19), 0)
	}, "disclosure_from", "信息预披露时间不得少于20个工作日")
	try(func(in *auction.SaleInput) {
		in.Data.DisclosureFrom, in.StartAt = ymd(formal, 0), at(workday(w, formal, 19), 9, 0)
	}, "start_at", "正式披露于"+ymd(formal, 0)+"开始")
	in.StartAt = startAt
	_, err = w.Auction.ChangeAnnouncement(ctx, seller, s.ID, in, "")
	noErr(t, err)
	s, err = w.Auction.Announce(ctx, seller, s.ID)
	noErr(t, err)

	v := view(t, w, party.Public("1.2.3.4"), s.ID)
	ph := v.Sale.DisclosurePhases()
	if len(ph) != 2 || !ph[0].From.Equal(fixture.T0) || !ph[0].To.Equal(formal) || !ph[1].From.Equal(formal) || !ph[1].To.Equal(startAt) {
		t.Fatalf("phases %+v", ph)
	}
	if ann := entries(t, w, "auction.announced", s.Code); len(ann) != 1 || ann[0]["data"].(map[string]any)["disclosure_from"] != ymd(formal, 0) {
		t.Fatalf("announcement entry %v", ann)
	}

	// Registration waits for the formal disclosure.
	_, err = w.Auction.Register(ctx, bidderActor(w, 0), s.ID)
	wantErr(t, err, apperr.Conflict, "实际控制权转移")
	w.Clock.Set(at(formal, 9, 0))
	enrol(t, w, s.ID, 0)
}

func TestExtendDisclosure(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) { extendDisclosure(t, fixture.New(t, db)) })
}

// extendDisclosure: a formal disclosure ending without a qualified buyer
// is extended by the trading centre, at least 5 working days, with a
// reason in the ledger; the quoting start and its job move.
func extendDisclosure(t *testing.T, w *fixture.World) {
	op := w.Actor("operator")
	startAt := at(workday(w, fixture.T0, 20), 9, 0)
	s := announced(t, w, transferInput(auction.ModeAscending, startAt))
	extend := func(a party.Actor, n int, reason string) error {
		_, err := w.Auction.ExtendDisclosure(ctx, a, s.ID, n, reason)
		return err
	}
	const why = "信息披露期满未征集到合格意向受让方，经转让方申请延长信息披露"
	wantErr(t, extend(w.Actor("principal"), 5, why), apperr.Forbidden, "")
	wantErr(t, extend(bidderActor(w, 0), 5, why), apperr.Forbidden, "")
	wantErr(t, extend(op, 5, why), apperr.Conflict, "延长信息披露") // 20 working days left

	// The last working day of the disclosure.
	last := clock.Date(startAt).AddDate(0, 0, -1)
	for !w.Calendar.IsWorkingDay(last) {
		last = last.AddDate(0, 0, -1)
	}
	w.Clock.Set(at(last, 16, 0))
	if e := wantErr(t, extend(op, 5, " "), apperr.Invalid, ""); e.Fields["reason"] == "" {
		t.Fatalf("no reason: %+v", e)
	}
	if e := wantErr(t, extend(op, 4, why), apperr.Invalid, "延长信息披露"); e.Fields["days"] == "" || !strings.Contains(e.Message, "不得少于5个工作日") {
		t.Fatalf("4 days: %+v", e)
	}
	got, err := w.Auction.ExtendDisclosure(ctx, op, s.ID, 5, why)
	noErr(t, err)
	newStart := at(workday(w, startAt, 5), 9, 0)
	if !got.StartAt.Equal(newStart) || !sale(t, w, s.ID).StartAt.Equal(newStart) {
		t.Fatalf("start %s, want %s", got.StartAt, newStart)
	}
	if j := w.Jobs.Jobs[len(w.Jobs.Jobs)-1]; j.Kind != jobs.AuctionStartTimed || j.Subject != s.ID || !j.RunAt.Equal(newStart) {
		t.Fatalf("job %+v, want the start at %s", j, newStart)
	}
	ext := entries(t, w, "auction.disclosure_extended", s.Code)
	if len(ext) != 1 || ext[0]["reason"] != why || ext[0]["days"] != float64(5) || ext[0]["basis"] != rules.BasisO32Extension {
		t.Fatalf("extension entry %v", ext)
	}
	ph := view(t, w, party.Public("1.2.3.4"), s.ID).Sale.DisclosurePhases()
	if len(ph) != 1 || !ph[0].To.Equal(newStart) {
		t.Fatalf("phases after the extension %+v", ph)
	}

	// The job at the old time waits for the new one.
	w.Clock.Set(startAt)
	wantNotDue(t, w.Auction.StartTimed(ctx, s.ID), newStart)

	// A qualified buyer: no further extension.
	enrol(t, w, s.ID, 0)
	w.Clock.Set(newStart.Add(-time.Hour))
	wantErr(t, extend(op, 5, why), apperr.Conflict, "延长信息披露")

	// Land is not disclosed.
	w.Clock.Set(fixture.T0)
	startL, endL := landDates(w)
	l := announced(t, w, landInput(auction.ModeListing, startL, endL))
	_, err = w.Auction.ExtendDisclosure(ctx, op, l.ID, 5, why)
	wantErr(t, err, apperr.Conflict, "")
}
