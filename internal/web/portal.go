package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/clock"
	"ggzy/internal/httpx"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
	"ggzy/internal/rules"
	"ggzy/internal/tender"
)

// categories are the business categories of the portal; only engineering
// construction (works) is run by the platform so far.
var categories = []struct{ Key, Name, Icon string }{
	{"works", "工程建设", "工"},
	{"procurement", "政府采购", "采"},
	{"land", "土地使用权", "地"},
	{"mining", "矿业权", "矿"},
	{"property", "国有产权", "产"},
	{"drugs", "药品采购", "药"},
}

func categoryName(key string) string {
	for _, c := range categories {
		if c.Key == key {
			return c.Name
		}
	}
	return ""
}

// lotCache memoises the actor's lot views for one request.
type lotCache struct {
	s     *server
	ctx   context.Context
	actor party.Actor
	m     map[ids.ID]*tender.LotView
}

func (s *server) lots(r *http.Request) *lotCache {
	return &lotCache{s: s, ctx: r.Context(), actor: s.actor(r), m: map[ids.ID]*tender.LotView{}}
}

func (c *lotCache) get(id ids.ID) *tender.LotView {
	if id == "" {
		return nil
	}
	if v, ok := c.m[id]; ok {
		return v
	}
	v, err := c.s.d.Tender.ViewLot(c.ctx, c.actor, id)
	if err != nil {
		c.m[id] = nil
		return nil
	}
	c.m[id] = &v
	return &v
}

// ---- home

type catTile struct {
	Key, Name, Icon string
	Total, Today    int
	Href            string
}

type kindGroup struct {
	Kind    tender.NoticeKind
	Notices []tender.Notice
}

type lotCard struct {
	Lot     tender.Lot
	Project tender.Project
}

type homeData struct {
	Cats    []catTile
	Groups  []kindGroup
	Today   []lotCard
	Closing []lotCard
	Bidding int
	Notices int
	Done    int
}

