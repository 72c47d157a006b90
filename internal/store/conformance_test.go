package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/compact"

	"ggzy/internal/apperr"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/ids"
	"ggzy/internal/jobs"
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
)

// Bind must adapt the DB to each domain package's Store interface.
var (
	_ party.Store  = store.Bind[party.Tx](nil)
	_ tender.Store = store.Bind[tender.Tx](nil)
)

// t0 has microseconds, as the domain's clock gives.
var t0 = time.Date(2025, 3, 14, 9, 30, 15, 123456000, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func write(t *testing.T, db *store.DB, fn func(tx *store.Tx)) {
	t.Helper()
	if err := db.WithTx(context.Background(), func(tx *store.Tx) error { fn(tx); return nil }); err != nil {
		t.Fatalf("WithTx: %v", err)
	}
}

func read(t *testing.T, db *store.DB, fn func(tx *store.Tx)) {
	t.Helper()
	if err := db.Read(context.Background(), func(tx *store.Tx) error { fn(tx); return nil }); err != nil {
		t.Fatalf("Read: %v", err)
	}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func isCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Errorf("%s: got error %v, want apperr %s", what, err, code)
		return
	}
	// The user message must be the safe Chinese one, never driver text.
	msg := apperr.As(err).Message
	for _, bad := range []string{"SQL", "sqlite", "constraint", "UNIQUE", "duplicate", "violates"} {
		if strings.Contains(msg, bad) {
			t.Errorf("%s: user message leaks driver text: %q", what, msg)
		}
	}
}

var ctx = context.Background()

// fixture is a minimal graph: two entities, a user, a project and a lot.
type fixture struct {
	principal, bidder party.Entity
	user              party.User
	project           tender.Project
	lot               tender.Lot
}

func seed(t *testing.T, db *store.DB, prefix string) fixture {
	t.Helper()
	f := fixture{
		principal: party.Entity{ID: prefix + "e1", USCC: prefix + "91110000100000001X", Name: "北京市某某建设集团有限公司", LegalRep: "张三", Kind: party.KindPrincipal, Region: "110000", Address: "北京市东城区", Contact: "010-12345678", CreatedAt: t0},
		bidder:    party.Entity{ID: prefix + "e2", USCC: prefix + "91110000100000002X", Name: "天津某某工程有限公司", LegalRep: "李四", Kind: party.KindEnterprise, Region: "120000", CreatedAt: at(time.Second)},
		user:      party.User{ID: prefix + "u1", Username: prefix + "zhangsan", Name: "张三", Role: party.RolePrincipal, EntityID: prefix + "e1", PasswordHash: "$argon2id$x", CreatedAt: t0},
	}
	f.project = tender.Project{ID: prefix + "p1", Code: prefix + "110000-SG-2025-0001", Name: "某某道路改造工程", Region: "110000", PrincipalID: f.principal.ID, StateFunded: true, Funding: "财政资金", SupervisorDept: "住建", Description: "道路", CreatedBy: f.user.ID, CreatedAt: t0}
	f.lot = tender.Lot{ID: prefix + "l1", ProjectID: f.project.ID, Code: f.project.Code + "-01", Name: "第一标段", Procedure: tender.Open, Method: tender.LowestPrice, Estimate: 123456789, Status: tender.Bidding, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateEntity(ctx, f.principal))
		ok(t, tx.CreateEntity(ctx, f.bidder))
		ok(t, tx.CreateUser(ctx, f.user))
		ok(t, tx.CreateProject(ctx, f.project))
		ok(t, tx.CreateLot(ctx, f.lot))
	})
	return f
}

func TestConformance(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("Basics", func(t *testing.T) { testBasics(t, db) })
		t.Run("Entities", func(t *testing.T) { testEntities(t, db) })
		t.Run("Users", func(t *testing.T) { testUsers(t, db) })
		t.Run("Sessions", func(t *testing.T) { testSessions(t, db) })
		t.Run("NextSeq", func(t *testing.T) { testNextSeq(t, db) })
		t.Run("Projects", func(t *testing.T) { testProjects(t, db) })
		t.Run("Lots", func(t *testing.T) { testLots(t, db) })
		t.Run("Invitees", func(t *testing.T) { testInvitees(t, db) })
		t.Run("Notices", func(t *testing.T) { testNotices(t, db) })
		t.Run("NoticesByDeadline", func(t *testing.T) { testNoticesByDeadline(t, db) })
		t.Run("Documents", func(t *testing.T) { testDocuments(t, db) })
		t.Run("Access", func(t *testing.T) { testAccess(t, db) })
		t.Run("Deposits", func(t *testing.T) { testDeposits(t, db) })
		t.Run("Participation", func(t *testing.T) { testParticipation(t, db) })
		t.Run("Clarifications", func(t *testing.T) { testClarifications(t, db) })
		t.Run("Objections", func(t *testing.T) { testObjections(t, db) })
		t.Run("Bids", func(t *testing.T) { testBids(t, db) })
		t.Run("Opening", func(t *testing.T) { testOpening(t, db) })
		t.Run("Experts", func(t *testing.T) { testExperts(t, db) })
		t.Run("Draws", func(t *testing.T) { testDraws(t, db) })
		t.Run("Rooms", func(t *testing.T) { testRooms(t, db) })
		t.Run("Committee", func(t *testing.T) { testCommittee(t, db) })
		t.Run("Evaluation", func(t *testing.T) { testEvaluation(t, db) })
		t.Run("AwardContract", func(t *testing.T) { testAwardContract(t, db) })
		t.Run("Warnings", func(t *testing.T) { testWarnings(t, db) })
		t.Run("Ledger", func(t *testing.T) { testLedger(t, db) })
		t.Run("LedgerTree", func(t *testing.T) { testLedgerTree(t, db) })
		t.Run("Custody", func(t *testing.T) { testCustody(t, db) })
		t.Run("RollbackLeavesNothing", func(t *testing.T) { testRollback(t, db) })
		t.Run("ReadCannotWrite", func(t *testing.T) { testReadOnly(t, db) })
		t.Run("Enqueue", func(t *testing.T) { testEnqueue(t, db) })
		t.Run("Holidays", func(t *testing.T) { testHolidays(t, db) })
		t.Run("Bind", func(t *testing.T) { testBind(t, db) })
	})
}

func testBasics(t *testing.T, db *store.DB) {
	ok(t, db.Ping(ctx))
	if d := db.Dialect(); d != store.SQLite && d != store.Postgres {
		t.Errorf("Dialect() = %q", d)
	}
	if db.Writer() == nil {
		t.Fatal("Writer() is nil")
	}
	// Migrating twice is a no-op.
	ok(t, db.Migrate(ctx))
}

func testEntities(t *testing.T, db *store.DB) {
	f := seed(t, db, "ent-")
	agency := party.Entity{ID: "ent-e3", USCC: "ent-91110000100000003X", Name: "安徽招标代理有限公司", Kind: party.KindAgency, Region: "340000"}
	write(t, db, func(tx *store.Tx) { ok(t, tx.CreateEntity(ctx, agency)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetEntity", must[party.Entity](t)(tx.GetEntity(ctx, f.principal.ID)), f.principal)
		eq(t, "GetEntity zero time", must[party.Entity](t)(tx.GetEntity(ctx, agency.ID)), agency)
		eq(t, "GetEntityByUSCC", must[party.Entity](t)(tx.GetEntityByUSCC(ctx, f.bidder.USCC)), f.bidder)
		_, err := tx.GetEntity(ctx, "nope")
		isCode(t, "GetEntity missing", err, apperr.NotFound)
		_, err = tx.GetEntityByUSCC(ctx, "nope")
		isCode(t, "GetEntityByUSCC missing", err, apperr.NotFound)

		all := must[[]party.Entity](t)(tx.ListEntities(ctx, ""))
		var mine []party.Entity
		for _, e := range all {
			if strings.HasPrefix(e.ID, "ent-") {
				mine = append(mine, e)
			}
		}
		if !slices.IsSortedFunc(all, func(a, b party.Entity) int { return strings.Compare(a.Name, b.Name) }) {
			t.Errorf("ListEntities not ordered by name")
		}
		if len(mine) != 3 {
			t.Errorf("ListEntities(\"\") has %d of ours, want 3", len(mine))
		}
		ag := must[[]party.Entity](t)(tx.ListEntities(ctx, party.KindAgency))
		for _, e := range ag {
			if e.Kind != party.KindAgency {
				t.Errorf("ListEntities(agency) returned %v", e.Kind)
			}
		}
		if !slices.ContainsFunc(ag, func(e party.Entity) bool { return e.ID == agency.ID }) {
			t.Errorf("ListEntities(agency) misses %s", agency.ID)
		}
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		dup := agency
		dup.ID = "ent-other"
		return tx.CreateEntity(ctx, dup)
	})
	isCode(t, "duplicate USCC", err, apperr.Conflict)
}

func testUsers(t *testing.T, db *store.DB) {
	f := seed(t, db, "usr-")
	u2 := party.User{ID: "usr-u2", Username: "usr-admin", Name: "管理员", Role: party.RoleAdmin, Department: "信息科", PasswordHash: "h", Disabled: true, CreatedAt: at(time.Hour)}
	u3 := party.User{ID: "usr-u3", Username: "usr-expert", Name: "王五", Role: party.RoleExpert, ExpertID: "x1", PasswordHash: "h"}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateUser(ctx, u2))
		ok(t, tx.CreateUser(ctx, u3))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetUser", must[party.User](t)(tx.GetUser(ctx, f.user.ID)), f.user)
		eq(t, "GetUser 2", must[party.User](t)(tx.GetUser(ctx, u2.ID)), u2)
		eq(t, "GetUser zero time", must[party.User](t)(tx.GetUser(ctx, u3.ID)), u3)
		eq(t, "GetUserByUsername", must[party.User](t)(tx.GetUserByUsername(ctx, u2.Username)), u2)
		_, err := tx.GetUser(ctx, "nope")
		isCode(t, "GetUser missing", err, apperr.NotFound)
		_, err = tx.GetUserByUsername(ctx, "nope")
		isCode(t, "GetUserByUsername missing", err, apperr.NotFound)
		all := must[[]party.User](t)(tx.ListUsers(ctx, ""))
		if !slices.IsSortedFunc(all, func(a, b party.User) int { return strings.Compare(a.Username, b.Username) }) {
			t.Errorf("ListUsers not ordered by username")
		}
		eq(t, "ListUsers(admin)", must[[]party.User](t)(tx.ListUsers(ctx, party.RoleAdmin)), []party.User{u2})
	})
	u2.Name, u2.Disabled, u2.Role, u2.EntityID, u2.ExpertID, u2.Department, u2.PasswordHash, u2.Username = "管理员二", false, party.RoleOperator, "e9", "x9", "交易科", "h2", "usr-operator"
	write(t, db, func(tx *store.Tx) { ok(t, tx.UpdateUser(ctx, u2)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetUser after update", must[party.User](t)(tx.GetUser(ctx, u2.ID)), u2)
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		dup := u3
		dup.ID = "usr-u4"
		dup.Username = f.user.Username
		return tx.CreateUser(ctx, dup)
	})
	isCode(t, "duplicate username", err, apperr.Conflict)
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		u := u3
		u.Username = f.user.Username
		return tx.UpdateUser(ctx, u)
	})
	isCode(t, "update to duplicate username", err, apperr.Conflict)
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateUser(ctx, party.User{ID: "nope", Username: "nope"}) })
	isCode(t, "UpdateUser missing", err, apperr.NotFound)
}

