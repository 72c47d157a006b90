package api

import (
	"bytes"
	"crypto/rand"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/sealbid"
)

// Amounts of the test plot: start ¥10,000,000.00, increment ¥100,000.00.
const (
	saleStart = money.Fen(10_000_000_00)
	saleInc   = money.Fen(100_000_00)
)

// saleState is a sale prepared for the authorisation matrix. Its cases run
// with the clock at at, whatever the lots' phases did to it: every sale is
// driven through the use cases on a back-dated clock so that at at it is in
// its state.
type saleState struct {
	id        ids.ID
	at        time.Time
	in        auction.SaleInput
	own       ids.ID    // bidder1's registration (eligible)
	pending   ids.ID    // bidder3's registration awaiting review (announced)
	qualified ids.ID    // bidder4's registration, qualified, deposit not confirmed (announced)
	next      money.Fen // the next valid quote or bid of bidder1 at at
	// custodians' private keys of a sealed sale (salessealed: sealedCustody)
	keys map[string]*gm.PrivateKey
}

// beijing is the instant h:m Beijing time on d's date.
func beijing(d time.Time, h, m int) time.Time {
	s := d.In(clock.Shanghai)
	return time.Date(s.Year(), s.Month(), s.Day(), h, m, 0, 0, clock.Shanghai).UTC()
}

// landListingDates are the earliest lawful listing start (20 days after an
// announcement at a, 09:00) and close (10 working days later, 15:00).
func landListingDates(cal *calendar.Calendar, a time.Time) (time.Time, time.Time) {
	s, _ := cal.PeriodEnd(a, 20, calendar.CalendarDays)
	start := beijing(s, 9, 0)
	e, _ := cal.PeriodEnd(start, 10, calendar.WorkingDays)
	return start, beijing(e, 15, 0)
}

func landSaleInput(mode auction.Mode, startAt, endAt time.Time) auction.SaleInput {
	return auction.SaleInput{Kind: auction.Land, Mode: mode, Title: "五象新区GC2026-031号地块国有建设用地使用权",
		Data: auction.Data{Location: "南宁市良庆区五象大道以南、玉洞大道以东", AreaM2: 28456.37, Use: rules.LandResidential, TermYears: 70,
			PlotRatio: "1.0＜容积率≤3.0", Conditions: "净地出让，现状交地", Decision: "挂牌截止时有两个以上竞买人要求报价的转入网上限时竞价，价高者得"},
		Eligibility: "中华人民共和国境内外的法人和其他组织，法律另有规定者除外", Deposit: 2_000_000_00, StartPrice: saleStart, Increment: saleInc,
		StartAt: startAt, EndAt: endAt}
}

func propertySaleInput(mode auction.Mode, startAt, endAt time.Time) auction.SaleInput {
	return auction.SaleInput{Kind: auction.Property, Mode: mode, Title: "南宁某国有企业所持某公司40%股权",
		Data:        auction.Data{Asset: "南宁某某有限公司40%股权", Valuation: 5_000_000_00, Conditions: "受让方须承接职工安置方案", Decision: "价高者得"},
		Eligibility: "依法设立并有效存续的企业法人", Deposit: 500_000_00, StartPrice: 5_000_000_00, Increment: 50_000_00, StartAt: startAt, EndAt: endAt}
}

func saleTermsDTO(in auction.SaleInput) SaleTerms {
	return SaleTerms{Title: in.Title, Data: saleDataDTO(in.Data), Eligibility: in.Eligibility, DepositFen: int64(in.Deposit),
		StartPriceFen: int64(in.StartPrice), IncrementFen: int64(in.Increment), StartAt: in.StartAt, EndAt: in.EndAt}
}

