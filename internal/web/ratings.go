package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ggzy/internal/apperr"
	"ggzy/internal/expert"
	"ggzy/internal/ids"
	"ggzy/internal/party"
	"ggzy/internal/tender"
)

// The assessment of the experts' conduct (issue 4 §4): the agency of a lot
// and supervisors rate each expert of its committee once the report exists
// (tender.Service.RateExpert), on the lot's console page; staff read an
// expert's 履职记录 (tender.Service.ExpertRecord) on the expert's page.

// scoreOption is one choice of the rating form.
type scoreOption struct {
	N     int
	Label string
}

// scoreOptions lists the scores best first, as the form offers them.
func scoreOptions() []scoreOption {
	out := make([]scoreOption, 0, 5)
	for n := 5; n >= 1; n-- {
		out = append(out, scoreOption{N: n, Label: expert.ScoreLabel(n)})
	}
	return out
}

// ratingRow is one rating as the pages show it.
type ratingRow struct {
	R     expert.Rating
	Role  string // the rater's role
	Score string // 良好（4分）
	Mine  bool   // the viewer's own
	// Secret: the lot is not named, its committee being secret to the
	// viewer (a supervisor before the award, TBL 37).
	Secret bool
}

func ratingRowOf(x expert.Rating, me ids.ID) ratingRow {
	return ratingRow{R: x, Role: party.Role(x.ByRole).Label(), Score: scoreText(x.Score), Mine: me != "" && x.ByUser == me}
}

func scoreText(n int) string { return expert.ScoreLabel(n) + "（" + strconv.Itoa(n) + "分）" }

// rateSeat is one expert seat of the committee on the rating card. The
// form names the seat, never the expert: a rater who may not know the
// committee (a supervisor before the award) gets no expert numbers either.
type rateSeat struct {
	Seat   int    // 1-based, committee order (as the report numbers seats)
	Label  string // the expert's name where ViewLot shows it, else 第N席
	Named  bool
	Form   string // the form's key: rate-<seat>
	Mine   *ratingRow
	Others []ratingRow // the other raters' ratings on this lot (staff)
}

// ratePanel is the card 评标专家表现评价 on a lot's console page.
type ratePanel struct {
	Seats []rateSeat
	// Known: the rater's earlier ratings are read back (tender.LotRatings).
	Known bool
	// Waiting: the seats cannot be told apart yet (the agency before the
	// award: ViewLot gives it no committee, TBL 37).
	Waiting bool
	Scores  []scoreOption
}

// rateMembers is the committee as the rater may see it: ViewLot's
// committee (named), or the room's members for a supervisor before the
// award (by seat only); nil when the rater cannot tell the seats apart.
func (s *server) rateMembers(ctx context.Context, v tender.LotView, room *tender.RoomView, a party.Actor) (members []tender.Member, named bool) {
	if len(v.Committee) > 0 {
		return v.Committee, true
	}
	if room == nil && a.Role == party.RoleSupervisor {
		if rv, err := s.d.Tender.ViewRoom(ctx, a, v.Lot.ID); err == nil {
			room = &rv
		}
	}
	if room != nil {
		return room.Members, false
	}
	return nil, false
}

// mayRate: the lot's agency and supervisors (tender.Service.RateExpert).
func mayRate(a party.Actor, v tender.LotView) bool {
	switch a.Role {
	case party.RoleSupervisor:
		return true
	case party.RoleAgency:
		return a.EntityID != "" && a.EntityID == v.Project.AgencyID
	}
	return false
}

// ratePanelFor builds the rating card for a rater once the report exists;
// nil for everyone else. The experts are those of ViewLot's committee
// (named) or, for a supervisor before the award, of the room it watches
// (by seat only).
func (s *server) ratePanelFor(ctx context.Context, v tender.LotView, room *tender.RoomView, a party.Actor) (*ratePanel, error) {
	if v.Lot.ReportAt.IsZero() || !mayRate(a, v) {
		return nil, nil
	}
	d := &ratePanel{Known: true, Scores: scoreOptions()}
	// One read of the lot's ratings: the rater's own (agency), all (staff).
	rated, err := s.d.Tender.LotRatings(ctx, a, v.Lot.ID)
	if err != nil {
		return nil, err
	}
	members, named := s.rateMembers(ctx, v, room, a)
	if len(members) == 0 {
		d.Waiting = true
		if v.Report != nil {
			for _, sh := range v.Report.Sheets {
				if sh.Kind == string(tender.MemberExpert) {
					d.Seats = append(d.Seats, rateSeat{Seat: sh.Seat, Label: fmt.Sprintf("第%d席", sh.Seat)})
				}
			}
		}
		return d, nil
	}
	for i, m := range members {
		if m.Kind != tender.MemberExpert || m.ExpertID == "" {
			continue
		}
		seat := rateSeat{Seat: i + 1, Label: fmt.Sprintf("第%d席", i+1), Form: "rate-" + strconv.Itoa(i+1)}
		if named && m.Name != "" {
			seat.Label, seat.Named = m.Name, true
		}
		if d.Known {
			for _, x := range rated {
				if x.ExpertID != m.ExpertID {
					continue
				}
				row := ratingRowOf(x, a.UserID)
				if row.Mine {
					seat.Mine = &row
				} else {
					seat.Others = append(seat.Others, row)
				}
			}
		}
		d.Seats = append(d.Seats, seat)
	}
	return d, nil
}

