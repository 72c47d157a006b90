package web_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"ggzy/internal/auction"
	arules "ggzy/internal/auction/rules"
	"ggzy/internal/expert"
	"ggzy/internal/expert/classify"
	"ggzy/internal/fixture"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
	"ggzy/internal/web"
)

// ruleRowOf is the table row of the rules page with the given key.
func ruleRowOf(t *testing.T, body, key string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr id="rule-` + regexp.QuoteMeta(key) + `">(.*?)</tr>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("rules page has no row %s", key)
	}
	return m[1]
}

// TestRulesPageShowsTheSalesAndTheExpertRules: /rules has three sections,
// each an accessible table; a sale's row shows its value, basis and
// standing (the listing period: 10 working days, LO39, second-hand), the
// expert section the pool's age cap and the room's deviation threshold.
func TestRulesPageShowsTheSalesAndTheExpertRules(t *testing.T) {
	e := newEnv(t)
	p := e.browser().get("/rules")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	for _, want := range []string{"工程建设项目招标", "土地矿业权与国有产权交易", "评标专家与评标",
		`<caption class="sr-only">土地矿业权与国有产权交易规则表</caption>`, `<th scope="col">来源</th>`, `<th scope="col" class="r">现行值</th>`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("rules page lacks %q", want)
		}
	}
	row := ruleRowOf(t, p.body, "sale.listing_period")
	for _, want := range []string{"挂牌期", "10个工作日", html.EscapeString(arules.BasisLO39), "二手来源"} {
		if !strings.Contains(row, want) {
			t.Errorf("listing period row lacks %q: %s", want, row)
		}
	}
	if row := ruleRowOf(t, p.body, "sale.auction_viewing"); !strings.Contains(row, html.EscapeString(arules.BasisAL48)) || !strings.Contains(row, "法律") {
		t.Errorf("viewing row: %s", row)
	}
	row = ruleRowOf(t, p.body, "expert.age_max")
	for _, want := range []string{"70周岁", html.EscapeString(expert.BasisAge)} {
		if !strings.Contains(row, want) {
			t.Errorf("age cap row lacks %q: %s", want, row)
		}
	}
	if row := ruleRowOf(t, p.body, "expert.years_min"); !strings.Contains(row, "8年") || !strings.Contains(row, html.EscapeString(expert.BasisQualification)) {
		t.Errorf("years row: %s", row)
	}
	if row := ruleRowOf(t, p.body, "eval.deviation"); !strings.Contains(row, "20%") || !strings.Contains(row, "平台设定") {
		t.Errorf("deviation row: %s", row)
	}
	if row := ruleRowOf(t, p.body, "tender.bid_period_min"); !strings.Contains(row, "20日") || strings.Contains(row, `data-label="来源"`) {
		t.Errorf("engineering row: %s", row)
	}
}

// TestRulesPageReadsTheParametersInForce: a platform whose sales take a
// 15-working-day listing and whose pool caps the age at 65 says so.
func TestRulesPageReadsTheParametersInForce(t *testing.T) {
	w := fixture.New(t, testkit.OpenSQLite(t))
	p := arules.DefaultParams()
	p.ListingPeriod.Value = 15
	sales, err := auction.New(auction.Config{Store: store.Bind[auction.Tx](w.DB), Clock: w.Clock, IDs: w.IDs, Calendar: w.Calendar, Region: fixture.Region, Params: &p})
	if err != nil {
		t.Fatal(err)
	}
	pol := expert.DefaultPolicy()
	pol.AgeMax = 65
	d := w.HTTPDeps()
	d.Auction = sales
	d.Expert = expert.NewService(store.Bind[expert.Tx](w.DB), w.Clock, w.IDs, pol, classify.Default().Valid)
	h, err := web.New(d)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	e := &env{t: t, w: w, ts: ts}
	body := e.browser().get("/rules").body
	if row := ruleRowOf(t, body, "sale.listing_period"); !strings.Contains(row, "15个工作日") {
		t.Errorf("listing period row: %s", row)
	}
	if row := ruleRowOf(t, body, "expert.age_max"); !strings.Contains(row, "65周岁") {
		t.Errorf("age cap row: %s", row)
	}
}
