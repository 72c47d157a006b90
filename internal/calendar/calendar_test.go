package calendar

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
)

const realTable = "../../../shared/reference/calendar/cn-holidays-2025-2026.csv"

// realCalendar loads the official 2025–2026 table shipped in /work/shared.
func realCalendar(t *testing.T) *Calendar {
	t.Helper()
	f, err := os.Open(realTable)
	if errors.Is(err, os.ErrNotExist) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("holiday table %s missing in CI", realTable)
		}
		t.Skipf("holiday table %s not present; skipping tests that need it", realTable)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	days, err := ParseCSV(f)
	if err != nil {
		t.Fatalf("ParseCSV(real table): %v", err)
	}
	c, err := New(days)
	if err != nil {
		t.Fatalf("New(real table): %v", err)
	}
	return c
}

// day is midnight Shanghai of an ISO date.
func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(dateLayout, s, clock.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestIsWorkingDayFollowsOfficialTable(t *testing.T) {
	c := realCalendar(t)
	tests := []struct {
		date string
		want bool
		why  string
	}{
		{"2025-10-01", false, "National Day holiday, Wednesday"},
		{"2025-10-08", false, "last day of the 2025 National Day holiday"},
		{"2025-09-28", true, "Sunday worked to make up (调休上班)"},
		{"2025-10-11", true, "Saturday worked to make up"},
		{"2025-10-09", true, "ordinary Thursday after the holiday"},
		{"2025-10-12", false, "ordinary Sunday"},
		{"2026-02-14", true, "Saturday worked before Spring Festival 2026"},
		{"2026-02-23", false, "Monday inside Spring Festival 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			if got := c.IsWorkingDay(day(t, tt.date)); got != tt.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v (%s)", tt.date, got, tt.want, tt.why)
			}
		})
	}
	for d := day(t, "2025-10-01"); !d.After(day(t, "2025-10-08")); d = d.AddDate(0, 0, 1) {
		if c.IsWorkingDay(d) {
			t.Errorf("IsWorkingDay(%s) = true, want false: 2025-10-01..08 are all holidays", d.Format(dateLayout))
		}
	}
}

func TestIsWorkingDayUsesShanghaiDate(t *testing.T) {
	c := realCalendar(t)
	// 2025-09-30 16:30 UTC is already 2025-10-01 00:30 in Shanghai, a holiday.
	if c.IsWorkingDay(time.Date(2025, 9, 30, 16, 30, 0, 0, time.UTC)) {
		t.Error("instant on 2025-10-01 Shanghai time counted as a working day")
	}
	if !c.IsWorkingDay(time.Date(2025, 9, 30, 15, 59, 0, 0, time.UTC)) {
		t.Error("instant on 2025-09-30 Shanghai time (Tuesday) not counted as a working day")
	}
}