func testSessions(t *testing.T, db *store.DB) {
	f := seed(t, db, "ses-")
	s1 := party.Session{TokenHash: "ses-h1", UserID: f.user.ID, Kind: "web", CSRF: "c1", ExpiresAt: at(time.Hour), CreatedAt: t0}
	s2 := party.Session{TokenHash: "ses-h2", UserID: f.user.ID, Kind: "api", CSRF: "c2", ExpiresAt: at(-time.Hour), CreatedAt: t0}
	s3 := party.Session{TokenHash: "ses-h3", UserID: f.user.ID, Kind: "api"} // never expires
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateSession(ctx, s1))
		ok(t, tx.CreateSession(ctx, s2))
		ok(t, tx.CreateSession(ctx, s3))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetSession", must[party.Session](t)(tx.GetSession(ctx, s1.TokenHash)), s1)
		eq(t, "GetSession zero", must[party.Session](t)(tx.GetSession(ctx, s3.TokenHash)), s3)
		_, err := tx.GetSession(ctx, "nope")
		isCode(t, "GetSession missing", err, apperr.NotFound)
	})
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.ExtendSession(ctx, s1.TokenHash, at(3*time.Hour)))
		isCode(t, "ExtendSession missing", tx.ExtendSession(ctx, "nope", at(time.Hour)), apperr.NotFound)
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ExtendSession", must[party.Session](t)(tx.GetSession(ctx, s1.TokenHash)).ExpiresAt, at(3*time.Hour))
	})
	write(t, db, func(tx *store.Tx) {
		eq(t, "DeleteExpiredSessions", must[int64](t)(tx.DeleteExpiredSessions(ctx, t0)), int64(1))
		ok(t, tx.DeleteSession(ctx, s1.TokenHash))
		ok(t, tx.DeleteSession(ctx, "nope"))
	})
	read(t, db, func(tx *store.Tx) {
		for _, h := range []string{s1.TokenHash, s2.TokenHash} {
			_, err := tx.GetSession(ctx, h)
			isCode(t, "deleted session "+h, err, apperr.NotFound)
		}
		must[party.Session](t)(tx.GetSession(ctx, s3.TokenHash))
	})
}

func testNextSeq(t *testing.T, db *store.DB) {
	write(t, db, func(tx *store.Tx) {
		for i := int64(1); i <= 3; i++ {
			eq(t, "NextSeq a", must[int64](t)(tx.NextSeq(ctx, "seq-a")), i)
		}
		eq(t, "NextSeq b", must[int64](t)(tx.NextSeq(ctx, "seq-项目-2025")), int64(1))
	})
	write(t, db, func(tx *store.Tx) {
		eq(t, "NextSeq a again", must[int64](t)(tx.NextSeq(ctx, "seq-a")), int64(4))
	})
}

func testProjects(t *testing.T, db *store.DB) {
	f := seed(t, db, "prj-")
	p2 := tender.Project{ID: "prj-p2", Code: "prj-code-2", Name: "某某水利工程", PrincipalID: "prj-other", AgencyID: f.principal.ID, CreatedAt: at(time.Hour)}
	p3 := tender.Project{ID: "prj-p3", Code: "prj-code-3", Name: "无关项目", PrincipalID: "prj-other"}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateProject(ctx, p2))
		ok(t, tx.CreateProject(ctx, p3))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetProject", must[tender.Project](t)(tx.GetProject(ctx, f.project.ID)), f.project)
		eq(t, "GetProject zero", must[tender.Project](t)(tx.GetProject(ctx, p3.ID)), p3)
		eq(t, "GetProjectByCode", must[tender.Project](t)(tx.GetProjectByCode(ctx, p2.Code)), p2)
		_, err := tx.GetProject(ctx, "nope")
		isCode(t, "GetProject missing", err, apperr.NotFound)
		_, err = tx.GetProjectByCode(ctx, "nope")
		isCode(t, "GetProjectByCode missing", err, apperr.NotFound)
		eq(t, "ListProjects(entity) newest first", must[[]tender.Project](t)(tx.ListProjects(ctx, f.principal.ID)), []tender.Project{p2, f.project})
		all := must[[]tender.Project](t)(tx.ListProjects(ctx, ""))
		if len(all) < 3 {
			t.Errorf("ListProjects(\"\") = %d rows", len(all))
		}
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		d := p3
		d.ID = "prj-p4"
		return tx.CreateProject(ctx, d)
	})
	isCode(t, "duplicate project code", err, apperr.Conflict)
}

func fullLot(id, projectID string) tender.Lot {
	return tender.Lot{
		ID: id, ProjectID: projectID, Code: id + "-code", Name: "第二标段（含“引号”与'单引号'）",
		Procedure: tender.Invited, Method: tender.Comprehensive,
		Estimate: 9_876_543_210_12, Ceiling: 8_000_000_00, Security: 80_000_00, CategoryCode: "A0801",
		Scoring:       []tender.ScoreItem{{Key: "price", Name: "报价", Max: 6000, Price: true}, {Key: "tech", Name: "技术标", Max: 4000}},
		CommitteeSize: 7, PrincipalReps: 2, AllowAlternatives: true, Status: tender.Evaluating, Suspended: true,
		DocsFrom: at(1 * time.Hour), DocsUntil: at(2 * time.Hour), BidDeadline: at(3 * time.Hour), OpeningPlace: "开标室一",
		OpenedAt: at(4 * time.Hour), ReportAt: at(5 * time.Hour), PublicityFrom: at(6 * time.Hour), PublicityUntil: at(7 * time.Hour),
		AwardedAt: at(8 * time.Hour), RetenderOf: "old", FailedReason: "无", Version: 3, CreatedAt: t0, UpdatedAt: at(time.Microsecond),
		Custody: &tender.Custody{Threshold: 2, WindowMinutes: 45, Custodians: []tender.Custodian{
			{UserID: "c1", Name: "莫经理", Org: "entity:e9", OrgName: "广西某招标代理有限公司", Fingerprint: strings.Repeat("ab", 32), PublicKey: "-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----\n"},
			{UserID: "c2", Name: "值班员", Org: "centre", OrgName: "交易中心", Fingerprint: strings.Repeat("cd", 32), PublicKey: "pem2"}}},
		DecryptBy: at(9 * time.Hour), Stalled: true,
	}
}

func testLots(t *testing.T, db *store.DB) {
	f := seed(t, db, "lot-")
	full := fullLot("lot-l2", f.project.ID)
	empty := tender.Lot{ID: "lot-l3", ProjectID: f.project.ID, Code: "lot-a", Scoring: []tender.ScoreItem{}}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateLot(ctx, full))
		ok(t, tx.CreateLot(ctx, empty))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetLot full", must[tender.Lot](t)(tx.GetLot(ctx, full.ID)), full)
		eq(t, "GetLot zero", must[tender.Lot](t)(tx.GetLot(ctx, empty.ID)), empty)
		eq(t, "GetLot seed (nil scoring)", must[tender.Lot](t)(tx.GetLot(ctx, f.lot.ID)), f.lot)
		_, err := tx.GetLot(ctx, "nope")
		isCode(t, "GetLot missing", err, apperr.NotFound)
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.CreateLot(ctx, tender.Lot{ID: "lot-orphan", ProjectID: "nope"})
	})
	isCode(t, "CreateLot without project", err, apperr.NotFound)

	// Update: every field changes, version bumps.
	var got tender.Lot
	write(t, db, func(tx *store.Tx) {
		l := must[tender.Lot](t)(tx.GetLot(ctx, full.ID))
		l.Name, l.Status, l.Suspended, l.Scoring, l.OpenedAt, l.AwardedAt = "改名", tender.Awarded, false, nil, time.Time{}, at(9*time.Hour)
		l.Estimate, l.FailedReason, l.UpdatedAt = 1, "", at(10*time.Hour)
		ok(t, tx.UpdateLot(ctx, &l))
		if l.Version != full.Version+1 {
			t.Errorf("UpdateLot: Version = %d, want %d", l.Version, full.Version+1)
		}
		got = l
	})
	read(t, db, func(tx *store.Tx) { eq(t, "GetLot after update", must[tender.Lot](t)(tx.GetLot(ctx, full.ID)), got) })

	stale := full // Version 3, stored 4
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateLot(ctx, &stale) })
	isCode(t, "UpdateLot stale version", err, apperr.Conflict)
	if apperr.As(err).Message != "标段已被他人修改，请刷新后重试。" {
		t.Errorf("UpdateLot conflict message = %q", apperr.As(err).Message)
	}
	if stale.Version != full.Version {
		t.Errorf("failed UpdateLot changed Version to %d", stale.Version)
	}
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateLot(ctx, &tender.Lot{ID: "nope"}) })
	isCode(t, "UpdateLot missing", err, apperr.NotFound)

	// ListLots filters and order (project, code).
	p2 := tender.Project{ID: "lot-p2", Code: "lot-p2", PrincipalID: "lot-x", AgencyID: "lot-agency"}
	l4 := tender.Lot{ID: "lot-l4", ProjectID: p2.ID, Code: "a", Status: tender.Bidding}
	l5 := tender.Lot{ID: "lot-l5", ProjectID: p2.ID, Code: "b", Status: tender.Draft}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateProject(ctx, p2))
		ok(t, tx.CreateLot(ctx, l4))
		ok(t, tx.CreateLot(ctx, l5))
		ok(t, tx.RecordAccess(ctx, tender.DocumentAccess{LotID: "lot-l4", EntityID: "lot-ent", UserID: "u", At: t0}))
		ok(t, tx.AddInvitee(ctx, tender.Invitee{LotID: full.ID, EntityID: "lot-ent"}))
	})
	read(t, db, func(tx *store.Tx) {
		ids := func(ls []tender.Lot) []string {
			var out []string
			for _, l := range ls {
				out = append(out, l.ID)
			}
			return out
		}
		byProject := must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{ProjectID: f.project.ID}))
		eq(t, "ListLots(project)", ids(byProject), []string{"lot-l1", "lot-l3", "lot-l2"}) // codes lot-110000-… < lot-a < lot-l2-code
		eq(t, "ListLots(project) rows", byProject[2], got)
		eq(t, "ListLots(status)", ids(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{ProjectID: f.project.ID, Status: tender.Bidding}))), []string{"lot-l1"})
		eq(t, "ListLots(entity principal)", ids(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{EntityID: f.principal.ID}))), []string{"lot-l1", "lot-l3", "lot-l2"})
		eq(t, "ListLots(entity agency)", ids(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{EntityID: "lot-agency"}))), []string{"lot-l4", "lot-l5"})
		eq(t, "ListLots(published)", ids(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{EntityID: "lot-agency", Published: true}))), []string{"lot-l4"})
		eq(t, "ListLots(limit)", ids(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{ProjectID: f.project.ID, Limit: 2}))), []string{"lot-l1", "lot-l3"})
		eq(t, "ListLots(ids)", ids(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{IDs: []string{"lot-l4", "lot-l2"}}))), []string{"lot-l2", "lot-l4"})
		eq(t, "ListLots(participant)", ids(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{Participant: "lot-ent"}))), []string{"lot-l2", "lot-l4"})
		eq(t, "ListLots(participant none)", len(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{Participant: "lot-nobody"}))), 0)
		eq(t, "ListLots(no ids)", len(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{IDs: []string{}}))), 0)
		// l2's deadline is at(3h); l1, l3 and l4 have none.
		eq(t, "ListLots(deadline in range)", ids(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{DeadlineFrom: at(3 * time.Hour), DeadlineTo: at(4 * time.Hour)}))), []string{"lot-l2"})
		eq(t, "ListLots(deadline to is exclusive)", len(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{DeadlineFrom: at(2 * time.Hour), DeadlineTo: at(3 * time.Hour)}))), 0)
		all := must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{}))
		if !slices.IsSortedFunc(all, func(a, b tender.Lot) int {
			return strings.Compare(a.ProjectID+"\x00"+a.Code, b.ProjectID+"\x00"+b.Code)
		}) {
			t.Errorf("ListLots not ordered by project, code")
		}
	})
}

