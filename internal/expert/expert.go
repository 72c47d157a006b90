// Package expert is the region's unified bid-evaluation expert pool (综合评标
// 评审专家库, issue 4 §1): profiles, entry (application → review → active),
// exit (age, voluntary, failed assessment), suspension and blacklist, and the
// history of all of it. Every change is one transaction with a ledger entry;
// history rows are never deleted (终身追责: accountability outlives
// membership).
//
// The pool belongs to the region, not to a city platform: an expert's
// identity is its ID and identity number, never a city's sequence, so city
// nodes can share it when the network comes (DESIGN.md §9).
//
// The draw itself is the pure algorithm in package draw; the tender builds
// a draw request from a lot and reads the pool through Snapshot.
package expert

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
)

// Status of an expert in the pool.
type Status string

const (
	Applied     Status = "applied"     // 申请待审核
	Active      Status = "active"      // 在库
	Rejected    Status = "rejected"    // 申请未通过
	Suspended   Status = "suspended"   // 暂停抽取
	Blacklisted Status = "blacklisted" // 列入黑名单
	Exited      Status = "exited"      // 已出库
)

// Label is the Chinese name of a status.
func (s Status) Label() string {
	switch s {
	case Applied:
		return "待审核"
	case Active:
		return "在库"
	case Rejected:
		return "未通过"
	case Suspended:
		return "暂停"
	case Blacklisted:
		return "黑名单"
	case Exited:
		return "已出库"
	}
	return string(s)
}

// How an application came in.
const (
	ViaSelf     = "self"     // 个人申报
	ViaEmployer = "employer" // 单位推荐
)

// Exit reasons.
const (
	ExitAge        = "age"        // 超过年龄上限
	ExitVoluntary  = "voluntary"  // 本人申请退出
	ExitAssessment = "assessment" // 考核不合格
)

// ExitLabel names an exit reason.
func ExitLabel(k string) string {
	switch k {
	case ExitAge:
		return "超过年龄上限"
	case ExitVoluntary:
		return "本人申请退出"
	case ExitAssessment:
		return "考核不合格"
	}
	return k
}

// Expert is one profile in the pool.
type Expert struct {
	ID           ids.ID
	Name         string
	IDNumber     string    // 居民身份证号码, stored, shown masked (MaskID)
	BirthDate    time.Time // from the identity number
	EmployerID   ids.ID    // registered entity, "" if the employer is not registered
	EmployerName string
	Title        string // 职称
	Senior       bool   // 高级职称 (TBL 37)
	FieldSince   int    // year the expert started in the field; years are counted from it
	Specialties  []string
	City         string // GB/T 2260, 6 digits
	Contact      string
	UserID       ids.ID // the expert's login, needed to confirm draws and evaluate
	Via          string // ViaSelf or ViaEmployer
	// Declared relatives and conflicts: entity IDs the expert must not
	// evaluate (GPR 9, O12 12(1)(3)).
	Conflicts   []ids.ID
	DeptStaffOf string // supervising department the expert works for (O12 12(2))
	Status      Status
	// The current status's reason, source (a supervisor's decision, a
	// complaint outcome…) and end (suspension; zero = indefinite).
	StatusReason string
	StatusSource string
	StatusUntil  time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64
}

// Years in the field as of t.
func (e Expert) Years(t time.Time) int {
	if e.FieldSince == 0 {
		return 0
	}
	return clock.Date(t).Year() - e.FieldSince
}

// Age in whole years at t (Beijing date).
func (e Expert) Age(t time.Time) int {
	if e.BirthDate.IsZero() {
		return 0
	}
	d := clock.Date(t)
	b := e.BirthDate
	age := d.Year() - b.Year()
	if d.Month() < b.Month() || d.Month() == b.Month() && d.Day() < b.Day() {
		age--
	}
	return age
}

// Drawable reports whether the expert may be drawn at t: active, or
// suspended with the suspension over. Blacklisted and exited experts never.
func (e Expert) Drawable(t time.Time) bool {
	return e.Status == Active || e.Status == Suspended && !e.StatusUntil.IsZero() && !t.Before(e.StatusUntil)
}

// MaskID shows an identity number as 4502**********1234.
func MaskID(s string) string {
	if len(s) < 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + strings.Repeat("*", len(s)-8) + s[len(s)-4:]
}

// Event is one line of an expert's history (never deleted).
type Event struct {
	ExpertID ids.ID
	Seq      int
	At       time.Time
	Type     string // applied, approved, rejected, updated, suspended, blacklisted, reinstated, exited, rated
	Status   Status // status after the event
	Reason   string
	Source   string
	Until    time.Time
	Actor    ids.ID
	Ledger   int64
}

// EventLabel names a history event.
func EventLabel(t string) string {
	switch t {
	case "applied":
		return "提交入库申请"
	case "approved":
		return "审核通过入库"
	case "rejected":
		return "审核不通过"
	case "updated":
		return "信息变更"
	case "suspended":
		return "暂停抽取"
	case "blacklisted":
		return "列入黑名单"
	case "reinstated":
		return "恢复在库"
	case "exited":
		return "出库"
	case "rated":
		return "评标表现评价"
	}
	return t
}

var idRe = regexp.MustCompile(`^[1-9][0-9]{16}[0-9X]$`)

