package draw

import (
	"fmt"
	"time"
)

// Exclusion codes, one per recusal rule, in the order the rules are checked
// (the first that applies is recorded).
const (
	CodeEmployerIsParty = "employer_is_party" // employer is a bidder, the principal or the agency
	CodeSharedLegalRep  = "shared_legal_rep"  // employer shares a legal representative with a party
	CodeControl         = "control"           // employer controls or is controlled by a party
	CodeDeclared        = "declared_conflict" // declared relative or conflict with a party
	CodeSupervisorStaff = "supervisor_staff"  // staff of the supervising department
	CodeExited          = "exited"            // left the pool
	CodeBlacklisted     = "blacklisted"
	CodeSuspended       = "suspended"
	CodeUnknownStatus   = "unknown_status" // a status the draw does not know is never drawable
	CodeFrequency       = "frequency"      // drawn too often in the window
	CodeLocal           = "local"          // remote evaluation: same city as the project
)

// Rules lists the recusal rule codes in checking order.
var Rules = [...]string{
	CodeEmployerIsParty, CodeSharedLegalRep, CodeControl, CodeDeclared, CodeSupervisorStaff,
	CodeExited, CodeBlacklisted, CodeSuspended, CodeUnknownStatus, CodeFrequency, CodeLocal,
}

// Legal bases quoted in the reasons (RULES.md §2, §3, §7).
const (
	basisInterestEng   = "《招标投标法》第三十七条、《招标投标法实施条例》第四十六条"
	basisPrincipalEng  = "《招标投标法》第三十七条、《评标委员会和评标方法暂行规定》第十二条"
	basisRelativeEng   = "《招标投标法》第三十七条、《评标委员会和评标方法暂行规定》第十二条"
	basisSupervisorEng = "《招标投标法实施条例》第四十六条、《评标委员会和评标方法暂行规定》第十二条"
	basisPenaltyEng    = "《评标委员会和评标方法暂行规定》第十二条"
	basisSupplierGP    = "《政府采购法实施条例》第九条"
	basisOwnProjectGP  = "《政府采购货物和服务招标投标管理办法》第四十七条"
	basisCommitteeEng  = "《招标投标法》第三十七条"
	basisCommitteeGP   = "《政府采购货物和服务招标投标管理办法》第四十七条"
)

// roleName names a party's role in the procedure's own words.
func roleName(procedure, role string) string {
	gp := procedure == GP
	switch role {
	case RoleBidder:
		if gp {
			return "供应商"
		}
		return "投标人"
	case RolePrincipal:
		if gp {
			return "采购人"
		}
		return "招标人"
	case RoleAgency:
		if gp {
			return "采购代理机构"
		}
		return "招标代理机构"
	}
	return "当事人"
}

// conflictBasis is the basis for a conflict with a party of the given role.
func conflictBasis(procedure, role string, declared bool) string {
	if procedure == GP {
		if role == RoleBidder {
			return basisSupplierGP
		}
		return basisOwnProjectGP
	}
	switch {
	case declared:
		return basisRelativeEng
	case role == RoleBidder:
		return basisInterestEng
	default:
		return basisPrincipalEng
	}
}

// recusal holds one request's parties indexed for constant-time checks.
type recusal struct {
	req       Request
	entity    map[string]*Party // party entity ID → party
	legalRep  map[string]*Party // legal representative → party
	controls  map[string]*Party // controller (either direction) of a party → party
	declared  map[string]*Party // any ID a declaration may name: entity, legal rep, controllers
	from      time.Time         // start (exclusive) of the draw-frequency window
	cityLevel string            // project city at city level, for remote evaluation
}

// newRecusal indexes the (normalised) request. Parties are visited in their
// canonical order, so when one ID belongs to several parties the reported
// party is stable; bidders come first because "bidder" sorts first.
func newRecusal(req Request) *recusal {
	rc := &recusal{
		req:      req,
		entity:   map[string]*Party{},
		legalRep: map[string]*Party{},
		controls: map[string]*Party{},
		declared: map[string]*Party{},
		from:     req.At.Add(-time.Duration(req.Window)),
	}
	if req.Remote {
		rc.cityLevel = cityLevel(req.ProjectCity)
	}
	first := func(m map[string]*Party, k string, p *Party) {
		if _, ok := m[k]; !ok && k != "" {
			m[k] = p
		}
	}
	for i := range req.Parties {
		p := &req.Parties[i]
		first(rc.entity, p.EntityID, p)
		first(rc.legalRep, p.LegalRep, p)
		first(rc.declared, p.EntityID, p)
		first(rc.declared, p.LegalRep, p)
		for _, c := range p.Controllers {
			first(rc.controls, c, p)
			first(rc.declared, c, p)
		}
	}
	return rc
}

// cityLevel maps a 6-digit division code to its prefecture-level city
// (450102 → 450100), so a county-level code still matches its city.
func cityLevel(code string) string {
	if len(code) == 6 {
		return code[:4] + "00"
	}
	return code
}

