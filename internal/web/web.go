// Package web is the server-rendered Chinese web UI: the public portal
// (notices, projects, rules, guide) and the consoles of every role. Pages are
// html/template, embedded with their static files; every page works without
// JavaScript, and every state has its own URL (UI.md).
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/httpx"
	"ggzy/internal/ids"
	"ggzy/internal/party"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Cookie names.
const (
	SessionCookie  = "ggzy_session"
	csrfCookie     = "ggzy_csrf"
	flashCookie    = "ggzy_flash"
	fontSizeCookie = "ggzy_fs"
	careCookie     = "ggzy_care"
)

// maxForm bounds a form body without files.
const maxForm = 1 << 20

type server struct {
	d      httpx.Deps
	pages  map[string]*template.Template
	mux    *http.ServeMux
	static http.Handler
	assets *staticAssets
	// candidates lists who may be named a custodian, when the party service
	// can (see custodyLister); otherwise the form takes usernames.
	candidates func(ctx context.Context) ([]party.User, error)
	// live follows the evaluation rooms for their pages (server-sent events).
	live *roomLive
	// sales follows the land, mining-right and property sales for their
	// live views and the bidders' rooms (server-sent events).
	sales *saleLive
}

// New returns the web UI handler. It serves every path it is given; the
// caller mounts /api/, /healthz, /readyz and /metrics elsewhere.
//
// The handler also implements io.Closer: Close ends the event streams of
// the evaluation rooms and of the sales and stops their pollers. Register
// it with http.Server.RegisterOnShutdown, so that Shutdown is not held up
// by open streams.
func New(d httpx.Deps) (http.Handler, error) {
	if d.Tender == nil || d.Party == nil || d.Clock == nil {
		return nil, errors.New("web: Deps.Tender, Deps.Party and Deps.Clock are required")
	}
	if d.Logins == nil {
		d.Logins = httpx.NewLoginLimiter()
	}
	if d.MaxUpload <= 0 {
		d.MaxUpload = 64 << 20
	}
	if strings.TrimSpace(d.SiteName) == "" {
		d.SiteName = "公共资源交易平台"
	}
	s := &server{d: d, pages: map[string]*template.Template{}}
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	s.assets = newStaticAssets(sub)
	s.static = http.StripPrefix("/static/", s.assets)
	if cl, ok := any(d.Party).(custodyLister); ok {
		s.candidates = cl.CustodyCandidates
	}
	if err := s.parse(); err != nil {
		return nil, err
	}
	s.live = newRoomLive(d.Tender, func(w http.ResponseWriter, r *http.Request, err error) { s.fail(w, r, err) })
	s.sales = newSaleLive(d.Auction, func(w http.ResponseWriter, r *http.Request, err error) { s.fail(w, r, err) })
	s.routes()
	return s, nil
}

// Close ends every live stream (browsers reconnect, normally to another
// process) and stops the pollers of the rooms and the sales. The handler
// keeps serving pages.
func (s *server) Close() error {
	s.live.close()
	s.sales.close()
	return nil
}

func (s *server) parse() error {
	entries, err := fs.ReadDir(assets, "templates")
	if err != nil {
		return err
	}
	funcs := s.funcs()
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" || name == "partials.html" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials.html", "templates/"+name)
		if err != nil {
			return fmt.Errorf("web: template %s: %w", name, err)
		}
		s.pages[strings.TrimSuffix(name, ".html")] = t
	}
	return nil
}

