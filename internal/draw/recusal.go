package draw

import (
	"fmt"
	"strconv"
	"strings"
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
	touched []int32    // identifiers with a party entry (and dept), for marking and clearing
	from    int64      // window start (exclusive), Unix ns
	at      int64      // request time, Unix ns
	atExact bool       // at is exactly the request time (not clamped)
	atSec   int64      // request time, Unix seconds and nanoseconds (exact)
	atNs    int32
	max     int    // MaxDrawsInWindow
	city    int32  // interned project city (city level) under remote evaluation, else 0
	citySum uint16 // its number in the scan summaries (Pool.cities), 0 if none
	dept    int32  // interned supervising department, 0 if none or unknown to the pool
	reasons *reasonCache
	// Which parties' entity IDs, and the project city, are plain (isPlain).
	partyPlain []bool
	cityPlain  bool
	touch      int64 // sum of the words fetch touched, so the loads stay
}

// partyRef gives, for one identifier, the party (index+1 in req.Parties, 0
// for none) it is the entity, legal representative, controller of, or any
// of these (what a declaration may name).
type partyRef struct{ entity, rep, ctrl, declared uint16 }

// newRecusal indexes the (normalised) request against the pool. Parties are
// visited in their canonical order and the first one wins, so when an
// identifier belongs to several parties the reported party is stable;
// bidders come first because "bidder" sorts first. sc, if not nil, lends
// the party table (all zero, returned so by release) and the reason cache.
func newRecusal(req Request, p *Pool, sc *scratch) *recusal {
	rc := &recusal{
		req:   req,
		pool:  p,
		at:    unixNano(req.At),
		atSec: req.At.Unix(),
		atNs:  int32(req.At.Nanosecond()),
		from:  unixNano(req.At.Add(-time.Duration(req.Window))),
		max:   req.MaxDrawsInWindow,
		dept:  p.lookup(req.SupervisorDept),
	}
	_, rc.atExact = exactUnixNano(req.At)
	if sc != nil {
		if len(sc.party) != len(p.names) {
			sc.party = make([]partyRef, len(p.names))
		}
		if sc.reasons == nil {
			sc.reasons = &reasonCache{}
		}
		rc.party, rc.touched, rc.reasons = sc.party, sc.touched[:0], sc.reasons
	} else {
		rc.party, rc.reasons = make([]partyRef, len(p.names)), &reasonCache{}
	}
	if len(rc.reasons.dates) != len(p.dates)+1 {
		rc.reasons.dates = make([]string, len(p.dates)+1)
	}
	if req.Remote {
		rc.city = p.lookup(cityLevel(req.ProjectCity))
	}
	rc.citySum = p.cities[rc.city]
	rc.cityPlain = isPlain(p.names[rc.city])
	rc.partyPlain = make([]bool, len(req.Parties))
	for k, pt := range req.Parties {
		rc.partyPlain[k] = isPlain(pt.EntityID)
	}
	const (
		entity = iota
		rep
		ctrl
		decl
	)
	set := func(slot int, id string, k int) {
		n := p.lookup(id)
		if n == 0 {
			return
		}
		r := &rc.party[n]
		if *r == (partyRef{}) {
			rc.touched = append(rc.touched, n)
		}
		var s *uint16
		switch slot {
		case entity:
			s = &r.entity
		case rep:
			s = &r.rep
		case ctrl:
			s = &r.ctrl
		default:
			s = &r.declared
		}
		if *s == 0 {
			*s = uint16(k + 1)
		}
	}
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

// release returns the borrowed scratch to its between-draws state.
func (rc *recusal) release(sc *scratch) {
	for _, n := range rc.touched {
		rc.party[n] = partyRef{}
	}
	sc.touched = rc.touched[:0]
	rc.reasons.reset()
}

// suspects marks, with mark, every expert some party identifier or the
// supervising department is linked to: the only experts rules 1–5 can apply
// to (see rule). The others may take the fast path (scan).
func (rc *recusal) suspects(state []uint8, mark uint8) {
	p := rc.pool
	markID := func(n int32) {
		for _, e := range p.linkExp[p.linkOff[n]:p.linkOff[n+1]] {
			state[e] = mark
		}
	}
	for _, n := range rc.touched {
		markID(n)
	}
	if rc.dept != 0 {
		markID(rc.dept)
	}
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
	// cFrequency: the draws in the window; cSuspended: 1 + the end date's
	// index in Pool.dates, 0 for an indefinite suspension.
	n int32
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
	d, dk := rc.detail(i, h)
	x := Exclusion{ExpertID: rc.pool.id(i), Code: Rules[h.code-1], Detail: d, Reason: rc.reason(h, d, dk)}
	if h.party != 0 {
		x.PartyID = rc.req.Parties[h.party-1].EntityID
	}
	return x
}

// plain tells hashWriter.exclusion which strings of the exclusion written
// out for h are plain.
func (rc *recusal) plain(h hit) uint8 {
	f := plainCode // all of Rules are (TestPlainCodes)
	if rc.pool.idsPlain {
		f |= plainID
	}
	if h.party == 0 || rc.partyPlain[h.party-1] {
		f |= plainParty
	}
	switch h.code {
	case cSuspended:
		if rc.pool.datesPlain {
			f |= plainDetail
		}
	case cLocal:
		if rc.cityPlain {
			f |= plainDetail
		}
	case cUnknownStatus:
	default: // a count or nothing
		f |= plainDetail
	}
	return f
}

// smallInts are the decimal texts of small draw counts.
var smallInts = func() (s [64]string) {
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return
}()

// detail is the variable part of a hit on pool expert i, recomputed when
// written out so hits stay small: a date, a count, a city, a status. The
// key identifies the text among the code's details (for the reason cache).
func (rc *recusal) detail(i int32, h hit) (string, uint32) {
	p := rc.pool
	switch h.code {
	case cSuspended:
		if h.n > 0 {
			return p.dates[h.n-1], uint32(h.n)
		}
	case cUnknownStatus:
		return p.names[p.hot[i].statusText], uint32(p.hot[i].statusText)
	case cFrequency:
		if h.n >= 0 && int(h.n) < len(smallInts) {
			return smallInts[h.n], uint32(h.n)
		}
		return strconv.Itoa(int(h.n)), uint32(h.n)
	case cLocal:
		return p.names[rc.city], 0
	}
	return "", 0
}

func (rc *recusal) drawsInWindow(h *hot) int {
	n := 0
	for _, t := range rc.pool.scanExtra[h.draws : h.draws+h.nDraws] {
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
			return hit{code: cSuspended, n: h.date + 1}, true
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
			return hit{code: cSuspended, n: h.date + 1}, true
		}
	default:
		return hit{code: cUnknownStatus}, true
	}
	if max := rc.max; max > 0 {
		if n := rc.drawsInWindow(h); n >= max {
			return hit{code: cFrequency, n: int32(n)}, true
		}
	}
	if rc.city != 0 && h.city == rc.city {
		return hit{code: cLocal}, true
	}
	return hit{}, false
}

