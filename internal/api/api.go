// Package api is the JSON API of the platform under /api/v1, with its OpenAPI
// 3.1 document at /api/openapi.json (DESIGN.md §9).
//
// Conventions:
//   - Bearer tokens only (POST /api/v1/auth/login); cookies are never read, so
//     no CSRF defence is needed. A request without a token acts as the public.
//   - Handlers resolve the actor and pass it explicitly to the domain, which
//     decides authorisation and blanks what the actor may not see.
//   - JSON is snake_case through the DTO types of this package; domain structs
//     are never serialised directly. Money is integer fen in fields named
//     *_fen with a display string beside it; times are RFC 3339.
//   - Every error is the envelope {"error":{"code","message","fields","basis"}}.
//
// One route table (routes.go) both registers the handlers and generates the
// OpenAPI document, and a test keeps the two equal.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strings"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/httpx"
	"ggzy/internal/party"
)

// Codes the API adds to the apperr vocabulary for transport-level failures.
const (
	CodeTooLarge         apperr.Code = "too_large"
	CodeMethodNotAllowed apperr.Code = "method_not_allowed"
)

// MaxJSONBody bounds a JSON request body.
const MaxJSONBody = 1 << 20

const apiPrefix = "/api/"

type authMode int

const (
	authOptional authMode = iota // token optional; without one the actor is the public
	authRequired                 // 401 without a valid token
	authNone                     // the Authorization header is not read (login)
)

// call is one request being served.
type call struct {
	s     *server
	w     http.ResponseWriter
	r     *http.Request
	actor party.Actor
	token string
	done  bool // the handler wrote the response itself
}

func (c *call) ctx() context.Context { return c.r.Context() }

type handlerFunc func(c *call) (any, error)

type server struct {
	d        httpx.Deps
	mux      *http.ServeMux
	routes   []route
	patterns []string // every pattern registered on mux, in order
	openapi  []byte
	live     *saleLive // the sales' event streams
}

// New returns the API handler for /api/. The handler also implements
// io.Closer: Close ends the sales' event streams and stops their pollers;
// register it with http.Server.RegisterOnShutdown, so that Shutdown is not
// held up by open streams.
func New(d httpx.Deps) http.Handler {
	s := &server{d: d, mux: http.NewServeMux()}
	s.live = newSaleLive(s)
	s.routes = s.table()
	for i := range s.routes {
		rt := &s.routes[i]
		s.handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	doc, err := json.Marshal(buildOpenAPI(s.routes, d.SiteName))
	if err != nil {
		panic("api: openapi: " + err.Error())
	}
	s.openapi = doc
	s.mux.HandleFunc(apiPrefix, s.notFound)
	return s
}

// Close ends every live stream (clients reconnect, normally to another
// process) and stops the pollers behind them. The handler keeps serving
// everything else.
func (s *server) Close() error {
	s.live.close()
	return nil
}

func (s *server) handle(pattern string, h http.Handler) {
	s.patterns = append(s.patterns, pattern)
	s.mux.Handle(pattern, h)
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.d.LogError(r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			writeError(w, http.StatusInternalServerError, apperr.As(fmt.Errorf("panic: %v", v)))
		}
	}()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

// notFound answers every /api/ path no route matched: 405 when the path
// exists with another method, else 404.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		if m == r.Method {
			continue
		}
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pat := s.mux.Handler(r2); pat != "" && pat != apiPrefix {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, http.StatusMethodNotAllowed, apperr.New(CodeMethodNotAllowed, "该地址不支持 %s 方法，可用方法：%s。", r.Method, strings.Join(allow, "、")))
		return
	}
	writeError(w, http.StatusNotFound, apperr.New(apperr.NotFound, "接口 %s 不存在，请查阅 /api/openapi.json。", r.URL.Path))
}

