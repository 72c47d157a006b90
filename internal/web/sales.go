package web

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/tender"
)

// Land-use rights, mining rights and state-owned property rights (issue 5):
// the portal's 土地矿业权 and 产权交易 listings and a public live view of each
// sale; the console's sales, where the trading centre (and the seller) create
// and announce them, the centre reviews registrations and confirms deposits,
// changes the increment, pauses for a declared technical fault and looks up
// identities (audited); the seller enters the reserve; bidders register and
// quote, join and bid in their room. Every page reads auction.Service.ViewSale,
// the one place that decides what each actor may see; the live parts follow
// the sale's events (saleslive.go, static/sale.js).

// salePath is a sale's public page; saleConsolePath its console page (for a
// bidder: the auction room).
func salePath(id ids.ID) string        { return "/sales/" + string(id) }
func saleConsolePath(id ids.ID) string { return "/console/sales/" + string(id) }

// saleCats are the portal's tabs: land and mining rights together, as the
// provincial portals group them, and property rights.
var saleCats = []struct {
	Key, Name string
	Kinds     []auction.Kind
}{
	{"land", "土地矿业权", []auction.Kind{auction.Land, auction.Mining}},
	{"property", "产权交易", []auction.Kind{auction.Property}},
}

func saleCatOf(k auction.Kind) (key, name string) {
	for _, c := range saleCats {
		for _, x := range c.Kinds {
			if x == k {
				return c.Key, c.Name
			}
		}
	}
	return "", "交易"
}

// salesOn answers 404 when the platform runs without the sales service.
func (s *server) salesOn(w http.ResponseWriter, r *http.Request) bool {
	if s.d.Auction != nil {
		return true
	}
	s.fail(w, r, apperr.New(apperr.NotFound, "本平台未开通土地矿业权和产权交易。"))
	return false
}

// ---- status, labels

// saleStatusInfo is a sale's displayed status (UI.md §2.5: text, icon and
// colour; red only for a failed sale).
func saleStatusInfo(st auction.Status, paused bool, result auction.Result) statusInfo {
	switch st {
	case auction.StatusDraft:
		return statusInfo{"未发布", "st-pending", "○"}
	case auction.StatusAnnounced:
		return statusInfo{"公告中", "st-open", "●"}
	case auction.StatusListing:
		return statusInfo{"挂牌中", "st-open", "●"}
	case auction.StatusJoining:
		return statusInfo{"确认参加限时竞价", "st-eval", "◆"}
	case auction.StatusTimed:
		if paused {
			return statusInfo{"暂停（技术故障）", "st-paused", "❚❚"}
		}
		return statusInfo{"限时竞价中", "st-eval", "◆"}
	case auction.StatusClosed:
		switch result {
		case auction.Deal:
			return statusInfo{"已成交", "st-done", "✓"}
		case auction.NoDeal:
			return statusInfo{"流拍（不成交）", "st-failed", "✕"}
		}
		return statusInfo{"已结束", "st-archived", "■"}
	}
	return statusInfo{st.Label(), "st-archived", "■"}
}

// saleBadge is the badge of a sale's status at server time now; an open
// listing or quoting window closing within 24 hours is 即将截止.
func saleBadge(i auction.Info, d auction.EventData, now time.Time) template.HTML {
	si := saleStatusInfo(i.Status, d.Paused, d.Result)
	if i.Status == auction.StatusListing && !i.EndAt.IsZero() {
		if left := i.EndAt.Sub(now); left > 0 && left < 24*time.Hour {
			si = statusInfo{"即将截止", "st-soon", "▲"}
		}
	}
	return badgeHTML(si)
}

var landUses = []struct {
	Use  rules.LandUse
	Name string
}{
	{rules.LandResidential, "居住用地"}, {rules.LandCommercial, "商业、旅游、娱乐用地"}, {rules.LandIndustrial, "工业用地"},
	{rules.LandPublic, "教育、科技、文化、卫生、体育用地"}, {rules.LandOther, "综合或者其他用地"},
}

func landUseName(u rules.LandUse) string {
	for _, x := range landUses {
		if x.Use == u {
			return x.Name
		}
	}
	return string(u)
}

// sellerWord is what the seller is called for a kind of sale.
func sellerWord(k auction.Kind) string {
	if k == auction.Property {
		return "转让方"
	}
	return "出让人"
}

// area is a surveyed area in square metres, with its size in mu.
func area(m2 float64) string {
	if m2 <= 0 {
		return "—"
	}
	return strconv.FormatFloat(m2, 'f', 2, 64) + " 平方米（约 " + strconv.FormatFloat(m2/(10000.0/15.0), 'f', 2, 64) + " 亩）"
}

// decisionText says how the winner is decided, from the mode and the
// sale's parameters (and what the announcement adds).
func decisionText(i auction.Info) string {
	p := i.Params
	var s string
	switch i.Mode {
	case auction.ModeListing:
		s = fmt.Sprintf("挂牌期间竞买人报价，每次报价不低于当前最高价加一个增价幅度、且为增价幅度的整数倍；挂牌截止时只有一个有效报价且不低于底价的，该竞买人竞得；两个以上竞买人报价的，截止后%s内确认参加的竞买人转入网上限时竞价，自最高报价加一个增价幅度起，每次出价后倒计时重新计时%s，倒计时结束时最高出价不低于底价者竞得；确认参加的不足两人的，按挂牌期间最高报价确定（%s）。",
			p.JoinWindow.Describe(), p.Countdown.Describe(), rules.BasisLO39)
	case auction.ModeAuction:
		s = fmt.Sprintf("网上拍卖：自起始价起限时竞价，每次出价后倒计时重新计时%s，倒计时结束时最高应价不低于底价者竞得；报名并交纳保证金的竞买人不足%d人的，不开始拍卖（%s）。",
			p.Countdown.Describe(), p.MinAuctionBidders.Value, rules.BasisAL51to53)
	case auction.ModeAscending:
		s = fmt.Sprintf("多次报价：信息披露期满后，合格意向受让方在限时内多次报价，每次报价后倒计时重新计时%s，报价最高且不低于转让底价者受让；合格意向受让方不足两个的，不进行竞价（%s）。",
			p.Countdown.Describe(), rules.BasisO32)
	case auction.ModeSealed:
		s = "一次报价：报价期内每个合格意向受让方密封提交一次报价，不得低于挂牌价；报价期满后开启，报价最高且不低于底价者受让，同价以先提交者为准（" + rules.BasisO32 + "）。"
	case auction.ModeAgreement:
		s = "协议转让：信息披露期满只有一个合格意向受让方的，经批准以不低于挂牌价的价格协议转让（" + rules.BasisO32 + "）。"
	}
	if d := strings.TrimRight(strings.TrimSpace(i.Data.Decision), "。；;. "); d != "" {
		s = d + "。" + s
	}
	return s
}

