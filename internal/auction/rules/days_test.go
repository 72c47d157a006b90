package rules

import (
	"testing"
	"time"

	"ggzy/internal/calendar"
	"ggzy/internal/clock"
)

// calDays counts on a holiday table, as the service does.
type calDays struct{ c *calendar.Calendar }

func (d calDays) End(from time.Time, p Period) time.Time {
	end, _ := d.c.PeriodEnd(from, p.Value, calendar.Unit(p.Unit))
	return end
}

func (d calDays) Between(a, b time.Time, unit Unit) int {
	return d.c.DaysBetween(a, b, calendar.Unit(unit))
}

// national2025 is the 2025 National Day and Mid-Autumn arrangement: 1–8
// October off, Sunday 28 September and Saturday 11 October worked.
func national2025(t *testing.T) calDays {
	t.Helper()
	days := []calendar.Day{{Date: "2025-09-28", Kind: calendar.Workday}, {Date: "2025-10-11", Kind: calendar.Workday}}
	for d := 1; d <= 8; d++ {
		days = append(days, calendar.Day{Date: time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC).Format("2006-01-02"), Kind: calendar.Holiday})
	}
	c, err := calendar.New(days)
	if err != nil {
		t.Fatal(err)
	}
	return calDays{c}
}

// on is a Beijing instant; date(y-m-d) is its Shanghai date.
func on(m time.Month, d, h, min int) time.Time {
	return time.Date(2025, m, d, h, min, 0, 0, clock.Shanghai)
}

func date(m time.Month, d int) time.Time { return on(m, d, 0, 0) }
