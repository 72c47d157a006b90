// Package draw is the pure core of the verifiable expert draw (DESIGN.md §6.3,
// issue 4 §2): plain data in, plain data out, no storage, HTTP or clock.
//
// The draw is a deterministic function of three committed inputs:
//
//   - the Request (lot, needs, parties, recusal parameters, the time At),
//     committed to the ledger first; RequestDigest is SM3 of its canonical JSON;
//   - the pool snapshot ([]Expert), committed as PoolDigest;
//   - a seed derived by Seed from that request digest and a ledger checkpoint
//     that did not exist when the request was committed, so nobody — the
//     operator included — can choose the randomness.
//
// Anyone holding the three can call Verify and get the same experts, byte for
// byte (Result.Digest).
//
// Selection, precisely (so it can be re-implemented elsewhere):
//
//  1. The pool is sorted by expert ID (byte order); its order as given is irrelevant.
//  2. An expert qualifies for a need when one of its specialty codes starts
//     with the need's code (equal included).
//  3. Every qualifying expert is checked against the recusal rules in the
//     order of Rules; the first rule that applies excludes the expert and is
//     recorded in Result.Exclusions (sorted by expert ID).
//  4. Needs are served in request order. The candidates of a need are the
//     qualifying, non-excluded experts not already picked for an earlier need,
//     in ID order. k = Count+Backups of them are picked by a partial
//     Fisher–Yates shuffle: for i in 0..k-1, j = i + uniform(m-i), swap(i, j);
//     the first Count are members, the rest backups, in that order.
//  5. uniform(n) reads 64-bit words from the DRBG and rejects a word x when
//     x ≥ 2^64 − (2^64 mod n), then returns x mod n (no modulo bias). The DRBG
//     is SM3 in counter mode: block i = SM3(seed ‖ uint64be(i)), i = 0, 1, …;
//     each 32-byte block gives four big-endian uint64 words, used in order.
package draw

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"ggzy/internal/gm"
)

// Version names the algorithm; it is the seed's domain tag and is recorded in
// every result, so a future change cannot silently reinterpret an old draw.
const Version = "ggzy-draw-v1"

// Expert statuses in the pool snapshot.
const (
	StatusActive      = "active"
	StatusSuspended   = "suspended"
	StatusBlacklisted = "blacklisted"
	StatusExited      = "exited"
)

// Procedure families; they choose the legal basis quoted in exclusions and
// the committee composition rule.
const (
	Engineering = "engineering" // 工程建设项目招标 (TBL, TBR, O12)
	GP          = "gp"          // 政府采购 (GPL, GPR, O87)
)

// Party roles on the lot.
const (
	RoleBidder    = "bidder"    // 投标人 / 供应商
	RolePrincipal = "principal" // 招标人 / 采购人
	RoleAgency    = "agency"    // 招标代理机构 / 采购代理机构
)

// Expert is one row of the pool snapshot the draw runs on.
type Expert struct {
	ID          string   `json:"id"`
	Specialties []string `json:"specialties"` // classification codes, e.g. "A080101"
	EmployerID  string   `json:"employer_id,omitzero"`
	// EmployerLegalRep identifies the employer's legal representative (a
	// person ID or identity-number digest, never a name: names collide).
	EmployerLegalRep string `json:"employer_legal_rep,omitzero"`
	// EmployerControllers are entity IDs that control, or are controlled by,
	// the employer.
	EmployerControllers []string  `json:"employer_controllers,omitzero"`
	City                string    `json:"city,omitzero"` // division code, 6 digits
	Status              string    `json:"status"`
	SuspendedUntil      time.Time `json:"suspended_until,omitzero"` // zero with StatusSuspended = indefinite
	// Relatives are entity or person IDs the expert declared a relative or a
	// conflict of interest with.
	Relatives   []string    `json:"relatives,omitzero"`
	DeptStaffOf string      `json:"dept_staff_of,omitzero"` // supervising department the expert works for
	RecentDraws []time.Time `json:"recent_draws,omitzero"`
}

// Need asks for Count members and Backups reserves of one specialty.
type Need struct {
	Specialty string `json:"specialty"`
	Count     int    `json:"count"`
	Backups   int    `json:"backups,omitzero"`
}

