package app_test

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"ggzy/internal/app"
)

// checkDemoLandTender: the demo's plot sold by tender is listed under
// 土地矿业权 as a 招标出让 with its 竞得人 and 成交价, and its project page
// shows the plot, the revealed reserve and the award as a land sale.
func checkDemoLandTender(t *testing.T, a *app.App) {
	t.Helper()
	get := func(path string) string {
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		b, _ := io.ReadAll(rec.Body)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		return string(b)
	}
	list := get("/sales?cat=land")
	for _, want := range []string{"招标出让", "南宁市五象新区总部基地 GC2026-031号地块", "竞得人", "成交价", "¥138,800,000.00"} {
		if !strings.Contains(list, want) {
			t.Errorf("land list lacks %q", want)
		}
	}
	m := regexp.MustCompile(`href="(/projects/[^"#]+)#lot-[^"]+">南宁市五象新区总部基地 GC2026-031号地块`).FindStringSubmatch(list)
	if m == nil {
		t.Fatal("no link from the land list to the land tender's project page")
	}
	page := get(m[1])
	for _, want := range []string{"宗地坐落", "南宁市良庆区五象新区龙堤路以东、平乐大道以南", "商业、旅游、娱乐用地", "40 年", "起始价", "¥128,000,000.00",
		"底价", "¥130,000,000.00", "中标人（竞得人）", "成交价", "国有建设用地使用权招标出让结果公告"} {
		if !strings.Contains(page, want) {
			t.Errorf("land tender page lacks %q", want)
		}
	}
}
