package draw

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"ggzy/internal/gm"
)

var at = time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

// baseRequest is a remote engineering draw with one bidder of each kind of
// link, so every recusal rule has something to match.
func baseRequest() Request {
	return Request{
		LotID:       "LOT-1",
		Procedure:   Engineering,
		ProjectCity: "450100",
		Remote:      true,
		Needs:       []Need{{Specialty: "A0801", Count: 1}},
		Parties: []Party{
			{Role: RoleBidder, EntityID: "B1", LegalRep: "P-B1", Controllers: []string{"HOLD-B1"}},
			{Role: RoleBidder, EntityID: "B2", LegalRep: "P-B2"},
			{Role: RolePrincipal, EntityID: "PR", LegalRep: "P-PR"},
			{Role: RoleAgency, EntityID: "AG", LegalRep: "P-AG"},
		},
		SupervisorDept:   "DEPT-ZJ",
		Window:           Duration(90 * 24 * time.Hour),
		MaxDrawsInWindow: 3,
		At:               at,
		Reason:           "测试",
	}
}

func cleanExpert(id string) Expert {
	return Expert{ID: id, Specialties: []string{"A0801"}, EmployerID: "X-" + id, EmployerLegalRep: "P-X-" + id, City: "450200", Status: StatusActive}
}

func seedN(n uint64) []byte {
	rd := RequestDigest(baseRequest())
	root := gm.SM3(binary.BigEndian.AppendUint64(nil, n))
	return Seed(rd, root[:], n)
}

