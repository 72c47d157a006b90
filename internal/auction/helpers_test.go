package auction_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/auction"
	"ggzy/internal/auction/rules"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/fixture"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

var ctx = context.Background()

// Amounts of the demo plot: start ¥10,000,000.00, increment ¥100,000.00.
const (
	start = money.Fen(10_000_000_00)
	inc   = money.Fen(100_000_00)
)

// newWorld is a seeded world (entities, users, fake clock at fixture.T0, a
// Monday 09:00) on a temp-file SQLite database.
func newWorld(t *testing.T) *fixture.World {
	t.Helper()
	return fixture.New(t, testkit.OpenSQLite(t))
}

func wantErr(t *testing.T, err error, code apperr.Code, basis string) *apperr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got nil", code)
	}
	e := apperr.As(err)
	if e.Code != code {
		t.Fatalf("want code %s, got %s: %v", code, e.Code, err)
	}
	if basis != "" && !strings.Contains(e.Basis, basis) {
		t.Fatalf("want basis containing %q, got %q (%v)", basis, e.Basis, err)
	}
	return e
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantNotDue(t *testing.T, err error, at time.Time) {
	t.Helper()
	var nd *auction.NotDueError
	if !errors.As(err, &nd) {
		t.Fatalf("want NotDueError, got %v", err)
	}
	if !nd.At.Equal(at) {
		t.Fatalf("NotDueError at %s, want %s", nd.At, at)
	}
}

// at is a Beijing wall-clock instant on the date of d.
func at(d time.Time, h, m int) time.Time {
	s := d.In(clock.Shanghai)
	return time.Date(s.Year(), s.Month(), s.Day(), h, m, 0, 0, clock.Shanghai).UTC()
}

// landDates are the earliest lawful start (20 days after T0, on the next
// working day) and close (10 working days after the start) of a listing
// announced at T0.
func landDates(w *fixture.World) (time.Time, time.Time) {
	s, _ := w.Calendar.PeriodEnd(fixture.T0, 20, calendar.CalendarDays)
	startAt := at(s, 9, 0)
	e, _ := w.Calendar.PeriodEnd(startAt, 10, calendar.WorkingDays)
	return startAt, at(e, 15, 0)
}

func landInput(mode auction.Mode, startAt, endAt time.Time) auction.SaleInput {
	in := auction.SaleInput{Kind: auction.Land, Mode: mode, Title: "五象新区GC2026-018号地块国有建设用地使用权",
		Data: auction.Data{Location: "南宁市良庆区五象大道以南", AreaM2: 35678.9, Use: rules.LandResidential, TermYears: 70, PlotRatio: "1.0＜容积率≤2.8",
			Conditions: "净地出让，现状交地", Decision: "价高者得"},
		Eligibility: "中华人民共和国境内外的法人和其他组织，法律另有规定者除外", Deposit: 2_000_000_00, StartPrice: start, Increment: inc,
		StartAt: startAt, EndAt: endAt}
	if mode == auction.ModeAuction {
		in.Data.ViewFrom, in.Data.ViewTo = viewing(startAt)
	}
	return in
}

// viewing is a lawful viewing (展示) of an auction starting at startAt: the
// two days before its date (AL 48).
func viewing(startAt time.Time) (from, to string) {
	d := startAt.In(clock.Shanghai)
	return d.AddDate(0, 0, -2).Format("2006-01-02"), d.AddDate(0, 0, -1).Format("2006-01-02")
}

func bidderActor(w *fixture.World, i int) party.Actor { return w.Actor(fmt.Sprintf("bidder%d", i+1)) }

// announced creates and announces a land sale of mode by the seller's user
// at the current clock.
func announced(t *testing.T, w *fixture.World, in auction.SaleInput) auction.Sale {
	t.Helper()
	s, err := w.Auction.CreateSale(ctx, w.Actor("principal"), in)
	noErr(t, err)
	s, err = w.Auction.Announce(ctx, w.Actor("principal"), s.ID)
	noErr(t, err)
	return s
}

// enrol registers bidder i, qualifies it and confirms its deposit; it
// returns the registration with its bidder number.
func enrol(t *testing.T, w *fixture.World, saleID ids.ID, i int) auction.Registration {
	t.Helper()
	r, err := w.Auction.Register(ctx, bidderActor(w, i), saleID)
	noErr(t, err)
	_, err = w.Auction.Qualify(ctx, w.Actor("operator"), r.ID, true, "")
	noErr(t, err)
	r, err = w.Auction.ConfirmDeposit(ctx, w.Actor("operator"), r.ID, fmt.Sprintf("BANK-%d", i))
	noErr(t, err)
	return r
}

func view(t *testing.T, w *fixture.World, a party.Actor, saleID ids.ID) auction.View {
	t.Helper()
	v, err := w.Auction.ViewSale(ctx, a, saleID)
	noErr(t, err)
	return v
}

func sale(t *testing.T, w *fixture.World, id ids.ID) auction.Sale {
	t.Helper()
	var s auction.Sale
	noErr(t, w.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		s, err = tx.GetSale(ctx, id)
		return err
	}))
	return s
}

func ledgerAll(t *testing.T, w *fixture.World) []ledger.Entry {
	t.Helper()
	var out []ledger.Entry
	noErr(t, w.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.ListLedger(ctx, "", 0, 0)
		return err
	}))
	return out
}

// published is the public ledger as anyone can fetch it, from the first
// sale entry on (the fixture's registry entries before it are public data
// about entities, not about any sale).
func published(t *testing.T, w *fixture.World) string {
	t.Helper()
	var b strings.Builder
	on := false
	for _, e := range ledgerAll(t, w) {
		if on = on || strings.HasPrefix(e.Type, "auction."); !on {
			continue
		}
		j, err := json.Marshal(e.Publish())
		noErr(t, err)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// dump renders views and events as text for secrecy checks.
func dump(t *testing.T, vs ...any) string {
	t.Helper()
	var b strings.Builder
	for _, v := range vs {
		j, err := json.Marshal(v)
		noErr(t, err)
		b.Write(j)
		fmt.Fprintf(&b, "\n%+v\n", v)
	}
	return b.String()
}

// secrets lists the strings that identify bidder i.
func secrets(w *fixture.World, i int) []string {
	return []string{w.Bidders[i].Name, w.Bidders[i].USCC, w.Bidders[i].ID}
}

func mustNotContain(t *testing.T, where, text string, words ...string) {
	t.Helper()
	for _, s := range words {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains %q", where, s)
		}
	}
}

// reveals returns, for each reveal entry of the ledger, the entry it opens
// and the revealed private part, after checking it against the commitment.
func reveals(t *testing.T, w *fixture.World, subject string) map[int64]map[string]any {
	t.Helper()
	all := ledgerAll(t, w)
	out := map[int64]map[string]any{}
	for _, e := range all {
		if e.Type != ledger.Revealed || e.Subject != subject {
			continue
		}
		var r ledger.Reveal
		noErr(t, json.Unmarshal(e.Public, &r))
		if r.Of < 0 || int(r.Of) >= len(all) {
			t.Fatalf("reveal of missing entry %d", r.Of)
		}
		if !r.Check(all[r.Of].Commitment) {
			t.Fatalf("reveal %d does not open the commitment of entry %d", e.Index, r.Of)
		}
		var priv map[string]any
		noErr(t, json.Unmarshal([]byte(r.Private), &priv))
		out[r.Of] = priv
	}
	return out
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}