// Party is a bidder, the principal or the agency of the lot.
type Party struct {
	Role     string `json:"role"`
	EntityID string `json:"entity_id"`
	LegalRep string `json:"legal_rep,omitzero"` // same identifier space as Expert.EmployerLegalRep
	// Controllers are entity IDs that control, or are controlled by, the party.
	Controllers []string `json:"controllers,omitzero"`
}

// Request is everything the draw depends on besides the pool and the seed.
type Request struct {
	LotID       string `json:"lot_id"`
	Procedure   string `json:"procedure"` // Engineering (default when empty) or GP
	ProjectCity string `json:"project_city,omitzero"`
	Remote      bool   `json:"remote,omitzero"` // remote off-site evaluation: local experts excluded
	Needs       []Need `json:"needs"`
	// PrincipalReps and CommitteeMin, when CommitteeMin > 0, have the
	// committee's composition checked before anyone is drawn (RULES.md §2, §3):
	// Σ Count + PrincipalReps ≥ CommitteeMin, odd, experts ≥ 2/3.
	PrincipalReps  int     `json:"principal_reps,omitzero"`
	CommitteeMin   int     `json:"committee_min,omitzero"`
	Parties        []Party `json:"parties"`
	SupervisorDept string  `json:"supervisor_dept,omitzero"`
	// An expert already drawn MaxDrawsInWindow times in (At−Window, At] is
	// excluded: one more draw would exceed the cap. 0 disables the rule.
	Window           Duration  `json:"window,omitzero"`
	MaxDrawsInWindow int       `json:"max_draws_in_window,omitzero"`
	At               time.Time `json:"at"`
	Reason           string    `json:"reason,omitzero"` // free text for the audit trail
}

// Duration is a time.Duration that reads and writes JSON as Go duration text
// ("2160h0m0s"): nanosecond integers exceed 2^53 for multi-year windows and
// would not survive a JavaScript verifier.
type Duration time.Duration

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads duration text.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("抽取频次窗口应为时长文本（如“2160h”）：%w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("抽取频次窗口“%s”无法识别：%w", s, err)
	}
	*d = Duration(v)
	return nil
}

// Exclusion records why an expert who qualified by specialty was not a
// candidate: the first applicable rule. Reason is Code, PartyID's role and
// Detail put into words (see Reason); the digest covers the data, not the
// words.
type Exclusion struct {
	ExpertID string `json:"expert_id"`
	Code     string `json:"code"`
	PartyID  string `json:"party_id,omitzero"` // the party the conflict is with, if any
	Detail   string `json:"detail,omitzero"`   // suspension end date, draw count, city, status
	Reason   string `json:"reason"`
}

// NeedResult is the outcome for one need, in request order.
type NeedResult struct {
	Need      Need     `json:"need"`
	Qualified int      `json:"qualified"` // experts with the specialty
	Eligible  int      `json:"eligible"`  // after recusal and earlier needs' picks
	Members   []string `json:"members"`
	Backups   []string `json:"backups,omitzero"`
}

// Result is the draw's outcome. Digest is the hex SM3 of its canonical form
// (see digestOf); two runs agree iff their digests do.
type Result struct {
	Version       string       `json:"version"`
	LotID         string       `json:"lot_id"`
	RequestDigest string       `json:"request_digest"`
	PoolDigest    string       `json:"pool_digest"`
	PoolSize      int          `json:"pool_size"`
	Seed          string       `json:"seed"`
	Needs         []NeedResult `json:"needs"`
	Exclusions    []Exclusion  `json:"exclusions"`
	Digest        string       `json:"digest,omitzero"`
}