func testInvitees(t *testing.T, db *store.DB) {
	f := seed(t, db, "inv-")
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.AddInvitee(ctx, tender.Invitee{LotID: f.lot.ID, EntityID: "inv-b"}))
		ok(t, tx.AddInvitee(ctx, tender.Invitee{LotID: f.lot.ID, EntityID: "inv-a"}))
		ok(t, tx.AddInvitee(ctx, tender.Invitee{LotID: f.lot.ID, EntityID: "inv-a"})) // idempotent
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListInvitees", must[[]ids.ID](t)(tx.ListInvitees(ctx, f.lot.ID)), []ids.ID{"inv-a", "inv-b"})
		eq(t, "ListInvitees none", must[[]ids.ID](t)(tx.ListInvitees(ctx, "nope")), []ids.ID(nil))
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.AddInvitee(ctx, tender.Invitee{LotID: "nope", EntityID: "x"})
	})
	isCode(t, "AddInvitee missing lot", err, apperr.NotFound)
}

func testNoticesByDeadline(t *testing.T, db *store.DB) {
	f := seed(t, db, "nbd-")
	const region = "nbd-999999"
	late := tender.Lot{ID: "nbd-late", ProjectID: f.project.ID, Code: "nbd-late", Status: tender.Bidding, BidDeadline: at(48 * time.Hour)}
	soon := tender.Lot{ID: "nbd-soon", ProjectID: f.project.ID, Code: "nbd-soon", Status: tender.Bidding, BidDeadline: at(24 * time.Hour)}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateLot(ctx, late))
		ok(t, tx.CreateLot(ctx, soon))
		for i, lot := range []string{"nbd-late", "nbd-soon", f.lot.ID, ""} { // the seed lot has no deadline
			ok(t, tx.CreateNotice(ctx, tender.Notice{ID: fmt.Sprintf("nbd-n%d", i), ProjectID: f.project.ID, LotID: lot, Kind: tender.NoticeTender,
				Title: "t", Public: true, PublishedAt: at(time.Duration(i) * time.Minute), Region: region}))
		}
	})
	read(t, db, func(tx *store.Tx) {
		ns, _, err := tx.ListNotices(ctx, tender.NoticeFilter{Region: region, ByDeadline: true})
		ok(t, err)
		var got []string
		for _, n := range ns {
			got = append(got, n.ID)
		}
		// Soonest deadline first; notices without a deadline last, newest first among them.
		eq(t, "by deadline", got, []string{"nbd-n1", "nbd-n0", "nbd-n3", "nbd-n2"})
	})
}

func testNotices(t *testing.T, db *store.DB) {
	// A fresh database would be cleaner, but every notice here carries a
	// region only this test uses, and every query filters on it.
	const region = "ntc-999999"
	var all []tender.Notice
	for i := range 130 {
		n := tender.Notice{
			ID: fmt.Sprintf("ntc-%03d", i), ProjectID: "ntc-p1", LotID: fmt.Sprintf("ntc-l%d", i%3),
			Kind: tender.NoticeKinds[i%len(tender.NoticeKinds)], Title: fmt.Sprintf("公告 %d", i), Body: "正文",
			Public: i%5 != 0, PublishedAt: at(time.Duration(i) * time.Minute), Region: region, Category: []string{"A08", "B01"}[i%2],
		}
		if i%4 == 0 {
			n.Data = json.RawMessage(`{"z": 1, "a": ["中文", 2.50]}`)
		}
		all = append(all, n)
	}
	all[7].Title = "某某道路 Road Works 招标公告"
	all[8].Body = "含 100% 折扣 与 under_score"
	all[9].Title = "100X 折扣"
	all[10].Body = "underXscore"
	write(t, db, func(tx *store.Tx) {
		for _, n := range all {
			ok(t, tx.CreateNotice(ctx, n))
		}
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetNotice with data", must[tender.Notice](t)(tx.GetNotice(ctx, all[4].ID)), all[4])
		eq(t, "GetNotice without data", must[tender.Notice](t)(tx.GetNotice(ctx, all[5].ID)), all[5])
		_, err := tx.GetNotice(ctx, "nope")
		isCode(t, "GetNotice missing", err, apperr.NotFound)

		list := func(f tender.NoticeFilter) ([]string, int) {
			t.Helper()
			f.Region = region
			ns, total, err := tx.ListNotices(ctx, f)
			ok(t, err)
			var out []string
			for _, n := range ns {
				out = append(out, n.ID)
			}
			return out, total
		}
		ids, total := list(tender.NoticeFilter{})
		if total != 130 || len(ids) != 20 || ids[0] != "ntc-129" || ids[19] != "ntc-110" {
			t.Errorf("default page: total %d, %d rows, first %v", total, len(ids), ids)
		}
		ids, total = list(tender.NoticeFilter{Limit: 1000})
		if total != 130 || len(ids) != 100 {
			t.Errorf("max limit: total %d, %d rows", total, len(ids))
		}
		ids, _ = list(tender.NoticeFilter{SortAsc: true, Limit: 3, Offset: 2})
		eq(t, "asc page", ids, []string{"ntc-002", "ntc-003", "ntc-004"})
		ids, total = list(tender.NoticeFilter{Offset: 125})
		if total != 130 || len(ids) != 5 {
			t.Errorf("last page: total %d, %d rows", total, len(ids))
		}
		_, total = list(tender.NoticeFilter{Kind: tender.NoticeTender})
		eq(t, "kind total", total, 19) // i%7==0 for i<130
		_, total = list(tender.NoticeFilter{Category: "A08"})
		eq(t, "category total", total, 65)
		_, total = list(tender.NoticeFilter{PublicOnly: true})
		eq(t, "public total", total, 104)
		_, total = list(tender.NoticeFilter{LotID: "ntc-l1"})
		eq(t, "lot total", total, 43)
		_, total = list(tender.NoticeFilter{ProjectID: "ntc-p1"})
		eq(t, "project total", total, 130)
		_, total = list(tender.NoticeFilter{ProjectID: "nope"})
		eq(t, "other project total", total, 0)
		ids, total = list(tender.NoticeFilter{From: at(10 * time.Minute), To: at(13 * time.Minute), SortAsc: true})
		eq(t, "from/to", ids, []string{"ntc-010", "ntc-011", "ntc-012"})
		eq(t, "from/to total", total, 3)
		ids, _ = list(tender.NoticeFilter{Q: "road works"})
		eq(t, "Q case-insensitive", ids, []string{"ntc-007"})
		ids, _ = list(tender.NoticeFilter{Q: "道路"})
		eq(t, "Q Chinese", ids, []string{"ntc-007"})
		ids, _ = list(tender.NoticeFilter{Q: "100%"})
		eq(t, "Q escapes %", ids, []string{"ntc-008"})
		ids, _ = list(tender.NoticeFilter{Q: "under_score"})
		eq(t, "Q escapes _", ids, []string{"ntc-008"})
		ids, total = list(tender.NoticeFilter{Q: "公告 12", Kind: all[120].Kind, SortAsc: true})
		eq(t, "Q and kind", ids, []string{"ntc-120", "ntc-127"}) // kinds repeat every 7
		eq(t, "Q and kind total", total, 2)

		ns, _, err := tx.ListNotices(ctx, tender.NoticeFilter{Region: region, LotID: all[4].LotID, From: all[4].PublishedAt, Limit: 1, SortAsc: true})
		ok(t, err)
		eq(t, "listed notice round trip", ns, []tender.Notice{all[4]})
	})
}

func testDocuments(t *testing.T, db *store.DB) {
	f := seed(t, db, "doc-")
	d1 := tender.Document{ID: "doc-d1", LotID: f.lot.ID, NoticeID: "n1", Name: "招标文件.pdf", Size: 1 << 40, Hash: "abc", UploadedAt: at(time.Hour)}
	d2 := tender.Document{ID: "doc-d2", LotID: f.lot.ID, Name: "图纸.zip", Size: 1, Hash: "def", UploadedAt: t0}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateDocument(ctx, d1))
		ok(t, tx.CreateDocument(ctx, d2))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetDocument", must[tender.Document](t)(tx.GetDocument(ctx, d1.ID)), d1)
		_, err := tx.GetDocument(ctx, "nope")
		isCode(t, "GetDocument missing", err, apperr.NotFound)
		eq(t, "ListDocuments", must[[]tender.Document](t)(tx.ListDocuments(ctx, f.lot.ID)), []tender.Document{d2, d1})
	})
}

func testAccess(t *testing.T, db *store.DB) {
	f := seed(t, db, "acc-")
	a1 := tender.DocumentAccess{LotID: f.lot.ID, EntityID: "acc-b", UserID: "u1", At: at(time.Hour)}
	a2 := tender.DocumentAccess{LotID: f.lot.ID, EntityID: "acc-a", UserID: "u2", At: at(2 * time.Hour)}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.RecordAccess(ctx, a1))
		ok(t, tx.RecordAccess(ctx, a2))
		again := a1
		again.UserID, again.At = "u3", at(3*time.Hour)
		ok(t, tx.RecordAccess(ctx, again)) // idempotent: the first access stays
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "HasAccess", must[bool](t)(tx.HasAccess(ctx, f.lot.ID, "acc-a")), true)
		eq(t, "HasAccess not", must[bool](t)(tx.HasAccess(ctx, f.lot.ID, "acc-z")), false)
		eq(t, "ListAccess", must[[]tender.DocumentAccess](t)(tx.ListAccess(ctx, f.lot.ID)), []tender.DocumentAccess{a1, a2})
	})
}