func TestRecusalRules(t *testing.T) {
	days := func(n int) time.Time { return at.Add(-time.Duration(n) * 24 * time.Hour) }
	cases := []struct {
		name  string
		edit  func(*Expert, *Request)
		code  string // "" = not excluded
		party string
		want  string // substring of the reason
	}{
		{"clean", func(*Expert, *Request) {}, "", "", ""},
		{"employer is a bidder", func(e *Expert, _ *Request) { e.EmployerID = "B2" }, CodeEmployerIsParty, "B2",
			"与投标人存在利害关系（《招标投标法》第三十七条、《招标投标法实施条例》第四十六条）"},
		{"employer is the principal", func(e *Expert, _ *Request) { e.EmployerID = "PR" }, CodeEmployerIsParty, "PR", "所在单位为本项目招标人"},
		{"employer is the agency", func(e *Expert, _ *Request) { e.EmployerID = "AG" }, CodeEmployerIsParty, "AG", "《评标委员会和评标方法暂行规定》第十二条"},
		{"shared legal representative", func(e *Expert, _ *Request) { e.EmployerLegalRep = "P-B1" }, CodeSharedLegalRep, "B1", "法定代表人为同一人"},
		{"empty legal representatives do not match", func(e *Expert, r *Request) { e.EmployerLegalRep = ""; r.Parties[1].LegalRep = "" }, "", "", ""},
		{"employer controlled by a bidder", func(e *Expert, _ *Request) { e.EmployerControllers = []string{"B1"} }, CodeControl, "B1", "控股或管理关系"},
		{"employer controls a bidder", func(e *Expert, _ *Request) { e.EmployerID = "HOLD-B1" }, CodeControl, "B1", "控股或管理关系"},
		{"declared relative of a bidder", func(e *Expert, _ *Request) { e.Relatives = []string{"B2"} }, CodeDeclared, "B2", "近亲属"},
		{"declared conflict with a bidder's legal rep", func(e *Expert, _ *Request) { e.Relatives = []string{"P-B1"} }, CodeDeclared, "B1", "近亲属"},
		{"declared conflict with a non-party", func(e *Expert, _ *Request) { e.Relatives = []string{"Z9"} }, "", "", ""},
		{"supervisor staff", func(e *Expert, _ *Request) { e.DeptStaffOf = "DEPT-ZJ" }, CodeSupervisorStaff, "", "行政监督部门"},
		{"other department's staff", func(e *Expert, _ *Request) { e.DeptStaffOf = "DEPT-JT" }, "", "", ""},
		{"suspended until later", func(e *Expert, _ *Request) { e.Status = StatusSuspended; e.SuspendedUntil = at.Add(24 * time.Hour) }, CodeSuspended, "", "暂停至2026-03-03"},
		{"suspended indefinitely", func(e *Expert, _ *Request) { e.Status = StatusSuspended }, CodeSuspended, "", "未定期限"},
		{"suspension ran out", func(e *Expert, _ *Request) { e.Status = StatusSuspended; e.SuspendedUntil = at }, "", "", ""},
		{"active with a suspension date ahead", func(e *Expert, _ *Request) { e.SuspendedUntil = at.Add(time.Hour) }, CodeSuspended, "", "暂停"},
		{"blacklisted", func(e *Expert, _ *Request) { e.Status = StatusBlacklisted }, CodeBlacklisted, "", "黑名单"},
		{"exited", func(e *Expert, _ *Request) { e.Status = StatusExited }, CodeExited, "", "退出"},
		{"unknown status", func(e *Expert, _ *Request) { e.Status = "" }, CodeUnknownStatus, "", "无法识别"},
		{"drawn 3 times in 90 days", func(e *Expert, _ *Request) { e.RecentDraws = []time.Time{days(1), days(30), days(89)} }, CodeFrequency, "", "近90日内已被抽取3次，达到上限3次"},
		{"2 in the window, 1 before it", func(e *Expert, _ *Request) { e.RecentDraws = []time.Time{days(1), days(30), days(90)} }, "", "", ""},
		{"frequency rule off", func(e *Expert, r *Request) {
			e.RecentDraws = []time.Time{days(1), days(2), days(3)}
			r.MaxDrawsInWindow, r.Window = 0, 0
		}, "", "", ""},
		{"remote: same city", func(e *Expert, _ *Request) { e.City = "450100" }, CodeLocal, "", "远程异地评标"},
		{"remote: county of the same city", func(e *Expert, _ *Request) { e.City = "450102" }, CodeLocal, "", "450100"},
		{"local evaluation keeps local experts", func(e *Expert, r *Request) { e.City = "450100"; r.Remote = false }, "", "", ""},
		{"first rule wins", func(e *Expert, _ *Request) { e.EmployerID = "B1"; e.Status = StatusBlacklisted; e.City = "450100" }, CodeEmployerIsParty, "B1", "投标人"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, r := cleanExpert("E1"), baseRequest()
			c.edit(&e, &r)
			x, ok := Recuse(r, e)
			if c.code == "" {
				if ok {
					t.Fatalf("excluded: %+v", x)
				}
				return
			}
			if !ok || x.Code != c.code || x.PartyID != c.party || !strings.Contains(x.Reason, c.want) || x.ExpertID != "E1" {
				t.Fatalf("got %+v (excluded %v), want code %s party %q reason ~%q", x, ok, c.code, c.party, c.want)
			}
			// The same rule inside a draw: the expert is listed, never picked.
			pool := []Expert{e, cleanExpert("E2")}
			res, err := Draw(r, pool, seedN(1))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Exclusions) != 1 || res.Exclusions[0] != x || res.Needs[0].Members[0] != "E2" {
				t.Fatalf("draw: %+v", res)
			}
		})
	}
}

func TestGovernmentProcurementBases(t *testing.T) {
	r := baseRequest()
	r.Procedure = GP
	e := cleanExpert("E1")
	e.EmployerID = "B1"
	x, _ := Recuse(r, e)
	if !strings.Contains(x.Reason, "所在单位为本项目供应商") || !strings.Contains(x.Reason, "《政府采购法实施条例》第九条") {
		t.Fatal(x.Reason)
	}
	e.EmployerID = "AG"
	x, _ = Recuse(r, e)
	if !strings.Contains(x.Reason, "采购代理机构") || !strings.Contains(x.Reason, "第四十七条") {
		t.Fatal(x.Reason)
	}
}

