package web_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/rules"
	"ggzy/internal/store"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
	"ggzy/internal/web"
)

const site = "南宁市公共资源交易平台"

type env struct {
	t  *testing.T
	w  *fixture.World
	ts *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	w := fixture.New(t, testkit.OpenSQLite(t))
	h, err := web.New(w.HTTPDeps())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &env{t: t, w: w, ts: ts}
}

// browser is one visitor with cookies; it does not follow redirects by itself.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	body   string
	loc    string
	header http.Header
}

func (b *browser) do(req *http.Request) page {
	b.e.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, body: string(body), loc: res.Header.Get("Location"), header: res.Header}
}

func (b *browser) get(path string) page {
	b.e.t.Helper()
	req, _ := http.NewRequest("GET", b.e.ts.URL+path, nil)
	return b.do(req)
}

// follow GETs the redirect target of p (one hop).
func (b *browser) follow(p page) page {
	b.e.t.Helper()
	if p.status != http.StatusSeeOther {
		b.e.t.Fatalf("want 303, got %d: %s", p.status, excerpt(p.body))
	}
	return b.get(p.loc)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) csrf(path string) string {
	b.e.t.Helper()
	p := b.get(path)
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		b.e.t.Fatalf("no csrf token on %s (%d)", path, p.status)
	}
	return html.UnescapeString(m[1])
}

func (b *browser) post(path string, form url.Values) page {
	b.e.t.Helper()
	req, _ := http.NewRequest("POST", b.e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) postMultipart(path string, form url.Values, fileField, fileName, content string) page {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		_, _ = io.WriteString(fw, content)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func (b *browser) login(user string) {
	b.e.t.Helper()
	tok := b.csrf("/login")
	p := b.post("/login", url.Values{"csrf": {tok}, "username": {user}, "password": {fixture.Password}, "next": {"/console"}})
	if p.status != http.StatusSeeOther || p.loc != "/console" {
		b.e.t.Fatalf("login %s: %d %s", user, p.status, excerpt(p.body))
	}
}

func excerpt(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 1500 {
		s = s[:1500]
	}
	return s
}

func titleOf(body string) string {
	m := regexp.MustCompile(`<title>([^<]*)</title>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func noticeID(t *testing.T, w *fixture.World, lotID string, kind tender.NoticeKind) string {
	t.Helper()
	ns, _, err := w.Tender.Notices(context.Background(), w.Actor("operator"), tender.NoticeFilter{LotID: lotID, Kind: kind})
	if err != nil || len(ns) == 0 {
		t.Fatalf("no %s notice for lot: %v", kind, err)
	}
	return ns[0].ID
}

func TestPortalPagesRenderWithTitleAndLanguage(t *testing.T) {
	e := newEnv(t)
	l := e.w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		e.w.Bid(t, l.ID, i, money.Fen(9_000_000_00+int64(i)*1_000_00))
	}
	e.w.PassDeadline(t, l.ID)
	tn := noticeID(t, e.w, l.ID, tender.NoticeTender)
	b := e.browser()
	pages := []struct{ path, title string }{
		{"/", "首页_" + site},
		{"/notices", "交易信息_" + site},
		{"/notices?cat=works", "工程建设_交易信息_" + site},
		{"/notices/" + tn, "南宁市五象新区道路改造工程第一标段招标公告_交易信息_" + site},
		{"/projects/" + l.ProjectID, "南宁市五象新区道路改造工程_项目_" + site},
		{"/login", "登录_" + site},
		{"/guide", "办事指南_服务指南_" + site},
		{"/rules", "法定时限与规则_政策规则_" + site},
		{"/accessibility", "无障碍说明_网站服务_" + site},
		{"/statement", "网站声明_网站服务_" + site},
	}
	for _, pg := range pages {
		p := b.get(pg.path)
		if p.status != http.StatusOK {
			t.Errorf("%s: status %d: %s", pg.path, p.status, excerpt(p.body))
			continue
		}
		if got := titleOf(p.body); got != pg.title {
			t.Errorf("%s: title %q, want %q", pg.path, got, pg.title)
		}
		for _, want := range []string{`<html lang="zh-CN"`, `href="#main"`, "跳到主要内容", `<main id="main"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("%s: missing %q", pg.path, want)
			}
		}
		if strings.Contains(p.body, "ICP") || strings.Contains(p.body, "网站标识码") || strings.Contains(p.body, "主办：") {
			t.Errorf("%s: footer shows an unconfigured registration item", pg.path)
		}
	}
	proj := b.get("/projects/" + l.ProjectID).body
	for _, want := range []string{"开标记录", "广西第1建筑工程有限公司", "¥9,000,000.00", "全过程记录", "发布招标公告", "招标文件.pdf"} {
		if !strings.Contains(proj, want) {
			t.Errorf("project page lacks %q", want)
		}
	}
	rules := b.get("/rules").body
	for _, r := range e.w.Tender.Rules().All() {
		if !strings.Contains(rules, html.EscapeString(r.Basis)) {
			t.Errorf("rules page lacks basis %s", r.Basis)
		}
	}
}

