package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ggzy/internal/app"
	"ggzy/internal/fixture"
	"ggzy/internal/gm"
	"ggzy/internal/money"
	"ggzy/internal/store"
	"ggzy/internal/tender"
)

// TestSealLandBidCommand: `ggzy seal --lot` on a land lot (土地使用权招标出让)
// against a running platform: a bid with a price and a development period
// and no --manager is accepted (the works terms, and the quality default,
// stay out of the form); a price below the start price and a missing
// development period are refused before sealing, in the land's words; after
// the deadline two custodians run `ggzy custody open` and the opened bids
// carry the sealed price and period and no works terms.
func TestSealLandBidCommand(t *testing.T) {
	dbDir, dir := t.TempDir(), t.TempDir()
	r := start(t, "sqlite:"+filepath.Join(dbDir, "ggzy.db"), dir)
	w := fixture.New(t, r.a.DB)
	r.a.DB.SetEnqueuer(r.a.Runner.Enqueue)
	ctx := context.Background()
	// The deadline is in real time, seconds from now; the notice went out on
	// the fixture's back-dated clock, months before, as the land notice
	// period requires.
	deadline := time.Now().Add(20 * time.Second).UTC().Truncate(time.Second)

	seller := w.Actor("principal")
	_, l := w.LandLot(t, true)
	start := fixture.LandStartPrice
	now := w.Clock.Now()
	if _, err := w.Tender.PublishTender(ctx, seller, l.ID, tender.PublishInput{DocsFrom: now, DocsUntil: deadline, BidDeadline: deadline}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		a := w.Actor(fmt.Sprintf("bidder%d", i+1))
		if err := w.Tender.ObtainDocuments(ctx, a, l.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.Tender.RecordDeposit(ctx, a, l.ID, l.Security, fmt.Sprintf("GX-%d", i)); err != nil {
			t.Fatal(err)
		}
	}

	keys := t.TempDir()
	const pass = "演示口令"
	save := func(name string, k *gm.PrivateKey) string {
		b, err := k.MarshalEncryptedPEM([]byte(pass))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(keys, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := envOf(map[string]string{"GGZY_PASSWORD": fixture.Password, "GGZY_KEY_PASSPHRASE": pass})
	run := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		if code := app.Main(ctx, args, &out, &errb, env); code != 0 {
			return out.String(), fmt.Errorf("%s", errb.String())
		}
		return out.String(), nil
	}
	seal := func(i int, extra ...string) (string, error) {
		args := []string{"seal", "--url", r.url, "--user", fmt.Sprintf("bidder%d", i+1), "--key", save(fmt.Sprintf("bidder%d.pem", i+1), w.BidKey(t, i)),
			"--lot", string(l.ID)}
		return run(append(args, extra...)...)
	}

	// Refused before sealing: nothing reaches the platform.
	if _, err := seal(0, "--price", "299999999.99", "--duration", "1080"); err == nil || !strings.Contains(err.Error(), "低于招标出让公告载明的起始价 "+start.String()) {
		t.Errorf("a land bid below the start price: %v; want a refusal citing the start price", err)
	}
	if _, err := seal(0, "--price", "310000000"); err == nil || !strings.Contains(err.Error(), "开发建设周期") {
		t.Errorf("a land bid without a development period: %v; want a refusal naming 开发建设周期", err)
	}
	if v, err := w.Tender.ViewLot(ctx, w.Actor("bidder1"), l.ID); err != nil || v.MyBid != nil {
		t.Fatalf("a refused land bid was stored: %v", err)
	}

	// Accepted without --manager (and without --quality, whose default is a
	// works term); bidder3 passes the works flags anyway: they are dropped.
	bids := []struct {
		price, days string
		extra       []string
	}{
		{"310000000", "1080", nil},
		{"325000000.50", "1110", nil},
		{"318000000", "1140", []string{"--manager", "张三", "--quality", "优良"}},
	}
	for i, b := range bids {
		out, err := seal(i, append([]string{"--price", b.price, "--duration", b.days}, b.extra...)...)
		if err != nil {
			t.Fatalf("ggzy seal on the land lot for bidder%d: %v", i+1, err)
		}
		if !strings.Contains(out, "完整接收") {
			t.Errorf("seal output lacks the receipt: %s", out)
		}
	}

	custodian := func(u string) []string {
		return []string{"custody", "open", "--url", r.url, "--user", u, "--key", save(u+".pem", w.CustodyKeys[u]), "--lot", string(l.ID)}
	}
	waitFor(t, "decryption to start at the deadline", 40*time.Second, func() bool { return lotStatus(t, r.a.DB, l.ID) == tender.Decrypting })
	for _, u := range []string{"operator", "agency"} {
		if _, err := run(custodian(u)...); err != nil {
			t.Fatalf("custody open as %s: %v", u, err)
		}
	}
	waitFor(t, "the opening record", 30*time.Second, func() bool { return lotStatus(t, r.a.DB, l.ID) == tender.Evaluating })
	var got []tender.Bid
	if err := r.a.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		got, err = tx.ListBids(ctx, l.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for i, b := range bids {
		want, _ := money.Parse(b.price)
		found := false
		for _, g := range got {
			if g.EntityID == w.Bidders[i].ID {
				found = true
				if g.Status != tender.BidOpened || g.Opened.Price != want || fmt.Sprint(g.Opened.DurationDays) != b.days || g.Opened.Quality != "" || g.Opened.ProjectManager != "" || len(g.Reject) != 0 {
					t.Errorf("bidder%d's opened land bid %+v (reject %v), want %s and %s days without works terms", i+1, g.Opened, g.Reject, want, b.days)
				}
			}
		}
		if !found {
			t.Errorf("bidder%d: no bid in %+v", i+1, got)
		}
	}
}
