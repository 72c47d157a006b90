package web_test

import (
	"strings"
	"testing"

	"ggzy/internal/auction/rules"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// TestLandTenderInTheLandSales: a plot sold by tender (招标出让) is listed
// under 土地矿业权, labelled as a tender and linked to its project page,
// which shows the plot data; the property list does not carry it.
func TestLandTenderInTheLandSales(t *testing.T) {
	e := newEnv(t)
	w := e.w
	ctx := t.Context()
	seller := w.Actor("principal")
	p, err := w.Tender.CreateProject(ctx, seller, tender.ProjectInput{Name: "五象新区总部基地", Category: tender.LandUse})
	if err != nil {
		t.Fatal(err)
	}
	l, err := w.Tender.AddLot(ctx, seller, p.ID, tender.LotInput{Name: "GC2026-18号地块", Procedure: tender.Open, Method: tender.HighestPrice,
		Security: 60_000_000_00, CategoryCode: "E0101", CommitteeSize: 5, PrincipalReps: 1,
		Land: &tender.Land{Location: "南宁市良庆区秋月路以南、玉象路以东", AreaM2: 35120.56, Use: rules.LandResidential, TermYears: 70,
			PlotRatio: "1.0＜容积率≤3.0", StartPrice: money.Fen(300_000_000_00)}})
	if err != nil {
		t.Fatal(err)
	}
	hash, size, err := w.Blobs.Put(strings.NewReader("招标出让文件"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Tender.AddDocument(ctx, seller, l.ID, "招标出让文件.pdf", size, hash); err != nil {
		t.Fatal(err)
	}
	now := w.Clock.Now()
	dl := w.Tender.EarliestLandDeadline(now, 9, 30)
	if _, err := w.Tender.PublishTender(ctx, seller, l.ID, tender.PublishInput{DocsFrom: now, DocsUntil: dl, BidDeadline: dl}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	href := "/projects/" + string(p.ID) + "#lot-" + string(l.ID)
	must(t, "land list", b.get("/sales?cat=land"), 200, "招标出让", "五象新区总部基地 GC2026-18号地块", `href="`+href+`"`, "南宁市良庆区秋月路以南、玉象路以东", "¥300,000,000.00", "最高报价法", "共 <span class=\"num\">1</span> 宗")
	must(t, "all sales", b.get("/sales"), 200, `href="`+href+`"`)
	if pg := b.get("/sales?cat=property"); strings.Contains(pg.body, "GC2026-18号地块") {
		t.Error("a land tender in the property list")
	}
	must(t, "project page", b.get("/projects/"+string(p.ID)), 200, "国有建设用地使用权 · 招标出让", "出让人", "宗地坐落", "南宁市良庆区秋月路以南、玉象路以东",
		"35120.56 平方米", "居住用地", "70 年", "1.0＜容积率≤3.0", "起始价", "¥300,000,000.00", "国有建设用地使用权招标出让公告", `href="/sales?cat=land"`)
	if pg := b.get("/projects/" + string(p.ID)); strings.Contains(pg.body, "底价") || strings.Contains(pg.body, "估算价") {
		t.Error("the project page of a land tender in bidding mentions a reserve or an estimate")
	}
}
