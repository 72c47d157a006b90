package draw

import (
	"fmt"
	"strconv"
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

// Rule numbers: 1 + the code's position in Rules (0 = no rule applies).
const (
	cNone uint8 = iota
	cEmployerIsParty
	cSharedLegalRep
	cControl
	cDeclared
	cSupervisorStaff
	cExited
	cBlacklisted
	cSuspended
	cUnknownStatus
	cFrequency
	cLocal
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

// recusal holds one request's parties resolved against one pool's interned
// identifiers, so each check is a few array reads (issue 4's 10 ms budget
// covers thousands of qualified experts per draw).
type recusal struct {
	req     Request
	pool    *Pool
	party   []partyRef // by interned identifier
	from    int64      // window start (exclusive), Unix ns
	at      int64      // request time, Unix ns
	atSec   int64      // request time, Unix seconds and nanoseconds (exact)
	atNs    int32
	city    int32 // interned project city (city level) under remote evaluation, else 0
	dept    int32 // interned supervising department, 0 if none or unknown to the pool
	reasons map[reasonKey]string
}

// partyRef gives, for one identifier, the party (index+1 in req.Parties, 0
// for none) it is the entity, legal representative, controller of, or any
// of these (what a declaration may name).
type partyRef struct{ entity, rep, ctrl, declared uint16 }

// newRecusal indexes the (normalised) request against the pool. Parties are
// visited in their canonical order and the first one wins, so when an
// identifier belongs to several parties the reported party is stable;
// bidders come first because "bidder" sorts first.
func newRecusal(req Request, p *Pool) *recusal {
	rc := &recusal{
		req:     req,
		pool:    p,
		party:   make([]partyRef, len(p.names)),
		at:      unixNano(req.At),
		atSec:   req.At.Unix(),
		atNs:    int32(req.At.Nanosecond()),
		from:    unixNano(req.At.Add(-time.Duration(req.Window))),
		dept:    p.lookup(req.SupervisorDept),
		reasons: map[reasonKey]string{},
	}
	if req.Remote {
		rc.city = p.lookup(cityLevel(req.ProjectCity))
	}
	set := func(slot func(*partyRef) *uint16, id string, k int) {
		if n := p.lookup(id); n != 0 {
			if s := slot(&rc.party[n]); *s == 0 {
				*s = uint16(k + 1)
			}
		}
	}
	entity := func(r *partyRef) *uint16 { return &r.entity }
	rep := func(r *partyRef) *uint16 { return &r.rep }
	ctrl := func(r *partyRef) *uint16 { return &r.ctrl }
	decl := func(r *partyRef) *uint16 { return &r.declared }
	for k, pt := range req.Parties {
		set(entity, pt.EntityID, k)
		set(rep, pt.LegalRep, k)
		set(decl, pt.EntityID, k)
		set(decl, pt.LegalRep, k)
		for _, c := range pt.Controllers {
			set(ctrl, c, k)
			set(decl, c, k)
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

// hit is a rule's finding before it is put into words.
type hit struct {
	code  uint8  // rule number
	party uint16 // index+1 in req.Parties, 0 for none
}

// check returns the first applicable exclusion for pool expert i, if any.
func (rc *recusal) check(i int32) (Exclusion, bool) {
	h, ok := rc.rule(i)
	if !ok {
		return Exclusion{}, false
	}
	return rc.exclusion(i, h), true
}

// exclusion writes out a hit on pool expert i.
func (rc *recusal) exclusion(i int32, h hit) Exclusion {
	d := rc.detail(i, h)
	x := Exclusion{ExpertID: rc.pool.id(i), Code: Rules[h.code-1], Detail: d, Reason: rc.reason(h, d)}
	if h.party != 0 {
		x.PartyID = rc.req.Parties[h.party-1].EntityID
	}
	return x
}

// detail is the variable part of a hit on pool expert i, recomputed when
// written out so hits stay small: a date, a count, a city, a status.
func (rc *recusal) detail(i int32, h hit) string {
	p := rc.pool
	switch h.code {
	case cSuspended:
		if p.hot[i].hasUntil {
			return chinaDate(time.Unix(p.hot[i].until, int64(p.hot[i].untilNs)))
		}
	case cUnknownStatus:
		return p.names[p.hot[i].statusText]
	case cFrequency:
		return strconv.Itoa(rc.drawsInWindow(&p.hot[i]))
	case cLocal:
		return p.names[rc.city]
	}
	return ""
}

func (rc *recusal) drawsInWindow(h *hot) int {
	n := 0
	for _, t := range rc.pool.draws[h.draws : h.draws+h.nDraws] {
		if t > rc.from && t <= rc.at {
			n++
		}
	}
	return n
}

// rule applies the rules in the order of Rules and returns the first hit.
// Identifier 0 is "none" and never matches: party[0] stays empty.
func (rc *recusal) rule(i int32) (hit, bool) {
	p := rc.pool
	h := &p.hot[i]
	if k := rc.party[h.employer].entity; k != 0 {
		return hit{code: cEmployerIsParty, party: k}, true
	}
	if k := rc.party[h.rep].rep; k != 0 {
		return hit{code: cSharedLegalRep, party: k}, true
	}
	if h.employer != 0 {
		// Either direction: a party is among the employer's controllers, or
		// the employer is among a party's.
		for _, c := range p.refs[h.refs : h.refs+h.nCtrl] {
			if k := rc.party[c].entity; k != 0 {
				return hit{code: cControl, party: k}, true
			}
		}
		if k := rc.party[h.employer].ctrl; k != 0 {
			return hit{code: cControl, party: k}, true
		}
	}
	for _, d := range p.refs[h.refs+h.nCtrl : h.refs+h.nCtrl+h.nRel] {
		if k := rc.party[d].declared; k != 0 {
			return hit{code: cDeclared, party: k}, true
		}
	}
	if rc.dept != 0 && h.dept == rc.dept {
		return hit{code: cSupervisorStaff}, true
	}
	switch h.status {
	case statusActive:
		if h.hasUntil && before(rc.atSec, rc.atNs, h.until, h.untilNs) {
			return hit{code: cSuspended}, true
		}
	case statusExited:
		return hit{code: cExited}, true
	case statusBlacklisted:
		return hit{code: cBlacklisted}, true
	case statusSuspended:
		// A suspension that has run out no longer bars the expert even if
		// the snapshot's status was not yet updated; no date means indefinite.
		if !h.hasUntil {
			return hit{code: cSuspended}, true
		}
		if before(rc.atSec, rc.atNs, h.until, h.untilNs) {
			return hit{code: cSuspended}, true
		}
	default:
		return hit{code: cUnknownStatus}, true
	}
	if max := rc.req.MaxDrawsInWindow; max > 0 {
		if rc.drawsInWindow(h) >= max {
			return hit{code: cFrequency}, true
		}
	}
	if rc.city != 0 && h.city == rc.city {
		return hit{code: cLocal}, true
	}
	return hit{}, false
}

// chinaDate is the calendar date in China (UTC+8), the date users read.
func chinaDate(t time.Time) string {
	return t.UTC().Add(8 * time.Hour).Format("2006-01-02")
}

// reason puts a hit into words, once per distinct wording: thousands of
// exclusions share a handful of texts.
func (rc *recusal) reason(h hit, detail string) string {
	role := ""
	if h.party != 0 {
		role = rc.req.Parties[h.party-1].Role
	}
	k := reasonKey{h.code, role, detail}
	if s, ok := rc.reasons[k]; ok {
		return s
	}
	s := Reason(rc.req, Rules[h.code-1], role, detail)
	rc.reasons[k] = s
	return s
}

type reasonKey struct {
	code         uint8
	role, detail string
}

// Reason is the Chinese text, with its legal basis, for an exclusion of the
// given code under req; role is the conflicting party's role and detail the
// Exclusion's Detail. The text is derived, not committed: Result.Digest
// covers code, party and detail, so wording can be improved without
// invalidating past draws.
func Reason(req Request, code, role, detail string) string {
	proc := req.Procedure
	r := roleName(proc, role)
	penalty := "专家库管理决定"
	if proc != GP {
		penalty += "、" + basisPenaltyEng
	}
	switch code {
	case CodeEmployerIsParty:
		return fmt.Sprintf("所在单位为本项目%s，与%s存在利害关系（%s）", r, r, conflictBasis(proc, role, false))
	case CodeSharedLegalRep:
		return fmt.Sprintf("所在单位与%s的法定代表人为同一人，与%s存在利害关系（%s）", r, r, conflictBasis(proc, role, false))
	case CodeControl:
		return fmt.Sprintf("所在单位与%s存在控股或管理关系，与%s存在利害关系（%s）", r, r, conflictBasis(proc, role, false))
	case CodeDeclared:
		return fmt.Sprintf("本人申报与%s存在近亲属或其他利害关系（%s）", r, conflictBasis(proc, role, true))
	case CodeSupervisorStaff:
		basis := basisSupervisorEng
		if proc == GP {
			basis = basisSupplierGP
		}
		return fmt.Sprintf("系本项目行政监督部门工作人员，不得参加本部门监督项目的评审（%s）", basis)
	case CodeSuspended:
		if detail == "" {
			return fmt.Sprintf("评标资格暂停，未定期限（%s）", penalty)
		}
		return fmt.Sprintf("评标资格暂停至%s（%s）", detail, penalty)
	case CodeExited:
		return "已退出专家库，不再参加抽取（专家库管理规定）"
	case CodeBlacklisted:
		return fmt.Sprintf("已列入评标专家黑名单（%s）", penalty)
	case CodeUnknownStatus:
		return fmt.Sprintf("专家状态“%s”无法识别，不参加抽取", detail)
	case CodeFrequency:
		return fmt.Sprintf("近%s内已被抽取%s次，达到上限%d次（抽取频次限制，平台参数）", windowText(time.Duration(req.Window)), detail, req.MaxDrawsInWindow)
	case CodeLocal:
		return fmt.Sprintf("远程异地评标，专家常驻地与项目所在地（%s）相同，须回避（远程异地评标抽取规则）", detail)
	}
	return "不符合抽取条件"
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
	p, err := NewPool([]Expert{e})
	if err != nil {
		return Exclusion{}, false
	}
	return newRecusal(normalizeRequest(req), p).check(0)
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
