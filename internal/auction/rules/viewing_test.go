package rules

import (
	"testing"
	"time"

	"ggzy/internal/apperr"
)

func TestCheckViewing(t *testing.T) {
	cal := national2025(t)
	notice := on(9, 1, 10, 0)
	auction := on(9, 20, 9, 0) // Saturday is fine: the check is on dates
	wd := DefaultParams()
	wd.AuctionViewing = Period{2, WorkingDays, BasisAL48, TagLaw}
	tests := []struct {
		name           string
		p              Params
		from, to, when time.Time
		field, msg     string // "" = accepted
	}{
		{"none stated", DefaultParams(), time.Time{}, time.Time{}, auction, "view_from", "应载明拍卖标的的展示时间"},
		{"no end", DefaultParams(), date(9, 10), time.Time{}, auction, "view_to", "结束日期"},
		{"no start", DefaultParams(), time.Time{}, date(9, 10), auction, "view_from", "开始日期"},
		{"end before start", DefaultParams(), date(9, 12), date(9, 11), auction, "view_to", "不能早于开始日期"},
		{"before the announcement", DefaultParams(), date(8, 31), date(9, 2), auction, "view_from", "公告于2025-09-01发布"},
		{"one day", DefaultParams(), date(9, 18), date(9, 18), auction, "view_to", "不得少于2日"},
		{"two days ending the day before", DefaultParams(), date(9, 18), date(9, 19), auction, "", ""},
		{"from the announcement's day", DefaultParams(), date(9, 1), date(9, 2), auction, "", ""},
		{"ending on the auction's day", DefaultParams(), date(9, 19), date(9, 20), auction, "view_to", "展示应在拍卖日前结束"},
		{"ending after the auction", DefaultParams(), date(9, 19), date(9, 22), auction, "view_to", "展示应在拍卖日前结束"},
		{"a time of day counts as its date", DefaultParams(), on(9, 18, 15, 0), on(9, 19, 9, 0), auction, "", ""},
		{"two working days over the holiday: only one", wd, date(10, 3), date(10, 9), on(10, 13, 9, 0), "view_to", "只有1个工作日"},
		{"two working days with the make-up Saturday", wd, date(10, 10), date(10, 11), on(10, 13, 9, 0), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckViewing(tt.p, cal, notice, tt.from, tt.to, tt.when)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("CheckViewing = %v, want nil", err)
				}
				return
			}
			e := checkErr(t, err, apperr.Invalid, BasisAL48, tt.msg)
			if _, ok := e.Fields[tt.field]; !ok {
				t.Errorf("fields = %v, want %q", e.Fields, tt.field)
			}
		})
	}
}
