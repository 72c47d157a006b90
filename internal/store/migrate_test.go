package store_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

func migrationNames(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(filepath.Join("migrations", dir), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			names = append(names, d.Name())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// columns maps every table of the current schema (but goose's) to its sorted column names.
func columns(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	var q string
	switch db.Dialect() {
	case store.SQLite:
		q = `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`
	default:
		q = `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`
	}
	rows, err := db.Writer().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, cols := range out {
		slices.Sort(cols)
	}
	return out
}

func TestMigrationParity(t *testing.T) {
	sq, pg := migrationNames(t, "sqlite"), migrationNames(t, "postgres")
	if len(sq) == 0 || !reflect.DeepEqual(sq, pg) {
		t.Fatalf("migration files differ:\n sqlite   %v\n postgres %v", sq, pg)
	}
	if _, err := os.Stat(filepath.Join("migrations", "sqlite", sq[0])); err != nil {
		t.Fatal(err)
	}
	sqCols := columns(t, testkit.OpenSQLite(t))
	if len(sqCols) == 0 {
		t.Fatal("no tables after migrating SQLite")
	}
	pgCols := columns(t, testkit.OpenPostgres(t))
	for table, cols := range sqCols {
		if !reflect.DeepEqual(cols, pgCols[table]) {
			t.Errorf("table %s:\n sqlite   %v\n postgres %v", table, cols, pgCols[table])
		}
	}
	for table := range pgCols {
		if _, ok := sqCols[table]; !ok {
			t.Errorf("table %s only on postgres", table)
		}
	}
}