func TestPeriodEnd(t *testing.T) {
	c := realCalendar(t)
	tests := []struct {
		name            string
		from            time.Time
		n               int
		unit            Unit
		want            string
		wantProvisional bool
	}{
		// 10-01..08 off; 10-09 Thu(1), 10-10 Fri(2), 10-11 Sat make-up(3), 10-13 Mon(4), 10-14 Tue(5).
		{"working days skip golden week and count make-up Saturday", day(t, "2025-09-30"), 5, WorkingDays, "2025-10-14", false},
		// 02-11..13 (1–3), 02-14 make-up Sat (4), 02-15..23 off, 02-24..27 (5–8),
		// 02-28 make-up Sat (9), 03-02..06 (10–14), 03-09 Mon (15).
		{"working days across Spring Festival 2026", day(t, "2026-02-10"), 15, WorkingDays, "2026-03-09", false},
		{"calendar days ending on a holiday move to next working day", day(t, "2025-09-11"), 20, CalendarDays, "2025-10-09", false},
		{"calendar days ending on make-up Sunday stay", day(t, "2025-09-08"), 20, CalendarDays, "2025-09-28", false},
		{"calendar days ending on ordinary Saturday move to Monday", day(t, "2025-11-07"), 1, CalendarDays, "2025-11-10", false},
		{"day one is the day after the trigger", day(t, "2025-11-03"), 1, CalendarDays, "2025-11-04", false},
		{"trigger time of day is irrelevant", day(t, "2025-11-03").Add(23*time.Hour + 59*time.Minute), 1, CalendarDays, "2025-11-04", false},
		// 2025-09-27 15:59 UTC is 23:59 on 09-27 in Shanghai: day 1 is the make-up Sunday.
		{"trigger date is the Shanghai date (before midnight)", time.Date(2025, 9, 27, 15, 59, 0, 0, time.UTC), 1, CalendarDays, "2025-09-28", false},
		{"trigger date is the Shanghai date (after midnight)", time.Date(2025, 9, 27, 16, 0, 0, 0, time.UTC), 1, CalendarDays, "2025-09-29", false},
		{"calendar days within covered year are final", day(t, "2026-12-26"), 5, CalendarDays, "2026-12-31", false},
		// 2027 has no table: 01-01 is a plain Friday, so the answer is only provisional.
		{"calendar days reaching 2027 are provisional", day(t, "2026-12-27"), 5, CalendarDays, "2027-01-01", true},
		{"working days reaching 2027 are provisional", day(t, "2026-12-25"), 5, WorkingDays, "2027-01-01", true},
		{"zero days is the trigger date", day(t, "2025-10-01").Add(10 * time.Hour), 0, WorkingDays, "2025-10-01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end, prov := c.PeriodEnd(tt.from, tt.n, tt.unit)
			if got := end.Format(dateLayout); got != tt.want || prov != tt.wantProvisional {
				t.Errorf("PeriodEnd(%s, %d, %s) = %s provisional=%v, want %s provisional=%v",
					tt.from, tt.n, tt.unit, got, prov, tt.want, tt.wantProvisional)
			}
			if !end.Equal(day(t, tt.want)) || end.Location() != clock.Shanghai {
				t.Errorf("end = %v, want midnight Shanghai", end)
			}
		})
	}
}

