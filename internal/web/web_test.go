package web_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
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
		{"/experts", "评标专家库_评标专家_" + site},
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
	pg := op.get(lotPath)
	// The request form is prefilled from the lot: its category, the expert seats (5 − 1), two backups.
	for _, re := range []string{`id="draw-specialty0"[^>]*value="A0801"`, `id="draw-count0"[^>]*value="4"`, `id="draw-backups0"[^>]*value="2"`, `id="draw-remote"`, `id="draw-reps"`} {
		if !regexp.MustCompile(re).MatchString(pg.body) {
			t.Errorf("the draw form lacks %s: %s", re, excerpt(pg.body))
		}
	}
	tok := csrfRE.FindStringSubmatch(pg.body)[1]
	drawForm := func(kv ...string) url.Values {
		f := url.Values{"csrf": {tok}, "specialty0": {"A0801"}, "count0": {"4"}, "backups0": {"2"}, "reps": {"principal2"}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	p := op.post(lotPath+"/draw", drawForm("reps", "nobody"))
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#draw-reps"`) || !strings.Contains(p.body, `id="draw-reps"`) {
		t.Fatalf("bad reps: %d %s", p.status, excerpt(p.body))
	}
	p = op.post(lotPath+"/draw", drawForm("count0", "3"))
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#draw-needs"`) || !strings.Contains(p.body, "合计应为 4 名") ||
		!regexp.MustCompile(`id="draw-count0"[^>]*value="3"`).MatchString(p.body) {
		t.Fatalf("wrong count: %d %s", p.status, excerpt(p.body))
	}
	if p := op.follow(op.post(lotPath+"/draw", drawForm())); !strings.Contains(p.body, "抽取请求已承诺入账") || !strings.Contains(p.body, "已提交，待随机数") ||
		!strings.Contains(p.body, "正在等待其后的签名检查点") || strings.Contains(p.body, `action="`+lotPath+`/draw"`) {
		t.Fatalf("draw request: %s", excerpt(p.body))
	}
	// The job runs the draw on the first checkpoint after the request.
	ctx := context.Background()
	ds, _, err := w.Tender.ListLotDraws(ctx, w.Actor("operator"), l.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("draws: %v %d", err, len(ds))
	}
	if err := w.Tender.RunDraw(ctx, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	ds, invs, err := w.Tender.ListLotDraws(ctx, w.Actor("operator"), l.ID)
	if err != nil || ds[0].Status != tender.DrawDone {
		t.Fatalf("draw: %v %+v", err, ds)
	}
	d := ds[0]
	pg = op.get(lotPath)
	for _, want := range []string{"专家抽取记录", "第1次抽取", "已抽取", "本地评标", d.RequestDigest, d.PoolDigest, d.ResultDigest, "A0801 房屋建筑工程",
		fmt.Sprintf(`href="/api/v1/ledger/entries?start=%d&amp;end=%d"`, d.RequestIndex, d.RequestIndex+1),
		"ggzy verify-draw --url " + e.ts.URL + " --draw " + d.ID, "待确认", "备选第1位", "没有专家因回避被排除"} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("operator's draw panel lacks %q", want)
		}
	}
	username := map[string]string{}
	for name, u := range w.Users {
		username[u.ID] = name
	}
	for _, iv := range invs {
		if !strings.Contains(pg.body, iv.Name) {
			t.Errorf("the operator does not see drawn expert %s", iv.Name)
		}
	}
	// The invited experts confirm in their portal.
	for _, iv := range invs {
		if iv.Status != tender.InvInvited {
			continue
		}
		b := e.browser()
		b.login(username[iv.UserID])
		if home := b.get("/console"); !strings.Contains(home.body, "抽取通知") || !strings.Contains(home.body, "前确认是否参加评标") {
			t.Errorf("%s's console lacks the invitation: %s", iv.Name, excerpt(home.body))
		}
		pg := b.get("/console/invitations")
		if pg.status != http.StatusOK || !strings.Contains(pg.body, l.Code) || !strings.Contains(pg.body, "确认参加") || !strings.Contains(pg.body, "剩 ") {
			t.Fatalf("%s's notices: %d %s", iv.Name, pg.status, excerpt(pg.body))
		}
		p := b.follow(b.post("/console/invitations/"+iv.ID, url.Values{"csrf": {csrfRE.FindStringSubmatch(pg.body)[1]}, "answer": {"accept"}, "declare": {"1"}}))
		if !strings.Contains(p.body, "已确认参加评标") {
			t.Fatalf("confirm of %s: %s", iv.Name, excerpt(p.body))
		}
	}
	v, err := w.Tender.ViewLot(ctx, w.Actor("operator"), l.ID)
	if err != nil || len(v.Committee) != 5 {
		t.Fatalf("committee: %v %d", err, len(v.Committee))
	}
	if p := op.get(lotPath); !strings.Contains(p.body, "已确认参加") || strings.Contains(p.body, `action="`+lotPath+`/draw"`) {
		t.Errorf("after the confirmations: %s", excerpt(p.body))
	}
	// The centre opens the evaluation room.
	if p := op.follow(op.post(lotPath+"/room/start", url.Values{"csrf": {tok}})); !strings.Contains(p.body, "评标已开始") {
		t.Fatalf("start: %s", excerpt(p.body))
	}
	for i, m := range v.Committee {
		b := e.browser()
		b.login(username[m.UserID])
		if pg := b.get(lotPath); !strings.Contains(pg.body, `href="`+lotPath+`/room"`) {
			t.Fatalf("member %s's lot page has no link to the room: %s", m.Name, excerpt(pg.body))
		}
		pg := b.get(lotPath + "/room")
		if !strings.Contains(pg.body, "签名并提交评审意见") {
			t.Fatalf("member %s sees no score sheet: %s", m.Name, excerpt(pg.body))
		}
		form := url.Values{"csrf": {csrfRE.FindStringSubmatch(pg.body)[1]}}
		var lines []tender.SheetLine
		for _, bid := range v.Bids {
			lines = append(lines, tender.SheetLine{BidID: bid.ID, Pass: true})
		}
		if i == 0 {
			form.Set("fail_"+v.Bids[0].ID+"_responsive", "1") // a failed criterion needs a reason
			p := b.post(lotPath+"/room/sheet", form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "第五十一条") {
				t.Fatalf("failure without reason: %d %s", p.status, excerpt(p.body))
			}
			form.Del("fail_" + v.Bids[0].ID + "_responsive")
		}
		// The member signs the sheet with their own key (in the browser; here the fixture's key).
		sig := w.SignSheet(t, w.ActorByID(m.UserID), l.Code, lines)
		form.Set("sig_fingerprint", sig.Fingerprint)
		form.Set("signature", sig.Signature)
		if p := b.post(lotPath+"/room/sheet", form); p.status != http.StatusSeeOther {
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
	pg = ag.get(lotPath)
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
	// The supervisor's only form on the lot is the experts' rating (issue 4 §4).
	if p := sup.get(lotPath); slices.ContainsFunc(regexp.MustCompile(`action="(/console/lots/[^"]*)"`).FindAllStringSubmatch(p.body, -1), func(m []string) bool {
		return m[1] != lotPath+"/rate"
	}) {
		t.Error("the supervisor sees a form that changes the lot")
	} else if card := section(p.body, "ratings"); !strings.Contains(card, "评标专家表现评价") || !committeeRated(card, v.Committee) {
		t.Errorf("the supervisor's rating card does not list the experts by name: %s", card)
	} else if !strings.Contains(p.body, "专家抽取记录") || !strings.Contains(p.body, "只读") || !strings.Contains(p.body, "ggzy verify-draw") {
		t.Errorf("the supervisor does not see the draw record: %s", excerpt(p.body))
	}
}

// section is the <section> of a page with that id ("" without one).
func section(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</section>")
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

// committeeRated: the rating card names every expert of the committee
// and no principal's representative.
func committeeRated(card string, ms []tender.Member) bool {
	for _, m := range ms {
		if strings.Contains(card, m.Name) != (m.Kind == tender.MemberExpert) {
			return false
		}
	}
	return len(ms) > 0
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

// ---- the expert pool and the draw (issue 4)

// newExpertUser opens a login with the expert role (the administrator's job).
func newExpertUser(t *testing.T, w *fixture.World, username, name string) party.User {
	t.Helper()
	u, err := w.Party.CreateUser(context.Background(), party.System(), party.UserInput{Username: username, Name: name, Password: fixture.Password, Role: party.RoleExpert})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestExpertAppliesIsReviewedAndListed(t *testing.T) {
	e := newEnv(t)
	w := e.w
	u11 := newExpertUser(t, w, "expert11", "李建华")
	b := e.browser()
	b.login("expert11")
	if p := b.get("/console"); !strings.Contains(p.body, `href="/console/profile"`) || !strings.Contains(p.body, `href="/console/invitations"`) {
		t.Fatalf("the expert's console lacks its links: %s", excerpt(p.body))
	}
	if p := b.get("/console/profile"); p.status != http.StatusOK || !strings.Contains(p.body, "您尚未在专家库中") || !strings.Contains(p.body, `href="/console/experts/apply"`) {
		t.Fatalf("profile before applying: %d %s", p.status, excerpt(p.body))
	}
	pg := b.get("/console/experts/apply")
	for _, want := range []string{`<optgroup label="工程 · A08 工程施工">`, `<option value="A0801">`, `<option value="A080201">`, `<label for="apply-specialty0">`, `id="apply-id_number"`, `value="李建华"`} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("the application form lacks %q", want)
		}
	}
	tok := csrfRE.FindStringSubmatch(pg.body)[1]
	idNumber := expert.IDNumber("45010219750315001")
	form := url.Values{"csrf": {tok}, "name": {"李建华"}, "id_number": {"450102197503150019X"}, "employer_name": {"广西建工集团"}, "title": {"高级工程师"},
		"senior": {"1"}, "field_since": {"2000"}, "city": {"450300"}, "contact": {"13800000000"}}
	// A wrong identity number and no specialty: both named, the values kept.
	p := b.post("/console/experts", form)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#apply-id_number"`) || !strings.Contains(p.body, `href="#apply-specialties"`) ||
		!strings.Contains(p.body, "身份证号码：") || !strings.Contains(p.body, `value="广西建工集团"`) {
		t.Fatalf("bad application: %d %s", p.status, excerpt(p.body))
	}
	form.Set("id_number", idNumber)
	form.Set("specialty0", "A0801")
	form.Set("specialty1", "A080201")
	p = b.post("/console/experts", form)
	if p.status != http.StatusSeeOther || p.loc != "/console/profile" {
		t.Fatalf("application: %d %s", p.status, excerpt(p.body))
	}
	p = b.follow(p)
	masked := idNumber[:4] + "**********" + idNumber[14:]
	for _, want := range []string{"入库申请已提交", "待审核", masked, "A0801 房屋建筑工程", "A080201 道路工程", "提交入库申请", "个人申报"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the profile lacks %q", want)
		}
	}
	if strings.Contains(p.body, idNumber) {
		t.Error("the profile shows the identity number unmasked")
	}
	// Once is enough.
	if p := b.post("/console/experts", form); p.status != http.StatusConflict || !strings.Contains(p.body, "不能重复申请") {
		t.Errorf("second application: %d %s", p.status, excerpt(p.body))
	}

	op := e.browser()
	op.login("operator")
	if p := op.get("/console"); !strings.Contains(p.body, `href="/console/experts"`) {
		t.Error("the operator's console has no link to the pool")
	}
	p = op.get("/console/experts?status=applied")
	if p.status != http.StatusOK || !strings.Contains(p.body, "李建华") || strings.Contains(p.body, "专家01") || !strings.Contains(p.body, "共 <span class=\"num\">1</span> 人") {
		t.Fatalf("applicants: %d %s", p.status, excerpt(p.body))
	}
	if p := op.get("/console/experts?specialty=B"); !strings.Contains(p.body, "没有符合条件的专家") {
		t.Error("a filter without matches does not say so")
	}
	if p := op.get("/console/experts?specialty=A0802"); !strings.Contains(p.body, "李建华") || strings.Contains(p.body, "专家01") {
		t.Error("the specialty filter is not a prefix of the codes")
	}
	if p := op.get("/console/experts?specialty=x1"); !strings.Contains(p.body, "专业代码应为字母") {
		t.Error("a malformed specialty is not explained")
	}
	mine, err := w.Expert.Mine(context.Background(), u11.Actor(""))
	if err != nil {
		t.Fatal(err)
	}
	detail := "/console/experts/" + mine.ID
	pg = op.get(detail)
	if !strings.Contains(pg.body, "审核入库申请") || !strings.Contains(pg.body, masked) {
		t.Fatalf("the operator's view of the application: %s", excerpt(pg.body))
	}
	tok = csrfRE.FindStringSubmatch(pg.body)[1]
	p = op.post(detail+"/review", url.Values{"csrf": {tok}, "decision": {"reject"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#review-reason"`) || !strings.Contains(p.body, "<details class=\"pool-form\" open>") {
		t.Fatalf("reject without a reason: %d %s", p.status, excerpt(p.body))
	}
	// Self-applied: the login is linked already.
	p = op.follow(op.post(detail+"/review", url.Values{"csrf": {tok}, "decision": {"approve"}}))
	for _, want := range []string{"已审核通过", "在库", "审核通过入库", "提交入库申请", "（交易中心）"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("after the approval the record lacks %q", want)
		}
	}
	p = op.get("/console/experts?status=active")
	if !strings.Contains(p.body, "李建华") || !strings.Contains(p.body, "专家01") || !strings.Contains(p.body, "共 <span class=\"num\">11</span> 人") {
		t.Errorf("the active pool: %s", excerpt(p.body))
	}
	if p := b.get("/console/profile"); !strings.Contains(p.body, "在库") || !strings.Contains(p.body, "审核通过入库") {
		t.Errorf("the expert's profile after the approval: %s", excerpt(p.body))
	}

	// The centre enters an employer's paper recommendation; approval links a login, which must be an expert's.
	pg = op.get("/console/experts/apply")
	tok = csrfRE.FindStringSubmatch(pg.body)[1]
	p = op.post("/console/experts", url.Values{"csrf": {tok}, "name": {"王敏"}, "id_number": {expert.IDNumber("45030219780601002")}, "employer_name": {"桂林市政设计院"},
		"title": {"正高级工程师"}, "senior": {"1"}, "field_since": {"2001"}, "specialty0": {"A0802"}, "city": {"450300"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/console/experts/") {
		t.Fatalf("recommendation: %d %s", p.status, excerpt(p.body))
	}
	rec := p.loc
	if p := op.follow(p); !strings.Contains(p.body, "单位推荐") || !strings.Contains(p.body, "未关联") {
		t.Errorf("the recommended record: %s", excerpt(p.body))
	}
	p = op.post(rec+"/review", url.Values{"csrf": {tok}, "decision": {"approve"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#review-user"`) {
		t.Fatalf("approval without a login: %d %s", p.status, excerpt(p.body))
	}
	p = op.post(rec+"/review", url.Values{"csrf": {tok}, "decision": {"approve"}, "user": {"bidder1"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "不是评标专家账号") || !strings.Contains(p.body, `value="bidder1"`) {
		t.Fatalf("approval with a bidder's login: %d %s", p.status, excerpt(p.body))
	}
	newExpertUser(t, w, "expert12", "王敏")
	if p := op.follow(op.post(rec+"/review", url.Values{"csrf": {tok}, "decision": {"approve"}, "user": {"expert12"}})); !strings.Contains(p.body, "在库") || !strings.Contains(p.body, "已关联") {
		t.Errorf("approval with the expert's login: %s", excerpt(p.body))
	}
	// A bidder's user recommends its own staff: the employer is its entity, whatever the form says.
	bd := e.browser()
	bd.login("bidder1")
	pg = bd.get("/console/experts/apply")
	if !strings.Contains(pg.body, w.Bidders[0].Name) || strings.Contains(pg.body, `id="apply-employer_uscc"`) {
		t.Fatalf("the employer's form: %s", excerpt(pg.body))
	}
	p = bd.follow(bd.post("/console/experts", url.Values{"csrf": {csrfRE.FindStringSubmatch(pg.body)[1]}, "name": {"赵工"}, "id_number": {expert.IDNumber("45010219800101777")},
		"employer_uscc": {w.Bidders[1].USCC}, "title": {"高级工程师"}, "senior": {"1"}, "field_since": {"2005"}, "specialty0": {"A0801"}, "city": {"450100"}}))
	if !strings.Contains(p.body, "已推荐 赵工 入库") {
		t.Fatalf("employer's recommendation: %s", excerpt(p.body))
	}
	xs, err := w.Expert.List(context.Background(), w.Actor("operator"), expert.Filter{Status: expert.Applied})
	if err != nil || len(xs) != 1 || xs[0].EmployerID != w.Bidders[0].ID || xs[0].Via != expert.ViaEmployer {
		t.Fatalf("the recommendation names another employer: %v %+v", err, xs)
	}
	// Pool records are not the public's, nor a bidder's.
	if p := bd.get("/console/experts"); p.status != http.StatusForbidden {
		t.Errorf("a bidder opens the pool: %d", p.status)
	}
	if p := bd.get(detail); p.status != http.StatusNotFound {
		t.Errorf("a bidder opens an expert's record: %d", p.status)
	}
}

func TestSanctionAndReinstatementThroughTheConsoles(t *testing.T) {
	e := newEnv(t)
	w := e.w
	id := w.Experts[0].ID
	path := "/console/experts/" + id
	sup := e.browser()
	sup.login("supervisor")
	pg := sup.get(path)
	if pg.status != http.StatusOK || !strings.Contains(pg.body, "暂停抽取或列入黑名单") || strings.Contains(pg.body, "审核入库申请") || strings.Contains(pg.body, "办理出库") {
		t.Fatalf("the supervisor's view: %d %s", pg.status, excerpt(pg.body))
	}
	tok := csrfRE.FindStringSubmatch(pg.body)[1]
	// Missing reason and source: both named, summarised and inline.
	p := sup.post(path+"/sanction", url.Values{"csrf": {tok}, "blacklist": {"0"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("empty sanction: %d %s", p.status, excerpt(p.body))
	}
	for _, want := range []string{`href="#sanction-reason"`, `href="#sanction-source"`, "事由：请写明事由", "依据：请写明依据", `id="sanction-reason" name="reason" rows="2" aria-invalid="true"`, "错误代码 422-invalid"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("empty sanction lacks %q", want)
		}
	}
	// A period in the past, and one that is not a time.
	past := w.Clock.Now().Add(-time.Hour).In(clock.Shanghai).Format("2006-01-02T15:04")
	p = sup.post(path+"/sanction", url.Values{"csrf": {tok}, "blacklist": {"0"}, "reason": {"无故缺席评标"}, "source": {"住建局决定书〔2026〕7号"}, "until": {past}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#sanction-until"`) || !strings.Contains(p.body, "期限应晚于当前时间") || !strings.Contains(p.body, "无故缺席评标") {
		t.Fatalf("past period: %d %s", p.status, excerpt(p.body))
	}
	p = sup.post(path+"/sanction", url.Values{"csrf": {tok}, "blacklist": {"0"}, "reason": {"无故缺席评标"}, "source": {"住建局决定书〔2026〕7号"}, "until": {"下个月"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#sanction-until"`) || !strings.Contains(p.body, "YYYY-MM-DD HH:MM") {
		t.Fatalf("unreadable period: %d %s", p.status, excerpt(p.body))
	}
	until := w.Clock.Now().AddDate(0, 3, 0).In(clock.Shanghai).Format("2006-01-02T15:04")
	p = sup.follow(sup.post(path+"/sanction", url.Values{"csrf": {tok}, "blacklist": {"0"}, "reason": {"无故缺席评标"}, "source": {"住建局决定书〔2026〕7号"}, "until": {until}}))
	for _, want := range []string{"已暂停抽取", "暂停", "无故缺席评标", "住建局决定书〔2026〕7号", "恢复在库"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("after the suspension the record lacks %q", want)
		}
	}
	ex := e.browser()
	ex.login("expert1")
	if p := ex.get("/console/profile"); !strings.Contains(p.body, "您目前被暂停抽取") || !strings.Contains(p.body, "无故缺席评标") {
		t.Errorf("the expert's profile does not show the suspension: %s", excerpt(p.body))
	}
	// Auditors read; the centre cannot lift a sanction.
	au := e.browser()
	au.login("auditor")
	if p := au.get(path); p.status != http.StatusOK || strings.Contains(p.body, `action="/console/experts/`) || !strings.Contains(p.body, "只能查看") {
		t.Errorf("the auditor's view: %d %s", p.status, excerpt(p.body))
	}
	op := e.browser()
	op.login("operator")
	if p := op.post(path+"/reinstate", url.Values{"csrf": {op.csrf(path)}, "reason": {"期满"}}); p.status != http.StatusForbidden {
		t.Errorf("the centre reinstated: %d", p.status)
	}
	p = sup.post(path+"/reinstate", url.Values{"csrf": {tok}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#reinstate-reason"`) {
		t.Fatalf("reinstatement without a reason: %d %s", p.status, excerpt(p.body))
	}
	p = sup.follow(sup.post(path+"/reinstate", url.Values{"csrf": {tok}, "reason": {"经复核，处理决定已撤销"}}))
	if !strings.Contains(p.body, "已恢复在库") || !strings.Contains(p.body, "恢复在库") || !strings.Contains(p.body, "暂停抽取") {
		t.Errorf("after the reinstatement: %s", excerpt(p.body))
	}
	// The expert leaves of their own accord; the history stays.
	pg = ex.get("/console/profile")
	if !strings.Contains(pg.body, "申请退出专家库") {
		t.Fatalf("no voluntary exit on the profile: %s", excerpt(pg.body))
	}
	p = ex.follow(ex.post(path+"/exit", url.Values{"csrf": {csrfRE.FindStringSubmatch(pg.body)[1]}, "kind": {"voluntary"}}))
	for _, want := range []string{"您已退出专家库", "已出库", "本人申请退出", "暂停抽取", "恢复在库"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("after the exit the profile lacks %q", want)
		}
	}
}

// drawnLot is an opened lot whose first draw (4 experts and 2 backups of
// A0801) has run.
func drawnLot(t *testing.T, w *fixture.World) (tender.Lot, []tender.Invitation) {
	t.Helper()
	ctx := context.Background()
	l := w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00-int64(i)*1_000_00))
	}
	w.PassDeadline(t, l.ID)
	d, err := w.Tender.RequestDraw(ctx, w.Actor("operator"), l.ID, tender.DrawInput{Needs: []draw.Need{{Specialty: "A0801", Count: 4, Backups: 2}}, Reps: []string{"principal2"}}, w.Party.UserByUsername)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Tender.RunDraw(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	_, invs, err := w.Tender.ListLotDraws(ctx, w.Actor("operator"), l.ID)
	if err != nil || len(invs) != 6 {
		t.Fatalf("invitations: %v %d", err, len(invs))
	}
	return l, invs
}

func TestExpertConfirmsAndDeclinesAndTheBackupIsInvited(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	l, invs := drawnLot(t, w)
	username := map[string]string{}
	for name, u := range w.Users {
		username[u.ID] = name
	}
	var invited, backups []tender.Invitation
	for _, iv := range invs {
		if iv.Backup {
			backups = append(backups, iv)
		} else {
			invited = append(invited, iv)
		}
	}
	if len(invited) != 4 || len(backups) != 2 {
		t.Fatalf("%d invited, %d backups", len(invited), len(backups))
	}
	slices.SortFunc(backups, func(a, b tender.Invitation) int { return a.Seq - b.Seq })
	login := func(iv tender.Invitation) *browser {
		b := e.browser()
		b.login(username[iv.UserID])
		return b
	}
	// A backup not yet needed has nothing to answer.
	bk := login(backups[0])
	if p := bk.get("/console/invitations"); strings.Contains(p.body, l.Code) || !strings.Contains(p.body, "目前没有抽取通知") {
		t.Fatalf("a standby backup sees the lot: %s", excerpt(p.body))
	}

	// The first expert confirms; a second answer is refused with a message.
	a := login(invited[0])
	pg := a.get("/console/invitations")
	form := "inv-" + invited[0].ID
	for _, want := range []string{l.Code, l.Name, "待确认", "北京时间", "剩 30 分钟", `id="` + form + `-accept"`, `for="` + form + `-reason"`, "请勿向任何人透露"} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("the notices lack %q", want)
		}
	}
	tok := csrfRE.FindStringSubmatch(pg.body)[1]
	p := a.follow(a.post("/console/invitations/"+invited[0].ID, url.Values{"csrf": {tok}, "answer": {"accept"}, "declare": {"1"}}))
	if !strings.Contains(p.body, "已确认参加评标") || !strings.Contains(p.body, "已确认参加") || strings.Contains(p.body, `id="`+form+`-accept"`) {
		t.Fatalf("after confirming: %s", excerpt(p.body))
	}
	p = a.post("/console/invitations/"+invited[0].ID, url.Values{"csrf": {tok}, "answer": {"decline"}, "reason": {"改变主意"}})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "该通知已处理（已确认参加）") || !strings.Contains(p.body, "错误代码 409-conflict") {
		t.Fatalf("answering twice: %d %s", p.status, excerpt(p.body))
	}
	// Another expert's invitation is not hers to answer.
	if p := a.post("/console/invitations/"+invited[1].ID, url.Values{"csrf": {tok}, "answer": {"accept"}, "declare": {"1"}}); p.status != http.StatusNotFound {
		t.Errorf("answering another's invitation: %d", p.status)
	}

	// The second declines: a reason is required; then the first backup is invited.
	d := login(invited[1])
	pg = d.get("/console/invitations")
	tok = csrfRE.FindStringSubmatch(pg.body)[1]
	form = "inv-" + invited[1].ID
	p = d.post("/console/invitations/"+invited[1].ID, url.Values{"csrf": {tok}, "answer": {"decline"}, "reason": {"  "}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#`+form+`-reason"`) || !strings.Contains(p.body, "不能参加的原因：请填写原因") {
		t.Fatalf("decline without a reason: %d %s", p.status, excerpt(p.body))
	}
	p = d.follow(d.post("/console/invitations/"+invited[1].ID, url.Values{"csrf": {tok}, "answer": {"decline"}, "reason": {"与投标人存在利害关系，主动回避"}}))
	if !strings.Contains(p.body, "已登记不能参加") || !strings.Contains(p.body, "已拒绝") || !strings.Contains(p.body, "与投标人存在利害关系，主动回避") {
		t.Fatalf("after declining: %s", excerpt(p.body))
	}
	_, invs, err := w.Tender.ListLotDraws(ctx, w.Actor("operator"), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]tender.InvitationStatus{}
	for _, iv := range invs {
		status[iv.ID] = iv.Status
	}
	if status[backups[0].ID] != tender.InvInvited || status[backups[1].ID] != tender.InvStandby || status[invited[1].ID] != tender.InvDeclined {
		t.Fatalf("after the decline: %v", status)
	}
	pg = bk.get("/console/invitations")
	if !strings.Contains(pg.body, l.Code) || !strings.Contains(pg.body, "备选专家递补") || !strings.Contains(pg.body, `id="inv-`+backups[0].ID+`-accept"`) {
		t.Fatalf("the backup is not invited in the portal: %s", excerpt(pg.body))
	}
	if p := bk.get("/console"); !strings.Contains(p.body, "1 条待确认") {
		t.Errorf("the backup's console does not count the invitation: %s", excerpt(p.body))
	}
	// The centre sees the seat move; the supervisor sees the record without names.
	op := e.browser()
	op.login("operator")
	p = op.get("/console/lots/" + l.ID)
	for _, want := range []string{"已拒绝", "与投标人存在利害关系，主动回避", "正在等待答复", invited[1].Name, backups[0].Name} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the operator's panel lacks %q", want)
		}
	}
	if strings.Contains(p.body, `action="/console/lots/`+l.ID+`/draw"`) {
		t.Error("a further draw is offered while experts are still answering")
	}
	sup := e.browser()
	sup.login("supervisor")
	p = sup.get("/console/lots/" + l.ID)
	if !strings.Contains(p.body, "专家抽取记录") || !strings.Contains(p.body, "定标前保密") || !strings.Contains(p.body, "已拒绝") {
		t.Errorf("the supervisor's panel: %s", excerpt(p.body))
	}
	for _, iv := range invs {
		if strings.Contains(p.body, iv.Name) {
			t.Errorf("the supervisor sees drawn expert %s before the award", iv.Name)
		}
	}

	// Past the deadline the backup's answer is refused, and the page says why.
	w.Clock.Advance(31 * time.Minute)
	pg = bk.get("/console/invitations")
	if !strings.Contains(pg.body, "已超过确认期限，不能再答复") || strings.Contains(pg.body, `id="inv-`+backups[0].ID+`-accept"`) {
		t.Errorf("the late notice: %s", excerpt(pg.body))
	}
	p = bk.post("/console/invitations/"+backups[0].ID, url.Values{"csrf": {csrfRE.FindStringSubmatch(pg.body)[1]}, "answer": {"accept"}, "declare": {"1"}})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "已超过确认期限") || !strings.Contains(p.body, "错误代码 409-deadline") {
		t.Fatalf("a late answer: %d %s", p.status, excerpt(p.body))
	}
}

func TestFailedRemoteDrawAndTheFurtherAttempt(t *testing.T) {
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
	tok := op.csrf(lotPath)
	// Remote evaluation leaves out the project's city, where all ten fixture experts live.
	if p := op.post(lotPath+"/draw", url.Values{"csrf": {tok}, "specialty0": {"A0801"}, "count0": {"4"}, "backups0": {"2"}, "reps": {"principal2"}, "remote": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("remote draw: %d %s", p.status, excerpt(p.body))
	}
	ctx := context.Background()
	ds, _, err := w.Tender.ListLotDraws(ctx, w.Actor("operator"), l.ID)
	if err != nil || len(ds) != 1 {
		t.Fatal(err)
	}
	if err := w.Tender.RunDraw(ctx, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	p := op.get(lotPath)
	for _, want := range []string{"抽取失败", "远程异地评标", "专业 A0801 符合条件的专家仅 0 名", "回避与排除", "异地评标",
		"补充抽取评标专家（第2次抽取）", `id="draw-reason"`, "ggzy verify-draw"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("after the failed draw the page lacks %q", want)
		}
	}
	if strings.Contains(p.body, `id="draw-reps"`) {
		t.Error("a further attempt asks for the representatives again")
	}
	// A further attempt must say why (it is public).
	p = op.post(lotPath+"/draw", url.Values{"csrf": {tok}, "specialty0": {"A0801"}, "count0": {"4"}, "backups0": {"2"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#draw-reason"`) || !strings.Contains(p.body, "第2次抽取") {
		t.Fatalf("a further attempt without a reason: %d %s", p.status, excerpt(p.body))
	}
	p = op.follow(op.post(lotPath+"/draw", url.Values{"csrf": {tok}, "specialty0": {"A0801"}, "count0": {"4"}, "backups0": {"2"}, "reason": {"异地专家不足，改为本地评标"}}))
	if !strings.Contains(p.body, "第 2 次抽取请求已承诺入账") || !strings.Contains(p.body, "异地专家不足，改为本地评标") {
		t.Errorf("the further attempt: %s", excerpt(p.body))
	}
	// The failure is a warning on the lot, and the timeline names both steps.
	if p := e.browser().get("/projects/" + l.ProjectID); !strings.Contains(p.body, "提交专家抽取请求") || !strings.Contains(p.body, "专家抽取失败") {
		t.Errorf("the public timeline lacks the draw: %s", excerpt(p.body))
	}
}

// formCommittee draws the lot's experts (principal2 as the principal's
// representative), runs the draw and has every invited expert confirm; the
// room waits for the centre to start it (fixture.Committee starts it).
func formCommittee(t *testing.T, w *fixture.World, lotID string) []tender.Member {
	t.Helper()
	ctx := context.Background()
	l, err := w.GetLot(lotID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.Tender.RequestDraw(ctx, w.Actor("operator"), lotID, tender.DrawInput{
		Needs: []draw.Need{{Specialty: "A0801", Count: l.CommitteeSize - l.PrincipalReps, Backups: 2}}, Reps: []string{"principal2"}}, w.Party.UserByUsername)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Tender.RunDraw(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	_, invs, err := w.Tender.ListLotDraws(ctx, w.Actor("operator"), lotID)
	if err != nil {
		t.Fatal(err)
	}
	for _, iv := range invs {
		if iv.Status == tender.InvInvited {
			if _, err := w.Tender.RespondInvitation(ctx, w.ActorByID(iv.UserID), iv.ID, true, "", true); err != nil {
				t.Fatal(err)
			}
		}
	}
	v, err := w.Tender.ViewLot(ctx, w.Actor("operator"), lotID)
	if err != nil || len(v.Committee) != l.CommitteeSize {
		t.Fatalf("committee: %v, %d members", err, len(v.Committee))
	}
	return v.Committee
}

func usernameOf(w *fixture.World, userID string) string {
	for name, u := range w.Users {
		if u.ID == userID {
			return name
		}
	}
	return ""
}

// sseEvent is one server-sent event as a client reads it.
type sseEvent struct{ id, typ, data string }

// stream opens an event stream with the visitor's cookies, resuming after
// lastID when given; the events arrive on the channel until stop.
func (b *browser) stream(path, lastID string) (<-chan sseEvent, func()) {
	b.e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.e.ts.URL+path, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := b.c.Do(req)
	if err != nil {
		cancel()
		b.e.t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		cancel()
		b.e.t.Fatalf("stream %s: %d %q %s", path, res.StatusCode, res.Header.Get("Content-Type"), excerpt(string(body)))
	}
	ch := make(chan sseEvent, 16)
	go func() {
		defer close(ch)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.id != "" || ev.data != "" {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.typ = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data += strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return ch, cancel
}

func nextEvent(t *testing.T, ch <-chan sseEvent, within time.Duration) (sseEvent, bool) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		return ev, ok
	case <-time.After(within):
		return sseEvent{}, false
	}
}

var versionRE = regexp.MustCompile(`id="room" data-events="[^"]+" data-version="(\d+)"`)

// TestEvaluationRoomThroughThePages: the centre starts the room; its live
// event stream announces each change with the room's version as the event
// ID and resumes after Last-Event-ID; members vote, find the time
// insufficient, and submit sheets signed over the digest the server computes
// from the very form they post; a deviating score is explained; the
// evaluation finishes with the report. The supervisor follows by seat
// numbers only (《招标投标法》第三十七条).
func TestEvaluationRoomThroughThePages(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	l := w.PublishedLot(t, fixture.LotOptions{Method: tender.Comprehensive})
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00+int64(i)*100_000_00))
	}
	w.PassDeadline(t, l.ID)
	members := formCommittee(t, w, l.ID)
	lotPath := "/console/lots/" + l.ID
	roomP := lotPath + "/room"

	// The centre opens the room from the lot page.
	op := e.browser()
	op.login("operator")
	if p := op.get(lotPath); !strings.Contains(p.body, `href="`+roomP+`"`) || !strings.Contains(p.body, "待开始评标") {
		t.Fatalf("operator's lot page lacks the room: %s", excerpt(p.body))
	}
	pg := op.get(roomP)
	for _, want := range []string{"评标室", "待开始评标", "本地评标", "服务器时间", "宣布开始评标后计时", `action="` + roomP + `/start"`, members[0].Name, "0/5"} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("waiting room lacks %q", want)
		}
	}
	tok := csrfRE.FindStringSubmatch(pg.body)[1]
	pg = op.follow(op.post(roomP+"/start", url.Values{"csrf": {tok}}))
	for _, want := range []string{"评标已开始", "评标中", "计划结束", "剩 ", "登记故障并暂停评标", "更换专家"} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("started room lacks %q: %s", want, excerpt(pg.body))
		}
	}
	// A failure needs its description; the room pauses and resumes.
	if p := op.post(roomP+"/failure", url.Values{"csrf": {tok}, "failure": {" "}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#failure-failure"`) {
		t.Fatalf("failure without text: %d %s", p.status, excerpt(p.body))
	}
	if p := op.follow(op.post(roomP+"/failure", url.Values{"csrf": {tok}, "failure": {"异地评标室视频会商系统中断"}})); !strings.Contains(p.body, "故障暂停") || !strings.Contains(p.body, "恢复评标") {
		t.Fatalf("failure: %s", excerpt(p.body))
	}
	if p := op.follow(op.post(roomP+"/resume", url.Values{"csrf": {tok}})); !strings.Contains(p.body, "评标已恢复") || !strings.Contains(p.body, "评标中") {
		t.Fatalf("resume: %s", excerpt(p.body))
	}

	// The supervisor watches by seat numbers, read-only.
	sup := e.browser()
	sup.login("supervisor")
	if p := sup.get(lotPath); !strings.Contains(p.body, `href="`+roomP+`"`) {
		t.Errorf("supervisor's lot page lacks the room link")
	}
	p := sup.get(roomP)
	if p.status != http.StatusOK || !strings.Contains(p.body, "第1席") || !strings.Contains(p.body, "定标前保密") || strings.Contains(p.body, `action="/console/lots/`) {
		t.Fatalf("supervisor's room: %d %s", p.status, excerpt(p.body))
	}
	for _, m := range members {
		if strings.Contains(p.body, m.Name) {
			t.Errorf("the supervisor's room names member %s", m.Name)
		}
	}

	// Members' browsers.
	bs := make([]*browser, len(members))
	for i, m := range members {
		bs[i] = e.browser()
		bs[i].login(usernameOf(w, m.UserID))
	}
	roomOf := func(i int) (page, string) {
		p := bs[i].get(roomP)
		if p.status != http.StatusOK {
			t.Fatalf("room of %s: %d %s", members[i].Name, p.status, excerpt(p.body))
		}
		return p, csrfRE.FindStringSubmatch(p.body)[1]
	}

	// Seated members find the room from their consoles and notices.
	for i, m := range members {
		home := bs[i].get("/console")
		if !strings.Contains(home.body, `href="`+roomP+`"`) || !strings.Contains(home.body, "请进入评标室评审并签名提交评审意见") || !strings.Contains(home.body, `href="/console/keys"`) {
			t.Errorf("%s's console lacks the room: %s", m.Name, excerpt(home.body))
		}
		if m.Kind == tender.MemberExpert {
			if p := bs[i].get("/console/invitations"); !strings.Contains(p.body, `href="`+roomP+`"`) {
				t.Errorf("%s's notices lack the room: %s", m.Name, excerpt(p.body))
			}
		}
	}

	// The live stream: a change after the page's version comes as an event
	// whose ID is the new version.
	p0, tok0 := roomOf(0)
	shown, _ := strconv.ParseInt(versionRE.FindStringSubmatch(p0.body)[1], 10, 64)
	events, stop := bs[0].stream(roomP+"/events", "")
	if p := bs[0].follow(bs[0].post(roomP+"/chair", url.Values{"csrf": {tok0}, "chair": {members[1].ID}})); !strings.Contains(p.body, "已投票推选主任委员") {
		t.Fatalf("chair vote: %s", excerpt(p.body))
	}
	ev, ok := nextEvent(t, events, 5*time.Second)
	v1, _ := strconv.ParseInt(ev.id, 10, 64)
	if !ok || ev.typ != "room" || v1 <= shown || ev.data != fmt.Sprintf(`{"version":%d}`, v1) {
		t.Fatalf("event after the vote: %+v (ok %v), page version %d", ev, ok, shown)
	}
	stop()
	// Two more votes elect the chair while nobody watches; a stream that
	// resumes after the last event it saw gets the change at once.
	for _, i := range []int{1, 2} {
		_, tk := roomOf(i)
		bs[i].follow(bs[i].post(roomP+"/chair", url.Values{"csrf": {tk}, "chair": {members[1].ID}}))
	}
	v2, err := w.Tender.RoomVersion(ctx, w.Actor("operator"), l.ID)
	if err != nil || v2 <= v1 {
		t.Fatalf("version %d after %d: %v", v2, v1, err)
	}
	events, stop = bs[0].stream(roomP+"/events", strconv.FormatInt(v1, 10))
	if ev, ok := nextEvent(t, events, 3*time.Second); !ok || ev.id != strconv.FormatInt(v2, 10) || ev.typ != "room" {
		t.Fatalf("resumed after %d: %+v (ok %v), want id %d", v1, ev, ok, v2)
	}
	stop()
	// An ID the server cannot resume from gets a reset with the current version.
	events, stop = sup.stream(roomP+"/events", "999999999")
	if ev, ok := nextEvent(t, events, 3*time.Second); !ok || ev.typ != "reset" || ev.id != strconv.FormatInt(v2, 10) {
		t.Fatalf("reset: %+v (ok %v)", ev, ok)
	}
	stop()
	// Not for those outside the room.
	bd := e.browser()
	bd.login("bidder1")
	if p := bd.get(roomP + "/events"); p.status != http.StatusNotFound {
		t.Errorf("bidder's event stream: %d", p.status)
	}
	if p := e.browser().get(roomP + "/events"); p.status != http.StatusUnauthorized {
		t.Errorf("anonymous event stream: %d", p.status)
	}

	if p, _ := roomOf(0); !strings.Contains(p.body, "主任委员") || !strings.Contains(p.body, "主任委员已选出") {
		t.Errorf("the chair is not marked: %s", excerpt(p.body))
	}
	// Two of five find the time insufficient: more than a third, extended.
	for _, i := range []int{3, 4} {
		_, tk := roomOf(i)
		p := bs[i].follow(bs[i].post(roomP+"/insufficient", url.Values{"csrf": {tk}}))
		if i == 4 && !strings.Contains(p.body, "评标时间已延长至") {
			t.Fatalf("extension: %s", excerpt(p.body))
		}
	}
	if r, _ := w.Tender.ViewRoom(ctx, w.Actor("operator"), l.ID); r.Room.Extensions != 1 {
		t.Fatalf("extensions %d", r.Room.Extensions)
	}

	// The sheets. The price item is computed; the others are typed.
	var subjective []tender.ScoreItem
	for _, it := range l.Scoring {
		if !it.Price {
			subjective = append(subjective, it)
		}
	}
	lv, _ := w.Tender.ViewLot(ctx, w.Actor("operator"), l.ID)
	bids := lv.Bids
	sheetForm := func(tk string, i int) (url.Values, []tender.SheetLine) {
		f := url.Values{"csrf": {tk}}
		var lines []tender.SheetLine
		for j, b := range bids {
			ln := tender.SheetLine{BidID: b.ID, Pass: true, Scores: map[string]int64{}}
			for _, it := range subjective {
				sc := it.Max * 8 / 10
				if i == len(members)-1 && j == 0 && it.Key == subjective[0].Key {
					sc = it.Max * 4 / 10 // far below the others: a deviation
				}
				f.Set("score_"+b.ID+"_"+it.Key, fmt.Sprintf("%d.%02d", sc/100, sc%100))
				ln.Scores[it.Key] = sc
			}
			lines = append(lines, ln)
		}
		return f, lines
	}
	for i, m := range members {
		a := w.ActorByID(m.UserID)
		pg, tk := roomOf(i)
		for _, want := range []string{`id="sheet-form"`, "由平台按公式计算", "基准价比值法", "需要浏览器启用 JavaScript 并支持 WebAssembly", "尚未登记有效的评审签名公钥", `href="/console/keys?back=`} {
			if !strings.Contains(pg.body, want) {
				t.Errorf("%s's room lacks %q", m.Name, want)
			}
		}
		form, lines := sheetForm(tk, i)
		if i == 0 {
			if !strings.Contains(pg.body, "提交本人的评审意见后，方可查看其他成员的评审意见") {
				t.Errorf("the first member is not told when others' sheets appear")
			}
			// A score that is not a number: the digest and the form both say where.
			bad := url.Values{}
			for k, vs := range form {
				bad[k] = vs
			}
			bad.Set("score_"+bids[0].ID+"_"+subjective[0].Key, "八十")
			if p := bs[i].post(roomP+"/digest", bad); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `"fields"`) {
				t.Errorf("digest of a bad form: %d %s", p.status, p.body)
			}
			field := bids[0].ID + "." + subjective[0].Key
			if p := bs[i].post(roomP+"/sheet", bad); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#sheet-`+field+`"`) || !strings.Contains(p.body, `id="sheet-`+field+`"`) {
				t.Errorf("bad score: %d %s", p.status, excerpt(p.body))
			}
			// Unsigned.
			if p := bs[i].post(roomP+"/sheet", form); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "第五十三条") || !strings.Contains(p.body, `href="#sheet-signature"`) {
				t.Errorf("unsigned sheet: %d %s", p.status, excerpt(p.body))
			}
			// Signed with a key that was never registered.
			k, err := gm.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			d, _ := tender.SheetDigest(l.Code, m.UserID, lines)
			raw, _ := hex.DecodeString(d)
			sig, _ := k.Sign(rand.Reader, raw)
			stray := url.Values{}
			for k, vs := range form {
				stray[k] = vs
			}
			stray.Set("sig_fingerprint", k.Public().Fingerprint())
			stray.Set("signature", base64.StdEncoding.EncodeToString(sig))
			if p := bs[i].post(roomP+"/sheet", stray); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "未登记") || !strings.Contains(p.body, `href="/console/keys?back=`) {
				t.Errorf("unregistered key: %d %s", p.status, excerpt(p.body))
			}
		}
		// The digest the page signs is that of exactly the posted lines.
		p := bs[i].post(roomP+"/digest", form)
		var dj struct{ Digest string }
		if p.status != http.StatusOK || json.Unmarshal([]byte(p.body), &dj) != nil {
			t.Fatalf("digest: %d %s", p.status, p.body)
		}
		if want, _ := tender.SheetDigest(l.Code, m.UserID, lines); dj.Digest != want {
			t.Fatalf("the server's digest %s is not that of the form's lines %s", dj.Digest, want)
		}
		sig := w.SignSheet(t, a, l.Code, lines)
		form.Set("sig_fingerprint", sig.Fingerprint)
		form.Set("signature", sig.Signature)
		p = bs[i].post(roomP+"/sheet", form)
		if p.status != http.StatusSeeOther || p.loc != roomP {
			t.Fatalf("sheet of %s: %d %s", m.Name, p.status, excerpt(p.body))
		}
		p = bs[i].follow(p)
		if !strings.Contains(p.body, "评审意见已签名提交") || !strings.Contains(p.body, fmt.Sprintf("%d/5", i+1)) {
			t.Errorf("after %s's sheet: %s", m.Name, excerpt(p.body))
		}
		if i > 0 && (!strings.Contains(p.body, "其他成员的评审意见") || !strings.Contains(p.body, members[0].Name+` <small class="muted">提交于`)) {
			t.Errorf("%s does not see the sheets already in: %s", m.Name, excerpt(p.body))
		}
		if i == 2 {
			if p := sup.get(roomP); !strings.Contains(p.body, "3/5") || !strings.Contains(p.body, "第1席 <small") {
				t.Errorf("the supervisor's progress: %s", excerpt(p.body))
			}
		}
	}

	// The last member's low score deviates: they explain it.
	last := len(members) - 1
	pg, tk := roomOf(last)
	form := "dev-" + bids[0].ID + "-" + subjective[0].Key
	for _, want := range []string{"待说明评分偏离", "评分偏离", `id="` + form + `-explanation"`, "偏离"} {
		if !strings.Contains(pg.body, want) {
			t.Errorf("the deviating member's room lacks %q: %s", want, excerpt(pg.body))
		}
	}
	if p, _ := roomOf(0); strings.Contains(p.body, form+"-explanation") {
		t.Error("another member is asked to explain a deviation that is not theirs")
	}
	explain := url.Values{"csrf": {tk}, "bid": {bids[0].ID}, "item": {subjective[0].Key}, "explanation": {"短"}}
	if p := bs[last].post(roomP+"/explain", explain); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#`+form+`-explanation"`) {
		t.Fatalf("short explanation: %d %s", p.status, excerpt(p.body))
	}
	explain.Set("explanation", "该投标人施工组织设计缺少雨季施工措施，故扣分较多")
	if p := bs[last].follow(bs[last].post(roomP+"/explain", explain)); !strings.Contains(p.body, "评分偏离的书面说明已提交") || !strings.Contains(p.body, "评标结束") ||
		!strings.Contains(p.body, lotPath+"/report.pdf") {
		t.Fatalf("after the explanation: %s", excerpt(p.body))
	}
	if got, _ := w.GetLot(l.ID); got.Status != tender.Publicity {
		t.Fatalf("lot %s after the evaluation", got.Status)
	}
	if p := sup.get(roomP); !strings.Contains(p.body, "评标结束") || !strings.Contains(p.body, "雨季施工措施") {
		t.Errorf("supervisor after the evaluation: %s", excerpt(p.body))
	}
	if p := bs[0].get(lotPath); !strings.Contains(p.body, lotPath+"/report.pdf") {
		t.Errorf("member's lot page lacks the report link")
	}
}

