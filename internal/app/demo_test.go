package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ggzy/internal/app"
	"ggzy/internal/clock"
	"ggzy/internal/config"
	"ggzy/internal/expert"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/tender"
)

// TestDemoSeed: the demo data set has what issue 2 asks for — ≥ 20
// enterprises with valid codes, several principals, an agency, ≥ 60 experts,
// lots in every lifecycle state with one opening minutes after start-up —
// and a second start duplicates nothing (it only adds a new live opening when
// none is due).
func TestDemoSeed(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Defaults()
	cfg.DB, cfg.DataDir, cfg.KeyPassphrase = "sqlite:"+filepath.Join(dir, "ggzy.db"), dir, "demo-test"
	ctx := context.Background()
	build := func() *app.App {
		a, err := app.Build(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Real{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	a := build()
	if _, err := app.Seed(ctx, a); err != nil {
		t.Fatal(err)
	}
	count := func(a *app.App) (ents map[party.EntityKind]int, experts int, lots map[tender.Status]int, soon int) {
		ents, lots = map[party.EntityKind]int{}, map[tender.Status]int{}
		err := a.DB.Read(ctx, func(tx *store.Tx) error {
			es, err := tx.ListEntities(ctx, "")
			if err != nil {
				return err
			}
			for _, e := range es {
				if err := party.ValidateUSCC(e.USCC); err != nil {
					t.Errorf("%s: invalid USCC %s: %v", e.Name, e.USCC, err)
				}
				ents[e.Kind]++
			}
			xs, err := tx.ListExperts(ctx, expert.Filter{})
			experts = len(xs)
			if err != nil {
				return err
			}
			ls, err := tx.ListLots(ctx, tender.LotFilter{})
			for _, l := range ls {
				lots[l.Status]++
				if l.Status == tender.Bidding && l.BidDeadline.After(time.Now()) && l.BidDeadline.Before(time.Now().Add(10*time.Minute)) {
					soon++
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	ents, experts, lots, soon := count(a)
	if ents[party.KindEnterprise] < 20 || ents[party.KindPrincipal] < 3 || ents[party.KindAgency] != 1 || experts < 60 {
		t.Errorf("entities %v, experts %d", ents, experts)
	}
	for _, st := range []tender.Status{tender.Draft, tender.Bidding, tender.Evaluating, tender.Publicity, tender.Awarded, tender.Contracted, tender.Failed} {
		if lots[st] == 0 {
			t.Errorf("no lot in state %s: %v", st, lots)
		}
	}
	if soon != 1 {
		t.Errorf("%d lots open minutes after start-up, want 1", soon)
	}
	// `ggzy verify` against the demo: a consistent, fully verified ledger,
	// from outside over HTTP and from inside over the database.
	if _, err := a.Ledger.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	var out, errb bytes.Buffer
	if code := app.Main(ctx, []string{"verify", "--url", srv.URL, "--state", filepath.Join(dir, "monitor.json")}, &out, &errb, os.Getenv); code != 0 {
		t.Errorf("ggzy verify --url on the demo: exit %d\n%s%s", code, out.String(), errb.String())
	} else if !strings.Contains(out.String(), "披露记录") {
		t.Errorf("the demo's monitor report mentions no reveal:\n%s", out.String())
	}
	// `ggzy verify-draw` re-runs every demo draw: the public may for lots
	// whose report exists; the others need staff's token (GGZY_TOKEN).
	var draws []tender.Draw
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		ls, err := tx.ListLots(ctx, tender.LotFilter{})
		for _, l := range ls {
			ds, err := tx.ListDraws(ctx, l.ID)
			if err != nil {
				return err
			}
			draws = append(draws, ds...)
		}
		return err
	})
	if err != nil || len(draws) == 0 {
		t.Fatalf("demo draws: %d, %v", len(draws), err)
	}
	tok, _, _, err := a.Party.Login(ctx, "supervisor", app.DemoPassword, "api", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "GGZY_TOKEN" {
			return tok
		}
		return os.Getenv(k)
	}
	for _, d := range draws {
		out.Reset()
		if code := app.Main(ctx, []string{"verify-draw", "--url", srv.URL, "--draw", d.ID, "--key", a.LedgerKey.VerifierKey}, &out, &errb, env); code != 0 {
			t.Errorf("ggzy verify-draw %s: exit %d\n%s%s", d.ID, code, out.String(), errb.String())
		} else if !strings.Contains(out.String(), "得到相同的") {
			t.Errorf("verify-draw report:\n%s", out.String())
		}
	}
	srv.Close()
	out.Reset()
	if code := app.Main(ctx, []string{"verify", "--db", cfg.DB, "--key", a.LedgerKey.VerifierKey}, &out, &errb, os.Getenv); code != 0 {
		t.Errorf("ggzy verify --db on the demo: exit %d\n%s%s", code, out.String(), errb.String())
	}
	a.Close()
	a2 := build()
	if _, err := app.Seed(ctx, a2); err != nil {
		t.Fatal(err)
	}
	ents2, experts2, lots2, soon2 := count(a2)
	if len(ents2) != len(ents) || ents2[party.KindEnterprise] != ents[party.KindEnterprise] || experts2 != experts || soon2 != 1 || lots2[tender.Bidding] != lots[tender.Bidding] {
		t.Errorf("second start changed the data: %v/%v experts %d/%d lots %v/%v soon %d", ents, ents2, experts, experts2, lots, lots2, soon2)
	}
}
