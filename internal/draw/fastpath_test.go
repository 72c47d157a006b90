package draw

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The draw checks most experts on a fast path (recusal.suspects, then
// recusal.scan on a packed layout) and writes the exclusions and the digest
// in one pass. These tests hold it to the rules as written (recusal.rule,
// Reason, canonicalDigest) on pools built to hit the corners.

// oddWorld is a pool and requests full of edge cases: identifiers shared
// between parties, cities and departments, statuses the draw does not
// know, suspensions and draws on the window's bounds to the nanosecond,
// dates beyond what int64 nanoseconds hold, too many draws to pack, and
// strings that must be escaped in JSON.
func oddWorld(seed uint64, n int) ([]Expert, []Request) {
	rng := rand.New(rand.NewPCG(seed, 7))
	at := time.Date(2026, 3, 2, 9, 30, 0, 123, time.UTC)
	window := 90 * 24 * time.Hour
	from := at.Add(-window)
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	ids := []string{"B1", "B2", "PR", "AG", "P-B1", "P-B2", "P-PR", "HOLD-B1", "HOLD-PR", "X1", "X2", "X3", "450100", "DEPT-ZJ", "B\"q", "乙方"}
	// An identifier: mostly unrelated to the request, sometimes a party's,
	// a city's or a department's.
	anID := func() string {
		if rng.IntN(12) == 0 {
			return pick(ids...)
		}
		return fmt.Sprintf("N%d", rng.IntN(200))
	}
	someIDs := func() []string {
		var out []string
		for range rng.IntN(3) {
			out = append(out, anID())
		}
		return out
	}
	times := []time.Time{
		at, at.Add(-1), at.Add(1), from, from.Add(1), from.Add(-1),
		at.Add(-time.Hour), at.Add(-30 * 24 * time.Hour), from.Add(-time.Hour), at.Add(time.Hour),
		time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64),
	}
	pool := make([]Expert, n)
	for i := range pool {
		e := Expert{
			ID:          fmt.Sprintf("E%05d", i),
			Specialties: []string{pick("A0801", "A080102", "C05", "C0501", "B01")},
			Status:      pick(StatusActive, StatusActive, StatusActive, StatusSuspended, StatusBlacklisted, StatusExited, "", "retired", "停\"用"),
			City:        pick("450100", "450102", "450200", "450300", "", "北京", "北京市", "4501x"),
		}
		if rng.IntN(2) == 0 {
			e.Specialties = append(e.Specialties, pick("A0801", "C05", "B0102"))
		}
		if rng.IntN(40) == 0 {
			e.ID = fmt.Sprintf("E%05d\"专家\x01", i) // sorts after the plain IDs, still unique
		}
		if rng.IntN(3) > 0 {
			e.EmployerID = anID()
		}
		if rng.IntN(2) == 0 {
			e.EmployerLegalRep = anID()
		}
		e.EmployerControllers = someIDs()
		e.Relatives = someIDs()
		if rng.IntN(8) == 0 {
			e.DeptStaffOf = pick("DEPT-ZJ", "DEPT-JT", "B1", "450100")
		}
		if rng.IntN(3) == 0 {
			e.SuspendedUntil = times[rng.IntN(len(times))]
		}
		for range rng.IntN(8) {
			e.RecentDraws = append(e.RecentDraws, times[rng.IntN(len(times))].Add(-time.Duration(rng.IntN(3))*24*time.Hour))
		}
		if i == 7 { // more draws than a scan summary holds, on the fast path
			e.Status, e.EmployerID, e.EmployerLegalRep, e.DeptStaffOf, e.SuspendedUntil = StatusActive, "N-7", "", "", time.Time{}
			e.EmployerControllers, e.Relatives = nil, nil
			for k := range maxSumDraws + 5 {
				e.RecentDraws = append(e.RecentDraws, at.Add(-time.Duration(k)*time.Minute))
			}
		}
		pool[i] = e
	}

	base := Request{
		LotID: "LOT-ODD", Procedure: Engineering, ProjectCity: "450100", Remote: true,
		Needs: []Need{{Specialty: "A0801", Count: 1, Backups: 1}, {Specialty: "C05", Count: 1}, {Specialty: "A", Count: 1}},
		Parties: []Party{
			{Role: RoleBidder, EntityID: "B1", LegalRep: "P-B1", Controllers: []string{"HOLD-B1"}},
			{Role: RoleBidder, EntityID: "B\"q", LegalRep: "P-B2"},
			{Role: RolePrincipal, EntityID: "PR", LegalRep: "P-PR", Controllers: []string{"HOLD-PR", "450100"}},
			{Role: RoleAgency, EntityID: "乙方"},
		},
		SupervisorDept: "DEPT-ZJ", Window: Duration(window), MaxDrawsInWindow: 2, At: at,
	}
	reqs := []Request{base}
	edit := func(f func(*Request)) {
		r := base
		f(&r)
		reqs = append(reqs, r)
	}
	edit(func(r *Request) { r.Procedure = GP })
	edit(func(r *Request) { r.Remote = false; r.MaxDrawsInWindow, r.Window = 0, 0 })
	edit(func(r *Request) { r.MaxDrawsInWindow = 1 })
	edit(func(r *Request) { r.MaxDrawsInWindow = 2000 })
	edit(func(r *Request) { r.ProjectCity = "北京" }) // cut mid-character by cityLevel
	edit(func(r *Request) { r.ProjectCity = "999999"; r.SupervisorDept = "NOPE"; r.Parties = r.Parties[:1] })
	edit(func(r *Request) { r.Window = Duration(250 * 365 * 24 * time.Hour) })
	edit(func(r *Request) { // window start before 1678
		r.At, r.Window = time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), Duration(100*365*24*time.Hour)
	})
	edit(func(r *Request) { r.At = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) })               // beyond int64 ns
	edit(func(r *Request) { r.At = time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC); r.Window = 1 }) // before it
	edit(func(r *Request) { r.At = from })
	edit(func(r *Request) { r.At = time.Unix(0, math.MinInt64).Add(-time.Hour) }) // before a suspension's end that int64 just holds
	edit(func(r *Request) { r.Parties = nil; r.SupervisorDept = "" })
	return pool, reqs
}