// TestPrincipalDecidesAfterARoomFailure: a failure before the start outlasts
// its wait; the tenderer, who does not see the room, decides on the lot page
// to continue; the room waits to be started again.
func TestPrincipalDecidesAfterARoomFailure(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	l := w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00+int64(i)*100_000_00))
	}
	w.PassDeadline(t, l.ID)
	formCommittee(t, w, l.ID)
	lotPath := "/console/lots/" + l.ID
	roomP := lotPath + "/room"

	op := e.browser()
	op.login("operator")
	tok := op.csrf(roomP)
	if p := op.follow(op.post(roomP+"/failure", url.Values{"csrf": {tok}, "failure": {"评标专用网络线路故障"}})); !strings.Contains(p.body, "故障暂停") || !strings.Contains(p.body, "逾期由招标人决定") {
		t.Fatalf("failure before the start: %s", excerpt(p.body))
	}
	r, _ := w.Tender.ViewRoom(ctx, w.Actor("operator"), l.ID)
	w.Clock.Set(r.Room.ResumeBy.Add(time.Minute))
	if err := w.Tender.RoomFailureDue(ctx, l.ID); err != nil {
		t.Fatal(err)
	}

	pr := e.browser()
	pr.login("principal")
	pg := pr.get(lotPath)
	if !strings.Contains(pg.body, "请招标人决定") || !strings.Contains(pg.body, `action="`+roomP+`/decide"`) {
		t.Fatalf("the tenderer is not asked to decide: %s", excerpt(pg.body))
	}
	if p := pr.get(roomP); p.status != http.StatusNotFound {
		t.Errorf("the tenderer sees the room: %d", p.status)
	}
	tok = csrfRE.FindStringSubmatch(pg.body)[1]
	if p := pr.post(roomP+"/decide", url.Values{"csrf": {tok}, "reason": {"故障已排除"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#decide-proceed"`) {
		t.Fatalf("decision without a choice: %d %s", p.status, excerpt(p.body))
	}
	if p := pr.post(roomP+"/decide", url.Values{"csrf": {tok}, "proceed": {"1"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#decide-reason"`) {
		t.Fatalf("decision without a reason: %d %s", p.status, excerpt(p.body))
	}
	p := pr.post(roomP+"/decide", url.Values{"csrf": {tok}, "proceed": {"1"}, "reason": {"故障已排除，按原评标委员会继续评标"}})
	if p.status != http.StatusSeeOther || p.loc != lotPath {
		t.Fatalf("decision: %d %q %s", p.status, p.loc, excerpt(p.body))
	}
	if p = pr.follow(p); !strings.Contains(p.body, "已决定继续评标") || strings.Contains(p.body, `action="`+roomP+`/decide"`) {
		t.Errorf("after the decision: %s", excerpt(p.body))
	}
	if p := op.get(roomP); !strings.Contains(p.body, "待开始评标") || !strings.Contains(p.body, `action="`+roomP+`/start"`) {
		t.Errorf("the room after the decision: %s", excerpt(p.body))
	}
}

// ---- 评标专家表现评价, 履职记录, the pool a page at a time, the public page (issue 4 §4)

// ratingForm is the rating form of an expert seat on a lot page, as posted.
func ratingForm(tok string, seat int, score, comment string) url.Values {
	return url.Values{"csrf": {tok}, "seat": {strconv.Itoa(seat)}, "score": {score}, "comment": {comment}}
}

func TestExpertsAreRatedAfterTheReportAndTheRecordShowsIt(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	l := w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00-int64(i)*1_000_00))
	}
	w.PassDeadline(t, l.ID)
	lotPath := "/console/lots/" + l.ID
	ag := e.browser()
	ag.login("agency")
	if p := ag.get(lotPath); strings.Contains(p.body, "评标专家表现评价") {
		t.Error("the rating card shows before the report")
	}
	// Before the report the domain refuses, and says why.
	tok := csrfRE.FindStringSubmatch(ag.get(lotPath).body)[1]
	if p := ag.post(lotPath+"/rate", ratingForm(tok, 2, "4", "")); p.status != http.StatusConflict || !strings.Contains(p.body, "评标结束后才能评价专家表现") {
		t.Fatalf("rating before the report: %d %s", p.status, excerpt(p.body))
	}
	rep := w.Evaluate(t, l.ID)
	v, err := w.Tender.ViewLot(ctx, w.Actor("operator"), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	ms := v.Committee
	var experts []tender.Member
	seatOf := map[string]int{}
	for i, m := range ms {
		if m.Kind == tender.MemberExpert {
			experts = append(experts, m)
			seatOf[m.ExpertID] = i + 1
		}
	}

	// During the publicity: the names are secret (TBL 37). The agency cannot
	// tell the seats apart yet; the supervisor rates by seat number.
	if card := section(ag.get(lotPath).body, "ratings"); !strings.Contains(card, "定标后可在此逐名评价") || strings.Contains(card, "<form") {
		t.Errorf("the agency's card during the publicity: %s", card)
	}
	sup := e.browser()
	sup.login("supervisor")
	pg := sup.get(lotPath)
	card := section(pg.body, "ratings")
	for _, m := range ms {
		if strings.Contains(pg.body, m.Name) {
			t.Errorf("the supervisor's lot page names committee member %s before the award", m.Name)
		}
	}
	target := experts[1]
	seat := seatOf[target.ExpertID]
	form := "rate-" + strconv.Itoa(seat)
	if !strings.Contains(card, `name="seat" value="`+strconv.Itoa(seat)+`"`) || !strings.Contains(card, fmt.Sprintf("第%d席", seat)) ||
		!strings.Contains(card, `<label class="radio"><input type="radio" name="score" value="2"> 较差</label>`) {
		t.Fatalf("the supervisor's rating card: %s", card)
	}
	tok = csrfRE.FindStringSubmatch(pg.body)[1]
	// 较差 without a comment: the field is named, inline and in the summary; the score stays chosen.
	p := sup.post(lotPath+"/rate", ratingForm(tok, seat, "2", ""))
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("a low score without comment: %d %s", p.status, excerpt(p.body))
	}
	card = section(p.body, "ratings")
	for _, want := range []string{`href="#` + form + `-comment"`, `id="` + form + `-comment" name="comment" rows="2" maxlength="500" aria-invalid="true"`, "请写明情形", `value="2" checked`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("a low score without comment lacks %q", want)
		}
	}
	if !strings.Contains(card, "请写明情形") {
		t.Errorf("the comment error is not inline: %s", card)
	}
	// No score at all.
	if p := sup.post(lotPath+"/rate", ratingForm(tok, seat, "", "")); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `href="#`+form+`-score"`) {
		t.Errorf("no score: %d %s", p.status, excerpt(p.body))
	}
	p = sup.post(lotPath+"/rate", ratingForm(tok, seat, "2", "评审中多次离席，未按时提交评审意见"))
	if p.status != http.StatusSeeOther || p.loc != lotPath+"#ratings" {
		t.Fatalf("the supervisor's rating: %d %s", p.status, excerpt(p.body))
	}
	p = sup.follow(p)
	card = section(p.body, "ratings")
	if !strings.Contains(p.body, "已评价第") || !strings.Contains(p.body, "较差（2分）") || !strings.Contains(card, "您已于") ||
		strings.Contains(card, `name="seat" value="`+strconv.Itoa(seat)+`"`) || !strings.Contains(card, "评审中多次离席") {
		t.Errorf("after the supervisor's rating: %s", card)
	}
	// The pages give the supervisor no expert numbers of the committee before the award,
	// and its view of the record does not name the lot.
	for _, m := range experts {
		if strings.Contains(p.body, m.ExpertID) {
			t.Errorf("the supervisor's lot page carries the expert number of %s before the award", m.Name)
		}
	}
	if rec := section(sup.get("/console/experts/"+target.ExpertID).body, "record"); !strings.Contains(rec, "较差（2分）") || !strings.Contains(rec, "定标前保密") || strings.Contains(rec, l.Code) {
		t.Errorf("the supervisor's view of the record before the award: %s", rec)
	}
	// The agency cannot tell the seats apart before the award: told why, and when it can rate.
	if p := ag.post(lotPath+"/rate", ratingForm(csrfRE.FindStringSubmatch(ag.get(lotPath).body)[1], seat, "4", "")); p.status != http.StatusConflict ||
		!strings.Contains(p.body, "《招标投标法》第三十七条") || !strings.Contains(p.body, "定标后请回到本页逐名评价") {
		t.Errorf("the agency's rating during the publicity: %d %s", p.status, excerpt(p.body))
	}

	// The award: the names are public and the agency rates each expert by name.
	lot, _ := w.GetLot(l.ID)
	w.Clock.Set(lot.PublicityUntil.Add(time.Hour))
	if _, err := w.Tender.DecideAward(ctx, w.Actor("agency"), l.ID, tender.AwardInput{BidID: rep.Candidates[0].BidID}); err != nil {
		t.Fatal(err)
	}
	ag.login("agency") // the sessions ended with the clock's jump
	sup.login("supervisor")
	pg = ag.get(lotPath)
	card = section(pg.body, "ratings")
	if !committeeRated(card, ms) || strings.Count(card, `action="`+lotPath+`/rate"`) != len(experts) {
		t.Fatalf("the agency's rating card after the award: %s", excerpt(pg.body))
	}
	tok = csrfRE.FindStringSubmatch(pg.body)[1]
	p = ag.post(lotPath+"/rate", ratingForm(tok, seat, "4", ""))
	if p.status != http.StatusSeeOther {
		t.Fatalf("the agency's rating: %d %s", p.status, excerpt(p.body))
	}
	if p := ag.follow(p); !strings.Contains(p.body, "已评价"+target.Name+"：良好（4分）") {
		t.Errorf("the agency is not told the rating was recorded: %s", excerpt(p.body))
	} else if c := section(p.body, "ratings"); !strings.Contains(c, "您已于") || strings.Count(c, `action="`+lotPath+`/rate"`) != len(experts)-1 {
		t.Errorf("the agency's own rating is not shown in place of the form: %s", c)
	}
	// A second rating of the same expert is refused with the message, at that expert's form.
	p = ag.post(lotPath+"/rate", ratingForm(tok, seat, "5", ""))
	if p.status != http.StatusConflict || !strings.Contains(p.body, "您已评价过该专家在本标段的表现") || !strings.Contains(p.body, "错误代码 409-") {
		t.Fatalf("a second rating: %d %s", p.status, excerpt(p.body))
	}
	if c := section(p.body, "ratings"); !strings.Contains(c[strings.Index(c, `id="`+form+`-h"`):], `class="field-err" role="alert"`) {
		t.Errorf("the refusal is not at the expert's form: %s", c)
	}
	// Only the lot's agency and supervisors rate.
	for _, u := range []string{"principal", "operator", "bidder1", "auditor"} {
		b := e.browser()
		b.login(u)
		pg := b.get(lotPath)
		if strings.Contains(pg.body, "评标专家表现评价") {
			t.Errorf("%s sees the rating card", u)
		}
		if p := b.post(lotPath+"/rate", ratingForm(csrfRE.FindStringSubmatch(pg.body)[1], seat, "1", "差")); p.status != http.StatusForbidden {
			t.Errorf("%s rated: %d", u, p.status)
		}
	}

	// 履职记录 on the expert's page (staff): draws, ratings with lot, rater, score, comment.
	op := e.browser()
	op.login("operator")
	pg = op.get("/console/experts/" + target.ExpertID)
	rec := section(pg.body, "record")
	for _, want := range []string{"履职记录", `被抽中</dt><dd class="num">1 次`, `确认参加评标</dt><dd class="num">1 次`, `拒绝或逾期未确认</dt><dd class="num">0 次`,
		`评分偏离</dt><dd class="num">0 次`, `平均 <strong class="num">3.00</strong> 分`, `href="/console/lots/` + l.ID + `">` + l.Code + `</a>`,
		"招标代理机构", "行政监督", "良好（4分）", "较差（2分）", "评审中多次离席，未按时提交评审意见"} {
		if !strings.Contains(rec, want) {
			t.Errorf("the record lacks %q", want)
		}
	}
	if strings.Index(rec, "良好（4分）") > strings.Index(rec, "较差（2分）") {
		t.Error("the ratings are not newest first")
	}
	// The supervisor sees the same; the expert's own profile does not carry it.
	if rec := section(sup.get("/console/experts/"+target.ExpertID).body, "record"); !strings.Contains(rec, "良好（4分）") {
		t.Errorf("the supervisor's view of the record: %s", rec)
	}
	ex := e.browser()
	ex.login(usernameOf(w, target.UserID))
	if p := ex.get("/console/profile"); p.status != http.StatusOK || strings.Contains(p.body, "履职记录") {
		t.Errorf("the expert's profile: %d", p.status)
	}
}

