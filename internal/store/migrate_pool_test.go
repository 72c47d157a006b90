package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"ggzy/internal/expert"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// TestPoolMigrationKeepsTheSpinesExperts: a database of schema 5 with the
// spine's experts table migrates to the unified pool: active experts stay
// in it with their specialty, inactive ones exit, no row is lost.
func TestPoolMigrationKeepsTheSpinesExperts(t *testing.T) {
	ctx := context.Background()
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "old.db") },
		"postgres": func(t *testing.T) string { return testkit.PostgresURL(t) },
	} {
		t.Run(name, func(t *testing.T) {
			db, err := store.Open(ctx, dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.MigrateTo(ctx, 5); err != nil {
				t.Fatal(err)
			}
			q := `INSERT INTO experts (id, name, specialty, employer_id, employer_name, title, years, city, active, user_id) VALUES (?,?,?,?,?,?,?,?,?,?)`
			if db.Dialect() == store.Postgres {
				q = `INSERT INTO experts (id, name, specialty, employer_id, employer_name, title, years, city, active, user_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`
			}
			for _, r := range [][]any{
				{"old-1", "老专家甲", "A0801", "", "广西大学", "高级工程师", 12, "450100", true, "u1"},
				{"old-2", "老专家乙", "A0802", "", "设计院", "高级工程师", 20, "450300", false, "u2"},
			} {
				if _, err := db.Writer().ExecContext(ctx, q, r...); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			err = db.Read(ctx, func(tx *store.Tx) error {
				a, err := tx.ListExperts(ctx, expert.Filter{Specialty: "A0801"})
				if err != nil {
					return err
				}
				if len(a) != 1 || a[0].ID != "old-1" || a[0].Status != expert.Active || a[0].UserID != "u1" || a[0].Specialties[0] != "A0801" || a[0].FieldSince == 0 {
					t.Errorf("active expert after migration: %+v", a)
				}
				b, err := tx.GetExpert(ctx, "old-2")
				if err != nil {
					return err
				}
				if b.Status != expert.Exited || b.EmployerName != "设计院" {
					t.Errorf("inactive expert after migration: %+v", b)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