func (s *server) home(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), s.actor(r)
	now := s.d.Clock.Now()
	today := clock.Date(now)
	var d homeData
	for _, c := range categories {
		_, total, err := s.d.Tender.Notices(ctx, a, tender.NoticeFilter{Category: c.Key, Limit: 1})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		_, nToday, err := s.d.Tender.Notices(ctx, a, tender.NoticeFilter{Category: c.Key, From: today, Limit: 1})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		tile := catTile{Key: c.Key, Name: c.Name, Icon: c.Icon, Total: total, Today: nToday, Href: "/notices?cat=" + c.Key}
		if k := auction.Kind(c.Key); s.d.Auction != nil && (k == auction.Land || k == auction.Mining || k == auction.Property) {
			// Land, mining-right and property sales have their own listing.
			sales, err := s.d.Auction.ListSales(ctx, a, auction.SaleFilter{Kind: k, Public: true})
			if err != nil {
				s.fail(w, r, err)
				return
			}
			tile.Total, tile.Today = len(sales), 0
			for _, x := range sales {
				if !x.NoticeAt.Before(today) {
					tile.Today++
				}
			}
			if k == auction.Land {
				// Plots sold by tender (招标出让) are listed there too.
				ts, err := s.d.Tender.ListLandTenders(ctx, 0)
				if err != nil {
					s.fail(w, r, err)
					return
				}
				tile.Total += len(ts)
				for _, x := range ts {
					if !x.NoticeAt.Before(today) {
						tile.Today++
					}
				}
			}
			key, _ := saleCatOf(k)
			tile.Href = "/sales?cat=" + key
			total = tile.Total
		}
		d.Cats = append(d.Cats, tile)
		d.Notices += total
	}
	for _, k := range []tender.NoticeKind{tender.NoticeTender, tender.NoticeCandidates, tender.NoticeAward, tender.NoticeOpening} {
		ns, _, err := s.d.Tender.Notices(ctx, a, tender.NoticeFilter{Kind: k, Limit: 6})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Groups = append(d.Groups, kindGroup{Kind: k, Notices: ns})
	}
	// Lots in bidding and today's openings come from one lot query each, not
	// a full view per notice (the home page is the most visited page).
	bidding, err := s.d.Tender.PublicLots(ctx, a, tender.LotFilter{Status: tender.Bidding})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Bidding = len(bidding)
	for _, c := range bidding {
		if c.Lot.BidDeadline.After(now) && c.Lot.BidDeadline.Sub(now) <= 7*24*time.Hour {
			d.Closing = append(d.Closing, lotCard{Lot: c.Lot, Project: c.Project})
		}
	}
	opening, err := s.d.Tender.PublicLots(ctx, a, tender.LotFilter{DeadlineFrom: today, DeadlineTo: today.AddDate(0, 0, 1)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range opening {
		d.Today = append(d.Today, lotCard{Lot: c.Lot, Project: c.Project})
	}
	sort.Slice(d.Today, func(i, j int) bool { return d.Today[i].Lot.BidDeadline.Before(d.Today[j].Lot.BidDeadline) })
	sort.Slice(d.Closing, func(i, j int) bool { return d.Closing[i].Lot.BidDeadline.Before(d.Closing[j].Lot.BidDeadline) })
	if _, n, err := s.d.Tender.Notices(ctx, a, tender.NoticeFilter{Kind: tender.NoticeAward, Limit: 1}); err == nil {
		d.Done = n
	}
	p := s.newPage(r, "首页", "", d)
	p.Nav = "home"
	s.render(w, r, "home", p)
}

// ---- notice list

const pageSize = 20

type link struct {
	Text, Href string
	Current    bool
	Gap        bool
}

type noticeRow struct {
	N         tender.Notice
	Lot       *tender.Lot
	NextLabel string
	Next      time.Time
}

type noticesData struct {
	Q, Type, Region, From, To, Sort, Cat string
	Kinds                                []tender.NoticeKind
	Regions                              []struct{ Code, Name string }
	Cats                                 []struct{ Key, Name, Icon string }
	Rows                                 []noticeRow
	Total, Page, Pages                   int
	PageLinks                            []link
	Prev, Next                           string
	Widen                                []link
	Presets                              []link
	Errs                                 map[string]string
	Filtered                             bool
	Hidden                               map[string]string
}

// URLFor is the list URL with one filter changed (back to page 1).
func (nd *noticesData) URLFor(k, v string) string { return nd.url(map[string]string{k: v, "page": ""}) }

func (nd *noticesData) url(over map[string]string) string {
	v := url.Values{}
	set := func(k, val string) {
		if o, ok := over[k]; ok {
			val = o
		}
		if val != "" {
			v.Set(k, val)
		}
	}
	set("cat", nd.Cat)
	set("type", nd.Type)
	set("region", nd.Region)
	set("q", nd.Q)
	set("from", nd.From)
	set("to", nd.To)
	set("sort", nd.Sort)
	if p, ok := over["page"]; ok && p != "1" && p != "" {
		v.Set("page", p)
	}
	if len(v) == 0 {
		return "/notices"
	}
	return "/notices?" + v.Encode()
}

func parseDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", s, clock.Shanghai)
	return t, err == nil
}

