// Package testkit opens migrated test databases: a temp-file SQLite always,
// and a fresh PostgreSQL schema when GGZY_TEST_POSTGRES is set (required in CI).
package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx" for schema setup

	"ggzy/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL server URL for tests.
const EnvPostgres = "GGZY_TEST_POSTGRES"

// OpenSQLite opens a migrated temp-file SQLite database, closed on cleanup.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ggzy.db")
	return openMigrated(t, "sqlite:"+path)
}

// OpenSQLiteAt opens a migrated SQLite database at path, closed on cleanup
// (for tests that then read the file itself).
func OpenSQLiteAt(t testing.TB, path string) *store.DB {
	t.Helper()
	return openMigrated(t, "sqlite:"+path)
}

// Tables lists the user tables of a SQLite or PostgreSQL test database.
func Tables(t testing.TB, db *store.DB) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if db.Dialect() == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	}
	rows, err := db.Writer().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("testkit: tables: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// DumpTable writes every row of a table as text (every column, whatever its
// type), as someone with full database access would read it.
func DumpTable(t testing.TB, db *store.DB, table string, w io.Writer) {
	t.Helper()
	rows, err := db.Writer().QueryContext(context.Background(), `SELECT * FROM `+table)
	if err != nil {
		t.Fatalf("testkit: dump %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("testkit: dump %s: %v", table, err)
		}
		for _, v := range vals {
			switch x := v.(type) {
			case []byte:
				_, _ = w.Write(x)
			default:
				_, _ = fmt.Fprint(w, x)
			}
			_, _ = io.WriteString(w, "\t")
		}
		_, _ = io.WriteString(w, "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("testkit: dump %s: %v", table, err)
	}
}

// OpenPostgres opens a migrated database in a fresh schema on the server of
// GGZY_TEST_POSTGRES; the schema is dropped on cleanup. Without the variable
// the test is skipped, or fails when CI=true.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	return openMigrated(t, PostgresURL(t))
}

// PostgresURL creates a fresh schema t_<random> (dropped on cleanup) and
// returns a URL whose search_path is that schema, for tests that start a
// whole server process. Same skip/fail rule as OpenPostgres.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("testkit: %s must be set in CI (a postgres:// URL of a throwaway server)", EnvPostgres)
		}
		t.Skipf("testkit: PostgreSQL tests skipped; set %s=postgres://… to run them", EnvPostgres)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testkit: bad %s: %v", EnvPostgres, err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])

	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("testkit: open postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("testkit: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("testkit: drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// EachDB runs fn as the subtests "sqlite" and "postgres", each on a fresh
// migrated database.
func EachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

func openMigrated(t testing.TB, dbURL string) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("testkit: open: %v", err)
	}
	// Registered after the schema cleanup, so it runs before the DROP.
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("testkit: close: %v", err)
		}
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("testkit: migrate: %v", err)
	}
	return db
}
