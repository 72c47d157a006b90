package tender_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/fixture"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
)

var ctx = context.Background()

// newWorld is a seeded world on a temp-file SQLite database.
func newWorld(t *testing.T) *fixture.World {
	t.Helper()
	return fixture.New(t, testkit.OpenSQLite(t))
}

// bj is a Beijing wall-clock instant.
func bj(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clock.Shanghai).UTC()
}

// wantErr asserts err carries code and, when basis is not empty, a legal
// basis containing it; it returns the error for further checks.
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

// read runs fn in a read transaction of the world's store.
func read(t *testing.T, w *fixture.World, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := w.DB.Read(ctx, func(tx *store.Tx) error { return fn(tx) }); err != nil {
		t.Fatal(err)
	}
}

func ledgerAll(t *testing.T, w *fixture.World) []ledger.Entry {
	t.Helper()
	var out []ledger.Entry
	read(t, w, func(tx *store.Tx) error {
		var err error
		out, err = tx.ListLedger(ctx, "", 0, 0)
		return err
	})
	return out
}

// ledgerTypes lists the public types of a subject's entries in order.
func ledgerTypes(t *testing.T, w *fixture.World, subject string) []string {
	t.Helper()
	var es []ledger.Entry
	read(t, w, func(tx *store.Tx) error {
		var err error
		es, err = tx.ListLedger(ctx, subject, 0, 0)
		return err
	})
	var out []string
	for _, e := range es {
		out = append(out, e.Type)
	}
	return out
}

func count[T comparable](xs []T, x T) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

func lot(t *testing.T, w *fixture.World, id ids.ID) tender.Lot {
	t.Helper()
	l, err := w.GetLot(id)
	noErr(t, err)
	return l
}

func bids(t *testing.T, w *fixture.World, lotID ids.ID) []tender.Bid {
	t.Helper()
	var out []tender.Bid
	read(t, w, func(tx *store.Tx) error {
		var err error
		out, err = tx.ListBids(ctx, lotID)
		return err
	})
	return out
}

func bidOf(t *testing.T, bs []tender.Bid, entityID ids.ID) tender.Bid {
	t.Helper()
	for _, b := range bs {
		if b.EntityID == entityID {
			return b
		}
	}
	t.Fatalf("no bid of entity %s", entityID)
	return tender.Bid{}
}

func warnings(t *testing.T, w *fixture.World, lotID ids.ID) []tender.Warning {
	t.Helper()
	var out []tender.Warning
	read(t, w, func(tx *store.Tx) error {
		var err error
		out, err = tx.ListWarnings(ctx, lotID)
		return err
	})
	return out
}

func warningKinds(t *testing.T, w *fixture.World, lotID ids.ID) []string {
	t.Helper()
	var out []string
	for _, x := range warnings(t, w, lotID) {
		out = append(out, x.Kind)
	}
	return out
}

func notices(t *testing.T, w *fixture.World, lotID ids.ID, kind tender.NoticeKind) []tender.Notice {
	t.Helper()
	var out []tender.Notice
	read(t, w, func(tx *store.Tx) error {
		var err error
		out, _, err = tx.ListNotices(ctx, tender.NoticeFilter{LotID: lotID, Kind: kind, Limit: 100})
		return err
	})
	return out
}

func report(t *testing.T, w *fixture.World, lotID ids.ID) tender.Report {
	t.Helper()
	var r tender.Report
	read(t, w, func(tx *store.Tx) error {
		var err error
		r, err = tx.GetReport(ctx, lotID)
		return err
	})
	return r
}

func bidder(w *fixture.World, i int) party.Actor { return w.Actor(fmt.Sprintf("bidder%d", i+1)) }

// content is a plain bid.
func content(price money.Fen) []byte {
	return tender.EncodePlain(tender.BidContent{Price: price, DurationDays: 365, Quality: "合格", ProjectManager: "项目经理"})
}

// prepare makes the actor's entity obtain documents and pay the deposit.
func prepare(t *testing.T, w *fixture.World, a party.Actor, lotID ids.ID) {
	t.Helper()
	noErr(t, w.Tender.ObtainDocuments(ctx, a, lotID))
	noErr(t, w.Tender.RecordDeposit(ctx, a, lotID, 100_000_00, "BANK-"+a.UserID))
}