// registerBy is the end of registration (auction.Sale's rule: the listing
// close or sealed window end, else the start).
func registerBy(i auction.Info) time.Time {
	if i.Mode == auction.ModeListing || i.Mode == auction.ModeSealed {
		return i.EndAt
	}
	return i.StartAt
}

// startWord names the start of a sale by its mode.
func startWord(m auction.Mode) string {
	switch m {
	case auction.ModeListing:
		return "挂牌开始"
	case auction.ModeSealed:
		return "报价开始"
	case auction.ModeAgreement:
		return "信息披露期满"
	}
	return "竞价开始"
}

// ---- portal: the listing

type saleRow struct {
	I      auction.Info
	Badge  template.HTML
	Cat    string
	Result *auction.Confirmation
	Final  money.Fen
	Closed bool
	Label  string // the next key time
	At     time.Time
}

type salesData struct {
	Cat   string
	Tabs  []link
	Rows  []saleRow
	Empty string
	// Tenders are land lots sold by tender (招标出让) on the tender
	// procedure: listed with the land sales, linked to their project page.
	Tenders []landTenderRow
	Count   int
}

// landTenderRow is a land tender in the land sales list.
type landTenderRow struct {
	T     tender.LandTender
	Href  string
	Badge template.HTML
}

func (s *server) salesPage(w http.ResponseWriter, r *http.Request) {
	if !s.salesOn(w, r) {
		return
	}
	ctx, a := r.Context(), s.actor(r)
	cat := r.URL.Query().Get("cat")
	var kinds []auction.Kind
	title := "土地矿业权与产权交易"
	for _, c := range saleCats {
		if c.Key == cat {
			kinds, title = c.Kinds, c.Name
		}
	}
	if kinds == nil {
		cat = ""
		kinds = []auction.Kind{auction.Land, auction.Mining, auction.Property}
	}
	d := salesData{Cat: cat, Tabs: []link{{Text: "全部", Href: "/sales", Current: cat == ""}}}
	for _, c := range saleCats {
		d.Tabs = append(d.Tabs, link{Text: c.Name, Href: "/sales?cat=" + c.Key, Current: cat == c.Key})
	}
	now := s.d.Clock.Now()
	for _, k := range kinds {
		infos, err := s.d.Auction.ListSales(ctx, a, auction.SaleFilter{Kind: k, Public: true, Limit: 100})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, i := range infos {
			d.Rows = append(d.Rows, saleRowOf(i, now))
		}
	}
	sortSaleRows(d.Rows)
	if cat == "" || cat == "land" {
		ts, err := s.d.Tender.ListLandTenders(ctx, 100)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, t := range ts {
			d.Tenders = append(d.Tenders, landTenderRow{T: t, Href: "/projects/" + string(t.Project.ID) + "#lot-" + string(t.Lot.ID), Badge: statusBadge(t.Lot, now)})
		}
	}
	d.Count = len(d.Rows) + len(d.Tenders)
	if d.Count == 0 {
		d.Empty = "暂无" + title + "公告。"
	}
	p := s.newPage(r, title, "交易信息", d)
	p.Nav = "sales-" + firstNonEmpty(cat, "all")
	s.render(w, r, "sales", p)
}

// saleRowOf is a sale as the lists show it; a closed one with its result.
func saleRowOf(i auction.Info, now time.Time) saleRow {
	row := saleRow{I: i, Closed: i.Status == auction.StatusClosed}
	row.Cat, _ = saleCatOf(i.Kind)
	d := auction.EventData{Status: i.Status}
	if row.Closed {
		d = i.State
		row.Result, row.Final, row.At, row.Label = i.Confirmation, i.State.Price, i.ClosedAt, "结束"
	} else {
		switch {
		case now.Before(i.StartAt):
			row.Label, row.At = startWord(i.Mode), i.StartAt
		case !i.EndAt.IsZero() && now.Before(i.EndAt):
			row.Label, row.At = "截止", i.EndAt
		}
	}
	row.Badge = saleBadge(i, d, now)
	return row
}

