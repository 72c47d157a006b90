package rules

import (
	"time"

	"ggzy/internal/clock"
)

// Days counts statutory periods on the official holiday calendar. The
// service adapts internal/calendar to it, so the rules stay pure and their
// tests can use any calendar.
type Days interface {
	// End is the last day (Shanghai midnight) of a period p triggered at
	// from: day 1 is the day after from's date (民法典第二百零一条).
	End(from time.Time, p Period) time.Time
	// Between counts the days of unit after a's date up to and including
	// b's date (0 when b's date is not after a's).
	Between(a, b time.Time, unit Unit) int
}

// day is the Shanghai date of t; the zero time stays zero.
func day(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return clock.Date(t)
}

// fmtDay renders a date as 2006-01-02.
func fmtDay(t time.Time) string { return day(t).Format("2006-01-02") }

// periodOr returns p, or def when p is unset (parameters stored before p
// existed).
func periodOr(p, def Period) Period {
	if p.Value <= 0 || p.Unit == "" {
		return def
	}
	if p.Basis == "" {
		p.Basis = def.Basis
	}
	return p
}