// scan is rule for an expert no party identifier and no supervising
// department is linked to (see suspects), so rules 1–5 cannot apply; it
// reads only the expert's scan data (see buildScan).
func (rc *recusal) scan(i int32) (hit, bool) {
	return rc.scanWith(i, rc.pool.scanSum[i])
}

// fetch loads the scan data of a batch of experts before any is looked at:
// with no decision between them, the memory fetches overlap instead of
// each stalling the scan in turn. The summaries go into words; extra words
// are only touched, to have them in cache.
func (rc *recusal) fetch(batch []int32, words *[scanBatch]uint64) {
	p := rc.pool
	for j, i := range batch {
		words[j] = p.scanSum[i]
	}
	max := uint64(rc.max)
	if max == 0 {
		max = maxSumDraws + 1 // no frequency rule: no draws needed
	}
	var t int64
	for _, w := range words[:len(batch)] {
		kind, nd := w>>sumKindShift&(1<<sumKindBits-1), w>>sumDrawShift&maxSumDraws
		if kind == scanNone && nd >= max || kind == scanUntil {
			// First and last word: a record may straddle two cache lines.
			off := uint32(w)
			t += p.scanExtra[off] + p.scanExtra[off+uint32(nd)-1+2*uint32(b2i(kind == scanUntil))]
		}
	}
	rc.touch += t
}

