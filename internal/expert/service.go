package expert

import (
	"context"
	"slices"
	"strings"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
	"ggzy/internal/party"
)

// Reader reads the pool (other contexts use it: the tender's draw reads
// the snapshot, the web shows profiles).
type Reader interface {
	GetExpert(ctx context.Context, id ids.ID) (Expert, error)
	GetExpertByUser(ctx context.Context, userID ids.ID) (Expert, error)
	GetExpertByIDNumber(ctx context.Context, idNumber string) (Expert, error)
	// ListExperts lists experts by filter, ordered by ID.
	ListExperts(ctx context.Context, f Filter) ([]Expert, error)
	// CountExperts counts experts per status, with the filter's specialty.
	CountExperts(ctx context.Context, specialty string) (map[Status]int, error)
	ListExpertEvents(ctx context.Context, expertID ids.ID) ([]Event, error)
	// DrawsSince lists the times each of the given experts was drawn onto a
	// committee at or after t (the draw frequency cap).
	DrawsSince(ctx context.Context, t time.Time) (map[ids.ID][]time.Time, error)
	ListRatings(ctx context.Context, expertID ids.ID) ([]Rating, error)
	ListLotRatings(ctx context.Context, lotID ids.ID) ([]Rating, error)
}

// Filter selects experts. Empty fields match all.
type Filter struct {
	Status    Status
	Specialty string // prefix of one of the expert's codes
	Limit     int
	Offset    int
}

// Tx is what the pool's use cases need from a transaction.
type Tx interface {
	Reader
	party.EntityReader
	CreateExpert(ctx context.Context, e Expert) error
	// UpdateExpert writes e if its Version is the stored one and bumps it;
	// otherwise an apperr Conflict.
	UpdateExpert(ctx context.Context, e *Expert) error
	AddExpertEvent(ctx context.Context, ev Event) error
	SaveRating(ctx context.Context, r Rating) error
	AppendLedger(ctx context.Context, e ledger.Entry) (int64, error)
}

// Store runs pool transactions; a function may run more than once.
type Store interface {
	WithTx(ctx context.Context, fn func(Tx) error) error
	Read(ctx context.Context, fn func(Tx) error) error
}

// Service runs the pool's use cases.
type Service struct {
	store  Store
	clock  clock.Clock
	ids    *ids.Generator
	policy Policy
	valid  func(string) bool
}

// NewService wires a Service; valid reports whether a specialty code is in
// the classification table.
func NewService(st Store, c clock.Clock, g *ids.Generator, p Policy, valid func(string) bool) *Service {
	if g == nil {
		g = &ids.Generator{}
	}
	return &Service{store: st, clock: c, ids: g, policy: p, valid: valid}
}

// Policy returns the pool's parameters.
func (s *Service) Policy() Policy { return s.policy }

// record appends the ledger entry of a pool change. The public part holds
// no personal data (DESIGN.md §6.1): the expert's ID, status and
// specialties; name, identity number and employer stay in the committed part.
func record(ctx context.Context, tx Tx, now time.Time, actor party.Actor, typ string, e Expert, public, private map[string]any) (int64, error) {
	if public == nil {
		public = map[string]any{}
	}
	public["expert"] = e.ID
	public["status"] = string(e.Status)
	public["role"] = string(actor.Role)
	if private == nil {
		private = map[string]any{}
	}
	private["name"] = e.Name
	private["id_number"] = e.IDNumber
	private["employer"] = e.EmployerName
	private["actor"] = actor.UserID
	private["actor_name"] = actor.Name
	private["ip"] = actor.IP
	en, err := ledger.Seal(ledger.Draft{Type: typ, Subject: "expert:" + e.ID, Public: public, Private: private}, now)
	if err != nil {
		return 0, err
	}
	return tx.AppendLedger(ctx, en)
}

// change writes e, its history line and its ledger entry: the one path
// every pool change takes.
func (s *Service) change(ctx context.Context, tx Tx, now time.Time, actor party.Actor, e *Expert, typ string, ev Event, public map[string]any) error {
	e.UpdatedAt = now
	if typ == "applied" {
		if err := tx.CreateExpert(ctx, *e); err != nil {
			return err
		}
	} else if err := tx.UpdateExpert(ctx, e); err != nil {
		return err
	}
	if public == nil {
		public = map[string]any{}
	}
	if ev.Reason != "" {
		public["reason"] = ev.Reason
	}
	if ev.Source != "" {
		public["source"] = ev.Source
	}
	if !ev.Until.IsZero() {
		public["until"] = ev.Until
	}
	idx, err := record(ctx, tx, now, actor, "expert."+typ, *e, public, nil)
	if err != nil {
		return err
	}
	evs, err := tx.ListExpertEvents(ctx, e.ID)
	if err != nil {
		return err
	}
	ev.ExpertID, ev.Seq, ev.At, ev.Type, ev.Status, ev.Actor, ev.Ledger = e.ID, len(evs)+1, now, typ, e.Status, actor.UserID, idx
	return tx.AddExpertEvent(ctx, ev)
}

