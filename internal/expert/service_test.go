package expert_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
	"ggzy/internal/expert"
	"ggzy/internal/expert/classify"
	"ggzy/internal/ids"
	"ggzy/internal/party"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
)

var ctx = context.Background()

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, clock.Shanghai).UTC()

type world struct {
	db  *store.DB
	clk *clock.Fake
	s   *expert.Service
	op  party.Actor
	sup party.Actor
	seq int
}

func newWorld(t *testing.T, db *store.DB) *world {
	clk := clock.NewFake(t0)
	return &world{db: db, clk: clk, s: expert.NewService(store.Bind[expert.Tx](db), clk, &ids.Generator{}, expert.DefaultPolicy(), classify.Default().Valid),
		op: party.Actor{UserID: "op1", Name: "值班员", Role: party.RoleOperator}, sup: party.Actor{UserID: "sup1", Name: "监督员", Role: party.RoleSupervisor}}
}

func (w *world) input(birthYear int) expert.Input {
	w.seq++
	return expert.Input{Name: fmt.Sprintf("专家%d", w.seq), IDNumber: expert.IDNumber(fmt.Sprintf("450102%04d0301%03d", birthYear, w.seq)), EmployerName: "广西大学",
		Title: "高级工程师", Senior: true, FieldSince: 2005, Specialties: []string{"A0801", "a080101 "}, City: "450300"}
}

func (w *world) active(t *testing.T) expert.Expert {
	t.Helper()
	e, err := w.s.Apply(ctx, w.op, w.input(1975))
	must(t, err)
	e, err = w.s.Review(ctx, w.op, e.ID, true, "", ids.ID(fmt.Sprintf("user-%d", w.seq)))
	must(t, err)
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("want %s, got %v", code, err)
	}
	return apperr.As(err)
}

func TestCheckIDNumber(t *testing.T) {
	good := expert.IDNumber("45010219750301001")
	for _, c := range []struct {
		in string
		ok bool
	}{
		{good, true},
		{strings.ToLower(expert.IDNumber("11010519491231002")), true}, // the GB 11643 example, lower-case x accepted
		{good[:17] + "0", good[17] == '0'},
		{"45010219750301", false},
		{"450102197502300011", false}, // 30 February
		{"0" + good[1:], false},
	} {
		_, err := expert.CheckIDNumber(c.in)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.in, err, c.ok)
		}
	}
	b, err := expert.CheckIDNumber(good)
	must(t, err)
	if b.Year() != 1975 || b.Month() != 3 || b.Day() != 1 {
		t.Errorf("birth %v", b)
	}
	if m := expert.MaskID(good); m != "4501**********"+good[14:] {
		t.Errorf("mask %s", m)
	}
}

