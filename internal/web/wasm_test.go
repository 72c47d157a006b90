package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ggzy/internal/fixture"
	"ggzy/internal/testkit"
)

// The committed WebAssembly module must be what the source builds to: the
// binary serves it as it is, with no build step. Builds with -trimpath are
// reproducible, so any difference means it is stale.
func TestCommittedWasmIsBuiltFromTheSource(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilding the WebAssembly module is skipped in -short mode")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH: %v", err)
	}
	out := filepath.Join(t.TempDir(), "ggzy.wasm")
	cmd := exec.Command(goBin, "build", "-trimpath", "-buildvcs=false", "-ldflags=-s", "-o", out, "ggzy/cmd/ggzy-wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building ./cmd/ggzy-wasm: %v\n%s", err, b)
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := assets.ReadFile("static/ggzy.wasm")
	if err != nil {
		t.Fatalf("internal/web/static/ggzy.wasm is missing: run `go generate ./internal/web` and commit it")
	}
	if !bytes.Equal(fresh, committed) {
		t.Fatalf("internal/web/static/ggzy.wasm is stale: it differs from a fresh build of ./cmd/ggzy-wasm (%d bytes, committed %d), "+
			"because that command or a package it uses (sealbid, seal, gm, money) changed, or the Go toolchain did. "+
			"Run `go generate ./internal/web` and commit static/ggzy.wasm and static/wasm_exec.js.", len(fresh), len(committed))
	}

	root, err := exec.Command(goBin, "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	loader, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	if ours, _ := assets.ReadFile("static/wasm_exec.js"); !bytes.Equal(ours, loader) {
		t.Fatalf("internal/web/static/wasm_exec.js differs from this Go toolchain's loader: run `go generate ./internal/web` and commit it")
	}
}

// The module is served with its media type (streaming compilation needs
// it), compressed, and the pages' policy lets it compile.
func TestWasmIsServedCompressedAndAllowedByThePolicy(t *testing.T) {
	w := fixture.New(t, testkit.OpenSQLite(t))
	h, err := New(w.HTTPDeps())
	if err != nil {
		t.Fatal(err)
	}
	committed, _ := assets.ReadFile("static/ggzy.wasm")

	req := httptest.NewRequest(http.MethodGet, "/static/ggzy.wasm?v=x", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/wasm" || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("wasm: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, committed) || rec.Body.Len() > len(committed)/2 {
		t.Fatalf("gzipped module: %d bytes for %d, round trip equal: %v", rec.Body.Len(), len(committed), bytes.Equal(plain, committed))
	}

	req = httptest.NewRequest(http.MethodGet, "/static/ggzy.wasm", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), committed) {
		t.Fatalf("without Accept-Encoding the module must come plain")
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval'") || strings.Contains(csp, "'unsafe-eval'") && !strings.Contains(csp, "'wasm-unsafe-eval'") {
		t.Fatalf("CSP %q", csp)
	}
	if strings.Contains(strings.ReplaceAll(csp, "'wasm-unsafe-eval'", ""), "unsafe") {
		t.Fatalf("CSP allows more than compiling WebAssembly: %q", csp)
	}
}
