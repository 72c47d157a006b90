package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/apperr"
	arules "ggzy/internal/auction/rules"
	"ggzy/internal/clock"
	"ggzy/internal/draw"
	"ggzy/internal/httpx"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/rules"
	"ggzy/internal/tender"
)

func isManagerRole(a party.Actor) bool {
	return a.Role == party.RolePrincipal || a.Role == party.RoleAgency
}

// ---- console home

type projGroup struct {
	Project tender.Project
	Lots    []*tender.LotView
}

type statusGroup struct {
	Label string
	Lots  []*tender.LotView
}

type warnRow struct {
	W       tender.Warning
	LotCode string
	LotName string
	LotID   ids.ID
	Project ids.ID
}

type consoleData struct {
	Role      party.Role
	Groups    []projGroup
	Lots      []*tender.LotView
	ByStatus  []statusGroup
	Warnings  []warnRow
	Depts     []string
	Todo      []string
	Staff     bool
	ReadOnly  bool
	Keys      bool // 我的密钥
	Custodian bool // 开标解密
	Pool      bool // 专家库 (staff)
	Expert    bool // 抽取通知, 我的专家档案
	Recommend bool // 推荐专家入库 (an employer)
	Pending   int  // invitations waiting for the expert's answer
	Sales     bool // 土地矿业权与产权交易
}

func (s *server) console(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	s.consoleHome(w, r, nil)
}

