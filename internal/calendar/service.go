package calendar

import (
	"context"
	"sort"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
)

// Tx is what loading a holiday table needs from a transaction.
type Tx interface {
	PutHolidays(ctx context.Context, days []Day) error
	AppendLedger(ctx context.Context, e ledger.Entry) (int64, error)
}

// Store runs calendar transactions.
type Store interface {
	WithTx(ctx context.Context, fn func(Tx) error) error
}

// Service lets an operator load a new year's official table at run time
// (the State Council publishes each year's arrangement in November).
type Service struct {
	store Store
	cal   *Calendar
	clock clock.Clock
}

// NewService wires the service to the calendar in use.
func NewService(st Store, cal *Calendar, clk clock.Clock) *Service {
	return &Service{store: st, cal: cal, clock: clk}
}

// Load stores days and makes them count at once. The change is recorded in
// the ledger: periods counted before and after it may differ, so who changed
// the table and when must be evident.
func (s *Service) Load(ctx context.Context, actor party.Actor, days []Day) ([]int, error) {
	if actor.Role != party.RoleOperator && actor.Role != party.RoleAdmin {
		return nil, apperr.Forbiddenf("节假日表由交易中心或系统管理员维护。")
	}
	if len(days) == 0 {
		return nil, apperr.New(apperr.Invalid, "节假日表为空。")
	}
	// Validate against the table in use before anything is written.
	probe, err := New(nil)
	if err != nil {
		return nil, err
	}
	if err := probe.Add(days); err != nil {
		return nil, err
	}
	yearSet := map[int]bool{}
	for _, d := range days {
		t, _ := time.Parse("2006-01-02", d.Date)
		yearSet[t.Year()] = true
	}
	var years []int
	for y := range yearSet {
		years = append(years, y)
	}
	sort.Ints(years)
	now := s.clock.Now()
	err = s.store.WithTx(ctx, func(tx Tx) error {
		if err := tx.PutHolidays(ctx, days); err != nil {
			return err
		}
		e, err := ledger.Seal(ledger.Draft{Type: "calendar.loaded", Subject: "calendar",
			Public: map[string]any{"years": years, "days": days, "role": actor.Role}, Private: map[string]any{"actor": actor.UserID, "ip": actor.IP}}, now)
		if err != nil {
			return err
		}
		_, err = tx.AppendLedger(ctx, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.cal.Add(days); err != nil {
		// Stored but conflicting with the table in memory: the next start
		// reads the stored table; say so rather than count on a mixed one.
		return nil, apperr.New(apperr.Conflict, "节假日表已保存，但与当前运行中的表冲突，请重启服务后生效。").Wrap(err)
	}
	return years, nil
}