// sortSaleRows: open sales first by their next time, then closed ones newest first.
func sortSaleRows(rows []saleRow) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && saleRowBefore(rows[j], rows[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

func saleRowBefore(a, b saleRow) bool {
	if a.Closed != b.Closed {
		return !a.Closed
	}
	if a.Closed {
		return a.At.After(b.At)
	}
	if a.At.IsZero() != b.At.IsZero() {
		return !a.At.IsZero()
	}
	return a.At.Before(b.At)
}

// ---- one sale: the public live view and the console page

// kv is a labelled value of the announcement.
type kv struct{ Label, Value string }

// keyDate is a key time of the sale.
type keyDate struct {
	Label string
	At    time.Time
	ID    string // an anchor, for the announcement's schedule errors
}

// liveView is what the live panel shows and sale.js updates.
type liveView struct {
	Events    string // the stream
	Last      int64  // the state's last event: the stream resumes after it
	NowMS     int64
	Status    string
	Badge     template.HTML
	CDLabel   string // what the countdown counts to
	CDWord    string // 截止 or 开始
	BidsWord  string
	CDEndsMS  int64
	CDText    string
	CDShort   bool  // mm:ss (the timed bidding's countdown)
	Paused    bool  // frozen at RemainMS
	RemainMS  int64 // while paused
	EndsAt    time.Time
	Clock     string // server time, HH:MM:SS
	Order     string // bidder numbers by their latest offer, newest first (for the rank)
	Me        string // the viewer's bidder number
	Rank      int
	HasRank   bool
	ShowNext  bool
	Sealed    bool // nothing about sealed quotes before the close
	PriceWord string
}

type saleData struct {
	V        auction.View
	Badge    template.HTML
	Cat      string
	CatName  string
	Seller   string // 出让人/转让方
	Fields   []kv
	Decide   string
	Dates    []keyDate
	Offers   []auction.OfferLine // newest first
	Live     liveView
	Console  bool
	Reserve  bool // the reserve is revealed (after the end)
	Stage    string
	StageMsg string
	Action   string // the bid form's action: quote, bid or sealed
	Amount   string // the bid form's amount: the next valid one
	// The bidder.
	Bidder      bool
	Mine        *auction.Mine
	Won         bool
	CanRegister bool
	// The seller and the trading centre.
	Operator    bool
	Staff       bool
	IsSeller    bool
	CanAnnounce bool
	CanReserve  bool
	CanIncr     bool
	CanPause    bool
	CanResume   bool
	CanIdent    bool
	Due         string    // the due step the centre may run by hand, if any
	DueAt       time.Time // when it falls due (zero: not known here)
	DueLater    bool      // not yet due: the platform runs it then
	Regs        []regRow
	Identities  []auction.Identity
	IdentReason string
	Docs        saleDocs // the change and agreement forms (salesdocs.go)
	ReserveLead string
	JoinWindow  string
	Countdown   string
	IncrBasis   string
	StartWord   string
	CanExtend   bool   // the centre may extend a formal disclosure ending without a buyer (disclosure.go)
	ExtendMin   string // each extension's minimum
	RegisterBy  time.Time
	Sealed      *saleSealedData // a sealed-quote sale's sealing, custody and decryption (salessealed.go)
}

type regRow struct {
	R       auction.RegLine
	Form    string
	Badge   template.HTML
	Qualify bool // pending: the centre reviews
	Deposit bool // qualified without a deposit: the centre confirms it
}

func (s *server) salePage(w http.ResponseWriter, r *http.Request) {
	if !s.salesOn(w, r) {
		return
	}
	d, err := s.saleData(r, r.PathValue("id"), false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i := d.V.Sale
	p := s.newPage(r, clip(i.Title, 30), d.CatName, d)
	p.Nav = "sales-" + d.Cat
	p.Crumbs = []crumb{{"首页", "/"}, {d.CatName, "/sales?cat=" + d.Cat}, {i.Code, ""}}
	s.render(w, r, "sale", p)
}

func (s *server) consoleSale(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) || !s.salesOn(w, r) {
		return
	}
	s.renderConsoleSale(w, r, r.PathValue("id"), nil, nil, "")
}

func (s *server) renderConsoleSale(w http.ResponseWriter, r *http.Request, id ids.ID, fe *formErr, idents []auction.Identity, reason string) {
	d, err := s.saleData(r, id, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Identities, d.IdentReason = idents, reason
	i := d.V.Sale
	title := "交易 " + i.Code
	if d.Bidder {
		title = "竞价室 " + i.Code
	}
	p := s.consolePage(r, title, d, fe)
	p.Crumbs = []crumb{{"工作台", "/console"}, {"土地矿业权与产权交易", "/console/sales"}, {i.Code, ""}}
	s.render(w, r, "console_sale", p)
}

// saleData reads a sale as the actor sees it, with what the page offers
// the actor to do at server time.
func (s *server) saleData(r *http.Request, id ids.ID, console bool) (saleData, error) {
	ctx, a := r.Context(), s.actor(r)
	v, err := s.d.Auction.ViewSale(ctx, a, id)
	if err != nil {
		return saleData{}, err
	}
	i, st, now := v.Sale, v.State, v.Now
	d := saleData{V: v, Console: console, Seller: sellerWord(i.Kind), Decide: decisionText(i), Mine: v.Mine,
		Bidder: a.Role == party.RoleBidder, Operator: a.Role == party.RoleOperator, Staff: a.IsStaff(), IsSeller: v.IsSeller,
		Reserve: st.Status == auction.StatusClosed && v.HasReserve, ReserveLead: i.Params.ReserveLead.Describe(),
		JoinWindow: i.Params.JoinWindow.Describe(), Countdown: i.Params.Countdown.Describe(),
		IncrBasis: i.Params.IncrementMayChange.Basis, StartWord: startWord(i.Mode), RegisterBy: registerBy(i)}
	d.Cat, d.CatName = saleCatOf(i.Kind)
	d.Badge = saleBadge(i, st, now)
	d.Fields = saleFields(i)
	d.Dates = saleDates(v)
	for k := len(v.Offers) - 1; k >= 0; k-- {
		d.Offers = append(d.Offers, v.Offers[k])
	}
	d.Live = s.liveOf(v, d.Badge)
	if v.Confirmation != nil && v.Mine != nil && v.Mine.BidderNo != "" && v.Confirmation.WinnerNo == v.Mine.BidderNo {
		d.Won = true
	}
	if d.Bidder {
		d.stage(v)
	}
	open := i.Status == auction.StatusAnnounced || i.Status == auction.StatusListing
	d.CanAnnounce = v.CanManage && i.Status == auction.StatusDraft
	d.CanReserve = v.IsSeller && i.Mode != auction.ModeAgreement && (i.Status == auction.StatusDraft || open) && reserveOpen(i, now)
	d.CanIncr = d.Operator && i.Mode == auction.ModeListing && open && now.Before(i.EndAt) && i.Params.IncrementMayChange.On
	d.CanPause = d.Operator && st.Status == auction.StatusTimed && !st.Paused
	d.CanResume = d.Operator && st.Status == auction.StatusTimed && st.Paused
	d.CanIdent = a.Role == party.RoleOperator || a.Role == party.RoleSupervisor || a.Role == party.RoleAuditor
	if d.Operator {
		d.Due, d.DueAt = dueStep(i, st.Status), dueAt(v)
		d.DueLater = !d.DueAt.IsZero() && now.Before(d.DueAt)
		d.CanExtend, d.ExtendMin = s.canExtend(v), i.Params.DisclosureExtend.Describe()
	}
	for _, rl := range v.Registrations {
		row := regRow{R: rl, Form: "reg-" + string(rl.ID), Badge: regBadge(rl)}
		row.Qualify = d.Operator && rl.Status == auction.Pending && i.Status != auction.StatusClosed
		row.Deposit = d.Operator && rl.Status == auction.Qualified && rl.DepositAt.IsZero() && i.Status != auction.StatusClosed
		d.Regs = append(d.Regs, row)
	}
	if console {
		d.Sealed = s.sealedOf(ctx, a, &d)
	}
	d.Docs = docsOf(d)
	return d, nil
}

// canExtend reports whether the page offers the extension of a formal
// disclosure: a state-property sale still announced, in its formal
// disclosure, within a working day of its end, no buyer eligible
// (auction.ExtendDisclosure decides).
func (s *server) canExtend(v auction.View) bool {
	i, now := v.Sale, v.Now
	if i.Kind != auction.Property || i.Status != auction.StatusAnnounced || i.NoticeAt.IsZero() {
		return false
	}
	if ph := i.DisclosurePhases(); len(ph) == 0 || now.Before(ph[len(ph)-1].From) {
		return false
	}
	for _, r := range v.Registrations {
		if r.Status == auction.Qualified && !r.DepositAt.IsZero() {
			return false
		}
	}
	return s.d.Calendar.DaysBetween(now, i.StartAt, calendar.WorkingDays) <= 1
}

// reserveOpen reports whether the reserve may still be entered (the lead
// before the close, rules.CheckReserveEntry).
func reserveOpen(i auction.Info, now time.Time) bool {
	at := i.EndAt
	if i.Mode != auction.ModeListing && i.Mode != auction.ModeSealed {
		at = i.StartAt
	}
	return at.IsZero() || rules.CheckReserveEntry(i.Params, now, at) == nil
}

func regBadge(r auction.RegLine) template.HTML {
	switch {
	case r.Status == auction.Rejected:
		return badgeHTML(statusInfo{"资格审查未通过", "st-failed", "✕"})
	case r.Status == auction.Pending:
		return badgeHTML(statusInfo{"待资格审查", "st-soon", "▲"})
	case r.DepositAt.IsZero():
		return badgeHTML(statusInfo{"待确认保证金", "st-soon", "▲"})
	}
	return badgeHTML(statusInfo{"可以竞买", "st-done", "✓"})
}

// dueStep names the scheduled step the centre may run by hand at a state
// (the platform runs it on time; a step run early is refused).
func dueStep(i auction.Info, st auction.Status) string { return auction.DueStep(i.Mode, st) }

// dueAt is when the sale's due step falls due, zero where the view does not
// say (a decryption deadline).
func dueAt(v auction.View) time.Time {
	i, st := v.Sale, v.State
	switch st.Status {
	case auction.StatusTimed:
		return st.EndsAt
	case auction.StatusJoining:
		return v.JoinBy
	case auction.StatusAnnounced, auction.StatusListing:
		if i.Mode == auction.ModeListing || i.Mode == auction.ModeSealed {
			return i.EndAt
		}
		return i.StartAt
	}
	return time.Time{}
}

// stage decides what the bidder's room offers now.
func (d *saleData) stage(v auction.View) {
	i, st, now, m := v.Sale, v.State, v.Now, v.Mine
	open := (i.Status == auction.StatusAnnounced || i.Status == auction.StatusListing) && now.Before(registerBy(i))
	if m == nil {
		if open {
			d.Stage, d.CanRegister = "register", true
		} else if st.Status != auction.StatusClosed {
			d.StageMsg = "本宗交易的竞买申请已于 " + fmtTime(registerBy(i)) + "（北京时间）截止。"
		}
		return
	}
	if !m.Eligible {
		switch {
		case m.Status == auction.Pending:
			d.StageMsg = "竞买申请已提交，等待交易中心资格审查。"
		case m.Status == auction.Rejected:
			d.StageMsg = "资格审查未通过：" + firstNonEmpty(m.Reason, "详询交易中心") + "。"
		case !m.Deposit:
			d.StageMsg = "资格审查已通过。请按公告交纳竞买保证金 " + i.Deposit.String() + "，交易中心确认到账后发放竞买号牌，方可报价。"
		}
		return
	}
	switch {
	case st.Status == auction.StatusClosed:
	case i.Mode == auction.ModeListing && (st.Status == auction.StatusAnnounced || st.Status == auction.StatusListing):
		switch {
		case now.Before(i.StartAt):
			d.StageMsg = "挂牌将于 " + fmtTime(i.StartAt) + "（北京时间）开始，开始后方可报价。"
		case now.Before(i.EndAt):
			d.Stage, d.Action = "quote", "quote"
		default:
			d.StageMsg = "挂牌报价已截止，等待平台处理挂牌结果。"
		}
	case st.Status == auction.StatusJoining:
		switch {
		case m.Joined:
			d.StageMsg = "您已确认参加限时竞价，限时竞价将于 " + fmtTime(v.JoinBy) + "（北京时间）开始。"
		case m.Rank == 0:
			d.StageMsg = "挂牌期间未提交有效报价的竞买人不能参加限时竞价。"
		case now.Before(v.JoinBy):
			d.Stage = "join"
		default:
			d.StageMsg = "确认参加限时竞价的时间已过。"
		}
	case st.Status == auction.StatusTimed:
		switch {
		case st.Paused:
			d.StageMsg = "竞价因技术故障暂停，恢复后继续倒计时，方可出价。"
		case i.Mode == auction.ModeListing && !m.Joined:
			d.StageMsg = "您未确认参加限时竞价，不能出价。"
		case v.Left <= 0:
			d.StageMsg = "倒计时已结束，等待平台确认竞价结果。"
		default:
			d.Stage, d.Action = "bid", "bid"
		}
	case i.Mode == auction.ModeSealed && (st.Status == auction.StatusAnnounced || st.Status == auction.StatusListing):
		switch {
		case m.Sealed != nil:
			d.StageMsg = "您已于 " + fmtTime(m.Sealed.At) + "（北京时间）提交一次报价 " + m.Sealed.Amount.String() + "，报价期满后开启。"
		case now.Before(i.StartAt):
			d.StageMsg = "报价将于 " + fmtTime(i.StartAt) + "（北京时间）开始。"
		case now.Before(i.EndAt):
			d.Stage, d.Action = "sealed", "sealed"
		default:
			d.StageMsg = "报价期已满，等待开启。"
		}
	case st.Status == auction.StatusAnnounced:
		d.StageMsg = startWord(i.Mode) + "时间为 " + fmtTime(i.StartAt) + "（北京时间）。"
	}
	switch d.Action {
	case "quote", "bid":
		d.Amount = st.Next.Plain()
	case "sealed":
		d.Amount = i.StartPrice.Plain()
	}
}

// liveOf is the live panel's state at the view's server time.
func (s *server) liveOf(v auction.View, badge template.HTML) liveView {
	i, st, now := v.Sale, v.State, v.Now
	l := liveView{Events: salePath(i.ID) + "/events", Last: v.LastSeq, NowMS: now.UnixMilli(), Status: string(st.Status), Badge: badge,
		Clock: now.In(clock.Shanghai).Format("15:04:05"), ShowNext: st.Next > 0, Sealed: i.Mode == auction.ModeSealed && st.Status != auction.StatusClosed,
		PriceWord: "当前最高价", CDWord: "截止", BidsWord: "报价次数"}
	var target time.Time
	switch st.Status {
	case auction.StatusTimed:
		l.CDLabel, target, l.CDShort, l.BidsWord = "距竞价结束", st.EndsAt, true, "出价次数"
		if st.Paused {
			l.Paused, l.RemainMS = true, st.Remaining
		}
	case auction.StatusJoining:
		l.CDLabel, target = "距确认参加截止", v.JoinBy
	case auction.StatusAnnounced, auction.StatusListing:
		if now.Before(i.StartAt) {
			l.CDLabel, target, l.CDWord = "距"+startWord(i.Mode), i.StartAt, "开始于"
		} else if !i.EndAt.IsZero() {
			l.CDLabel, target = "距报价截止", i.EndAt
		}
	case auction.StatusClosed:
		l.PriceWord = "最终价"
		if st.Result == auction.Deal {
			l.PriceWord = "成交价"
		}
	}
	if st.Price == 0 || st.Bids == 0 && st.Leader == "" && st.Status != auction.StatusClosed {
		l.PriceWord = "起始价"
	}
	if l.Sealed {
		l.PriceWord = "挂牌价" // the quotes stay sealed until the opening
	}
	if !target.IsZero() {
		l.EndsAt, l.CDEndsMS = target, target.UnixMilli()
		left := target.Sub(now)
		if l.Paused {
			left = time.Duration(l.RemainMS) * time.Millisecond
		}
		if l.CDShort {
			l.CDText = clockText(left)
		} else {
			l.CDText = makeCountdown(now, target).Text
		}
	}
	// The rank: offers rise strictly, so bidders rank by their latest offer.
	seen := map[string]bool{}
	var order []string
	for k := len(v.Offers) - 1; k >= 0; k-- {
		if o := v.Offers[k]; o.Stage != auction.StageSealed && !seen[o.BidderNo] {
			seen[o.BidderNo] = true
			order = append(order, o.BidderNo)
		}
	}
	l.Order = strings.Join(order, ",")
	if m := v.Mine; m != nil && m.BidderNo != "" {
		l.Me, l.Rank, l.HasRank = m.BidderNo, m.Rank, !l.Sealed
	}
	return l
}

// clockText is a short countdown: mm:ss, or h:mm:ss from an hour.
func clockText(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	sec := int64(math.Ceil(d.Seconds()))
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec%3600/60, sec%60)
	}
	return fmt.Sprintf("%02d:%02d", sec/60, sec%60)
}

// RankText is the bidder's rank in words.
func (l liveView) RankText() string {
	switch {
	case l.Rank == 1:
		return "第 1 名（领先）"
	case l.Rank > 1:
		return fmt.Sprintf("第 %d 名", l.Rank)
	}
	return "尚未报价"
}

// saleFields is the announcement's data on the object of the sale.
func saleFields(i auction.Info) []kv {
	d := i.Data
	var out []kv
	add := func(label, value string) {
		if strings.TrimSpace(value) != "" {
			out = append(out, kv{label, value})
		}
	}
	add("标的类别", i.Kind.Label())
	add("交易方式", i.Mode.Label())
	add(sellerWord(i.Kind), i.SellerName)
	add("坐落", d.Location)
	if d.AreaM2 > 0 {
		add("面积", area(d.AreaM2))
	}
	if d.Use != "" {
		add("土地用途", landUseName(d.Use))
	}
	if d.TermYears > 0 {
		add("出让年期", strconv.Itoa(d.TermYears)+" 年")
	}
	add("规划指标", d.PlotRatio)
	add("矿种", d.Mineral)
	add("转让标的", d.Asset)
	if d.Valuation > 0 {
		add("评估值（核准或备案）", d.Valuation.String())
	}
	add(map[bool]string{true: "转让条件", false: "出让条件"}[i.Kind == auction.Property], d.Conditions)
	return append(out, salePeriods(i)...)
}

// salePeriods are the announced periods with their statutory minimum
// (RULES.md §4, §5; checked on the holiday calendar when announced).
func salePeriods(i auction.Info) []kv {
	if i.NoticeAt.IsZero() || i.StartAt.IsZero() {
		return nil
	}
	p := i.Params
	var out []kv
	notice, word := p.LandNotice, "公告期"
	switch {
	case i.Kind == auction.Mining:
		notice = p.MiningNotice
	case i.Kind == auction.Property:
		notice, word = p.Disclosure, "信息披露期"
	}
	min := "不少于" + notice.Describe()
	if i.Mode == auction.ModeAuction {
		min += "，拍卖公告不少于" + p.AuctionNotice.Describe()
	}
	if phases := i.DisclosurePhases(); len(phases) > 1 { // a pre-disclosure, then the formal disclosure
		out = append(out, disclosureRows(i, phases)...)
	} else {
		out = append(out, kv{word, fmtTime(i.NoticeAt) + " 至 " + fmtTime(i.StartAt) + "（" + min + "）"})
	}
	if v := viewingRow(i); v.Value != "" {
		out = append(out, v)
	}
	if i.Mode == auction.ModeListing && !i.EndAt.IsZero() {
		listing := p.ListingPeriod
		if i.Kind == auction.Mining {
			listing = p.MiningListing
		}
		out = append(out, kv{"挂牌期", fmtTime(i.StartAt) + " 至 " + fmtTime(i.EndAt) + "（不少于" + listing.Describe() + "）"})
	}
	if i.Mode == auction.ModeSealed && !i.EndAt.IsZero() {
		out = append(out, kv{"报价期", fmtTime(i.StartAt) + " 至 " + fmtTime(i.EndAt)})
	}
	return out
}

// viewingRow is an auction's viewing period (展示) as announced (AL 48).
func viewingRow(i auction.Info) kv {
	if i.Mode != auction.ModeAuction || i.Data.ViewFrom == "" {
		return kv{}
	}
	return kv{"展示时间", i.Data.ViewFrom + " 至 " + i.Data.ViewTo + "（不少于" + i.Params.AuctionViewing.Describe() + "，拍卖日前结束；" + rules.BasisAL48 + "）"}
}

// disclosureRows are a state-property sale's disclosure phases with their
// minima (RULES.md §5).
func disclosureRows(i auction.Info, phases []auction.DisclosurePhase) []kv {
	var out []kv
	for n, ph := range phases {
		min := i.Params.Disclosure
		if n == 0 {
			min = i.Params.PreDisclosure
		}
		note := "不少于" + min.Describe()
		if n == 0 && !i.Data.ControlTransfer {
			note = "自愿预披露"
		}
		out = append(out, kv{ph.Label, fmtTime(ph.From) + " 至 " + fmtTime(ph.To) + "（" + note + "）"})
	}
	if i.Data.ControlTransfer && i.Data.ApprovedOn != "" {
		out = append(out, kv{"转让行为批准日期", i.Data.ApprovedOn + "（转让导致实际控制权转移，获批后" + i.Params.PreDisclosureStart.Describe() + "内预披露）"})
	}
	return out
}

// saleDates are the key times of a sale.
func saleDates(v auction.View) []keyDate {
	i := v.Sale
	out := []keyDate{}
	if !i.NoticeAt.IsZero() {
		out = append(out, keyDate{Label: "公告发布", At: i.NoticeAt})
	}
	out = append(out, keyDate{Label: startWord(i.Mode), At: i.StartAt, ID: "start_at"})
	if !i.EndAt.IsZero() {
		w := "挂牌截止"
		if i.Mode == auction.ModeSealed {
			w = "报价截止"
		}
		out = append(out, keyDate{Label: w, At: i.EndAt, ID: "end_at"})
	}
	if i.Mode != auction.ModeAgreement {
		out = append(out, keyDate{Label: "竞买申请截止", At: registerBy(i)})
	}
	if !v.JoinBy.IsZero() {
		out = append(out, keyDate{Label: "确认参加限时竞价截止", At: v.JoinBy})
	}
	if !v.ClosedAt.IsZero() {
		out = append(out, keyDate{Label: "结束（结果确定）", At: v.ClosedAt})
	}
	return out
}

// ---- console: the list and the creation form

type consoleSalesData struct {
	Rows      []consoleSaleRow
	CanCreate bool
	Operator  bool
	Bidder    bool
	Open      []saleRow // a bidder's: registration open, not registered
	Form      saleForm
	Uses      []struct {
		Use  rules.LandUse
		Name string
	}
	Kinds []auction.Kind
	Modes []auction.Mode
}

type consoleSaleRow struct {
	saleRow
	Mine    *auction.Mine
	Pending int // registrations to review
	Deposit int // deposits to confirm
}

// saleForm is the creation form's defaults: the earliest lawful start of a
// land listing announced now and its earliest close (RULES.md §4).
type saleForm struct {
	StartAt, EndAt time.Time
	Notice         string
	Listing        string
}

func (s *server) consoleSales(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) || !s.salesOn(w, r) {
		return
	}
	s.consoleSalesPage(w, r, nil)
}

