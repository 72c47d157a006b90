package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"ggzy/internal/apperr"
)

// sqliteTime is the SQLite time encoding: UTC, fixed width, microseconds, so
// that text order is time order.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// rebind turns ? placeholders into $1, $2 … for PostgreSQL. SQL in this
// package never has a literal '?'.
func rebind(q string) string {
	n := strings.Count(q, "?")
	if n == 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 2*n)
	i := 0
	for _, r := range q {
		if r == '?' {
			i++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(i))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (tx *Tx) q(s string) string {
	if tx.pg {
		return rebind(s)
	}
	return s
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, tx.q(query), args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, tx.q(query), args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, tx.q(query), args...)
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

// stmt returns a prepared statement bound to this transaction on SQLite,
// where parsing SQL costs more than running it (half of a bid submission's
// CPU before this cache). PostgreSQL's pgx driver caches statements itself,
// so it returns nil there. Statements are prepared on the pool once (see
// DB.prepare) and reused per connection by database/sql.
func (tx *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	if tx.pg || tx.pool == nil {
		return nil
	}
	k := stmtKey{tx.pool, query}
	v, ok := tx.db.stmts.Load(k)
	if !ok {
		// Preparing on the pool needs a free connection, and this transaction
		// holds SQLite's only writer: prepare before the next transaction.
		tx.db.pending.Store(k, struct{}{})
		return nil
	}
	return tx.tx.StmtContext(ctx, v.(*sql.Stmt))
}

// likeOp is the case-insensitive LIKE of the dialect.
func (tx *Tx) likeOp() string {
	if tx.pg {
		return "ILIKE"
	}
	return "LIKE"
}

// t encodes a time argument: NULL for the zero time, UTC truncated to µs.
func (tx *Tx) t(v time.Time) any {
	if v.IsZero() {
		return nil
	}
	v = v.UTC().Truncate(time.Microsecond)
	if tx.pg {
		return v
	}
	return v.Format(sqliteTime)
}

// nt scans a stored time (TIMESTAMPTZ, TEXT or NULL) into a time.Time.
type nt struct{ p *time.Time }

func (s nt) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.p = time.Time{}
	case time.Time:
		*s.p = v.UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("store: cannot scan %T as time", src)
	}
	return nil
}

func (s nt) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("store: bad stored time %q: %w", v, err)
	}
	*s.p = t.UTC()
	return nil
}

// tm is shorthand for a time scan target.
func tm(p *time.Time) nt { return nt{p} }

// js encodes v as JSON text, NULL when v is a nil slice, map or pointer.
func js(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("store: encode json: %w", err)
	}
	return string(b), nil
}

// raw encodes a json.RawMessage verbatim (byte-identical), NULL when nil.
func raw(m json.RawMessage) any {
	if m == nil {
		return nil
	}
	return string(m)
}

// nj scans JSON text (or NULL) into dst.
type nj struct{ dst any }

func (s nj) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("store: cannot scan %T as json", src)
	}
	if err := json.Unmarshal(b, s.dst); err != nil {
		return fmt.Errorf("store: decode json: %w", err)
	}
	return nil
}

// nr scans JSON text (or NULL) into a json.RawMessage, byte for byte.
type nr struct{ p *json.RawMessage }

func (s nr) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.p = nil
	case string:
		*s.p = json.RawMessage(v)
	case []byte:
		*s.p = append(json.RawMessage(nil), v...)
	default:
		return fmt.Errorf("store: cannot scan %T as json", src)
	}
	return nil
}

// constraint classifies a driver error.
type constraint int

const (
	otherError constraint = iota
	uniqueViolation
	foreignKeyViolation
)

func classify(err error) constraint {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return uniqueViolation
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKeyViolation
		}
		return otherError
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return uniqueViolation
		case "23503":
			return foreignKeyViolation
		}
	}
	return otherError
}

// writeErr maps a failed write: a unique violation becomes an apperr Conflict
// with conflictMsg, a missing referenced row an apperr NotFound of parent,
// anything else a wrapped internal error.
func writeErr(op string, err error, conflictMsg, parent string) error {
	switch classify(err) {
	case uniqueViolation:
		if conflictMsg != "" {
			return apperr.New(apperr.Conflict, "%s", conflictMsg).Wrap(err)
		}
	case foreignKeyViolation:
		if parent != "" {
			return apperr.NotFoundf(parent).Wrap(err)
		}
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// readErr maps a failed single-row read: no row is an apperr NotFound of what.
func readErr(op string, err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf(what)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// mustAffect turns a zero-row UPDATE into an apperr NotFound of what.
func mustAffect(op string, res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	if n == 0 {
		return apperr.NotFoundf(what)
	}
	return nil
}

// escapeLike escapes the LIKE wildcards of s with backslash (use ESCAPE '\').
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// collect runs a query and scans every row with scan.
func collect[T any](ctx context.Context, tx *Tx, op string, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, err)
	}
	return out, nil
}

// prepare prepares the statements that transactions asked for, before a new
// transaction takes a connection from pool.
func (db *DB) prepare(ctx context.Context, pool *sql.DB) {
	db.pending.Range(func(key, _ any) bool {
		k := key.(stmtKey)
		if k.pool != pool {
			return true
		}
		db.pending.Delete(k)
		if _, ok := db.stmts.Load(k); ok {
			return true
		}
		if st, err := pool.PrepareContext(ctx, k.query); err == nil {
			if _, loaded := db.stmts.LoadOrStore(k, st); loaded {
				st.Close()
			}
		}
		return true
	})
}
