package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"ggzy/internal/api"
	"ggzy/internal/ledger"
	"ggzy/internal/store"
)

func readState(t *testing.T, path string) State {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// The monitor passes a clean ledger, pins the key it fetched, then checks
// only new entries and the consistency of the new tree with the old one,
// and checks reveals of entries from earlier and from the same run.
func TestMonitorIncrementalWithReveals(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		state := filepath.Join(t.TempDir(), "monitor.json")
		size1 := e.size()

		rep := e.monitor(e.monitorCfg(state))
		wantOK(t, rep)
		wantFact(t, rep, "首次使用")
		wantFact(t, rep, fmt.Sprintf("本次核验记录 %d 条", size1))
		if st := readState(t, state); st.Size != size1 || st.VerifierKey != e.key() || st.Origin != e.w.Ledger.Origin() {
			t.Fatalf("state %+v", st)
		}

		// Run 2: new entries, a reveal of an entry checked in run 1 and a
		// reveal of one appended in this run.
		old := e.firstConfidential()
		e.appendNotes(9)
		e.reveal(old, "")
		fresh := e.appendEntry(ledger.Draft{Type: ledger.Confidential, Public: map[string]any{}, Private: map[string]any{"lot": "L-1", "content_sm3": "ab"}})
		e.reveal(fresh.Index, "")
		cp2 := e.sign()
		rep = e.monitor(e.monitorCfg(state))
		wantOK(t, rep)
		wantFact(t, rep, "来自状态文件")
		wantFact(t, rep, fmt.Sprintf("一致性证明：规模 %d → %d 通过", size1, cp2.Size))
		wantFact(t, rep, fmt.Sprintf("本次核验记录 %d 条（序号 %d 至 %d），其中披露记录 2 条", cp2.Size-size1, size1, cp2.Size-1))
		if st := readState(t, state); st.Size != cp2.Size {
			t.Fatalf("state size %d, want %d", st.Size, cp2.Size)
		}

		// Run 3: nothing new; then --full re-derives everything.
		wantFact(t, e.monitor(e.monitorCfg(state)), "没有新记录")
		cfg := e.monitorCfg(state)
		cfg.Full = true
		rep = e.monitor(cfg)
		wantOK(t, rep)
		wantFact(t, rep, fmt.Sprintf("本次核验记录 %d 条", cp2.Size))

		// Run 4: a reveal with the wrong salt names both entries, and the
		// state stays where it was.
		before, _ := os.ReadFile(state)
		bad := e.reveal(old, "not-the-salt")
		e.sign()
		rep = e.monitor(e.monitorCfg(state))
		wantProblems(t, rep, 1, fmt.Sprintf("记录 %d 的披露与记录 %d 的承诺不符", bad.Index, old))
		if after, _ := os.ReadFile(state); !bytes.Equal(before, after) {
			t.Fatal("the state file changed after a failed run")
		}
	})
}

// A key given on the command line must match the pinned one; the origin of
// a checkpoint must be the log's even when the signature is good.
func TestMonitorKeyAndOrigin(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB, dsn string) {
		e := newEnv(t, db, dsn)
		state := filepath.Join(t.TempDir(), "monitor.json")
		cfg := e.monitorCfg(state)
		cfg.Key = e.key()
		wantOK(t, e.monitor(cfg))

		_, _, vkey := otherKey(t)
		cfg.Key = vkey
		if _, err := Monitor(e.ctx, cfg); err == nil {
			t.Fatal("a --key different from the pinned one was accepted")
		}

		// A platform serving a checkpoint of another log, signed by a key
		// the monitor was told to trust.
		s, _, vkey := otherKey(t)
		real := api.New(e.w.HTTPDeps())
		cp, err := e.w.Ledger.Latest(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		cp.Origin = "ggzy/ledger/999999"
		forged := signNote(t, cp, s)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v1/ledger/checkpoint" {
				w.Write(forged)
				return
			}
			real.ServeHTTP(w, r)
		}))
		defer srv.Close()
		rep := e.monitor(MonitorConfig{URL: srv.URL, Key: vkey, Origin: e.w.Ledger.Origin(), HTTP: srv.Client()})
		wantProblems(t, rep, 1, "来源标识")
	})
}
