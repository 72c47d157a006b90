package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/transparency-dev/merkle/compact"

	"ggzy/internal/calendar"
	"ggzy/internal/ledger"
)

// AppendLedger appends e at the next index and integrates it into the
// Merkle tree in the same transaction: the head row (tree size and frontier)
// is taken first, which serialises appends, so the index is final and dense at
// commit and the entry's inclusion proof exists at once (DESIGN.md §6.1).
// e.Index is ignored. Ledger rows and nodes are never updated or deleted.
func (tx *Tx) AppendLedger(ctx context.Context, e ledger.Entry) (int64, error) {
	var size int64
	var front []byte
	// Take the head: FOR UPDATE locks the row on PostgreSQL; SQLite's write
	// transaction (BEGIN IMMEDIATE) already excludes every other writer.
	q := `SELECT size, frontier FROM ledger_head WHERE id = 1`
	if tx.pg {
		q += ` FOR UPDATE`
	}
	if err := tx.queryRow(ctx, q).Scan(&size, &front); err != nil {
		return 0, fmt.Errorf("store: append ledger: head: %w", err)
	}
	e.Index = size
	leaf, err := e.LeafHash()
	if err != nil {
		return 0, err
	}
	hs, err := ledger.DecodeHashes(front)
	if err != nil {
		return 0, err
	}
	f, nodes, err := ledger.Frontier{Size: uint64(size), Hashes: hs}.Append(leaf)
	if err != nil {
		return 0, err
	}
	entryArgs := []any{size, tx.t(e.At), e.Type, e.Subject, raw(e.Public), raw(e.Private), e.Salt, e.Commitment}
	var vals strings.Builder
	var nodeArgs []any
	for i, n := range nodes {
		if i > 0 {
			vals.WriteString(",")
		}
		vals.WriteString("(?,?,?)")
		nodeArgs = append(nodeArgs, int64(n.Level), int64(n.Index), n.Hash)
	}
	if tx.pg {
		// One more round trip for everything else (loopback round trips cost
		// more than the work, DESIGN.md §12).
		args := append(append(entryArgs, nodeArgs...), int64(f.Size), ledger.EncodeHashes(f.Hashes))
		_, err = tx.exec(ctx, `WITH e AS (INSERT INTO ledger (idx, at, type, subject, public, private, salt, commitment)
				VALUES (?, ?::timestamptz, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text)),
			n AS (INSERT INTO ledger_node (level, idx, hash) VALUES `+vals.String()+`)
			UPDATE ledger_head SET size = ?, frontier = ? WHERE id = 1`, args...)
		if err != nil {
			return 0, fmt.Errorf("store: append ledger: %w", err)
		}
		return size, nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO ledger (idx, at, type, subject, public, private, salt, commitment) VALUES (?,?,?,?,?,?,?,?)`, entryArgs...); err != nil {
		return 0, fmt.Errorf("store: append ledger: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO ledger_node (level, idx, hash) VALUES `+vals.String(), nodeArgs...); err != nil {
		return 0, fmt.Errorf("store: append ledger nodes: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE ledger_head SET size = ?, frontier = ? WHERE id = 1`, int64(f.Size), ledger.EncodeHashes(f.Hashes)); err != nil {
		return 0, fmt.Errorf("store: append ledger head: %w", err)
	}
	return size, nil
}

// LedgerTree returns the tree head: size and frontier.
func (tx *Tx) LedgerTree(ctx context.Context) (ledger.Frontier, error) {
	var size int64
	var front []byte
	if err := tx.queryRow(ctx, `SELECT size, frontier FROM ledger_head WHERE id = 1`).Scan(&size, &front); err != nil {
		return ledger.Frontier{}, fmt.Errorf("store: ledger head: %w", err)
	}
	hs, err := ledger.DecodeHashes(front)
	return ledger.Frontier{Size: uint64(size), Hashes: hs}, err
}

// LedgerNodes returns the stored hashes of the given nodes, in order. A
// missing node is an error naming it: proofs must never be built on a guess.
func (tx *Tx) LedgerNodes(ctx context.Context, want []compact.NodeID) ([][]byte, error) {
	out := make([][]byte, len(want))
	if len(want) == 0 {
		return out, nil
	}
	var q strings.Builder
	q.WriteString(`SELECT level, idx, hash FROM ledger_node WHERE `)
	args := make([]any, 0, 2*len(want))
	pos := map[compact.NodeID][]int{}
	for i, id := range want {
		if i > 0 {
			q.WriteString(" OR ")
		}
		q.WriteString("(level = ? AND idx = ?)")
		args = append(args, int64(id.Level), int64(id.Index))
		pos[id] = append(pos[id], i)
	}
	rows, err := tx.query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("store: ledger nodes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var level, idx int64
		var h []byte
		if err := rows.Scan(&level, &idx, &h); err != nil {
			return nil, fmt.Errorf("store: ledger nodes: %w", err)
		}
		for _, i := range pos[compact.NewNodeID(uint(level), uint64(idx))] {
			out[i] = h
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: ledger nodes: %w", err)
	}
	for i, h := range out {
		if h == nil {
			return nil, fmt.Errorf("store: ledger node (level %d, index %d) is missing", want[i].Level, want[i].Index)
		}
	}
	return out, nil
}

// SaveCheckpoint stores a signed checkpoint; one that exists for the size is
// kept (two processes may sign the same size; either note is valid).
func (tx *Tx) SaveCheckpoint(ctx context.Context, c ledger.Checkpoint) error {
	_, err := tx.exec(ctx, `INSERT INTO ledger_checkpoint (size, root, at, note) VALUES (?,?,?,?) ON CONFLICT (size) DO NOTHING`,
		int64(c.Size), c.Root, tx.t(c.At), string(c.Note))
	if err != nil {
		return fmt.Errorf("store: save checkpoint: %w", err)
	}
	return nil
}

// LatestCheckpoint returns the checkpoint of the largest size; ok is false
// when none was signed yet.
func (tx *Tx) LatestCheckpoint(ctx context.Context) (c ledger.Checkpoint, ok bool, err error) {
	return tx.checkpoint(ctx, `SELECT size, root, at, note FROM ledger_checkpoint ORDER BY size DESC LIMIT 1`)
}

// CheckpointAtLeast returns the smallest checkpoint whose size is ≥ n.
func (tx *Tx) CheckpointAtLeast(ctx context.Context, n uint64) (c ledger.Checkpoint, ok bool, err error) {
	return tx.checkpoint(ctx, `SELECT size, root, at, note FROM ledger_checkpoint WHERE size >= ? ORDER BY size LIMIT 1`, int64(n))
}

func (tx *Tx) checkpoint(ctx context.Context, q string, args ...any) (c ledger.Checkpoint, ok bool, err error) {
	var size int64
	var note string
	err = tx.queryRow(ctx, q, args...).Scan(&size, &c.Root, tm(&c.At), &note)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("store: checkpoint: %w", err)
	}
	c.Size, c.Note = uint64(size), []byte(note)
	return c, true, nil
}

// integrateLedger builds the tree over entries appended before the ledger was
// a tree (schema v1 databases): it runs once at migration, in one transaction.
func (tx *Tx) integrateLedger(ctx context.Context) (int, error) {
	// Take the head's lock first: two processes may start at once.
	if _, err := tx.exec(ctx, `UPDATE ledger_head SET size = size WHERE id = 1`); err != nil {
		return 0, fmt.Errorf("store: integrate ledger: %w", err)
	}
	f, err := tx.LedgerTree(ctx)
	if err != nil {
		return 0, err
	}
	es, err := tx.ListLedger(ctx, "", int64(f.Size), 0)
	if err != nil {
		return 0, err
	}
	for _, e := range es {
		if uint64(e.Index) != f.Size {
			return 0, fmt.Errorf("store: ledger entry %d missing while integrating the tree", f.Size)
		}
		leaf, err := e.LeafHash()
		if err != nil {
			return 0, err
		}
		var nodes []ledger.Node
		if f, nodes, err = f.Append(leaf); err != nil {
			return 0, err
		}
		for _, n := range nodes {
			if _, err := tx.exec(ctx, `INSERT INTO ledger_node (level, idx, hash) VALUES (?,?,?)`, int64(n.Level), int64(n.Index), n.Hash); err != nil {
				return 0, fmt.Errorf("store: integrate ledger: %w", err)
			}
		}
	}
	if len(es) > 0 {
		_, err = tx.exec(ctx, `UPDATE ledger_head SET size = ?, frontier = ? WHERE id = 1`, int64(f.Size), ledger.EncodeHashes(f.Hashes))
	}
	return len(es), err
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

// LatestLedgerIndex is the index of the subject's newest entry, −1 when it
// has none: a cheap version number for live views.
func (tx *Tx) LatestLedgerIndex(ctx context.Context, subject string) (int64, error) {
	var n sql.NullInt64
	if err := tx.queryRow(ctx, `SELECT MAX(idx) FROM ledger WHERE subject = ?`, subject).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: latest ledger index: %w", err)
	}
	if !n.Valid {
		return -1, nil
	}
	return n.Int64, nil
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