func (s *Service) resolveEmployer(ctx context.Context, tx Tx, in Input) (ids.ID, string, error) {
	uscc := strings.ToUpper(strings.TrimSpace(in.EmployerUSCC))
	if uscc == "" {
		return "", strings.TrimSpace(in.EmployerName), nil
	}
	ent, err := tx.GetEntityByUSCC(ctx, uscc)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return "", "", apperr.New(apperr.Invalid, "工作单位统一社会信用代码“%s”未在平台登记。", uscc).WithField("employer", "未登记的单位")
		}
		return "", "", err
	}
	return ent.ID, ent.Name, nil
}

// Apply files an application to join the pool: by the person (an expert
// login applying for itself) or recommended by the employer (a user of the
// registered employer). The operator reviews it (Review).
func (s *Service) Apply(ctx context.Context, actor party.Actor, in Input) (Expert, error) {
	now := s.clock.Now()
	via := ViaSelf
	switch actor.Role {
	case party.RoleExpert:
	case party.RoleBidder, party.RolePrincipal, party.RoleAgency:
		via = ViaEmployer
	case party.RoleOperator:
		via = ViaEmployer // entered by the centre from a paper recommendation
	default:
		return Expert{}, apperr.Forbiddenf("入库申请由专家本人或其工作单位提出。")
	}
	birth, err := in.validate(now, s.policy, s.valid)
	if err != nil {
		return Expert{}, err
	}
	var e Expert
	err = s.store.WithTx(ctx, func(tx Tx) error {
		empID, empName, err := s.resolveEmployer(ctx, tx, in)
		if err != nil {
			return err
		}
		if via == ViaEmployer && actor.Role != party.RoleOperator && (empID == "" || empID != actor.EntityID) {
			return apperr.Forbiddenf("单位只能推荐本单位的人员入库。").WithField("employer", "应为本单位的统一社会信用代码")
		}
		if actor.Role == party.RoleExpert {
			if old, err := tx.GetExpertByUser(ctx, actor.UserID); err == nil {
				return apperr.New(apperr.Conflict, "您已在专家库中（状态：%s），不能重复申请；信息变更请联系交易中心。", old.Status.Label())
			} else if apperr.CodeOf(err) != apperr.NotFound {
				return err
			}
		}
		if old, err := tx.GetExpertByIDNumber(ctx, strings.ToUpper(strings.TrimSpace(in.IDNumber))); err == nil {
			return apperr.New(apperr.Conflict, "该身份证号码已在专家库中（状态：%s），不能重复申请。", old.Status.Label()).WithField("id_number", "已在库中")
		} else if apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		e = Expert{ID: s.ids.New(now), Name: strings.TrimSpace(in.Name), IDNumber: strings.ToUpper(strings.TrimSpace(in.IDNumber)), BirthDate: birth,
			EmployerID: empID, EmployerName: empName, Title: strings.TrimSpace(in.Title), Senior: in.Senior, FieldSince: in.FieldSince,
			Specialties: normSpecialties(in.Specialties), City: in.City, Contact: strings.TrimSpace(in.Contact), Via: via,
			Conflicts: in.Conflicts, DeptStaffOf: strings.TrimSpace(in.DeptStaffOf), Status: Applied, CreatedAt: now}
		if actor.Role == party.RoleExpert {
			e.UserID = actor.UserID
		}
		return s.change(ctx, tx, now, actor, &e, "applied", Event{Source: via}, map[string]any{"specialties": e.Specialties, "city": e.City, "via": via})
	})
	return e, err
}