// bidAs prepares and submits c for the actor.
func bidAs(t *testing.T, w *fixture.World, a party.Actor, lotID ids.ID, c tender.BidContent) tender.Receipt {
	t.Helper()
	prepare(t, w, a, lotID)
	r, err := w.Tender.SubmitBid(ctx, a, lotID, tender.BidInput{Content: tender.EncodePlain(c)})
	noErr(t, err)
	return r
}

// actorOfUser is the fixture actor whose user ID is id.
func actorOfUser(t *testing.T, w *fixture.World, id ids.ID) party.Actor {
	t.Helper()
	for name, u := range w.Users {
		if u.ID == id {
			return w.Actor(name)
		}
	}
	t.Fatalf("no fixture user %s", id)
	return party.Actor{}
}

// passAll is a sheet passing every bid with 80% of every subjective item.
func passAll(l tender.Lot, bs []tender.Bid) []tender.SheetLine {
	var lines []tender.SheetLine
	for _, b := range bs {
		ln := tender.SheetLine{BidID: b.ID, Pass: true, Scores: map[string]int64{}}
		for _, it := range l.Scoring {
			if !it.Price {
				ln.Scores[it.Key] = it.Max * 8 / 10
			}
		}
		lines = append(lines, ln)
	}
	return lines
}

// failLine is a sheet line failing one compliance criterion with reason.
func failLine(bidID ids.ID, criterion, reason string) tender.SheetLine {
	ln := tender.SheetLine{BidID: bidID}
	for _, c := range tender.ComplianceCriteria {
		ch := tender.Check{Criterion: c.Key, Pass: c.Key != criterion}
		if !ch.Pass {
			ch.Reason = reason
		}
		ln.Checks = append(ln.Checks, ch)
	}
	return ln
}

// evaluable lists the bids a sheet must cover (opened at the opening).
func evaluable(t *testing.T, w *fixture.World, lotID ids.ID) []tender.Bid {
	t.Helper()
	var out []tender.Bid
	for _, b := range bids(t, w, lotID) {
		if b.Status == tender.BidOpened || b.Status == tender.BidRejected {
			out = append(out, b)
		}
	}
	return out
}

// toJSON marshals a view the way an API would.
func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	noErr(t, err)
	return string(b)
}

// setEmployer sets experts' employer directly in the database (the pool has
// no edit use case yet).
func setEmployer(t *testing.T, w *fixture.World, expertIDs []ids.ID, employer ids.ID) {
	t.Helper()
	q := `UPDATE pool_experts SET employer_id = ? WHERE id = ?`
	if w.DB.Dialect() == store.Postgres {
		q = `UPDATE pool_experts SET employer_id = $1 WHERE id = $2`
	}
	err := w.DB.WithTx(ctx, func(tx *store.Tx) error {
		for _, id := range expertIDs {
			if _, err := tx.SQL().ExecContext(ctx, q, employer, id); err != nil {
				return err
			}
		}
		return nil
	})
	noErr(t, err)
}

// registerBidder registers an enterprise with a user of role bidder.
func registerBidder(t *testing.T, w *fixture.World, n int, name, legalRep, username string) (party.Entity, party.Actor) {
	t.Helper()
	sys := party.System()
	code, err := party.MakeUSCC("91", fixture.Region, fmt.Sprintf("%08d", 40000000+n))
	noErr(t, err)
	e, err := w.Party.RegisterEntity(ctx, sys, party.EntityInput{USCC: code, Name: name, LegalRep: legalRep, Kind: party.KindEnterprise, Region: fixture.Region})
	noErr(t, err)
	u, err := w.Party.CreateUser(ctx, sys, party.UserInput{Username: username, Name: name + "投标员", Password: fixture.Password, Role: party.RoleBidder, EntityID: e.ID})
	noErr(t, err)
	w.Users[username] = u
	return e, w.Actor(username)
}

// publishedAt publishes a default lot with the clock at t.
func publishedAt(t *testing.T, w *fixture.World, at time.Time, o fixture.LotOptions) tender.Lot {
	t.Helper()
	w.Clock.Set(at)
	return w.PublishedLot(t, o)
}
