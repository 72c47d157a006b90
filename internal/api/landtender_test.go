package api

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// landLotBody is a land lot for a land project: a plot, highest price.
func landLotBody() LotInput {
	return LotInput{Name: "GC2026-18号地块", Procedure: "open", Method: "highest_price", SecurityFen: 60_000_000_00, CategoryCode: "E0101",
		CommitteeSize: 5, PrincipalReps: 1, Land: &Land{Location: "南宁市良庆区秋月路以南", AreaM2: 35120.56, Use: "residential", TermYears: 70,
			PlotRatio: "1.0＜容积率≤3.0", Conditions: "竞得人须按规划条件建设", StartPriceFen: 300_000_000_00}}
}

// TestLandTenderThroughTheAPI: the seller registers a land project and a
// lot with its plot over the API, enters the reserve before the deadline
// (secret: no view shows it), and is refused with the field or the basis
// for a lot without plot, a works method, a works specialty, a reserve
// below the start price, by someone else, or after the deadline.
func TestLandTenderThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	seller := e.login("principal")

	var p Project
	e.do("POST", "/api/v1/projects", seller, ProjectInput{Name: "五象新区总部基地", Category: "land"}).want(t, 201, &p)
	if p.Category != "land" || p.CategoryLabel != "国有建设用地使用权招标出让" || p.SupervisorDept != "自然资源" || !strings.Contains(p.Code, "-TDZB-") {
		t.Fatalf("land project %+v", p)
	}
	lots := "/api/v1/projects/" + p.ID + "/lots"

	// Refusals, each next to its field.
	noPlot := landLotBody()
	noPlot.Land, noPlot.EstimateFen, noPlot.SecurityFen, noPlot.Method, noPlot.CategoryCode = nil, 100_000_000_00, 1_000_000_00, "lowest_price", "A0801"
	if eb := e.do("POST", lots, seller, noPlot).wantError(t, 422, "invalid"); eb.Fields["land"] == "" {
		t.Errorf("lot without plot: fields %v", eb.Fields)
	}
	works := landLotBody()
	works.Method, works.CategoryCode = "lowest_price", "A0801"
	eb := e.do("POST", lots, seller, works).wantError(t, 422, "invalid")
	if !strings.Contains(eb.Fields["method"], "最高报价法") || !strings.Contains(eb.Fields["category_code"], "E0101") {
		t.Errorf("works method and specialty on a land lot: fields %v", eb.Fields)
	}
	long := landLotBody()
	long.Land.TermYears = 71
	if eb := e.do("POST", lots, seller, long).wantError(t, 422, "invalid"); eb.Fields["term_years"] == "" || eb.Basis == "" {
		t.Errorf("term above the legal maximum: %+v", eb)
	}
	// Plot data on a works project is refused too.
	var wp Project
	e.do("POST", "/api/v1/projects", seller, ProjectInput{Name: "江南区排水管网改造工程", SupervisorDept: "住建"}).want(t, 201, &wp)
	if wp.Category != "works" {
		t.Errorf("default category %q", wp.Category)
	}
	if eb := e.do("POST", "/api/v1/projects/"+wp.ID+"/lots", seller, landLotBody()).wantError(t, 422, "invalid"); eb.Fields["land"] == "" {
		t.Errorf("plot on a works project: %v", eb.Fields)
	}

	var l Lot
	e.do("POST", lots, seller, landLotBody()).want(t, 201, &l)
	if l.Method != "highest_price" || l.MethodLabel != "最高报价法（价高者得）" || l.Land == nil || l.Land.StartPriceFen != 300_000_000_00 ||
		l.Land.Use != "residential" || l.EstimateFen != 300_000_000_00 {
		t.Fatalf("land lot %+v land %+v", l, l.Land)
	}
	reserve := "/api/v1/lots/" + l.ID + "/reserve"

	// The reserve: the seller only, not below the start price.
	e.do("PUT", reserve, e.login("bidder1"), ReserveInput{ReserveFen: 320_000_000_00}).wantError(t, 403, "forbidden")
	e.do("PUT", reserve, e.login("agency"), ReserveInput{ReserveFen: 320_000_000_00}).wantError(t, 403, "forbidden") // not this project's agency
	e.do("PUT", reserve, "", ReserveInput{ReserveFen: 320_000_000_00}).wantError(t, 401, "")
	if eb := e.do("PUT", reserve, seller, ReserveInput{ReserveFen: 290_000_000_00}).wantError(t, 422, "invalid"); eb.Fields["reserve"] == "" {
		t.Errorf("reserve below the start price: %+v", eb)
	}
	if r := e.do("PUT", reserve, seller, ReserveInput{ReserveFen: 320_000_000_00}); r.Code != 204 || len(r.Body) != 0 {
		t.Fatalf("reserve: %d %s", r.Code, r.Body)
	}
	// A works lot has no reserve (TBR 27, 50).
	var wl Lot
	e.do("POST", "/api/v1/projects/"+wp.ID+"/lots", seller, LotInput{Name: "第一标段", Procedure: "open", Method: "lowest_price", EstimateFen: 5_000_000_00,
		SecurityFen: 50_000_00, CategoryCode: "A0801", CommitteeSize: 5, PrincipalReps: 1}).want(t, 201, &wl)
	e.do("PUT", "/api/v1/lots/"+wl.ID+"/reserve", seller, ReserveInput{ReserveFen: 320_000_000_00}).wantError(t, 409, "conflict")

	// Publish with the land notice period; the reserve shows nowhere.
	e.do("POST", "/api/v1/lots/"+l.ID+"/documents?name="+url.QueryEscape("招标出让文件.pdf"), seller, []byte("招标出让文件")).want(t, 201, nil)
	now := e.w.Clock.Now()
	dl := e.w.Tender.EarliestLandDeadline(now, 9, 30)
	e.do("POST", "/api/v1/lots/"+l.ID+"/publish", seller, PublishInput{DocsFrom: now, DocsUntil: dl.AddDate(0, 0, -1), BidDeadline: dl.AddDate(0, 0, -1)}).wantError(t, 422, "invalid")
	e.do("POST", "/api/v1/lots/"+l.ID+"/publish", seller, PublishInput{DocsFrom: now, DocsUntil: dl, BidDeadline: dl}).want(t, 201, nil)
	for _, who := range []string{"", seller, e.login("bidder1"), e.login("operator")} {
		for _, path := range []string{"/api/v1/lots/" + l.ID, "/api/v1/lots/" + l.ID + "/timeline", "/api/v1/projects/" + p.ID} {
			r := e.do("GET", path, who, nil)
			r.want(t, 200, nil)
			if strings.Contains(string(r.Body), "32000000000") || strings.Contains(string(r.Body), `"reserve"`) {
				t.Errorf("%s shows the reserve before the result: %.300s", path, r.Body)
			}
		}
	}
	var v LotView
	e.do("GET", "/api/v1/lots/"+l.ID, "", nil).want(t, 200, &v)
	if v.Project.Category != "land" || v.Lot.Land == nil || v.Lot.Land.Location != "南宁市良庆区秋月路以南" {
		t.Errorf("public lot view: %+v", v.Lot.Land)
	}
	// The land notices are filtered by their category.
	var page NoticePage
	e.do("GET", "/api/v1/notices?category=land", "", nil).want(t, 200, &page)
	if len(page.Items) != 1 || !strings.HasSuffix(page.Items[0].Title, "国有建设用地使用权招标出让公告") {
		t.Errorf("land notices: %+v", page.Items)
	}

	// After the deadline the reserve can no longer be entered.
	e.w.Clock.Set(dl.Add(time.Minute))
	if eb := e.do("PUT", reserve, seller, ReserveInput{ReserveFen: 330_000_000_00}).wantError(t, 409, "deadline"); !strings.Contains(eb.Basis, "国土资源部令第39号") {
		t.Errorf("reserve after the deadline: %+v", eb)
	}
}