func TestPoolListIsReadAPageAtATime(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	op := w.Actor("operator")
	names := map[string]bool{}
	for _, x := range w.Experts {
		names[x.Name] = true
	}
	// 55 applications on top of the fixture's 10 experts: 65, two pages of 50.
	for i := 0; i < 55; i++ {
		name := fmt.Sprintf("申请人%02d", i)
		if _, err := w.Expert.Apply(ctx, op, expert.Input{Name: name, IDNumber: expert.IDNumber(fmt.Sprintf("45010219800101%03d", i)), EmployerName: "广西大学",
			Title: "高级工程师", Senior: true, FieldSince: 2005, Specialties: []string{"A0801"}, City: "450100"}); err != nil {
			t.Fatal(err)
		}
		names[name] = true
	}
	b := e.browser()
	b.login("operator")
	rowRE := regexp.MustCompile(`<td data-label="姓名">([^<]+)<br>`)
	rows := func(p page) []string {
		var out []string
		for _, m := range rowRE.FindAllStringSubmatch(p.body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	p1 := b.get("/console/experts")
	if p1.status != http.StatusOK || !strings.Contains(p1.body, `共 <span class="num">65</span> 人，第 1/2 页`) || len(rows(p1)) != 50 ||
		!strings.Contains(p1.body, `href="/console/experts?page=2" rel="next"`) || strings.Contains(p1.body, `rel="prev"`) {
		t.Fatalf("page 1: %d rows %s", len(rows(p1)), excerpt(p1.body))
	}
	// The counts per status cover the whole pool, not the page.
	for _, want := range []string{`全部 <strong class="num">65</strong>`, `待审核</span> <strong class="num">55</strong>`, `在库</span> <strong class="num">10</strong>`} {
		if !strings.Contains(p1.body, want) {
			t.Errorf("page 1 lacks the count %q", want)
		}
	}
	p2 := b.get("/console/experts?page=2")
	if !strings.Contains(p2.body, "第 2/2 页") || len(rows(p2)) != 15 || !strings.Contains(p2.body, `href="/console/experts?page=1" rel="prev"`) || strings.Contains(p2.body, `rel="next"`) {
		t.Fatalf("page 2: %d rows %s", len(rows(p2)), excerpt(p2.body))
	}
	seen := map[string]bool{}
	for _, n := range append(rows(p1), rows(p2)...) {
		if seen[n] {
			t.Errorf("%s is on both pages", n)
		}
		seen[n] = true
	}
	if len(seen) != len(names) {
		t.Errorf("the two pages show %d experts of %d", len(seen), len(names))
	}
	// A page past the end shows the last one; the filters stay in the page links.
	if p := b.get("/console/experts?page=99"); !strings.Contains(p.body, "第 2/2 页") || len(rows(p)) != 15 {
		t.Errorf("page 99: %d rows", len(rows(p)))
	}
	p := b.get("/console/experts?status=applied&specialty=A08&page=2")
	if !strings.Contains(p.body, `共 <span class="num">55</span> 人，第 2/2 页`) || len(rows(p)) != 5 ||
		!strings.Contains(p.body, `href="/console/experts?page=1&amp;specialty=A08&amp;status=applied" rel="prev"`) {
		t.Errorf("filtered page 2: %d rows %s", len(rows(p)), excerpt(p.body))
	}
	if p := b.get("/console/experts?status=active"); strings.Contains(p.body, "第 1/") || len(rows(p)) != 10 || strings.Contains(p.body, `class="pager"`) {
		t.Errorf("one page of active experts: %d rows", len(rows(p)))
	}
}

func TestPublicExpertsPageNamesNoExpert(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := context.Background()
	// A suspension and a blacklisting exist: the page still names nobody.
	if _, err := w.Expert.Sanction(ctx, w.Actor("supervisor"), w.Experts[2].ID, false, "无故缺席评标", "住建局决定书〔2026〕7号", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Expert.Sanction(ctx, w.Actor("supervisor"), w.Experts[3].ID, true, "收受投标人财物", "住建局决定书〔2026〕8号", time.Time{}); err != nil {
		t.Fatal(err)
	}
	b := e.browser() // not logged in
	p := b.get("/experts")
	if p.status != http.StatusOK || titleOf(p.body) != "评标专家库_评标专家_"+site {
		t.Fatalf("/experts: %d %q %s", p.status, titleOf(p.body), excerpt(p.body))
	}
	pol := expert.DefaultPolicy()
	for _, want := range []string{
		`<a href="/experts" aria-current="page">评标专家</a>`,
		fmt.Sprintf(`满 <strong class="num">%d</strong> 年`, pol.YearsMin), fmt.Sprintf(`年龄未满 <strong class="num">%d</strong> 周岁`, pol.AgeMax),
		"《招标投标法》第三十七条", expert.BasisAge, expert.BasisDraw, `href="/console/experts/apply"`, "需要登录",
		"ggzy verify-draw --url " + e.ts.URL + " --draw", "工作单位为本标段当事人", "行政监督部门工作人员", "暂停抽取期间",
		"《招标投标法》第四十四条", "暂停抽取 <strong class=\"num\">1</strong> 名；列入黑名单 <strong class=\"num\">1</strong> 名", `<td data-label="代码"><code>A</code></td>`, `<td data-label="名称">土地矿业权</td>`, `href="/experts?code=A#codes"`, `href="/experts?level=2#codes"`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("/experts lacks %q", want)
		}
	}
	// The classification by level: a code's children, a whole level, a wrong code.
	if p := b.get("/experts?code=a08"); !strings.Contains(p.body, "<code>A0801</code>") || !strings.Contains(p.body, `<span aria-current="page">A08 工程施工</span>`) ||
		!strings.Contains(p.body, `<a href="/experts?code=A#codes">A 工程</a>`) || strings.Contains(p.body, "<code>B") {
		t.Errorf("/experts?code=A08: %s", excerpt(p.body))
	}
	if p := b.get("/experts?level=3"); !strings.Contains(p.body, "<code>A0801</code>") || strings.Contains(p.body, "<code>A08</code>") ||
		!strings.Contains(p.body, `href="/experts?level=3#codes" aria-current="true"`) {
		t.Errorf("/experts?level=3: %s", excerpt(p.body))
	}
	if p := b.get("/experts?code=Z99"); p.status != http.StatusOK || !strings.Contains(p.body, "分类表中没有代码“Z99”") || !strings.Contains(p.body, "<code>A</code>") {
		t.Errorf("/experts?code=Z99: %d %s", p.status, excerpt(p.body))
	}
	// No pool names or IDs, on any view of the page.
	for _, path := range []string{"/experts", "/experts?level=4", "/experts?code=A0801"} {
		body := b.get(path).body
		for _, x := range w.Experts {
			for _, s := range []string{x.Name, x.ID, x.IDNumber, expert.MaskID(x.IDNumber)} {
				if strings.Contains(body, s) {
					t.Errorf("%s shows %q of an expert", path, s)
				}
			}
		}
		for _, s := range []string{"无故缺席评标", "收受投标人财物", "住建局决定书"} {
			if strings.Contains(body, s) {
				t.Errorf("%s shows a sanction's detail %q", path, s)
			}
		}
	}
	// The application form asks the anonymous visitor to log in first.
	if p := b.get("/console/experts/apply"); p.status != http.StatusSeeOther || p.loc != "/login?next="+url.QueryEscape("/console/experts/apply") {
		t.Errorf("apply without login: %d %s", p.status, p.loc)
	}
}