// rateExpert is the rating form's submission (lotAction "rate"): the form
// names a seat, resolved here against the committee the rater may see;
// refused forms come back on the lot page with the message inline, at the
// form of that seat.
func (s *server) rateExpert(w http.ResponseWriter, r *http.Request, id ids.ID, v url.Values) {
	ctx, a := r.Context(), s.actor(r)
	lv, err := s.d.Tender.ViewLot(ctx, a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The domain checks the form before the rater; here whoever may not
	// rate learns that first, whatever the form holds.
	if !mayRate(a, lv) {
		s.fail(w, r, apperr.Forbiddenf("评标专家的表现由本项目的招标代理机构或行政监督部门评价。"))
		return
	}
	seat, err := strconv.Atoi(strings.TrimSpace(v.Get("seat")))
	if err != nil || seat < 1 {
		s.fail(w, r, apperr.New(apperr.Invalid, "未指明要评价的席位。请回到标段页面，在该专家的评价表中提交。"))
		return
	}
	form := "rate-" + strconv.Itoa(seat)
	failed := func(e *apperr.Error) {
		s.lotPage(w, r, id, &formErr{Form: form, Err: e, Vals: v})
	}
	if lv.Lot.ReportAt.IsZero() {
		failed(apperr.New(apperr.Conflict, "评标结束后才能评价专家表现。评标报告形成后，本标段页面将显示评价表。"))
		return
	}
	members, named := s.rateMembers(ctx, lv, nil, a)
	if len(members) == 0 {
		failed(apperr.Rule(apperr.Conflict, "《招标投标法》第三十七条", "评标委员会成员名单在定标前保密，本页暂不能区分各席位的专家。定标后请回到本页逐名评价。"))
		return
	}
	if seat > len(members) || members[seat-1].Kind != tender.MemberExpert || members[seat-1].ExpertID == "" {
		s.fail(w, r, apperr.NotFoundf(fmt.Sprintf("本标段评标委员会的第%d席评标专家", seat)))
		return
	}
	m := members[seat-1]
	score := 0
	switch sv := strings.TrimSpace(v.Get("score")); {
	case sv == "":
		failed(mergeFields(nil, map[string]string{"score": "请选择评价等级（优秀、良好、合格、较差或差）。"}, "评价未提交：请选择评价等级。"))
		return
	default:
		n, err := strconv.Atoi(sv)
		if err != nil || n < 1 || n > 5 {
			failed(mergeFields(nil, map[string]string{"score": "评价等级应为1至5分。"}, "评价未提交：评价等级无效。"))
			return
		}
		score = n
	}
	if err := s.d.Tender.RateExpert(ctx, a, id, m.ExpertID, score, v.Get("comment")); err != nil {
		e := apperr.As(err)
		switch e.Code {
		case apperr.Invalid:
			failed(e)
		case apperr.Conflict:
			if strings.Contains(e.Message, "已评价过") {
				e = &apperr.Error{Code: e.Code, Message: e.Message + "每位评价人对本标段的每名专家只评价一次，已记录的评价不能修改或重复提交。", Fields: e.Fields, Basis: e.Basis}
			}
			failed(e)
		default:
			s.fail(w, r, e)
		}
		return
	}
	who := fmt.Sprintf("第%d席专家", seat)
	if named && m.Name != "" {
		who = m.Name
	}
	s.redirect(w, r, "/console/lots/"+id+"#ratings", "已评价"+who+"："+scoreText(score)+"。评价已记入专家履职记录并公开留痕（公开部分不含评价说明）；每名专家在本标段只能评价一次。")
}

// ---- 履职记录 on the expert's page (staff)

type expertRecord struct {
	Stats expert.Stats
	Mean  string      // the mean score to two decimals, "" without ratings
	Rows  []ratingRow // newest first
}

func (s *server) expertRecordOf(ctx context.Context, a party.Actor, id ids.ID) (*expertRecord, error) {
	st, rs, err := s.d.Tender.ExpertRecord(ctx, a, id)
	if err != nil {
		return nil, err
	}
	d := &expertRecord{Stats: st}
	if st.Ratings > 0 {
		d.Mean = strconv.FormatFloat(st.MeanRating, 'f', 2, 64)
	}
	// The centre that drew the committees and the auditors know them all;
	// anyone else learns a lot's committee when ViewLot shows it.
	knows := a.Role == party.RoleOperator || a.Role == party.RoleAuditor
	shown := map[ids.ID]bool{}
	for _, x := range slices.Backward(rs) {
		row := ratingRowOf(x, a.UserID)
		if !knows {
			ok, seen := shown[x.LotID]
			if !seen {
				v, err := s.d.Tender.ViewLot(ctx, a, x.LotID)
				ok = err == nil && len(v.Committee) > 0
				shown[x.LotID] = ok
			}
			row.Secret = !ok
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}
