package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/pdf"
	"ggzy/internal/tender"
)

// The evaluation room (评标室, issue 4 §3): one page per lot for the
// committee's members, read-only for the trading centre's staff and the
// supervisors. Members score and sign in the browser (the sheet's digest is
// signed with the member's own SM2 key by the platform's WebAssembly); the
// centre starts the evaluation, records failures and replaces members; the
// page follows the room live (server-sent events, roomlive.go).

// roomPath is the room page of a lot.
func roomPath(lotID ids.ID) string { return "/console/lots/" + string(lotID) + "/room" }

// seatRow is one seat of the committee and its progress.
type seatRow struct {
	No    int
	M     tender.Member
	Label string // the member's name, or 第N席 for viewers who may not know it
	Done  bool
	At    time.Time
	Me    bool
}

// otherSheet is another member's submitted sheet, read-only.
type otherSheet struct {
	Seat string
	At   time.Time
	Rows []otherLine
}

type otherLine struct {
	Bid    string
	Pass   bool
	Reason string
	Scores []string // in the order of roomData.Scoring
	Adj    string
}

// devRow is a deviating score (评分偏离).
type devRow struct {
	D     tender.Deviation
	Seat  string
	Bid   string
	Item  string
	Form  string // the explanation form's name
	Mine  bool
	Score string
	Mean  string
	Pct   string
}

type roomData struct {
	V        tender.RoomView
	L        tender.LotView
	Version  int64
	NowMS    int64
	EndsMS   int64
	Seats    []seatRow
	Done     int // sheets in
	Names    bool
	Member   bool
	Operator bool
	ReadOnly bool
	Decide   bool // the principal's representative decides after a failure
	CanScore bool
	CanVote  bool
	Scoring  []tender.ScoreItem // the subjective items
	Price    *tender.ScoreItem
	Formula  string
	Bidders  map[ids.ID]string
	Rows     []sheetRow
	Criteria []tender.Criterion // the compliance review's items (TBR 51)
	Others   []otherSheet
	Devs     []devRow
	Open     int // my deviations still to explain
	// Votes.
	MyChair     string
	ChairVotes  int
	ExtendVotes int
	ExtendMine  bool
	Replaceable []seatRow // the expert seats the centre may replace
	// Signing.
	HasKey   bool // a valid sign key is registered
	KeysBack string
	Report   bool
}

// Finished reports whether the evaluation is over.
func (d roomData) Finished() bool { return d.V.Room.Status == tender.RoomFinished }

// Failed reports whether the form shows criterion c of a row as failed
// (the posted form on an error, else the member's sheet).
func (d roomData) Failed(p *page, r sheetRow, c string) bool {
	def := ""
	if _, ok := r.Fails[c]; ok {
		def = "1"
	}
	return p.V("sheet", "fail_"+string(r.Bid.ID)+"_"+c, def) != ""
}

// Why is a failed criterion's reason as the form shows it.
func (d roomData) Why(p *page, r sheetRow, c string) string {
	return p.V("sheet", "why_"+string(r.Bid.ID)+"_"+c, r.Fails[c])
}

func (s *server) roomPage(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	s.renderRoom(w, r, r.PathValue("id"), nil)
}

