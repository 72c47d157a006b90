package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"ggzy/internal/fixture"
	"ggzy/internal/httpx"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// env is one seeded world with the API on top; requests go straight to the
// handler through httptest recorders.
type env struct {
	t      testing.TB
	w      *fixture.World
	d      httpx.Deps
	h      http.Handler
	tokens map[string]string
}

func newEnv(t testing.TB, tweak ...func(*httpx.Deps)) *env {
	t.Helper()
	return newEnvOn(t, testkit.OpenSQLite(t), tweak...)
}

// newEnvOn is newEnv on a given database (the lifecycle runs on both).
func newEnvOn(t testing.TB, db *store.DB, tweak ...func(*httpx.Deps)) *env {
	t.Helper()
	w := fixture.New(t, db)
	d := w.HTTPDeps()
	for _, f := range tweak {
		f(&d)
	}
	h := New(d)
	t.Cleanup(func() { _ = h.(io.Closer).Close() })
	return &env{t: t, w: w, d: d, h: h, tokens: map[string]string{}}
}

type resp struct {
	Code   int
	Body   []byte
	Header http.Header
	req    string
}

// ipFor gives every user a client address of its own, so the login rate
// limit (per address) does not couple unrelated users in tests.
func ipFor(username string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(username))
	v := h.Sum32()
	return fmt.Sprintf("10.%d.%d.%d", v>>16&0xff, v>>8&0xff, v&0xff|1)
}

// req sends a request. body may be nil, []byte (raw bytes), or anything else
// (marshalled as JSON). ip "" means 192.0.2.1.
func (e *env) req(method, path, token string, body any, ip string) *resp {
	return e.reqH(method, path, token, body, ip, nil)
}

// reqH is req with extra request headers.
func (e *env) reqH(method, path, token string, body any, ip string, head map[string]string) *resp {
	return e.reqCtx(context.Background(), method, path, token, body, ip, head)
}

// reqCtx is reqH with the request's context (an event stream ends with it).
func (e *env) reqCtx(ctx context.Context, method, path, token string, body any, ip string, head map[string]string) *resp {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	r := httptest.NewRequestWithContext(ctx, method, path, rd)
	if ip != "" {
		r.RemoteAddr = ip + ":40000"
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		if _, raw := body.([]byte); raw {
			r.Header.Set("Content-Type", "application/octet-stream")
		} else {
			r.Header.Set("Content-Type", "application/json")
		}
	}
	for k, v := range head {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	return &resp{Code: rec.Code, Body: rec.Body.Bytes(), Header: rec.Header(), req: method + " " + path}
}

func (e *env) do(method, path, token string, body any) *resp {
	return e.req(method, path, token, body, "")
}

// login signs a fixture user in through the API (cached).
func (e *env) login(username string) string {
	e.t.Helper()
	if tok, ok := e.tokens[username]; ok {
		return tok
	}
	tok := e.freshLogin(username)
	e.tokens[username] = tok
	return tok
}

func (e *env) freshLogin(username string) string {
	e.t.Helper()
	r := e.req("POST", "/api/v1/auth/login", "", LoginRequest{Username: username, Password: fixture.Password}, ipFor(username))
	var out LoginResponse
	r.want(e.t, 200, &out)
	if out.Token == "" || out.User.Username != username {
		e.t.Fatalf("login %s: %s", username, r.Body)
	}
	return out.Token
}

// want checks the status and decodes the body into out (when not nil).
func (r *resp) want(t testing.TB, status int, out any) {
	t.Helper()
	if r.Code != status {
		t.Fatalf("%s: status %d, want %d: %s", r.req, r.Code, status, r.Body)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			t.Fatalf("%s: decode: %v: %s", r.req, err, r.Body)
		}
	}
}

// wantError checks the status and that the body is the error envelope.
func (r *resp) wantError(t testing.TB, status int, code string) ErrorBody {
	t.Helper()
	if r.Code != status {
		t.Fatalf("%s: status %d, want %d: %s", r.req, r.Code, status, r.Body)
	}
	var env map[string]map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &env); err != nil {
		t.Fatalf("%s: not JSON: %s", r.req, r.Body)
	}
	e, ok := env["error"]
	if !ok || len(env) != 1 {
		t.Fatalf("%s: not the error envelope: %s", r.req, r.Body)
	}
	for _, k := range []string{"code", "message", "fields", "basis"} {
		if _, ok := e[k]; !ok {
			t.Fatalf("%s: envelope lacks %q: %s", r.req, k, r.Body)
		}
	}
	var out ErrorEnvelope
	_ = json.Unmarshal(r.Body, &out)
	if code != "" && out.Error.Code != code {
		t.Fatalf("%s: code %q, want %q: %s", r.req, out.Error.Code, code, r.Body)
	}
	if out.Error.Message == "" {
		t.Fatalf("%s: empty message", r.req)
	}
	return out.Error
}