func (s *server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.home)
	m.HandleFunc("GET /notices", s.notices)
	m.HandleFunc("GET /notices/{id}", s.notice)
	m.HandleFunc("GET /projects/{id}", s.project)
	m.HandleFunc("GET /lots/{lot}/documents/{doc}", s.document)
	m.HandleFunc("GET /lots/{lot}/bids/{bid}/files/{hash}", s.bidFile)
	m.HandleFunc("GET /login", s.loginForm)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("POST /logout", s.logout)
	m.HandleFunc("POST /session/extend", s.extendSession)
	m.HandleFunc("GET /guide", s.simple("guide", "办事指南", "服务指南"))
	m.HandleFunc("GET /rules", s.rulesPage)
	m.HandleFunc("GET /experts", s.expertsPublic)
	m.HandleFunc("GET /accessibility", s.simple("accessibility", "无障碍说明", "网站服务"))
	m.HandleFunc("GET /statement", s.simple("statement", "网站声明", "网站服务"))
	m.HandleFunc("GET /fontsize", s.fontSize)
	m.HandleFunc("GET /care", s.careMode)
	// Land, mining-right and property sales (issue 5): the listing, the
	// public live view of a sale and its events.
	m.HandleFunc("GET /sales", s.salesPage)
	m.HandleFunc("GET /sales/{id}", s.salePage)
	m.HandleFunc("GET /sales/{id}/events", s.saleEvents)
	m.HandleFunc("GET /sales/{id}/confirmation.pdf", s.saleConfirmationPDF)
	m.Handle("GET /static/", s.static)

	m.HandleFunc("GET /console", s.console)
	m.HandleFunc("POST /console/projects", s.createProject)
	m.HandleFunc("GET /console/projects/{id}", s.consoleProject)
	m.HandleFunc("POST /console/projects/{id}/lots", s.addLot)
	m.HandleFunc("GET /console/lots/{id}", s.consoleLot)
	m.HandleFunc("GET /console/lots/{id}/receipt", s.receipt)
	m.HandleFunc("GET /console/lots/{id}/report.pdf", s.reportPDF)
	m.HandleFunc("POST /console/lots/{id}/{action}", s.lotAction)
	// The evaluation room (issue 4 §3): the page, its live events, the
	// digest the member signs in the browser, and its forms.
	m.HandleFunc("GET /console/lots/{id}/room", s.roomPage)
	m.HandleFunc("GET /console/lots/{id}/room/events", s.roomEvents)
	m.HandleFunc("POST /console/lots/{id}/room/digest", s.roomDigest)
	m.HandleFunc("POST /console/lots/{id}/room/{action}", s.roomAction)
	m.HandleFunc("POST /console/objections/{id}/answer", s.answerObjection)

	// Sales in the consoles: the list and the creation form; one sale's page
	// (the bidder's auction room, the centre's and the seller's forms) and
	// its forms.
	m.HandleFunc("GET /console/sales", s.consoleSales)
	m.HandleFunc("POST /console/sales", s.createSale)
	m.HandleFunc("GET /console/sales/{id}", s.consoleSale)
	m.HandleFunc("POST /console/sales/{id}/{action}", s.saleAction)
	m.HandleFunc("GET /console/sales/{id}/decrypt", s.saleDecryptPage) // salessealed.go
	m.HandleFunc("GET /console/sales/{id}/envelopes", s.saleEnvelopes)
	m.HandleFunc("POST /console/sales/{id}/shares", s.submitSaleShares)

	// The expert pool and the draw (issue 4): the expert's notices and
	// record; the centre's pool console; applications.
	m.HandleFunc("GET /console/invitations", s.invitations)
	m.HandleFunc("POST /console/invitations/{id}", s.respondInvitation)
	m.HandleFunc("GET /console/profile", s.profile)
	m.HandleFunc("GET /console/experts", s.poolList)
	m.HandleFunc("POST /console/experts", s.applyExpert)
	m.HandleFunc("GET /console/experts/apply", s.applyForm)
	m.HandleFunc("GET /console/experts/{id}", s.expertDetail)
	m.HandleFunc("POST /console/experts/{id}/review", s.reviewExpert)
	m.HandleFunc("POST /console/experts/{id}/sanction", s.sanctionExpert)
	m.HandleFunc("POST /console/experts/{id}/reinstate", s.reinstateExpert)
	m.HandleFunc("POST /console/experts/{id}/exit", s.exitExpert)

	// Keys, sealed bids and their decryption (DESIGN.md §6.2): the private
	// keys and the bid content stay in the browser (WebAssembly).
	m.HandleFunc("GET /console/keys", s.keysPage)
	m.HandleFunc("POST /console/keys", s.registerKey)
	m.HandleFunc("POST /console/keys/{id}/revoke", s.revokeKey)
	m.HandleFunc("POST /console/lots/{id}/uploads", s.createUpload)
	m.HandleFunc("GET /console/uploads/{upload}", s.uploadStatus)
	m.HandleFunc("PATCH /console/uploads/{upload}", s.appendUpload)
	m.HandleFunc("POST /console/uploads/{upload}/bid", s.completeUpload)
	m.HandleFunc("GET /console/decrypt", s.decryptList)
	m.HandleFunc("GET /console/lots/{id}/decrypt", s.decryptPage)
	m.HandleFunc("GET /console/lots/{id}/envelopes", s.envelopes)
	m.HandleFunc("POST /console/lots/{id}/shares", s.submitShares)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, apperr.New(apperr.NotFound, "您访问的页面不存在，可能已被移动或地址有误。"))
	})
	s.mux = m
}