// CheckIDNumber validates an 18-digit resident identity number (GB
// 11643-1999: ISO 7064 MOD 11-2 check digit) and returns the birth date.
func CheckIDNumber(s string) (time.Time, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !idRe.MatchString(s) {
		return time.Time{}, apperr.Rule(apperr.Invalid, "GB 11643-1999", "身份证号码应为18位，前17位为数字，最后一位为数字或X。").WithField("id_number", "格式不正确")
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	if "10X98765432"[sum%11] != s[17] {
		return time.Time{}, apperr.Rule(apperr.Invalid, "GB 11643-1999", "身份证号码校验位不正确，请核对。").WithField("id_number", "校验位不正确")
	}
	y, _ := strconv.Atoi(s[6:10])
	m, _ := strconv.Atoi(s[10:12])
	d, _ := strconv.Atoi(s[12:14])
	b := time.Date(y, time.Month(m), d, 0, 0, 0, 0, clock.Shanghai)
	if b.Year() != y || int(b.Month()) != m || b.Day() != d || y < 1900 {
		return time.Time{}, apperr.Rule(apperr.Invalid, "GB 11643-1999", "身份证号码中的出生日期不正确。").WithField("id_number", "出生日期不正确")
	}
	return b, nil
}

var cityRe = regexp.MustCompile(`^[1-9][0-9]{5}$`)

// Policy holds the pool's parameters (RULES.md §7, §11): local rules may
// tighten them.
type Policy struct {
	AgeMax   int // 年龄上限, default 70
	YearsMin int // 从业年限, default 8 (TBL 37)
	// Draw frequency cap: an expert drawn MaxDraws times within Window is
	// not drawn again until the window moves on. 0 disables.
	MaxDraws int
	Window   time.Duration
	// ConfirmWithin is how long an invited expert has to confirm or decline.
	ConfirmWithin time.Duration
}

// DefaultPolicy is the national default.
func DefaultPolicy() Policy {
	return Policy{AgeMax: 70, YearsMin: 8, MaxDraws: 12, Window: 90 * 24 * time.Hour, ConfirmWithin: 30 * time.Minute}
}

// Bases quoted in errors.
const (
	BasisQualification = "《招标投标法》第三十七条"
	BasisAge           = "《评标专家和评标专家库管理办法》（国家发展改革委令第26号）"
	BasisDraw          = "《招标投标法实施条例》第四十六条"
)

// Input is what an application or a profile change carries.
type Input struct {
	Name         string
	IDNumber     string
	EmployerUSCC string
	EmployerName string
	Title        string
	Senior       bool
	FieldSince   int
	Specialties  []string
	City         string
	Contact      string
	Conflicts    []ids.ID
	DeptStaffOf  string
}

// validate checks an input against the policy and the classification
// (valid reports whether a specialty code exists). Per-field messages.
func (in Input) validate(now time.Time, p Policy, valid func(string) bool) (time.Time, error) {
	f := map[string]string{}
	if strings.TrimSpace(in.Name) == "" {
		f["name"] = "请填写姓名。"
	}
	birth, err := CheckIDNumber(in.IDNumber)
	if err != nil {
		f["id_number"] = err.(*apperr.Error).Message
	}
	if strings.TrimSpace(in.EmployerName) == "" && strings.TrimSpace(in.EmployerUSCC) == "" {
		f["employer"] = "请填写工作单位。"
	}
	if strings.TrimSpace(in.Title) == "" {
		f["title"] = "请填写职称。"
	}
	if in.FieldSince < 1940 || in.FieldSince > clock.Date(now).Year() {
		f["field_since"] = "请填写开始从事本专业工作的年份。"
	}
	sp := normSpecialties(in.Specialties)
	if len(sp) == 0 {
		f["specialties"] = "请至少选择一个评标专业。"
	}
	for _, c := range sp {
		if !valid(c) {
			f["specialties"] = fmt.Sprintf("专业代码“%s”不在专业分类标准中。", c)
		}
	}
	if !cityRe.MatchString(in.City) {
		f["city"] = "常住城市应为6位行政区划代码（GB/T 2260）。"
	}
	return birth, apperr.Fields("入库申请有误，请按提示修改。", f)
}

// qualify checks the statutory qualification at review (TBL 37: eight
// years in the field and a senior title) and the age limit.
func qualify(e Expert, now time.Time, p Policy) error {
	if !e.Senior {
		return apperr.Rule(apperr.Conflict, BasisQualification, "评标专家应当具有高级职称或者同等专业水平，%s的职称为“%s”。", e.Name, e.Title)
	}
	if y := e.Years(now); y < p.YearsMin {
		return apperr.Rule(apperr.Conflict, BasisQualification, "评标专家应当从事相关领域工作满%d年，%s仅%d年。", p.YearsMin, e.Name, y)
	}
	if a := e.Age(now); a >= p.AgeMax {
		return apperr.Rule(apperr.Conflict, BasisAge, "评标专家年龄上限为%d周岁，%s已%d周岁。", p.AgeMax, e.Name, a)
	}
	return nil
}

// IDNumber completes a 17-digit identity number body (region, birth date
// YYYYMMDD, sequence) with its GB 11643 check digit. Registration forms use
// it to suggest the check digit; demo data and tests to make valid numbers.
func IDNumber(body string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	if len(body) != 17 {
		return body
	}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}
