package draw

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"ggzy/internal/gm"
)

// Pool is an indexed, immutable pool snapshot, safe for concurrent draws.
// Build it once per snapshot: indexing and the snapshot digest (about 1 s for
// 100,000 experts) cost far more than a draw.
type Pool struct {
	n      int                // experts, numbered 0..n-1 in ID order
	index  map[string][]int32 // every prefix of every specialty code → experts, ascending
	digest string             // hex SM3 of the canonical snapshot
	arena  string             // all IDs, concatenated in ID order
	idEnd  []int32            // expert i's ID is arena[idEnd[i-1]:idEnd[i]]
	// The Expert records themselves are not kept: the flat, pointer-free
	// layout below is all a draw reads, and the garbage collector does not
	// have to trace 100,000 records on every cycle.
	scratch sync.Pool // *scratch, reused across draws

	// What recusal reads, laid out flat so a draw does not chase pointers
	// through 100,000 records: identifiers interned (0 = none).
	hot   []hot
	refs  []int32 // per expert: controllers, then relatives
	draws []int64 // per expert: recent draws, Unix ns, while building (then in scanExtra)
	ids   map[string]int32
	names []string // interned identifier → text; names[0] = ""
	dates []string // suspension end dates as Exclusion.Detail writes them (hot.date)
	// All IDs, all dates are plain (isPlain): the digest copies them as they are.
	idsPlain, datesPlain bool
	dateIDs              map[string]int32 // while building

	// A draw checks most qualified experts on a fast path (recusal.scan)
	// that reads, per expert, one summary word in ID order and, only when
	// the request needs them, a few extra words: see buildScan.
	scanSum   []uint64
	scanExtra []int64
	cities    []uint16 // interned city → its number in the summaries
	// Experts linked to an identifier as employer, legal representative,
	// controller, relative or supervising department: the only experts
	// rules 1–5 can apply to (recusal.suspects). Identifier n's are
	// linkExp[linkOff[n]:linkOff[n+1]].
	linkOff []int32
	linkExp []int32
}

// hot is an expert's recusal data.
type hot struct {
	employer, rep, dept, city int32
	statusText                int32 // interned Status, for an unknown one's detail
	refs, nCtrl, nRel         int32
	draws, nDraws             int32 // recent draws: scanExtra[draws:draws+nDraws]
	status                    uint8
	hasUntil                  bool
	untilNs                   int32 // SuspendedUntil: Unix seconds and nanoseconds, exact for any year
	until                     int64
	date                      int32 // index in Pool.dates of the suspension end date, if hasUntil
}

// scratch is a draw's working memory.
type scratch struct {
	state   []uint8
	cand    []int32
	hits    []exHit
	merge   []exHit
	party   []partyRef // all zero between draws
	touched []int32    // identifiers whose party entry is set
	reasons *reasonCache
}

// scanBatch is how many experts' scan data the scan fetches at once.
const scanBatch = 32

// id is expert i's ID.
func (p *Pool) id(i int32) string {
	start := int32(0)
	if i > 0 {
		start = p.idEnd[i-1]
	}
	return p.arena[start:p.idEnd[i]]
}

// before reports whether (s, ns) is before (s2, ns2).
func before(s int64, ns int32, s2 int64, ns2 int32) bool {
	return s < s2 || s == s2 && ns < ns2
}

const (
	statusUnknown uint8 = iota
	statusActive
	statusSuspended
	statusBlacklisted
	statusExited
)

