package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ggzy/internal/store"
)

func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestMainUsage(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.db")
	for _, c := range []struct {
		args []string
		code int
	}{
		{nil, ExitError},
		{[]string{"-h"}, ExitOK},
		{[]string{"--bogus"}, ExitError},
		{[]string{"--url", "http://x", "--db", "sqlite:x"}, ExitError},
		{[]string{"--db", "sqlite:x", "--state", "s"}, ExitError},
		{[]string{"--url", "http://x", "extra"}, ExitError},
		{[]string{"--url", "ftp://x"}, ExitError},
		{[]string{"--url", "http://127.0.0.1:1"}, ExitError},
		{[]string{"--db", "sqlite:" + missing}, ExitError},
		{[]string{"--db", "mysql://x"}, ExitError},
		{[]string{"--db", "sqlite:x", "--key", "not-a-key"}, ExitError},
		{[]string{"receipt"}, ExitError},
		{[]string{"receipt", "a", "b"}, ExitError},
		{[]string{"receipt", "a", "--key", "k", "--url", "http://x"}, ExitError},
		{[]string{"receipt", filepath.Join(t.TempDir(), "none.json")}, ExitError},
	} {
		code, out, errs := runMain(t, c.args...)
		if code != c.code {
			t.Errorf("%q: exit %d, want %d\n%s%s", c.args, code, c.code, out, errs)
		}
		if code == ExitError && !strings.Contains(errs, "用法") && !strings.Contains(errs, "核验未完成") {
			t.Errorf("%q: no Chinese explanation: %s", c.args, errs)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("--db created a missing SQLite file")
	}
}

// The three forms end to end, as `ggzy verify` runs them.
func TestMainEndToEnd(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		dir := t.TempDir()
		state := filepath.Join(dir, "monitor.json")
		code, out, errs := runMain(t, "--url", e.srv.URL, "--state", state)
		if code != ExitOK || !strings.Contains(out, "全部核验通过") || !strings.Contains(out, "首次使用") {
			t.Fatalf("monitor: exit %d\n%s%s", code, out, errs)
		}
		if code, out, errs = runMain(t, "--db", dsn, "--key", e.key()); code != ExitOK {
			t.Fatalf("audit: exit %d\n%s%s", code, out, errs)
		}

		r := e.bidReceipt()
		file := filepath.Join(dir, "receipt.json")
		b, _ := json.MarshalIndent(r, "", "  ")
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if code, out, errs = runMain(t, "receipt", file, "--key", e.key()); code != ExitOK || !strings.Contains(out, "来自 --key") {
			t.Fatalf("receipt --key: exit %d\n%s%s", code, out, errs)
		}
		if code, out, _ = runMain(t, "receipt", file); code != ExitOK || !strings.Contains(out, "只证明回执内部一致") {
			t.Fatalf("receipt alone: exit %d\n%s", code, out)
		}
		e.appendNotes(3)
		e.sign()
		if code, out, errs = runMain(t, "receipt", "--url", e.srv.URL, file); code != ExitOK || !strings.Contains(out, "该记录仍在留痕中") {
			t.Fatalf("receipt --url: exit %d\n%s%s", code, out, errs)
		}
		if code, out, _ = runMain(t, "--url", e.srv.URL, "--state", state); code != ExitOK || !strings.Contains(out, "一致性证明") {
			t.Fatalf("second monitor run: exit %d\n%s", code, out)
		}

		// A receipt edited by hand, and a row edited behind the platform's back.
		r.Salt += "x"
		b, _ = json.Marshal(r)
		os.WriteFile(file, b, 0o600)
		if code, out, _ = runMain(t, "receipt", file, "--key", e.key()); code != ExitProblems || !strings.Contains(out, "承诺") {
			t.Fatalf("tampered receipt: exit %d\n%s", code, out)
		}
		os.WriteFile(file, []byte("{"), 0o600)
		if code, _, _ = runMain(t, "receipt", file); code != ExitProblems {
			t.Fatalf("a broken receipt file: exit %d", code)
		}
		e.exec(`UPDATE ledger SET private = '{}' WHERE idx = 3`)
		if code, out, _ = runMain(t, "--db", dsn); code != ExitProblems || !strings.Contains(out, "记录 3 的不公开部分") {
			t.Fatalf("tampered database: exit %d\n%s", code, out)
		}
	})
}