func (s *server) notices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	nd := &noticesData{Q: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), Region: q.Get("region"), From: q.Get("from"), To: q.Get("to"),
		Sort: q.Get("sort"), Cat: q.Get("cat"), Kinds: tender.NoticeKinds, Regions: regions, Cats: categories, Errs: map[string]string{}}
	f := tender.NoticeFilter{Q: nd.Q, Region: nd.Region, Category: nd.Cat, Limit: pageSize}
	if nd.Type != "" {
		ok := false
		for _, k := range tender.NoticeKinds {
			if string(k) == nd.Type {
				ok = true
			}
		}
		if ok {
			f.Kind = tender.NoticeKind(nd.Type)
		} else {
			nd.Errs["type"] = "没有这种信息类型，已忽略。"
			nd.Type = ""
		}
	}
	if nd.From != "" {
		if t, ok := parseDay(nd.From); ok {
			f.From = t.UTC()
		} else {
			nd.Errs["from"] = "日期格式应为 YYYY-MM-DD，已忽略。"
		}
	}
	if nd.To != "" {
		if t, ok := parseDay(nd.To); ok {
			f.To = t.AddDate(0, 0, 1).UTC()
		} else {
			nd.Errs["to"] = "日期格式应为 YYYY-MM-DD，已忽略。"
		}
	}
	switch nd.Sort {
	case "old":
		f.SortAsc = true
	case "deadline":
		f.ByDeadline = true
	default:
		nd.Sort = ""
	}
	nd.Page, _ = strconv.Atoi(q.Get("page"))
	if nd.Page < 1 {
		nd.Page = 1
	}
	f.Offset = (nd.Page - 1) * pageSize
	ns, total, err := s.d.Tender.Notices(r.Context(), s.actor(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	nd.Total = total
	nd.Pages = (total + pageSize - 1) / pageSize
	lotIDs := make([]ids.ID, 0, len(ns))
	for _, n := range ns {
		if n.LotID != "" {
			lotIDs = append(lotIDs, n.LotID)
		}
	}
	cards, err := s.d.Tender.PublicLots(r.Context(), s.actor(r), tender.LotFilter{IDs: lotIDs})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byLot := map[ids.ID]tender.Lot{}
	for _, c := range cards {
		byLot[c.Lot.ID] = c.Lot
	}
	for _, n := range ns {
		row := noticeRow{N: n}
		if l, ok := byLot[n.LotID]; ok {
			row.Lot = &l
			switch l.Status {
			case tender.Bidding:
				row.NextLabel, row.Next = "投标截止", l.BidDeadline
			case tender.Publicity:
				row.NextLabel, row.Next = "公示截止", l.PublicityUntil
			}
		}
		nd.Rows = append(nd.Rows, row)
	}
	nd.Hidden = map[string]string{}
	for k, v := range map[string]string{"cat": nd.Cat, "type": nd.Type, "region": nd.Region, "q": nd.Q, "from": nd.From, "to": nd.To, "sort": nd.Sort} {
		if v != "" {
			nd.Hidden[k] = v
		}
	}
	nd.Filtered = nd.Q != "" || nd.Type != "" || nd.Region != "" || nd.From != "" || nd.To != "" || nd.Cat != ""
	if nd.Pages > 1 {
		for i := 1; i <= nd.Pages; i++ {
			if i == 1 || i == nd.Pages || (i >= nd.Page-2 && i <= nd.Page+2) {
				nd.PageLinks = append(nd.PageLinks, link{Text: strconv.Itoa(i), Href: nd.url(map[string]string{"page": strconv.Itoa(i)}), Current: i == nd.Page})
			} else if len(nd.PageLinks) > 0 && !nd.PageLinks[len(nd.PageLinks)-1].Gap {
				nd.PageLinks = append(nd.PageLinks, link{Text: "…", Gap: true})
			}
		}
		if nd.Page > 1 {
			nd.Prev = nd.url(map[string]string{"page": strconv.Itoa(nd.Page - 1)})
		}
		if nd.Page < nd.Pages {
			nd.Next = nd.url(map[string]string{"page": strconv.Itoa(nd.Page + 1)})
		}
	}
	if total == 0 {
		if nd.Q != "" {
			nd.Widen = append(nd.Widen, link{Text: "去掉关键词“" + nd.Q + "”", Href: nd.url(map[string]string{"q": ""})})
		}
		if nd.Type != "" {
			nd.Widen = append(nd.Widen, link{Text: "查看全部信息类型", Href: nd.url(map[string]string{"type": ""})})
		}
		if nd.Region != "" {
			nd.Widen = append(nd.Widen, link{Text: "查看全部地区", Href: nd.url(map[string]string{"region": ""})})
		}
		if nd.From != "" || nd.To != "" {
			nd.Widen = append(nd.Widen, link{Text: "不限发布时间", Href: nd.url(map[string]string{"from": "", "to": ""})})
		}
		if nd.Cat != "" {
			nd.Widen = append(nd.Widen, link{Text: "查看全部业务类型", Href: nd.url(map[string]string{"cat": ""})})
		}
	}
	today := clock.Date(s.d.Clock.Now())
	for _, p := range []struct {
		name string
		days int
	}{{"今日", 0}, {"近3日", 2}, {"近1周", 6}, {"近1月", 29}, {"近3月", 89}} {
		from := today.AddDate(0, 0, -p.days).Format("2006-01-02")
		nd.Presets = append(nd.Presets, link{Text: p.name, Href: nd.url(map[string]string{"from": from, "to": "", "page": ""}), Current: nd.From == from && nd.To == ""})
	}
	title := "交易信息"
	if c := categoryName(nd.Cat); c != "" {
		title = c
	}
	if nd.Type != "" {
		title = tender.NoticeKind(nd.Type).Label()
	}
	p := s.newPage(r, title, "交易信息", nd)
	p.Nav = "notices"
	s.render(w, r, "notices", p)
}

// ---- notice detail

type detailField struct{ Label, Value string }

type noticeData struct {
	N          tender.Notice
	V          *tender.LotView
	Fields     []detailField
	Candidates []tender.ReportRow
	CandFrom   time.Time
	CandUntil  time.Time
	Opening    *tender.Opening
	Land       bool         // the lot is a land sale: the opening record's land columns
	Custody    *custodyView // published with the notice (DESIGN.md §6.2)
}

func (s *server) notice(w http.ResponseWriter, r *http.Request) {
	n, err := s.d.Tender.Notice(r.Context(), s.actor(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := noticeData{N: n, V: s.lots(r).get(n.LotID)}
	if d.V != nil {
		l, p := d.V.Lot, d.V.Project
		d.Land = l.IsLand()
		principal, estimate := detailField{"招标人", d.V.Principal.Name}, detailField{"估算价", l.Estimate.String()}
		if d.Land {
			// A sale: the principal sells, and what is announced is the start price.
			principal, estimate = detailField{"出让人", d.V.Principal.Name}, detailField{"起始价", l.Land.StartPrice.String()}
		}
		d.Fields = []detailField{
			{"项目名称", p.Name}, {"项目编号", p.Code}, {"标段编号", l.Code}, principal,
		}
		if d.V.Agency.Name != "" {
			d.Fields = append(d.Fields, detailField{"招标代理机构", d.V.Agency.Name})
		}
		d.Fields = append(d.Fields, detailField{"招标方式", l.Procedure.Label()}, detailField{"评标办法", l.Method.Label()}, estimate)
		if l.Ceiling > 0 {
			d.Fields = append(d.Fields, detailField{"最高投标限价", l.Ceiling.String()})
		}
		if l.Security > 0 {
			d.Fields = append(d.Fields, detailField{"投标保证金", l.Security.String()})
		}
		d.Fields = append(d.Fields, detailField{"专业分类", l.CategoryCode}, detailField{"资金来源", firstNonEmpty(p.Funding, "—")}, detailField{"行业监督部门", p.SupervisorDept})
		if n.Kind == tender.NoticeTender {
			d.Custody = custodyOf(l, nil, party.Actor{})
		}
	}
	switch n.Kind {
	case tender.NoticeCandidates:
		d.Candidates, d.CandFrom, d.CandUntil = candidatesOf(n)
	case tender.NoticeOpening:
		var op tender.Opening
		if json.Unmarshal(n.Data, &op) == nil {
			d.Opening = &op
		}
	}
	pg := s.newPage(r, clip(n.Title, 40), "交易信息", d)
	pg.Nav = "notices"
	pg.Crumbs = []crumb{{"首页", "/"}, {"交易信息", "/notices"}, {categoryName(n.Category), "/notices?cat=" + url.QueryEscape(n.Category)}, {n.Kind.Label(), "/notices?cat=" + url.QueryEscape(n.Category) + "&type=" + string(n.Kind)}}
	s.render(w, r, "notice", pg)
}

func candidatesOf(n tender.Notice) ([]tender.ReportRow, time.Time, time.Time) {
	var data struct {
		Candidates []tender.ReportRow `json:"candidates"`
		From       time.Time          `json:"from"`
		Until      time.Time          `json:"until"`
	}
	_ = json.Unmarshal(n.Data, &data)
	return data.Candidates, data.From, data.Until
}

// ---- project page

type lotSection struct {
	V          tender.LotView
	Custody    *custodyView
	Timeline   []ledger.Entry
	Candidates []tender.ReportRow
	CandFrom   time.Time
	CandUntil  time.Time
}

type projectData struct {
	PV   tender.ProjectView
	Lots []lotSection
}

func (s *server) project(w http.ResponseWriter, r *http.Request) {
	pv, err := s.d.Tender.ViewProject(r.Context(), s.actor(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := projectData{PV: pv}
	for _, v := range pv.Lots {
		sec := lotSection{V: v}
		if sec.Timeline, err = s.d.Tender.Timeline(r.Context(), v.Lot.Code); err != nil {
			s.fail(w, r, err)
			return
		}
		sec.Custody = custodyOf(v.Lot, v.CustodiansDone, party.Actor{})
		for _, n := range v.Notices {
			if n.Kind == tender.NoticeCandidates {
				sec.Candidates, sec.CandFrom, sec.CandUntil = candidatesOf(n)
			}
		}
		d.Lots = append(d.Lots, sec)
	}
	p := s.newPage(r, clip(pv.Project.Name, 40), "项目", d)
	p.Nav = "notices"
	p.Crumbs = []crumb{{"首页", "/"}, {"交易信息", "/notices"}, {"工程建设", "/notices?cat=works"}, {"项目 " + pv.Project.Code, ""}}
	if pv.Project.Category == tender.LandUse {
		p.Crumbs[2] = crumb{"土地矿业权", "/sales?cat=land"}
	}
	s.render(w, r, "project", p)
}

// document streams a tender document that the actor may see on the lot.
func (s *server) document(w http.ResponseWriter, r *http.Request) {
	d, err := s.d.Tender.Document(r.Context(), s.actor(r), r.PathValue("lot"), r.PathValue("doc"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.d.ServeFile(w, r, d.Name, d.Hash, d.UploadedAt); err != nil {
		s.fail(w, r, err)
	}
}

// bidFile streams a bid attachment to those the domain allows.
func (s *server) bidFile(w http.ResponseWriter, r *http.Request) {
	f, err := s.d.Tender.BidAttachment(r.Context(), s.actor(r), r.PathValue("lot"), r.PathValue("bid"), r.PathValue("hash"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.d.ServeFile(w, r, f.Name, f.Hash, time.Time{}); err != nil {
		s.fail(w, r, err)
	}
}

// ---- login

type loginData struct {
	Next     string
	Username string
	Wait     int
}

func (s *server) loginForm(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "登录", "", loginData{Next: safeNext(r.URL.Query().Get("next"))})
	p.Nav = "login"
	s.render(w, r, "login", p)
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	ip := s.d.ClientIP(r)
	user, pw := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	ld := loginData{Next: safeNext(r.PostFormValue("next")), Username: user}
	show := func(status int, e *apperr.Error) {
		p := s.newPage(r, "登录", "", ld)
		p.Nav = "login"
		p.Status = status
		p.Form = &formErr{Form: "login", Err: e, Vals: r.PostForm}
		s.render(w, r, "login", p)
	}
	if ok, wait := s.d.Logins.Allow(ip, user); !ok {
		secs := int(wait.Seconds()) + 1
		ld.Wait = secs
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		show(http.StatusTooManyRequests, httpx.RateLimitedError(wait))
		return
	}
	f := map[string]string{}
	if user == "" {
		f["username"] = "请填写用户名。"
	}
	if pw == "" {
		f["password"] = "请填写密码。"
	}
	if len(f) > 0 {
		show(http.StatusUnprocessableEntity, &apperr.Error{Code: apperr.Invalid, Message: "请填写用户名和密码。", Fields: f})
		return
	}
	token, sess, _, err := s.d.Party.Login(r.Context(), user, pw, "web", ip)
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Unauthorized {
			s.d.Logins.Failed(ip, user)
			e = &apperr.Error{Code: e.Code, Message: e.Message + "请核对后重试；连续失败将被暂时限制登录。", Fields: map[string]string{"password": "用户名或密码错误。"}}
		}
		s.d.LogError(r, err)
		show(httpx.Status(e.Code), e)
		return
	}
	maxAge := int(sess.ExpiresAt.Sub(sess.CreatedAt).Seconds())
	s.setCookie(w, r, SessionCookie, token, maxAge)
	s.clearCookie(w, r, csrfCookie)
	s.redirect(w, r, ld.Next, "登录成功。")
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if st := state(r); st.token != "" {
		if err := s.d.Party.Logout(r.Context(), st.token); err != nil {
			s.d.LogError(r, err)
		}
	}
	s.clearCookie(w, r, SessionCookie)
	s.redirect(w, r, "/", "您已安全退出。")
}

// extendSession renews the session for another full period (UI.md §2.7:
// warned two minutes ahead, extendable).
func (s *server) extendSession(w http.ResponseWriter, r *http.Request) {
	if !s.requireLogin(w, r) {
		return
	}
	sess, err := s.d.Party.Extend(r.Context(), state(r).token, "web")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, safeLocal(r.PostFormValue("back"), "/console"), "登录已延长至 "+clock.Format(sess.ExpiresAt)+"（北京时间）。")
}

// ---- rules

type ruleRow struct {
	Key, Text, Value, Basis string
	Standing                string // 法律 / 二手来源 / 平台设定; empty for the engineering set
}

// ruleSection is one table of the rules page.
type ruleSection struct {
	ID, Title, Lead string
	Standing        bool // the rows carry the standing of their source
	Rows            []ruleRow
}

// rulesPage lists the numbers the services in force apply: the engineering
// tender's set, the sales' parameters, the expert pool's and the evaluation
// room's policies (DESIGN.md §1.2), read from the services, not copied.
func (s *server) rulesPage(w http.ResponseWriter, r *http.Request) {
	set := s.d.Tender.Rules()
	eng := ruleSection{ID: "tender", Title: set.Name}
	for _, x := range set.All() {
		eng.Rows = append(eng.Rows, ruleRow{Key: string(x.Key), Text: x.Text, Value: x.Describe(), Basis: x.Basis})
	}
	listed := func(rows []rules.Row) []ruleRow {
		out := make([]ruleRow, 0, len(rows))
		for _, x := range rows {
			out = append(out, ruleRow{Key: x.Key, Text: x.Text, Value: x.Value, Basis: x.Basis, Standing: x.Standing.Label()})
		}
		return out
	}
	sections := []ruleSection{eng}
	if rows := s.d.SaleRules(); len(rows) > 0 {
		sections = append(sections, ruleSection{ID: "sales", Title: "土地矿业权与国有产权交易", Standing: true, Rows: listed(rows),
			Lead: "新创建的交易按下列参数办理；每宗交易保留其创建时的参数。"})
	}
	if rows := s.d.ExpertRules(); len(rows) > 0 {
		sections = append(sections, ruleSection{ID: "experts", Title: "评标专家与评标", Standing: true, Rows: listed(rows)})
	}
	p := s.newPage(r, "法定时限与规则", "政策规则", struct{ Sections []ruleSection }{sections})
	p.Nav = "rules"
	s.render(w, r, "rules", p)
}