func TestSpecialtyPrefix(t *testing.T) {
	pool := []Expert{cleanExpert("E1"), cleanExpert("E2"), cleanExpert("E3"), cleanExpert("E4"), cleanExpert("E5")}
	pool[0].Specialties = []string{"A08"}           // broader than asked: does not qualify for A0801
	pool[1].Specialties = []string{"A0801"}         // equal
	pool[2].Specialties = []string{"A080101"}       // more specific: qualifies
	pool[3].Specialties = []string{"B02", "A08019"} // any of its codes
	pool[4].Specialties = []string{"A0802"}
	p, err := NewPool(pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		code string
		want []string
	}{
		{"A0801", []string{"E2", "E3", "E4"}},
		{"A08", []string{"E1", "E2", "E3", "E4", "E5"}},
		{"A", []string{"E1", "E2", "E3", "E4", "E5"}},
		{"B02", []string{"E4"}},
		{"A080101", []string{"E3"}},
		{"C01", nil},
	} {
		r := baseRequest()
		r.Needs = []Need{{Specialty: c.code, Count: max(1, len(c.want))}}
		res, err := p.Draw(r, seedN(7))
		if len(c.want) == 0 {
			var se *ShortageError
			if !errors.As(err, &se) || se.Eligible != 0 {
				t.Fatalf("%s: %v", c.code, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.code, err)
		}
		got := slices.Sorted(slices.Values(res.Needs[0].Members))
		if !slices.Equal(got, c.want) || res.Needs[0].Qualified != len(c.want) {
			t.Fatalf("%s: got %v (qualified %d), want %v", c.code, got, res.Needs[0].Qualified, c.want)
		}
	}
}

func testPool(n int) []Expert {
	var pool []Expert
	for i := range n {
		e := cleanExpert(fmt.Sprintf("E%03d", i))
		switch i % 4 {
		case 1:
			e.Specialties = []string{"A080102"}
		case 2:
			e.Specialties = []string{"C0501", "A0801"}
		case 3:
			e.Specialties = []string{"C05"}
		}
		if i%11 == 0 {
			e.Status = StatusBlacklisted
		}
		if i%13 == 0 {
			e.City = "450100"
		}
		pool = append(pool, e)
	}
	return pool
}

func twoNeeds() Request {
	r := baseRequest()
	r.Needs = []Need{{Specialty: "A0801", Count: 5, Backups: 2}, {Specialty: "C05", Count: 2, Backups: 1}}
	return r
}

func TestPoolOrderDoesNotMatter(t *testing.T) {
	pool := testPool(60)
	want, err := Draw(twoNeeds(), pool, seedN(3))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		sh := slices.Clone(pool)
		rng.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
		// Set-valued fields in another order must not matter either.
		sp := append(slices.Clone(sh[0].Specialties), sh[0].Specialties...)
		slices.Reverse(sp)
		sh[0].Specialties = sp
		got, err := Draw(twoNeeds(), sh, seedN(3))
		if err != nil {
			t.Fatal(err)
		}
		if got.Digest != want.Digest {
			t.Fatalf("shuffled pool gave %+v, want %+v", got.Needs, want.Needs)
		}
	}
}

func TestNoExpertTwiceAndBackupsAfterMembers(t *testing.T) {
	r := twoNeeds()
	r.Needs = append(r.Needs, Need{Specialty: "A08", Count: 3, Backups: 3}) // overlaps the first need
	r.Needs = append([]Need{{Specialty: "C0501", Count: 1}}, r.Needs...)    // exclusions found out of ID order
	for s := range uint64(50) {
		res, err := Draw(r, testPool(60), seedN(s))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, n := range res.Needs {
			if len(n.Members) != n.Need.Count || len(n.Backups) != n.Need.Backups {
				t.Fatalf("need %+v: %v + %v", n.Need, n.Members, n.Backups)
			}
			for _, id := range append(slices.Clone(n.Members), n.Backups...) {
				if seen[id] {
					t.Fatalf("seed %d: %s picked twice", s, id)
				}
				seen[id] = true
			}
		}
		if !slices.IsSortedFunc(res.Exclusions, func(a, b Exclusion) int { return strings.Compare(a.ExpertID, b.ExpertID) }) {
			t.Fatal("exclusions not in ID order")
		}
		for _, x := range res.Exclusions {
			if seen[x.ExpertID] {
				t.Fatalf("excluded %s picked", x.ExpertID)
			}
		}
	}
}

