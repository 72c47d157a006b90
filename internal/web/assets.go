package web

// The browser's cryptography is the platform's own Go code (cmd/ggzy-wasm)
// compiled to WebAssembly. The built module and Go's loader are committed
// here and embedded, so serving needs no build step; wasm_test.go fails when
// they are stale. Rebuild both with `go generate ./internal/web`.
//go:generate env GOOS=js GOARCH=wasm go build -trimpath -buildvcs=false -ldflags=-s -o static/ggzy.wasm ggzy/cmd/ggzy-wasm
//go:generate sh -c "cp \"$(go env GOROOT)/lib/wasm/wasm_exec.js\" static/wasm_exec.js && chmod 644 static/ggzy.wasm static/wasm_exec.js"

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"ggzy/internal/gm"
)

// wasmFile is the module's name under /static/.
const wasmFile = "ggzy.wasm"

// staticAssets serves /static/: versioned URLs for cache busting, the
// WebAssembly module with its media type (browsers compile it streaming only
// then) and gzipped once in memory (7 MB → 2 MB).
type staticAssets struct {
	fsys  fs.FS
	files http.Handler

	mu       sync.Mutex
	versions map[string]string

	gzOnce sync.Once
	raw    []byte
	gz     []byte
}

func newStaticAssets(fsys fs.FS) *staticAssets {
	return &staticAssets{fsys: fsys, files: http.FileServerFS(fsys), versions: map[string]string{}}
}

// url is the path of a static file with a version that changes with its
// content, so a new release is never served from a stale cache.
func (a *staticAssets) url(name string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	v, ok := a.versions[name]
	if !ok {
		if b, err := fs.ReadFile(a.fsys, name); err == nil {
			v = gm.SM3Hex(b)[:12]
		}
		a.versions[name] = v
	}
	if v == "" {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + v
}

// ServeHTTP gets the path with /static/ stripped.
func (a *staticAssets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
		http.NotFound(w, r)
		return
	}
	if r.URL.Path != wasmFile {
		a.files.ServeHTTP(w, r)
		return
	}
	a.gzOnce.Do(func() {
		a.raw, _ = fs.ReadFile(a.fsys, wasmFile)
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		_, _ = zw.Write(a.raw)
		if zw.Close() == nil {
			a.gz = buf.Bytes()
		}
	})
	if a.raw == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/wasm")
	h.Add("Vary", "Accept-Encoding")
	body := a.raw
	if a.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	http.ServeContent(w, r, wasmFile, time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if enc, q, _ := strings.Cut(strings.TrimSpace(part), ";"); strings.EqualFold(enc, "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}