func TestNoticeListFiltersAreInTheURLAndResults(t *testing.T) {
	e := newEnv(t)
	e.w.PublishedLot(t, fixture.LotOptions{})
	b := e.browser()

	p := b.get("/notices?q=" + url.QueryEscape("道路") + "&type=tender")
	if p.status != 200 {
		t.Fatalf("status %d", p.status)
	}
	if !strings.Contains(p.body, "共 <span class=\"num\">1</span> 条") {
		t.Errorf("want 1 result: %s", excerpt(p.body))
	}
	if !strings.Contains(p.body, "<mark>道路</mark>") {
		t.Error("hit is not marked")
	}
	if !strings.Contains(p.body, `value="道路"`) || !regexp.MustCompile(`<option value="tender" selected>`).MatchString(p.body) {
		t.Error("filters are not reflected in the form")
	}
	if !strings.Contains(p.body, "投标截止") || !strings.Contains(p.body, "北京时间") {
		t.Error("row lacks the next deadline")
	}

	p = b.get("/notices?type=award&region=450200")
	if !strings.Contains(p.body, "共 <span class=\"num\">0</span> 条") || !strings.Contains(p.body, "没有找到符合条件的信息") {
		t.Fatalf("want the empty state: %s", excerpt(p.body))
	}
	if !strings.Contains(p.body, `href="/notices?region=450200"`) || !strings.Contains(p.body, "查看全部信息类型") {
		t.Error("empty state does not suggest widening the type filter by URL")
	}
	if !strings.Contains(p.body, `href="/notices?type=award"`) || !strings.Contains(p.body, "查看全部地区") {
		t.Error("empty state does not suggest widening the region filter by URL")
	}

	p = b.get("/notices?from=bad-date")
	if p.status != 200 || !strings.Contains(p.body, "日期格式应为 YYYY-MM-DD") {
		t.Error("bad date is not explained")
	}
}

func TestUnknownIDsShowTheNotFoundPage(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, path := range []string{"/notices/nope", "/projects/nope", "/no/such/page", "/lots/x/documents/y"} {
		p := b.get(path)
		if p.status != http.StatusNotFound {
			t.Errorf("%s: status %d", path, p.status)
		}
		if !strings.Contains(p.body, "错误代码 404-not_found") || !strings.Contains(p.body, "下一步") || !strings.Contains(p.body, `lang="zh-CN"`) {
			t.Errorf("%s: not the Chinese 404 page: %s", path, excerpt(p.body))
		}
	}
}