func TestDaysBetween(t *testing.T) {
	c := realCalendar(t)
	tests := []struct {
		name string
		a, b time.Time
		unit Unit
		want int
	}{
		{"working days over golden week", day(t, "2025-09-30"), day(t, "2025-10-14"), WorkingDays, 5},
		{"calendar days over golden week", day(t, "2025-09-30"), day(t, "2025-10-14"), CalendarDays, 14},
		{"same date different hours", day(t, "2025-09-30"), day(t, "2025-09-30").Add(23 * time.Hour), CalendarDays, 0},
		{"b before a", day(t, "2025-10-14"), day(t, "2025-09-30"), WorkingDays, 0},
		{"only holidays between", day(t, "2025-09-30"), day(t, "2025-10-08"), WorkingDays, 0},
		{"year boundary", day(t, "2025-12-31"), day(t, "2026-01-05"), CalendarDays, 5},
		// 2026-01-01..03 off, 01-04 make-up Sunday, 01-05 Monday.
		{"make-up Sunday after New Year counts", day(t, "2025-12-31"), day(t, "2026-01-05"), WorkingDays, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.DaysBetween(tt.a, tt.b, tt.unit); got != tt.want {
				t.Errorf("DaysBetween = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestDaysBetweenInvertsPeriodEnd(t *testing.T) {
	c := realCalendar(t)
	for from := day(t, "2025-01-01"); from.Year() < 2027; from = from.AddDate(0, 0, 3) {
		for _, n := range []int{1, 5, 20, 30} {
			end, _ := c.PeriodEnd(from, n, WorkingDays)
			if got := c.DaysBetween(from, end, WorkingDays); got != n {
				t.Fatalf("DaysBetween(%s, PeriodEnd(%d wd) = %s) = %d", from.Format(dateLayout), n, end.Format(dateLayout), got)
			}
		}
	}
}

func TestNextWorkingDay(t *testing.T) {
	c := realCalendar(t)
	tests := []struct{ from, want string }{
		{"2025-10-01", "2025-10-09"},
		{"2025-09-28", "2025-09-28"},
		{"2025-10-12", "2025-10-13"},
		{"2026-02-15", "2026-02-24"},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			got := c.NextWorkingDay(day(t, tt.from).Add(15 * time.Hour))
			if !got.Equal(day(t, tt.want)) {
				t.Errorf("NextWorkingDay(%s) = %s, want %s", tt.from, got.Format(dateLayout), tt.want)
			}
		})
	}
}

func TestCovers(t *testing.T) {
	c := realCalendar(t)
	tests := []struct {
		at   time.Time
		want bool
	}{
		{day(t, "2025-06-01"), true},
		{day(t, "2026-12-31"), true},
		{day(t, "2027-01-01"), false},
		{day(t, "2024-12-31"), false},
		// 2026-12-31 16:00 UTC is already 2027 in Shanghai.
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		if got := c.Covers(tt.at); got != tt.want {
			t.Errorf("Covers(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

func TestNilCalendarActsAsEmptyTable(t *testing.T) {
	var c *Calendar
	if !c.IsWorkingDay(day(t, "2025-10-01")) {
		t.Error("nil calendar: Wednesday 2025-10-01 should be a plain working day")
	}
	if c.Covers(day(t, "2025-10-01")) {
		t.Error("nil calendar covers no year")
	}
	end, prov := c.PeriodEnd(day(t, "2025-09-30"), 5, WorkingDays)
	if end.Format(dateLayout) != "2025-10-07" || !prov {
		t.Errorf("nil calendar PeriodEnd = %s provisional=%v, want 2025-10-07 provisional=true", end.Format(dateLayout), prov)
	}
	if got := c.NextWorkingDay(day(t, "2025-10-04")); got.Format(dateLayout) != "2025-10-06" {
		t.Errorf("nil calendar NextWorkingDay(Saturday) = %s", got.Format(dateLayout))
	}
	if got := c.DaysBetween(day(t, "2025-09-30"), day(t, "2025-10-07"), WorkingDays); got != 5 {
		t.Errorf("nil calendar DaysBetween = %d, want 5", got)
	}
	if err := c.Add([]Day{{Date: "2027-01-01", Kind: Holiday}}); err == nil {
		t.Error("Add on nil calendar should fail, not panic or succeed")
	}
}

func TestZeroCalendarActsAsEmptyTable(t *testing.T) {
	var c Calendar
	if _, prov := c.PeriodEnd(day(t, "2025-09-30"), 1, CalendarDays); !prov {
		t.Error("zero calendar should mark every period provisional")
	}
	if err := c.Add([]Day{{Date: "2027-01-01", Kind: Holiday}}); err != nil || !c.Covers(day(t, "2027-06-01")) {
		t.Errorf("Add on zero calendar: err=%v covers=%v", err, c.Covers(day(t, "2027-06-01")))
	}
}

func TestAddExtendsCoverage(t *testing.T) {
	c := realCalendar(t)
	if c.Covers(day(t, "2027-01-01")) {
		t.Fatal("2027 covered before it was added")
	}
	if err := c.Add([]Day{{Date: "2027-01-01", Kind: Holiday, Name: "元旦"}}); err != nil {
		t.Fatal(err)
	}
	if !c.Covers(day(t, "2027-01-01")) || c.IsWorkingDay(day(t, "2027-01-01")) {
		t.Fatal("2027-01-01 should be a covered holiday after Add")
	}
	// 12-28..31 (1–4), 01-01 now off, 01-04 Monday (5); no longer provisional.
	end, prov := c.PeriodEnd(day(t, "2026-12-25"), 5, WorkingDays)
	if end.Format(dateLayout) != "2027-01-04" || prov {
		t.Errorf("PeriodEnd after Add = %s provisional=%v, want 2027-01-04 final", end.Format(dateLayout), prov)
	}
	if !c.Covers(day(t, "2025-10-01")) {
		t.Error("Add dropped previously covered years")
	}
}

func TestAddIsAllOrNothing(t *testing.T) {
	c := realCalendar(t)
	err := c.Add([]Day{
		{Date: "2027-01-01", Kind: Holiday},
		{Date: "2025-10-01", Kind: Workday}, // conflicts with the table
	})
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "2025-10-01") {
		t.Fatalf("conflicting Add: err = %v, want Invalid naming 2025-10-01", err)
	}
	if c.Covers(day(t, "2027-01-01")) || c.IsWorkingDay(day(t, "2025-10-01")) {
		t.Error("failed Add changed the calendar")
	}
	if err := c.Add([]Day{{Date: "2025-10-01", Kind: Holiday, Name: "国庆节"}}); err != nil {
		t.Errorf("repeating an existing day with the same kind: %v", err)
	}
}

func TestNewRejectsInvalidDays(t *testing.T) {
	tests := []struct {
		name string
		days []Day
		want string
	}{
		{"unpadded date", []Day{{Date: "2025-1-1", Kind: Holiday}}, "2025-1-1"},
		{"impossible date", []Day{{Date: "2025-02-30", Kind: Holiday}}, "2025-02-30"},
		{"unknown kind", []Day{{Date: "2025-01-01", Kind: "rest"}}, "rest"},
		{"conflicting kinds", []Day{{Date: "2025-01-01", Kind: Holiday}, {Date: "2025-01-01", Kind: Workday}}, "2025-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.days)
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want Invalid error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestParseCSVRejectsBadLinesNamingTheLine(t *testing.T) {
	const header = "date,kind,name\n"
	tests := []struct {
		name, in, want string
	}{
		{"empty input", "", "第1行"},
		{"wrong header", "day,kind,name\n", "第1行：表头"},
		{"bad date", header + "2025-01-01,holiday,元旦\n2025-13-01,holiday,x\n", "第3行：日期“2025-13-01”无效"},
		{"bad kind", header + "2025-01-01,rest,元旦\n", "第2行：类型“rest”无效"},
		{"missing column", header + "2025-01-01,holiday,元旦\n\n2025-01-02,holiday\n", "第4行：应有3列"},
		{"unclosed quote", header + "2025-01-01,holiday,\"元旦\n", "第2行：CSV格式错误"},
		{"conflicting duplicate", header + "2025-01-01,holiday,元旦\n2025-01-01,workday,x\n", "第3行：2025-01-01已在第2行"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tt.in))
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("ParseCSV err = %v, want Invalid", err)
			}
			if msg := apperr.As(err).Message; !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q", msg, tt.want)
			}
		})
	}
}

func TestParseCSVAcceptsBOMSpacesAndRepeatedDays(t *testing.T) {
	in := "\uFEFFdate, kind, name\r\n2025-01-01 , holiday , 元旦\r\n2025-01-01,holiday,元旦\r\n2025-01-26,workday,\r\n"
	days, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Day{{"2025-01-01", Holiday, "元旦"}, {"2025-01-26", Workday, ""}}
	if len(days) != len(want) {
		t.Fatalf("got %d days %v, want %v", len(days), days, want)
	}
	for i := range want {
		if days[i] != want[i] {
			t.Errorf("day %d = %+v, want %+v", i, days[i], want[i])
		}
	}
}

func TestLoadDir(t *testing.T) {
	const header = "date,kind,name\n"
	tests := []struct {
		name     string
		files    map[string]string
		wantDays int
		wantErr  string
	}{
		{"merges files and tolerates same-kind repeats", map[string]string{
			"2025.csv":   header + "2025-01-01,holiday,元旦\n",
			"2026.CSV":   header + "2026-01-01,holiday,元旦\n2025-01-01,holiday,元旦\n",
			"notes.txt":  "ignored",
			"README.md":  "ignored",
			"extra.csvx": "ignored",
		}, 2, ""},
		{"conflicting kinds across files", map[string]string{
			"a.csv": header + "2025-01-01,holiday,元旦\n",
			"b.csv": header + "2025-01-01,workday,x\n",
		}, 0, "b.csv"},
		{"bad line names the file", map[string]string{
			"a.csv": header + "2025-01-01,holiday,元旦\nbad,holiday,x\n",
		}, 0, "a.csv第3行"},
		{"no tables", map[string]string{"notes.txt": "x"}, 0, "没有CSV文件"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			days, err := LoadDir(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(apperr.As(err).Message, tt.wantErr) {
					t.Fatalf("LoadDir err = %v, want message containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(days) != tt.wantDays {
				t.Errorf("LoadDir returned %d days, want %d: %v", len(days), tt.wantDays, days)
			}
		})
	}
}

func TestLoadDirMissingDirectoryFails(t *testing.T) {
	if _, err := LoadDir(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("LoadDir on a missing directory succeeded")
	}
}

func TestAddWhileCountingIsSafe(t *testing.T) {
	c := realCalendar(t)
	from := day(t, "2026-12-01")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			c.PeriodEnd(from, 40, WorkingDays)
		}()
		go func() {
			defer wg.Done()
			d := time.Date(2027, 1, 1+i, 0, 0, 0, 0, clock.Shanghai).Format(dateLayout)
			if err := c.Add([]Day{{Date: d, Kind: Holiday}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
