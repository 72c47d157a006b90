// Package clock is the one source of time. Use cases read it once and pass the
// instant down; tests drive a Fake.
package clock

import (
	"sync"
	"sync/atomic"
	"time"
)

// Shanghai is the zone in which days are shown and counted (北京时间).
var Shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is imported by cmd/ggzy so this only fails in a broken build.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Real is the system clock, optionally shifted (demo acceleration only).
type Real struct{ Offset time.Duration }

func (r Real) Now() time.Time { return time.Now().Add(r.Offset).UTC().Truncate(time.Microsecond) }

// Fake is a settable clock for tests.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

func NewFake(t time.Time) *Fake { return &Fake{t: t.UTC()} }

func (f *Fake) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }

// Advance moves the clock forward.
func (f *Fake) Advance(d time.Duration) { f.mu.Lock(); f.t = f.t.Add(d); f.mu.Unlock() }

// Set sets the time.
func (f *Fake) Set(t time.Time) { f.mu.Lock(); f.t = t.UTC(); f.mu.Unlock() }

// Date is a calendar date in Shanghai, as counted by statutory periods.
func Date(t time.Time) time.Time {
	s := t.In(Shanghai)
	return time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, Shanghai)
}

// Format shows an instant as 北京时间 "2006-01-02 15:04".
func Format(t time.Time) string { return t.In(Shanghai).Format("2006-01-02 15:04") }

// Shifted is real time plus an adjustable offset: demo acceleration and
// end-to-end tests that jump across statutory periods while jobs still run on
// wall time.
type Shifted struct{ off atomic.Int64 }

func (s *Shifted) Now() time.Time {
	return time.Now().Add(time.Duration(s.off.Load())).UTC().Truncate(time.Microsecond)
}

// Set sets the offset.
func (s *Shifted) Set(d time.Duration) { s.off.Store(int64(d)) }