func TestPostWithoutCSRFTokenIsForbidden(t *testing.T) {
	e := newEnv(t)
	l := e.w.PublishedLot(t, fixture.LotOptions{})
	anon := e.browser()
	p := anon.post("/login", url.Values{"username": {"bidder1"}, "password": {fixture.Password}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "表单校验码") {
		t.Fatalf("login without csrf: %d", p.status)
	}
	b := e.browser()
	b.login("bidder1")
	p = b.post("/console/lots/"+l.ID+"/obtain", url.Values{})
	if p.status != http.StatusForbidden {
		t.Fatalf("obtain without csrf: %d", p.status)
	}
	p = b.post("/console/lots/"+l.ID+"/obtain", url.Values{"csrf": {"forged"}})
	if p.status != http.StatusForbidden {
		t.Fatalf("obtain with a forged csrf: %d", p.status)
	}
	v, err := e.w.Tender.ViewLot(context.Background(), e.w.Actor("bidder1"), l.ID)
	if err != nil || v.MyAccess {
		t.Fatalf("a forged request changed state: %v %v", err, v.MyAccess)
	}
}

func TestPrincipalConsoleHidesBiddersUntilTheOpening(t *testing.T) {
	e := newEnv(t)
	l := e.w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		e.w.Bid(t, l.ID, i, money.Fen(8_000_000_00+int64(i)*1_000_00))
	}
	b := e.browser()
	b.login("agency")
	for _, path := range []string{"/console", "/console/lots/" + l.ID, "/projects/" + l.ProjectID} {
		p := b.get(path)
		if p.status != 200 {
			t.Fatalf("%s: %d %s", path, p.status, excerpt(p.body))
		}
		for _, bidder := range e.w.Bidders {
			if strings.Contains(p.body, bidder.Name) {
				t.Errorf("%s shows bidder %s before the opening", path, bidder.Name)
			}
		}
		for _, leak := range []string{"3 家", "共3家", "¥8,000,000.00", "项目经理1"} {
			if strings.Contains(p.body, leak) {
				t.Errorf("%s leaks %q before the opening", path, leak)
			}
		}
	}
	if p := b.get("/console/lots/" + l.ID); !strings.Contains(p.body, "开标前不向招标人") {
		t.Error("the console does not explain why bidders are hidden")
	}
	e.w.PassDeadline(t, l.ID)
	b.login("agency") // the session ended while the clock moved 20 days on
	p := b.get("/console/lots/" + l.ID)
	for _, want := range []string{"开标记录", e.w.Bidders[0].Name, e.w.Bidders[2].Name, "¥8,000,000.00", "共 3 家投标人", "招标文件获取记录"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("after the opening the console lacks %q: %s", want, excerpt(p.body))
		}
	}
}