func testDeposits(t *testing.T, db *store.DB) {
	f := seed(t, db, "dep-")
	d := tender.Deposit{LotID: f.lot.ID, EntityID: f.bidder.ID, Amount: 50_000_00, Reference: "工行-0001", RecordedAt: t0, RecordedBy: "op"}
	write(t, db, func(tx *store.Tx) { ok(t, tx.PutDeposit(ctx, d)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetDeposit", must[tender.Deposit](t)(tx.GetDeposit(ctx, d.LotID, d.EntityID)), d)
	})
	d.Amount, d.Reference, d.RecordedAt, d.RecordedBy = 60_000_00, "保函-2", at(time.Hour), "op2"
	write(t, db, func(tx *store.Tx) { ok(t, tx.PutDeposit(ctx, d)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetDeposit replaced", must[tender.Deposit](t)(tx.GetDeposit(ctx, d.LotID, d.EntityID)), d)
		_, err := tx.GetDeposit(ctx, d.LotID, "nope")
		isCode(t, "GetDeposit missing", err, apperr.NotFound)
	})
}

func testParticipation(t *testing.T, db *store.DB) {
	f := seed(t, db, "par-")
	read(t, db, func(tx *store.Tx) {
		p := must[tender.Participation](t)(tx.GetParticipation(ctx, f.lot.ID, f.bidder.ID))
		eq(t, "Participation of nobody", p, tender.Participation{Lot: must[tender.Lot](t)(tx.GetLot(ctx, f.lot.ID))})
		_, err := tx.GetParticipation(ctx, "nope", f.bidder.ID)
		isCode(t, "GetParticipation missing lot", err, apperr.NotFound)
	})
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.AddInvitee(ctx, tender.Invitee{LotID: f.lot.ID, EntityID: f.bidder.ID}))
		ok(t, tx.RecordAccess(ctx, tender.DocumentAccess{LotID: f.lot.ID, EntityID: f.bidder.ID, UserID: "u", At: t0}))
		ok(t, tx.PutDeposit(ctx, tender.Deposit{LotID: f.lot.ID, EntityID: f.bidder.ID, Amount: 1, Reference: "r", RecordedAt: t0}))
		// Another entity's standing must not leak into this one's.
		ok(t, tx.RecordAccess(ctx, tender.DocumentAccess{LotID: f.lot.ID, EntityID: "par-other", UserID: "u", At: t0}))
	})
	read(t, db, func(tx *store.Tx) {
		p := must[tender.Participation](t)(tx.GetParticipation(ctx, f.lot.ID, f.bidder.ID))
		eq(t, "Participation flags", [3]bool{p.Invited, p.Access, p.Deposited}, [3]bool{true, true, true})
		eq(t, "Participation lot", p.Lot, must[tender.Lot](t)(tx.GetLot(ctx, f.lot.ID)))
		q := must[tender.Participation](t)(tx.GetParticipation(ctx, f.lot.ID, "par-third"))
		eq(t, "Participation of a third entity", [3]bool{q.Invited, q.Access, q.Deposited}, [3]bool{false, false, false})
		if p.Bid != nil || q.Bid != nil {
			t.Error("a bid appeared before any was written")
		}
	})
	b := tender.Bid{ID: "par-b1", LotID: f.lot.ID, EntityID: f.bidder.ID, Version: 3, Status: tender.BidSubmitted, Format: "plain-v1",
		Content: []byte{0, 'x', 0xff}, ContentHash: "h", Files: []tender.BidFile{{Name: "技术标.pdf", Size: 2, Hash: "f"}}, SubmittedAt: at(time.Hour), ReceiptSeq: 7,
		Reject: []string{"理由"}}
	other := tender.Bid{ID: "par-b2", LotID: f.lot.ID, EntityID: "par-other", Version: 1, Status: tender.BidWithdrawn, Format: "plain-v1", Content: []byte("y"), SubmittedAt: t0}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateBid(ctx, b))
		ok(t, tx.CreateBid(ctx, other))
	})
	read(t, db, func(tx *store.Tx) {
		p := must[tender.Participation](t)(tx.GetParticipation(ctx, f.lot.ID, f.bidder.ID))
		if p.Bid == nil {
			t.Fatal("own bid missing from the participation")
		}
		eq(t, "Participation bid", *p.Bid, b)
		q := must[tender.Participation](t)(tx.GetParticipation(ctx, f.lot.ID, "par-third"))
		if q.Bid != nil {
			t.Errorf("another entity's bid leaked: %+v", q.Bid)
		}
	})
}

func testClarifications(t *testing.T, db *store.DB) {
	f := seed(t, db, "clr-")
	c1 := tender.Clarification{ID: "clr-c1", LotID: f.lot.ID, Text: "第3.2条修改为……", IssuedAt: at(time.Hour), OldDeadline: at(24 * time.Hour), NewDeadline: at(48 * time.Hour), IssuedBy: "u"}
	c2 := tender.Clarification{ID: "clr-c2", LotID: f.lot.ID, Text: "澄清", IssuedAt: t0}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateClarification(ctx, c1))
		ok(t, tx.CreateClarification(ctx, c2))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListClarifications", must[[]tender.Clarification](t)(tx.ListClarifications(ctx, f.lot.ID)), []tender.Clarification{c2, c1})
	})
}

func testObjections(t *testing.T, db *store.DB) {
	f := seed(t, db, "obj-")
	o1 := tender.Objection{ID: "obj-o1", LotID: f.lot.ID, Stage: tender.ObjectDocuments, EntityID: f.bidder.ID, Text: "资格条件排斥潜在投标人", FiledAt: at(time.Hour), DueAt: at(4 * time.Hour)}
	o2 := tender.Objection{ID: "obj-o2", LotID: f.lot.ID, Stage: tender.ObjectPublicity, EntityID: f.bidder.ID, Text: "x", FiledAt: t0}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateObjection(ctx, o1))
		ok(t, tx.CreateObjection(ctx, o2))
	})
	read(t, db, func(tx *store.Tx) { eq(t, "GetObjection", must[tender.Objection](t)(tx.GetObjection(ctx, o1.ID)), o1) })
	o1.Answer, o1.AnsweredAt, o1.AnsweredBy = "已答复：条件合法。", at(2*time.Hour), "agency-user"
	write(t, db, func(tx *store.Tx) { ok(t, tx.UpdateObjection(ctx, o1)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetObjection updated", must[tender.Objection](t)(tx.GetObjection(ctx, o1.ID)), o1)
		eq(t, "ListObjections", must[[]tender.Objection](t)(tx.ListObjections(ctx, f.lot.ID)), []tender.Objection{o2, o1})
		_, err := tx.GetObjection(ctx, "nope")
		isCode(t, "GetObjection missing", err, apperr.NotFound)
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateObjection(ctx, tender.Objection{ID: "nope"}) })
	isCode(t, "UpdateObjection missing", err, apperr.NotFound)
}

func testBids(t *testing.T, db *store.DB) {
	f := seed(t, db, "bid-")
	b1 := tender.Bid{
		ID: "bid-b1", LotID: f.lot.ID, EntityID: f.bidder.ID, Version: 2, Status: tender.BidOpened, Format: "plain-v1",
		Content: []byte{0, 1, 2, 0xff, 'x'}, ContentHash: "sm3hex",
		Files:       []tender.BidFile{{Name: "商务标.pdf", Size: 10, Hash: "h1"}, {Name: "技术标.pdf", Size: 20, Hash: "h2"}},
		SubmittedAt: at(2 * time.Hour), ReceiptSeq: 42,
		Opened: &tender.OpenedBid{BidContent: tender.BidContent{Price: 99_000_00, AlternativePrices: []money.Fen{1, 2}, DurationDays: 365, Quality: "合格", ProjectManager: "赵六"}},
		Reject: []string{"未按要求密封", "报价超过最高投标限价"},
	}
	b2 := tender.Bid{ID: "bid-b2", LotID: f.lot.ID, EntityID: f.principal.ID, Version: 1, Status: tender.BidSubmitted, Format: "plain-v1", Content: []byte("x"), SubmittedAt: at(time.Hour)}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateBid(ctx, b1))
		ok(t, tx.CreateBid(ctx, b2))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetBid full", must[tender.Bid](t)(tx.GetBid(ctx, b1.ID)), b1)
		eq(t, "GetBid nil parts", must[tender.Bid](t)(tx.GetBid(ctx, b2.ID)), b2)
		eq(t, "GetBidByEntity", must[tender.Bid](t)(tx.GetBidByEntity(ctx, f.lot.ID, f.bidder.ID)), b1)
		_, err := tx.GetBid(ctx, "nope")
		isCode(t, "GetBid missing", err, apperr.NotFound)
		_, err = tx.GetBidByEntity(ctx, f.lot.ID, "nope")
		isCode(t, "GetBidByEntity missing", err, apperr.NotFound)
		eq(t, "ListBids by SubmittedAt", must[[]tender.Bid](t)(tx.ListBids(ctx, f.lot.ID)), []tender.Bid{b2, b1})
		eq(t, "ListBidsByEntity", must[[]tender.Bid](t)(tx.ListBidsByEntity(ctx, f.bidder.ID)), []tender.Bid{b1})
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		d := b2
		d.ID = "bid-b3"
		return tx.CreateBid(ctx, d)
	})
	isCode(t, "second bid of an entity", err, apperr.Conflict)
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.CreateBid(ctx, tender.Bid{ID: "bid-b4", LotID: "nope", EntityID: "x"})
	})
	isCode(t, "bid for a missing lot", err, apperr.NotFound)

	b2.Version, b2.Status, b2.Content, b2.ContentHash, b2.SubmittedAt, b2.ReceiptSeq = 2, tender.BidRejected, []byte("新版本"), "h", at(3*time.Hour), 7
	b2.Files, b2.Opened, b2.Reject = []tender.BidFile{}, &tender.OpenedBid{Failure: "解密失败"}, []string{}
	write(t, db, func(tx *store.Tx) { ok(t, tx.UpdateBid(ctx, b2)) })
	read(t, db, func(tx *store.Tx) { eq(t, "GetBid updated", must[tender.Bid](t)(tx.GetBid(ctx, b2.ID)), b2) })
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateBid(ctx, tender.Bid{ID: "nope"}) })
	isCode(t, "UpdateBid missing", err, apperr.NotFound)
}

func testOpening(t *testing.T, db *store.DB) {
	f := seed(t, db, "opn-")
	o := tender.Opening{LotID: f.lot.ID, AsOf: at(time.Hour), RanAt: at(time.Hour + 3*time.Second), BidderCount: 2, Rows: []tender.OpeningRow{
		{BidID: "b1", EntityID: "e1", EntityName: "甲公司", Price: 100, DurationDays: 300, Quality: "优良", ProjectManager: "钱七", SubmittedAt: t0, Status: tender.BidOpened},
		{BidID: "b2", EntityID: "e2", EntityName: "乙公司", SubmittedAt: at(time.Second), Status: tender.BidRevoked, Note: "解密失败"},
	}}
	write(t, db, func(tx *store.Tx) { ok(t, tx.SaveOpening(ctx, o)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetOpening", must[tender.Opening](t)(tx.GetOpening(ctx, f.lot.ID)), o)
		_, err := tx.GetOpening(ctx, "nope")
		isCode(t, "GetOpening missing", err, apperr.NotFound)
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.SaveOpening(ctx, tender.Opening{LotID: f.lot.ID, Failed: true}) })
	isCode(t, "SaveOpening twice", err, apperr.Conflict)
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetOpening unchanged", must[tender.Opening](t)(tx.GetOpening(ctx, f.lot.ID)), o)
	})
}