func TestDifferentSeedsDifferentResults(t *testing.T) {
	p, _ := NewPool(testPool(60))
	seen := map[string]bool{}
	committees := map[string]bool{}
	for s := range uint64(30) {
		res, err := p.Draw(twoNeeds(), seedN(s))
		if err != nil {
			t.Fatal(err)
		}
		seen[res.Digest] = true
		committees[strings.Join(res.Needs[0].Members, ",")] = true
	}
	// 30 draws of 5 from ~25 candidates: a repeated committee is all but impossible.
	if len(seen) != 30 || len(committees) != 30 {
		t.Fatalf("%d distinct results, %d distinct committees out of 30", len(seen), len(committees))
	}
}

// TestUniformity runs a chi-square test over a fixed set of seeds, so it is
// deterministic: each of 10 equally qualified experts must be drawn first
// (and, separately, be on a 3-member committee) about equally often.
func TestUniformity(t *testing.T) {
	var pool []Expert
	for i := range 10 {
		pool = append(pool, cleanExpert(fmt.Sprintf("E%d", i)))
	}
	p, _ := NewPool(pool)
	const draws = 20000
	for _, count := range []int{1, 3} {
		r := baseRequest()
		r.Needs = []Need{{Specialty: "A0801", Count: count}}
		freq := map[string]int{}
		first := map[string]int{}
		for s := range uint64(draws) {
			seed := sha256.Sum256(binary.BigEndian.AppendUint64(nil, s)) // any fixed seed set will do
			res, err := p.Draw(r, seed[:])
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range res.Needs[0].Members {
				freq[id]++
			}
			first[res.Needs[0].Members[0]]++
		}
		for name, f := range map[string]map[string]int{"on the committee": freq, "first": first} {
			total := 0
			for _, v := range f {
				total += v
			}
			exp := float64(total) / 10
			chi := 0.0
			for i := range 10 {
				d := float64(f[fmt.Sprintf("E%d", i)]) - exp
				chi += d * d / exp
			}
			// 9 degrees of freedom: P(χ² > 27.88) = 0.001.
			if chi > 27.88 {
				t.Errorf("count %d, %s: χ² = %.2f > 27.88: %v", count, name, chi, f)
			}
			t.Logf("count %d, %s: χ² = %.2f", count, name, chi)
		}
	}
}

func TestShortage(t *testing.T) {
	pool := []Expert{cleanExpert("E1"), cleanExpert("E2"), cleanExpert("E3"), cleanExpert("E4")}
	pool[3].Status = StatusBlacklisted
	r := baseRequest()
	r.Needs = []Need{{Specialty: "A0801", Count: 3, Backups: 2}}
	_, err := Draw(r, pool, seedN(1))
	const want = "专业 A0801 符合条件的专家仅 3 名，少于所需 5 名（含备选 2 名）"
	var se *ShortageError
	if !errors.As(err, &se) || err.Error() != want || se.Eligible != 3 || se.Needed != 5 {
		t.Fatalf("got %v, want %s", err, want)
	}
	// A second, overlapping need sees the first need's picks as taken.
	r.Needs = []Need{{Specialty: "A0801", Count: 2}, {Specialty: "A08", Count: 2}}
	_, err = Draw(r, pool, seedN(1))
	if !errors.As(err, &se) || se.Taken != 2 || !strings.Contains(err.Error(), "仅 1 名，少于所需 2 名（含备选 0 名），已扣除本次其他专业已抽中的 2 名") {
		t.Fatalf("got %v", err)
	}
}