func (s *server) consoleHome(w http.ResponseWriter, r *http.Request, fe *formErr) {
	ctx, a := r.Context(), s.actor(r)
	lots, err := s.d.Tender.ConsoleLots(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	observer := a.Role == party.RoleObserver // 社会监督员: everything staff sees of the lots, read-only, no warnings
	d := consoleData{Role: a.Role, Depts: tender.Departments, Staff: a.IsStaff() || observer,
		ReadOnly: a.Role == party.RoleSupervisor || a.Role == party.RoleAuditor || a.Role == party.RoleAdmin || observer}
	byID := map[ids.ID]*tender.LotView{}
	groupIdx := map[ids.ID]int{}
	for _, l := range lots {
		v, err := s.d.Tender.ViewLot(ctx, a, l.ID)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		vp := &v
		byID[l.ID] = vp
		d.Lots = append(d.Lots, vp)
		i, ok := groupIdx[v.Project.ID]
		if !ok {
			i = len(d.Groups)
			groupIdx[v.Project.ID] = i
			d.Groups = append(d.Groups, projGroup{Project: v.Project})
		}
		d.Groups[i].Lots = append(d.Groups[i].Lots, vp)
		if isManagerRole(a) {
			for _, wn := range v.Warnings {
				d.Warnings = append(d.Warnings, warnRow{W: wn, LotCode: l.Code, LotName: l.Name, LotID: l.ID, Project: l.ProjectID})
			}
		}
	}
	if isManagerRole(a) {
		// Projects registered but without lots yet still belong on the manager's desk.
		projects, err := s.d.Tender.ManagedProjects(ctx, a)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, p := range projects {
			if _, ok := groupIdx[p.ID]; !ok {
				groupIdx[p.ID] = len(d.Groups)
				d.Groups = append(d.Groups, projGroup{Project: p})
			}
		}
	}
	now := s.d.Clock.Now()
	switch {
	case d.Staff:
		order := []tender.Status{tender.Bidding, tender.Decrypting, tender.Evaluating, tender.Publicity, tender.Awarded, tender.Contracted, tender.Failed, tender.Draft}
		for _, st := range order {
			g := statusGroup{Label: st.Label()}
			for _, v := range d.Lots {
				if v.Lot.Status == st {
					g.Lots = append(g.Lots, v)
				}
			}
			if len(g.Lots) > 0 {
				d.ByStatus = append(d.ByStatus, g)
			}
		}
		var ws []tender.Warning
		if !observer {
			ws, err = s.d.Tender.Warnings(ctx, a)
			if err != nil {
				s.fail(w, r, err)
				return
			}
		}
		for _, wn := range ws {
			row := warnRow{W: wn, LotID: wn.LotID}
			if v := byID[wn.LotID]; v != nil {
				row.LotCode, row.LotName, row.Project = v.Lot.Code, v.Lot.Name, v.Project.ID
			}
			d.Warnings = append(d.Warnings, row)
		}
		if a.Role == party.RoleOperator {
			for _, v := range d.Lots {
				if v.Lot.Status == tender.Evaluating && len(v.Committee) == 0 {
					todo, err := s.drawTodo(ctx, a, v.Lot)
					if err != nil {
						s.fail(w, r, err)
						return
					}
					d.Todo = append(d.Todo, v.Lot.Code+" "+v.Lot.Name+"："+todo)
				}
			}
		}
	case a.Role == party.RoleBidder:
		sealed := false
		for _, v := range d.Lots {
			if v.Lot.Status == tender.Bidding && now.Before(v.Lot.BidDeadline) && v.MyAccess && (v.MyBid == nil || v.MyBid.Status == tender.BidWithdrawn) {
				d.Todo = append(d.Todo, v.Lot.Code+" "+v.Lot.Name+"：已获取招标文件，尚未递交投标文件（截止 "+clock.Format(v.Lot.BidDeadline)+"）")
				sealed = sealed || v.Lot.Custody != nil
			}
		}
		if sealed && !s.hasValidKey(ctx, a) {
			d.Todo = append(d.Todo, "本单位尚未登记有效的投标签名公钥：递交加密投标文件前，请在“我的密钥”中生成并登记")
		}
	case isManagerRole(a):
		for _, v := range d.Lots {
			for _, o := range v.Objections {
				if o.AnsweredAt.IsZero() {
					d.Todo = append(d.Todo, v.Lot.Code+" "+v.Lot.Name+"：有待答复的异议（应于 "+clock.Format(o.DueAt)+" 前答复）")
				}
			}
			if v.Lot.Status == tender.Publicity && !now.Before(v.Lot.PublicityUntil) {
				d.Todo = append(d.Todo, v.Lot.Code+" "+v.Lot.Name+"：公示期已满，可以定标")
			}
			if v.Lot.Status == tender.Awarded {
				d.Todo = append(d.Todo, v.Lot.Code+" "+v.Lot.Name+"：已发中标通知书，请登记书面合同")
			}
		}
	case a.Role == party.RoleExpert:
		d.Expert = true
		inv, err := s.invitationsData(ctx, a)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Pending = inv.Pending
		for _, row := range inv.Rows {
			if row.Open {
				d.Todo = append(d.Todo, "抽取通知："+row.Lot.Code+" "+row.Lot.Name+" 请在 "+clock.Format(row.I.Deadline)+"（北京时间）前确认是否参加评标")
			}
		}
	}
	for _, v := range d.Lots {
		// Experts and the principal's representatives on a committee.
		if v.IsMember && v.Lot.Status == tender.Evaluating && v.MySheet == nil {
			d.Todo = append(d.Todo, v.Lot.Code+" "+v.Lot.Name+"：请进入评标室评审并签名提交评审意见")
		}
	}
	if party.CanHoldCustody(a.Role) {
		d.Custodian = true
		// Every lot the user holds a share of, whichever agency runs it.
		held, err := s.d.Tender.CustodyLots(ctx, a)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, l := range held {
			if l.Status != tender.Decrypting {
				continue
			}
			done, err := s.d.Tender.CustodiansDone(ctx, l.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if c := custodyOf(l, done, a); c.Mine != nil && !c.Mine.Done {
				d.Todo = append(d.Todo, l.Code+" "+l.Name+"：已开标，请在“开标解密”中用本人私钥解密份额（时限 "+clock.Format(l.DecryptBy)+"）")
			}
		}
		// And every sale whose sealed quotes the user holds a share of.
		sales, err := s.custodySaleRows(ctx, a)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, row := range sales {
			if row.Waiting() {
				d.Todo = append(d.Todo, row.Sale.Code+" "+row.Sale.Title+"：报价已截止，请在“开标解密”中用本人私钥解密一次报价的份额（时限 "+clock.Format(row.Custody.Custody.DecryptBy)+"）")
			}
		}
	}
	if _, ok := keyPurposeOf(a); ok {
		d.Keys = true
	}
	d.Pool = a.IsStaff() && s.d.Expert != nil
	d.Sales = s.d.Auction != nil && (a.IsStaff() || a.Role == party.RoleBidder || a.Role == party.RolePrincipal)
	d.Recommend = (a.Role == party.RoleBidder || isManagerRole(a)) && a.EntityID != "" && s.d.Expert != nil
	sortWarnings(d.Warnings)
	p := s.consolePage(r, "工作台", d, fe)
	p.Section = a.Role.Label()
	s.render(w, r, "console", p)
}

// consolePage is a console page (工作台) showing fe, if any, with its status.
func (s *server) consolePage(r *http.Request, title string, data any, fe *formErr) *page {
	p := s.newPage(r, title, "工作台", data)
	p.Nav = "console"
	p.Form = fe
	if fe != nil && fe.Err != nil {
		p.Status = httpx.Status(fe.Err.Code)
	}
	return p
}

// ---- principal / agency: projects and lots

func (s *server) createProject(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	v := r.PostForm
	in := tender.ProjectInput{Name: v.Get("name"), PrincipalUSCC: v.Get("principal_uscc"), AgencyUSCC: v.Get("agency_uscc"),
		StateFunded: v.Get("state_funded") == "1", Funding: v.Get("funding"), SupervisorDept: v.Get("supervisor_dept"), Description: v.Get("description"),
		Category: tender.Category(v.Get("category"))}
	p, err := s.d.Tender.CreateProject(r.Context(), s.actor(r), in)
	if err != nil {
		s.consoleHome(w, r, &formErr{Form: "project", Err: apperr.As(err), Vals: v})
		return
	}
	s.redirect(w, r, "/console/projects/"+p.ID, "项目已登记，编号 "+p.Code+"。请继续设置标段。")
}

type consoleProjectData struct {
	PV          tender.ProjectView
	SecurityCap string
	SecBasis    string
	CommitteeM  int64
	Land        bool // a land sale by tender: the lot form asks for the plot
	Uses        []landUseOpt
}

func (s *server) consoleProject(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	s.consoleProjectPage(w, r, r.PathValue("id"), nil)
}

func (s *server) consoleProjectPage(w http.ResponseWriter, r *http.Request, id ids.ID, fe *formErr) {
	a := s.actor(r)
	pv, err := s.d.Tender.ViewProject(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	set := s.d.Tender.Rules()
	d := consoleProjectData{PV: pv, SecurityCap: set.Get(rules.SecurityCap).Describe(), SecBasis: set.Get(rules.SecurityCap).Basis, CommitteeM: set.Get(rules.CommitteeMin).Value,
		Land: pv.Project.Category == tender.LandUse}
	if d.Land {
		for _, u := range landUses {
			d.Uses = append(d.Uses, landUseOpt(u))
		}
	}
	p := s.consolePage(r, clip(pv.Project.Name, 30), d, fe)
	p.Crumbs = []crumb{{"工作台", "/console"}, {"项目 " + pv.Project.Code, ""}}
	s.render(w, r, "console_project", p)
}

func (s *server) addLot(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	v := r.PostForm
	pid := r.PathValue("id")
	// The project's category decides which form was shown: a land project's
	// lots carry the plot and its start price instead of estimate and ceiling.
	pv, err := s.d.Tender.ViewProject(r.Context(), s.actor(r), pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	land := pv.Project.Category == tender.LandUse
	f := map[string]string{}
	in := tender.LotInput{Name: v.Get("name"), Procedure: tender.Procedure(v.Get("procedure")), Method: tender.Method(v.Get("method")),
		CategoryCode: strings.ToUpper(strings.TrimSpace(v.Get("category_code"))), AllowAlternatives: v.Get("allow_alternatives") == "1"}
	if in.Method == tender.Comprehensive {
		in.Scoring = tender.DefaultScoring()
		if land {
			in.Scoring = tender.DefaultLandScoring()
		}
	}
	if land {
		in.Land = parsePlot(v, f)
		in.Estimate = in.Land.StartPrice
	} else {
		in.Estimate = moneyField(v, "estimate", true, f)
		in.Ceiling = moneyField(v, "ceiling", false, f)
	}
	in.Security = moneyField(v, "security", false, f)
	in.CommitteeSize = intField(v, "committee_size", f)
	in.PrincipalReps = intField(v, "principal_reps", f)
	if err := s.d.Tender.ValidateLot(in); err != nil || len(f) > 0 {
		e := mergeFields(err, f, "标段信息有误，请按提示修改。")
		if land {
			delete(e.Fields, "estimate") // the start price is the estimate; its own field says why
		}
		s.consoleProjectPage(w, r, pid, &formErr{Form: "lot", Err: e, Vals: v})
		return
	}
	l, err := s.d.Tender.AddLot(r.Context(), s.actor(r), pid, in)
	if err != nil {
		s.consoleProjectPage(w, r, pid, &formErr{Form: "lot", Err: apperr.As(err), Vals: v})
		return
	}
	s.redirect(w, r, "/console/lots/"+l.ID, "标段 "+l.Code+" 已设立。请上传招标文件并发布招标公告。")
}

// parsePlot reads a land lot's plot and start price from the lot form; the
// parse errors go into f under the domain's field names.
func parsePlot(v url.Values, f map[string]string) *tender.Land {
	tr := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	d := &tender.Land{Location: tr("location"), Use: arules.LandUse(tr("use")), PlotRatio: tr("plot_ratio"), Conditions: tr("conditions")}
	if a := strings.NewReplacer(",", "", "，", "").Replace(tr("area_m2")); a != "" {
		x, err := strconv.ParseFloat(a, 64)
		if err != nil || x <= 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			f["area_m2"] = "面积应为大于零的数字（平方米），最多两位小数。"
		} else {
			d.AreaM2 = math.Round(x*100) / 100
		}
	}
	if t := tr("term_years"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			f["term_years"] = "请填写整数年数。"
		}
		d.TermYears = n
	}
	d.StartPrice = moneyField(v, "start_price", true, f)
	return d
}

// ---- one lot

type sheetRow struct {
	Bid    tender.Bid
	Name   string
	Pass   bool
	Reason string
	Fails  map[string]string // failed compliance criteria → reason
	Scores map[string]string
	Adj    string
}

type lotData struct {
	V            tender.LotView
	A            party.Actor
	Names        map[ids.ID]string
	Candidates   []tender.ReportRow
	MyContent    *tender.BidContent
	PubDocsFrom  time.Time
	PubDeadline  time.Time
	BeforeDL     bool
	CanBid       bool
	Bidder       bool
	Manager      bool
	Operator     bool
	ReadOnly     bool
	Timeline     []ledger.Entry
	Pending      []tender.Objection
	CanDocObject bool
	CanPubObject bool
	PublicityEnd bool
	NeedDeposit  bool
	DocObjLead   string
	MinInvitees  int64
	// Sealed bids (DESIGN.md §6.2).
	Custody        *custodyView
	Seal           *sealForm // the bidder's sealing form, on a lot with custody
	Custodians     []candidateRow
	ListCandidates bool // the custody form offers Custodians as a list (else usernames)
	CanExtend      bool
	ExtendUntil    time.Time
	// The expert draw (issue 4): staff see every attempt, the centre asks.
	Draw *drawPanel
	// The evaluation room, for those who may enter it (members, the centre,
	// supervisors and auditors); the tenderer decides after a long failure.
	Room   *tender.RoomView
	Decide bool
	// 评标专家表现评价: the lot's agency and supervisors, after the report.
	Ratings *ratePanel
	// A land sale by tender: the seller's side enters the reserve before the
	// deadline (never shown back); the notice period is the land one.
	CanReserve      bool
	ReserveBasis    string
	LandNotice      string
	LandNoticeBasis string
}

func (s *server) consoleLot(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	s.lotPage(w, r, r.PathValue("id"), nil)
}

func (s *server) lotPage(w http.ResponseWriter, r *http.Request, id ids.ID, fe *formErr) {
	ctx, a := r.Context(), s.actor(r)
	v, err := s.d.Tender.ViewLot(ctx, a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.d.Clock.Now()
	set := s.d.Tender.Rules()
	d := lotData{V: v, A: a, Names: map[ids.ID]string{}, Bidder: a.Role == party.RoleBidder, Manager: v.CanManage, Operator: a.Role == party.RoleOperator,
		ReadOnly:   a.Role == party.RoleSupervisor || a.Role == party.RoleAuditor || a.Role == party.RoleAdmin,
		DocObjLead: set.Get(rules.DocObjectionLead).Describe(), MinInvitees: set.Get(rules.InviteesMin).Value}
	d.BeforeDL = v.Lot.Status == tender.Bidding && now.Before(v.Lot.BidDeadline)
	d.CanBid = d.BeforeDL && !v.Lot.Suspended && v.Invited
	d.PublicityEnd = v.Lot.Status == tender.Publicity && !now.Before(v.Lot.PublicityUntil)
	if v.Opening != nil {
		for _, row := range v.Opening.Rows {
			d.Names[row.BidID] = row.EntityName
		}
	}
	if v.Report != nil {
		d.Candidates = v.Report.Candidates
	} else {
		for _, n := range v.Notices {
			if n.Kind == tender.NoticeCandidates {
				d.Candidates, _, _ = candidatesOf(n)
			}
		}
	}
	if v.MyBid != nil && v.MyBid.Format == tender.PlainFormat && v.MyBid.Status != tender.BidWithdrawn {
		if c, err := (tender.PlainOpener{}).Open(ctx, v.Lot, *v.MyBid); err == nil {
			d.MyContent = &c
		}
	}
	if v.CanManage && v.Lot.Status == tender.Draft {
		d.PubDocsFrom = now.Truncate(time.Minute)
		d.PubDeadline = s.d.Tender.EarliestDeadline(now, 9, 30)
		if v.Lot.IsLand() {
			d.PubDeadline = s.d.Tender.EarliestLandDeadline(now, 9, 30)
			p := arules.DefaultParams().LandNotice
			d.LandNotice, d.LandNoticeBasis = p.Describe(), p.Basis
		}
	}
	d.CanReserve = v.CanManage && v.Lot.IsLand() && (v.Lot.Status == tender.Draft || d.BeforeDL)
	d.ReserveBasis = tender.BasisLandReserve
	d.NeedDeposit = v.Lot.Security > 0 && v.MyDeposit == nil
	d.CanDocObject = d.Bidder && d.BeforeDL && v.MyAccess
	d.CanPubObject = d.Bidder && v.Lot.Status == tender.Publicity && now.Before(v.Lot.PublicityUntil) && v.MyBid != nil
	for _, o := range v.Objections {
		if o.AnsweredAt.IsZero() && v.CanManage {
			d.Pending = append(d.Pending, o)
		}
	}
	if v.Opening != nil && (v.IsMember || a.Role == party.RoleOperator || a.Role == party.RoleSupervisor || a.Role == party.RoleAuditor) {
		if rv, err := s.d.Tender.ViewRoom(ctx, a, id); err == nil {
			d.Room = &rv
		}
	}
	if d.Timeline, err = s.d.Tender.Timeline(ctx, v.Lot.Code); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Ratings, err = s.ratePanelFor(ctx, v, d.Room, a); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Decide = a.Role == party.RolePrincipal && v.CanManage && v.Lot.Status == tender.Evaluating && decisionPending(d.Timeline)
	d.Custody = custodyOf(v.Lot, v.CustodiansDone, a)
	if d.Custody != nil && d.Bidder && d.CanBid {
		d.Seal = s.sealFormFor(ctx, a, v.Lot)
	}
	if v.CanManage && v.Lot.Status == tender.Draft {
		var vals url.Values
		if fe != nil && fe.Form == "custody" {
			vals = fe.Vals
		}
		d.Custodians, d.ListCandidates = s.custodyCandidates(ctx, v.Lot, vals)
	}
	if v.Lot.Status == tender.Decrypting && (a.Role == party.RoleSupervisor || a.Role == party.RoleOperator) {
		d.CanExtend = true
		d.ExtendUntil = now.Add(time.Duration(max(v.Lot.Custody.WindowMinutes, 30)) * time.Minute).Truncate(time.Minute)
		if !d.ExtendUntil.After(v.Lot.DecryptBy) {
			d.ExtendUntil = v.Lot.DecryptBy.Add(30 * time.Minute).Truncate(time.Minute)
		}
	}
	if d.Draw, err = s.drawPanelFor(r, v, a); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.consolePage(r, v.Lot.Code+" "+clip(v.Lot.Name, 20), d, fe)
	p.Crumbs = []crumb{{"工作台", "/console"}}
	if v.CanManage {
		p.Crumbs = append(p.Crumbs, crumb{"项目 " + v.Project.Code, "/console/projects/" + v.Project.ID})
	}
	p.Crumbs = append(p.Crumbs, crumb{"标段 " + v.Lot.Code, ""})
	s.render(w, r, "console_lot", p)
}

// DefaultK is the custody form's threshold: the current one, else 2 of n.
func (d lotData) DefaultK() string {
	if d.Custody != nil {
		return strconv.Itoa(d.Custody.K)
	}
	return strconv.Itoa(tender.DefaultThreshold)
}

// DefaultWindow is the custody form's decryption window in minutes.
func (d lotData) DefaultWindow() string {
	if d.Custody != nil {
		return strconv.Itoa(d.Custody.Window)
	}
	return strconv.Itoa(tender.DefaultDecryptWindow)
}

// lotAction runs one use case on a lot from a console form.
func (s *server) lotAction(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), s.actor(r)
	id, action := r.PathValue("id"), r.PathValue("action")
	v := r.PostForm
	if r.MultipartForm != nil {
		v = url.Values(r.MultipartForm.Value)
	}
	back := "/console/lots/" + id
	failed := func(form string, err error) {
		s.lotPage(w, r, id, &formErr{Form: form, Err: apperr.As(err), Vals: v})
	}
	switch action {
	case "documents":
		file, hdr, err := r.FormFile("file")
		if err != nil {
			failed("doc", apperr.New(apperr.Invalid, "请选择要上传的招标文件。").WithField("file", "请选择文件。"))
			return
		}
		defer file.Close()
		if s.d.Blobs == nil {
			failed("doc", apperr.New(apperr.Internal, "文件存储未配置，暂不能上传。"))
			return
		}
		if err := s.d.Tender.CheckDocumentUpload(ctx, a, id); err != nil {
			failed("doc", err)
			return
		}
		hash, size, err := s.d.Blobs.Put(file, s.d.MaxUpload)
		if err != nil {
			e := apperr.As(err)
			if e.Code == apperr.Invalid {
				e = &apperr.Error{Code: e.Code, Message: e.Message, Fields: map[string]string{"file": e.Message}}
			}
			failed("doc", e)
			return
		}
		doc, err := s.d.Tender.AddDocument(ctx, a, id, hdr.Filename, size, hash)
		if err != nil {
			failed("doc", err)
			return
		}
		s.redirect(w, r, back, "招标文件“"+doc.Name+"”已上传，SM3 "+doc.Hash[:16]+"…")
	case "publish":
		f := map[string]string{}
		now := s.d.Clock.Now()
		in := tender.PublishInput{OpeningPlace: v.Get("opening_place"), Body: v.Get("body"), Invitees: splitList(v.Get("invitees"))}
		in.DocsFrom = timeField(v, "docs_from", f)
		in.DocsUntil = timeField(v, "docs_until", f)
		in.BidDeadline = timeField(v, "bid_deadline", f)
		// A start time earlier today means "from publication": the form was prefilled a while ago.
		if !in.DocsFrom.IsZero() && in.DocsFrom.Before(now) && clock.Date(in.DocsFrom).Equal(clock.Date(now)) {
			in.DocsFrom = now
		}
		if len(f) > 0 {
			failed("publish", mergeFields(nil, f, "请按提示填写时间。"))
			return
		}
		n, err := s.d.Tender.PublishTender(ctx, a, id, in)
		if err != nil {
			failed("publish", err)
			return
		}
		s.redirect(w, r, back, "招标公告已发布：“"+n.Title+"”。")
	case "clarify":
		f := map[string]string{}
		var nd time.Time
		if strings.TrimSpace(v.Get("new_deadline")) != "" {
			nd = timeField(v, "new_deadline", f)
		}
		if len(f) > 0 {
			failed("clarify", mergeFields(nil, f, "请按提示填写时间。"))
			return
		}
		c, err := s.d.Tender.IssueClarification(ctx, a, id, v.Get("text"), nd)
		if err != nil {
			failed("clarify", err)
			return
		}
		s.redirect(w, r, back, "澄清修改已发布，投标截止时间为 "+clock.Format(c.NewDeadline)+"（北京时间）。")
	case "award":
		aw, err := s.d.Tender.DecideAward(ctx, a, id, tender.AwardInput{BidID: v.Get("bid_id"), ExceptionReason: v.Get("exception_reason")})
		if err != nil {
			failed("award", err)
			return
		}
		msg := "已确定中标人：" + aw.EntityName + "，中标价 " + aw.Price.String() + "，中标结果公告已发布。"
		if cur, err := s.d.Tender.ViewLot(ctx, a, id); err == nil && cur.Lot.IsLand() {
			msg = "已确定中标人（竞得人）：" + aw.EntityName + "，成交价 " + aw.Price.String() + "，结果公告已发布。"
		}
		s.redirect(w, r, back, msg)
	case "contract":
		f := map[string]string{}
		var signed time.Time
		if t, ok := parseDay(strings.TrimSpace(v.Get("signed_at"))); ok {
			signed = t
		} else {
			f["signed_at"] = "请按 YYYY-MM-DD 填写签订日期。"
		}
		amount := moneyField(v, "amount", true, f)
		if len(f) > 0 {
			failed("contract", mergeFields(nil, f, "合同信息有误。"))
			return
		}
		if _, err := s.d.Tender.RecordContract(ctx, a, id, signed, amount); err != nil {
			failed("contract", err)
			return
		}
		s.redirect(w, r, back, "合同已登记，合同订立信息已公开。")
	case "retender":
		nl, err := s.d.Tender.Retender(ctx, a, id)
		if err != nil {
			failed("retender", err)
			return
		}
		s.redirect(w, r, "/console/lots/"+nl.ID, "已重新招标，新标段 "+nl.Code+"。请上传招标文件并发布公告。")
	case "obtain":
		if err := s.d.Tender.ObtainDocuments(ctx, a, id); err != nil {
			failed("obtain", err)
			return
		}
		s.redirect(w, r, back, "已获取招标文件，可下载文件并准备投标。")
	case "deposit":
		f := map[string]string{}
		amount := moneyField(v, "amount", true, f)
		if len(f) > 0 {
			failed("deposit", mergeFields(nil, f, "保证金信息有误。"))
			return
		}
		if err := s.d.Tender.RecordDeposit(ctx, a, id, amount, v.Get("reference")); err != nil {
			failed("deposit", err)
			return
		}
		s.redirect(w, r, back, "投标保证金 "+amount.String()+" 已登记。")
	case "reserve":
		f := map[string]string{}
		amount := moneyField(v, "reserve", true, f)
		if len(f) > 0 {
			failed("reserve", mergeFields(nil, f, "请填写底价。"))
			return
		}
		if err := s.d.Tender.SetReserve(ctx, a, id, amount); err != nil {
			failed("reserve", err)
			return
		}
		// The amount is not repeated: the reserve stays secret until the result.
		s.redirect(w, r, back, "底价已录入并承诺入账，开标前保密，结果确定后公开。")
	case "custody":
		s.setCustody(w, r, id, v)
	case "extend":
		s.extendDecryption(w, r, id, v)
	case "bid":
		cur, curErr := s.d.Tender.ViewLot(ctx, a, id)
		if curErr == nil && cur.Lot.Custody != nil && a.Role == party.RoleBidder {
			// Refused before reading any attachment: a lot with custody takes
			// only bids sealed on the bidder's side.
			failed("bid", apperr.Rule(apperr.Invalid, "《电子招标投标办法》第二十六条", "本标段要求投标文件在投标人一方加密后递交，平台不接受未加密的投标文件，本次提交未被保存。请在标段页面用浏览器“本机加密并递交”，或使用命令行工具 ggzy seal。"))
			return
		}
		f := map[string]string{}
		var c tender.BidContent
		c.Price = moneyField(v, "price", true, f)
		c.DurationDays = intField(v, "duration_days", f)
		// 质量标准 and 项目经理 are works terms; a land bid (招标出让) is a
		// price and a development period, so its form neither asks nor sends them.
		if land := curErr == nil && cur.Lot.IsLand(); !land {
			c.Quality, c.ProjectManager = strings.TrimSpace(v.Get("quality")), strings.TrimSpace(v.Get("project_manager"))
			if c.Quality == "" {
				f["quality"] = "请填写质量标准，如“合格”。"
			}
			if c.ProjectManager == "" {
				f["project_manager"] = "请填写项目经理姓名。"
			}
		}
		if len(f) > 0 {
			failed("bid", mergeFields(nil, f, "投标文件内容不完整，请按提示修改。"))
			return
		}
		var files []tender.BidFile
		if file, hdr, err := r.FormFile("file"); err == nil {
			defer file.Close()
			if s.d.Blobs == nil {
				failed("bid", apperr.New(apperr.Internal, "文件存储未配置，暂不能上传附件。"))
				return
			}
			if err := s.d.Tender.CheckBidUpload(ctx, a, id); err != nil {
				failed("bid", err)
				return
			}
			hash, size, err := s.d.Blobs.Put(file, s.d.MaxUpload)
			if err != nil {
				failed("bid", err)
				return
			}
			files = append(files, tender.BidFile{Name: hdr.Filename, Size: size, Hash: hash})
		} else if v.Get("keep_files") == "1" {
			if curErr == nil && cur.MyBid != nil {
				files = cur.MyBid.Files
			}
		}
		rc, err := s.d.Tender.SubmitBid(ctx, a, id, tender.BidInput{Format: tender.PlainFormat, Content: tender.EncodePlain(c), Files: files})
		if err != nil {
			failed("bid", err)
			return
		}
		s.redirect(w, r, back+"/receipt", "投标文件第"+strconv.Itoa(rc.Version)+"版已完整接收。")
	case "withdraw":
		if _, err := s.d.Tender.WithdrawBid(ctx, a, id); err != nil {
			failed("withdraw", err)
			return
		}
		s.redirect(w, r, back+"/receipt", "投标文件已撤回。")
	case "objection":
		o, err := s.d.Tender.FileObjection(ctx, a, id, tender.ObjectionStage(v.Get("stage")), v.Get("text"))
		if err != nil {
			failed("objection", err)
			return
		}
		s.redirect(w, r, back, "异议已提交，招标人应于 "+clock.Format(o.DueAt)+"（北京时间）前答复，答复前相关活动暂停。")
	case "draw":
		in := tender.DrawInput{Remote: v.Get("remote") != "", Reps: splitList(v.Get("reps")), Reason: v.Get("reason")}
		for i := 0; i < 4; i++ {
			sp := strings.ToUpper(strings.TrimSpace(v.Get(fmt.Sprintf("specialty%d", i))))
			if sp == "" {
				continue
			}
			n, _ := strconv.Atoi(v.Get(fmt.Sprintf("count%d", i)))
			b, _ := strconv.Atoi(v.Get(fmt.Sprintf("backups%d", i)))
			in.Needs = append(in.Needs, draw.Need{Specialty: sp, Count: n, Backups: b})
		}
		d, err := s.d.Tender.RequestDraw(ctx, a, id, in, s.d.Party.UserByUsername)
		if err != nil {
			failed("draw", err)
			return
		}
		s.redirect(w, r, back, "第 "+strconv.Itoa(d.Attempt)+" 次抽取请求已承诺入账（留痕第 "+strconv.FormatInt(d.RequestIndex, 10)+" 号），随机数取自其后的签名检查点，结果稍后生成并通知专家。")
	case "rate":
		s.rateExpert(w, r, id, v)
	default:
		s.fail(w, r, apperr.New(apperr.NotFound, "没有这个操作。"))
	}
}

func (s *server) answerObjection(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	id := r.PathValue("id")
	lot := r.PostFormValue("lot")
	o, err := s.d.Tender.AnswerObjection(r.Context(), s.actor(r), id, r.PostFormValue("answer"))
	if err != nil {
		if lot == "" {
			s.fail(w, r, err)
			return
		}
		s.lotPage(w, r, lot, &formErr{Form: "answer-" + id, Err: apperr.As(err), Vals: r.PostForm})
		return
	}
	s.redirect(w, r, "/console/lots/"+o.LotID, "异议已答复。")
}

// ---- receipt

type receiptData struct {
	V       tender.LotView
	R       tender.Receipt
	Bid     tender.Bid
	Content *tender.BidContent // plain bids only: a sealed bid is never decoded here
	Sealed  bool
	Custody *custodyView
	Entity  string
}

// reportPDF sends the evaluation report as a PDF signed by the platform
// key, under the same rules as the report on the lot page (ViewLot).
func (s *server) reportPDF(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	v, err := s.d.Tender.ViewLot(r.Context(), s.actor(r), r.PathValue("id"))
	if err == nil {
		err = s.d.ServeReportPDF(w, v)
	}
	if err != nil {
		s.fail(w, r, err)
	}
}

func (s *server) receipt(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	ctx, a := r.Context(), s.actor(r)
	if a.Role != party.RoleBidder {
		s.fail(w, r, apperr.Forbiddenf("投标回执仅向投标单位本身开放。"))
		return
	}
	v, err := s.d.Tender.ViewLot(ctx, a, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v.MyReceipt == nil || v.MyBid == nil {
		s.fail(w, r, apperr.NotFoundf("投标回执"))
		return
	}
	d := receiptData{V: v, R: *v.MyReceipt, Bid: *v.MyBid, Entity: state(r).entity, Sealed: v.MyBid.Format == tender.SealedFormat}
	d.Custody = custodyOf(v.Lot, v.CustodiansDone, a)
	if v.MyBid.Format == tender.PlainFormat && !v.MyReceipt.Withdrawn {
		if c, err := (tender.PlainOpener{}).Open(ctx, v.Lot, *v.MyBid); err == nil {
			d.Content = &c
		}
	}
	p := s.newPage(r, "投标回执", "工作台", d)
	p.Nav = "console"
	p.Crumbs = []crumb{{"工作台", "/console"}, {"标段 " + v.Lot.Code, "/console/lots/" + v.Lot.ID}, {"投标回执", ""}}
	s.render(w, r, "receipt", p)
}

// ---- form parsing

func moneyField(v url.Values, name string, required bool, f map[string]string) money.Fen {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		if required {
			f[name] = "必填，以元为单位，如 1234567.89。"
		}
		return 0
	}
	m, err := money.Parse(s)
	if err != nil {
		f[name] = "金额应以元为单位、最多两位小数，如 1234567.89。"
		return 0
	}
	return m
}

func intField(v url.Values, name string, f map[string]string) int {
	s := strings.TrimSpace(v.Get(name))
	n, err := strconv.Atoi(s)
	if err != nil {
		f[name] = "请填写整数。"
		return 0
	}
	return n
}

func timeField(v url.Values, name string, f map[string]string) time.Time {
	s := strings.TrimSpace(v.Get(name))
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, clock.Shanghai); err == nil {
			return t.UTC()
		}
	}
	f[name] = "请按“YYYY-MM-DD HH:MM”（北京时间）填写。"
	return time.Time{}
}

// parsePoints reads "24.5" into ×100 points.
func parsePoints(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	c, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || w > 1000 {
		return 0, false
	}
	return w*100 + c, true
}

func splitList(s string) []string {
	fs := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == '\n' || r == '\r' || r == ' ' || r == '\t'
	})
	var out []string
	for _, x := range fs {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// mergeFields joins the web layer's parse errors with a domain error.
func mergeFields(err error, f map[string]string, msg string) *apperr.Error {
	out := &apperr.Error{Code: apperr.Invalid, Message: msg, Fields: map[string]string{}}
	if err != nil {
		e := apperr.As(err)
		out.Code, out.Message, out.Basis = e.Code, e.Message, e.Basis
		for k, v := range e.Fields {
			out.Fields[k] = v
		}
	}
	for k, v := range f {
		out.Fields[k] = v
	}
	return out
}

// sortWarnings puts the newest first.
func sortWarnings(ws []warnRow) {
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].W.CreatedAt.After(ws[j].W.CreatedAt) })
}