func normSpecialties(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.ToUpper(strings.TrimSpace(x)); x != "" {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Review approves or rejects an application (operator). Approval checks
// the statutory qualification and the age limit again at review time and
// needs the expert's login (userID), without which no draw can reach them.
func (s *Service) Review(ctx context.Context, actor party.Actor, id ids.ID, approve bool, reason string, userID ids.ID) (Expert, error) {
	if actor.Role != party.RoleOperator {
		return Expert{}, apperr.Forbiddenf("入库申请由交易中心工作人员审核。")
	}
	now := s.clock.Now()
	var e Expert
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if e, err = tx.GetExpert(ctx, id); err != nil {
			return err
		}
		if e.Status != Applied {
			return apperr.New(apperr.Conflict, "该申请已处理（状态：%s）。", e.Status.Label())
		}
		if !approve {
			if strings.TrimSpace(reason) == "" {
				return apperr.New(apperr.Invalid, "不予入库的，请写明理由。").WithField("reason", "请填写理由")
			}
			e.Status, e.StatusReason = Rejected, reason
			return s.change(ctx, tx, now, actor, &e, "rejected", Event{Reason: reason}, nil)
		}
		if err := qualify(e, now, s.policy); err != nil {
			return err
		}
		if userID != "" {
			e.UserID = userID
		}
		if e.UserID == "" {
			return apperr.New(apperr.Invalid, "请为专家关联平台登录账号，否则抽取通知无法送达。").WithField("user", "请选择专家账号")
		}
		e.Status, e.StatusReason, e.StatusSource, e.StatusUntil = Active, "", "", time.Time{}
		return s.change(ctx, tx, now, actor, &e, "approved", Event{Reason: reason}, map[string]any{"specialties": e.Specialties, "city": e.City})
	})
	return e, err
}

// Sanction suspends or blacklists an expert (supervisor, or the operator
// acting on a supervisor's decision or a complaint outcome). until zero means
// indefinite; a blacklisting without end is permanent.
func (s *Service) Sanction(ctx context.Context, actor party.Actor, id ids.ID, blacklist bool, reason, source string, until time.Time) (Expert, error) {
	if actor.Role != party.RoleSupervisor && actor.Role != party.RoleOperator {
		return Expert{}, apperr.Forbiddenf("暂停或列入黑名单须依据行政监督部门的决定或投诉处理结果。")
	}
	f := map[string]string{}
	if strings.TrimSpace(reason) == "" {
		f["reason"] = "请写明事由。"
	}
	if strings.TrimSpace(source) == "" {
		f["source"] = "请写明依据（如监督部门决定书文号、投诉处理结果）。"
	}
	now := s.clock.Now()
	if !until.IsZero() && !until.After(now) {
		f["until"] = "期限应晚于当前时间。"
	}
	if err := apperr.Fields("处理信息不完整。", f); err != nil {
		return Expert{}, err
	}
	var e Expert
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if e, err = tx.GetExpert(ctx, id); err != nil {
			return err
		}
		if e.Status != Active && e.Status != Suspended && e.Status != Blacklisted {
			return apperr.New(apperr.Conflict, "该专家不在库中（状态：%s），无需处理。", e.Status.Label())
		}
		if e.Status == Blacklisted && !blacklist {
			return apperr.New(apperr.Conflict, "该专家已列入黑名单，不能改为暂停；请先解除黑名单。")
		}
		typ, st := "suspended", Suspended
		if blacklist {
			typ, st = "blacklisted", Blacklisted
		}
		e.Status, e.StatusReason, e.StatusSource, e.StatusUntil = st, reason, source, until
		return s.change(ctx, tx, now, actor, &e, typ, Event{Reason: reason, Source: source, Until: until}, nil)
	})
	return e, err
}

// Reinstate lifts a suspension or a blacklisting (supervisor).
func (s *Service) Reinstate(ctx context.Context, actor party.Actor, id ids.ID, reason string) (Expert, error) {
	if actor.Role != party.RoleSupervisor {
		return Expert{}, apperr.Forbiddenf("恢复由行政监督部门决定。")
	}
	if strings.TrimSpace(reason) == "" {
		return Expert{}, apperr.New(apperr.Invalid, "请写明恢复的理由。").WithField("reason", "请填写理由")
	}
	now := s.clock.Now()
	var e Expert
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if e, err = tx.GetExpert(ctx, id); err != nil {
			return err
		}
		if e.Status != Suspended && e.Status != Blacklisted {
			return apperr.New(apperr.Conflict, "该专家未被暂停或列入黑名单。")
		}
		if err := qualify(e, now, s.policy); err != nil {
			return err
		}
		e.Status, e.StatusReason, e.StatusSource, e.StatusUntil = Active, "", "", time.Time{}
		return s.change(ctx, tx, now, actor, &e, "reinstated", Event{Reason: reason}, nil)
	})
	return e, err
}

