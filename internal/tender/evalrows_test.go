package tender_test

import (
	"strings"
	"testing"
	"time"

	"ggzy/internal/scoring"
	"ggzy/internal/tender"
)

// TestEvalPolicyRows: the room's numbers are read from the policy given,
// each with a basis and a standing; the extension quotes TBR 48.
func TestEvalPolicyRows(t *testing.T) {
	p := tender.DefaultEvalPolicy()
	p.DeviationPct, p.WaitBefore = 15, 90*time.Minute
	got := map[string]string{}
	for _, r := range p.Rows() {
		if r.Text == "" || r.Basis == "" || r.Standing.Label() == "未标注" {
			t.Errorf("%s: incomplete row %+v", r.Key, r)
		}
		if r.Key == "eval.extension" && !strings.Contains(r.Basis, scoring.BasisExtension) {
			t.Errorf("extension basis %q", r.Basis)
		}
		got[r.Key] = r.Value
	}
	for k, want := range map[string]string{"eval.duration": "8小时", "eval.extension": "4小时", "eval.deviation": "15%", "eval.wait_before": "90分钟", "eval.wait_during": "4小时"} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}