func testExperts(t *testing.T, db *store.DB) {
	born := time.Date(1970, 5, 6, 0, 0, 0, 0, clock.Shanghai).UTC()
	es := []expert.Expert{
		{ID: "exp-3", Name: "孙八", IDNumber: "450102197005060011", BirthDate: born, EmployerID: "e1", EmployerName: "设计院", Title: "高级工程师", Senior: true,
			FieldSince: 1995, Specialties: []string{"A0801", "A080101"}, City: "450100", Contact: "0771-1", UserID: "u1", Via: expert.ViaSelf,
			Conflicts: []ids.ID{"e7"}, DeptStaffOf: "住建", Status: expert.Active, CreatedAt: t0, UpdatedAt: t0, Version: 1},
		{ID: "exp-1", Name: "周九", Specialties: []string{"A0802"}, Status: expert.Suspended, StatusReason: "投诉", StatusSource: "监督决定", StatusUntil: at(time.Hour),
			CreatedAt: t0, UpdatedAt: t0, Version: 1},
		{ID: "exp-2", Name: "吴十", Specialties: []string{"B01"}, Status: expert.Applied, CreatedAt: t0, UpdatedAt: t0, Version: 1},
	}
	write(t, db, func(tx *store.Tx) {
		for _, e := range es {
			ok(t, tx.CreateExpert(ctx, e))
		}
	})
	dup := es[1]
	dup.ID, dup.IDNumber = "exp-9", es[0].IDNumber
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.CreateExpert(ctx, dup) })
	isCode(t, "CreateExpert same id number", err, apperr.Conflict)
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetExpert", must[expert.Expert](t)(tx.GetExpert(ctx, "exp-3")), es[0])
		eq(t, "GetExpertByUser", must[expert.Expert](t)(tx.GetExpertByUser(ctx, "u1")), es[0])
		eq(t, "GetExpertByIDNumber", must[expert.Expert](t)(tx.GetExpertByIDNumber(ctx, es[0].IDNumber)), es[0])
		_, err := tx.GetExpert(ctx, "nope")
		isCode(t, "GetExpert missing", err, apperr.NotFound)
		_, err = tx.GetExpertByIDNumber(ctx, "")
		isCode(t, "GetExpertByIDNumber empty", err, apperr.NotFound)
		mine := func(xs []expert.Expert) []expert.Expert {
			var out []expert.Expert
			for _, e := range xs {
				if strings.HasPrefix(e.ID, "exp-") {
					out = append(out, e)
				}
			}
			return out
		}
		eq(t, "ListExperts(A08)", mine(must[[]expert.Expert](t)(tx.ListExperts(ctx, expert.Filter{Specialty: "A08"}))), []expert.Expert{es[1], es[0]})
		eq(t, "ListExperts(A080101)", mine(must[[]expert.Expert](t)(tx.ListExperts(ctx, expert.Filter{Specialty: "A080101"}))), []expert.Expert{es[0]})
		eq(t, "ListExperts(B%)", mine(must[[]expert.Expert](t)(tx.ListExperts(ctx, expert.Filter{Specialty: "B%"}))), []expert.Expert(nil))
		eq(t, "ListExperts(applied)", mine(must[[]expert.Expert](t)(tx.ListExperts(ctx, expert.Filter{Status: expert.Applied}))), []expert.Expert{es[2]})
		eq(t, "ListExperts()", mine(must[[]expert.Expert](t)(tx.ListExperts(ctx, expert.Filter{}))), []expert.Expert{es[1], es[2], es[0]})
		eq(t, "ListExperts(A08, page 2 of 1)", mine(must[[]expert.Expert](t)(tx.ListExperts(ctx, expert.Filter{Specialty: "A08", Limit: 1, Offset: 1}))), []expert.Expert{es[0]})
		eq(t, "CountExperts(A08)", must[map[expert.Status]int](t)(tx.CountExperts(ctx, "A08")), map[expert.Status]int{expert.Active: 1, expert.Suspended: 1})
	})

	// Updates check the version; specialties follow the profile.
	upd := es[0]
	upd.Specialties, upd.Status, upd.UpdatedAt = []string{"A0803"}, expert.Exited, at(time.Minute)
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.UpdateExpert(ctx, &upd))
		ok(t, tx.AddExpertEvent(ctx, expert.Event{ExpertID: "exp-3", Seq: 1, At: t0, Type: "applied", Status: expert.Applied, Actor: "u1", Ledger: 3}))
		ok(t, tx.AddExpertEvent(ctx, expert.Event{ExpertID: "exp-3", Seq: 2, At: at(time.Minute), Type: "exited", Status: expert.Exited, Reason: "自愿", Until: at(time.Hour), Actor: "u1", Ledger: 4}))
		ok(t, tx.SaveRating(ctx, expert.Rating{ExpertID: "exp-3", LotID: "l1", LotCode: "L-1", ByUser: "a1", ByRole: "agency", Score: 4, Comment: "认真", At: t0}))
	})
	eq(t, "version bumped", upd.Version, int64(2))
	stale := es[0]
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateExpert(ctx, &stale) })
	isCode(t, "UpdateExpert stale", err, apperr.Conflict)
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.SaveRating(ctx, expert.Rating{ExpertID: "exp-3", LotID: "l1", ByUser: "a1", Score: 1, At: t0})
	})
	isCode(t, "SaveRating twice", err, apperr.Conflict)
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetExpert updated", must[expert.Expert](t)(tx.GetExpert(ctx, "exp-3")), upd)
		eq(t, "ListExperts(A0801) after update", must[[]expert.Expert](t)(tx.ListExperts(ctx, expert.Filter{Specialty: "A0801"})), []expert.Expert(nil))
		evs := must[[]expert.Event](t)(tx.ListExpertEvents(ctx, "exp-3"))
		eq(t, "events", len(evs), 2)
		eq(t, "event 2", evs[1].Until, at(time.Hour))
		eq(t, "ratings", must[[]expert.Rating](t)(tx.ListRatings(ctx, "exp-3")),
			[]expert.Rating{{ExpertID: "exp-3", LotID: "l1", LotCode: "L-1", ByUser: "a1", ByRole: "agency", Score: 4, Comment: "认真", At: t0}})
	})
}

func testDraws(t *testing.T, db *store.DB) {
	f := seed(t, db, "drw-")
	req := draw.Request{LotID: f.lot.ID, Needs: []draw.Need{{Specialty: "A0801", Count: 4, Backups: 2}}, At: t0,
		Parties: []draw.Party{{Role: draw.RoleBidder, EntityID: "e1"}}, Window: draw.Duration(90 * 24 * time.Hour), MaxDrawsInWindow: 3}
	d := tender.Draw{ID: "drw-d1", LotID: f.lot.ID, Attempt: 1, Status: tender.DrawRequested, Remote: true, Request: req, RequestDigest: "ab",
		PoolDigest: "cd", PoolSize: 7, RequestIndex: 12, Reps: []tender.Member{{ID: "m1", LotID: f.lot.ID, Kind: tender.MemberRep, UserID: "u1", Name: "代表"}},
		CreatedBy: "op", CreatedAt: t0}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateDraw(ctx, d))
		ok(t, tx.SaveDrawPool(ctx, "cd", []byte(`[{"id":"x"}]`)))
		ok(t, tx.SaveDrawPool(ctx, "cd", []byte(`[{"id":"x"}]`))) // idempotent
	})
	again := d
	again.ID = "drw-d2"
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.CreateDraw(ctx, again) })
	isCode(t, "CreateDraw same attempt", err, apperr.Conflict)
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetDraw", must[tender.Draw](t)(tx.GetDraw(ctx, d.ID)), d)
		eq(t, "GetDrawPool", string(must[[]byte](t)(tx.GetDrawPool(ctx, "cd"))), `[{"id":"x"}]`)
		_, err := tx.GetDrawPool(ctx, "zz")
		isCode(t, "GetDrawPool missing", err, apperr.NotFound)
	})
	res := draw.Result{Version: draw.Version, LotID: f.lot.ID, Needs: []draw.NeedResult{{Need: req.Needs[0], Members: []string{"x"}}},
		Exclusions: []draw.Exclusion{{ExpertID: "y", Code: "employer", Reason: "r"}}, Digest: "ef"}
	d.Status, d.Result, d.ResultDigest, d.ResultIndex, d.CheckpointSize, d.Checkpoint, d.DoneAt = tender.DrawDone, &res, "ef", 14, 13, "note", at(time.Second)
	ivs := []tender.Invitation{
		{ID: "drw-i2", DrawID: d.ID, LotID: f.lot.ID, ExpertID: "x2", UserID: "u2", Name: "乙", Need: 0, Seq: 1, Backup: true, Status: tender.InvStandby, CreatedAt: t0},
		{ID: "drw-i1", DrawID: d.ID, LotID: f.lot.ID, ExpertID: "x", UserID: "u2", Name: "甲", Need: 0, Seq: 0, Status: tender.InvInvited, Deadline: at(time.Hour), CreatedAt: at(time.Second)},
	}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.UpdateDraw(ctx, d))
		for _, iv := range ivs {
			ok(t, tx.CreateInvitation(ctx, iv))
		}
	})
	ivs[1].Status, ivs[1].RespondedAt = tender.InvConfirmed, at(time.Minute)
	write(t, db, func(tx *store.Tx) { ok(t, tx.UpdateInvitation(ctx, ivs[1])) })
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateInvitation(ctx, tender.Invitation{ID: "nope"}) })
	isCode(t, "UpdateInvitation missing", err, apperr.NotFound)
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetDraw done", must[tender.Draw](t)(tx.GetDraw(ctx, d.ID)), d)
		eq(t, "ListDraws", must[[]tender.Draw](t)(tx.ListDraws(ctx, f.lot.ID)), []tender.Draw{d})
		eq(t, "ListInvitations", must[[]tender.Invitation](t)(tx.ListInvitations(ctx, f.lot.ID)), []tender.Invitation{ivs[1], ivs[0]})
		eq(t, "GetInvitation", must[tender.Invitation](t)(tx.GetInvitation(ctx, "drw-i1")), ivs[1])
		// Standby backups are not the expert's business yet.
		eq(t, "ListInvitationsForUser", must[[]tender.Invitation](t)(tx.ListInvitationsForUser(ctx, "u2")), []tender.Invitation{ivs[1]})
		since := must[map[ids.ID][]time.Time](t)(tx.DrawsSince(ctx, t0))
		eq(t, "DrawsSince", since["x"], []time.Time{at(time.Minute)})
		eq(t, "DrawsSince later", len(must[map[ids.ID][]time.Time](t)(tx.DrawsSince(ctx, at(time.Hour)))["x"]), 0)
	})
}