func TestValidationAndComposition(t *testing.T) {
	for _, c := range []struct {
		edit func(*Request)
		want string
	}{
		{func(r *Request) { r.LotID = "" }, "标段"},
		{func(r *Request) { r.Needs = nil }, "所需专业"},
		{func(r *Request) { r.Needs[0].Specialty = "a08" }, "格式不正确"},
		{func(r *Request) { r.Needs[0].Count = 0 }, "至少 1 名"},
		{func(r *Request) { r.ProjectCity = "" }, "远程异地评标"},
		{func(r *Request) { r.Procedure = "land" }, "项目类型"},
		{func(r *Request) { r.Window = 0 }, "时间窗口"},
		{func(r *Request) { r.At = time.Time{} }, "申请时间"},
		{func(r *Request) { r.CommitteeMin, r.PrincipalReps = 5, 2 }, "少于5人"},
		{func(r *Request) { r.CommitteeMin, r.PrincipalReps, r.Needs[0].Count = 5, 2, 4 }, "应为单数"},
		{func(r *Request) { r.CommitteeMin, r.PrincipalReps, r.Needs[0].Count = 5, 3, 4 }, "三分之二（《招标投标法》第三十七条）"},
	} {
		r := baseRequest()
		c.edit(&r)
		if _, err := Draw(r, testPool(40), seedN(1)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want %q, got %v", c.want, err)
		}
	}
	r := baseRequest()
	r.CommitteeMin, r.PrincipalReps, r.Needs[0].Count = 5, 2, 5
	if _, err := Draw(r, testPool(40), seedN(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := Draw(r, testPool(40), []byte("short")); err == nil {
		t.Fatal("short seed accepted")
	}
	if _, err := NewPool([]Expert{cleanExpert("E1"), cleanExpert("E1")}); err == nil {
		t.Fatal("duplicate ID accepted")
	}
}

func TestCanonicalRequest(t *testing.T) {
	a := baseRequest()
	b := baseRequest()
	slices.Reverse(b.Parties)
	b.Parties[3].Controllers = []string{"HOLD-B1", "HOLD-B1"}
	b.At = a.At.UTC()
	if string(RequestDigest(a)) != string(RequestDigest(b)) {
		t.Fatalf("equivalent requests differ:\n%s\n%s", CanonicalRequest(a), CanonicalRequest(b))
	}
	b.Needs = []Need{{Specialty: "A0801", Count: 2}}
	if string(RequestDigest(a)) == string(RequestDigest(b)) {
		t.Fatal("different needs, same digest")
	}
	// Round trip through JSON (the API and the ledger) keeps the digest.
	raw, _ := json.Marshal(a)
	var c Request
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if string(RequestDigest(a)) != string(RequestDigest(c)) {
		t.Fatalf("JSON round trip changed the digest: %s", raw)
	}
	if !strings.Contains(string(CanonicalRequest(a)), `"window":"2160h0m0s"`) || !strings.Contains(string(CanonicalRequest(a)), `"at":"2026-03-02T01:30:00Z"`) {
		t.Fatal(string(CanonicalRequest(a)))
	}
}

func TestSeed(t *testing.T) {
	rd := RequestDigest(baseRequest())
	root := gm.SM3([]byte("root"))
	s := Seed(rd, root[:], 10)
	if len(s) != 32 || string(s) != string(Seed(rd, root[:], 10)) {
		t.Fatal("seed not deterministic")
	}
	root2 := gm.SM3([]byte("root2"))
	for _, o := range [][]byte{Seed(rd, root[:], 11), Seed(rd, root2[:], 10), Seed(root[:], rd, 10)} {
		if string(o) == string(s) {
			t.Fatal("seed ignores an input")
		}
	}
}

func TestResultJSONRoundTrip(t *testing.T) {
	pool := testPool(60)
	res, err := Draw(twoNeeds(), pool, seedN(5))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(res)
	var back Result
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if err := Verify(twoNeeds(), pool, seedN(5), back); err != nil {
		t.Fatal(err)
	}
	if len(res.Exclusions) == 0 {
		t.Fatal("the test pool should exclude someone")
	}
}

func TestVerify(t *testing.T) {
	pool := testPool(60)
	req, seed := twoNeeds(), seedN(9)
	res, err := Draw(req, pool, seed)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(req, pool, seed, res); err != nil {
		t.Fatal(err)
	}
	reseal := func(r Result) Result { r.Digest = digestOf(r); return r }
	clone := func() Result {
		r := res
		r.Needs = slices.Clone(res.Needs)
		for i := range r.Needs {
			r.Needs[i].Members = slices.Clone(r.Needs[i].Members)
		}
		return r
	}

	swapped := clone()
	m := swapped.Needs[0].Members
	m[0], m[1] = m[1], m[0]
	if err := Verify(req, pool, seed, reseal(swapped)); err == nil || !strings.Contains(err.Error(), "专业 A0801 的评标专家第 1 位") {
		t.Errorf("swapped members: %v", err)
	}
	if err := Verify(req, pool, seed, swapped); err == nil || !strings.Contains(err.Error(), "已被改动") {
		t.Errorf("edited without a new digest: %v", err)
	}

	if err := Verify(req, pool, seedN(10), res); err == nil || !strings.Contains(err.Error(), "种子") {
		t.Errorf("changed seed: %v", err)
	}

	changed := slices.Clone(pool)
	changed[17].City = "450300" // irrelevant to the outcome, still a different snapshot
	if err := Verify(req, changed, seed, res); err == nil || !strings.Contains(err.Error(), "专家库快照摘要") {
		t.Errorf("changed pool entry: %v", err)
	}

	other := req
	other.Reason = "改过的理由"
	if err := Verify(other, pool, seed, res); err == nil || !strings.Contains(err.Error(), "抽取申请摘要") {
		t.Errorf("changed request: %v", err)
	}

	// A recorded result from a pool where a picked member was blacklisted
	// afterwards: the re-run excludes them, so the snapshot must be the one
	// committed at draw time.
	bl := slices.Clone(pool)
	for i := range bl {
		if bl[i].ID == res.Needs[0].Members[0] {
			bl[i].Status = StatusBlacklisted
		}
	}
	if err := Verify(req, bl, seed, res); err == nil {
		t.Error("blacklisted member not noticed")
	}

	// The comparison itself, past the inputs: a forged record with the
	// right inputs but another committee.
	forged := clone()
	forged.Needs[1].Members[1] = "E999"
	if d := firstDifference(res, reseal(forged)); !strings.Contains(d, "专业 C05 的评标专家第 2 位：记录为“E999”") {
		t.Errorf("difference: %s", d)
	}
}

func TestDRBGUniformEdge(t *testing.T) {
	d := newDRBG(seedN(1))
	for range 100 {
		if d.uniform(1) != 0 {
			t.Fatal("uniform(1) != 0")
		}
	}
	// n = 2^63 + 1 rejects almost half the words, and must still terminate in range.
	n := uint64(1)<<63 + 1
	for range 100 {
		if v := d.uniform(n); v >= n {
			t.Fatal("out of range")
		}
	}
}

func TestFarDatesAndReasonsOutsideTheDigest(t *testing.T) {
	e := cleanExpert("E1")
	e.Status = StatusSuspended
	e.SuspendedUntil = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	if x, ok := Recuse(baseRequest(), e); !ok || x.Code != CodeSuspended || x.Detail != "9999-12-31" {
		t.Fatalf("%+v", x)
	}
	e.SuspendedUntil = time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)
	if x, ok := Recuse(baseRequest(), e); ok {
		t.Fatalf("ancient suspension still applies: %+v", x)
	}

	pool := testPool(60)
	res, err := Draw(twoNeeds(), pool, seedN(2))
	if err != nil {
		t.Fatal(err)
	}
	edited := res
	edited.Exclusions = slices.Clone(res.Exclusions)
	edited.Exclusions[0].Reason = "另一种说法"
	if digestOf(edited) != res.Digest {
		t.Fatal("the digest should cover data, not wording")
	}
	if err := Verify(twoNeeds(), pool, seedN(2), edited); err == nil || !strings.Contains(err.Error(), "回避记录第 1 条") {
		t.Fatalf("edited reason: %v", err)
	}
	edited.Exclusions[0] = res.Exclusions[0]
	edited.Exclusions[0].Code = CodeExited
	if digestOf(edited) == res.Digest {
		t.Fatal("the digest must cover the code")
	}
}

func TestCanonicalEncoderMatchesJSON(t *testing.T) {
	pool := testPool(60)
	res, err := Draw(twoNeeds(), pool, seedN(4))
	if err != nil {
		t.Fatal(err)
	}
	cases := []Result{res, {}, {Needs: []NeedResult{{}}, Exclusions: []Exclusion{}}}
	odd := res
	odd.LotID = "标段\"<&>\\\n\r\t\b\f\x01\x7f\u2028\u2029\xff\xfe末"
	odd.Needs = append(slices.Clone(res.Needs), NeedResult{Need: Need{Specialty: "é"}, Members: []string{}, Backups: []string{}})
	odd.Exclusions = append(slices.Clone(res.Exclusions), Exclusion{ExpertID: "\x00", Detail: "\u2028"})
	cases = append(cases, odd)
	for i, c := range cases {
		if a, b := digestOf(c), canonicalDigest(c); a != b {
			t.Errorf("case %d: hand-written %s, encoding/json %s", i, a, b)
		}
	}
}