func TestBidderSubmitsABidThroughTheConsoleAndGetsTheReceipt(t *testing.T) {
	e := newEnv(t)
	l := e.w.PublishedLot(t, fixture.LotOptions{})
	b := e.browser()
	b.login("bidder1")
	lotPath := "/console/lots/" + l.ID
	tok := b.csrf(lotPath)

	p := b.follow(b.post(lotPath+"/obtain", url.Values{"csrf": {tok}}))
	if !strings.Contains(p.body, "已获取招标文件") || !strings.Contains(p.body, "登记投标保证金") {
		t.Fatalf("after obtaining: %s", excerpt(p.body))
	}
	// A short deposit is refused with the field message, and the values stay.
	p = b.post(lotPath+"/deposit", url.Values{"csrf": {tok}, "amount": {"10"}, "reference": {"BANK-1"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "保证金金额不足") || !strings.Contains(p.body, `href="#deposit-amount"`) {
		t.Fatalf("short deposit: %d %s", p.status, excerpt(p.body))
	}
	p = b.follow(b.post(lotPath+"/deposit", url.Values{"csrf": {tok}, "amount": {"100000.00"}, "reference": {"BANK-1"}}))
	if !strings.Contains(p.body, "递交投标文件") || !strings.Contains(p.body, `id="bid-price"`) {
		t.Fatalf("after the deposit: %s", excerpt(p.body))
	}
	if !strings.Contains(p.body, "剩 ") || !strings.Contains(p.body, "北京时间") {
		t.Error("no countdown next to the deadline")
	}
	// Missing fields are summarised and repeated inline.
	p = b.postMultipart(lotPath+"/bid", url.Values{"csrf": {tok}, "price": {"abc"}}, "", "", "")
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#bid-price"`) || !strings.Contains(p.body, `href="#bid-project_manager"`) {
		t.Fatalf("bad bid: %d %s", p.status, excerpt(p.body))
	}
	p = b.postMultipart(lotPath+"/bid", url.Values{"csrf": {tok}, "price": {"9,876,543.21"}, "duration_days": {"365"}, "quality": {"合格"}, "project_manager": {"王建"}},
		"file", "商务标.pdf", "投标文件正文")
	if p.status != http.StatusSeeOther || p.loc != lotPath+"/receipt" {
		t.Fatalf("bid: %d %s", p.status, excerpt(p.body))
	}
	p = b.follow(p)
	price := money.Fen(9_876_543_21)
	for _, want := range []string{"投标文件接收回执", "第 1 版", price.String(), "大写：" + price.Capital(), "北京时间", "留痕序号", "商务标.pdf", e.w.Bidders[0].Name} {
		if !strings.Contains(p.body, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	v, err := e.w.Tender.ViewLot(context.Background(), e.w.Actor("bidder1"), l.ID)
	if err != nil || v.MyReceipt == nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.body, v.MyReceipt.ContentHash) || !strings.Contains(p.body, fmt.Sprint(v.MyReceipt.LedgerIndex)) {
		t.Error("receipt lacks the SM3 hash or ledger index")
	}
	// Modify, then withdraw before the deadline.
	p = b.follow(b.postMultipart(lotPath+"/bid", url.Values{"csrf": {tok}, "price": {"9800000"}, "duration_days": {"300"}, "quality": {"合格"}, "project_manager": {"王建"}, "keep_files": {"1"}}, "", "", ""))
	if !strings.Contains(p.body, "第 2 版") || !strings.Contains(p.body, "商务标.pdf") {
		t.Errorf("modified bid receipt: %s", excerpt(p.body))
	}
	p = b.follow(b.post(lotPath+"/withdraw", url.Values{"csrf": {tok}}))
	if !strings.Contains(p.body, "撤回") || !strings.Contains(p.body, "第 3 版") {
		t.Errorf("withdrawal receipt: %s", excerpt(p.body))
	}
}

func TestManagerRegistersAndPublishesThroughTheConsole(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.login("principal")
	tok := b.csrf("/console")
	p := b.post("/console/projects", url.Values{"csrf": {tok}, "name": {"X"}, "supervisor_dept": {""}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#project-name"`) || !strings.Contains(p.body, `href="#project-supervisor_dept"`) {
		t.Fatalf("invalid project: %d %s", p.status, excerpt(p.body))
	}
	p = b.post("/console/projects", url.Values{"csrf": {tok}, "name": {"邕江大桥维修工程"}, "supervisor_dept": {"交通"}, "agency_uscc": {e.w.Agency.USCC}, "funding": {"财政资金"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("project: %d %s", p.status, excerpt(p.body))
	}
	projPath := p.loc
	// A project without lots yet stays on the manager's desk.
	if home := b.get("/console"); !strings.Contains(home.body, "邕江大桥维修工程") || !strings.Contains(home.body, "尚未设置标段") {
		t.Fatalf("console does not list the new project without lots: %s", excerpt(home.body))
	}
	// Security above 2% of the estimate names the rule.
	p = b.post(projPath+"/lots", url.Values{"csrf": {tok}, "name": {"第一标段"}, "procedure": {"open"}, "method": {"comprehensive"}, "estimate": {"1000000"},
		"security": {"50000"}, "category_code": {"A0801"}, "committee_size": {"5"}, "principal_reps": {"1"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "第二十六条") || !strings.Contains(p.body, `href="#lot-security"`) {
		t.Fatalf("security cap: %d %s", p.status, excerpt(p.body))
	}
	p = b.post(projPath+"/lots", url.Values{"csrf": {tok}, "name": {"第一标段"}, "procedure": {"open"}, "method": {"comprehensive"}, "estimate": {"1000000"},
		"security": {"20000"}, "category_code": {"A0801"}, "committee_size": {"5"}, "principal_reps": {"1"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("lot: %d %s", p.status, excerpt(p.body))
	}
	lotPath := p.loc
	p = b.follow(b.postMultipart(lotPath+"/documents", url.Values{"csrf": {tok}}, "file", "招标文件.docx", "第一章 招标公告"))
	if !strings.Contains(p.body, "招标文件.docx") || !strings.Contains(p.body, "SM3") {
		t.Fatalf("upload: %s", excerpt(p.body))
	}
	dl := e.w.Tender.EarliestDeadline(e.w.Clock.Now(), 9, 30)
	if !strings.Contains(p.body, `value="`+dl.In(clock.Shanghai).Format("2006-01-02T15:04")+`"`) {
		t.Error("publish form is not prefilled with the earliest lawful deadline")
	}
	early := dl.AddDate(0, 0, -1).In(clock.Shanghai).Format("2006-01-02T15:04")
	p = b.post(lotPath+"/publish", url.Values{"csrf": {tok}, "docs_from": {e.w.Clock.Now().In(clock.Shanghai).Format("2006-01-02T15:04")}, "docs_until": {early}, "bid_deadline": {early}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "第二十四条") {
		t.Fatalf("early deadline: %d %s", p.status, excerpt(p.body))
	}
	good := dl.In(clock.Shanghai).Format("2006-01-02T15:04")
	p = b.follow(b.post(lotPath+"/publish", url.Values{"csrf": {tok}, "docs_from": {e.w.Clock.Now().In(clock.Shanghai).Format("2006-01-02T15:04")}, "docs_until": {good}, "bid_deadline": {good}, "body": {"欢迎投标。"}}))
	if !strings.Contains(p.body, "招标公告已发布") || !strings.Contains(p.body, "投标中") {
		t.Fatalf("publish: %s", excerpt(p.body))
	}
	if p := e.browser().get("/notices?q=" + url.QueryEscape("邕江")); !strings.Contains(p.body, "<mark>邕江</mark>大桥维修工程第一标段招标公告") {
		t.Error("published notice is not on the public list")
	}
}

func TestLoginRateLimitNamesTheLimitAndWait(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	tok := b.csrf("/login")
	var p page
	for i := 0; i < 11; i++ {
		p = b.post("/login", url.Values{"csrf": {tok}, "username": {"bidder1"}, "password": {"wrong"}})
	}
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
		t.Fatalf("want 429 with Retry-After, got %d", p.status)
	}
	if !strings.Contains(p.body, "每6秒") || !strings.Contains(p.body, "秒后") {
		t.Errorf("rate limit message does not name the limit and the wait: %s", excerpt(p.body))
	}
}

func TestEvaluationAwardAndContractThroughTheConsoles(t *testing.T) {
	e := newEnv(t)
	w := e.w
	l := w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00-int64(i)*1_000_00))
	}
	w.PassDeadline(t, l.ID)
	lotPath := "/console/lots/" + l.ID

	op := e.browser()
	op.login("operator")
	if p := op.get("/console"); !strings.Contains(p.body, "待抽取评标专家") {
		t.Errorf("operator console lacks the draw to-do: %s", excerpt(p.body))
	}
	tok := op.csrf(lotPath)
	p := op.post(lotPath+"/committee", url.Values{"csrf": {tok}, "reps": {"nobody"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#committee-reps"`) {
		t.Fatalf("bad reps: %d %s", p.status, excerpt(p.body))
	}
	if p := op.follow(op.post(lotPath+"/committee", url.Values{"csrf": {tok}, "reps": {"principal2"}})); !strings.Contains(p.body, "评标委员会已组建") {
		t.Fatalf("draw: %s", excerpt(p.body))
	}
	v, err := w.Tender.ViewLot(context.Background(), w.Actor("operator"), l.ID)
	if err != nil || len(v.Committee) != 5 {
		t.Fatalf("committee: %v %d", err, len(v.Committee))
	}
	username := map[string]string{}
	for name, u := range w.Users {
		username[u.ID] = name
	}
	for i, m := range v.Committee {
		b := e.browser()
		b.login(username[m.UserID])
		pg := b.get(lotPath)
		if !strings.Contains(pg.body, "提交评审意见") {
			t.Fatalf("member %s sees no score sheet: %s", m.Name, excerpt(pg.body))
		}
		form := url.Values{"csrf": {csrfRE.FindStringSubmatch(pg.body)[1]}}
		for _, bid := range v.Bids {
			form.Set("pass_"+bid.ID, "1")
		}
		if i == 0 {
			form.Set("pass_"+v.Bids[0].ID, "0") // a failure needs a reason
			p := b.post(lotPath+"/sheet", form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "第五十一条") {
				t.Fatalf("failure without reason: %d %s", p.status, excerpt(p.body))
			}
			form.Set("pass_"+v.Bids[0].ID, "1")
		}
		if p := b.post(lotPath+"/sheet", form); p.status != http.StatusSeeOther {
			t.Fatalf("sheet of %s: %d %s", m.Name, p.status, excerpt(p.body))
		}
	}
	pub := e.browser()
	if p := pub.get("/projects/" + l.ProjectID); !strings.Contains(p.body, "中标候选人公示") || !strings.Contains(p.body, "第1名") {
		t.Fatalf("publicity not on the project page: %s", excerpt(p.body))
	}
	lot, _ := w.GetLot(l.ID)
	w.Clock.Set(lot.PublicityUntil.Add(time.Hour))
	ag := e.browser()
	ag.login("agency")
	pg := ag.get(lotPath)
	if !strings.Contains(pg.body, "确定中标人并发出中标通知书") {
		t.Fatalf("no award form: %s", excerpt(pg.body))
	}
	tok = csrfRE.FindStringSubmatch(pg.body)[1]
	lv, _ := w.Tender.ViewLot(context.Background(), w.Actor("agency"), l.ID)
	first := lv.Report.Candidates[0]
	if p := ag.follow(ag.post(lotPath+"/award", url.Values{"csrf": {tok}, "bid_id": {first.BidID}})); !strings.Contains(p.body, "已确定中标人") {
		t.Fatalf("award: %s", excerpt(p.body))
	}
	today := w.Clock.Now().In(clock.Shanghai).Format("2006-01-02")
	if p := ag.post(lotPath+"/contract", url.Values{"csrf": {tok}, "signed_at": {today}, "amount": {"1"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "第四十六条") {
		t.Fatalf("wrong amount: %d %s", p.status, excerpt(p.body))
	}
	if p := ag.follow(ag.post(lotPath+"/contract", url.Values{"csrf": {tok}, "signed_at": {today}, "amount": {first.Price.Plain()}})); !strings.Contains(p.body, "合同已登记") {
		t.Fatalf("contract: %s", excerpt(p.body))
	}
	p = pub.get("/projects/" + l.ProjectID)
	for _, want := range []string{"中标结果", first.EntityName, "合同订立", "登记书面合同", "确定中标人"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("project page lacks %q", want)
		}
	}
	sup := e.browser()
	sup.login("supervisor")
	if p := sup.get("/console"); !strings.Contains(p.body, "本账号为只读") || !strings.Contains(p.body, "已签约") || !strings.Contains(p.body, "项目页与全过程") {
		t.Errorf("supervisor console: %s", excerpt(p.body))
	}
	if p := sup.get(lotPath); strings.Contains(p.body, `action="/console/lots/`) {
		t.Error("the supervisor sees a form that changes the lot")
	}
}

func TestFontSizeRedirectStaysOnTheSite(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for back, want := range map[string]string{
		"/notices?type=tender": "/notices?type=tender",
		"/%5Cevil.example":     "/", // a backslash is a slash to browsers
		"/%09/evil.example":    "/", // browsers drop tabs
		"//evil.example":       "/",
		"https://evil.example": "/",
	} {
		p := b.get("/fontsize?size=20&back=" + back)
		if p.status != http.StatusSeeOther || p.loc != want {
			t.Errorf("back=%s: %d → %q, want %q", back, p.status, p.loc, want)
		}
	}
}

func TestOnlyManagersSeeTheAddLotForm(t *testing.T) {
	e := newEnv(t)
	l := e.w.PublishedLot(t, fixture.LotOptions{})
	for user, want := range map[string]bool{"agency": true, "principal": true, "supervisor": false, "bidder1": false, "expert1": false} {
		b := e.browser()
		b.login(user)
		p := b.get("/console/projects/" + l.ProjectID)
		if got := strings.Contains(p.body, `action="/console/projects/`+l.ProjectID+`/lots"`); got != want {
			t.Errorf("%s sees the add-lot form: %v, want %v (status %d)", user, got, want, p.status)
		}
	}
}

func TestRefusedUploadsStoreNoFile(t *testing.T) {
	e := newEnv(t)
	l := e.w.PublishedLot(t, fixture.LotOptions{})
	for _, c := range []struct{ user, action, content string }{
		{"expert1", "documents", "专家不能上传的招标文件"},
		{"agency", "documents", "公告发布后不能再上传的文件"},
		{"principal", "bid", "招标人不能递交的投标附件"},
	} {
		b := e.browser()
		b.login(c.user)
		tok := b.csrf("/console/lots/" + l.ID)
		p := b.postMultipart("/console/lots/"+l.ID+"/"+c.action, url.Values{"csrf": {tok}, "price": {"9000000"}, "duration_days": {"300"}, "quality": {"合格"}, "project_manager": {"张工"}}, "file", "x.pdf", c.content)
		if p.status == http.StatusSeeOther {
			t.Errorf("%s %s accepted", c.user, c.action)
		}
		h := gm.SM3([]byte(c.content))
		if f, err := e.w.Blobs.Open(hex.EncodeToString(h[:])); err == nil {
			f.Close()
			t.Errorf("%s %s: the refused upload was stored", c.user, c.action)
		}
	}
}

func TestObserverSeesAllLotsReadOnly(t *testing.T) {
	e := newEnv(t)
	l := e.w.PublishedLot(t, fixture.LotOptions{})
	if _, err := e.w.Party.CreateUser(context.Background(), party.System(), party.UserInput{Username: "observer", Name: "社会监督员", Password: fixture.Password, Role: party.RoleObserver}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("observer")
	p := b.get("/console")
	if p.status != http.StatusOK || !strings.Contains(p.body, l.Code) || !strings.Contains(p.body, "本账号为只读") || strings.Contains(p.body, `id="warn-h"`) {
		t.Fatalf("observer console: %d %s", p.status, excerpt(p.body))
	}
}

func TestMultipartFromTheAnonymousIsRefusedUnread(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	tok := b.csrf("/login")
	p := b.postMultipart("/console/lots/x/documents", url.Values{"csrf": {tok}}, "file", "x.pdf", "匿名上传")
	if p.status != http.StatusUnauthorized {
		t.Fatalf("anonymous multipart: %d", p.status)
	}
}

func TestNoticesSortByDeadline(t *testing.T) {
	e := newEnv(t)
	late := e.w.PublishedLot(t, fixture.LotOptions{DeadlineIn: 40 * 24 * time.Hour})
	soon := e.w.PublishedLot(t, fixture.LotOptions{DeadlineIn: 25 * 24 * time.Hour})
	b := e.browser()
	p := b.get("/notices?type=tender&sort=deadline")
	if p.status != http.StatusOK || !strings.Contains(p.body, `<option value="deadline" selected>`) {
		t.Fatalf("sort=deadline: %d %s", p.status, excerpt(p.body))
	}
	is, il := strings.Index(p.body, noticeID(t, e.w, soon.ID, tender.NoticeTender)), strings.Index(p.body, noticeID(t, e.w, late.ID, tender.NoticeTender))
	if is < 0 || il < 0 || is > il {
		t.Fatalf("the sooner deadline is not listed first (%d, %d)", is, il)
	}
}

func TestSessionIsWarnedAndCanBeExtended(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	b.login("bidder1")
	p := b.get("/console")
	if !strings.Contains(p.body, `id="session-warn"`) || !strings.Contains(p.body, fmt.Sprintf(`data-left-ms="%d"`, (8*time.Hour).Milliseconds())) {
		t.Fatalf("no session warning with the time left: %s", excerpt(p.body))
	}
	e.w.Clock.Advance(7*time.Hour + 58*time.Minute) // the warning shows now
	tok := b.csrf("/console")
	p = b.post("/session/extend", url.Values{"csrf": {tok}, "back": {"/notices"}})
	if p.status != http.StatusSeeOther || p.loc != "/notices" {
		t.Fatalf("extend: %d %q %s", p.status, p.loc, excerpt(p.body))
	}
	e.w.Clock.Advance(3 * time.Hour) // past the original 8 hours
	if p := b.get("/console"); p.status != http.StatusOK || !strings.Contains(p.body, "退出") {
		t.Fatalf("the extended session ended with the original one: %d", p.status)
	}
}

// TestPagesQuoteTheRulesTable: statutory numbers on the pages come from the
// rules table in force, not from the templates (a deployment that tightens
// the security cap to 1.5% shows 1.5%).
func TestPagesQuoteTheRulesTable(t *testing.T) {
	w := fixture.New(t, testkit.OpenSQLite(t))
	set, err := rules.EngineeringTender().With(rules.SecurityCap, 150)
	if err != nil {
		t.Fatal(err)
	}
	d := w.HTTPDeps()
	d.Tender = tender.New(tender.Config{Store: store.Bind[tender.Tx](w.DB), Clock: w.Clock, IDs: w.IDs, Rules: set, Calendar: w.Calendar, Region: fixture.Region})
	h, err := web.New(d)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/guide", nil))
	if body := rec.Body.String(); !strings.Contains(body, "不超过估算价1.50%") || strings.Contains(body, "不超过估算价2%") {
		t.Fatalf("guide does not quote the rules table: %s", excerpt(body))
	}
}