func testRooms(t *testing.T, db *store.DB) {
	f := seed(t, db, "room-")
	r := tender.Room{LotID: f.lot.ID, Status: tender.RoomWaiting, Remote: true, UpdatedAt: t0}
	write(t, db, func(tx *store.Tx) { ok(t, tx.CreateRoom(ctx, r)) })
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.CreateRoom(ctx, r) })
	isCode(t, "CreateRoom twice", err, apperr.Conflict)
	r.Version = 1
	read(t, db, func(tx *store.Tx) { eq(t, "GetRoom", must[tender.Room](t)(tx.GetRoom(ctx, f.lot.ID)), r) })
	r.Status, r.StartedAt, r.EndsAt, r.Chair, r.Extensions, r.UpdatedAt = tender.RoomRunning, at(time.Minute), at(9*time.Hour), "m1", 1, at(time.Minute)
	write(t, db, func(tx *store.Tx) { ok(t, tx.UpdateRoom(ctx, &r)) })
	stale := r
	stale.Version = 1
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateRoom(ctx, &stale) })
	isCode(t, "UpdateRoom stale", err, apperr.Conflict)
	votes := []tender.Vote{
		{LotID: f.lot.ID, Kind: tender.VoteChair, Voter: "m1", Value: "m2", At: t0},
		{LotID: f.lot.ID, Kind: tender.VoteChair, Voter: "m1", Value: "m3", At: at(time.Second)}, // replaces
		{LotID: f.lot.ID, Kind: tender.VoteExtend, Round: 1, Voter: "m2", Value: "1", At: t0},
	}
	devs := []tender.Deviation{{LotID: f.lot.ID, MemberID: "m1", BidID: "b1", Item: "tech", Score: 1200, Mean: 2400, Pct: 5000},
		{LotID: f.lot.ID, MemberID: "m2", BidID: "b1", Item: "tech", Score: 3600, Mean: 2400, Pct: 5000, Explanation: "理由充分", ExplainedAt: at(time.Hour)}}
	write(t, db, func(tx *store.Tx) {
		for _, v := range votes {
			ok(t, tx.SaveVote(ctx, v))
		}
		ok(t, tx.SaveDeviations(ctx, f.lot.ID, devs))
		ok(t, tx.SaveSheet(ctx, tender.ScoreSheet{LotID: f.lot.ID, MemberID: "m1", SubmittedAt: t0, Digest: "d1", Fingerprint: "f1", Signature: "s1"}))
		ok(t, tx.SaveSheet(ctx, tender.ScoreSheet{LotID: f.lot.ID, MemberID: "m2", SubmittedAt: t0}))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetRoom updated", must[tender.Room](t)(tx.GetRoom(ctx, f.lot.ID)), r)
		eq(t, "ListVotes chair", must[[]tender.Vote](t)(tx.ListVotes(ctx, f.lot.ID, tender.VoteChair, 0)), []tender.Vote{votes[1]})
		eq(t, "ListVotes all", len(must[[]tender.Vote](t)(tx.ListVotes(ctx, f.lot.ID, "", -1))), 2)
		eq(t, "ListVotes other round", len(must[[]tender.Vote](t)(tx.ListVotes(ctx, f.lot.ID, tender.VoteExtend, 0))), 0)
		eq(t, "ListDeviations", must[[]tender.Deviation](t)(tx.ListDeviations(ctx, f.lot.ID)), devs)
		sh := must[[]tender.ScoreSheet](t)(tx.ListSheets(ctx, f.lot.ID))
		eq(t, "signed sheet", sh[0].Digest+sh[0].Fingerprint+sh[0].Signature, "d1f1s1")
	})
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.DeleteSheets(ctx, f.lot.ID, "m1"))
		ok(t, tx.SaveDeviations(ctx, f.lot.ID, devs[1:]))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "sheets after deleting m1", len(must[[]tender.ScoreSheet](t)(tx.ListSheets(ctx, f.lot.ID))), 1)
		eq(t, "deviations replaced", len(must[[]tender.Deviation](t)(tx.ListDeviations(ctx, f.lot.ID))), 1)
	})
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.DeleteSheets(ctx, f.lot.ID, ""))
		ok(t, tx.DeleteRoom(ctx, f.lot.ID))
	})
	read(t, db, func(tx *store.Tx) {
		_, err := tx.GetRoom(ctx, f.lot.ID)
		isCode(t, "GetRoom after delete", err, apperr.NotFound)
		eq(t, "votes after delete", len(must[[]tender.Vote](t)(tx.ListVotes(ctx, f.lot.ID, "", -1))), 0)
		eq(t, "no sheets", len(must[[]tender.ScoreSheet](t)(tx.ListSheets(ctx, f.lot.ID))), 0)
		n := must[int64](t)(tx.LatestLedgerIndex(ctx, "no-such-subject"))
		eq(t, "LatestLedgerIndex none", n, int64(-1))
	})
}

func testCommittee(t *testing.T, db *store.DB) {
	f := seed(t, db, "com-")
	l2 := tender.Lot{ID: "com-l2", ProjectID: f.project.ID, Code: "com-2"}
	ms := []tender.Member{
		{ID: "com-m2", LotID: f.lot.ID, Kind: tender.MemberExpert, ExpertID: "x2", UserID: "com-u2", Name: "专家乙", Chair: true},
		{ID: "com-m1", LotID: f.lot.ID, Kind: tender.MemberRep, UserID: "com-u1", Name: "招标人代表"},
	}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateLot(ctx, l2))
		ok(t, tx.SaveMembers(ctx, f.lot.ID, ms))
		ok(t, tx.SaveMembers(ctx, l2.ID, []tender.Member{{ID: "com-m3", LotID: l2.ID, Kind: tender.MemberExpert, UserID: "com-u2", Name: "专家乙"}}))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListMembers keeps order", must[[]tender.Member](t)(tx.ListMembers(ctx, f.lot.ID)), ms)
		eq(t, "ListLotsForMember", must[[]ids.ID](t)(tx.ListLotsForMember(ctx, "com-u2")), []ids.ID{"com-l1", "com-l2"})
	})
	ms2 := []tender.Member{{ID: "com-m4", LotID: f.lot.ID, Kind: tender.MemberExpert, UserID: "com-u4", Name: "专家丁"}}
	write(t, db, func(tx *store.Tx) { ok(t, tx.SaveMembers(ctx, f.lot.ID, ms2)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListMembers replaced", must[[]tender.Member](t)(tx.ListMembers(ctx, f.lot.ID)), ms2)
		eq(t, "ListLotsForMember after replace", must[[]ids.ID](t)(tx.ListLotsForMember(ctx, "com-u2")), []ids.ID{"com-l2"})
	})
}

func testEvaluation(t *testing.T, db *store.DB) {
	f := seed(t, db, "evl-")
	s1 := tender.ScoreSheet{LotID: f.lot.ID, MemberID: "m2", SubmittedAt: at(time.Hour), Lines: []tender.SheetLine{
		{BidID: "b1", Pass: true, Scores: map[string]int64{"tech": 3550, "管理": 900}, Adjustment: -100},
		{BidID: "b2", Pass: false, Reason: "无效投标"},
	}}
	s2 := tender.ScoreSheet{LotID: f.lot.ID, MemberID: "m1", Lines: []tender.SheetLine{}}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.SaveSheet(ctx, s1))
		ok(t, tx.SaveSheet(ctx, s2))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListSheets", must[[]tender.ScoreSheet](t)(tx.ListSheets(ctx, f.lot.ID)), []tender.ScoreSheet{s2, s1})
	})
	s2.Lines, s2.SubmittedAt = []tender.SheetLine{{BidID: "b1", Pass: true}}, at(2*time.Hour)
	write(t, db, func(tx *store.Tx) { ok(t, tx.SaveSheet(ctx, s2)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListSheets replaced", must[[]tender.ScoreSheet](t)(tx.ListSheets(ctx, f.lot.ID)), []tender.ScoreSheet{s2, s1})
	})

	row := tender.ReportRow{BidID: "b1", EntityID: "e1", EntityName: "甲公司", Price: 100, EvaluatedPrice: 90, PriceScore: 6000, OtherScore: 3000, Total: 9000, Rank: 1}
	r := tender.Report{LotID: f.lot.ID, Method: tender.Comprehensive, Rows: []tender.ReportRow{row, {BidID: "b2", Rejected: true, Reasons: []string{"无效"}}},
		Candidates: []tender.ReportRow{row}, Members: []string{"专家甲", "专家乙"}, FinishedAt: at(3 * time.Hour)}
	write(t, db, func(tx *store.Tx) { ok(t, tx.SaveReport(ctx, r)) })
	read(t, db, func(tx *store.Tx) { eq(t, "GetReport", must[tender.Report](t)(tx.GetReport(ctx, f.lot.ID)), r) })
	r.Failed, r.Candidates = true, nil
	write(t, db, func(tx *store.Tx) { ok(t, tx.SaveReport(ctx, r)) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetReport replaced", must[tender.Report](t)(tx.GetReport(ctx, f.lot.ID)), r)
		_, err := tx.GetReport(ctx, "nope")
		isCode(t, "GetReport missing", err, apperr.NotFound)
	})
}

func testAwardContract(t *testing.T, db *store.DB) {
	f := seed(t, db, "awd-")
	a := tender.Award{LotID: f.lot.ID, BidID: "b1", EntityID: "e1", EntityName: "甲公司", Price: 123, Rank: 2, ExceptionReason: "第一名放弃", NotifiedAt: at(time.Hour), DecidedBy: "u"}
	c := tender.Contract{LotID: f.lot.ID, Amount: 123, SignedAt: at(48 * time.Hour), RecordedAt: at(49 * time.Hour), RecordedBy: "u"}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.SaveAward(ctx, tender.Award{LotID: f.lot.ID, BidID: "b0"}))
		ok(t, tx.SaveAward(ctx, a))
		ok(t, tx.SaveContract(ctx, tender.Contract{LotID: f.lot.ID}))
		ok(t, tx.SaveContract(ctx, c))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "GetAward", must[tender.Award](t)(tx.GetAward(ctx, f.lot.ID)), a)
		eq(t, "GetContract", must[tender.Contract](t)(tx.GetContract(ctx, f.lot.ID)), c)
		_, err := tx.GetAward(ctx, "nope")
		isCode(t, "GetAward missing", err, apperr.NotFound)
		_, err = tx.GetContract(ctx, "nope")
		isCode(t, "GetContract missing", err, apperr.NotFound)
	})
}