// Exit takes an expert out of the pool: voluntarily (the expert, or the
// operator on the expert's request), for a failed periodic assessment
// (operator), or at the age limit (the platform). Their history stays.
func (s *Service) Exit(ctx context.Context, actor party.Actor, id ids.ID, kind, reason string) (Expert, error) {
	now := s.clock.Now()
	var e Expert
	err := s.store.WithTx(ctx, func(tx Tx) error {
		var err error
		if e, err = tx.GetExpert(ctx, id); err != nil {
			return err
		}
		switch kind {
		case ExitVoluntary:
			if !(actor.Role == party.RoleExpert && actor.UserID == e.UserID && e.UserID != "") && actor.Role != party.RoleOperator {
				return apperr.Forbiddenf("只有专家本人或交易中心可以办理自愿退出。")
			}
		case ExitAssessment:
			if actor.Role != party.RoleOperator {
				return apperr.Forbiddenf("考核不合格出库由交易中心办理。")
			}
			if strings.TrimSpace(reason) == "" {
				return apperr.New(apperr.Invalid, "请写明考核结论。").WithField("reason", "请填写考核结论")
			}
		case ExitAge:
			if actor.Role != party.RoleSystem && actor.Role != party.RoleOperator {
				return apperr.Forbiddenf("超龄出库由平台自动办理。")
			}
			if a := e.Age(now); a < s.policy.AgeMax {
				return apperr.New(apperr.Conflict, "%s现年%d周岁，未到%d周岁的年龄上限。", e.Name, a, s.policy.AgeMax)
			}
		default:
			return apperr.New(apperr.Invalid, "未知的出库原因“%s”。", kind)
		}
		if e.Status == Exited || e.Status == Rejected {
			return apperr.New(apperr.Conflict, "该专家不在库中（状态：%s）。", e.Status.Label())
		}
		if e.Status == Blacklisted {
			return apperr.New(apperr.Conflict, "列入黑名单的专家须先由监督部门处理，不能自行退出。")
		}
		if reason == "" {
			reason = ExitLabel(kind)
		}
		e.Status, e.StatusReason, e.StatusSource, e.StatusUntil = Exited, reason, kind, time.Time{}
		return s.change(ctx, tx, now, actor, &e, "exited", Event{Reason: reason, Source: kind}, map[string]any{"exit": kind})
	})
	return e, err
}

// RetireOverAge exits every expert at or over the age limit (a daily job).
// It returns how many left the pool.
func (s *Service) RetireOverAge(ctx context.Context) (int, error) {
	now := s.clock.Now()
	var due []ids.ID
	err := s.store.Read(ctx, func(tx Tx) error {
		all, err := tx.ListExperts(ctx, Filter{})
		if err != nil {
			return err
		}
		due = nil
		for _, e := range all {
			if (e.Status == Active || e.Status == Suspended || e.Status == Applied) && e.Age(now) >= s.policy.AgeMax {
				due = append(due, e.ID)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range due {
		if _, err := s.Exit(ctx, party.System(), id, ExitAge, ""); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Get returns an expert (staff, or the expert itself).
func (s *Service) Get(ctx context.Context, actor party.Actor, id ids.ID) (Expert, []Event, error) {
	var e Expert
	var evs []Event
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if e, err = tx.GetExpert(ctx, id); err != nil {
			return err
		}
		if !actor.IsStaff() && !(actor.UserID != "" && actor.UserID == e.UserID) {
			return apperr.NotFoundf("专家")
		}
		evs, err = tx.ListExpertEvents(ctx, id)
		return err
	})
	return e, evs, err
}

// Mine returns the pool record of the signed-in expert.
func (s *Service) Mine(ctx context.Context, actor party.Actor) (Expert, error) {
	var e Expert
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		e, err = tx.GetExpertByUser(ctx, actor.UserID)
		return err
	})
	return e, err
}

// Page lists one page of the pool with the counts per status under the
// same specialty filter (staff only): the list of a 100,000-expert pool is
// read a page at a time.
func (s *Service) Page(ctx context.Context, actor party.Actor, f Filter) ([]Expert, map[Status]int, error) {
	if !actor.IsStaff() {
		return nil, nil, apperr.Forbiddenf("专家库信息仅供交易中心和监督人员查看。")
	}
	var out []Expert
	var n map[Status]int
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if n, err = tx.CountExperts(ctx, f.Specialty); err != nil {
			return err
		}
		out, err = tx.ListExperts(ctx, f)
		return err
	})
	return out, n, err
}

// PublicCounts is the pool's size per status, for anyone: an aggregate
// names nobody (the public 评标专家 page shows the active, suspended and
// blacklisted counts).
func (s *Service) PublicCounts(ctx context.Context) (map[Status]int, error) {
	var n map[Status]int
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		n, err = tx.CountExperts(ctx, "")
		return err
	})
	return n, err
}

// List lists the pool (staff only: profiles are personal data).
func (s *Service) List(ctx context.Context, actor party.Actor, f Filter) ([]Expert, error) {
	if !actor.IsStaff() {
		return nil, apperr.Forbiddenf("专家库信息仅供交易中心和监督人员查看。")
	}
	var out []Expert
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListExperts(ctx, f)
		return err
	})
	return out, err
}