// scanWith is scan given the expert's summary word.
func (rc *recusal) scanWith(i int32, w uint64) (hit, bool) {
	p := rc.pool
	var extra []int64
	switch w >> sumKindShift & (1<<sumKindBits - 1) {
	case scanNone:
	case scanUntil:
		if !rc.atExact {
			return rc.rule(i)
		}
		extra = p.scanExtra[uint32(w):]
		if rc.at < extra[0] {
			return hit{code: cSuspended, n: int32(extra[1]) + 1}, true
		}
		extra = extra[2:]
	case scanStatic:
		return hit{code: uint8(w >> sumCodeShift)}, true
	default:
		return rc.rule(i)
	}
	if nd := int(w >> sumDrawShift & maxSumDraws); rc.max > 0 && nd >= rc.max {
		if extra == nil {
			extra = p.scanExtra[uint32(w):]
		}
		// Without branches: which draws fall in the window is anyone's guess.
		n := 0
		from, at := rc.from, rc.at
		for _, t := range extra[:nd] {
			n += b2i(t > from) & b2i(t <= at)
		}
		if n >= rc.max {
			return hit{code: cFrequency, n: int32(n)}, true
		}
	}
	if rc.citySum != 0 && uint16(w>>sumCityShift) == rc.citySum {
		return hit{code: cLocal}, true
	}
	return hit{}, false
}

// chinaDate is the calendar date in China (UTC+8), the date users read.
func chinaDate(t time.Time) string {
	return t.UTC().Add(8 * time.Hour).Format("2006-01-02")
}

// reason puts a hit into words, once per distinct wording: thousands of
// exclusions share a few hundred texts. dk tells the code's details apart
// (see detail).
func (rc *recusal) reason(h hit, detail string, dk uint32) string {
	role, ri := "", 0
	if h.party != 0 {
		role = rc.req.Parties[h.party-1].Role
		switch role {
		case RoleBidder:
			ri = 1
		case RolePrincipal:
			ri = 2
		case RoleAgency:
			ri = 3
		default:
			return Reason(rc.req, Rules[h.code-1], role, detail)
		}
	}
	c := rc.reasons
	var slot *string
	switch {
	case detail == "":
		slot = &c.fixed[h.code][ri]
	case h.code == cSuspended && int(dk) < len(c.dates):
		slot = &c.dates[dk]
	case h.code == cFrequency && int(dk) < len(c.freq):
		slot = &c.freq[dk]
	case h.code == cLocal:
		slot = &c.local
	default:
		k := uint64(h.code)<<40 | uint64(ri)<<32 | uint64(dk)
		if s, ok := c.other[k]; ok {
			return s
		}
		s := Reason(rc.req, Rules[h.code-1], role, detail)
		if c.other == nil {
			c.other = map[uint64]string{}
		}
		c.other[k] = s
		return s
	}
	if *slot == "" {
		*slot = rc.newReason(h.code, role, detail)
	}
	return *slot
}

// newReason is Reason, through a template when the code's detail is a
// plain insertion into the text: hundreds of suspension dates per draw.
func (rc *recusal) newReason(code uint8, role, detail string) string {
	if detail == "" || role != "" {
		return Reason(rc.req, Rules[code-1], role, detail)
	}
	t := &rc.reasons.tmpl[code]
	if !t.made {
		t.made = true
		const mark = "\x00"
		s := Reason(rc.req, Rules[code-1], "", mark)
		if i := strings.Index(s, mark); i >= 0 && strings.Count(s, mark) == 1 {
			t.pre, t.suf = s[:i], s[i+len(mark):]
			// Trust the template only once it reproduces a real text.
			want := Reason(rc.req, Rules[code-1], "", detail)
			t.ok = t.pre+detail+t.suf == want
			if !t.ok {
				return want
			}
		}
	}
	if t.ok {
		return t.pre + detail + t.suf
	}
	return Reason(rc.req, Rules[code-1], "", detail)
}

// reasonCache holds a draw's reasons (see recusal.reason).
type reasonCache struct {
	fixed [cLocal + 1][4]string // by code and role, for details ""
	freq  [64]string            // frequency, by count
	local string
	dates []string // suspension, by 1 + index in Pool.dates
	other map[uint64]string
	tmpl  [cLocal + 1]reasonTemplate
}

// reasonTemplate is a code's reason split around its detail.
type reasonTemplate struct {
	made, ok bool
	pre, suf string
}

func (c *reasonCache) reset() {
	c.fixed = [cLocal + 1][4]string{}
	c.freq = [64]string{}
	c.local = ""
	clear(c.dates)
	if len(c.other) > 1024 {
		c.other = nil
	}
	clear(c.other)
	c.tmpl = [cLocal + 1]reasonTemplate{}
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
	return newRecusal(normalizeRequest(req), p, nil).check(0)
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

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
