package api

import (
	"strings"
	"testing"

	"ggzy/internal/auction"
	arules "ggzy/internal/auction/rules"
	"ggzy/internal/expert"
	"ggzy/internal/fixture"
	"ggzy/internal/httpx"
	"ggzy/internal/store"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
)

func paramByKey(t *testing.T, rows []ParamRule, key string) ParamRule {
	t.Helper()
	for _, r := range rows {
		if r.Key == key {
			return r
		}
	}
	t.Fatalf("no rule %s", key)
	return ParamRule{}
}

// TestRulesListTheSalesAndTheExpertRules: GET /api/v1/rules keeps the
// engineering set and adds the sales' parameters (one per field of
// Params) and the expert pool's and room's, each with value, basis and
// standing.
func TestRulesListTheSalesAndTheExpertRules(t *testing.T) {
	e := newEnv(t)
	var got RuleSet
	e.do("GET", "/api/v1/rules", "", nil).want(t, 200, &got)
	if got.Name != "工程建设项目招标" || len(got.Rules) == 0 {
		t.Errorf("engineering set: %q, %d rules", got.Name, len(got.Rules))
	}
	if n := len(arules.DefaultParams().Rows()); len(got.Sales) != n {
		t.Errorf("%d sales rules, want %d", len(got.Sales), n)
	}
	r := paramByKey(t, got.Sales, "sale.listing_period")
	if r.Description != "10个工作日" || !strings.Contains(r.Basis, arules.BasisLO39) || r.Standing != "secondary" || r.StandingLabel != "二手来源" || r.Text == "" {
		t.Errorf("listing period: %+v", r)
	}
	if r := paramByKey(t, got.Experts, "expert.years_min"); r.Description != "8年" || r.Basis != expert.BasisQualification || r.Standing != "law" {
		t.Errorf("years: %+v", r)
	}
	if r := paramByKey(t, got.Experts, "eval.deviation"); r.Description != "20%" || r.StandingLabel != "平台设定" {
		t.Errorf("deviation: %+v", r)
	}
}

// TestRulesReadTheParametersInForce: the API reports the sales'
// parameters and the room's policy the services were built with.
func TestRulesReadTheParametersInForce(t *testing.T) {
	db := testkit.OpenSQLite(t)
	p := arules.DefaultParams()
	p.Countdown.Seconds = 3 * 60
	p.ListingPeriod.Value = 15
	ev := tender.DefaultEvalPolicy()
	ev.DeviationPct = 15
	e := newEnvOn(t, db, func(d *httpx.Deps) {
		s, err := auction.New(auction.Config{Store: store.Bind[auction.Tx](db), Clock: d.Clock, Calendar: d.Calendar, Region: fixture.Region, Params: &p})
		if err != nil {
			t.Fatal(err)
		}
		d.Auction = s
		d.Tender = tender.New(tender.Config{Store: store.Bind[tender.Tx](db), Clock: d.Clock, Rules: d.Tender.Rules(), Calendar: d.Calendar, Region: fixture.Region, Eval: ev})
	})
	var got RuleSet
	e.do("GET", "/api/v1/rules", "", nil).want(t, 200, &got)
	if r := paramByKey(t, got.Sales, "sale.listing_period"); r.Description != "15个工作日" {
		t.Errorf("listing period: %+v", r)
	}
	if r := paramByKey(t, got.Sales, "sale.countdown"); r.Description != "3分钟" {
		t.Errorf("countdown: %+v", r)
	}
	if r := paramByKey(t, got.Experts, "eval.deviation"); r.Description != "15%" {
		t.Errorf("deviation: %+v", r)
	}
}