// ---- request state

type reqState struct {
	actor    party.Actor
	sess     *party.Session
	token    string
	csrf     string
	fontSize int
	care     bool // 关怀模式
	flash    string
	entity   string
	username string
	expired  bool // a session cookie came but no longer authenticates
}

type stateKey struct{}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{actor: party.Public(""), fontSize: 16}
}

func (s *server) actor(r *http.Request) party.Actor { return state(r).actor }

// ServeHTTP resolves the session, enforces body limits and CSRF, and routes.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	// 'wasm-unsafe-eval' lets the page compile the platform's WebAssembly
	// (sealing in the browser); it allows no JavaScript eval.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	if strings.HasPrefix(r.URL.Path, "/static/") {
		h.Set("Cache-Control", "public, max-age=3600")
		s.mux.ServeHTTP(w, r)
		return
	}
	h.Set("Cache-Control", "no-store")

	ip := s.d.ClientIP(r)
	st := &reqState{actor: party.Public(ip), fontSize: 16}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		sess, u, err := s.d.Party.Authenticate(r.Context(), c.Value, "web")
		if err == nil {
			st.actor, st.sess, st.token, st.csrf, st.username = u.Actor(ip), &sess, c.Value, sess.CSRF, u.Username
			if u.EntityID != "" {
				if e, err := s.d.Party.Entity(r.Context(), u.EntityID); err == nil {
					st.entity = e.Name
				}
			}
		} else {
			st.expired = true
			s.clearCookie(w, r, SessionCookie)
		}
	}
	if st.sess == nil {
		if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 16 {
			st.csrf = c.Value
		} else {
			st.csrf = ids.Token(16)
			s.setCookie(w, r, csrfCookie, st.csrf, 0)
		}
	}
	if c, err := r.Cookie(fontSizeCookie); err == nil {
		switch c.Value {
		case "20":
			st.fontSize = 20
		case "24":
			st.fontSize = 24
		}
	}
	if c, err := r.Cookie(careCookie); err == nil && c.Value == "1" {
		st.care = true
	}
	if c, err := r.Cookie(flashCookie); err == nil && r.Method == http.MethodGet {
		if b, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil {
			st.flash = string(b)
		}
		s.clearCookie(w, r, flashCookie)
	}
	r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))

	if r.Method == http.MethodPost {
		ct := r.Header.Get("Content-Type")
		multipart := strings.HasPrefix(ct, "multipart/form-data")
		if multipart && st.sess == nil {
			// Files come only from signed-in users: refuse before reading
			// (and spooling to disk) a body of up to MaxUpload.
			s.failStatus(w, r, http.StatusUnauthorized, apperr.New(apperr.Unauthorized, "上传文件需要先登录。请登录后重新提交。"), "请先登录")
			return
		}
		limit := int64(maxForm)
		if multipart {
			limit = s.d.MaxUpload + maxForm
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		var err error
		if multipart {
			err = r.ParseMultipartForm(8 << 20)
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll()
			}
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.failStatus(w, r, http.StatusRequestEntityTooLarge, apperr.New(apperr.Invalid, "提交的内容超过大小上限（表单 1 MB，单个文件 %d MB）。请压缩或拆分文件后重新提交。", s.d.MaxUpload>>20), "提交内容过大")
				return
			}
			s.failStatus(w, r, http.StatusBadRequest, apperr.New(apperr.Invalid, "表单内容无法读取，请返回上一页重新提交。"), "请求无效")
			return
		}
		if st.expired {
			s.failStatus(w, r, http.StatusUnauthorized, apperr.New(apperr.Unauthorized, "登录已失效（超过8小时或已在其他地方退出），本次提交未被执行。请重新登录后再提交。"), "登录已失效")
			return
		}
		if tok := r.PostFormValue("csrf"); tok == "" || !sameToken(st, tok) {
			s.failStatus(w, r, http.StatusForbidden, apperr.New(apperr.Forbidden, "表单校验码缺失或已过期（防跨站请求伪造保护），本次提交未被执行。请返回上一页、刷新后重新提交。"), "表单已过期")
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		// Scripts (resumable uploads) send the form token in a header; the
		// body is a file chunk, bounded here.
		r.Body = http.MaxBytesReader(w, r.Body, maxChunk)
		if st.expired {
			failJSON(w, r, s, apperr.New(apperr.Unauthorized, "登录已失效，上传已暂停。请在新窗口重新登录后回到本页继续上传。"))
			return
		}
		if tok := r.Header.Get(csrfHeader); tok == "" || !sameToken(st, tok) {
			failJSON(w, r, s, apperr.New(apperr.Forbidden, "校验码缺失或已过期（防跨站请求伪造保护），本次请求未被执行。请刷新页面后重试。"))
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

func sameToken(st *reqState, tok string) bool {
	if st.sess != nil {
		return party.CheckCSRF(*st.sess, tok)
	}
	return party.CheckCSRF(party.Session{CSRF: st.csrf}, tok)
}

func (s *server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.d.IsTLS(r), MaxAge: maxAge})
}

