package app_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ggzy/internal/app"
)

// syncBuf is an io.Writer safe to read while a command writes to it.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestCommands(t *testing.T) {
	ctx := context.Background()
	t.Run("Version", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := app.Main(ctx, []string{"version"}, &out, &errb, env(nil)); code != 0 || !strings.HasPrefix(out.String(), "ggzy ") {
			t.Fatalf("version: %d %q %q", code, out.String(), errb.String())
		}
	})
	t.Run("UnknownCommandIsRefusedWithUsage", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := app.Main(ctx, []string{"frobnicate"}, &out, &errb, env(nil)); code != 2 || !strings.Contains(errb.String(), "用法") {
			t.Fatalf("unknown: %d %q", code, errb.String())
		}
	})
	t.Run("MigrateCreatesTheDatabase", func(t *testing.T) {
		var out, errb bytes.Buffer
		db := "sqlite:" + filepath.Join(t.TempDir(), "m.db")
		if code := app.Main(ctx, []string{"migrate", "--db", db}, &out, &errb, env(nil)); code != 0 || !strings.Contains(out.String(), "迁移完成") {
			t.Fatalf("migrate: %d %q %q", code, out.String(), errb.String())
		}
		// Again: nothing to do, still fine.
		if code := app.Main(ctx, []string{"migrate", "--db", db}, &out, &errb, env(nil)); code != 0 {
			t.Fatalf("second migrate: %d %q", code, errb.String())
		}
	})
	t.Run("BadConfigurationIsRefused", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := app.Main(ctx, []string{"serve"}, &out, &errb, env(map[string]string{"GGZY_DB": "mysql://x"})); code != 1 || !strings.Contains(errb.String(), "db 应为") {
			t.Fatalf("bad config: %d %q", code, errb.String())
		}
	})
	t.Run("DemoPrintsTheURLAndOneLoginPerRoleAndServes", func(t *testing.T) {
		var out, errb syncBuf
		c, cancel := context.WithCancel(ctx)
		done := make(chan int, 1)
		go func() {
			done <- app.Main(c, []string{"demo", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, &out, &errb, env(nil))
		}()
		url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(out.String(), "Ctrl+C") && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		text := out.String()
		for _, want := range []string{"招标人", "招标代理", "投标人", "评标专家", "交易中心", "行政监督", "社会监督员", "审计", "系统管理员", "ggzy2026"} {
			if !strings.Contains(text, want) {
				t.Errorf("demo output lacks %q:\n%s", want, text)
			}
		}
		u := url.FindString(text)
		if u == "" {
			t.Fatalf("no URL printed:\n%s\n%s", text, errb.String())
		}
		resp, err := http.Get(u + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("demo not serving: %v %v", err, resp)
		}
		resp.Body.Close()
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("demo exit %d: %s", code, errb.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatal("demo did not shut down")
		}
	})
}
