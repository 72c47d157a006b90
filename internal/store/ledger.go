package store

import (
	"context"
	"fmt"

	"ggzy/internal/calendar"
	"ggzy/internal/ledger"
)

// AppendLedger appends e at the next index and returns it. The ledger head
// row is updated in the same transaction, so appends are serialised and the
// index is final and dense at commit. e.Index is ignored. Ledger rows are
// never updated or deleted.
func (tx *Tx) AppendLedger(ctx context.Context, e ledger.Entry) (int64, error) {
	if tx.pg {
		// One round trip: take the head and insert the entry in one statement.
		var idx int64
		err := tx.queryRow(ctx, `WITH h AS (UPDATE ledger_head SET size = size + 1 WHERE id = 1 RETURNING size - 1 AS idx)
			INSERT INTO ledger (idx, at, type, subject, public, private, salt, commitment)
			SELECT h.idx, ?::timestamptz, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text FROM h RETURNING idx`,
			tx.t(e.At), e.Type, e.Subject, raw(e.Public), raw(e.Private), e.Salt, e.Commitment).Scan(&idx)
		if err != nil {
			return 0, fmt.Errorf("store: append ledger: %w", err)
		}
		return idx, nil
	}
	// SQLite serialises writers (BEGIN IMMEDIATE, across processes too), so
	// the next index is simply one past the largest: one statement, and no
	// head row to rewrite at every commit. ledger_head stays for PostgreSQL.
	var idx int64
	err := tx.queryRow(ctx, `INSERT INTO ledger (idx, at, type, subject, public, private, salt, commitment)
		SELECT COALESCE(MAX(idx) + 1, 0), ?, ?, ?, ?, ?, ?, ? FROM ledger RETURNING idx`,
		tx.t(e.At), e.Type, e.Subject, raw(e.Public), raw(e.Private), e.Salt, e.Commitment).Scan(&idx)
	if err != nil {
		return 0, fmt.Errorf("store: append ledger: %w", err)
	}
	return idx, nil
}

// ListLedger lists entries with index ≥ from in index order, of one subject
// ("" = all); limit ≤ 0 means no limit.
func (tx *Tx) ListLedger(ctx context.Context, subject string, from int64, limit int) ([]ledger.Entry, error) {
	q := `SELECT idx, at, type, subject, public, private, salt, commitment FROM ledger WHERE idx >= ?`
	args := []any{from}
	if subject != "" {
		q += ` AND subject = ?`
		args = append(args, subject)
	}
	q += ` ORDER BY idx`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	return collect(ctx, tx, "list ledger", func(r rowScanner) (ledger.Entry, error) {
		var e ledger.Entry
		return e, r.Scan(&e.Index, tm(&e.At), &e.Type, &e.Subject, nr{&e.Public}, nr{&e.Private}, &e.Salt, &e.Commitment)
	}, q, args...)
}

// ListHolidays lists the holiday table ordered by date.
func (tx *Tx) ListHolidays(ctx context.Context) ([]calendar.Day, error) {
	return collect(ctx, tx, "list holidays", func(r rowScanner) (calendar.Day, error) {
		var d calendar.Day
		return d, r.Scan(&d.Date, &d.Kind, &d.Name)
	}, `SELECT date, kind, name FROM holidays ORDER BY date`)
}

// PutHolidays inserts or replaces days by date.
func (tx *Tx) PutHolidays(ctx context.Context, days []calendar.Day) error {
	for _, d := range days {
		_, err := tx.exec(ctx, `INSERT INTO holidays (date, kind, name) VALUES (?,?,?)
			ON CONFLICT (date) DO UPDATE SET kind = excluded.kind, name = excluded.name`, d.Date, d.Kind, d.Name)
		if err != nil {
			return fmt.Errorf("store: put holidays: %w", err)
		}
	}
	return nil
}