func testWarnings(t *testing.T, db *store.DB) {
	w1 := tender.Warning{ID: "wrn-1", LotID: "wrn-l1", Kind: "short_period", Message: "投标期限不足二十日", Basis: "《招标投标法》第二十四条", CreatedAt: t0}
	w2 := tender.Warning{ID: "wrn-2", LotID: "wrn-l1", Kind: "same_ip", Message: "多家投标人IP相同", CreatedAt: at(time.Hour)}
	w3 := tender.Warning{ID: "wrn-3", LotID: "wrn-l2", Kind: "k", Message: "m", CreatedAt: at(2 * time.Hour)}
	write(t, db, func(tx *store.Tx) {
		for _, w := range []tender.Warning{w1, w2, w3} {
			ok(t, tx.CreateWarning(ctx, w))
		}
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListWarnings(lot)", must[[]tender.Warning](t)(tx.ListWarnings(ctx, "wrn-l1")), []tender.Warning{w2, w1})
		all := must[[]tender.Warning](t)(tx.ListWarnings(ctx, ""))
		var mine []tender.Warning
		for _, w := range all {
			if strings.HasPrefix(w.ID, "wrn-") {
				mine = append(mine, w)
			}
		}
		eq(t, "ListWarnings(\"\")", mine, []tender.Warning{w3, w2, w1})
	})
}

func ledgerSize(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var es []ledger.Entry
	read(t, db, func(tx *store.Tx) { es = must[[]ledger.Entry](t)(tx.ListLedger(ctx, "", 0, 0)) })
	for i, e := range es {
		if e.Index != int64(i) {
			t.Fatalf("ledger not dense: position %d has index %d", i, e.Index)
		}
	}
	return int64(len(es))
}

func testLedger(t *testing.T, db *store.DB) {
	base := ledgerSize(t, db)
	var want []ledger.Entry
	write(t, db, func(tx *store.Tx) {
		for i := range 5 {
			e, err := ledger.Seal(ledger.Draft{Type: "tender.published", Subject: []string{"LDG-A", "LDG-B"}[i%2],
				Public: map[string]any{"标段": "第一标段", "i": i}, Private: map[string]any{"ip": "10.0.0.1"}}, at(time.Duration(i)*time.Second))
			ok(t, err)
			if i == 3 {
				// Non-canonical bytes must come back untouched.
				e.Public = json.RawMessage(`{"z":1,  "a" : "中文",	"m":[3,2,1]}`)
			}
			idx := must[int64](t)(tx.AppendLedger(ctx, e))
			if idx != base+int64(i) {
				t.Errorf("AppendLedger #%d index %d, want %d", i, idx, base+int64(i))
			}
			e.Index = idx
			want = append(want, e)
		}
	})
	read(t, db, func(tx *store.Tx) {
		got := must[[]ledger.Entry](t)(tx.ListLedger(ctx, "", base, 0))
		eq(t, "ListLedger all", got, want)
		for i := range got {
			if string(got[i].Public) != string(want[i].Public) || string(got[i].Private) != string(want[i].Private) {
				t.Errorf("entry %d bytes differ", i)
			}
			if !got[i].Verify() {
				t.Errorf("entry %d commitment no longer verifies", i)
			}
		}
		eq(t, "ListLedger subject", must[[]ledger.Entry](t)(tx.ListLedger(ctx, "LDG-B", 0, 0)), []ledger.Entry{want[1], want[3]})
		eq(t, "ListLedger from+limit", must[[]ledger.Entry](t)(tx.ListLedger(ctx, "", base+1, 2)), want[1:3])
		eq(t, "ListLedger subject+from", must[[]ledger.Entry](t)(tx.ListLedger(ctx, "LDG-A", base+1, 1)), want[2:3])
		eq(t, "ListLedger past end", must[[]ledger.Entry](t)(tx.ListLedger(ctx, "", base+100, 0)), []ledger.Entry(nil))
	})
	// Zero time and nil parts round-trip too.
	var zero ledger.Entry
	write(t, db, func(tx *store.Tx) {
		zero = ledger.Entry{Type: ledger.Confidential, Salt: "s", Commitment: "c"}
		zero.Index = must[int64](t)(tx.AppendLedger(ctx, zero))
	})
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListLedger zero entry", must[[]ledger.Entry](t)(tx.ListLedger(ctx, "", zero.Index, 1)), []ledger.Entry{zero})
	})
	ledgerSize(t, db)
}

// testLedgerTree checks the stored Merkle tree against one computed afresh
// from the entries: the root at every size, every inclusion proof, the
// consistency proofs, checkpoints, and the rebuild of a tree lost at migration.
func testLedgerTree(t *testing.T, db *store.DB) {
	write(t, db, func(tx *store.Tx) {
		for i := range 21 {
			e, err := ledger.Seal(ledger.Draft{Type: "test.tree", Subject: "TREE", Public: map[string]any{"i": i}}, at(time.Duration(i)*time.Second))
			ok(t, err)
			must[int64](t)(tx.AppendLedger(ctx, e))
		}
	})
	var es []ledger.Entry
	read(t, db, func(tx *store.Tx) { es = must[[]ledger.Entry](t)(tx.ListLedger(ctx, "", 0, 0)) })
	leaves := make([][]byte, len(es))
	for i, e := range es {
		leaves[i] = must[[]byte](t)(e.LeafHash())
	}
	// Reference roots by folding leaves with a fresh frontier.
	roots := make([][]byte, len(leaves)+1)
	f := ledger.Frontier{}
	roots[0] = must[[]byte](t)(f.Root())
	for i, l := range leaves {
		var err error
		f, _, err = f.Append(l)
		ok(t, err)
		roots[i+1] = must[[]byte](t)(f.Root())
	}
	n := uint64(len(leaves))
	read(t, db, func(tx *store.Tx) {
		head := must[ledger.Frontier](t)(tx.LedgerTree(ctx))
		eq(t, "tree size", head.Size, n)
		eq(t, "head root", must[[]byte](t)(head.Root()), roots[n])
		nodes := func(ids []compact.NodeID) ([][]byte, error) { return tx.LedgerNodes(ctx, ids) }
		for _, size := range []uint64{1, 2, 3, n / 2, n - 1, n} {
			eq(t, fmt.Sprintf("root at %d", size), must[[]byte](t)(ledger.RootAt(size, nodes)), roots[size])
			for i := uint64(0); i < size; i++ {
				p := must[[][]byte](t)(ledger.InclusionProof(i, size, nodes))
				if err := ledger.VerifyInclusion(i, size, leaves[i], p, roots[size]); err != nil {
					t.Fatalf("inclusion of %d in %d: %v", i, size, err)
				}
			}
			for _, s1 := range []uint64{1, size / 2, size} {
				if s1 == 0 {
					continue
				}
				p := must[[][]byte](t)(ledger.ConsistencyProof(s1, size, nodes))
				if err := ledger.VerifyConsistency(s1, size, p, roots[s1], roots[size]); err != nil {
					t.Fatalf("consistency %d→%d: %v", s1, size, err)
				}
			}
		}
		if _, err := tx.LedgerNodes(ctx, []compact.NodeID{compact.NewNodeID(0, n+5)}); err == nil {
			t.Error("LedgerNodes of a node that does not exist: want an error")
		}
	})
	// Checkpoints: saved once per size, latest and covering.
	cp := ledger.Checkpoint{Origin: "test", Size: n, Root: roots[n], At: at(time.Hour), Note: []byte("note a")}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.SaveCheckpoint(ctx, ledger.Checkpoint{Origin: "test", Size: 2, Root: roots[2], At: at(time.Minute), Note: []byte("note 2")}))
		ok(t, tx.SaveCheckpoint(ctx, cp))
		ok(t, tx.SaveCheckpoint(ctx, ledger.Checkpoint{Origin: "test", Size: n, Root: roots[n], At: at(2 * time.Hour), Note: []byte("note b")}))
	})
	read(t, db, func(tx *store.Tx) {
		got, found, err := tx.LatestCheckpoint(ctx)
		ok(t, err)
		if !found || string(got.Note) != "note a" || got.Size != n || !bytes.Equal(got.Root, roots[n]) || !got.At.Equal(cp.At) {
			t.Errorf("LatestCheckpoint = %+v, %v; want the first note of size %d", got, found, n)
		}
		got, found, err = tx.CheckpointAtLeast(ctx, 2)
		ok(t, err)
		eq(t, "CheckpointAtLeast(2)", got.Size, uint64(2))
		_, found, err = tx.CheckpointAtLeast(ctx, n+1)
		ok(t, err)
		eq(t, "CheckpointAtLeast past the end", found, false)
	})
	// A database whose tree was never built (schema v1) gets it at migration.
	_, err := db.Writer().ExecContext(ctx, `DELETE FROM ledger_node`)
	ok(t, err)
	_, err = db.Writer().ExecContext(ctx, rebindFor(db, `UPDATE ledger_head SET size = 0, frontier = ? WHERE id = 1`), []byte{})
	ok(t, err)
	ok(t, db.Migrate(ctx))
	read(t, db, func(tx *store.Tx) {
		head := must[ledger.Frontier](t)(tx.LedgerTree(ctx))
		eq(t, "rebuilt size", head.Size, n)
		eq(t, "rebuilt root", must[[]byte](t)(head.Root()), roots[n])
		p := must[[][]byte](t)(ledger.InclusionProof(3, n, func(ids []compact.NodeID) ([][]byte, error) { return tx.LedgerNodes(ctx, ids) }))
		ok(t, ledger.VerifyInclusion(3, n, leaves[3], p, roots[n]))
	})
}