func TestFastPathMatchesRules(t *testing.T) {
	for seed := range uint64(4) {
		pool, reqs := oddWorld(seed, 3000)
		p, err := NewPool(pool)
		if err != nil {
			t.Fatal(err)
		}
		for ri, req := range reqs {
			req = normalizeRequest(req)
			rc := newRecusal(req, p, nil)
			state := make([]uint8, p.n)
			rc.suspects(state, suspect)
			fast := 0
			for i := range int32(p.n) {
				want, wantOK := rc.rule(i)
				if state[i] == suspect {
					continue
				}
				fast++
				got, gotOK := rc.scan(i)
				if got != want || gotOK != wantOK {
					t.Fatalf("seed %d request %d expert %s: scan %+v %v, rule %+v %v", seed, ri, p.id(i), got, gotOK, want, wantOK)
				}
				if wantOK && want.code <= cSupervisorStaff {
					t.Fatalf("seed %d request %d expert %s: rule %d applies but the expert was not marked", seed, ri, p.id(i), want.code)
				}
			}
			if fast < p.n/2 {
				t.Errorf("seed %d request %d: only %d of %d experts on the fast path", seed, ri, fast, p.n)
			}
		}
	}
}

// TestExclusionsAsWritten checks each exclusion of real draws against the
// rules, the details and the reasons as the package comment and Reason
// define them, and the digest against encoding/json.
func TestExclusionsAsWritten(t *testing.T) {
	draws := 0
	for seed := range uint64(2) {
		pool, reqs := oddWorld(seed, 2000)
		byID := map[string]Expert{}
		for _, e := range pool {
			byID[e.ID] = normalizeExpert(e)
		}
		p, err := NewPool(pool)
		if err != nil {
			t.Fatal(err)
		}
		for ri, req := range reqs {
			res, err := p.Draw(req, seedN(seed*100+uint64(ri)))
			if err != nil {
				t.Fatalf("seed %d request %d: %v", seed, ri, err)
			}
			draws++
			if d := canonicalDigest(res); res.Digest != d || digestOf(res) != d {
				t.Fatalf("seed %d request %d: digest %s, encoding/json %s", seed, ri, res.Digest, d)
			}
			nreq := normalizeRequest(req)
			for _, x := range res.Exclusions {
				want, ok := Recuse(nreq, byID[x.ExpertID])
				if !ok || want.Code != x.Code || want.PartyID != x.PartyID {
					t.Fatalf("seed %d request %d: %+v, alone %+v (%v)", seed, ri, x, want, ok)
				}
				e := byID[x.ExpertID]
				var detail string
				switch x.Code {
				case CodeSuspended:
					if !e.SuspendedUntil.IsZero() {
						detail = chinaDate(e.SuspendedUntil)
					}
				case CodeUnknownStatus:
					detail = e.Status
				case CodeFrequency:
					n := 0
					for _, d := range e.RecentDraws {
						if d.After(nreq.At.Add(-time.Duration(nreq.Window))) && !d.After(nreq.At) {
							n++
						}
					}
					detail = strconv.Itoa(n)
				case CodeLocal:
					detail = cityLevel(nreq.ProjectCity)
				}
				role := ""
				for _, pt := range nreq.Parties {
					if x.PartyID != "" && pt.EntityID == x.PartyID {
						role = pt.Role
						break
					}
				}
				if x.Detail != detail || x.Reason != Reason(nreq, x.Code, role, detail) {
					t.Fatalf("seed %d request %d: %+v, want detail %q reason %q", seed, ri, x, detail, Reason(nreq, x.Code, role, detail))
				}
			}
			if err := p.Verify(req, seedN(seed*100+uint64(ri)), res); err != nil {
				t.Fatal(err)
			}
		}
	}
	if draws < 20 {
		t.Fatalf("only %d draws went through", draws)
	}
}

