package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ggzy/internal/api"
	"ggzy/internal/fixture"
	"ggzy/internal/money"
	"ggzy/internal/testkit"
)

// TestVerifyDraw: `ggzy verify-draw` re-runs a finished draw from its proof
// and the public ledger; a proof changed in any input or output is refused,
// naming what differs.
func TestVerifyDraw(t *testing.T) {
	ctx := context.Background()
	w := fixture.New(t, testkit.OpenSQLite(t))
	l := w.PublishedLot(t, fixture.LotOptions{})
	for i := 0; i < 3; i++ {
		w.Clock.Advance(time.Minute)
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00-int64(i)*10_000_00))
	}
	w.PassDeadline(t, l.ID)
	early, err := w.Ledger.Sign(ctx) // a checkpoint from before the draw
	if err != nil {
		t.Fatal(err)
	}
	w.Committee(t, l.ID)
	srv := httptest.NewServer(api.New(w.HTTPDeps()))
	t.Cleanup(srv.Close)
	ds, _, err := w.Tender.ListLotDraws(ctx, w.Actor("operator"), l.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("draws %v %v", ds, err)
	}
	tok, _, _, err := w.Party.Login(ctx, "operator", fixture.Password, "api", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}

	var out, errb bytes.Buffer
	code := DrawMain(ctx, []string{"--url", srv.URL, "--draw", ds[0].ID, "--key", w.LedgerKey.VerifierKey}, &out, &errb, func(string) string { return "" })
	if code != ExitError || !strings.Contains(errb.String(), "404") {
		t.Fatalf("without a token before the evaluation: %d %s %s", code, out.String(), errb.String())
	}
	rep, err := VerifyDraw(ctx, DrawConfig{URL: srv.URL, DrawID: ds[0].ID, Key: w.LedgerKey.VerifierKey, Token: tok})
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	if !strings.Contains(strings.Join(rep.Facts, "\n"), "得到相同的 4 名专家") {
		t.Fatalf("facts %v", rep.Facts)
	}

	// Save the proof and tamper with it, one input or output at a time.
	raw, err := (&client{base: srv.URL, hc: srv.Client()}).getAuth(ctx, "/api/v1/draws/"+ds[0].ID+"/proof", tok)
	if err != nil {
		t.Fatal(err)
	}
	tamper := func(name, want string, edit func(p map[string]any)) {
		t.Run(name, func(t *testing.T) {
			var p map[string]any
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatal(err)
			}
			edit(p)
			b, _ := json.Marshal(p)
			f := filepath.Join(t.TempDir(), "proof.json")
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}
			rep, err := VerifyDraw(ctx, DrawConfig{URL: srv.URL, File: f, Key: w.LedgerKey.VerifierKey})
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), want) {
				t.Fatalf("want a problem with %q, got %v", want, rep.Problems)
			}
		})
	}
	tamper("PoolWithoutAnExpert", "专家库快照", func(p map[string]any) {
		pool := p["pool"].([]any)
		p["pool"] = pool[1:]
	})
	tamper("ResultWithAnotherMember", "重新抽取的结果与记录不同", func(p map[string]any) {
		res := p["result"].(map[string]any)
		need := res["needs"].([]any)[0].(map[string]any)
		members := need["members"].([]any)
		members[0] = "someone-else"
	})
	tamper("RequestWithoutAParty", "摘要", func(p map[string]any) {
		var req map[string]any
		_ = json.Unmarshal([]byte(mustJSON(p["request"])), &req)
		req["parties"] = req["parties"].([]any)[1:]
		p["request"] = req
	})
	tamper("CheckpointFromBeforeTheRequest", "不包含抽取请求", func(p map[string]any) {
		p["checkpoint"] = string(early.Note)
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