func (s *server) renderRoom(w http.ResponseWriter, r *http.Request, id ids.ID, fe *formErr) {
	d, err := s.roomData(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := d.V.Lot
	p := s.consolePage(r, "评标室 "+l.Code, d, fe)
	p.Crumbs = []crumb{{"工作台", "/console"}, {"标段 " + l.Code, "/console/lots/" + l.ID}, {"评标室", ""}}
	s.render(w, r, "room", p)
}

// roomData reads the room as the actor sees it. The version is read first:
// a change after it is announced to the page's event stream, so the page
// never claims a state it does not show.
func (s *server) roomData(r *http.Request, id ids.ID) (roomData, error) {
	ctx, a := r.Context(), s.actor(r)
	ver, err := s.d.Tender.RoomVersion(ctx, a, id)
	if err != nil {
		return roomData{}, err
	}
	v, err := s.d.Tender.ViewRoom(ctx, a, id)
	if err != nil {
		return roomData{}, err
	}
	lv, err := s.d.Tender.ViewLot(ctx, a, id)
	if err != nil {
		return roomData{}, err
	}
	now := s.d.Clock.Now()
	room := v.Room
	d := roomData{V: v, L: lv, Version: ver, NowMS: now.UnixMilli(), Names: a.Role != party.RoleSupervisor,
		Member: v.Me != nil, Operator: a.Role == party.RoleOperator, ReadOnly: v.ReadOnly, Bidders: map[ids.ID]string{},
		Report: lv.Report != nil, KeysBack: url.QueryEscape(roomPath(id))}
	if !room.EndsAt.IsZero() {
		d.EndsMS = room.EndsAt.UnixMilli()
	}
	if lv.Opening != nil {
		for _, row := range lv.Opening.Rows {
			d.Bidders[row.BidID] = row.EntityName
		}
	}
	for _, it := range v.Lot.Scoring {
		if it.Price {
			it := it
			d.Price = &it
			d.Formula = pdf.FormulaLabel(it.PriceRule(v.Lot.CategoryCode).Formula)
		} else {
			d.Scoring = append(d.Scoring, it)
		}
	}
	seat := map[ids.ID]string{}
	for i, m := range v.Members {
		row := seatRow{No: i + 1, M: m, Label: fmt.Sprintf("第%d席", i+1), Me: v.Me != nil && v.Me.ID == m.ID}
		if d.Names {
			row.Label = m.Name
		}
		row.At, row.Done = v.Submitted[m.ID]
		if row.Done {
			d.Done++
		}
		seat[m.ID] = row.Label
		d.Seats = append(d.Seats, row)
		if m.Kind == tender.MemberExpert {
			d.Replaceable = append(d.Replaceable, row)
		}
	}
	active := room.Status == tender.RoomRunning || room.Status == tender.RoomExplaining
	d.CanScore = d.Member && active && v.Lot.Status == tender.Evaluating
	d.CanVote = d.CanScore
	if d.Member {
		d.Rows = sheetRows(lv.Bids, d.Bidders, v.MySheet)
		d.Criteria = v.Lot.Criteria()
		if a.Role == party.RolePrincipal && lv.CanManage && room.Status == tender.RoomDecision {
			d.Decide = true
		}
	}
	for _, vt := range v.Votes {
		switch {
		case vt.Kind == tender.VoteChair:
			d.ChairVotes++
			if v.Me != nil && vt.Voter == v.Me.ID {
				d.MyChair = vt.Value
			}
		case vt.Kind == tender.VoteExtend && vt.Round == room.Extensions:
			d.ExtendVotes++
			if v.Me != nil && vt.Voter == v.Me.ID {
				d.ExtendMine = true
			}
		}
	}
	for _, sh := range v.Sheets {
		o := otherSheet{Seat: seat[sh.MemberID], At: sh.SubmittedAt}
		for _, ln := range sortedLines(sh.Lines, lv.Bids) {
			ol := otherLine{Bid: bidderOr(d.Bidders, ln.BidID), Pass: ln.Pass, Reason: ln.Reason}
			for _, it := range d.Scoring {
				if sc, ok := ln.Scores[it.Key]; ok && ln.Pass {
					ol.Scores = append(ol.Scores, points(sc))
				} else {
					ol.Scores = append(ol.Scores, "—")
				}
			}
			if ln.Adjustment != 0 {
				ol.Adj = ln.Adjustment.String()
			}
			o.Rows = append(o.Rows, ol)
		}
		d.Others = append(d.Others, o)
	}
	items := map[string]string{}
	for _, it := range v.Lot.Scoring {
		items[it.Key] = it.Name
	}
	for _, dv := range v.Deviations {
		row := devRow{D: dv, Seat: seat[dv.MemberID], Bid: bidderOr(d.Bidders, dv.BidID), Item: items[dv.Item],
			Form: devForm(dv.BidID, dv.Item), Mine: v.Me != nil && dv.MemberID == v.Me.ID,
			Score: points(dv.Score), Mean: points(dv.Mean), Pct: points(dv.Pct)}
		if row.Item == "" {
			row.Item = dv.Item
		}
		if row.Mine && dv.Explanation == "" {
			d.Open++
		}
		d.Devs = append(d.Devs, row)
	}
	if d.CanScore {
		ks, err := s.signKeys(ctx, a)
		if err != nil {
			return roomData{}, err
		}
		for _, k := range ks {
			d.HasKey = d.HasKey || k.ValidAt(now)
		}
	}
	return d, nil
}

// devForm names the explanation form of one deviation.
func devForm(bidID ids.ID, item string) string { return "dev-" + string(bidID) + "-" + item }

func bidderOr(names map[ids.ID]string, bidID ids.ID) string {
	if n := names[bidID]; n != "" {
		return n
	}
	return "投标 " + string(bidID)
}

// sortedLines orders a sheet's lines as the bids are listed.
func sortedLines(lines []tender.SheetLine, bids []tender.Bid) []tender.SheetLine {
	pos := map[ids.ID]int{}
	for i, b := range bids {
		pos[b.ID] = i + 1
	}
	out := make([]tender.SheetLine, 0, len(lines))
	for i := 1; i <= len(bids); i++ {
		for _, ln := range lines {
			if pos[ln.BidID] == i {
				out = append(out, ln)
			}
		}
	}
	for _, ln := range lines {
		if pos[ln.BidID] == 0 {
			out = append(out, ln)
		}
	}
	return out
}

// sheetRows are the score form's rows: each opened bid with the member's
// current sheet, if any.
func sheetRows(bids []tender.Bid, names map[ids.ID]string, mine *tender.ScoreSheet) []sheetRow {
	have := map[ids.ID]tender.SheetLine{}
	if mine != nil {
		for _, ln := range mine.Lines {
			have[ln.BidID] = ln
		}
	}
	var rows []sheetRow
	for _, b := range bids {
		row := sheetRow{Bid: b, Name: names[b.ID], Pass: true, Scores: map[string]string{}, Fails: map[string]string{}}
		if ln, ok := have[b.ID]; ok {
			row.Pass, row.Reason = ln.Pass, ln.Reason
			for _, c := range ln.Checks {
				if !c.Pass {
					row.Fails[c.Criterion] = c.Reason
				}
			}
			for k, sc := range ln.Scores {
				row.Scores[k] = points(sc)
			}
			if ln.Adjustment != 0 {
				row.Adj = ln.Adjustment.Plain()
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// parseSheet reads the score form: per opened bid and compliance criterion
// fail_<bid>_<criterion> (present: not met) with its reason why_<bid>_<criterion>
// — every criterion is recorded, met or not (TBR 51); on a comprehensive lot, for a passing
// bid, score_<bid>_<item> for each subjective item (points, at most two
// decimals, as ×100 integers); on a lowest-price lot adj_<bid> (yuan, may be
// negative). The digest the member signs is tender.SheetDigest of exactly
// these lines.
func parseSheet(l tender.Lot, bids []tender.Bid, v url.Values) ([]tender.SheetLine, map[string]string) {
	f := map[string]string{}
	var lines []tender.SheetLine
	for _, b := range bids {
		ln := tender.SheetLine{BidID: b.ID, Pass: true}
		for _, c := range l.Criteria() {
			ch := tender.Check{Criterion: c.Key, Pass: v.Get("fail_"+b.ID+"_"+c.Key) == ""}
			if !ch.Pass {
				ch.Reason, ln.Pass = strings.TrimSpace(v.Get("why_"+b.ID+"_"+c.Key)), false
			}
			ln.Checks = append(ln.Checks, ch)
		}
		if l.Method == tender.Comprehensive && ln.Pass {
			ln.Scores = map[string]int64{}
			for _, it := range l.Scoring {
				if it.Price {
					continue
				}
				sc, ok := parsePoints(v.Get("score_" + b.ID + "_" + it.Key))
				if !ok {
					f[b.ID+"."+it.Key] = "请填写“" + it.Name + "”得分（0–" + points(it.Max) + " 分），最多两位小数。"
					continue
				}
				ln.Scores[it.Key] = sc
			}
		}
		if l.Method == tender.LowestPrice && strings.TrimSpace(v.Get("adj_"+b.ID)) != "" {
			adj, err := money.Parse(v.Get("adj_" + b.ID))
			if err != nil {
				f[b.ID+".adjustment"] = "价格调整应为以元为单位的数字，可为负数。"
			}
			ln.Adjustment = adj
		}
		lines = append(lines, ln)
	}
	return lines, f
}

// roomDigest answers the page's script with the digest of the sheet in the
// posted form, which the member then signs in the browser.
func (s *server) roomDigest(w http.ResponseWriter, r *http.Request) {
	if !s.requireLoginJSON(w, r) {
		return
	}
	ctx, a, id := r.Context(), s.actor(r), r.PathValue("id")
	lv, err := s.d.Tender.ViewLot(ctx, a, id)
	if err != nil {
		failJSON(w, r, s, err)
		return
	}
	lines, f := parseSheet(lv.Lot, lv.Bids, r.PostForm)
	if len(f) > 0 {
		failJSON(w, r, s, mergeFields(nil, f, "评分表有误，请按提示修改。"))
		return
	}
	d, err := s.d.Tender.SheetDigestFor(ctx, a, id, lines)
	if err != nil {
		failJSON(w, r, s, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"digest": d})
}

// roomEvents streams the room's changes (server-sent events) to those who
// may view it: the members, the centre, supervisors and auditors.
func (s *server) roomEvents(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if state(r).sess == nil {
		// After logging in the visitor goes to the room's page, not its stream.
		page := r.Clone(r.Context())
		page.URL.Path, page.URL.RawQuery = roomPath(id), ""
		s.fail(w, page, apperr.New(apperr.Unauthorized, "请先登录后再查看评标室。"))
		return
	}
	v, err := s.d.Tender.RoomVersion(r.Context(), s.actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.live.seed(id, v)
	done := s.live.watch(id)
	defer done()
	s.live.handler.ServeHTTP(w, r)
}

// roomAction runs one use case of the room from its page.
func (s *server) roomAction(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), s.actor(r)
	id, action := r.PathValue("id"), r.PathValue("action")
	v := r.PostForm
	back := roomPath(id)
	failed := func(form string, err error) { s.roomFailed(w, r, id, form, err, v) }
	switch action {
	case "sheet":
		lv, err := s.d.Tender.ViewLot(ctx, a, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		lines, f := parseSheet(lv.Lot, lv.Bids, v)
		if len(f) > 0 {
			failed("sheet", mergeFields(nil, f, "评分表有误，请按提示修改。"))
			return
		}
		sig := tender.SheetSignature{Fingerprint: strings.TrimSpace(v.Get("sig_fingerprint")), Signature: strings.TrimSpace(v.Get("signature"))}
		sh, err := s.d.Tender.SubmitScoreSheet(ctx, a, id, lines, sig)
		if err != nil {
			failed("sheet", err)
			return
		}
		s.redirect(w, r, back, "评审意见已签名提交（"+clock.Format(sh.SubmittedAt)+" 北京时间，摘要 "+sh.Digest[:16]+"…）。评标结束前可以修改。")
	case "explain":
		bid, item := v.Get("bid"), v.Get("item")
		if err := s.d.Tender.ExplainDeviation(ctx, a, id, bid, item, v.Get("explanation")); err != nil {
			failed(devForm(bid, item), err)
			return
		}
		s.redirect(w, r, back, "评分偏离的书面说明已提交。")
	case "chair":
		room, err := s.d.Tender.Vote(ctx, a, id, tender.VoteChair, v.Get("chair"))
		if err != nil {
			failed("chair", err)
			return
		}
		msg := "已投票推选主任委员。"
		if room.Chair != "" {
			msg = "已投票，主任委员已按多数选出。"
		}
		s.redirect(w, r, back, msg)
	case "insufficient":
		before, _ := s.d.Tender.ViewRoom(ctx, a, id)
		room, err := s.d.Tender.Vote(ctx, a, id, tender.VoteExtend, "1")
		if err != nil {
			failed("insufficient", err)
			return
		}
		msg := "已表示评标时间不够。超过三分之一的成员认为评标时间不够的，评标时间将延长（《招标投标法实施条例》第四十八条）。"
		if room.Extensions > before.Room.Extensions {
			msg = "超过三分之一的成员认为评标时间不够，评标时间已延长至 " + clock.Format(room.EndsAt) + "（北京时间）。"
		}
		s.redirect(w, r, back, msg)
	case "start":
		room, err := s.d.Tender.StartEvaluation(ctx, a, id)
		if err != nil {
			failed("start", err)
			return
		}
		s.redirect(w, r, back, "评标已开始，计划结束时间 "+clock.Format(room.EndsAt)+"（北京时间）。")
	case "failure":
		room, err := s.d.Tender.DeclareFailure(ctx, a, id, v.Get("failure"))
		if err != nil {
			failed("failure", err)
			return
		}
		s.redirect(w, r, back, "故障已登记，评标暂停；须在 "+clock.Format(room.ResumeBy)+"（北京时间）前恢复，逾期按远程异地评标规则处理。")
	case "resume":
		room, err := s.d.Tender.Resume(ctx, a, id)
		if err != nil {
			failed("resume", err)
			return
		}
		msg := "评标已恢复。"
		if !room.EndsAt.IsZero() {
			msg = "评标已恢复，故障时间已顺延，计划结束时间 " + clock.Format(room.EndsAt) + "（北京时间）。"
		}
		s.redirect(w, r, back, msg)
	case "replace":
		if err := s.d.Tender.ReplaceMember(ctx, a, id, v.Get("member"), v.Get("reason")); err != nil {
			failed("replace", err)
			return
		}
		s.redirect(w, r, back, "已将该成员调离评标委员会，其评审意见作废（《招标投标法实施条例》第四十八条）。请在标段页面补充抽取专家。")
	case "decide":
		proceed := v.Get("proceed")
		if proceed != "1" && proceed != "0" {
			failed("decide", apperr.New(apperr.Invalid, "请选择继续评标或重新组建评标委员会。").WithField("proceed", "请选择"))
			return
		}
		if _, err := s.d.Tender.DecideAfterFailure(ctx, a, id, proceed == "1", v.Get("reason")); err != nil {
			failed("decide", err)
			return
		}
		to := back
		if _, err := s.d.Tender.ViewRoom(ctx, a, id); err != nil {
			to = "/console/lots/" + id
		}
		if proceed == "1" {
			s.redirect(w, r, to, "已决定继续评标，评标室恢复为待开始评标，由交易中心宣布开始。")
		} else {
			s.redirect(w, r, "/console/lots/"+id, "已决定重新组建评标委员会，已有评审材料作废；请交易中心重新抽取专家。")
		}
	default:
		s.fail(w, r, apperr.New(apperr.NotFound, "评标室没有这个操作。"))
	}
}

// roomFailed shows the room again with the form's error; refusals that are
// not about the form (not a member, no such room) get the error page. The
// tenderer deciding after a failure, who does not see the room, gets the
// lot page.
func (s *server) roomFailed(w http.ResponseWriter, r *http.Request, id ids.ID, form string, err error, vals url.Values) {
	e := apperr.As(err)
	switch e.Code {
	case apperr.Forbidden, apperr.NotFound, apperr.Unauthorized, apperr.Internal:
		s.fail(w, r, e)
		return
	}
	fe := &formErr{Form: form, Err: e, Vals: vals}
	if _, verr := s.d.Tender.ViewRoom(r.Context(), s.actor(r), id); verr != nil {
		if form == "decide" {
			s.lotPage(w, r, id, fe)
			return
		}
		s.fail(w, r, e)
		return
	}
	s.renderRoom(w, r, id, fe)
}

// decisionPending reads from the lot's public record whether a pre-start
// failure outlasted its wait and the tenderer has not yet decided (the
// tenderer does not see the room itself).
func decisionPending(tl []ledger.Entry) bool {
	pending := false
	for _, e := range tl {
		switch e.Type {
		case "evaluation.failure_timeout":
			pending = true
		case "evaluation.principal_decided", "evaluation.reconstituted", "evaluation.started", "evaluation.resumed", "evaluation.interrupted":
			pending = false
		}
	}
	return pending
}