// check returns the first applicable exclusion for e, if any.
func (rc *recusal) check(e *Expert) (Exclusion, bool) {
	proc := rc.req.Procedure
	ex := func(code, reason string, p *Party) (Exclusion, bool) {
		x := Exclusion{ExpertID: e.ID, Code: code, Reason: reason}
		if p != nil {
			x.PartyID = p.EntityID
		}
		return x, true
	}
	if p := rc.entity[e.EmployerID]; p != nil && e.EmployerID != "" {
		r := roleName(proc, p.Role)
		return ex(CodeEmployerIsParty, fmt.Sprintf("所在单位为本项目%s，与%s存在利害关系（%s）", r, r, conflictBasis(proc, p.Role, false)), p)
	}
	if p := rc.legalRep[e.EmployerLegalRep]; p != nil && e.EmployerLegalRep != "" {
		r := roleName(proc, p.Role)
		return ex(CodeSharedLegalRep, fmt.Sprintf("所在单位与%s的法定代表人为同一人，与%s存在利害关系（%s）", r, r, conflictBasis(proc, p.Role, false)), p)
	}
	if e.EmployerID != "" {
		// Either direction: a party is among the employer's controllers, or
		// the employer is among a party's.
		var p *Party
		for _, c := range e.EmployerControllers {
			if p = rc.entity[c]; p != nil {
				break
			}
		}
		if p == nil {
			p = rc.controls[e.EmployerID]
		}
		if p != nil {
			r := roleName(proc, p.Role)
			return ex(CodeControl, fmt.Sprintf("所在单位与%s存在控股或管理关系，与%s存在利害关系（%s）", r, r, conflictBasis(proc, p.Role, false)), p)
		}
	}
	for _, d := range e.Relatives {
		if p := rc.declared[d]; p != nil {
			r := roleName(proc, p.Role)
			return ex(CodeDeclared, fmt.Sprintf("本人申报与%s存在近亲属或其他利害关系（%s）", r, conflictBasis(proc, p.Role, true)), p)
		}
	}
	if rc.req.SupervisorDept != "" && e.DeptStaffOf == rc.req.SupervisorDept {
		basis := basisSupervisorEng
		if proc == GP {
			basis = basisSupplierGP
		}
		return ex(CodeSupervisorStaff, fmt.Sprintf("系本项目行政监督部门工作人员，不得参加本部门监督项目的评审（%s）", basis), nil)
	}
	penalty := "专家库管理决定"
	if proc != GP {
		penalty += "、" + basisPenaltyEng
	}
	switch e.Status {
	case StatusActive:
		if rc.req.At.Before(e.SuspendedUntil) {
			return ex(CodeSuspended, fmt.Sprintf("评标资格暂停至%s（%s）", e.SuspendedUntil.Format("2006-01-02"), penalty), nil)
		}
	case StatusExited:
		return ex(CodeExited, "已退出专家库，不再参加抽取（专家库管理规定）", nil)
	case StatusBlacklisted:
		return ex(CodeBlacklisted, fmt.Sprintf("已列入评标专家黑名单（%s）", penalty), nil)
	case StatusSuspended:
		// A suspension that has run out no longer bars the expert even if
		// the snapshot's status was not yet updated; zero means indefinite.
		if e.SuspendedUntil.IsZero() {
			return ex(CodeSuspended, fmt.Sprintf("评标资格暂停，未定期限（%s）", penalty), nil)
		}
		if rc.req.At.Before(e.SuspendedUntil) {
			return ex(CodeSuspended, fmt.Sprintf("评标资格暂停至%s（%s）", e.SuspendedUntil.Format("2006-01-02"), penalty), nil)
		}
	default:
		return ex(CodeUnknownStatus, fmt.Sprintf("专家状态“%s”无法识别，不参加抽取", e.Status), nil)
	}
	if rc.req.MaxDrawsInWindow > 0 {
		n := 0
		for _, t := range e.RecentDraws {
			if t.After(rc.from) && !t.After(rc.req.At) {
				n++
			}
		}
		if n >= rc.req.MaxDrawsInWindow {
			return ex(CodeFrequency, fmt.Sprintf("近%s内已被抽取%d次，达到上限%d次（抽取频次限制，平台参数）", windowText(time.Duration(rc.req.Window)), n, rc.req.MaxDrawsInWindow), nil)
		}
	}
	if rc.req.Remote && rc.cityLevel != "" && cityLevel(e.City) == rc.cityLevel {
		return ex(CodeLocal, fmt.Sprintf("远程异地评标，专家常驻地与项目所在地（%s）相同，须回避（远程异地评标抽取规则）", rc.cityLevel), nil)
	}
	return Exclusion{}, false
}

// windowText renders a window in days when it is whole days.
func windowText(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d日", d/(24*time.Hour))
	}
	return d.String()
}

// Recuse reports the first recusal rule that excludes e from req, for
// showing one expert's standing outside a draw (the operator's console).
func Recuse(req Request, e Expert) (Exclusion, bool) {
	req = normalizeRequest(req)
	e = normalizeExpert(e)
	return newRecusal(req).check(&e)
}

// checkComposition enforces the committee's size and expert share before
// anything is drawn (TBL 37; O87 47 for government procurement).
func checkComposition(req Request) error {
	if req.CommitteeMin <= 0 {
		return nil
	}
	experts := 0
	for _, n := range req.Needs {
		experts += n.Count
	}
	total := experts + req.PrincipalReps
	basis := basisCommitteeEng
	if req.Procedure == GP {
		basis = basisCommitteeGP
	}
	switch {
	case total < req.CommitteeMin:
		return fmt.Errorf("评标委员会共%d人（专家%d名、招标人代表%d名），少于%d人（%s）", total, experts, req.PrincipalReps, req.CommitteeMin, basis)
	case total%2 == 0:
		return fmt.Errorf("评标委员会共%d人，应为单数（%s）", total, basis)
	case experts*3 < total*2:
		return fmt.Errorf("评标委员会共%d人，其中专家%d名，少于成员总数的三分之二（%s）", total, experts, basis)
	}
	return nil
}
