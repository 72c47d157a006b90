package calendar_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

// TestLoadAddsAYearAtRunTime: an operator loads the 2027 table; it counts at
// once, is stored (a restart reads it back) and is recorded in the ledger;
// others may not change the table.
func TestLoadAddsAYearAtRunTime(t *testing.T) {
	db := testkit.OpenSQLite(t)
	ctx := context.Background()
	cal, err := calendar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := calendar.NewService(store.Bind[calendar.Tx](db), cal, clock.NewFake(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)))
	newYear := time.Date(2027, 1, 1, 12, 0, 0, 0, clock.Shanghai) // a Friday
	if !cal.IsWorkingDay(newYear) || cal.Covers(newYear) {
		t.Fatal("before loading, 2027-01-01 should be an uncovered plain Friday")
	}
	days, err := calendar.ParseCSV(strings.NewReader("date,kind,name\n2027-01-01,holiday,元旦\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Load(ctx, party.Actor{Role: party.RoleBidder, UserID: "u1"}, days); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a bidder changed the holiday table: %v", err)
	}
	years, err := svc.Load(ctx, party.Actor{Role: party.RoleOperator, UserID: "op"}, days)
	if err != nil || len(years) != 1 || years[0] != 2027 {
		t.Fatalf("load: %v %v", years, err)
	}
	if cal.IsWorkingDay(newYear) || !cal.Covers(newYear) {
		t.Fatal("the loaded holiday does not count")
	}
	err = db.Read(ctx, func(tx *store.Tx) error {
		stored, err := tx.ListHolidays(ctx)
		if err != nil {
			return err
		}
		if len(stored) != 1 || stored[0].Date != "2027-01-01" {
			t.Errorf("stored %+v", stored)
		}
		es, err := tx.ListLedger(ctx, "calendar", 0, 0)
		if err != nil {
			return err
		}
		if len(es) != 1 || es[0].Type != "calendar.loaded" {
			t.Errorf("ledger %+v", es)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
