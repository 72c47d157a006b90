package app

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestRedactHidesPasswords(t *testing.T) {
	for in, secret := range map[string]string{
		"postgres://ggzy:s3cret@db:5432/ggzy":                 "s3cret",
		"postgres://db/ggzy?user=ggzy&password=s3cret":        "s3cret",
		"postgresql://ggzy:s3cret@db/ggzy?sslmode=require":    "s3cret",
		"postgres://ggzy@db/ggzy?password=s3cret&search_path": "s3cret",
	} {
		if out := redact(in); strings.Contains(out, secret) || !strings.Contains(out, "db") {
			t.Errorf("redact(%q) = %q", in, out)
		}
	}
	if out := redact("sqlite:ggzy-demo/ggzy.db"); out != "sqlite:ggzy-demo/ggzy.db" {
		t.Errorf("sqlite path changed: %q", out)
	}
}

func TestMetricsOnlyFromConfiguredNetworks(t *testing.T) {
	h := onlyFrom([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("metrics")) }))
	for addr, want := range map[string]int{"127.0.0.1:5000": 200, "[::1]:5000": 200, "10.1.2.3:5000": 404, "[2001:db8::1]:80": 404} {
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = addr
		r.Header.Set("X-Forwarded-For", "127.0.0.1") // never trusted for this
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != want {
			t.Errorf("%s: %d, want %d", addr, rec.Code, want)
		}
	}
}