func (s *server) consoleSalesPage(w http.ResponseWriter, r *http.Request, fe *formErr) {
	ctx, a := r.Context(), s.actor(r)
	now := s.d.Clock.Now()
	d := consoleSalesData{Operator: a.Role == party.RoleOperator, Bidder: a.Role == party.RoleBidder, Uses: landUses,
		CanCreate: a.Role == party.RoleOperator || a.Role == party.RolePrincipal && a.EntityID != "",
		Kinds:     []auction.Kind{auction.Land, auction.Mining, auction.Property},
		Modes:     []auction.Mode{auction.ModeListing, auction.ModeAuction, auction.ModeAscending, auction.ModeSealed, auction.ModeAgreement}}
	f := auction.SaleFilter{Limit: 200}
	if a.Role == party.RolePrincipal && a.EntityID != "" {
		f.SellerID = a.EntityID
	} else if !a.IsStaff() {
		f.Public = true
	}
	infos, err := s.d.Auction.ListSales(ctx, a, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, i := range infos {
		row := consoleSaleRow{saleRow: saleRowOf(i, now)}
		if d.Bidder || d.Operator {
			v, err := s.d.Auction.ViewSale(ctx, a, i.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			row.Mine = v.Mine
			for _, rl := range v.Registrations {
				switch {
				case rl.Status == auction.Pending:
					row.Pending++
				case rl.Status == auction.Qualified && rl.DepositAt.IsZero():
					row.Deposit++
				}
			}
			if d.Bidder && v.Mine == nil {
				if i.Status == auction.StatusAnnounced || i.Status == auction.StatusListing {
					if now.Before(registerBy(i)) {
						d.Open = append(d.Open, row.saleRow)
					}
				}
				continue
			}
		}
		d.Rows = append(d.Rows, row)
	}
	if d.CanCreate {
		d.Form = s.saleFormDefaults(now)
	}
	p := s.consolePage(r, "土地矿业权与产权交易", d, fe)
	p.Crumbs = []crumb{{"工作台", "/console"}, {"土地矿业权与产权交易", ""}}
	s.render(w, r, "console_sales", p)
}

func (s *server) saleFormDefaults(now time.Time) saleForm {
	p := s.d.Auction.Params()
	f := saleForm{Notice: p.LandNotice.Describe() + "（" + p.LandNotice.Basis + "）", Listing: p.ListingPeriod.Describe()}
	day := func(from time.Time, per rules.Period) time.Time {
		d, _ := s.d.Calendar.PeriodEnd(from, per.Value, calendar.Unit(per.Unit))
		return d
	}
	at := func(d time.Time, h int) time.Time {
		x := d.In(clock.Shanghai)
		return time.Date(x.Year(), x.Month(), x.Day(), h, 0, 0, 0, clock.Shanghai).UTC()
	}
	f.StartAt = at(day(now, p.LandNotice), 9)
	f.EndAt = at(day(f.StartAt, p.ListingPeriod), 15)
	return f
}

// parseSale reads the creation form; the parse errors go into f.
func parseSale(v url.Values, f map[string]string) auction.SaleInput {
	tr := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	in := auction.SaleInput{Kind: auction.Kind(tr("kind")), Mode: auction.Mode(tr("mode")), Title: tr("title"), SellerUSCC: strings.ToUpper(tr("seller")),
		Eligibility: tr("eligibility")}
	in.Data = auction.Data{Location: tr("location"), Use: rules.LandUse(tr("use")), PlotRatio: tr("plot_ratio"), Mineral: tr("mineral"),
		Asset: tr("asset"), Conditions: tr("conditions"), Decision: tr("decision"),
		ViewFrom: tr("view_from"), ViewTo: tr("view_to"), ControlTransfer: tr("control_transfer") != "", ApprovedOn: tr("approved_on"), DisclosureFrom: tr("disclosure_from")}
	if a := strings.NewReplacer(",", "", "，", "").Replace(tr("area_m2")); a != "" {
		x, err := strconv.ParseFloat(a, 64)
		if err != nil || x <= 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			f["area_m2"] = "面积应为大于零的数字（平方米），最多两位小数。"
		} else {
			in.Data.AreaM2 = math.Round(x*100) / 100
		}
	}
	if t := tr("term_years"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			f["term_years"] = "请填写整数年数。"
		}
		in.Data.TermYears = n
	}
	in.Data.Valuation = moneyField(v, "valuation", false, f)
	in.Deposit = moneyField(v, "deposit", true, f)
	in.StartPrice = moneyField(v, "start_price", true, f)
	in.Increment = moneyField(v, "increment", false, f)
	if tr("start_at") != "" {
		in.StartAt = timeField(v, "start_at", f)
	}
	if tr("end_at") != "" {
		in.EndAt = timeField(v, "end_at", f)
	}
	// What does not belong to the kind is not announced.
	switch in.Kind {
	case auction.Land:
		in.Data.Mineral, in.Data.Asset, in.Data.Valuation = "", "", 0
		in.Data.ControlTransfer, in.Data.ApprovedOn, in.Data.DisclosureFrom = false, "", ""
	case auction.Mining:
		in.Data.Use, in.Data.Asset, in.Data.Valuation = "", "", 0
		in.Data.ControlTransfer, in.Data.ApprovedOn, in.Data.DisclosureFrom = false, "", ""
	case auction.Property:
		in.Data.Use, in.Data.Mineral, in.Data.TermYears, in.Data.PlotRatio = "", "", 0, ""
	}
	if in.Mode != "" && in.Mode != auction.ModeAuction {
		in.Data.ViewFrom, in.Data.ViewTo = "", "" // only an auction has a viewing
	}
	return in
}