// canonicalJSON is encoding/json output with HTML escaping off and no
// trailing newline: fields in declaration order, no whitespace, times in
// RFC 3339 (normalised to UTC beforehand), zero optional fields omitted.
func canonicalJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only plain strings, numbers, bools, times and slices reach here.
		panic("draw: canonical encoding: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// set returns xs sorted, without duplicates or empty strings: these lists are
// sets, and their order must not change a digest.
func set(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// CanonicalRequest returns the canonical form of the request, the bytes that
// RequestDigest hashes: the request with Procedure defaulted to Engineering,
// At in UTC, every ID list sorted and de-duplicated, parties sorted by (role,
// entity ID), then encoded as described at canonicalJSON. Needs keep their
// order, which is part of the algorithm.
func CanonicalRequest(r Request) []byte {
	return canonicalJSON(normalizeRequest(r))
}

func normalizeRequest(r Request) Request {
	if r.Procedure == "" {
		r.Procedure = Engineering
	}
	r.At = r.At.UTC()
	r.Needs = slices.Clone(r.Needs)
	ps := make([]Party, len(r.Parties))
	for i, p := range r.Parties {
		p.Controllers = set(p.Controllers)
		ps[i] = p
	}
	slices.SortFunc(ps, func(a, b Party) int {
		if c := strings.Compare(a.Role, b.Role); c != 0 {
			return c
		}
		return strings.Compare(a.EntityID, b.EntityID)
	})
	r.Parties = ps
	return r
}

// RequestDigest is SM3 of CanonicalRequest(r); it is what the ledger commits
// before the seed exists.
func RequestDigest(r Request) []byte {
	s := gm.SM3(CanonicalRequest(r))
	return s[:]
}

// Seed derives the draw's seed from the committed request and a ledger
// checkpoint published after it:
//
//	SM3("ggzy-draw-v1" ‖ u16be(len(rd)) ‖ rd ‖ u64be(size) ‖ u16be(len(root)) ‖ root)
//
// The length prefixes keep the encoding unambiguous whatever the hash sizes.
func Seed(requestDigest []byte, checkpointRoot []byte, checkpointSize uint64) []byte {
	b := make([]byte, 0, len(Version)+2+len(requestDigest)+8+2+len(checkpointRoot))
	b = append(b, Version...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(requestDigest)))
	b = append(b, requestDigest...)
	b = binary.BigEndian.AppendUint64(b, checkpointSize)
	b = binary.BigEndian.AppendUint16(b, uint16(len(checkpointRoot)))
	b = append(b, checkpointRoot...)
	s := gm.SM3(b)
	return s[:]
}

// canonicalResult is what Result.Digest hashes: the result without Digest,
// each exclusion as the array [expert_id, code, party_id, detail]. Reasons
// are left out because they are derived text (Reason): a re-worded basis must
// not break the verification of past draws, and a verifier in another
// language need not reproduce the Chinese byte for byte. Arrays rather than
// objects keep the hashed bytes small: a 100,000-expert pool yields
// thousands of exclusions per draw.
type canonicalResult struct {
	Version       string       `json:"version"`
	LotID         string       `json:"lot_id"`
	RequestDigest string       `json:"request_digest"`
	PoolDigest    string       `json:"pool_digest"`
	PoolSize      int          `json:"pool_size"`
	Seed          string       `json:"seed"`
	Needs         []NeedResult `json:"needs"`
	Exclusions    [][4]string  `json:"exclusions"`
}

// canonicalDigest is digestOf by the book (encoding/json), the reference
// the hand-written encoder is tested against.
func canonicalDigest(r Result) string {
	c := canonicalResult{
		Version: r.Version, LotID: r.LotID, RequestDigest: r.RequestDigest, PoolDigest: r.PoolDigest,
		PoolSize: r.PoolSize, Seed: r.Seed, Needs: r.Needs, Exclusions: make([][4]string, len(r.Exclusions)),
	}
	for i, x := range r.Exclusions {
		c.Exclusions[i] = [4]string{x.ExpertID, x.Code, x.PartyID, x.Detail}
	}
	s := gm.SM3(canonicalJSON(c))
	return hex.EncodeToString(s[:])
}

// Draw runs the draw on a pool given as a plain slice. It indexes the pool
// first; callers drawing repeatedly from one snapshot should use NewPool once
// and (*Pool).Draw.
func Draw(req Request, pool []Expert, seed []byte) (Result, error) {
	p, err := NewPool(pool)
	if err != nil {
		return Result{}, err
	}
	return p.Draw(req, seed)
}
