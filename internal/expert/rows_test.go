package expert_test

import (
	"testing"
	"time"

	"ggzy/internal/expert"
)

// TestPolicyRowsShowThePolicyGiven: the rows are read from the policy, so
// a local rule that tightens it (age cap 65) is what users are told.
func TestPolicyRowsShowThePolicyGiven(t *testing.T) {
	p := expert.DefaultPolicy()
	p.AgeMax, p.MaxDraws, p.Window = 65, 6, 30*24*time.Hour
	got := map[string]string{}
	for _, r := range p.Rows() {
		if r.Text == "" || r.Basis == "" || r.Standing.Label() == "未标注" {
			t.Errorf("%s: incomplete row %+v", r.Key, r)
		}
		got[r.Key] = r.Value
	}
	for k, want := range map[string]string{"expert.age_max": "65周岁", "expert.years_min": "8年", "expert.draw_cap": "30日内不超过6次", "expert.confirm_within": "30分钟"} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	p.MaxDraws = 0
	for _, r := range p.Rows() {
		if r.Key == "expert.draw_cap" && r.Value != "不限" {
			t.Errorf("no cap shown as %q", r.Value)
		}
	}
}
