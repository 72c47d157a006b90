package draw

import (
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"ggzy/internal/gm"
)

// guangxiCities reads the prefecture-level division codes from the shared
// reference data (not committed here); the benchmark skips without it.
func guangxiCities(b *testing.B) []string {
	var f *os.File
	var err error
	for _, p := range []string{"../../../shared/reference/regions/guangxi-divisions.csv", "/work/shared/reference/regions/guangxi-divisions.csv"} {
		if f, err = os.Open(p); err == nil {
			break
		}
	}
	if err != nil {
		b.Skipf("Guangxi division codes not available: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	var cities []string
	for _, r := range rows[1:] {
		if len(r) >= 3 && r[2] == "city" {
			cities = append(cities, r[0])
		}
	}
	if len(cities) != 14 {
		b.Fatalf("%d Guangxi cities, want 14", len(cities))
	}
	return cities
}

type entity struct {
	id, rep  string
	controls []string // both directions
}

// benchWorld builds a 100,000-expert pool and a remote two-need request with
// realistic proportions: most experts in works (A), a heavy A08 building
// subtree, employers among 5,000 entities with shared legal representatives
// and control links, some suspended, blacklisted or exited, and draw histories.
func benchWorld(b *testing.B) ([]Expert, Request) {
	cities := guangxiCities(b)
	rng := rand.New(rand.NewPCG(2026, 4))
	at := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

	ents := make([]entity, 5000)
	for i := range ents {
		ents[i] = entity{id: fmt.Sprintf("91450100MA%08d", i), rep: fmt.Sprintf("P%05d", i)}
		if i > 0 && rng.IntN(30) == 0 { // some groups share one legal representative
			ents[i].rep = ents[rng.IntN(i)].rep
		}
	}
	for i := range ents {
		if rng.IntN(10) == 0 { // one in ten has a parent company
			p := rng.IntN(len(ents))
			if p != i {
				ents[i].controls = append(ents[i].controls, ents[p].id)
				ents[p].controls = append(ents[p].controls, ents[i].id)
			}
		}
	}
	code := func() string {
		var l1 string
		var l2 int
		switch x := rng.IntN(100); {
		case x < 40:
			l1, l2 = "A", 8 // building works
		case x < 65:
			l1, l2 = "A", 1+rng.IntN(9)
		case x < 80:
			l1, l2 = "B", 1+rng.IntN(9)
		default:
			l1, l2 = "C", 1+rng.IntN(12)
		}
		c := fmt.Sprintf("%s%02d%02d", l1, l2, 1+rng.IntN(6))
		if rng.IntN(2) == 0 {
			c += fmt.Sprintf("%02d", 1+rng.IntN(4))
		}
		return c
	}
	pool := make([]Expert, 100_000)
	for i := range pool {
		emp := ents[rng.IntN(len(ents))]
		e := Expert{
			EmployerID:          emp.id,
			EmployerLegalRep:    emp.rep,
			EmployerControllers: emp.controls,
			City:                cities[rng.IntN(len(cities))],
			Status:              StatusActive,
		}
		e.ID = fmt.Sprintf("EXP%06d", i) // unique; the pool is shuffled below anyway
		for range 1 + rng.IntN(3) {
			e.Specialties = append(e.Specialties, code())
		}
		switch x := rng.IntN(100); {
		case x < 3:
			e.Status = StatusSuspended
			e.SuspendedUntil = at.Add(time.Duration(rng.IntN(360)-180) * 24 * time.Hour) // half have run out
		case x < 4:
			e.Status = StatusBlacklisted
		case x < 6:
			e.Status = StatusExited
		}
		if rng.IntN(20) == 0 {
			e.Relatives = []string{ents[rng.IntN(len(ents))].id}
		}
		if rng.IntN(50) == 0 {
			e.DeptStaffOf = fmt.Sprintf("DEPT-%d", rng.IntN(5))
		}
		for range rng.IntN(9) {
			e.RecentDraws = append(e.RecentDraws, at.Add(-time.Duration(rng.IntN(365*24))*time.Hour))
		}
		pool[i] = e
	}
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })

	req := Request{
		LotID: "E4501002026000123001", Procedure: Engineering, ProjectCity: "450100", Remote: true,
		Needs:         []Need{{Specialty: "A0801", Count: 5, Backups: 2}, {Specialty: "C05", Count: 2, Backups: 1}},
		PrincipalReps: 2, CommitteeMin: 7,
		SupervisorDept: "DEPT-1", Window: Duration(180 * 24 * time.Hour), MaxDrawsInWindow: 4,
		At: at, Reason: "基准测试",
	}
	add := func(role string, e entity) {
		req.Parties = append(req.Parties, Party{Role: role, EntityID: e.id, LegalRep: e.rep, Controllers: e.controls})
	}
	add(RolePrincipal, ents[1])
	add(RoleAgency, ents[2])
	for i := range 12 {
		add(RoleBidder, ents[100+i*37])
	}
	return pool, req
}

func benchSeed(i uint64) []byte {
	s := gm.SM3(binary.BigEndian.AppendUint64(nil, i))
	return s[:]
}

// BenchmarkDraw100k is issue 4's target: a draw with recusal from a pool of
// 100,000 experts, p99 < 10 ms. The snapshot is indexed once (NewPool), as
// the service will do per pool version; each op is one draw with a new seed.
func BenchmarkDraw100k(b *testing.B) {
	pool, req := benchWorld(b)
	p, err := NewPool(pool)
	if err != nil {
		b.Fatal(err)
	}
	// The service keeps the indexed snapshot, not the rows it was built from.
	pool = nil
	runtime.GC()
	// Wall time is what the issue asks for; the thread's CPU time is also
	// reported because the machine is shared and wall-time tails include
	// other people's work.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var durs, cpus []time.Duration
	var res Result
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		c0, cpuOK := threadCPU()
		t0 := time.Now()
		res, err = p.Draw(req, benchSeed(i))
		durs = append(durs, time.Since(t0))
		if c1, ok := threadCPU(); ok && cpuOK {
			cpus = append(cpus, c1-c0)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	reportPercentiles(b, "", durs)
	reportPercentiles(b, "cpu-", cpus)
	b.ReportMetric(float64(res.Needs[0].Qualified+res.Needs[1].Qualified), "qualified")
	b.ReportMetric(float64(len(res.Exclusions)), "exclusions")
}

// BenchmarkNewPool100k is the once-per-snapshot cost: normalising, indexing
// and hashing 100,000 experts.
func BenchmarkNewPool100k(b *testing.B) {
	pool, _ := benchWorld(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewPool(pool); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify100k is what `ggzy verify-draw` costs from a raw snapshot:
// NewPool plus one draw.
func BenchmarkVerify100k(b *testing.B) {
	pool, req := benchWorld(b)
	res, err := Draw(req, pool, benchSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := Verify(req, pool, benchSeed(1), res); err != nil {
			b.Fatal(err)
		}
	}
}

func reportPercentiles(b *testing.B, prefix string, durs []time.Duration) {
	if len(durs) == 0 {
		return
	}
	slices.Sort(durs)
	q := func(p float64) float64 {
		return float64(durs[min(len(durs)-1, int(p*float64(len(durs))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(q(0.50), prefix+"p50-ms")
	b.ReportMetric(q(0.99), prefix+"p99-ms")
	if prefix == "" {
		b.ReportMetric(float64(len(durs)), "draws")
	}
}