// testCustody: custodians of lots (and the lot filter on them), and the
// shares custodians submit — replaced, not duplicated, when resubmitted.
func testCustody(t *testing.T, db *store.DB) {
	f := seed(t, db, "cus-")
	other := tender.Lot{ID: "cus-l2", ProjectID: f.project.ID, Code: "cus-l2", Status: tender.Draft, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.CreateLot(ctx, other))
		ok(t, tx.SetCustodians(ctx, f.lot.ID, []ids.ID{"cus-c1", "cus-c2", "cus-c3"}))
		ok(t, tx.SetCustodians(ctx, other.ID, []ids.ID{"cus-c9"}))
		ok(t, tx.SetCustodians(ctx, other.ID, []ids.ID{"cus-c2"})) // replaces
	})
	read(t, db, func(tx *store.Tx) {
		ids2 := func(ls []tender.Lot) []ids.ID {
			var out []ids.ID
			for _, l := range ls {
				out = append(out, l.ID)
			}
			return out
		}
		eq(t, "lots of custodian c2", ids2(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{Custodian: "cus-c2"}))), []ids.ID{f.lot.ID, other.ID})
		eq(t, "published lots of custodian c2", ids2(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{Custodian: "cus-c2", Published: true}))), []ids.ID{f.lot.ID})
		eq(t, "lots of custodian c9 (replaced)", ids2(must[[]tender.Lot](t)(tx.ListLots(ctx, tender.LotFilter{Custodian: "cus-c9"}))), []ids.ID(nil))
	})
	s1 := tender.ShareRecord{LotID: f.lot.ID, BidID: "cus-b1", CustodianID: "cus-c1", Share: `{"x":1,"y":"00"}`, SubmittedAt: at(time.Minute)}
	s2 := tender.ShareRecord{LotID: f.lot.ID, BidID: "cus-b1", CustodianID: "cus-c2", Share: `{"x":2,"y":"01"}`, SubmittedAt: at(2 * time.Minute)}
	s3 := tender.ShareRecord{LotID: f.lot.ID, BidID: "cus-b2", CustodianID: "cus-c1", Share: `{"x":1,"y":"02"}`, SubmittedAt: at(time.Minute)}
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.SaveShare(ctx, s1))
		ok(t, tx.SaveShare(ctx, s3))
		ok(t, tx.SaveShare(ctx, tender.ShareRecord{LotID: f.lot.ID, BidID: "cus-b1", CustodianID: "cus-c2", Share: "old", SubmittedAt: at(0)}))
		ok(t, tx.SaveShare(ctx, s2)) // replaces the old one
	})
	write(t, db, func(tx *store.Tx) {
		ok(t, tx.NoteConfidential(ctx, f.lot.ID, 12, "198.51.100.7", "s12"))
		ok(t, tx.NoteConfidential(ctx, f.lot.ID, 3, "", ""))
		ok(t, tx.NoteConfidential(ctx, "cus-l2", 4, "2001:db8::1", "s4"))
	})
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.NoteConfidential(ctx, f.lot.ID, 3, "", "") })
	isCode(t, "noting an entry twice", err, apperr.Conflict)
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListConfidential", must[[]int64](t)(tx.ListConfidential(ctx, f.lot.ID)), []int64{3, 12})
		ip, salt, err := tx.ConfidentialIP(ctx, 12)
		ok(t, err)
		eq(t, "ConfidentialIP", ip+" "+salt, "198.51.100.7 s12")
		eq(t, "ListShares", must[[]tender.ShareRecord](t)(tx.ListShares(ctx, f.lot.ID)), []tender.ShareRecord{s1, s2, s3})
		eq(t, "ListShareCustodians", must[[]ids.ID](t)(tx.ListShareCustodians(ctx, f.lot.ID)), []ids.ID{"cus-c1", "cus-c2"})
		eq(t, "ListShares of another lot", must[[]tender.ShareRecord](t)(tx.ListShares(ctx, "cus-l2")), []tender.ShareRecord(nil))
	})
}

var errBoom = errors.New("boom")

func testRollback(t *testing.T, db *store.DB) {
	before := ledgerSize(t, db)
	var seqBefore int64
	write(t, db, func(tx *store.Tx) { seqBefore = must[int64](t)(tx.NextSeq(ctx, "rb-seq")) })
	do := func(tx *store.Tx) {
		ok(t, tx.CreateEntity(ctx, party.Entity{ID: "rb-e", USCC: "rb-uscc", Name: "回滚"}))
		must[int64](t)(tx.AppendLedger(ctx, ledger.Entry{Type: "x", Salt: "s", Commitment: "c"}))
		must[int64](t)(tx.NextSeq(ctx, "rb-seq"))
	}
	err := db.WithTx(ctx, func(tx *store.Tx) error { do(tx); return errBoom })
	if !errors.Is(err, errBoom) {
		t.Fatalf("WithTx returned %v, want the callback's error", err)
	}
	func() {
		defer func() {
			if r := recover(); r != "panic!" {
				t.Errorf("recovered %v, want the callback's panic", r)
			}
		}()
		_ = db.WithTx(ctx, func(tx *store.Tx) error { do(tx); panic("panic!") })
	}()
	read(t, db, func(tx *store.Tx) {
		_, err := tx.GetEntity(ctx, "rb-e")
		isCode(t, "rolled-back entity", err, apperr.NotFound)
	})
	if got := ledgerSize(t, db); got != before {
		t.Errorf("ledger size %d after rollbacks, want %d", got, before)
	}
	write(t, db, func(tx *store.Tx) {
		eq(t, "NextSeq after rollbacks", must[int64](t)(tx.NextSeq(ctx, "rb-seq")), seqBefore+1)
		eq(t, "next ledger index", must[int64](t)(tx.AppendLedger(ctx, ledger.Entry{Type: "x"})), before)
	})
}

func testReadOnly(t *testing.T, db *store.DB) {
	err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.CreateEntity(ctx, party.Entity{ID: "ro-e", USCC: "ro-uscc"})
	})
	if err == nil {
		t.Fatal("a write inside Read succeeded")
	}
	write(t, db, func(tx *store.Tx) {
		_, err := tx.GetEntity(ctx, "ro-e")
		isCode(t, "entity written in Read", err, apperr.NotFound)
	})
}

func testEnqueue(t *testing.T, db *store.DB) {
	job := jobs.Job{Kind: jobs.OpenBids, Subject: "lot-1", RunAt: at(time.Hour)}
	err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.Enqueue(ctx, job) })
	if err == nil || !errors.Is(err, store.ErrNoEnqueuer) {
		t.Errorf("Enqueue without enqueuer: %v", err)
	}

	var calls []jobs.Job
	db.SetEnqueuer(func(ctx context.Context, stx *sql.Tx, j jobs.Job) error {
		// The live transaction: what the enqueuer writes commits or rolls back with it.
		if _, err := stx.ExecContext(ctx, rebindFor(db, `INSERT INTO counters (name, v) VALUES (?, 1)`), "enq-"+j.Subject); err != nil {
			return err
		}
		calls = append(calls, j)
		return nil
	})
	t.Cleanup(func() { db.SetEnqueuer(nil) })
	var sqlTx *sql.Tx
	write(t, db, func(tx *store.Tx) {
		sqlTx = tx.SQL()
		ok(t, tx.Enqueue(ctx, job))
	})
	eq(t, "enqueued jobs", calls, []jobs.Job{job})
	if sqlTx == nil {
		t.Fatal("SQL() is nil")
	}
	_ = db.WithTx(ctx, func(tx *store.Tx) error {
		ok(t, tx.Enqueue(ctx, jobs.Job{Kind: jobs.ContractDue, Subject: "lot-2"}))
		return errBoom
	})
	write(t, db, func(tx *store.Tx) {
		eq(t, "committed job row", must[int64](t)(tx.NextSeq(ctx, "enq-lot-1")), int64(2))
		eq(t, "rolled-back job row", must[int64](t)(tx.NextSeq(ctx, "enq-lot-2")), int64(1))
	})

	db.SetEnqueuer(func(context.Context, *sql.Tx, jobs.Job) error { return errBoom })
	err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.Enqueue(ctx, job) })
	if !errors.Is(err, errBoom) {
		t.Errorf("Enqueue error not wrapped: %v", err)
	}
}

func rebindFor(db *store.DB, q string) string {
	if db.Dialect() != store.Postgres {
		return q
	}
	n := 0
	var b strings.Builder
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func testHolidays(t *testing.T, db *store.DB) {
	days := []calendar.Day{
		{Date: "2025-10-01", Kind: calendar.Holiday, Name: "国庆节"},
		{Date: "2025-01-01", Kind: calendar.Holiday, Name: "元旦"},
		{Date: "2025-09-28", Kind: calendar.Workday, Name: "国庆节调休"},
	}
	write(t, db, func(tx *store.Tx) { ok(t, tx.PutHolidays(ctx, days)) })
	days[0].Name = "国庆节、中秋节"
	write(t, db, func(tx *store.Tx) { ok(t, tx.PutHolidays(ctx, days[:1])) })
	read(t, db, func(tx *store.Tx) {
		eq(t, "ListHolidays", must[[]calendar.Day](t)(tx.ListHolidays(ctx)), []calendar.Day{days[1], days[2], days[0]})
	})
}

func testBind(t *testing.T, db *store.DB) {
	f := seed(t, db, "bnd-")
	var ts tender.Store = store.Bind[tender.Tx](db)
	var ps party.Store = store.Bind[party.Tx](db)
	ok(t, ts.WithTx(ctx, func(tx tender.Tx) error {
		_, err := tx.NextSeq(ctx, "bnd")
		return err
	}))
	ok(t, ps.Read(ctx, func(tx party.Tx) error {
		_, err := tx.GetEntity(ctx, f.principal.ID)
		return err
	}))
	ok(t, ts.Read(ctx, func(tx tender.Tx) error {
		_, err := tx.GetLot(ctx, f.lot.ID)
		return err
	}))
	err := ps.WithTx(ctx, func(tx party.Tx) error { return errBoom })
	if !errors.Is(err, errBoom) {
		t.Errorf("Runner.WithTx error: %v", err)
	}
}

// TestConcurrentWriters is the _txlock=immediate trap: concurrent
// read-then-write transactions must all succeed, and ledger indexes stay dense.
func TestConcurrentWriters(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		const workers, each = 8, 25
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			idxs []int64
			seqs []int64
			errs []error
		)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					err := db.WithTx(ctx, func(tx *store.Tx) error {
						if _, err := tx.ListLedger(ctx, "", 0, 1); err != nil { // read first
							return err
						}
						idx, err := tx.AppendLedger(ctx, ledger.Entry{At: t0, Type: "conc", Subject: fmt.Sprintf("w%d", w), Public: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i)), Salt: "s", Commitment: "c"})
						if err != nil {
							return err
						}
						seq, err := tx.NextSeq(ctx, "conc")
						if err != nil {
							return err
						}
						mu.Lock()
						idxs, seqs = append(idxs, idx), append(seqs, seq)
						mu.Unlock()
						return nil
					})
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("%d of %d transactions failed; first: %v", len(errs), workers*each, errs[0])
		}
		sort.Slice(idxs, func(i, j int) bool { return idxs[i] < idxs[j] })
		sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
		for i := range workers * each {
			if idxs[i] != int64(i) || seqs[i] != int64(i+1) {
				t.Fatalf("position %d: ledger index %d, seq %d", i, idxs[i], seqs[i])
			}
		}
		if n := ledgerSize(t, db); n != workers*each {
			t.Errorf("ledger size %d, want %d", n, workers*each)
		}
	})
}

// TestConcurrentWritersTwoPoolsSQLite is the same trap across two pools on
// one file (two processes, or a job runner with its own pool): only
// BEGIN IMMEDIATE (_txlock=immediate) keeps read-then-write transactions
// from failing with SQLITE_BUSY.
func TestConcurrentWritersTwoPoolsSQLite(t *testing.T) {
	path := "sqlite:" + filepath.Join(t.TempDir(), "two.db")
	var dbs []*store.DB
	for range 2 {
		db, err := store.Open(ctx, path)
		ok(t, err)
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	ok(t, dbs[0].Migrate(ctx))
	const workers, each = 8, 25
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := dbs[w%2]
			for range each {
				err := db.WithTx(ctx, func(tx *store.Tx) error {
					if _, err := tx.ListLedger(ctx, "", 0, 1); err != nil {
						return err
					}
					if _, err := tx.AppendLedger(ctx, ledger.Entry{Type: "conc"}); err != nil {
						return err
					}
					_, err := tx.NextSeq(ctx, "conc")
					return err
				})
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d transactions failed; first: %v", len(errs), workers*each, errs[0])
	}
	if n := ledgerSize(t, dbs[1]); n != workers*each {
		t.Errorf("ledger size %d, want %d", n, workers*each)
	}
}