// prepareSale makes a sale that is in state st when the clock reads the
// current time, leaving the clock as it found it.
func (m *matrix) prepareSale(t *testing.T, st state) *saleState {
	t.Helper()
	w := m.e.w
	at := w.Clock.Now()
	defer w.Clock.Set(at)
	svc, ctx := w.Auction, m.ctx
	seller, op := w.Actor("principal"), w.Actor("operator")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("prepare %s: %v", st, err)
		}
	}
	x := &saleState{at: at, next: saleStart}
	create := func(in auction.SaleInput, announce bool) {
		t.Helper()
		s, err := svc.CreateSale(ctx, seller, in)
		must(err)
		if announce {
			_, err = svc.Announce(ctx, seller, s.ID)
			must(err)
		}
		x.id, x.in = s.ID, in
	}
	enrol := func(username string) ids.ID {
		t.Helper()
		r, err := svc.Register(ctx, w.Actor(username), x.id)
		must(err)
		_, err = svc.Qualify(ctx, op, r.ID, true, "")
		must(err)
		_, err = svc.ConfirmDeposit(ctx, op, r.ID, "GXBANK-"+username)
		must(err)
		return r.ID
	}
	quote := func(username string, amount money.Fen) {
		t.Helper()
		_, err := svc.Quote(ctx, w.Actor(username), x.id, amount)
		must(err)
	}
	switch st {
	case sSaleDraft:
		start, end := landListingDates(w.Calendar, at)
		create(landSaleInput(auction.ModeListing, start, end), false)
	case sSaleAnnounced:
		w.Clock.Set(at.Add(-time.Hour))
		start, end := landListingDates(w.Calendar, at.Add(-time.Hour))
		create(landSaleInput(auction.ModeListing, start, end), true)
		x.own = enrol("bidder1")
		r, err := svc.Register(ctx, w.Actor("bidder3"), x.id)
		must(err)
		x.pending = r.ID
		r, err = svc.Register(ctx, w.Actor("bidder4"), x.id)
		must(err)
		_, err = svc.Qualify(ctx, op, r.ID, true, "")
		must(err)
		x.qualified = r.ID
	case sSaleListing:
		a := at.AddDate(0, 0, -25)
		start, end := landListingDates(w.Calendar, a)
		if !start.Add(time.Hour).Before(at) || !at.Before(end) {
			t.Fatalf("listing %s–%s does not cover %s", start, end, at)
		}
		w.Clock.Set(a)
		create(landSaleInput(auction.ModeListing, start, end), true)
		x.own = enrol("bidder1")
		enrol("bidder3")
		must(svc.SetReserve(ctx, seller, x.id, saleStart+2*saleInc))
		w.Clock.Set(start.Add(time.Hour))
		quote("bidder3", saleStart)
		x.next = saleStart + saleInc
	case sSaleJoining, sSaleTimed, sSalePaused, sSaleClosed:
		// The listing closes shortly before at (joining), or so that the
		// join window ends shortly before at (timed), or long before (closed).
		end := map[state]time.Duration{sSaleJoining: time.Minute, sSaleTimed: 6 * time.Minute, sSalePaused: 6 * time.Minute, sSaleClosed: 2 * time.Hour}[st]
		a := at.AddDate(0, 0, -40)
		start, _ := landListingDates(w.Calendar, a)
		w.Clock.Set(a)
		create(landSaleInput(auction.ModeListing, start, at.Add(-end)), true)
		x.own = enrol("bidder1")
		enrol("bidder3")
		w.Clock.Set(start.Add(time.Hour))
		quote("bidder1", saleStart)
		w.Clock.Set(start.Add(2 * time.Hour))
		quote("bidder3", saleStart+saleInc)
		x.next = saleStart + 2*saleInc
		w.Clock.Set(at.Add(-end).Add(time.Second))
		must(svc.CloseListing(ctx, x.id))
		if st == sSaleJoining {
			break
		}
		w.Clock.Set(at.Add(-end).Add(time.Minute))
		must(svc.Join(ctx, w.Actor("bidder1"), x.id))
		must(svc.Join(ctx, w.Actor("bidder3"), x.id))
		w.Clock.Set(at.Add(-end).Add(5 * time.Minute))
		must(svc.StartTimed(ctx, x.id))
		switch st {
		case sSalePaused:
			w.Clock.Set(at.Add(-30 * time.Second))
			_, err := svc.Pause(ctx, op, x.id, "交易系统网络故障，暂停竞价")
			must(err)
		case sSaleClosed:
			w.Clock.Set(at.Add(-end).Add(6 * time.Minute))
			_, err := svc.Bid(ctx, w.Actor("bidder1"), x.id, x.next)
			must(err)
			w.Clock.Set(at.Add(-end).Add(12 * time.Minute))
			must(svc.CloseTimed(ctx, x.id, time.Time{}))
		}
	case sSaleSealed, sSaleAgree:
		a := at.AddDate(0, 0, -40)
		d, _ := w.Calendar.PeriodEnd(a, 20, calendar.WorkingDays)
		start := beijing(d, 9, 0)
		if !start.Before(at) {
			t.Fatalf("disclosure ends %s, after %s", start, at)
		}
		w.Clock.Set(a)
		if st == sSaleSealed {
			create(propertySaleInput(auction.ModeSealed, start, at.AddDate(0, 0, 5)), true)
			m.sealedCustody(t, x)
		} else {
			create(propertySaleInput(auction.ModeAgreement, start, time.Time{}), true)
		}
		x.own = enrol("bidder1")
		x.next = x.in.StartPrice
	case sSaleSealedSoon:
		d, _ := w.Calendar.PeriodEnd(at, 20, calendar.WorkingDays)
		start := beijing(d, 9, 0)
		create(propertySaleInput(auction.ModeSealed, start, start.AddDate(0, 0, 5)), true)
		x.own = enrol("bidder1")
		x.next = x.in.StartPrice
	case sSaleDecrypting:
		a := at.AddDate(0, 0, -40)
		d, _ := w.Calendar.PeriodEnd(a, 20, calendar.WorkingDays)
		start, end := beijing(d, 9, 0), at.Add(-10*time.Minute)
		w.Clock.Set(a)
		create(propertySaleInput(auction.ModeSealed, start, end), true)
		x.own = enrol("bidder1")
		enrol("bidder3")
		m.sealedCustody(t, x)
		for i, u := range []string{"bidder1", "bidder3"} {
			w.Clock.Set(start.Add(time.Duration(i+1) * time.Hour))
			_, err := svc.SubmitSealed(ctx, w.Actor(u), x.id, m.sealedQuote(t, x, u, x.in.StartPrice+money.Fen(i)*x.in.Increment, m.freshBidKey(t, u)))
			must(err)
		}
		w.Clock.Set(end.Add(time.Second))
		must(svc.CloseSealed(ctx, x.id))
	case sSaleUnsold:
		// Announced 40 days ago; the disclosure ends at 09:00 on the next
		// working day, so an extension may be decided now.
		a := at.AddDate(0, 0, -40)
		start := beijing(w.Calendar.NextWorkingDay(at.AddDate(0, 0, 1)), 9, 0)
		w.Clock.Set(a)
		create(propertySaleInput(auction.ModeAscending, start, time.Time{}), true)
	default:
		t.Fatalf("no sale state %s", st)
	}
	return x
}

