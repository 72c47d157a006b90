package verify

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ggzy/internal/api"
	"ggzy/internal/fixture"
	"ggzy/internal/ledger"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// eachDB runs fn on a fresh migrated SQLite and PostgreSQL database (the
// latter when GGZY_TEST_POSTGRES is set), like testkit.EachDB, and also
// hands over the DSN, which `ggzy verify --db` takes.
func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "ggzy.db")
		fn(t, openDB(t, dsn), dsn)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := testkit.PostgresURL(t)
		fn(t, openDB(t, dsn), dsn)
	})
}

func openDB(t *testing.T, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // runs before the schema is dropped
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// env is a platform with real lifecycle entries, a signed checkpoint and the
// public API served over HTTP.
type env struct {
	t   *testing.T
	ctx context.Context
	w   *fixture.World
	db  *store.DB
	dsn string
	srv *httptest.Server
}

func newEnv(t *testing.T, db *store.DB, dsn string) *env {
	t.Helper()
	w := fixture.New(t, db)
	w.PrepareMatrixLot(t, fixture.StartBidding) // a lot, its documents and confidential bids
	srv := httptest.NewServer(api.New(w.HTTPDeps()))
	t.Cleanup(srv.Close)
	e := &env{t: t, ctx: context.Background(), w: w, db: db, dsn: dsn, srv: srv}
	e.sign()
	return e
}

func (e *env) key() string { return e.w.LedgerKey.VerifierKey }

// sign signs a checkpoint of the current tree a minute later.
func (e *env) sign() ledger.Checkpoint {
	e.t.Helper()
	e.w.Clock.Advance(time.Minute)
	cp, err := e.w.Ledger.Sign(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return cp
}

func (e *env) size() uint64 {
	e.t.Helper()
	var f ledger.Frontier
	err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		var err error
		f, err = tx.LedgerTree(e.ctx)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return f.Size
}

// appendEntry seals and appends one entry, returning it with its index.
func (e *env) appendEntry(d ledger.Draft) ledger.Entry {
	e.t.Helper()
	en, err := ledger.Seal(d, e.w.Clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	err = e.db.WithTx(e.ctx, func(tx *store.Tx) error {
		en.Index, err = tx.AppendLedger(e.ctx, en)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return en
}

// appendNotes appends n ordinary entries.
func (e *env) appendNotes(n int) {
	for i := 0; i < n; i++ {
		e.appendEntry(ledger.Draft{Type: "test.note", Subject: "T-1", Public: map[string]any{"n": i, "text": "<说明> & 附注"}, Private: map[string]any{"ip": "10.0.0.1"}})
	}
}

func (e *env) entry(idx int64) ledger.Entry {
	e.t.Helper()
	var es []ledger.Entry
	err := e.db.Read(e.ctx, func(tx *store.Tx) error {
		var err error
		es, err = tx.ListLedger(e.ctx, "", idx, 1)
		return err
	})
	if err != nil || len(es) != 1 || es[0].Index != idx {
		e.t.Fatalf("entry %d: %v %v", idx, es, err)
	}
	return es[0]
}

// firstConfidential is the index of the first confidential submission.
func (e *env) firstConfidential() int64 {
	e.t.Helper()
	for i := int64(0); i < int64(e.size()); i++ {
		if e.entry(i).Type == ledger.Confidential {
			return i
		}
	}
	e.t.Fatal("no confidential entry")
	return 0
}

// reveal appends a reveal of entry of; salt "" keeps the right one.
func (e *env) reveal(of int64, salt string) ledger.Entry {
	e.t.Helper()
	target := e.entry(of)
	d := ledger.RevealDraft(target, "")
	if salt != "" {
		r := d.Public.(ledger.Reveal)
		r.Salt = salt
		d.Public = r
	}
	return e.appendEntry(d)
}

// exec runs SQL behind the application's back and wants one row changed.
func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if e.db.Dialect() == store.Postgres {
		q = dollars(q)
	}
	res, err := e.db.Writer().ExecContext(e.ctx, q, args...)
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		e.t.Fatalf("%s changed %d rows", q, n)
	}
}

// dollars turns ? placeholders into PostgreSQL's $1, $2 ….
func dollars(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// monitorCfg is the default test configuration: small pages, so paging runs.
func (e *env) monitorCfg(state string) MonitorConfig {
	return MonitorConfig{URL: e.srv.URL, StatePath: state, HTTP: e.srv.Client(), PageSize: 7}
}

func (e *env) monitor(cfg MonitorConfig) Report {
	e.t.Helper()
	rep, err := Monitor(e.ctx, cfg)
	if err != nil {
		e.t.Fatalf("monitor: %v\n%s", err, rep)
	}
	return rep
}

func (e *env) audit(withKey bool) Report {
	e.t.Helper()
	var v note.Verifier
	if withKey {
		v = e.w.LedgerVerifier
	}
	rep, err := Audit(e.ctx, e.db, v)
	if err != nil {
		e.t.Fatalf("audit: %v\n%s", err, rep)
	}
	return rep
}

func wantOK(t *testing.T, rep Report) {
	t.Helper()
	if !rep.OK() {
		t.Fatalf("want no problems:\n%s", rep)
	}
}

// wantProblems checks every substring is in some problem and that there are
// exactly n problems (n < 0: any number).
func wantProblems(t *testing.T, rep Report, n int, subs ...string) {
	t.Helper()
	if n >= 0 && len(rep.Problems) != n {
		t.Errorf("want %d problems, got %d:\n%s", n, len(rep.Problems), rep)
	}
	for _, s := range subs {
		found := false
		for _, p := range rep.Problems {
			found = found || strings.Contains(p, s)
		}
		if !found {
			t.Errorf("no problem mentions %q:\n%s", s, rep)
		}
	}
}

func wantFact(t *testing.T, rep Report, sub string) {
	t.Helper()
	for _, f := range rep.Facts {
		if strings.Contains(f, sub) {
			return
		}
	}
	t.Errorf("no fact mentions %q:\n%s", sub, rep)
}

// otherKey is a signed-note key the platform never used.
func otherKey(t testing.TB) (note.Signer, note.Verifier, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(nil, "ggzy-test")
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v, vkey
}

// signNote signs a checkpoint body with s.
func signNote(t testing.TB, cp ledger.Checkpoint, s note.Signer) []byte {
	t.Helper()
	msg, err := note.Sign(&note.Note{Text: string(cp.Body())}, s)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func idx(n int64) string { return fmt.Sprint(n) }
