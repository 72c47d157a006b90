package web

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/sealbid"
)

// The sales' rows of the authorisation matrix (issue 5): the portal's
// listing, live view and events; the console's list, creation form, sale
// page and every action of saleAction. The demo plot is sold by the
// principal's entity (azPrincipal is its user, the seller); bidder1
// (azBidder) is qualified with its deposit confirmed, bidder2
// (azOtherBidder) has not registered.

const (
	azSaleStart = money.Fen(10_000_000_00)
	azSaleInc   = money.Fen(100_000_00)
)

// azAt is a Beijing wall-clock instant on the date of d.
func azAt(d time.Time, h, m int) time.Time {
	s := d.In(clock.Shanghai)
	return time.Date(s.Year(), s.Month(), s.Day(), h, m, 0, 0, clock.Shanghai).UTC()
}

func azSaleCases() []azCase {
	const saleAct = "POST /console/sales/{id}/{action}"
	sp := func(prefix, suffix string) func(*azMatrix, *azLot) string {
		return func(_ *azMatrix, x *azLot) string { return prefix + string(x.sale) + suffix }
	}
	back := func(x *azLot) string { return "/console/sales/" + string(x.sale) }
	act := func(action string, kind azKind, want map[azRole]int, def int) azCase {
		return azCase{route: saleAct, action: action, kind: kind, path: sp("/console/sales/", "/"+action), want: azPost(want), def: def, loc: back,
			form: func(*azMatrix, *azLot) url.Values { return url.Values{} }}
	}
	form := func(kv ...string) func(*azMatrix, *azLot) url.Values {
		return func(*azMatrix, *azLot) url.Values {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
	}
	// The next valid amount as the public sees it at the run.
	next := func(m *azMatrix, x *azLot) url.Values {
		v, err := m.w.Auction.ViewSale(m.ctx, m.w.Actor("operator"), x.sale)
		if err != nil {
			m.t.Fatal(err)
		}
		return url.Values{"amount": {v.State.Next.Plain()}}
	}
	managers := func(s int) map[azRole]int { return azJoin(azStaff(s), map[azRole]int{azPrincipal: s}) }
	identifiers := func(s int) map[azRole]int { return map[azRole]int{azOperator: s, azSupervisor: s, azAuditor: s} }

	announce := act("announce", azSaleDraft, map[azRole]int{azPrincipal: azPRG, azOperator: azPRG}, http.StatusForbidden)
	announce.says = map[int][]string{http.StatusForbidden: {"只有出让人（转让方）或交易中心可以发布交易公告"}}
	reserve := act("reserve", azSaleListing, map[azRole]int{azPrincipal: azPRG}, http.StatusForbidden)
	reserve.form = form("reserve", "10000000")
	reserve.says = map[int][]string{http.StatusForbidden: {"底价由出让人（转让方）确定并录入"}}
	register := act("register", azSaleListing, map[azRole]int{azOtherBidder: azPRG, azBidder: http.StatusConflict}, http.StatusForbidden)
	register.says = map[int][]string{http.StatusConflict: {"不能重复报名"}, http.StatusForbidden: {"竞买申请由竞买人"}}
	qualify := act("qualify", azSaleListing, map[azRole]int{azOperator: azPRG}, http.StatusForbidden)
	qualify.form = func(_ *azMatrix, x *azLot) url.Values {
		return url.Values{"reg": {string(x.salePending)}, "decision": {"approve"}}
	}
	qualify.says = map[int][]string{http.StatusForbidden: {"竞买资格审查由交易中心工作人员办理"}}
	reject := act("qualify", azSaleListing, map[azRole]int{azOperator: http.StatusUnprocessableEntity}, http.StatusForbidden)
	reject.name = "rejection without a reason"
	reject.form = func(_ *azMatrix, x *azLot) url.Values {
		return url.Values{"reg": {string(x.salePending)}, "decision": {"reject"}}
	}
	reject.says = map[int][]string{http.StatusUnprocessableEntity: {"请写明理由", "不通过的理由"}}
	deposit := act("deposit", azSaleListing, map[azRole]int{azOperator: azPRG}, http.StatusForbidden)
	deposit.form = func(_ *azMatrix, x *azLot) url.Values {
		return url.Values{"reg": {string(x.saleQualified)}, "ref": {"GXBANK-2026-77"}}
	}
	increment := act("increment", azSaleListing, map[azRole]int{azOperator: azPRG}, http.StatusForbidden)
	increment.form = form("increment", "200000", "reason", "竞价激烈，经研究调整增价幅度")
	quote := act("quote", azSaleListing, map[azRole]int{azBidder: azPRG}, http.StatusForbidden)
	quote.form = next
	quote.says = map[int][]string{http.StatusForbidden: {"报价"}}
	quoteOff := act("quote", azSaleListing, map[azRole]int{azBidder: http.StatusUnprocessableEntity}, http.StatusForbidden)
	quoteOff.name = "off the increment"
	quoteOff.form = form("amount", "10150000")
	quoteOff.says = map[int][]string{http.StatusUnprocessableEntity: {"整数倍", "下一个有效报价为", rules.BasisIncrement}}
	join := act("join", azSaleJoining, map[azRole]int{azBidder: azPRG}, http.StatusForbidden)
	bid := act("bid", azSaleTimed, map[azRole]int{azBidder: azPRG}, http.StatusForbidden)
	bid.form = next
	stale := act("bid", azSaleTimed, map[azRole]int{azBidder: http.StatusUnprocessableEntity}, http.StatusForbidden)
	stale.name = "below the minimum"
	stale.form = form("amount", azSaleStart.Plain())
	stale.says = map[int][]string{http.StatusUnprocessableEntity: {"下一个有效报价为¥10,200,000.00", `value="10200000.00"`}}
	paused := act("bid", azSalePaused, map[azRole]int{azBidder: http.StatusConflict}, http.StatusForbidden)
	paused.name = "paused"
	paused.form = form("amount", "10200000")
	paused.says = map[int][]string{http.StatusConflict: {"竞价因技术故障暂停"}}
	// One sealed quote under custody (salessealed.go): bidder1's browser
	// seals the quote; the platform receives the sealed file only.
	sealed := act("sealed", azSaleSealed, map[azRole]int{azBidder: azPRG}, http.StatusForbidden)
	sealed.form = func(m *azMatrix, x *azLot) url.Values {
		return url.Values{"sealed": {base64.StdEncoding.EncodeToString(m.sealedQuote(x, 0, 5_200_000_00))}}
	}
	sealedClear := act("sealed", azSaleSealed, map[azRole]int{azBidder: http.StatusUnprocessableEntity}, http.StatusForbidden)
	sealedClear.name = "an amount in clear"
	sealedClear.form = form("amount", "5200000")
	sealedClear.says = map[int][]string{http.StatusUnprocessableEntity: {"未收到密封报价文件"}}
	custody := act("custody", azSaleSealed, map[azRole]int{azOperator: http.StatusConflict}, http.StatusForbidden)
	custody.name = "window open"
	custody.form = form("usernames", "operator, supervisor, agency", "threshold", "2")
	custody.says = map[int][]string{http.StatusConflict: {"密钥保管人不能再更改"}, http.StatusForbidden: {"由交易中心工作人员办理"}}
	decryptExtend := act("decrypt-extend", azSaleSealed, map[azRole]int{azOperator: http.StatusConflict, azSupervisor: http.StatusConflict}, http.StatusForbidden)
	decryptExtend.name = "window open"
	decryptExtend.form = func(m *azMatrix, _ *azLot) url.Values {
		return url.Values{"until": {azShanghai(m.w.Clock.Now().Add(48 * time.Hour))}, "reason": {"保管人证书故障，需补办"}}
	}
	decryptExtend.says = map[int][]string{http.StatusConflict: {"不在报价解密阶段"}, http.StatusForbidden: {"延长报价解密时限"}}
	pause := act("pause", azSaleTimed, map[azRole]int{azOperator: azPRG}, http.StatusForbidden)
	pause.form = form("reason", "竞价系统数据库主节点故障，切换中")
	pause.says = map[int][]string{http.StatusForbidden: {"暂停或恢复竞价由交易中心工作人员办理"}}
	pauseBare := act("pause", azSaleTimed, map[azRole]int{azOperator: http.StatusUnprocessableEntity}, http.StatusForbidden)
	pauseBare.name = "without a reason"
	pauseBare.says = map[int][]string{http.StatusUnprocessableEntity: {`href="#pause-reason"`, "技术故障情况"}}
	resume := act("resume", azSalePaused, map[azRole]int{azOperator: azPRG}, http.StatusForbidden)
	resume.form = form("reason", "已切换至备用节点，经检测恢复正常")
	identities := act("identities", azSaleListing, identifiers(azOK), http.StatusForbidden)
	identities.form = form("reason", "核查竞买人是否存在关联关系（监督检查）")
	identities.body = func(x *azLot) []string { return []string{x.saleBidder, "本次查看已记录在平台留痕中"} }
	identities.says = map[int][]string{http.StatusForbidden: {"竞买人身份仅交易中心、监督和审计人员可以查看"}}
	identBare := act("identities", azSaleListing, identifiers(http.StatusUnprocessableEntity), http.StatusForbidden)
	identBare.name = "without a reason"
	identBare.says = map[int][]string{http.StatusUnprocessableEntity: {"请写明查看竞买人身份的事由", `href="#identities-reason"`}}
	closeEarly := act("close", azSaleTimed, map[azRole]int{azOperator: http.StatusConflict}, http.StatusForbidden)
	closeEarly.name = "countdown running"
	closeEarly.says = map[int][]string{http.StatusConflict: {"尚未到执行时间"}, http.StatusForbidden: {"到期程序由交易中心工作人员办理"}}
	closeDone := act("close", azSaleClosed, map[azRole]int{azOperator: http.StatusConflict}, http.StatusForbidden)
	closeDone.name = "closed already"
	unknown := act(azUnknownAction, azSaleListing, nil, http.StatusNotFound)
	unknown.name = "no such action"
	// The change of an announcement (salesdocs.go): the seller and the
	// centre; a draft is simply edited, a started sale refused.
	changeForm := func(m *azMatrix, x *azLot) url.Values {
		v := createFormOf(m)
		v.Del("seller")
		v.Set("reason", "根据规划条件调整通知变更容积率")
		return v
	}
	change := act("change", azSaleDraft, map[azRole]int{azPrincipal: azPRG, azOperator: azPRG}, http.StatusForbidden)
	change.form = changeForm
	change.says = map[int][]string{http.StatusForbidden: {"只有出让人（转让方）或交易中心可以变更交易公告"}}
	changeLate := act("change", azSaleListing, map[azRole]int{azPrincipal: http.StatusConflict, azOperator: http.StatusConflict}, http.StatusForbidden)
	changeLate.name = "after the start"
	changeLate.form = changeForm
	changeLate.says = map[int][]string{http.StatusConflict: {"不能再变更公告", rules.BasisLO39}}
	// Agreement transfer (salesdocs.go): the centre alone decides; a sale
	// of another mode is refused.
	agree := act("agree", azSaleSealed, map[azRole]int{azOperator: http.StatusConflict}, http.StatusForbidden)
	agree.name = "not an agreement sale"
	agree.form = form("registration", "none", "price", "5000000", "rounds", "2", "approval", "南宁国资产权〔2026〕12号")
	agree.says = map[int][]string{http.StatusConflict: {"不能协议转让"}, http.StatusForbidden: {"协议转让由交易中心工作人员决定"}}

	// The extension of a disclosure (disclosure.go): the centre alone
	// decides; the sealed lot has qualified buyers, so it is refused.
	extend := act("extend", azSaleSealed, map[azRole]int{azOperator: http.StatusConflict}, http.StatusForbidden)
	extend.name = "qualified buyers"
	extend.form = form("days", "5", "reason", "信息披露期满未征集到合格意向受让方")
	extend.says = map[int][]string{http.StatusConflict: {"不能延长信息披露"}, http.StatusForbidden: {"延长信息披露由交易中心工作人员办理"}}

	createForm := func(m *azMatrix, _ *azLot) url.Values { return createFormOf(m) }
	return []azCase{
		// ---- portal
		{route: "GET /sales", kind: azNone, path: azFixed("/sales?cat=land"), want: azAll(), def: azOK, body: func(*azLot) []string { return []string{"土地矿业权"} }},
		{route: "GET /sales/{id}", kind: azSaleListing, path: sp("/sales/", ""), want: azAll(), def: azOK,
			body: func(*azLot) []string {
				return []string{"出让公告要点", "实时竞价", "¥10,100,000.00", "挂牌中"}
			}},
		{route: "GET /sales/{id}", name: "draft", kind: azSaleDraft, path: sp("/sales/", ""), want: managers(azOK), def: http.StatusNotFound},
		{route: "GET /sales/{id}", name: "deal", kind: azSaleClosed, path: sp("/sales/", ""), want: azAll(), def: azOK,
			body: func(x *azLot) []string { return []string{"成交确认书", x.saleBidder, "底价", "¥10,000,000.00"} }},
		{route: "GET /sales/{id}/events", kind: azSaleTimed, path: sp("/sales/", "/events"), stream: true, want: azAll(), def: azOK,
			body: func(*azLot) []string { return []string{"retry: 2000"} }},
		{route: "GET /sales/{id}/events", name: "draft", kind: azSaleDraft, path: sp("/sales/", "/events"), want: azAll(), def: http.StatusNotFound},

		// ---- consoles
		{route: "GET /console/sales", kind: azNone, path: azFixed("/console/sales"), want: azConsole(nil), def: azOK,
			body: func(*azLot) []string { return []string{"土地矿业权与产权交易"} }},
		{route: "POST /console/sales", kind: azNone, path: azFixed("/console/sales"), form: createForm,
			want: azPost(map[azRole]int{azOperator: azPRG, azPrincipal: azPRG}), def: http.StatusForbidden, loc: azLocIs("/console/sales/"),
			says: map[int][]string{http.StatusForbidden: {"交易由出让人（转让方）或交易中心登记"}}},
		{route: "GET /console/sales/{id}", kind: azSaleListing, path: sp("/console/sales/", ""), want: azConsole(nil), def: azOK,
			body: func(*azLot) []string { return []string{"出让公告要点", "报价记录"} }},
		{route: "GET /console/sales/{id}", name: "draft", kind: azSaleDraft, path: sp("/console/sales/", ""),
			want: azConsole(managers(azOK)), def: http.StatusNotFound},
		{route: "GET /console/sales/{id}", name: "timed", kind: azSaleTimed, path: sp("/console/sales/", ""), want: azConsole(nil), def: azOK,
			body: func(*azLot) []string { return []string{"距竞价结束", "服务器时间"} }},
		announce, reserve, register, qualify, reject, deposit, increment, quote, quoteOff, join, bid, stale, paused, sealed, sealedClear, custody, decryptExtend,
		// The custodians' page of a sealed sale: nothing to decrypt before the window's end.
		{route: "GET /console/sales/{id}/decrypt", kind: azSaleSealed, path: sp("/console/sales/", "/decrypt"), want: azConsole(azCustodians(azOK)), def: http.StatusForbidden,
			body: func(*azLot) []string { return []string{"第32号", "不得解密报价"} }},
		{route: "GET /console/sales/{id}/envelopes", kind: azSaleSealed, path: sp("/console/sales/", "/envelopes"),
			want: azJoin(azCustodians(http.StatusConflict), map[azRole]int{azPublic: http.StatusUnauthorized}), def: http.StatusForbidden,
			says: map[int][]string{http.StatusConflict: {"第32号", "不得解密报价"}}},
		{route: "POST /console/sales/{id}/shares", name: "before the end", kind: azSaleSealed, path: sp("/console/sales/", "/shares"), form: func(*azMatrix, *azLot) url.Values {
			return url.Values{"shares": {`[{"bid_id":"1234","share":{"x":2,"y":"00112233445566778899aabbccddeeff"}}]`}}
		}, want: azPost(azCustodians(http.StatusConflict)), def: http.StatusForbidden,
			says: map[int][]string{http.StatusConflict: {"第32号", "不得解密报价"}}},
		pause, pauseBare, resume, identities, identBare, closeEarly, closeDone, unknown, change, changeLate, agree, extend,
		// The confirmation PDF (salesdocs.go) is public once the deal stands, like the result on the page; none before.
		{route: "GET /sales/{id}/confirmation.pdf", kind: azSaleClosed, path: sp("/sales/", "/confirmation.pdf"), want: azAll(), def: azOK,
			body: func(*azLot) []string { return []string{"%PDF-"} }},
		{route: "GET /sales/{id}/confirmation.pdf", name: "before the deal", kind: azSaleTimed, path: sp("/sales/", "/confirmation.pdf"), want: azAll(),
			def: http.StatusNotFound, says: map[int][]string{http.StatusNotFound: {"尚未成交"}}},
	}
}

// createFormOf is the console's creation form of a land listing at the
// earliest lawful dates from the matrix's clock.
func createFormOf(m *azMatrix) url.Values {
	d, _ := m.w.Calendar.PeriodEnd(m.w.Clock.Now(), 20, calendar.CalendarDays)
	start := azAt(d, 9, 0)
	e, _ := m.w.Calendar.PeriodEnd(start, 10, calendar.WorkingDays)
	return url.Values{"kind": {"land"}, "mode": {"listing"}, "title": {"五象新区GC2026-021号地块国有建设用地使用权"}, "seller": {m.w.Principal.USCC},
		"location": {"南宁市良庆区"}, "area_m2": {"12000"}, "use": {"commercial"}, "term_years": {"40"}, "eligibility": {"境内外法人"},
		"deposit": {"1000000"}, "start_price": {"5000000"}, "increment": {"50000"}, "start_at": {azShanghai(start)}, "end_at": {azShanghai(azAt(e, 15, 0))}}
}

// prepareSales makes the matrix's sales (placeholders made by prepare) on
// one schedule, so that at one instant — where it leaves the clock — each is
// in its state: all are announced now and start together (the longest
// notice period, 20 working days, is lawful for land and property alike);
// the closed one closed its listing in the morning of the first lawful
// close day, the timed ones at 14:00 and then bid from 14:05, the joining
// ones closed at 14:03; the instant is 14:06.
func (m *azMatrix) prepareSales(lots []*azLot) {
	m.t.Helper()
	w, ctx := m.w, m.ctx
	must := func(err error) {
		m.t.Helper()
		if err != nil {
			m.t.Fatal(err)
		}
	}
	op, seller := w.Actor("operator"), w.Actor("principal")
	sd, _ := w.Calendar.PeriodEnd(w.Clock.Now(), 20, calendar.WorkingDays)
	start := azAt(sd, 9, 0)
	first, _ := w.Calendar.PeriodEnd(start, 10, calendar.WorkingDays)
	closedEnd, timedEnd := azAt(first, 10, 0), azAt(first, 14, 0)
	joiningEnd, openEnd := timedEnd.Add(3*time.Minute), azAt(first.AddDate(0, 0, 7), 15, 0)
	at := timedEnd.Add(6 * time.Minute)
	// The draft is announced at the matrix's instant: its start counts from then.
	dd, _ := w.Calendar.PeriodEnd(at, 20, calendar.WorkingDays)
	draftStart := azAt(dd, 9, 0)
	de, _ := w.Calendar.PeriodEnd(draftStart, 10, calendar.WorkingDays)
	draftEnd := azAt(de, 15, 0)

	land := func(title string, s, e time.Time) auction.SaleInput {
		return auction.SaleInput{Kind: auction.Land, Mode: auction.ModeListing, Title: title,
			Data:        auction.Data{Location: "南宁市良庆区五象大道以南", AreaM2: 35678.9, Use: rules.LandResidential, TermYears: 70, Decision: "价高者得"},
			Eligibility: "中华人民共和国境内外的法人和其他组织", Deposit: 2_000_000_00, StartPrice: azSaleStart, Increment: azSaleInc, StartAt: s, EndAt: e}
	}
	enrol := func(x *azLot, i int, deposit bool) string {
		a := w.Actor(fmt.Sprintf("bidder%d", i))
		r, err := w.Auction.Register(ctx, a, x.sale)
		must(err)
		if i == 5 {
			x.salePending = r.ID
			return ""
		}
		_, err = w.Auction.Qualify(ctx, op, r.ID, true, "")
		must(err)
		if !deposit {
			x.saleQualified = r.ID
			return ""
		}
		r, err = w.Auction.ConfirmDeposit(ctx, op, r.ID, fmt.Sprintf("GXBANK-%d", i))
		must(err)
		return r.BidderNo
	}
	listing := func(k azKind) bool { return k != azSaleDraft && k != azSaleSealed }
	ends := map[azKind]time.Time{azSaleListing: openEnd, azSaleJoining: joiningEnd, azSaleTimed: timedEnd, azSalePaused: timedEnd, azSaleClosed: closedEnd}

	for n, x := range lots {
		title := fmt.Sprintf("五象新区GC2026-%03d号地块国有建设用地使用权", 100+n)
		var in auction.SaleInput
		switch x.kind {
		case azSaleDraft:
			in = land(title, draftStart, draftEnd)
		case azSaleSealed:
			in = auction.SaleInput{Kind: auction.Property, Mode: auction.ModeSealed, Title: fmt.Sprintf("南宁市属国有企业持有的股权%03d", n),
				Data:        auction.Data{Asset: "广西某投资有限公司 30% 股权", Valuation: 4_800_000_00, Conditions: "受让方须承接职工安置方案"},
				Eligibility: "依法设立并有效存续的企业法人", Deposit: 500_000_00, StartPrice: 5_000_000_00, StartAt: start, EndAt: openEnd}
		default:
			in = land(title, start, ends[x.kind])
		}
		s, err := w.Auction.CreateSale(ctx, seller, in)
		must(err)
		x.sale = s.ID
		x.saleBidder = w.Bidders[0].Name
		if x.kind != azSaleDraft {
			_, err = w.Auction.Announce(ctx, seller, s.ID)
			must(err)
		}
		if x.kind == azSaleSealed {
			var uids []ids.ID
			for _, u := range []string{"operator", "supervisor", "agency"} {
				w.CustodyKey(m.t, u)
				uids = append(uids, w.Users[u].ID)
			}
			_, err = w.Auction.SetCustody(ctx, op, s.ID, auction.CustodyInput{UserIDs: uids, Threshold: 2})
			must(err)
		}
	}
	// The start: registrations, reviews, deposits, quotes.
	w.Clock.Set(start)
	for _, x := range lots {
		if x.kind == azSaleDraft {
			continue
		}
		enrol(x, 1, true)
		if x.kind != azSaleClosed {
			enrol(x, 3, true)
		}
		if x.kind == azSaleListing {
			enrol(x, 5, false)
			enrol(x, 6, false)
		}
		if !listing(x.kind) {
			continue
		}
		if x.kind == azSaleClosed {
			must(w.Auction.SetReserve(ctx, seller, x.sale, azSaleStart))
		}
		_, err := w.Auction.Quote(ctx, w.Actor("bidder1"), x.sale, azSaleStart)
		must(err)
		if x.kind != azSaleClosed {
			_, err = w.Auction.Quote(ctx, w.Actor("bidder3"), x.sale, azSaleStart+azSaleInc)
			must(err)
		}
	}
	run := func(when time.Time, kinds []azKind, step func(x *azLot)) {
		w.Clock.Set(when)
		for _, x := range lots {
			for _, k := range kinds {
				if x.kind == k {
					step(x)
				}
			}
		}
	}
	closeListing := func(x *azLot) { must(w.Auction.CloseListing(ctx, x.sale)) }
	run(closedEnd, []azKind{azSaleClosed}, closeListing)
	run(timedEnd, []azKind{azSaleTimed, azSalePaused}, closeListing)
	run(timedEnd.Add(time.Minute), []azKind{azSaleTimed, azSalePaused}, func(x *azLot) {
		must(w.Auction.Join(ctx, w.Actor("bidder1"), x.sale))
		must(w.Auction.Join(ctx, w.Actor("bidder3"), x.sale))
	})
	run(joiningEnd, []azKind{azSaleJoining}, closeListing)
	run(timedEnd.Add(rules.DefaultParams().JoinWindow.Duration()), []azKind{azSaleTimed, azSalePaused}, func(x *azLot) { must(w.Auction.StartTimed(ctx, x.sale)) })
	run(timedEnd.Add(5*time.Minute+30*time.Second), []azKind{azSalePaused}, func(x *azLot) {
		_, err := w.Auction.Pause(ctx, op, x.sale, "竞价系统网络中断")
		must(err)
	})
	w.Clock.Set(at)
	want := map[azKind]auction.Status{azSaleDraft: auction.StatusDraft, azSaleListing: auction.StatusListing, azSaleJoining: auction.StatusJoining,
		azSaleTimed: auction.StatusTimed, azSalePaused: auction.StatusTimed, azSaleClosed: auction.StatusClosed, azSaleSealed: auction.StatusListing}
	for _, x := range lots {
		v, err := w.Auction.ViewSale(ctx, op, x.sale)
		must(err)
		if v.State.Status != want[x.kind] || x.kind == azSaleClosed && v.State.Result != auction.Deal {
			m.t.Fatalf("sale for %s is %s (%s)", x.kind, v.State.Status, v.State.Result)
		}
	}
}

// checkBiddersSecret: before the deal no sale page names a bidder to
// anyone but the bidder itself (the header names one's own entity), and
// the reserve shows nowhere (issue 5 §1, §2).
func (m *azMatrix) checkBiddersSecret(t *testing.T) {
	t.Helper()
	for _, k := range []azKind{azSaleListing, azSaleTimed} {
		x := m.shared[k]
		for _, r := range azRoles {
			who := m.session(m.user(r, x))
			for _, path := range []string{"/sales/" + string(x.sale), "/console/sales/" + string(x.sale)} {
				res := m.do(http.MethodGet, path, who, nil, nil)
				for i, b := range m.w.Bidders {
					if i == 0 && r == azBidder || i == 1 && r == azOtherBidder {
						continue
					}
					if strings.Contains(res.body, b.Name) || strings.Contains(res.body, b.USCC) {
						t.Errorf("%s as %s names bidder%d before the deal", path, r, i+1)
					}
				}
			}
		}
	}
}

// sealedQuote is bidder i's sealed quote of amount on sale x, sealed as its
// browser does: to the published custody, bound to its bidder number,
// signed with its registered key.
func (m *azMatrix) sealedQuote(x *azLot, i int, amount money.Fen) []byte {
	m.t.Helper()
	w := m.w
	cv, err := w.Auction.SaleCustody(m.ctx, party.Public(""), x.sale)
	if err != nil {
		m.t.Fatal(err)
	}
	v, err := w.Auction.ViewSale(m.ctx, w.Actor(fmt.Sprintf("bidder%d", i+1)), x.sale)
	if err != nil || v.Mine == nil {
		m.t.Fatalf("bidder%d's view: %v", i+1, err)
	}
	var buf bytes.Buffer
	if _, err := sealbid.Seal(&buf, cv.Custody.Sealing(cv.Sale), v.Mine.BidderNo, auction.EncodeQuote(amount), nil, w.BidKey(m.t, i), w.Clock.Now(), rand.Reader); err != nil {
		m.t.Fatal(err)
	}
	return buf.Bytes()
}