// saleErr is a domain error with its fields named as the forms name them.
func saleErr(err error, f map[string]string, msg string) *apperr.Error {
	e := mergeFields(err, f, msg)
	if m, ok := e.Fields["term"]; ok {
		delete(e.Fields, "term")
		e.Fields["term_years"] = m
	}
	return e
}

func (s *server) createSale(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) || !s.salesOn(w, r) {
		return
	}
	v := r.PostForm
	f := map[string]string{}
	in := parseSale(v, f)
	a := s.actor(r)
	if a.Role != party.RoleOperator && a.Role != party.RolePrincipal {
		s.fail(w, r, apperr.Forbiddenf("交易由出让人（转让方）或交易中心登记。"))
		return
	}
	if len(f) > 0 {
		s.consoleSalesPage(w, r, &formErr{Form: "sale", Err: saleErr(nil, f, "交易公告信息有误，请按提示修改。"), Vals: v})
		return
	}
	sale, err := s.d.Auction.CreateSale(r.Context(), a, in)
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Forbidden && len(e.Fields) == 0 {
			s.fail(w, r, e)
			return
		}
		s.consoleSalesPage(w, r, &formErr{Form: "sale", Err: saleErr(err, nil, ""), Vals: v})
		return
	}
	s.redirect(w, r, saleConsolePath(sale.ID), "交易已登记为草稿，编号 "+sale.Code+"。请核对后发布公告；出让人（转让方）可在截止前录入底价。")
}