// Cities beyond what a scan summary numbers take the slow path, correctly.
func TestManyCities(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 66,000-expert pool")
	}
	n := maxSumCity + 500
	pool := make([]Expert, n)
	for i := range pool {
		pool[i] = Expert{ID: fmt.Sprintf("E%06d", i), Specialties: []string{"A"}, City: fmt.Sprintf("C%06d", i), Status: StatusActive}
	}
	p, err := NewPool(pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, city := range []string{"C000001", fmt.Sprintf("C%06d", n-1)} {
		req := normalizeRequest(Request{LotID: "L", Procedure: Engineering, Remote: true, ProjectCity: city, Needs: []Need{{Specialty: "A", Count: 1}}, At: at})
		rc := newRecusal(req, p, nil)
		found := 0
		for i := range int32(p.n) {
			want, wantOK := rc.rule(i)
			got, gotOK := rc.scan(i)
			if got != want || gotOK != wantOK {
				t.Fatalf("expert %s: scan %+v %v, rule %+v %v", p.id(i), got, gotOK, want, wantOK)
			}
			if gotOK {
				found++
			}
		}
		if found != 1 {
			t.Fatalf("%s: %d local experts, want 1", city, found)
		}
	}
}

func TestPlainCodes(t *testing.T) {
	for _, c := range Rules {
		if !isPlain(c) {
			t.Errorf("rule code %q needs escaping", c)
		}
	}
}

func TestPlainPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{'a', 'Z', '0', ' ', '~', 0x7f, '"', '\\', 0x00, 0x1f, 0x20, 0x80, 0xe4, 0xff, '<', '&'}
	naive := func(s string) int {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
				return i
			}
		}
		return len(s)
	}
	for range 20000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			if rng.IntN(8) == 0 {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			} else {
				b[i] = byte('A' + rng.IntN(26))
			}
		}
		s := string(b)
		if got, want := plainPrefix(s), naive(s); got != want {
			t.Fatalf("plainPrefix(%q) = %d, want %d", s, got, want)
		}
		if plain := isPlain(s); plain != (strings.Trim(string(appendJSONString(nil, s)), `"`) == s && naive(s) == len(s)) {
			t.Fatalf("isPlain(%q) = %v", s, plain)
		}
	}
}

// Concurrent draws share the pool's scratch memory and reason caches only
// one draw at a time.
func TestConcurrentDraws(t *testing.T) {
	pool, reqs := oddWorld(9, 1500)
	p, err := NewPool(pool)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, len(reqs))
	for i, r := range reqs {
		res, err := p.Draw(r, seedN(uint64(i)))
		if err != nil {
			t.Fatal(err)
		}
		want[i] = res.Digest
	}
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for k := range 3 * len(reqs) {
				i := (g + k) % len(reqs)
				res, err := p.Draw(reqs[i], seedN(uint64(i)))
				if err == nil && res.Digest != want[i] {
					err = fmt.Errorf("request %d: digest %s, alone %s", i, res.Digest, want[i])
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
