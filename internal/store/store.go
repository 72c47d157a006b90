// Package store is the one storage implementation of ggzy: database/sql with a
// SQLite dialect (modernc.org/sqlite, pure Go) and a PostgreSQL dialect (pgx
// stdlib), goose migrations embedded per dialect, and one Tx type that
// implements the domain packages' transaction interfaces (DESIGN.md §5).
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"

	"ggzy/internal/jobs"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Dialect names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// EnqueueFunc inserts a job inside the caller's transaction (the outbox).
type EnqueueFunc func(ctx context.Context, tx *sql.Tx, j jobs.Job) error

// DB is an open database: a writer pool and a reader pool (the same pool on
// PostgreSQL).
type DB struct {
	dialect  string
	writer   *sql.DB
	reader   *sql.DB
	enqueuer atomic.Pointer[EnqueueFunc]
	stmts    sync.Map   // SQLite: pool+query → *sql.Stmt, so SQL is parsed once per connection
	pending  sync.Map   // SQLite: statements to prepare before the next transaction
	group    *committer // SQLite: group commit of write transactions
}

// sqlitePragmas are applied in order on every SQLite connection; busy_timeout
// must come first (DESIGN.md §12).
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"

// Open opens url: "sqlite:PATH" or "postgres://…" / "postgresql://…". It does
// not migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(url, "sqlite:"))
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url)
	}
	return nil, errors.New("store: unsupported database URL (want sqlite:PATH or postgres://…)")
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty SQLite path")
	}
	path = strings.TrimPrefix(path, "file:")
	if strings.Contains(path, "?") || strings.Contains(path, ":memory:") || strings.Contains(path, "mode=memory") {
		// The writer and reader pools must share one file.
		return nil, errors.New("store: SQLite URL must be a file path without parameters (no in-memory databases)")
	}
	writer, err := sql.Open("sqlite", "file:"+path+"?"+sqlitePragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite writer: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	// The writer connects first so the file exists and is in WAL mode before
	// any reader opens it.
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("store: connect sqlite writer: %w", err)
	}
	reader, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=query_only(1)")
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("store: open sqlite reader: %w", err)
	}
	n := max(4, runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	reader.SetConnMaxIdleTime(0)
	if err := reader.PingContext(ctx); err != nil {
		writer.Close()
		reader.Close()
		return nil, fmt.Errorf("store: connect sqlite reader: %w", err)
	}
	db := &DB{dialect: SQLite, writer: writer, reader: reader}
	db.group = newCommitter(db)
	return db, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	pool, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
	pool.SetMaxIdleConns(max(4, runtime.NumCPU()))
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	// No group commit on PostgreSQL: there transactions overlap on many
	// connections up to the ledger head, and one committer measured slower
	// (ADR 0005).
	return &DB{dialect: Postgres, writer: pool, reader: pool}, nil
}

// Migrate applies the embedded migrations of the dialect (forward only).
func (db *DB) Migrate(ctx context.Context) error { return db.migrate(ctx, 0) }

// MigrateTo migrates up to version (and no further): upgrade tests start
// from an older schema with data in it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error { return db.migrate(ctx, version) }

func (db *DB) migrate(ctx context.Context, version int64) error {
	var (
		dialect goose.Dialect
		opts    []goose.ProviderOption
	)
	switch db.dialect {
	case SQLite:
		dialect = goose.DialectSQLite3
	case Postgres:
		dialect = goose.DialectPostgres
		// Several processes may start at once: serialise them.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("store: migration locker: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, "migrations/"+db.dialect)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, db.writer, sub, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if version > 0 {
		_, err := p.UpTo(ctx, version)
		if err != nil {
			return fmt.Errorf("store: migrate to %d: %w", version, err)
		}
		return nil
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	// Entries of a schema-v1 database become leaves (a no-op afterwards).
	return db.run(ctx, db.writer, nil, func(tx *Tx) error {
		_, err := tx.integrateLedger(ctx)
		return err
	})
}

// Close closes both pools.
func (db *DB) Close() error {
	if db.group != nil {
		db.group.close()
	}
	db.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	err := db.writer.Close()
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	return err
}

// Dialect is "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// Writer is the raw read-write pool (for the job runner).
func (db *DB) Writer() *sql.DB { return db.writer }

// SetEnqueuer plugs in the job runner; Tx.Enqueue calls fn with the live *sql.Tx.
func (db *DB) SetEnqueuer(fn func(ctx context.Context, tx *sql.Tx, j jobs.Job) error) {
	if fn == nil {
		db.enqueuer.Store(nil)
		return
	}
	f := EnqueueFunc(fn)
	db.enqueuer.Store(&f)
}

// Ping checks both pools.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if db.reader != db.writer {
		if err := db.reader.PingContext(ctx); err != nil {
			return fmt.Errorf("store: ping reader: %w", err)
		}
	}
	return nil
}

// WithTx runs fn in one read-write transaction, committed when fn returns nil
// and rolled back when it returns an error or panics.
func (db *DB) WithTx(ctx context.Context, fn func(*Tx) error) error {
	if db.group != nil {
		return db.group.do(ctx, fn)
	}
	return db.run(ctx, db.writer, nil, fn)
}

// Read runs fn in a read-only transaction on the reader pool.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.reader, &sql.TxOptions{ReadOnly: true}, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*Tx) error) (err error) {
	if db.dialect == SQLite {
		db.prepare(ctx, pool)
	}
	stx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = stx.Rollback()
		}
	}()
	if err := fn(&Tx{db: db, tx: stx, pg: db.dialect == Postgres, pool: pool}); err != nil {
		return err
	}
	if err := stx.Commit(); err != nil {
		committed = true // a failed commit needs no rollback
		return fmt.Errorf("store: commit: %w", err)
	}
	committed = true
	return nil
}

// Runner adapts a DB to a domain package's Store interface: Bind[tender.Tx](db)
// is a tender.Store.
type Runner[T any] struct{ db *DB }

// Bind returns a Runner for the transaction interface T, which *Tx must
// implement (checked here, so a mismatch fails at start-up, not mid-request).
func Bind[T any](db *DB) Runner[T] {
	if _, ok := any((*Tx)(nil)).(T); !ok {
		var zero *T
		panic(fmt.Sprintf("store: *store.Tx does not implement %T", zero))
	}
	return Runner[T]{db: db}
}

// WithTx runs fn in a read-write transaction.
func (r Runner[T]) WithTx(ctx context.Context, fn func(T) error) error {
	return r.db.WithTx(ctx, func(tx *Tx) error { return fn(any(tx).(T)) })
}

// Read runs fn in a read-only transaction.
func (r Runner[T]) Read(ctx context.Context, fn func(T) error) error {
	return r.db.Read(ctx, func(tx *Tx) error { return fn(any(tx).(T)) })
}