func TestPoolLifecycle(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		t.Run("ApplicationIsValidated", func(t *testing.T) {
			for name, c := range map[string]struct {
				edit  func(*expert.Input)
				field string
			}{
				"no name":        {func(in *expert.Input) { in.Name = " " }, "name"},
				"bad id":         {func(in *expert.Input) { in.IDNumber = "123" }, "id_number"},
				"no specialty":   {func(in *expert.Input) { in.Specialties = nil }, "specialties"},
				"unknown code":   {func(in *expert.Input) { in.Specialties = []string{"A9999"} }, "specialties"},
				"bad city":       {func(in *expert.Input) { in.City = "桂林" }, "city"},
				"no employer":    {func(in *expert.Input) { in.EmployerName = "" }, "employer"},
				"future start":   {func(in *expert.Input) { in.FieldSince = 2099 }, "field_since"},
				"unknown USCC":   {func(in *expert.Input) { in.EmployerUSCC = "91450100MA5L000000" }, "employer"},
				"no title given": {func(in *expert.Input) { in.Title = "" }, "title"},
			} {
				in := w.input(1975)
				c.edit(&in)
				_, err := w.s.Apply(ctx, w.op, in)
				if e := apperr.As(err); err == nil || e.Fields[c.field] == "" {
					t.Errorf("%s: %v (fields %v)", name, err, e.Fields)
				}
			}
			_, err := w.s.Apply(ctx, party.Actor{UserID: "pub", Role: party.RolePublic}, w.input(1975))
			wantCode(t, err, apperr.Forbidden)
			// A bidder may recommend only its own staff.
			_, err = w.s.Apply(ctx, party.Actor{UserID: "b1", Role: party.RoleBidder, EntityID: "ent-1"}, w.input(1975))
			wantCode(t, err, apperr.Forbidden)
		})
		t.Run("ReviewChecksTheStatute", func(t *testing.T) {
			junior := w.input(1975)
			junior.Senior, junior.Title = false, "工程师"
			e, err := w.s.Apply(ctx, w.op, junior)
			must(t, err)
			if e.Status != expert.Applied || e.Specialties[1] != "A080101" {
				t.Fatalf("applied %+v", e)
			}
			_, err = w.s.Review(ctx, w.op, e.ID, true, "", "u-j")
			if wantCode(t, err, apperr.Conflict).Basis != expert.BasisQualification {
				t.Errorf("basis %v", err)
			}
			fresh := w.input(1975)
			fresh.FieldSince = 2020
			e, err = w.s.Apply(ctx, w.op, fresh)
			must(t, err)
			_, err = w.s.Review(ctx, w.op, e.ID, true, "", "u-f")
			wantCode(t, err, apperr.Conflict)
			old := w.input(1955) // 71 at T0
			e, err = w.s.Apply(ctx, w.op, old)
			must(t, err)
			_, err = w.s.Review(ctx, w.op, e.ID, true, "", "u-o")
			if wantCode(t, err, apperr.Conflict).Basis != expert.BasisAge {
				t.Errorf("basis %v", err)
			}
			_, err = w.s.Review(ctx, w.sup, e.ID, true, "", "u-o")
			wantCode(t, err, apperr.Forbidden)
			_, err = w.s.Review(ctx, w.op, e.ID, false, "", "")
			wantCode(t, err, apperr.Invalid) // a rejection needs its reason
			e, err = w.s.Review(ctx, w.op, e.ID, false, "超过年龄上限", "")
			must(t, err)
			if e.Status != expert.Rejected {
				t.Fatalf("status %s", e.Status)
			}
			ok, err := w.s.Apply(ctx, w.op, w.input(1975))
			must(t, err)
			_, err = w.s.Review(ctx, w.op, ok.ID, true, "", "")
			wantCode(t, err, apperr.Invalid) // no login, no notifications
			ok, err = w.s.Review(ctx, w.op, ok.ID, true, "", "u-ok")
			must(t, err)
			if ok.Status != expert.Active || ok.UserID != "u-ok" {
				t.Fatalf("approved %+v", ok)
			}
			// The same person cannot apply twice.
			again := w.input(1975)
			again.IDNumber = ok.IDNumber
			_, err = w.s.Apply(ctx, w.op, again)
			wantCode(t, err, apperr.Conflict)
		})
		t.Run("SanctionsAndExitKeepTheHistory", func(t *testing.T) {
			e := w.active(t)
			_, err := w.s.Sanction(ctx, w.op, e.ID, false, "", "", time.Time{})
			if f := wantCode(t, err, apperr.Invalid).Fields; f["reason"] == "" || f["source"] == "" {
				t.Errorf("fields %v", f)
			}
			_, err = w.s.Sanction(ctx, party.Actor{UserID: "x", Role: party.RoleAgency}, e.ID, false, "r", "s", time.Time{})
			wantCode(t, err, apperr.Forbidden)
			until := t0.AddDate(0, 6, 0)
			e, err = w.s.Sanction(ctx, w.sup, e.ID, false, "未按规定回避", "南宁市住建局决定书2026-3号", until)
			must(t, err)
			if e.Status != expert.Suspended || e.Drawable(w.clk.Now()) || !e.Drawable(until) {
				t.Fatalf("suspended %+v", e)
			}
			e, err = w.s.Sanction(ctx, w.sup, e.ID, true, "串通投标", "投诉处理决定", time.Time{})
			must(t, err)
			_, err = w.s.Exit(ctx, w.op, e.ID, expert.ExitVoluntary, "")
			wantCode(t, err, apperr.Conflict) // blacklisted experts cannot walk away
			_, err = w.s.Reinstate(ctx, w.op, e.ID, "期满")
			wantCode(t, err, apperr.Forbidden)
			e, err = w.s.Reinstate(ctx, w.sup, e.ID, "行政复议撤销原决定")
			must(t, err)
			e, err = w.s.Exit(ctx, party.Actor{UserID: e.UserID, Role: party.RoleExpert}, e.ID, expert.ExitVoluntary, "")
			must(t, err)
			_, err = w.s.Exit(ctx, w.op, e.ID, expert.ExitAssessment, "考核不合格")
			wantCode(t, err, apperr.Conflict)
			got, evs, err := w.s.Get(ctx, w.op, e.ID)
			must(t, err)
			var types []string
			for _, ev := range evs {
				types = append(types, ev.Type)
				if ev.Ledger == 0 {
					t.Errorf("event %s without ledger entry", ev.Type)
				}
			}
			if strings.Join(types, ",") != "applied,approved,suspended,blacklisted,reinstated,exited" || got.Status != expert.Exited {
				t.Fatalf("history %v status %s", types, got.Status)
			}
			if evs[2].Until.IsZero() || evs[2].Source == "" {
				t.Errorf("suspension event %+v", evs[2])
			}
			// Profiles are not public; the expert sees its own.
			_, _, err = w.s.Get(ctx, party.Actor{UserID: "someone", Role: party.RoleBidder}, e.ID)
			wantCode(t, err, apperr.NotFound)
			_, _, err = w.s.Get(ctx, party.Actor{UserID: e.UserID, Role: party.RoleExpert}, e.ID)
			must(t, err)
		})
		t.Run("AgeLimitRetiresExperts", func(t *testing.T) {
			e := w.active(t) // born 1975
			_, err := w.s.Exit(ctx, party.System(), e.ID, expert.ExitAge, "")
			wantCode(t, err, apperr.Conflict)
			w.clk.Set(time.Date(2045, 3, 2, 9, 0, 0, 0, clock.Shanghai)) // 70 on 1 March 2045
			n, err := w.s.RetireOverAge(ctx)
			must(t, err)
			if n == 0 {
				t.Fatal("nobody retired")
			}
			got, _, err := w.s.Get(ctx, w.op, e.ID)
			must(t, err)
			if got.Status != expert.Exited || got.StatusSource != expert.ExitAge {
				t.Fatalf("after the age limit %+v", got)
			}
			w.clk.Set(t0)
		})
	})
}