// ---- console: one sale's forms

// saleAction runs one use case of a sale from its console page.
func (s *server) saleAction(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) || !s.salesOn(w, r) {
		return
	}
	ctx, a := r.Context(), s.actor(r)
	id, action := r.PathValue("id"), r.PathValue("action")
	v := r.PostForm
	back := saleConsolePath(id)
	failed := func(form string, err error) { s.saleFailed(w, r, id, form, err, v) }
	amount := func(form, field string) (money.Fen, bool) {
		f := map[string]string{}
		m := moneyField(v, field, true, f)
		if len(f) > 0 {
			failed(form, mergeFields(nil, f, "金额有误，请按提示修改。"))
			return 0, false
		}
		return m, true
	}
	svc := s.d.Auction
	switch action {
	case "announce":
		sale, err := svc.Announce(ctx, a, id)
		if err != nil {
			failed("announce", err)
			return
		}
		s.redirect(w, r, back, "交易公告已发布（"+sale.Code+"）。"+startWord(sale.Mode)+"时间 "+clock.Format(sale.StartAt)+"（北京时间）。")
	case "reserve":
		m, ok := amount("reserve", "reserve")
		if !ok {
			return
		}
		if err := svc.SetReserve(ctx, a, id, m); err != nil {
			failed("reserve", err)
			return
		}
		s.redirect(w, r, back, "底价已录入并在平台留痕承诺：金额对任何人保密，交易结束时公开，可用 ggzy verify 核对。")
	case "register":
		if _, err := svc.Register(ctx, a, id); err != nil {
			failed("register", err)
			return
		}
		s.redirect(w, r, back, "竞买申请已提交，等待交易中心资格审查；审查通过并确认保证金到账后发放竞买号牌。")
	case "qualify", "deposit":
		reg := v.Get("reg")
		if !s.saleHasReg(ctx, a, id, reg) {
			s.fail(w, r, apperr.NotFoundf("竞买申请"))
			return
		}
		form := "reg-" + reg
		if action == "qualify" {
			approve := v.Get("decision") != "reject"
			if _, err := svc.Qualify(ctx, a, reg, approve, v.Get("reason")); err != nil {
				failed(form, err)
				return
			}
			msg := "资格审查已通过，待确认保证金。"
			if !approve {
				msg = "资格审查未通过，理由已记录并告知申请人。"
			}
			s.redirect(w, r, back, msg)
			return
		}
		rg, err := svc.ConfirmDeposit(ctx, a, reg, v.Get("ref"))
		if err != nil {
			failed(form, err)
			return
		}
		s.redirect(w, r, back, "保证金已确认，已随机发放竞买号牌 "+rg.BidderNo+"。")
	case "increment":
		m, ok := amount("increment", "increment")
		if !ok {
			return
		}
		sale, err := svc.ChangeIncrement(ctx, a, id, m, v.Get("reason"))
		if err != nil {
			failed("increment", err)
			return
		}
		s.redirect(w, r, back, "增价幅度已调整为 "+sale.Increment.String()+"，调整决定及理由已公开留痕。")
	case "pause":
		if _, err := svc.Pause(ctx, a, id, v.Get("reason")); err != nil {
			failed("pause", err)
			return
		}
		s.redirect(w, r, back, "竞价已因技术故障暂停，倒计时停止；暂停决定及理由已公开留痕。")
	case "resume":
		sale, err := svc.Unpause(ctx, a, id, v.Get("reason"))
		if err != nil {
			failed("resume", err)
			return
		}
		end := ""
		if sale.Timed != nil {
			end = "，倒计时至 " + clock.Format(sale.Timed.EndsAt) + "（北京时间）"
		}
		s.redirect(w, r, back, "竞价已恢复"+end+"。")
	case "identities":
		list, err := svc.Identities(ctx, a, id, v.Get("reason"))
		if err != nil {
			failed("identities", err)
			return
		}
		s.renderConsoleSale(w, r, id, nil, list, strings.TrimSpace(v.Get("reason")))
	case "quote":
		m, ok := amount("quote", "amount")
		if !ok {
			return
		}
		rc, err := svc.Quote(ctx, a, id, m)
		if err != nil {
			failed("quote", err)
			return
		}
		s.redirect(w, r, back, "报价已接受："+rc.Amount.String()+"（号牌 "+rc.BidderNo+"，"+clock.Format(rc.At)+" 北京时间）。下一个有效报价为 "+rc.Next.String()+"。")
	case "join":
		if err := svc.Join(ctx, a, id); err != nil {
			failed("join", err)
			return
		}
		s.redirect(w, r, back, "已确认参加限时竞价。")
	case "bid":
		m, ok := amount("bid", "amount")
		if !ok {
			return
		}
		rc, err := svc.Bid(ctx, a, id, m)
		if err != nil {
			failed("bid", err)
			return
		}
		s.redirect(w, r, back, "出价已接受："+rc.Amount.String()+"（号牌 "+rc.BidderNo+"）。倒计时重新开始，至 "+rc.EndsAt.In(clock.Shanghai).Format("15:04:05")+"（北京时间）。")
	case "sealed": // salessealed.go
		s.submitSealedQuote(w, r, id, v, failed)
	case "custody": // salessealed.go
		s.setSaleCustody(w, r, id, v, failed)
	case "decrypt-extend": // salessealed.go
		s.extendSaleDecryption(w, r, id, v, failed)
	case "change": // salesdocs.go
		s.changeAnnouncement(w, r, id)
	case "agree": // salesdocs.go
		s.agreeSale(w, r, id)
	case "extend":
		n, err := strconv.Atoi(strings.TrimSpace(v.Get("days")))
		if err != nil {
			failed("extend", mergeFields(nil, map[string]string{"days": "请填写延长的工作日数（整数）。"}, "延长信息披露的信息有误。"))
			return
		}
		sale, err := svc.ExtendDisclosure(ctx, a, id, n, v.Get("reason"))
		if err != nil {
			failed("extend", err)
			return
		}
		s.redirect(w, r, back, "信息披露已延长至 "+clock.Format(sale.StartAt)+"（北京时间），延长决定和理由已公开留痕。")
	case "close":
		msg, err := s.runDueStep(ctx, a, id)
		if err != nil {
			failed("close", err)
			return
		}
		s.redirect(w, r, back, msg)
	default:
		s.fail(w, r, apperr.New(apperr.NotFound, "交易没有这个操作。"))
	}
}

