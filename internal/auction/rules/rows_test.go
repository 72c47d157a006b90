package rules

import (
	"reflect"
	"strings"
	"testing"

	table "ggzy/internal/rules"
)

// TestRowsListEveryParameterOnce: every field of Params — found by
// reflection, so a field added later without a row fails here — has
// exactly one row keyed "sale." + its JSON name, with what it governs, a
// value, and the field's own basis and standing.
func TestRowsListEveryParameterOnce(t *testing.T) {
	p := DefaultParams()
	rows := p.Rows()
	byKey := map[string][]table.Row{}
	for _, r := range rows {
		byKey[r.Key] = append(byKey[r.Key], r)
	}
	v, typ := reflect.ValueOf(p), reflect.TypeOf(p)
	if len(rows) != typ.NumField() {
		t.Errorf("%d rows for %d fields of Params", len(rows), typ.NumField())
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		key := "sale." + name
		got := byKey[key]
		if len(got) != 1 {
			t.Errorf("field %s: %d rows with key %s, want exactly 1", f.Name, len(got), key)
			continue
		}
		r := got[0]
		if strings.TrimSpace(r.Text) == "" || strings.TrimSpace(r.Value) == "" || strings.TrimSpace(r.Basis) == "" {
			t.Errorf("%s: empty text, value or basis: %+v", key, r)
		}
		if r.Standing.Label() == "未标注" {
			t.Errorf("%s: standing %q has no label", key, r.Standing)
		}
		fv := v.Field(i)
		if b := fv.FieldByName("Basis").String(); r.Basis != b {
			t.Errorf("%s: basis %q, want the parameter's %q", key, r.Basis, b)
		}
		if tag := fv.FieldByName("Tag").String(); string(r.Standing) != tag {
			t.Errorf("%s: standing %q, want the parameter's tag %q", key, r.Standing, tag)
		}
	}
	want := map[string]string{
		"sale.land_notice":         "20日",
		"sale.listing_period":      "10个工作日",
		"sale.countdown":           "5分钟",
		"sale.reserve_lead":        "30分钟",
		"sale.min_auction_bidders": "3人",
		"sale.leader_may_rebid":    "否",
		"sale.agreement_rounds":    "2轮",
	}
	for k, val := range want {
		if rs := byKey[k]; len(rs) == 1 && rs[0].Value != val {
			t.Errorf("%s = %q, want %q", k, rs[0].Value, val)
		}
	}
	if r := byKey["sale.listing_period"]; len(r) == 1 && (!strings.Contains(r[0].Basis, "国土资源部令第39号") || r[0].Standing.Label() != "二手来源") {
		t.Errorf("listing period row: %+v", r[0])
	}
	if r := byKey["sale.auction_viewing"]; len(r) == 1 && r[0].Standing.Label() != "法律" {
		t.Errorf("viewing row standing: %+v", r[0])
	}
}

// TestRowsShowTheSettingsGiven: the rows describe the Params they are
// called on, not the defaults; a basis or tag missing from stored
// parameters is the default's.
func TestRowsShowTheSettingsGiven(t *testing.T) {
	p := DefaultParams()
	p.ListingPeriod.Value = 15
	p.Countdown.Seconds = 90
	p.ReserveTest.Test = ReserveAbove
	p.LeaderMayRebid.On = true
	p.LandNotice.Basis, p.LandNotice.Tag = "", ""
	got := map[string]table.Row{}
	for _, r := range p.Rows() {
		got[r.Key] = r
	}
	for k, want := range map[string]string{
		"sale.listing_period":   "15个工作日",
		"sale.countdown":        "90秒",
		"sale.reserve_test":     "最高报价须高于底价",
		"sale.leader_may_rebid": "是",
	} {
		if got[k].Value != want {
			t.Errorf("%s = %q, want %q", k, got[k].Value, want)
		}
	}
	if r := got["sale.land_notice"]; r.Basis != BasisLO39 || r.Standing != table.Secondary {
		t.Errorf("land notice without a stored basis: %+v", r)
	}
}