// wrap resolves the actor, runs the handler and writes its result.
func (s *server) wrap(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{s: s, w: w, r: r, actor: party.Public(s.d.ClientIP(r))}
		if rt.Auth != authNone {
			if err := c.authenticate(); err != nil {
				s.fail(c, err)
				return
			}
			if rt.Auth == authRequired && c.token == "" {
				s.fail(c, apperr.New(apperr.Unauthorized, "请先登录：通过 POST /api/v1/auth/login 获取令牌，并以 Authorization: Bearer <令牌> 发送。"))
				return
			}
		}
		out, err := rt.h(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		if c.done {
			return
		}
		if rt.Status == http.StatusNoContent || out == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, rt.Status, out)
	})
}

// authenticate resolves a bearer token. A malformed or invalid token is an
// error, never a silent downgrade to the public.
func (c *call) authenticate() error {
	h := strings.TrimSpace(c.r.Header.Get("Authorization"))
	if h == "" {
		return nil
	}
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return apperr.New(apperr.Unauthorized, "Authorization 头格式应为 Bearer <令牌>。")
	}
	_, u, err := c.s.d.Party.Authenticate(c.ctx(), tok, "api")
	if err != nil {
		return err
	}
	c.actor, c.token = u.Actor(c.s.d.ClientIP(c.r)), tok
	return nil
}

// fail writes err as the envelope.
func (s *server) fail(c *call, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeError(c.w, http.StatusRequestEntityTooLarge, apperr.New(CodeTooLarge, "请求内容超过大小上限（%s）。", sizeText(mbe.Limit)))
		return
	}
	e := apperr.As(err)
	s.d.LogError(c.r, err)
	if e.Code == apperr.Forbidden && c.token == "" {
		// The public asked for something only a signed-in user may do.
		e = &apperr.Error{Code: apperr.Unauthorized, Message: "该操作需要登录：" + e.Message, Basis: e.Basis, Fields: e.Fields}
	}
	env := envelope(e)
	var ref *auction.Refused
	if errors.As(err, &ref) {
		st := saleStateDTO(ref.State)
		env.Error.State = &st
	}
	writeJSON(c.w, httpx.Status(e.Code), env)
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		_ = json.NewEncoder(&buf).Encode(envelope(apperr.As(err)))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func envelope(e *apperr.Error) ErrorEnvelope {
	f := e.Fields
	if f == nil {
		f = map[string]string{}
	}
	return ErrorEnvelope{Error: ErrorBody{Code: string(e.Code), Message: e.Message, Fields: f, Basis: e.Basis}}
}

func writeError(w http.ResponseWriter, status int, e *apperr.Error) {
	writeJSON(w, status, envelope(e))
}

// decode reads a JSON body into v: at most MaxJSONBody bytes, unknown fields
// refused, exactly one value. An empty body is allowed when optional.
func (c *call) decode(v any, optional bool) error {
	body := http.MaxBytesReader(c.w, c.r.Body, MaxJSONBody)
	data, err := io.ReadAll(body)
	if err != nil {
		return err // *http.MaxBytesError → 413
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if optional {
			return nil
		}
		return apperr.New(apperr.Invalid, "请求体不能为空，应为 JSON 对象。")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.New(apperr.Invalid, "请求体应为单个 JSON 对象。")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "请求体不是有效的 JSON。").Wrap(err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return apperr.New(apperr.Invalid, "请求字段类型错误。").WithField(field, fmt.Sprintf("应为 %s。", jsonKind(typ.Type.Kind().String()))).Wrap(err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.New(apperr.Invalid, "请求包含未知字段“%s”。", name).WithField(name, "未知字段。").Wrap(err)
	}
	return apperr.New(apperr.Invalid, "请求体格式错误：时间应为 RFC 3339 格式（如 2026-03-23T09:30:00+08:00），金额应为以分为单位的整数。").Wrap(err)
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "字符串"
	case "bool":
		return "布尔值"
	case "slice", "array":
		return "数组"
	case "struct", "map":
		return "对象"
	}
	return "数字"
}