func salePath(p string) func(st *lotState) string {
	return func(st *lotState) string { return "/api/v1/sales/" + st.sale.id + p }
}

// saleCases are the sales' rows of the authorisation matrix.
func saleCases() []mcase {
	amount := func(_ *matrix, st *lotState) any { return SaleAmountInput{AmountFen: int64(st.sale.next)} }
	staffView := map[role]int{rPrincipal: 200, rOperator: 200, rSupervisor: 200, rAuditor: 200, rAdmin: 200}
	return []mcase{
		{route: "GET /api/v1/sales", state: sNone, path: fixed("/api/v1/sales?kind=land&limit=10"), want: everyone(), def: 200},
		{route: "POST /api/v1/sales", state: sNone, path: fixed("/api/v1/sales"), body: func(m *matrix, _ *lotState) any {
			start, end := landListingDates(m.e.w.Calendar, m.e.w.Clock.Now())
			return SaleInput{Kind: "land", Mode: "listing", SellerUSCC: m.e.w.Principal.USCC, SaleTerms: saleTermsDTO(landSaleInput(auction.ModeListing, start, end))}
		}, want: map[role]int{rPublic: 401, rPrincipal: 201, rOperator: 201}, def: 403},
		{route: "GET /api/v1/sales/{id}", state: sSaleAnnounced, path: salePath(""), want: everyone(), def: 200},
		{route: "GET /api/v1/sales/{id}", name: "draft", state: sSaleDraft, path: salePath(""), want: staffView, def: 404},
		{route: "GET /api/v1/sales/{id}", name: "closed", state: sSaleClosed, path: salePath(""), want: everyone(), def: 200},
		{route: "PUT /api/v1/sales/{id}", state: sSaleAnnounced, path: salePath(""), body: func(_ *matrix, st *lotState) any {
			t := saleTermsDTO(st.sale.in)
			t.Title += "（更正）"
			return SaleChange{SaleTerms: t, Reason: "更正标的名称中的文字错误"}
		}, want: map[role]int{rPublic: 401, rPrincipal: 200, rOperator: 200}, def: 403},
		{route: "POST /api/v1/sales/{id}/announce", state: sSaleDraft, path: salePath("/announce"),
			want: map[role]int{rPublic: 401, rPrincipal: 200, rOperator: 200}, def: 403},
		// The reserve is the seller's alone: not even the trading centre enters it.
		{route: "PUT /api/v1/sales/{id}/reserve", state: sSaleAnnounced, path: salePath("/reserve"), body: jsonBody(SaleReserveInput{ReserveFen: int64(saleStart + 3*saleInc)}),
			want: map[role]int{rPublic: 401, rPrincipal: 204}, def: 403},
		{route: "POST /api/v1/sales/{id}/registrations", state: sSaleAnnounced, path: salePath("/registrations"),
			want: map[role]int{rPublic: 401, rBidder: 409, rOtherBidder: 201}, def: 403},
		{route: "POST /api/v1/sales/{id}/registrations/{regID}/review", state: sSaleAnnounced, path: func(st *lotState) string {
			return "/api/v1/sales/" + st.sale.id + "/registrations/" + st.sale.pending + "/review"
		}, body: jsonBody(SaleReviewInput{Approve: true}), want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		{route: "POST /api/v1/sales/{id}/registrations/{regID}/deposit", state: sSaleAnnounced, path: func(st *lotState) string {
			return "/api/v1/sales/" + st.sale.id + "/registrations/" + st.sale.qualified + "/deposit"
		}, body: jsonBody(SaleDepositInput{Ref: "GXBANK-20260302-0042"}), want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		{route: "POST /api/v1/sales/{id}/identities", state: sSaleAnnounced, path: salePath("/identities"), body: jsonBody(ReasonInput{Reason: "核查竞买人关联关系"}),
			want: map[role]int{rPublic: 401, rOperator: 200, rSupervisor: 200, rAuditor: 200}, def: 403},
		{route: "POST /api/v1/sales/{id}/quotes", state: sSaleListing, path: salePath("/quotes"), body: amount,
			want: map[role]int{rPublic: 401, rBidder: 201}, def: 403},
		{route: "POST /api/v1/sales/{id}/quotes", name: "before the listing", state: sSaleAnnounced, path: salePath("/quotes"), body: amount,
			want: map[role]int{rPublic: 401}, def: 409},
		{route: "POST /api/v1/sales/{id}/increment", state: sSaleListing, path: salePath("/increment"),
			body: jsonBody(SaleIncrementInput{IncrementFen: int64(saleInc / 2), Reason: "经出让人同意调整增价幅度"}), want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		{route: "POST /api/v1/sales/{id}/join", state: sSaleJoining, path: salePath("/join"), want: map[role]int{rPublic: 401, rBidder: 200}, def: 403},
		{route: "POST /api/v1/sales/{id}/bids", state: sSaleTimed, path: salePath("/bids"), body: amount, want: map[role]int{rPublic: 401, rBidder: 201}, def: 403},
		{route: "POST /api/v1/sales/{id}/bids", name: "paused", state: sSalePaused, path: salePath("/bids"), body: amount, want: map[role]int{rPublic: 401, rBidder: 409}, def: 403},
		{route: "POST /api/v1/sales/{id}/bids", name: "closed", state: sSaleClosed, path: salePath("/bids"), body: amount, want: map[role]int{rPublic: 401}, def: 409},
		{route: "POST /api/v1/sales/{id}/pause", state: sSaleTimed, path: salePath("/pause"), body: jsonBody(ReasonInput{Reason: "交易系统网络故障"}),
			want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		{route: "POST /api/v1/sales/{id}/unpause", state: sSalePaused, path: salePath("/unpause"), body: jsonBody(ReasonInput{Reason: "故障已排除"}),
			want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		// One sealed quote under custody: the custody is public; the centre
		// names it before the window; only the bidder seals and reads its own
		// receipt; only custodians fetch envelopes and submit shares, after
		// the window; the centre or the supervisor extends the decryption.
		{route: "GET /api/v1/sales/{id}/custody", state: sSaleSealed, path: salePath("/custody"), want: everyone(), def: 200},
		{route: "GET /api/v1/sales/{id}/custody", name: "none named", state: sSaleSealedSoon, path: salePath("/custody"), want: everyone(), def: 404},
		{route: "PUT /api/v1/sales/{id}/custody", state: sSaleSealedSoon, path: salePath("/custody"), body: func(m *matrix, _ *lotState) any {
			var ids []string
			for _, u := range []string{"operator", "supervisor", "agency"} {
				m.e.w.CustodyKey(m.e.t, u)
				ids = append(ids, string(m.e.w.Users[u].ID))
			}
			return CustodyInput{Custodians: ids, Threshold: 2}
		}, want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		{route: "POST /api/v1/sales/{id}/sealed-quote", state: sSaleSealed, path: salePath("/sealed-quote"), body: func(m *matrix, st *lotState) any {
			return m.sealedQuote(m.e.t, st.sale, "bidder1", st.sale.in.StartPrice, m.e.w.BidKey(m.e.t, 0))
		}, want: map[role]int{rPublic: 401, rBidder: 201}, def: 403},
		{route: "POST /api/v1/sales/{id}/sealed-quote", name: "before the window", state: sSaleSealedSoon, path: salePath("/sealed-quote"),
			body: func(*matrix, *lotState) any { return []byte("GGZY-SEALED-v1\n") }, want: map[role]int{rPublic: 401}, def: 409},
		{route: "GET /api/v1/sales/{id}/sealed-quote", state: sSaleDecrypting, path: salePath("/sealed-quote"),
			want: map[role]int{rPublic: 401, rBidder: 200, rOtherBidder: 404}, def: 403},
		{route: "GET /api/v1/sales/{id}/custody/envelopes", state: sSaleDecrypting, path: salePath("/custody/envelopes"),
			want: map[role]int{rPublic: 401, rAgency: 200, rOperator: 200, rSupervisor: 200}, def: 403},
		{route: "GET /api/v1/sales/{id}/custody/envelopes", name: "before the end", state: sSaleSealed, path: salePath("/custody/envelopes"),
			want: map[role]int{rPublic: 401, rAgency: 409, rOperator: 409, rSupervisor: 409}, def: 403},
		{route: "POST /api/v1/sales/{id}/custody/shares", state: sSaleDecrypting, path: salePath("/custody/shares"), body: func(m *matrix, st *lotState) any {
			return SaleSharesInput{Shares: m.saleShares(m.e.t, st.sale, "operator")}
		}, want: map[role]int{rPublic: 401, rOperator: 200, rAgency: 422, rSupervisor: 422}, def: 403},
		{route: "POST /api/v1/sales/{id}/custody/extend", state: sSaleDecrypting, path: salePath("/custody/extend"), body: func(m *matrix, st *lotState) any {
			cv, err := m.e.w.Auction.SaleCustody(m.ctx, party.Public(""), st.sale.id)
			if err != nil {
				m.e.t.Fatal(err)
			}
			return ExtendInput{Until: cv.Custody.DecryptBy.Add(30 * time.Minute), Reason: "保管人证书故障，需补办"}
		}, want: map[role]int{rPublic: 401, rOperator: 200, rSupervisor: 200}, def: 403},
		{route: "POST /api/v1/sales/{id}/agreement", state: sSaleAgree, path: salePath("/agreement"), body: func(_ *matrix, st *lotState) any {
			return SaleAgreementInput{RegistrationID: st.sale.own, PriceFen: int64(st.sale.in.StartPrice), Rounds: 2, Approval: "南宁国资产权〔2026〕12号"}
		}, want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		{route: "POST /api/v1/sales/{id}/extend-disclosure", state: sSaleUnsold, path: salePath("/extend-disclosure"),
			body: jsonBody(SaleExtendInput{Days: 5, Reason: "信息披露期满未征集到合格意向受让方，经转让方申请延长"}), want: map[role]int{rPublic: 401, rOperator: 200}, def: 403},
		{route: "POST /api/v1/sales/{id}/extend-disclosure", name: "4 days", state: sSaleUnsold, path: salePath("/extend-disclosure"),
			body: jsonBody(SaleExtendInput{Days: 4, Reason: "延长信息披露"}), want: map[role]int{rPublic: 401, rOperator: 422}, def: 403},
		{route: "POST /api/v1/sales/{id}/extend-disclosure", name: "a qualified buyer", state: sSaleAgree, path: salePath("/extend-disclosure"),
			body: jsonBody(SaleExtendInput{Days: 5, Reason: "延长信息披露"}), want: map[role]int{rPublic: 401, rOperator: 409}, def: 403},
		// The confirmation is public once the deal stands (the sale view shows it to everyone); none before.
		{route: "GET /api/v1/sales/{id}/confirmation.pdf", state: sSaleClosed, path: salePath("/confirmation.pdf"), want: everyone(), def: 200},
		{route: "GET /api/v1/sales/{id}/confirmation.pdf", name: "before the deal", state: sSaleTimed, path: salePath("/confirmation.pdf"), want: everyone(), def: 404},
		{route: "GET /api/v1/sales/{id}/events", state: sSaleAnnounced, path: salePath("/events?after=0"), want: everyone(), def: 200},
		{route: "GET /api/v1/sales/{id}/events", name: "draft", state: sSaleDraft, path: salePath("/events"), want: everyone(), def: 404},
		{route: "GET /api/v1/sales/{id}/stream", state: sSaleTimed, path: salePath("/stream"), stream: true, want: everyone(), def: 200},
		{route: "GET /api/v1/sales/{id}/stream", name: "draft", state: sSaleDraft, path: salePath("/stream"), stream: true, want: everyone(), def: 404},
	}
}

// sealedCustody names the custodians of a sealed sale (the centre, the
// supervising department and an agency; 2 of 3) with custody keys
// registered now: the fixture's cached keys may be valid only from a later
// instant than the sale's back-dated clock. Each sale's keys are
// registered a moment later than the previous sale's, so they are the
// newest valid ones when named.
func (m *matrix) sealedCustody(t *testing.T, x *saleState) {
	t.Helper()
	w := m.e.w
	m.seq++
	w.Clock.Set(w.Clock.Now().Add(time.Duration(m.seq) * time.Second))
	x.keys = map[string]*gm.PrivateKey{}
	var uids []ids.ID
	for _, u := range []string{"operator", "supervisor", "agency"} {
		k, err := gm.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Party.RegisterKey(m.ctx, w.Actor(u), party.KeyInput{PEM: string(k.Public().MarshalPEM()), Purpose: party.KeyCustody, Label: "一次报价保管密钥"}); err != nil {
			t.Fatal(err)
		}
		x.keys[u] = k
		uids = append(uids, w.Users[u].ID)
	}
	if _, err := w.Auction.SetCustody(m.ctx, w.Actor("operator"), x.id, auction.CustodyInput{UserIDs: uids, Threshold: 2}); err != nil {
		t.Fatal(err)
	}
}

// freshBidKey registers a bid-signing key for username's entity, valid from
// now (the sale's back-dated clock).
func (m *matrix) freshBidKey(t *testing.T, username string) *gm.PrivateKey {
	t.Helper()
	k, err := gm.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.e.w.Party.RegisterKey(m.ctx, m.e.w.Actor(username), party.KeyInput{PEM: string(k.Public().MarshalPEM()), Purpose: party.KeyBid, Label: "报价签名密钥"}); err != nil {
		t.Fatal(err)
	}
	return k
}

// sealedQuote seals username's quote of amount for sale x as its client
// does: to the published custody, bound to its bidder number, signed with
// key.
func (m *matrix) sealedQuote(t testing.TB, x *saleState, username string, amount money.Fen, key *gm.PrivateKey) []byte {
	t.Helper()
	w := m.e.w
	cv, err := w.Auction.SaleCustody(m.ctx, party.Public(""), x.id)
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.Auction.ViewSale(m.ctx, w.Actor(username), x.id)
	if err != nil || v.Mine == nil {
		t.Fatalf("%s's view of sale %s: %v", username, x.id, err)
	}
	var buf bytes.Buffer
	if _, err := sealbid.Seal(&buf, cv.Custody.Sealing(cv.Sale), v.Mine.BidderNo, auction.EncodeQuote(amount), nil, key, w.Clock.Now(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// saleShares are custodian username's decrypted shares of sale x.
func (m *matrix) saleShares(t testing.TB, x *saleState, username string) []sealbid.Share {
	t.Helper()
	w := m.e.w
	saved := w.Clock.Now()
	w.Clock.Set(x.at)
	defer w.Clock.Set(saved)
	_, envs, err := w.Auction.CustodyEnvelopes(m.ctx, w.Actor(username), x.id)
	if err != nil {
		t.Fatal(err)
	}
	sh, bad := sealbid.OpenShares(string(x.id), string(w.Users[username].ID), envs, x.keys[username])
	if len(bad) > 0 || len(sh) == 0 {
		t.Fatalf("custodian %s: %d shares, %+v", username, len(sh), bad)
	}
	return sh
}
