package rules

import (
	"testing"
	"time"

	"ggzy/internal/apperr"
)

func TestCheckPreDisclosure(t *testing.T) {
	cal := national2025(t)
	// Approved Friday 19 September: 10 working days run to Sunday 28
	// September (worked), 29, 30, then 9 and 10 October → 10 October.
	approved := date(9, 19)
	notice := on(9, 22, 10, 0)
	// 20 working days from 22 September: 23–26 (4), 28–30 (7), 9–11 Oct
	// (10), 13–17 (15), 20–24 (20) → 24 October.
	earliest := date(10, 24)
	tests := []struct {
		name   string
		pd     PreDisclosure
		notice time.Time
		first  bool
		field  string // "" = accepted
		msg    string
	}{
		{"no pre-disclosure, no control transfer", PreDisclosure{}, notice, true, "", ""},
		{"control transfer without approval date", PreDisclosure{Control: true, FormalFrom: earliest}, notice, true, "approved_on", "批准日期"},
		{"control transfer without pre-disclosure", PreDisclosure{Control: true, ApprovedOn: approved}, notice, true, "disclosure_from", "应先进行不少于20个工作日的信息预披露"},
		{"control transfer, 20 working days", PreDisclosure{Control: true, ApprovedOn: approved, FormalFrom: earliest}, notice, true, "", ""},
		{"control transfer, 19 working days", PreDisclosure{Control: true, ApprovedOn: approved, FormalFrom: date(10, 23)}, notice, true, "disclosure_from", "最早可于2025-10-24开始"},
		{"approval after the announcement", PreDisclosure{Control: true, ApprovedOn: date(9, 23), FormalFrom: earliest}, notice, true, "approved_on", "不能晚于"},
		{"announced on the 10th working day after approval", PreDisclosure{Control: true, ApprovedOn: approved, FormalFrom: date(11, 7)}, on(10, 10, 9, 0), true, "", ""},
		{"announced on the 11th working day after approval", PreDisclosure{Control: true, ApprovedOn: approved, FormalFrom: date(11, 7)}, on(10, 11, 9, 0), true, "approved_on", "最迟应于2025-10-10发布"},
		{"a restart during the pre-disclosure counts afresh", PreDisclosure{Control: true, ApprovedOn: approved, FormalFrom: earliest}, on(9, 24, 10, 0), false, "disclosure_from", "最早可于2025-10-28开始"},
		{"a restart after the approval window is no new start", PreDisclosure{Control: true, ApprovedOn: approved, FormalFrom: date(11, 14)}, on(10, 13, 9, 0), false, "", ""},
		{"a restart during the formal disclosure", PreDisclosure{Control: true, ApprovedOn: approved, FormalFrom: earliest}, on(10, 27, 9, 0), false, "", ""},
		{"voluntary pre-disclosure: any length", PreDisclosure{FormalFrom: date(9, 23)}, notice, true, "", ""},
		{"voluntary pre-disclosure ending on the announcement's day", PreDisclosure{FormalFrom: date(9, 22)}, notice, true, "disclosure_from", "应晚于"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPreDisclosure(DefaultParams(), cal, tt.pd, tt.notice, tt.first)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("CheckPreDisclosure = %v, want nil", err)
				}
				return
			}
			e := checkErr(t, err, apperr.Invalid, BasisO32PreDisclosure, tt.msg)
			if _, ok := e.Fields[tt.field]; !ok {
				t.Errorf("fields = %v, want %q", e.Fields, tt.field)
			}
		})
	}
}

func TestFormalStart(t *testing.T) {
	notice := on(9, 22, 10, 0)
	tests := []struct {
		name         string
		pd           PreDisclosure
		notice, want time.Time
	}{
		{"no pre-disclosure: the announcement", PreDisclosure{}, notice, notice},
		{"after a pre-disclosure: its date", PreDisclosure{FormalFrom: on(10, 24, 15, 0)}, notice, date(10, 24)},
		{"restarted during the formal disclosure: the change", PreDisclosure{FormalFrom: date(10, 24)}, on(10, 27, 9, 0), on(10, 27, 9, 0)},
	}
	for _, tt := range tests {
		if got := tt.pd.FormalStart(tt.notice); !got.Equal(tt.want) {
			t.Errorf("%s: FormalStart = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCheckExtension(t *testing.T) {
	cal := national2025(t)
	end := on(10, 13, 9, 0) // Monday: the last working day before is Saturday 11 October (worked)
	tests := []struct {
		name      string
		now       time.Time
		n, buyers int
		code      apperr.Code // "" = accepted
		msg       string
	}{
		{"on the last working day, 5 days", on(10, 11, 16, 0), 5, 0, "", ""},
		{"on the end day, after the end", on(10, 13, 10, 0), 5, 0, "", ""},
		{"more than 5 days", on(10, 11, 16, 0), 10, 0, "", ""},
		{"4 days", on(10, 11, 16, 0), 4, 0, apperr.Invalid, "不得少于5个工作日，当前为4个工作日"},
		{"two working days left", on(10, 10, 16, 0), 5, 0, apperr.Conflict, "尚余2个工作日"},
		{"a qualified buyer", on(10, 11, 16, 0), 5, 1, apperr.Conflict, "已有1个合格意向受让方"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckExtension(DefaultParams(), cal, tt.now, end, tt.n, tt.buyers)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("CheckExtension = %v, want nil", err)
				}
				return
			}
			e := checkErr(t, err, tt.code, BasisO32Extension, tt.msg)
			if tt.code == apperr.Invalid {
				if _, ok := e.Fields["days"]; !ok {
					t.Errorf("fields = %v, want days", e.Fields)
				}
			}
		})
	}
}

func TestExtendedStart(t *testing.T) {
	cal := national2025(t)
	tests := []struct {
		name  string
		start time.Time
		n     int
		want  time.Time
	}{
		{"5 working days over the holiday", on(9, 26, 9, 30), 5, on(10, 10, 9, 30)},
		{"5 working days in an ordinary week", on(9, 1, 15, 0), 5, on(9, 8, 15, 0)},
		{"10 working days, the make-up Saturday counted", on(10, 9, 9, 0), 10, on(10, 22, 9, 0)},
	}
	for _, tt := range tests {
		if got := ExtendedStart(DefaultParams(), cal, tt.start, tt.n); !got.Equal(tt.want) {
			t.Errorf("%s: ExtendedStart = %v, want %v", tt.name, got.In(tt.want.Location()), tt.want)
		}
	}
}
