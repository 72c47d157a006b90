package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/expert/classify"
	"ggzy/internal/ids"
	"ggzy/internal/party"
	"ggzy/internal/tender"
)

// The unified expert pool and the verifiable draw (issue 4) in the
// consoles: the pool console of the trading centre (list, profile and
// history, review, sanction, reinstatement, exit), the application form
// (an expert for themselves, an employer or the centre for a
// recommendation), the expert's own 抽取通知 and 我的专家档案, and the
// draw panel on a lot's console page (draws.go is the domain: tender.draw).

// codes is the specialty classification the pages name codes with.
func (s *server) codes() *classify.Table {
	if s.d.Codes != nil {
		return s.d.Codes
	}
	return classify.Default()
}

// codeGroup is one <optgroup> of the specialty picker: a level-2 code and
// everything under it.
type codeGroup struct {
	Label string
	Codes []codeOption
}

type codeOption struct{ Code, Text string }

// codeGroups lists the classification by level-2 code, for a <select>
// with one <optgroup> per group (levels 2–4; a level-1 code is too broad
// to register under).
func (s *server) codeGroups() []codeGroup {
	t := s.codes()
	var out []codeGroup
	var walk func(c classify.Code, g *codeGroup)
	walk = func(c classify.Code, g *codeGroup) {
		indent := strings.Repeat("\u3000", max(c.Level-2, 0))
		g.Codes = append(g.Codes, codeOption{Code: c.Code, Text: indent + c.Label()})
		for _, k := range t.Children(c.Code) {
			walk(k, g)
		}
	}
	for _, root := range t.Roots() {
		for _, c2 := range t.Children(root.Code) {
			g := codeGroup{Label: root.Name + " · " + c2.Label()}
			walk(c2, &g)
			out = append(out, g)
		}
	}
	return out
}

// cityOptions are the cities an expert may live in (GB/T 2260, the
// region's divisions below the province).
func cityOptions() []struct{ Code, Name string } {
	var out []struct{ Code, Name string }
	for _, r := range regions {
		if !strings.HasSuffix(r.Code, "0000") {
			out = append(out, r)
		}
	}
	return out
}

// ---- the pool console (交易中心; 监督 sanctions and reinstates; 审计、管理员 read)

const poolPageSize = 50

// maxPoolPage bounds the page number a link may ask for (the offset stays
// far from overflowing; no pool has that many pages).
const maxPoolPage = 1 << 20

var poolStatuses = []expert.Status{expert.Applied, expert.Active, expert.Suspended, expert.Blacklisted, expert.Rejected, expert.Exited}

type statusCount struct {
	Status  expert.Status
	Label   string
	N       int
	Href    string
	Current bool
}

type poolRow struct {
	E     expert.Expert
	Years int
	Age   int
}

type poolData struct {
	Status, Specialty string
	Counts            []statusCount
	All               int // experts matching the specialty filter
	AllHref           string
	Rows              []poolRow
	Total             int // after the status filter
	Page, Pages       int
	PageLinks         []link
	Prev, Next        string
	Errs              map[string]string
	Codes             []classify.Code
	CanApply          bool
	Operator          bool
	Filtered          bool
}

