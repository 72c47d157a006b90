// Package calendar counts statutory periods in Asia/Shanghai on the official
// public-holiday table (国务院办公厅节假日安排). Years without a table fall back to
// the plain Monday–Friday week and are reported as provisional, never as final.
package calendar

import (
	"sync"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
)

// DayKind says how a listed day differs from the ordinary week.
type DayKind string

const (
	Holiday DayKind = "holiday" // day off, even on a weekday
	Workday DayKind = "workday" // weekend day worked to make up for a holiday (调休上班)
)

// Day is one row of the holiday table.
type Day struct {
	Date string // YYYY-MM-DD
	Kind DayKind
	Name string
}

// Unit is the unit a statutory period is written in.
type Unit string

const (
	CalendarDays Unit = "cd" // 日
	WorkingDays  Unit = "wd" // 工作日
)

const dateLayout = "2006-01-02"

// Calendar is the holiday table. The zero value and a nil *Calendar both act
// as an empty table.
type Calendar struct {
	mu    sync.RWMutex
	days  map[string]Day
	years map[int]bool
}

// New builds a calendar from days; the years it covers are those that appear.
func New(days []Day) (*Calendar, error) {
	c := &Calendar{}
	if err := c.Add(days); err != nil {
		return nil, err
	}
	return c, nil
}

// Add merges more days, e.g. next year's table loaded by an operator. It is
// all or nothing: on error the calendar is unchanged.
func (c *Calendar) Add(days []Day) error {
	if c == nil {
		return apperr.New(apperr.Internal, "节假日表未初始化，无法添加。")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	merged, years, err := merge(c.days, days)
	if err != nil {
		return err
	}
	for y := range c.years {
		years[y] = true
	}
	c.days, c.years = merged, years
	return nil
}

// merge validates days and returns a new map of base plus days, and the years
// of days. base is not modified, so a failed Add leaves the calendar intact.
func merge(base map[string]Day, days []Day) (map[string]Day, map[int]bool, error) {
	out := make(map[string]Day, len(base)+len(days))
	for k, v := range base {
		out[k] = v
	}
	years := map[int]bool{}
	for i, d := range days {
		t, err := validateDay(d)
		if err != nil {
			return nil, nil, apperr.New(apperr.Invalid, "节假日表第%d项：%s", i+1, err.Message)
		}
		if prev, ok := out[d.Date]; ok && prev.Kind != d.Kind {
			return nil, nil, apperr.New(apperr.Invalid, "节假日表中%s同时被列为“%s”和“%s”，请核对。", d.Date, prev.Kind, d.Kind)
		}
		out[d.Date] = d
		years[t.Year()] = true
	}
	return out, years, nil
}

func validateDay(d Day) (time.Time, *apperr.Error) {
	t, err := time.ParseInLocation(dateLayout, d.Date, clock.Shanghai)
	// Round trip rejects forms time.Parse tolerates, so map keys stay canonical.
	if err != nil || t.Format(dateLayout) != d.Date {
		return time.Time{}, apperr.New(apperr.Invalid, "日期“%s”无效，应为YYYY-MM-DD格式。", d.Date)
	}
	if d.Kind != Holiday && d.Kind != Workday {
		return time.Time{}, apperr.New(apperr.Invalid, "类型“%s”无效，应为holiday或workday。", d.Kind)
	}
	return t, nil
}

// Covers reports whether t's Shanghai year is in the table.
func (c *Calendar) Covers(t time.Time) bool {
	if c == nil {
		return false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.covers(t)
}

// IsWorkingDay: listed holiday → false; listed workday → true; else Mon–Fri.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	if c == nil {
		return plainWorkingDay(t.In(clock.Shanghai))
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.isWorkingDay(t)
}

// PeriodEnd returns the last day (Shanghai midnight) of a period of n units
// triggered at from. Day 1 is the day after from's date (民法典第二百零一条).
// A calendar-day period whose last day is not a working day ends on the next
// working day (民法典第二百零三条); a working-day period counts working days only.
// Any unit other than WorkingDays counts calendar days. n <= 0 returns from's
// date. provisional is true when a counted day fell in a year without a table.
func (c *Calendar) PeriodEnd(from time.Time, n int, unit Unit) (end time.Time, provisional bool) {
	if c != nil {
		// One read lock for the whole count so it sees one consistent table.
		c.mu.RLock()
		defer c.mu.RUnlock()
	}
	d := clock.Date(from)
	if n <= 0 {
		return d, false
	}
	step := func() {
		d = d.AddDate(0, 0, 1)
		if !c.covers(d) {
			provisional = true
		}
	}
	if unit == WorkingDays {
		for counted := 0; counted < n; {
			step()
			if c.isWorkingDay(d) {
				counted++
			}
		}
		return d, provisional
	}
	for range n {
		step()
	}
	for !c.isWorkingDay(d) {
		step()
	}
	return d, provisional
}

// DaysBetween counts days after a's date up to and including b's date (0 if
// b's date is not after a's). Any unit other than WorkingDays counts calendar days.
func (c *Calendar) DaysBetween(a, b time.Time, unit Unit) int {
	da, db := clock.Date(a), clock.Date(b)
	if !db.After(da) {
		return 0
	}
	if unit != WorkingDays {
		// Count on UTC dates: immune to historical Shanghai DST (1986–1991).
		ua := time.Date(da.Year(), da.Month(), da.Day(), 0, 0, 0, 0, time.UTC)
		ub := time.Date(db.Year(), db.Month(), db.Day(), 0, 0, 0, 0, time.UTC)
		return int(ub.Sub(ua) / (24 * time.Hour))
	}
	if c != nil {
		c.mu.RLock()
		defer c.mu.RUnlock()
	}
	n := 0
	for d := da.AddDate(0, 0, 1); !d.After(db); d = d.AddDate(0, 0, 1) {
		if c.isWorkingDay(d) {
			n++
		}
	}
	return n
}

// NextWorkingDay returns t's date if it is a working day, else the next
// working day (midnight Shanghai).
func (c *Calendar) NextWorkingDay(t time.Time) time.Time {
	if c != nil {
		c.mu.RLock()
		defer c.mu.RUnlock()
	}
	d := clock.Date(t)
	for !c.isWorkingDay(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// covers and isWorkingDay expect the caller to hold the read lock (or c to
// be nil); sync.RWMutex must not be read-locked recursively.
func (c *Calendar) covers(t time.Time) bool {
	return c != nil && c.years[t.In(clock.Shanghai).Year()]
}

func (c *Calendar) isWorkingDay(t time.Time) bool {
	s := t.In(clock.Shanghai)
	if c != nil {
		if d, ok := c.days[s.Format(dateLayout)]; ok {
			return d.Kind == Workday
		}
	}
	return plainWorkingDay(s)
}

func plainWorkingDay(s time.Time) bool {
	wd := s.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}