// unixNano is t in Unix nanoseconds, clamped to what int64 holds (years
// 1678–2262), so "suspended until 9999-12-31" still compares correctly.
func unixNano(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// intern returns the identifier's number, adding it; "" is 0.
func (p *Pool) intern(s string) int32 {
	if s == "" {
		return 0
	}
	if n, ok := p.ids[s]; ok {
		return n
	}
	n := int32(len(p.names))
	p.ids[s] = n
	p.names = append(p.names, s)
	return n
}

// lookup returns the identifier's number, 0 if the pool never mentions it
// (then no expert can match it).
func (p *Pool) lookup(s string) int32 { return p.ids[s] }

func (p *Pool) addHot(e *Expert) {
	h := hot{
		statusText: p.intern(e.Status),
		employer:   p.intern(e.EmployerID), rep: p.intern(e.EmployerLegalRep), dept: p.intern(e.DeptStaffOf),
		city: p.intern(cityLevel(e.City)), refs: int32(len(p.refs)), nCtrl: int32(len(e.EmployerControllers)),
		nRel: int32(len(e.Relatives)), draws: int32(len(p.draws)), nDraws: int32(len(e.RecentDraws)),
		hasUntil: !e.SuspendedUntil.IsZero(), until: e.SuspendedUntil.Unix(), untilNs: int32(e.SuspendedUntil.Nanosecond()),
	}
	switch e.Status {
	case StatusActive:
		h.status = statusActive
	case StatusSuspended:
		h.status = statusSuspended
	case StatusBlacklisted:
		h.status = statusBlacklisted
	case StatusExited:
		h.status = statusExited
	}
	for _, c := range e.EmployerControllers {
		p.refs = append(p.refs, p.intern(c))
	}
	for _, r := range e.Relatives {
		p.refs = append(p.refs, p.intern(r))
	}
	for _, t := range e.RecentDraws {
		p.draws = append(p.draws, unixNano(t))
	}
	if h.hasUntil {
		d := chinaDate(time.Unix(h.until, int64(h.untilNs)))
		n, ok := p.dateIDs[d]
		if !ok {
			n = int32(len(p.dates))
			p.dateIDs[d] = n
			p.dates = append(p.dates, d)
		}
		h.date = n
	}
	p.hot = append(p.hot, h)
}

// exactUnixNano is t in Unix nanoseconds when int64 holds it exactly.
func exactUnixNano(t time.Time) (int64, bool) {
	if t.Before(time.Unix(0, math.MinInt64)) || t.After(time.Unix(0, math.MaxInt64)) {
		return 0, false
	}
	return t.UnixNano(), true
}

// A scan summary word (see buildScan).
const (
	sumOffBits  = 32 // offset of the extra words in scanExtra
	sumCityBits = 16 // the city's number in Pool.cities, 0 = none
	sumDrawBits = 10 // number of recent draws
	sumKindBits = 2
	sumCodeBits = 4

	sumCityShift = sumOffBits
	sumDrawShift = sumCityShift + sumCityBits
	sumKindShift = sumDrawShift + sumDrawBits
	sumCodeShift = sumKindShift + sumKindBits

	maxSumCity  = 1<<sumCityBits - 1
	maxSumDraws = 1<<sumDrawBits - 1
)

// Kinds of scan summary.
const (
	scanNone   = iota // rules 6–9 cannot apply
	scanUntil         // suspended while the request time is before the first extra word (Unix ns); the second is hot.date
	scanStatic        // the summary's rule code always applies (exited, blacklisted, unknown status, indefinite suspension)
	scanSlow          // anything unusual: apply rule
)

// buildScan lays out what the scan reads, once the experts are in. Expert
// i's summary, scanSum[i], packs (see the sum constants) the offset of its
// extra words in scanExtra, its city, its number of recent draws, a kind
// and a rule code. The extra words are the suspension end in Unix ns and its
// date's index in dates (kind scanUntil only), then the recent draws in Unix
// ns. A draw reads the
// summaries of a need's experts in ID order, a stream, and extra words only
// when the request needs them (frequency rule on and enough draws, or a
// suspension end to compare), found without a further lookup.
func (p *Pool) buildScan() {
	p.scanSum = make([]uint64, len(p.hot))
	p.scanExtra = make([]int64, 0, len(p.draws)+len(p.hot)/8)
	p.cities = make([]uint16, len(p.names))
	nCities := 0
	for i := range p.hot {
		h := &p.hot[i]
		kind, code := scanNone, cNone
		var until int64
		switch h.status {
		case statusActive, statusSuspended:
			if !h.hasUntil {
				if h.status == statusSuspended {
					kind, code = scanStatic, cSuspended
				}
			} else if ns, ok := exactUnixNano(time.Unix(h.until, int64(h.untilNs))); ok {
				kind, until = scanUntil, ns
			} else {
				kind = scanSlow
			}
		case statusExited:
			kind, code = scanStatic, cExited
		case statusBlacklisted:
			kind, code = scanStatic, cBlacklisted
		default:
			kind, code = scanStatic, cUnknownStatus
		}
		if h.city != 0 && p.cities[h.city] == 0 && nCities < maxSumCity {
			nCities++
			p.cities[h.city] = uint16(nCities)
		}
		city := p.cities[h.city]
		nd := h.nDraws
		if nd > maxSumDraws || h.city != 0 && city == 0 {
			kind, nd = scanSlow, 0
		}
		p.scanSum[i] = uint64(len(p.scanExtra)) | uint64(city)<<sumCityShift | uint64(nd)<<sumDrawShift |
			uint64(kind)<<sumKindShift | uint64(code)<<sumCodeShift
		if kind == scanUntil {
			p.scanExtra = append(p.scanExtra, until, int64(h.date))
		}
		// rule reads the draws here too.
		draws := p.draws[h.draws : h.draws+h.nDraws]
		h.draws = int32(len(p.scanExtra))
		p.scanExtra = append(p.scanExtra, draws...)
	}
	p.draws = nil
}

// buildLinks indexes the experts by the identifiers rules 1–5 compare, as
// a compressed sparse table (Pool.linkOff).
func (p *Pool) buildLinks() {
	p.linkOff = make([]int32, len(p.names)+1)
	each := func(f func(id, i int32)) {
		for i := range p.hot {
			h := &p.hot[i]
			for _, id := range [...]int32{h.employer, h.rep, h.dept} {
				if id != 0 {
					f(id, int32(i))
				}
			}
			for _, id := range p.refs[h.refs : h.refs+h.nCtrl+h.nRel] {
				if id != 0 {
					f(id, int32(i))
				}
			}
		}
	}
	each(func(id, _ int32) { p.linkOff[id+1]++ })
	for n := 1; n < len(p.linkOff); n++ {
		p.linkOff[n] += p.linkOff[n-1]
	}
	p.linkExp = make([]int32, p.linkOff[len(p.names)])
	next := slices.Clone(p.linkOff[:len(p.names)])
	each(func(id, i int32) { p.linkExp[next[id]] = i; next[id]++ })
}

// normalizeExpert puts the ID lists in set form and times in UTC so the
// snapshot digest does not depend on how the rows were assembled.
func normalizeExpert(e Expert) Expert {
	e.Specialties = set(e.Specialties)
	e.EmployerControllers = set(e.EmployerControllers)
	e.Relatives = set(e.Relatives)
	e.SuspendedUntil = e.SuspendedUntil.UTC()
	if len(e.RecentDraws) > 0 {
		ds := make([]time.Time, 0, len(e.RecentDraws))
		for _, t := range e.RecentDraws {
			ds = append(ds, t.UTC())
		}
		slices.SortFunc(ds, func(a, b time.Time) int { return a.Compare(b) })
		e.RecentDraws = ds
	}
	return e
}

// NewPool normalises and indexes a snapshot. The given order is irrelevant.
// The snapshot digest (Digest) is SM3 over "ggzy-pool-v1\n" followed by each
// normalised expert's canonical JSON and "\n", in ID order.
func NewPool(experts []Expert) (*Pool, error) {
	p := &Pool{n: len(experts), index: map[string][]int32{}, ids: map[string]int32{}, dateIDs: map[string]int32{}, names: []string{""}, hot: make([]hot, 0, len(experts)), idEnd: make([]int32, len(experts))}
	sorted := make([]Expert, len(experts))
	for i, e := range experts {
		sorted[i] = normalizeExpert(e)
	}
	slices.SortFunc(sorted, func(a, b Expert) int { return strings.Compare(a.ID, b.ID) })
	var arena strings.Builder
	h := gm.NewSM3()
	h.Write([]byte("ggzy-pool-v1\n"))
	var prefixes []string
	for i := range sorted {
		e := &sorted[i]
		if e.ID == "" {
			return nil, errors.New("专家库快照中有专家缺少编号")
		}
		if i > 0 && sorted[i-1].ID == e.ID {
			return nil, fmt.Errorf("专家库快照中专家编号“%s”重复", e.ID)
		}
		h.Write(canonicalJSON(e))
		h.Write([]byte("\n"))
		arena.WriteString(e.ID)
		p.idEnd[i] = int32(arena.Len())
		p.addHot(e)
		// Every prefix of every code, once per expert: a request for
		// "A08" finds an expert registered under "A080101".
		prefixes = prefixes[:0]
		for _, c := range e.Specialties {
			for n := 1; n <= len(c); n++ {
				prefixes = append(prefixes, c[:n])
			}
		}
		slices.Sort(prefixes)
		for _, k := range slices.Compact(prefixes) {
			p.index[k] = append(p.index[k], int32(i))
		}
	}
	p.arena = arena.String()
	p.idsPlain = isPlain(p.arena)
	p.datesPlain = isPlain(strings.Join(p.dates, ""))
	p.dateIDs = nil
	p.buildScan()
	p.buildLinks()
	p.digest = hex.EncodeToString(h.Sum(nil))
	return p, nil
}

// Digest is the hex SM3 of the canonical snapshot, for the ledger.
func (p *Pool) Digest() string { return p.digest }

// Len is the number of experts in the snapshot.
func (p *Pool) Len() int { return p.n }

// validSpecialty accepts a level-1 letter followed by digits (A, A08,
// A0801, …); codes are data, so only the shape is checked.
func validSpecialty(s string) bool {
	if len(s) == 0 || len(s) > 16 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validateRequest(req Request) error {
	if strings.TrimSpace(req.LotID) == "" {
		return errors.New("抽取申请未注明标段")
	}
	if req.Procedure != Engineering && req.Procedure != GP {
		return fmt.Errorf("项目类型“%s”无法识别（应为 %s 或 %s）", req.Procedure, Engineering, GP)
	}
	if req.At.IsZero() {
		return errors.New("抽取申请未注明申请时间")
	}
	if len(req.Needs) == 0 {
		return errors.New("抽取申请未列出所需专业及人数")
	}
	for i, n := range req.Needs {
		if !validSpecialty(n.Specialty) {
			return fmt.Errorf("第%d项专业代码“%s”格式不正确（应如 A0801）", i+1, n.Specialty)
		}
		if n.Count < 1 || n.Backups < 0 {
			return fmt.Errorf("专业 %s 的抽取人数应至少 1 名、备选不得为负数", n.Specialty)
		}
	}
	if req.Remote && len(req.ProjectCity) != 6 {
		return errors.New("远程异地评标须注明项目所在地（6 位行政区划代码），以回避本地专家")
	}
	if req.MaxDrawsInWindow < 0 || req.Window < 0 || (req.MaxDrawsInWindow > 0 && req.Window == 0) {
		return errors.New("抽取频次限制须同时设定时间窗口和次数上限")
	}
	if len(req.Parties) > 10000 {
		return errors.New("项目当事人过多")
	}
	for _, p := range req.Parties {
		if p.EntityID == "" {
			return errors.New("项目当事人缺少主体编号")
		}
		if p.Role != RoleBidder && p.Role != RolePrincipal && p.Role != RoleAgency {
			return fmt.Errorf("项目当事人角色“%s”无法识别", p.Role)
		}
	}
	return nil
}

// ShortageError says a need cannot be filled; the counts are for the
// operator, who may widen the specialty or switch to remote evaluation.
type ShortageError struct {
	Specialty string
	Eligible  int // candidates left after recusal and earlier needs
	Needed    int // Count + Backups
	Backups   int
	Taken     int // qualified experts already picked for earlier needs
}

func (e *ShortageError) Error() string {
	s := fmt.Sprintf("专业 %s 符合条件的专家仅 %d 名，少于所需 %d 名（含备选 %d 名）", e.Specialty, e.Eligible, e.Needed, e.Backups)
	if e.Taken > 0 {
		s += fmt.Sprintf("，已扣除本次其他专业已抽中的 %d 名", e.Taken)
	}
	return s
}

// Per-draw state of an expert.
const (
	unchecked uint8 = iota
	eligible
	excluded
	picked
	suspect // not yet checked, and rules 1–5 may apply (see recusal.suspects)
)

// Draw runs the draw on the snapshot (see the package comment for the exact
// algorithm). The seed must be the 32 bytes Seed returns.
func (p *Pool) Draw(req Request, seed []byte) (Result, error) {
	req = normalizeRequest(req)
	if err := validateRequest(req); err != nil {
		return Result{}, err
	}
	if len(seed) != 32 {
		return Result{}, fmt.Errorf("抽取种子应为 32 字节（SM3 摘要），实为 %d 字节", len(seed))
	}
	if err := checkComposition(req); err != nil {
		return Result{}, err
	}
	reqDigest := RequestDigest(req)
	res := Result{
		Version:       Version,
		LotID:         req.LotID,
		RequestDigest: hex.EncodeToString(reqDigest),
		PoolDigest:    p.digest,
		PoolSize:      p.n,
		Seed:          hex.EncodeToString(seed),
		Needs:         make([]NeedResult, 0, len(req.Needs)),
		Exclusions:    []Exclusion{},
	}
	rng := newDRBG(seed)
	sc, _ := p.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{state: make([]uint8, p.n)}
	}
	defer p.scratch.Put(sc)
	rc := newRecusal(req, p, sc)
	defer rc.release(sc)
	state := sc.state
	clear(state)
	rc.suspects(state, suspect)
	cand := slices.Grow(sc.cand[:0], p.maxList(req.Needs))
	defer func() { sc.cand = cand[:0] }()
	hits := sc.hits[:0] // compact until sorted, then put into words once
	defer func() { sc.hits = hits[:0] }()
	var runs []int // end of each need's run of hits
	for _, n := range req.Needs {
		list := p.index[n.Specialty]
		cand = cand[:0]
		taken := 0
		var words [scanBatch]uint64
		for k, i := range list {
			b := k % scanBatch
			if b == 0 {
				rc.fetch(list[k:min(k+scanBatch, len(list))], &words)
			}
			if s := state[i]; s == unchecked || s == suspect {
				var h hit
				var ok bool
				if s == unchecked {
					h, ok = rc.scanWith(i, words[b])
				} else {
					h, ok = rc.rule(i)
				}
				if ok {
					state[i] = excluded
					hits = append(hits, exHit{i, h})
				} else {
					state[i] = eligible
				}
			}
			switch state[i] {
			case eligible:
				cand = append(cand, i)
			case picked:
				taken++
			}
		}
		runs = append(runs, len(hits))
		k := n.Count + n.Backups
		if len(cand) < k {
			return Result{}, &ShortageError{Specialty: n.Specialty, Eligible: len(cand), Needed: k, Backups: n.Backups, Taken: taken}
		}
		for i := 0; i < k; i++ {
			j := i + int(rng.uniform(uint64(len(cand)-i)))
			cand[i], cand[j] = cand[j], cand[i]
			state[cand[i]] = picked
		}
		nr := NeedResult{Need: n, Qualified: len(list), Eligible: len(cand), Members: make([]string, n.Count)}
		for i, c := range cand[:n.Count] {
			nr.Members[i] = p.id(c)
		}
		for _, c := range cand[n.Count:k] {
			nr.Backups = append(nr.Backups, p.id(c))
		}
		res.Needs = append(res.Needs, nr)
	}
	// Each need's hits are in ID order (= pool index order); merging the
	// runs makes the list canonical.
	hits = mergeRuns(hits, runs, &sc.merge)
	// The exclusions are written out and hashed in one pass (digestOf's
	// bytes exactly, see hashWriter), a batch of IDs fetched at a time.
	res.Exclusions = make([]Exclusion, len(hits))
	w := newHashWriter()
	w.head(&res)
	var touch byte
	for k, x := range hits {
		if k%scanBatch == 0 {
			for _, y := range hits[k:min(k+scanBatch, len(hits))] {
				touch += p.id(y.i)[0]
			}
		}
		e := &res.Exclusions[k]
		*e = rc.exclusion(x.i, x.h)
		w.exclusion(k, e, rc.plain(x.h))
	}
	rc.touch += int64(touch)
	res.Digest = w.end()
	return res, nil
}

// exHit is an exclusion before it is written out.
type exHit struct {
	i int32
	h hit
}

// maxList is the longest index list among the needs, the most candidates
// any need can have.
func (p *Pool) maxList(needs []Need) int {
	n := 0
	for _, nd := range needs {
		n = max(n, len(p.index[nd.Specialty]))
	}
	return n
}

// mergeRuns merges the ascending runs hits[0:ends[0]], hits[ends[0]:ends[1]], …
// into one ascending list. Runs never share an expert (each is checked once).
func mergeRuns(hits []exHit, ends []int, buf *[]exHit) []exHit {
	start := 0
	out := *buf
	defer func() { *buf = out[:0] }()
	for _, end := range ends {
		if start == 0 {
			start = end
			continue
		}
		a, b := hits[:start], hits[start:end]
		if len(b) > 0 && len(a) > 0 && a[len(a)-1].i > b[0].i {
			out = slices.Grow(out[:0], end)
			i, j := 0, 0
			for i < len(a) && j < len(b) {
				if a[i].i < b[j].i {
					out = append(out, a[i])
					i++
				} else {
					out = append(out, b[j])
					j++
				}
			}
			out = append(append(out, a[i:]...), b[j:]...)
			copy(hits, out)
		}
		start = end
	}
	return hits
}

// drbg is SM3 in counter mode: block i = SM3(seed ‖ uint64be(i)).
type drbg struct {
	in    []byte // seed ‖ counter
	block [32]byte
	off   int
	ctr   uint64
}

func newDRBG(seed []byte) *drbg {
	d := &drbg{in: make([]byte, len(seed)+8), off: 32}
	copy(d.in, seed)
	return d
}

func (d *drbg) next() uint64 {
	if d.off == 32 {
		binary.BigEndian.PutUint64(d.in[len(d.in)-8:], d.ctr)
		d.block = gm.SM3(d.in)
		d.ctr++
		d.off = 0
	}
	x := binary.BigEndian.Uint64(d.block[d.off:])
	d.off += 8
	return x
}

// uniform returns a uniform integer in [0, n), n ≥ 1, by rejection: words in
// the top partial block [2^64 − 2^64 mod n, 2^64) are discarded.
func (d *drbg) uniform(n uint64) uint64 {
	rem := (^uint64(0)%n + 1) % n // 2^64 mod n
	for {
		x := d.next()
		if rem == 0 || x <= ^uint64(0)-rem {
			return x % n
		}
	}
}