func (s *server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.d.IsTLS(r), MaxAge: -1})
}

// ---- pages

// page is what every template receives.
type page struct {
	Title   string // 页面名
	Section string // 栏目
	Site    string
	Sponsor string
	Nav     string
	Actor   party.Actor
	Entity  string
	In      bool
	CSRF    string
	FS      int
	Care    bool
	Flash   string
	Path    string
	Now     time.Time
	Expires time.Time // end of the session, for the warning before it ends
	LeftMS  int64     // milliseconds until then, by the server's clock
	Status  int
	Form    *formErr
	Crumbs  []crumb
	Data    any
}

type crumb struct{ Name, Href string }

// formErr is a failed form submission shown again with its values.
type formErr struct {
	Form string
	Err  *apperr.Error
	Vals url.Values
}

// FullTitle is 页面名_栏目_站名.
func (p *page) FullTitle() string {
	parts := []string{}
	for i, x := range []string{p.Title, p.Section, p.Site} {
		if x != "" && !(i == 1 && x == p.Title) {
			parts = append(parts, x)
		}
	}
	return strings.Join(parts, "_")
}

// FE is the inline message for a field of a form.
func (p *page) FE(form, field string) string {
	if p.Form == nil || p.Form.Form != form || p.Form.Err == nil {
		return ""
	}
	return p.Form.Err.Fields[field]
}

// V is a submitted value (after an error) or def.
func (p *page) V(form, field, def string) string {
	if p.Form != nil && p.Form.Form == form && p.Form.Vals != nil {
		if _, ok := p.Form.Vals[field]; ok {
			return p.Form.Vals.Get(field)
		}
	}
	return def
}

// Failed reports whether form is the one that failed.
func (p *page) Failed(form string) bool { return p.Form != nil && p.Form.Form == form }

type fieldLink struct{ ID, Label, Msg string }

// FieldLinks lists the field errors for the summary, in a stable order.
func (p *page) FieldLinks() []fieldLink {
	if p.Form == nil || p.Form.Err == nil {
		return nil
	}
	keys := make([]string, 0, len(p.Form.Err.Fields))
	for k := range p.Form.Err.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]fieldLink, 0, len(keys))
	for _, k := range keys {
		out = append(out, fieldLink{ID: p.Form.Form + "-" + k, Label: fieldLabelIn(p.Form.Form, k), Msg: p.Form.Err.Fields[k]})
	}
	return out
}

func (s *server) newPage(r *http.Request, title, section string, data any) *page {
	st := state(r)
	path := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		path = "/"
		if strings.HasPrefix(r.URL.Path, "/console") {
			path = "/console"
		}
	}
	p := &page{Title: title, Section: section, Site: s.d.SiteName, Sponsor: s.d.Sponsor, Actor: st.actor, Entity: st.entity, In: st.sess != nil,
		CSRF: st.csrf, FS: st.fontSize, Care: st.care, Flash: st.flash, Path: path, Now: s.d.Clock.Now(), Status: http.StatusOK, Data: data}
	if st.sess != nil {
		p.Expires, p.LeftMS = st.sess.ExpiresAt, st.sess.ExpiresAt.Sub(p.Now).Milliseconds()
	}
	return p
}