// saleHasReg reports whether reg is a registration of the sale, as the
// actor's view lists them.
func (s *server) saleHasReg(ctx context.Context, a party.Actor, id, reg ids.ID) bool {
	v, err := s.d.Auction.ViewSale(ctx, a, id)
	if err != nil {
		return a.Role != party.RoleOperator // the use case refuses the others with its own reason
	}
	if a.Role != party.RoleOperator {
		return true
	}
	for _, r := range v.Registrations {
		if r.ID == reg {
			return true
		}
	}
	return false
}

// runDueStep runs, for the trading centre, the scheduled step of the sale
// that is due (auction.Service.RunDueStep: audited; for a delayed worker).
func (s *server) runDueStep(ctx context.Context, a party.Actor, id ids.ID) (string, error) {
	step, err := s.d.Auction.RunDueStep(ctx, a, id)
	if err != nil {
		return "", err
	}
	after, err := s.d.Auction.ViewSale(ctx, a, id)
	if err != nil {
		return "", err
	}
	return "已执行：" + step + "（已记录执行人）。当前状态：" + saleStatusInfo(after.State.Status, after.State.Paused, after.State.Result).Text + "。", nil
}

// saleFailed shows the sale's console page again with the form's error;
// refusals that are not about the form get the error page.
func (s *server) saleFailed(w http.ResponseWriter, r *http.Request, id ids.ID, form string, err error, vals url.Values) {
	e := apperr.As(err)
	switch e.Code {
	case apperr.Forbidden, apperr.NotFound, apperr.Unauthorized, apperr.Internal:
		s.fail(w, r, e)
		return
	}
	if _, verr := s.d.Auction.ViewSale(r.Context(), s.actor(r), id); verr != nil {
		s.fail(w, r, e)
		return
	}
	s.renderConsoleSale(w, r, id, &formErr{Form: form, Err: e, Vals: vals}, nil, "")
}