func (d *poolData) url(over map[string]string) string {
	v := url.Values{}
	for k, x := range map[string]string{"status": d.Status, "specialty": d.Specialty} {
		if x != "" {
			v.Set(k, x)
		}
	}
	for k, x := range over {
		if x == "" {
			v.Del(k)
		} else {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return "/console/experts"
	}
	return "/console/experts?" + v.Encode()
}

func (s *server) poolList(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	pool := s.d.Expert
	a := s.actor(r)
	q := r.URL.Query()
	d := poolData{Errs: map[string]string{}, Codes: s.codes().All(), CanApply: a.Role == party.RoleOperator, Operator: a.Role == party.RoleOperator}
	if st := q.Get("status"); st != "" {
		if slices.Contains(poolStatuses, expert.Status(st)) {
			d.Status = st
		} else {
			d.Errs["status"] = "没有“" + st + "”这种状态，已显示全部状态。"
		}
	}
	if sp := strings.ToUpper(strings.TrimSpace(q.Get("specialty"))); sp != "" {
		if classify.WellFormed(sp) {
			d.Specialty = sp
		} else {
			d.Errs["specialty"] = "专业代码应为字母 A–E 后接0至3组两位数字（如 A08、A0801），已显示全部专业。"
		}
	}
	// One page of the pool with the counts per status under the specialty
	// filter (expert.Service.Page): the pool is never read whole.
	d.Page = 1
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 1 {
		d.Page = min(p, maxPoolPage)
	}
	f := expert.Filter{Status: expert.Status(d.Status), Specialty: d.Specialty, Limit: poolPageSize, Offset: (d.Page - 1) * poolPageSize}
	rows, n, err := pool.Page(r.Context(), a, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, k := range n {
		d.All += k
	}
	d.Total = d.All
	if d.Status != "" {
		d.Total = n[expert.Status(d.Status)]
	}
	d.Pages = max((d.Total+poolPageSize-1)/poolPageSize, 1)
	if d.Page > d.Pages {
		// A page past the end (an old link, a shrunken filter): the last one.
		d.Page = d.Pages
		f.Offset = (d.Page - 1) * poolPageSize
		if rows, _, err = pool.Page(r.Context(), a, f); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	d.AllHref = d.url(map[string]string{"status": "", "page": ""})
	for _, st := range poolStatuses {
		d.Counts = append(d.Counts, statusCount{Status: st, Label: st.Label(), N: n[st], Href: d.url(map[string]string{"status": string(st), "page": ""}), Current: d.Status == string(st)})
	}
	now := s.d.Clock.Now()
	for _, e := range rows {
		d.Rows = append(d.Rows, poolRow{E: e, Years: e.Years(now), Age: e.Age(now)})
	}
	if d.Pages > 1 {
		for i := 1; i <= d.Pages; i++ {
			if i == 1 || i == d.Pages || (i >= d.Page-2 && i <= d.Page+2) {
				d.PageLinks = append(d.PageLinks, link{Text: strconv.Itoa(i), Href: d.url(map[string]string{"page": strconv.Itoa(i)}), Current: i == d.Page})
			} else if len(d.PageLinks) > 0 && !d.PageLinks[len(d.PageLinks)-1].Gap {
				d.PageLinks = append(d.PageLinks, link{Text: "…", Gap: true})
			}
		}
		if d.Page > 1 {
			d.Prev = d.url(map[string]string{"page": strconv.Itoa(d.Page - 1)})
		}
		if d.Page < d.Pages {
			d.Next = d.url(map[string]string{"page": strconv.Itoa(d.Page + 1)})
		}
	}
	d.Filtered = d.Status != "" || d.Specialty != ""
	p := s.newPage(r, "专家库", "工作台", d)
	p.Nav = "console"
	p.Crumbs = []crumb{{"工作台", "/console"}, {"专家库", ""}}
	s.render(w, r, "experts", p)
}

// ---- one expert: profile, history and the forms of the roles that may act

type historyRow struct {
	Ev    expert.Event
	Actor string
}

type expertData struct {
	E        expert.Expert
	History  []historyRow
	Years    int
	Age      int
	AgeMax   int
	YearsMin int
	Employer string // the employer, with its USCC when registered
	Self     bool   // the expert's own record
	// Forms by role and status (the domain decides again on submission).
	CanReview    bool
	CanSanction  bool
	CanReinstate bool
	CanExit      bool
	CanSelfExit  bool
	ReadOnly     bool
	// Record is the 履职记录 (tender.Service.ExpertRecord), for staff.
	Record *expertRecord
}

func (s *server) expertDetail(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	s.expertPage(w, r, r.PathValue("id"), nil)
}

// expertData reads an expert for the actor (staff, or the expert itself).
func (s *server) expertData(ctx context.Context, pool *expert.Service, a party.Actor, id ids.ID) (expertData, error) {
	e, evs, err := pool.Get(ctx, a, id)
	if err != nil {
		return expertData{}, err
	}
	now := s.d.Clock.Now()
	d := expertData{E: e, Years: e.Years(now), Age: e.Age(now), AgeMax: pool.Policy().AgeMax, YearsMin: pool.Policy().YearsMin, Employer: e.EmployerName,
		Self: a.UserID != "" && a.UserID == e.UserID}
	if e.EmployerID != "" {
		if ent, err := s.d.Party.Entity(ctx, e.EmployerID); err == nil {
			d.Employer = ent.Name + "（" + ent.USCC + "）"
		}
	}
	names := map[ids.ID]string{}
	for i := len(evs) - 1; i >= 0; i-- { // newest first
		ev := evs[i]
		name, ok := names[ev.Actor]
		if !ok && ev.Actor != "" {
			if u, err := s.d.Party.UserByID(ctx, ev.Actor); err == nil {
				name = u.Name + "（" + u.Role.Label() + "）"
			}
			names[ev.Actor] = name
		}
		if ev.Actor == "" {
			name = "平台自动"
		}
		d.History = append(d.History, historyRow{Ev: ev, Actor: name})
	}
	inPool := e.Status == expert.Active || e.Status == expert.Suspended
	switch a.Role {
	case party.RoleOperator:
		d.CanReview = e.Status == expert.Applied
		d.CanSanction = inPool || e.Status == expert.Blacklisted
		d.CanExit = inPool || e.Status == expert.Applied
	case party.RoleSupervisor:
		d.CanSanction = inPool || e.Status == expert.Blacklisted
		d.CanReinstate = e.Status == expert.Suspended || e.Status == expert.Blacklisted
	case party.RoleExpert:
		d.CanSelfExit = d.Self && (inPool || e.Status == expert.Applied)
	}
	d.ReadOnly = !d.CanReview && !d.CanSanction && !d.CanReinstate && !d.CanExit && !d.CanSelfExit
	return d, nil
}

func (s *server) expertPage(w http.ResponseWriter, r *http.Request, id ids.ID, fe *formErr) {
	pool := s.d.Expert
	a := s.actor(r)
	d, err := s.expertData(r.Context(), pool, a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if a.IsStaff() {
		if d.Record, err = s.expertRecordOf(r.Context(), a, d.E.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p := s.consolePage(r, d.E.Name+" · 专家档案", d, fe)
	if a.IsStaff() {
		p.Crumbs = []crumb{{"工作台", "/console"}, {"专家库", "/console/experts"}, {d.E.Name, ""}}
	} else {
		p.Crumbs = []crumb{{"工作台", "/console"}, {"我的专家档案", "/console/profile"}, {"档案详情", ""}}
	}
	s.render(w, r, "expert", p)
}

// expertFormFailed shows a refused pool form again with its values and
// messages — on the expert's own profile for the expert, on the record
// page for staff — or the error page when the actor may not act at all.
func (s *server) expertFormFailed(w http.ResponseWriter, r *http.Request, id ids.ID, form string, err error) {
	e := apperr.As(err)
	if e.Code != apperr.Invalid && e.Code != apperr.Conflict && e.Code != apperr.Deadline {
		s.fail(w, r, e)
		return
	}
	fe := &formErr{Form: form, Err: e, Vals: r.PostForm}
	if s.actor(r).Role == party.RoleExpert {
		s.profilePage(w, r, fe)
		return
	}
	s.expertPage(w, r, id, fe)
}

func (s *server) reviewExpert(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	pool := s.d.Expert
	ctx, a, id, v := r.Context(), s.actor(r), r.PathValue("id"), r.PostForm
	approve := v.Get("decision") == "approve"
	if v.Get("decision") != "approve" && v.Get("decision") != "reject" {
		s.expertFormFailed(w, r, id, "review", apperr.New(apperr.Invalid, "请选择审核通过或不予入库。"))
		return
	}
	if a.Role != party.RoleOperator {
		s.fail(w, r, apperr.Forbiddenf("入库申请由交易中心工作人员审核。"))
		return
	}
	var userID ids.ID
	if name := strings.TrimSpace(v.Get("user")); approve && name != "" {
		u, err := s.d.Party.UserByUsername(ctx, name)
		switch {
		case apperr.Is(err, apperr.NotFound):
			s.expertFormFailed(w, r, id, "review", apperr.New(apperr.Invalid, "没有用户名为“%s”的平台账号。", name).WithField("user", "没有这个用户名"))
			return
		case err != nil:
			s.fail(w, r, err)
			return
		case u.Role != party.RoleExpert:
			// Invitations go to the linked login: it must be an expert's.
			s.expertFormFailed(w, r, id, "review", apperr.New(apperr.Invalid, "账号“%s”是%s账号，不是评标专家账号，不能关联为专家的登录账号。", name, u.Role.Label()).WithField("user", "请填写评标专家账号"))
			return
		}
		userID = u.ID
	}
	e, err := pool.Review(ctx, a, id, approve, strings.TrimSpace(v.Get("reason")), userID)
	if err != nil {
		s.expertFormFailed(w, r, id, "review", err)
		return
	}
	msg := e.Name + " 已审核通过，入库在册，可以被抽取。"
	if !approve {
		msg = e.Name + " 的入库申请未通过，理由已记入履历。"
	}
	s.redirect(w, r, "/console/experts/"+id, msg)
}

func (s *server) sanctionExpert(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	pool := s.d.Expert
	ctx, a, id, v := r.Context(), s.actor(r), r.PathValue("id"), r.PostForm
	if a.Role != party.RoleSupervisor && a.Role != party.RoleOperator {
		s.fail(w, r, apperr.Forbiddenf("暂停或列入黑名单须依据行政监督部门的决定或投诉处理结果，由监督人员或交易中心办理。"))
		return
	}
	f := map[string]string{}
	var until time.Time
	if strings.TrimSpace(v.Get("until")) != "" {
		until = timeField(v, "until", f)
	}
	blacklist := v.Get("blacklist") == "1"
	e, err := pool.Sanction(ctx, a, id, blacklist, strings.TrimSpace(v.Get("reason")), strings.TrimSpace(v.Get("source")), until)
	if err != nil || len(f) > 0 {
		s.expertFormFailed(w, r, id, "sanction", mergeFields(err, f, "处理信息不完整。"))
		return
	}
	what := "暂停抽取"
	if blacklist {
		what = "列入黑名单"
	}
	end := "，不定期"
	if !until.IsZero() {
		end = "，至 " + clock.Format(until) + "（北京时间）"
	}
	s.redirect(w, r, "/console/experts/"+id, e.Name+" 已"+what+end+"。处理决定已记入履历并公开留痕。")
}

func (s *server) reinstateExpert(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	pool := s.d.Expert
	id := r.PathValue("id")
	e, err := pool.Reinstate(r.Context(), s.actor(r), id, strings.TrimSpace(r.PostFormValue("reason")))
	if err != nil {
		s.expertFormFailed(w, r, id, "reinstate", err)
		return
	}
	s.redirect(w, r, "/console/experts/"+id, e.Name+" 已恢复在库，可以被抽取。")
}

func (s *server) exitExpert(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	pool := s.d.Expert
	a, id, v := s.actor(r), r.PathValue("id"), r.PostForm
	kind := v.Get("kind")
	if kind == "" {
		s.expertFormFailed(w, r, id, "exit", apperr.New(apperr.Invalid, "请选择出库原因。").WithField("kind", "请选择出库原因"))
		return
	}
	e, err := pool.Exit(r.Context(), a, id, kind, strings.TrimSpace(v.Get("reason")))
	if err != nil {
		s.expertFormFailed(w, r, id, "exit", err)
		return
	}
	if a.Role == party.RoleExpert {
		s.redirect(w, r, "/console/profile", "您已退出专家库。履历依法保留，不再参加抽取。")
		return
	}
	s.redirect(w, r, "/console/experts/"+id, e.Name+" 已出库（"+expert.ExitLabel(kind)+"）。履历依法保留。")
}

// ---- application (专家入库申请)

type applyData struct {
	Role      party.Role
	Self      bool          // an expert applying for themselves
	Operator  bool          // the centre entering a paper recommendation
	Employer  *party.Entity // the recommending employer (its own users)
	Existing  *expert.Expert
	Groups    []codeGroup
	Cities    []struct{ Code, Name string }
	Depts     []string
	ThisYear  int
	YearsMin  int
	AgeMax    int
	Specialty [3]string // the codes chosen (after a refused submission)
}

// mayApply: the roles that may file an application (expert.Service.Apply).
func mayApply(a party.Actor) bool {
	switch a.Role {
	case party.RoleExpert, party.RoleOperator:
		return true
	case party.RoleBidder, party.RolePrincipal, party.RoleAgency:
		return a.EntityID != ""
	}
	return false
}

func (s *server) applyForm(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	s.applyPage(w, r, nil)
}

func (s *server) applyPage(w http.ResponseWriter, r *http.Request, fe *formErr) {
	pool := s.d.Expert
	ctx, a := r.Context(), s.actor(r)
	if !mayApply(a) {
		s.fail(w, r, apperr.Forbiddenf("入库申请由专家本人或其工作单位提出，交易中心可代为录入单位的书面推荐。"))
		return
	}
	now := s.d.Clock.Now()
	d := applyData{Role: a.Role, Self: a.Role == party.RoleExpert, Operator: a.Role == party.RoleOperator, Groups: s.codeGroups(), Cities: cityOptions(),
		Depts: tender.Departments, ThisYear: clock.Date(now).Year(), YearsMin: pool.Policy().YearsMin, AgeMax: pool.Policy().AgeMax}
	if d.Self {
		if e, err := pool.Mine(ctx, a); err == nil {
			d.Existing = &e
		} else if !apperr.Is(err, apperr.NotFound) {
			s.fail(w, r, err)
			return
		}
	}
	if !d.Self && !d.Operator {
		ent, err := s.d.Party.Entity(ctx, a.EntityID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Employer = &ent
	}
	title := "专家入库申请"
	if d.Employer != nil {
		title = "推荐专家入库"
	}
	p := s.consolePage(r, title, d, fe)
	for i := range d.Specialty {
		d.Specialty[i] = p.V("apply", "specialty"+strconv.Itoa(i), "")
	}
	p.Data = d
	p.Crumbs = []crumb{{"工作台", "/console"}}
	if a.IsStaff() {
		p.Crumbs = append(p.Crumbs, crumb{"专家库", "/console/experts"})
	}
	p.Crumbs = append(p.Crumbs, crumb{title, ""})
	s.render(w, r, "expert_apply", p)
}

func (s *server) applyExpert(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	pool := s.d.Expert
	ctx, a, v := r.Context(), s.actor(r), r.PostForm
	if !mayApply(a) {
		s.fail(w, r, apperr.Forbiddenf("入库申请由专家本人或其工作单位提出，交易中心可代为录入单位的书面推荐。"))
		return
	}
	f := map[string]string{}
	in := expert.Input{Name: v.Get("name"), IDNumber: v.Get("id_number"), EmployerUSCC: strings.TrimSpace(v.Get("employer_uscc")),
		EmployerName: strings.TrimSpace(v.Get("employer_name")), Title: v.Get("title"), Senior: v.Get("senior") == "1",
		City: strings.TrimSpace(v.Get("city")), Contact: v.Get("contact"), DeptStaffOf: v.Get("dept_staff_of")}
	if fs := strings.TrimSpace(v.Get("field_since")); fs != "" {
		n, err := strconv.Atoi(fs)
		if err != nil {
			f["field_since"] = "请填写四位年份，如 2005。"
		}
		in.FieldSince = n
	}
	for i := 0; i < 3; i++ {
		if c := strings.TrimSpace(v.Get("specialty" + strconv.Itoa(i))); c != "" && !slices.Contains(in.Specialties, c) {
			in.Specialties = append(in.Specialties, c)
		}
	}
	if a.Role == party.RoleBidder || a.Role == party.RolePrincipal || a.Role == party.RoleAgency {
		// An employer recommends its own people: the employer is itself.
		ent, err := s.d.Party.Entity(ctx, a.EntityID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		in.EmployerUSCC, in.EmployerName = ent.USCC, ent.Name
	}
	if cs := splitList(v.Get("conflicts")); len(cs) > 0 {
		// Declared conflicts are registered entities, named by USCC.
		ents, err := s.d.Party.Entities(ctx, "")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, c := range cs {
			c = strings.ToUpper(c)
			i := slices.IndexFunc(ents, func(e party.Entity) bool { return e.USCC == c })
			if i < 0 {
				f["conflicts"] = "统一社会信用代码“" + c + "”未在平台登记；未登记的单位请在联系方式栏说明，由交易中心核实。"
				continue
			}
			in.Conflicts = append(in.Conflicts, ents[i].ID)
		}
	}
	var e expert.Expert
	var err error
	if len(f) == 0 {
		e, err = pool.Apply(ctx, a, in)
	}
	if err != nil || len(f) > 0 {
		me := mergeFields(err, f, "入库申请有误，请按提示修改。")
		if me.Code == apperr.Forbidden {
			s.fail(w, r, me)
			return
		}
		s.applyPage(w, r, &formErr{Form: "apply", Err: me, Vals: v})
		return
	}
	switch a.Role {
	case party.RoleOperator:
		s.redirect(w, r, "/console/experts/"+e.ID, e.Name+" 的入库申请已录入（单位推荐），待审核。")
	case party.RoleExpert:
		s.redirect(w, r, "/console/profile", "入库申请已提交，交易中心审核后您将收到结果。")
	default:
		s.redirect(w, r, "/console/experts/apply", "已推荐 "+e.Name+" 入库，交易中心审核后入库。")
	}
}

// ---- the expert's own pages: 我的专家档案, 抽取通知

func (s *server) profile(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	s.profilePage(w, r, nil)
}

type profileData struct {
	In *expertData // nil: not in the pool
}

func (s *server) profilePage(w http.ResponseWriter, r *http.Request, fe *formErr) {
	pool := s.d.Expert
	ctx, a := r.Context(), s.actor(r)
	if a.Role != party.RoleExpert {
		s.fail(w, r, apperr.Forbiddenf("“我的专家档案”仅供评标专家本人查看；专家库由交易中心管理。"))
		return
	}
	var d profileData
	e, err := pool.Mine(ctx, a)
	switch {
	case err == nil:
		ed, err := s.expertData(ctx, pool, a, e.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.In = &ed
	case !apperr.Is(err, apperr.NotFound):
		s.fail(w, r, err)
		return
	}
	p := s.consolePage(r, "我的专家档案", d, fe)
	p.Crumbs = []crumb{{"工作台", "/console"}, {"我的专家档案", ""}}
	s.render(w, r, "expert_profile", p)
}

type invRow struct {
	I    tender.Invitation
	Lot  tender.Lot
	Open bool // may be answered now
	Late bool // still waiting, but the deadline has passed
}

type invitationsData struct {
	Rows    []invRow
	Pending int
	Within  string // the confirmation period
}

// shownInvitation: the expert sees the invitations that reached them; a
// backup who was never called (standby, released) has nothing to answer.
func shownInvitation(iv tender.Invitation) bool {
	return iv.Status != tender.InvStandby && iv.Status != tender.InvReleased
}

func (s *server) invitationsData(ctx context.Context, a party.Actor) (invitationsData, error) {
	invs, lots, err := s.d.Tender.Invitations(ctx, a)
	if err != nil {
		return invitationsData{}, err
	}
	now := s.d.Clock.Now()
	var d invitationsData
	for _, iv := range invs {
		if !shownInvitation(iv) {
			continue
		}
		row := invRow{I: iv, Lot: lots[iv.LotID]}
		if iv.Status == tender.InvInvited {
			row.Open = !now.After(iv.Deadline)
			row.Late = !row.Open
			if row.Open {
				d.Pending++
			}
		}
		d.Rows = append(d.Rows, row)
	}
	if s.d.Expert != nil {
		d.Within = humanDuration(s.d.Expert.Policy().ConfirmWithin)
	}
	return d, nil
}

func (s *server) invitations(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	s.invitationsPage(w, r, nil)
}

func (s *server) invitationsPage(w http.ResponseWriter, r *http.Request, fe *formErr) {
	a := s.actor(r)
	if a.Role != party.RoleExpert {
		s.fail(w, r, apperr.Forbiddenf("抽取通知只发给被抽中的评标专家。"))
		return
	}
	d, err := s.invitationsData(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.consolePage(r, "抽取通知", d, fe)
	p.Crumbs = []crumb{{"工作台", "/console"}, {"抽取通知", ""}}
	s.render(w, r, "invitations", p)
}

// respondInvitation records 确认参加 or 不能参加 (with a reason).
func (s *server) respondInvitation(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	a, id, v := s.actor(r), r.PathValue("id"), r.PostForm
	form := "inv-" + id
	answer := v.Get("answer")
	if answer != "accept" && answer != "decline" {
		s.invitationFailed(w, r, form, apperr.New(apperr.Invalid, "请选择“确认参加”或“不能参加”。"))
		return
	}
	if _, err := s.d.Tender.RespondInvitation(r.Context(), a, id, answer == "accept", v.Get("reason"), v.Get("declare") != ""); err != nil {
		s.invitationFailed(w, r, form, err)
		return
	}
	if answer == "accept" {
		s.redirect(w, r, "/console/invitations", "已确认参加评标。评标委员会名单在评标结束前保密，请勿向他人透露被抽中的情况（《招标投标法》第三十七条）。")
		return
	}
	s.redirect(w, r, "/console/invitations", "已登记不能参加，原因已记录。席位将依次由备选专家递补。")
}

// invitationFailed shows the expert's notices again with the refusal on
// top (deadline passed, already answered, no reason) — or the error page
// for anyone else.
func (s *server) invitationFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	e := apperr.As(err)
	if s.actor(r).Role != party.RoleExpert || (e.Code != apperr.Invalid && e.Code != apperr.Conflict && e.Code != apperr.Deadline) {
		s.fail(w, r, e)
		return
	}
	if e.Code == apperr.Deadline && !strings.Contains(e.Message, "请") {
		e = &apperr.Error{Code: e.Code, Message: e.Message + "本通知无需再答复；如有疑问请联系交易中心。", Fields: e.Fields, Basis: e.Basis}
	}
	s.invitationsPage(w, r, &formErr{Form: form, Err: e, Vals: r.PostForm})
}

func humanDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + " 天"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + " 小时"
	}
	return strconv.Itoa(int(d/time.Minute)) + " 分钟"
}

// ---- the draw panel on a lot's console page (staff)

type drawNeedRow struct {
	I                         int
	Specialty, Count, Backups string // the form's defaults
	Need                      draw.Need
	Result                    bool // the draw ran: the counts below are known
	Qualified, Eligible       int
}

type drawInvRow struct {
	I     tender.Invitation
	Place string // 专业 · 第n席 or 备选n
}

type drawAttempt struct {
	D     tender.Draw
	Needs []drawNeedRow
	Invs  []drawInvRow
	Excl  []draw.Exclusion
}

type drawPanel struct {
	Attempts   []drawAttempt // newest first
	Names      bool          // the viewer may know who was drawn (TBL 37)
	Operator   bool
	CanRequest bool
	Waiting    string // why no further draw can be asked for now
	Further    bool
	Next       int // the next attempt's number
	Seats      int // expert seats still to fill
	Confirmed  int
	Form       []drawNeedRow
	Codes      []classify.Code
	City       string
	Site       string // the platform's address for ggzy verify-draw
}

// drawPanelFor builds the staff's draw panel of a lot: every attempt with
// its digests, ledger indexes, invitations and exclusions; and the
// operator's request form when a (further) draw may be asked for.
func (s *server) drawPanelFor(r *http.Request, v tender.LotView, a party.Actor) (*drawPanel, error) {
	if !a.IsStaff() {
		return nil, nil
	}
	l := v.Lot
	switch l.Status {
	case tender.Draft, tender.Bidding, tender.Decrypting:
		return nil, nil
	}
	ds, invs, err := s.d.Tender.ListLotDraws(r.Context(), a, l.ID)
	if err != nil {
		return nil, err
	}
	d := &drawPanel{Operator: a.Role == party.RoleOperator, Next: len(ds) + 1, Further: len(ds) > 0, City: regionName(v.Project.Region), Site: siteURL(s, r),
		// Who was drawn is known to the centre that drew them and the
		// auditors, to everyone once the award is decided (ViewLot's rule).
		Names: a.Role == party.RoleOperator || a.Role == party.RoleAuditor || len(v.Committee) > 0}
	outstanding := false
	for _, iv := range invs {
		switch iv.Status {
		case tender.InvConfirmed:
			d.Confirmed++
		case tender.InvInvited, tender.InvStandby:
			outstanding = true
		}
	}
	d.Seats = max(l.CommitteeSize-l.PrincipalReps-d.Confirmed, 0)
	for i := len(ds) - 1; i >= 0; i-- {
		x := ds[i]
		at := drawAttempt{D: x}
		for ni, n := range x.Request.Needs {
			row := drawNeedRow{I: ni, Need: n}
			if x.Result != nil && ni < len(x.Result.Needs) {
				row.Result, row.Qualified, row.Eligible = true, x.Result.Needs[ni].Qualified, x.Result.Needs[ni].Eligible
			}
			at.Needs = append(at.Needs, row)
		}
		for _, iv := range invs {
			if iv.DrawID != x.ID {
				continue
			}
			place := ""
			if iv.Need < len(x.Request.Needs) {
				place = x.Request.Needs[iv.Need].Specialty + " · "
			}
			if iv.Backup {
				n := 0
				if iv.Need < len(x.Request.Needs) {
					n = x.Request.Needs[iv.Need].Count
				}
				place += "备选第" + strconv.Itoa(iv.Seq-n+1) + "位"
			} else {
				place += "第" + strconv.Itoa(iv.Seq+1) + "席"
			}
			at.Invs = append(at.Invs, drawInvRow{I: iv, Place: place})
		}
		if x.Result != nil {
			at.Excl = x.Result.Exclusions
		}
		d.Attempts = append(d.Attempts, at)
		if x.Status == tender.DrawRequested {
			d.Waiting = "第" + strconv.Itoa(x.Attempt) + "次抽取已提交，正在等待其后的签名检查点生成随机数（通常几秒内完成），请稍后刷新本页。"
		}
	}
	if d.Waiting == "" && outstanding {
		d.Waiting = "已通知抽中的专家，正在等待答复：拒绝或逾期未确认的席位自动依次由备选专家递补；备选用完仍缺席位时，可以补充抽取。"
	}
	if l.Status == tender.Evaluating && len(v.Committee) == 0 && d.Operator && d.Waiting == "" && d.Seats > 0 {
		d.CanRequest = true
		d.Codes = s.codes().All()
		for i := 0; i < 4; i++ {
			row := drawNeedRow{I: i}
			if i == 0 {
				row.Specialty, row.Count, row.Backups = l.CategoryCode, strconv.Itoa(d.Seats), "2"
			}
			d.Form = append(d.Form, row)
		}
	}
	if len(d.Attempts) == 0 && !d.CanRequest {
		return nil, nil
	}
	return d, nil
}

// siteURL is the platform's address as the visitor reached it.
func siteURL(s *server, r *http.Request) string {
	scheme := "http"
	if s.d.IsTLS(r) {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "平台地址"
	}
	return scheme + "://" + host
}

// drawTodo is the centre's next step on a lot awaiting its committee.
func (s *server) drawTodo(ctx context.Context, a party.Actor, l tender.Lot) (string, error) {
	ds, invs, err := s.d.Tender.ListLotDraws(ctx, a, l.ID)
	if err != nil {
		return "", err
	}
	if len(ds) == 0 {
		return "已开标，待抽取评标专家", nil
	}
	if last := ds[len(ds)-1]; last.Status == tender.DrawRequested {
		return "第" + strconv.Itoa(last.Attempt) + "次专家抽取等待随机数", nil
	}
	for _, iv := range invs {
		if iv.Status == tender.InvInvited || iv.Status == tender.InvStandby {
			return "已抽取评标专家，等待专家确认", nil
		}
	}
	return "评标委员会尚缺专家，待补充抽取评标专家", nil
}