func (s *server) render(w http.ResponseWriter, r *http.Request, name string, p *page) {
	t, ok := s.pages[name]
	if !ok {
		s.fail(w, r, fmt.Errorf("web: no template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.d.LogError(r, err)
		if s.d.Log != nil {
			s.d.Log.Error("render", "page", name, "err", err)
		}
		http.Error(w, "页面生成失败，请稍后重试。", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.Status == 0 {
		p.Status = http.StatusOK
	}
	w.WriteHeader(p.Status)
	_, _ = w.Write(buf.Bytes())
}

// errData is what the error page shows (UI.md §2.8.4).
type errData struct {
	Code    string
	Status  int
	Heading string
	Err     *apperr.Error
	Next    string
	NextURL string
	NextTxt string
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	s.failStatus(w, r, httpx.Status(e.Code), e, "")
}

func (s *server) failStatus(w http.ResponseWriter, r *http.Request, status int, e *apperr.Error, heading string) {
	s.d.LogError(r, e)
	d := errData{Code: fmt.Sprintf("%d-%s", status, e.Code), Status: status, Err: e, Heading: heading}
	switch e.Code {
	case apperr.NotFound:
		d.Heading = firstNonEmpty(heading, "未找到")
		d.Next, d.NextURL, d.NextTxt = "请检查网址，或在交易信息中搜索项目名称、编号。", "/notices", "搜索交易信息"
	case apperr.Unauthorized:
		d.Heading = firstNonEmpty(heading, "请先登录")
		back := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			back = "/console"
		}
		d.Next, d.NextURL, d.NextTxt = "登录后将回到工作台，请重新办理。", "/login?next="+url.QueryEscape(back), "登录"
	case apperr.Forbidden:
		d.Heading = firstNonEmpty(heading, "无权操作")
		d.Next, d.NextURL, d.NextTxt = "如您认为应有此权限，请确认所用账号的单位和角色，或联系交易中心。", "/console", "返回工作台"
	case apperr.RateLimited:
		d.Heading = firstNonEmpty(heading, "操作过于频繁")
		d.Next, d.NextURL, d.NextTxt = "请按提示的时间等待后再试。", "/", "返回首页"
	case apperr.Internal:
		d.Heading = firstNonEmpty(heading, "系统暂时无法处理")
		d.Next, d.NextURL, d.NextTxt = "您的操作可能未完成，请稍后重试并在工作台核对结果。", "/", "返回首页"
	default:
		d.Heading = firstNonEmpty(heading, "无法完成操作")
		d.Next, d.NextURL, d.NextTxt = "请返回上一页按提示修改后重试。", "/", "返回首页"
	}
	if e.Code == apperr.Forbidden && strings.Contains(e.Message, "表单校验码") {
		d.Next, d.NextURL, d.NextTxt = "请返回上一页，刷新页面后重新提交。", r.URL.Path, "返回"
		if r.Method == http.MethodPost {
			d.NextURL = "/"
			d.NextTxt = "返回首页"
		}
	}
	p := s.newPage(r, d.Heading, "", d)
	p.Status = status
	if e.Code == apperr.RateLimited {
		w.Header().Set("Retry-After", "60")
	}
	s.render(w, r, "error", p)
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// redirect ends a successful POST (post-redirect-get) with a flash message.
func (s *server) redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		s.setCookie(w, r, flashCookie, base64.RawURLEncoding.EncodeToString([]byte(flash)), 60)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// requireLogin sends anonymous visitors to the login page.
func (s *server) requireLogin(w http.ResponseWriter, r *http.Request) bool {
	if state(r).sess != nil {
		return true
	}
	if r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return false
	}
	s.fail(w, r, apperr.New(apperr.Unauthorized, "请先登录后再操作。"))
	return false
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string { return safeLocal(next, "/console") }

// safeLocal returns next if it is a path on this site, else fallback.
// Browsers read a backslash as "/" and drop tabs and newlines, so a path
// with either could leave the site.
func safeLocal(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\t\r\n") {
		return fallback
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return path.Clean("/"+strings.TrimPrefix(strings.SplitN(next, "?", 2)[0], "/")) + queryOf(next)
}

func queryOf(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[i:]
	}
	return ""
}

func (s *server) fontSize(w http.ResponseWriter, r *http.Request) {
	size := r.URL.Query().Get("size")
	switch size {
	case "16", "20", "24":
	default:
		size = "16"
	}
	s.setCookie(w, r, fontSizeCookie, size, 365*24*3600)
	http.Redirect(w, r, safeLocal(r.URL.Query().Get("back"), "/"), http.StatusSeeOther)
}

// careMode switches 关怀模式 (UI.md §2.7: larger targets, a simpler layout),
// kept in a cookie and applied on the server like the font size.
func (s *server) careMode(w http.ResponseWriter, r *http.Request) {
	on := "0"
	if r.URL.Query().Get("on") == "1" {
		on = "1"
	}
	s.setCookie(w, r, careCookie, on, 365*24*3600)
	http.Redirect(w, r, safeLocal(r.URL.Query().Get("back"), "/"), http.StatusSeeOther)
}

func (s *server) simple(name, title, section string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := s.newPage(r, title, section, nil)
		p.Nav = name
		s.render(w, r, name, p)
	}
}
