package tender_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	arules "ggzy/internal/auction/rules"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/fixture"
	"ggzy/internal/ids"
	"ggzy/internal/ledger"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/scoring"
	"ggzy/internal/store"
	"ggzy/internal/tender"
	"ggzy/internal/testkit"
)

const wan = money.Fen(10_000_00) // 1万元

// landWorld adds to the fixture a natural-resources bureau (users zrzy and
// its representative zrzy2) and five land experts (E0101).
func landWorld(t *testing.T, db *store.DB) *fixture.World {
	t.Helper()
	w := fixture.New(t, db)
	sys := party.System()
	code, err := party.MakeUSCC("11", fixture.Region, "50000001")
	noErr(t, err)
	bureau, err := w.Party.RegisterEntity(ctx, sys, party.EntityInput{USCC: code, Name: "南宁市自然资源局", LegalRep: "蒙建国", Kind: party.KindPrincipal, Region: fixture.Region})
	noErr(t, err)
	for _, u := range []string{"zrzy", "zrzy2"} {
		usr, err := w.Party.CreateUser(ctx, sys, party.UserInput{Username: u, Name: "出让科" + u, Password: fixture.Password, Role: party.RolePrincipal, EntityID: bureau.ID})
		noErr(t, err)
		w.Users[u] = usr
	}
	op := w.Actor("operator")
	for i := 0; i < 5; i++ {
		uname := fmt.Sprintf("landexpert%d", i+1)
		usr, err := w.Party.CreateUser(ctx, sys, party.UserInput{Username: uname, Name: fmt.Sprintf("土地专家%d", i+1), Password: fixture.Password, Role: party.RoleExpert})
		noErr(t, err)
		w.Users[uname] = usr
		e, err := w.Expert.Apply(ctx, op, expert.Input{Name: fmt.Sprintf("土地专家%d", i+1), IDNumber: expert.IDNumber(fmt.Sprintf("45010219800202%03d", 100+i)),
			EmployerName: "广西国土资源规划院", Title: "高级工程师", Senior: true, FieldSince: 2005, Specialties: []string{"E0101"}, City: fixture.Region})
		noErr(t, err)
		_, err = w.Expert.Review(ctx, op, e.ID, true, "", usr.ID)
		noErr(t, err)
	}
	return w
}

func plot() *tender.Land {
	return &tender.Land{Location: "南宁市良庆区五象新区秋月路以南", AreaM2: 35_120.56, Use: arules.LandResidential, TermYears: 70,
		PlotRatio: "1.0 < 容积率 ≤ 3.0", Conditions: "竞得人须按规划条件建设", StartPrice: 30_000 * wan}
}

func landLot(method tender.Method) tender.LotInput {
	return tender.LotInput{Name: "GC2026-18号地块", Procedure: tender.Open, Method: method, Security: 6_000 * wan, CategoryCode: "E0101",
		CommitteeSize: 5, PrincipalReps: 1, Land: plot()}
}

// TestLandTender sells a plot by tender on every database: a land project
// of the bureau, the land notice period, a reserve committed in the ledger,
// a bid below the start price rejected at the opening with its basis, land
// experts drawn, the highest price not below the reserve winning, the
// reserve revealed with the result, the award as a land sale.
func TestLandTender(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		w := landWorld(t, db)
		seller := w.Actor("zrzy")

		p, err := w.Tender.CreateProject(ctx, seller, tender.ProjectInput{Name: "五象新区总部基地", Category: tender.LandUse})
		noErr(t, err)
		if p.Category != tender.LandUse || p.SupervisorDept != tender.LandDept || !strings.Contains(p.Code, "-TDZB-") {
			t.Fatalf("land project %+v", p)
		}

		// What a land lot must carry, each refusal with its reason.
		t.Run("LotRules", func(t *testing.T) {
			works := landLot(tender.LowestPrice)
			works.Land, works.Estimate, works.CategoryCode, works.Security = nil, 100*wan, "A0801", wan
			e := wantErr(t, firstErr(w.Tender.AddLot(ctx, seller, p.ID, works)), apperr.Invalid, "")
			if e.Fields["land"] == "" {
				t.Errorf("a land project's lot without plot data: %v", e)
			}
			long := landLot(tender.HighestPrice)
			long.Land.TermYears = 71
			wantErr(t, firstErr(w.Tender.AddLot(ctx, seller, p.ID, long)), apperr.Invalid, arules.BasisLandTerm)
			low := landLot(tender.LowestPrice)
			low.CategoryCode = "A0801"
			e = wantErr(t, firstErr(w.Tender.AddLot(ctx, seller, p.ID, low)), apperr.Invalid, "")
			if e.Fields["method"] == "" || e.Fields["category_code"] == "" {
				t.Errorf("lowest price and a works specialty accepted on a land lot: %v", e.Fields)
			}
			buy := landLot(tender.Comprehensive)
			buy.Scoring = tender.DefaultScoring() // base_ratio: a buyer's formula
			wantErr(t, firstErr(w.Tender.AddLot(ctx, seller, p.ID, buy)), apperr.Invalid, scoring.BasisSaleEvaluation)
		})

		l, err := w.Tender.AddLot(ctx, seller, p.ID, landLot(tender.HighestPrice))
		noErr(t, err) // a 20 % deposit: TBR 26's 2 % cap is the works' bid security
		if l.Estimate != l.Land.StartPrice || l.Land.Use != arules.LandResidential {
			t.Fatalf("land lot %+v", l)
		}

		t.Run("Reserve", func(t *testing.T) {
			wantErr(t, w.Tender.SetReserve(ctx, w.Actor("bidder1"), l.ID, 32_000*wan), apperr.Forbidden, "")
			wantErr(t, w.Tender.SetReserve(ctx, seller, l.ID, 29_000*wan), apperr.Invalid, "")
			noErr(t, w.Tender.SetReserve(ctx, seller, l.ID, 31_000*wan))
			noErr(t, w.Tender.SetReserve(ctx, seller, l.ID, 32_000*wan)) // the last entry is in force
			for _, e := range ledgerAll(t, w) {
				if e.Type != ledger.Confidential && strings.Contains(string(e.Public), "3200000000") {
					t.Fatalf("reserve public before the result in %s: %s", e.Type, e.Public)
				}
			}
			if n := count(ledgerTypes(t, w, l.Code), "tender.reserve_committed"); n != 2 {
				t.Errorf("%d reserve_committed entries, want 2", n)
			}
		})

		hash, size, err := w.Blobs.Put(strings.NewReader("招标出让文件"), 1<<20)
		noErr(t, err)
		_, err = w.Tender.AddDocument(ctx, seller, l.ID, "招标出让文件.pdf", size, hash)
		noErr(t, err)
		now := w.Clock.Now()
		deadline := w.Tender.EarliestLandDeadline(now, 9, 30)
		early := deadline.AddDate(0, 0, -1)
		e := wantErr(t, firstErr(w.Tender.PublishTender(ctx, seller, l.ID, tender.PublishInput{DocsFrom: now, DocsUntil: early, BidDeadline: early})), apperr.Invalid, "国土资源部令第39号")
		if !strings.Contains(e.Fields["bid_deadline"], "20日") {
			t.Errorf("land notice period message: %v", e.Fields)
		}
		n, err := w.Tender.PublishTender(ctx, seller, l.ID, tender.PublishInput{DocsFrom: now, DocsUntil: deadline, BidDeadline: deadline})
		noErr(t, err)
		if !strings.HasSuffix(n.Title, "国有建设用地使用权招标出让公告") || n.Category != "land" || !strings.Contains(string(n.Data), `"start_price":3000000000`) || !strings.Contains(string(n.Data), "南宁市良庆区五象新区秋月路以南") {
			t.Fatalf("notice %s %s %s", n.Title, n.Category, n.Data)
		}
		if v, err := w.Tender.ViewLot(ctx, w.Actor("bidder1"), l.ID); err != nil || v.Reserve != nil {
			t.Fatalf("reserve shown during bidding: %v %+v", err, v.Reserve)
		}

		// bidder1 below the start price, bidder4 below the reserve.
		prices := []money.Fen{29_000 * wan, 33_500 * wan, 35_000 * wan, 31_500 * wan}
		for i, price := range prices {
			w.Clock.Advance(time.Hour)
			a := bidder(w, i)
			noErr(t, w.Tender.ObtainDocuments(ctx, a, l.ID))
			noErr(t, w.Tender.RecordDeposit(ctx, a, l.ID, l.Security, "竞买保证金"))
			_, err := w.Tender.SubmitBid(ctx, a, l.ID, tender.BidInput{Content: content(price)})
			noErr(t, err)
		}
		w.Clock.Set(deadline)
		op, err := w.Tender.OpenBids(ctx, l.ID)
		noErr(t, err)
		if op.BidderCount != 4 {
			t.Fatalf("opening %+v", op)
		}
		below := bidOf(t, bids(t, w, l.ID), w.Bidders[0].ID)
		if len(below.Reject) != 1 || !strings.Contains(below.Reject[0], "低于起始价") || !strings.Contains(below.Reject[0], "招标出让公告载明的起始价") {
			t.Fatalf("bid below the start price: %v", below.Reject)
		}

		_, err = w.Tender.RequestDraw(ctx, w.Actor("operator"), l.ID, tender.DrawInput{Reps: []string{"zrzy2"},
			Needs: []draw.Need{{Specialty: "A0801", Count: 4}}}, w.Party.UserByUsername)
		wantErr(t, err, apperr.Invalid, "第十三条")
		members := landCommittee(t, w, l.ID)
		lv := lot(t, w, l.ID)
		bs := evaluable(t, w, l.ID)
		for _, m := range members {
			a := actorOfUser(t, w, m.UserID)
			w.SignSheet(t, a, lv.Code, nil)
			_, err := w.SubmitSheet(t, a, l.ID, passAll(lv, bs))
			noErr(t, err)
		}
		// The candidates notice is the land one.
		if cn := notices(t, w, l.ID, tender.NoticeCandidates); len(cn) != 1 || !strings.HasSuffix(cn[0].Title, "国有建设用地使用权招标出让中标候选人公示") {
			t.Errorf("candidates notice %+v", cn)
		}
		rep := report(t, w, l.ID)
		if len(rep.Candidates) != 2 || rep.Candidates[0].EntityID != w.Bidders[2].ID || rep.Candidates[0].Price != 35_000*wan || rep.Candidates[1].EntityID != w.Bidders[1].ID {
			t.Fatalf("candidates %+v, want bidder3 (35000万) then bidder2", rep.Candidates)
		}
		for _, r := range rep.Rows {
			if r.EntityID == w.Bidders[3].ID && (!r.Rejected || !strings.Contains(strings.Join(r.Reasons, ""), "低于底价")) {
				t.Errorf("bid below the reserve not rejected: %+v", r)
			}
		}

		// The reserve is revealed with the result: the commitments opened,
		// the amount public, the view shows it.
		var reveals int
		for _, e := range ledgerAll(t, w) {
			if e.Type == ledger.Revealed && e.Subject == l.Code && strings.Contains(string(e.Public), `\"what\":\"reserve\"`) {
				reveals++
			}
			if e.Type == "tender.reserve_revealed" {
				var pub map[string]any
				noErr(t, json.Unmarshal(e.Public, &pub))
				if pub["reserve"] != float64(32_000*wan) || pub["has_reserve"] != true {
					t.Errorf("reserve_revealed %s", e.Public)
				}
			}
		}
		if reveals != 2 {
			t.Errorf("%d reserve reveals, want 2", reveals)
		}
		v, err := w.Tender.ViewLot(ctx, party.Actor{}, l.ID)
		noErr(t, err)
		if v.Reserve == nil || !v.Reserve.Set || v.Reserve.Amount != 32_000*wan {
			t.Errorf("public view of the reserve after the result: %+v", v.Reserve)
		}

		lv = lot(t, w, l.ID)
		w.Clock.Set(lv.PublicityUntil.Add(time.Minute))
		_, err = w.Tender.DecideAward(ctx, seller, l.ID, tender.AwardInput{BidID: rep.Candidates[1].BidID})
		wantErr(t, err, apperr.Invalid, "第十四条")
		a, err := w.Tender.DecideAward(ctx, seller, l.ID, tender.AwardInput{BidID: rep.Candidates[0].BidID})
		noErr(t, err)
		if a.EntityID != w.Bidders[2].ID || a.Price != 35_000*wan {
			t.Fatalf("award %+v", a)
		}
		// The contract step is the grant contract (出让合同).
		_, err = w.Tender.RecordContract(ctx, seller, l.ID, w.Clock.Now(), a.Price)
		noErr(t, err)
		if cn := notices(t, w, l.ID, tender.NoticeContract); len(cn) != 1 || !strings.HasSuffix(cn[0].Title, "国有建设用地使用权出让合同订立信息") ||
			!strings.Contains(cn[0].Body, "出让价款¥350,000,000.00") {
			t.Errorf("contract notice %+v", cn)
		}
		an := notices(t, w, l.ID, tender.NoticeAward)
		if len(an) != 1 || !strings.HasSuffix(an[0].Title, "国有建设用地使用权招标出让结果公告") || !strings.Contains(an[0].Body, "竞得人") ||
			!strings.Contains(an[0].Body, "成交价¥350,000,000.00") || an[0].Category != "land" {
			t.Fatalf("award notice %+v", an)
		}
	})
}

// landCommittee draws four land experts and the bureau's representative.
func landCommittee(t *testing.T, w *fixture.World, lotID ids.ID) []tender.Member {
	t.Helper()
	d, err := w.Tender.RequestDraw(ctx, w.Actor("operator"), lotID, tender.DrawInput{Reps: []string{"zrzy2"},
		Needs: []draw.Need{{Specialty: "E0101", Count: 4}}}, w.Party.UserByUsername)
	noErr(t, err)
	noErr(t, w.Tender.RunDraw(ctx, d.ID))
	_, invs, err := w.Tender.ListLotDraws(ctx, w.Actor("operator"), lotID)
	noErr(t, err)
	for _, iv := range invs {
		if iv.Status == tender.InvInvited {
			_, err := w.Tender.RespondInvitation(ctx, w.ActorByID(iv.UserID), iv.ID, true, "", true)
			noErr(t, err)
		}
	}
	v, err := w.Tender.ViewLot(ctx, w.Actor("operator"), lotID)
	noErr(t, err)
	if len(v.Committee) != 5 {
		t.Fatalf("committee of %d", len(v.Committee))
	}
	_, err = w.Tender.StartEvaluation(ctx, w.Actor("operator"), lotID)
	noErr(t, err)
	return v.Committee
}

func firstErr[T any](_ T, err error) error { return err }

// TestEvaluateLand: the pure ranking of a land tender — the highest price
// wins under 最高报价法; under 综合评标 the price scores by highest_price,
// and equal totals go to the higher price.
func TestEvaluateLand(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	mk := func(id string, price money.Fen, i int) tender.Bid {
		return tender.Bid{ID: ids.ID(id), EntityID: ids.ID("e" + id), Status: tender.BidOpened, SubmittedAt: at.Add(time.Duration(i) * time.Minute),
			Opened: &tender.OpenedBid{BidContent: tender.BidContent{Price: price}}}
	}
	sheet := func(scores map[ids.ID]map[string]int64, bs ...tender.Bid) tender.ScoreSheet {
		var lines []tender.SheetLine
		for _, b := range bs {
			lines = append(lines, tender.SheetLine{BidID: b.ID, Pass: true, Scores: scores[b.ID]})
		}
		return tender.ScoreSheet{Lines: tender.NormalizeLines(lines)}
	}
	tests := []struct {
		name   string
		method tender.Method
		bids   []tender.Bid
		scores map[ids.ID]map[string]int64
		want   []ids.ID // candidates in rank order
		totals []int64
	}{
		{"highest price wins", tender.HighestPrice, []tender.Bid{mk("a", 300, 0), mk("b", 350, 1), mk("c", 320, 2)}, nil, []ids.ID{"b", "c", "a"}, nil},
		{"equal prices to the earlier bid", tender.HighestPrice, []tender.Bid{mk("a", 300, 0), mk("b", 350, 1), mk("c", 350, 2)}, nil, []ids.ID{"b", "c", "a"}, nil},
		{"comprehensive: the plan can outweigh the price", tender.Comprehensive, []tender.Bid{mk("a", 300, 0), mk("b", 400, 1)},
			map[ids.ID]map[string]int64{"a": {"plan": 3000, "credit": 1000}, "b": {"plan": 1000, "credit": 500}}, []ids.ID{"a", "b"}, []int64{4500 + 4000, 6000 + 1500}},
		{"comprehensive: equal totals to the higher price", tender.Comprehensive, []tender.Bid{mk("a", 300, 0), mk("b", 400, 1)},
			map[ids.ID]map[string]int64{"a": {"plan": 1500, "credit": 1000}, "b": {"plan": 1000, "credit": 0}}, []ids.ID{"b", "a"}, []int64{7000, 7000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tender.Lot{Method: tt.method, CategoryCode: "E0101", Land: plot()}
			if tt.method == tender.Comprehensive {
				l.Scoring = tender.DefaultLandScoring()
			}
			rep := tender.Evaluate(l, tt.bids, []tender.ScoreSheet{sheet(tt.scores, tt.bids...)}, nil, 3)
			var got []ids.ID
			var totals []int64
			for _, c := range rep.Candidates {
				got = append(got, c.BidID)
				totals = append(totals, c.Total)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("candidates %v, want %v", got, tt.want)
			}
			if tt.totals != nil && fmt.Sprint(totals) != fmt.Sprint(tt.totals) {
				t.Errorf("totals %v, want %v", totals, tt.totals)
			}
		})
	}
}

// TestLandTenderTooFewBids: a land tender with fewer than three bids at the
// deadline ends (流标) citing LO39 art. 13 (the tender is terminated), not
// the engineering TBR 44; the reserve is revealed with the result. A works
// lot keeps TBL 28 / TBR 44.
func TestLandTenderTooFewBids(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		w := landWorld(t, db)
		seller := w.Actor("zrzy")
		p, err := w.Tender.CreateProject(ctx, seller, tender.ProjectInput{Name: "五象新区总部基地", Category: tender.LandUse})
		noErr(t, err)
		l, err := w.Tender.AddLot(ctx, seller, p.ID, landLot(tender.HighestPrice))
		noErr(t, err)
		noErr(t, w.Tender.SetReserve(ctx, seller, l.ID, 31_000*wan))
		hash, size, err := w.Blobs.Put(strings.NewReader("招标出让文件"), 1<<20)
		noErr(t, err)
		_, err = w.Tender.AddDocument(ctx, seller, l.ID, "招标出让文件.pdf", size, hash)
		noErr(t, err)
		now := w.Clock.Now()
		deadline := w.Tender.EarliestLandDeadline(now, 9, 30)
		_, err = w.Tender.PublishTender(ctx, seller, l.ID, tender.PublishInput{DocsFrom: now, DocsUntil: deadline, BidDeadline: deadline})
		noErr(t, err)
		for i, price := range []money.Fen{33_000 * wan, 34_000 * wan} {
			a := bidder(w, i)
			noErr(t, w.Tender.ObtainDocuments(ctx, a, l.ID))
			noErr(t, w.Tender.RecordDeposit(ctx, a, l.ID, l.Security, "竞买保证金"))
			_, err := w.Tender.SubmitBid(ctx, a, l.ID, tender.BidInput{Content: content(price)})
			noErr(t, err)
		}
		w.Clock.Set(deadline)
		op, err := w.Tender.OpenBids(ctx, l.ID)
		noErr(t, err)
		got := lot(t, w, l.ID)
		if !op.Failed || got.Status != tender.Failed || !strings.Contains(got.FailedReason, "国土资源部令第39号）第十三条") ||
			!strings.Contains(got.FailedReason, "终止招标活动") || strings.Contains(got.FailedReason, "第四十四条") {
			t.Fatalf("land lot with 2 bids: %s %q", got.Status, got.FailedReason)
		}
		if fn := notices(t, w, l.ID, tender.NoticeFailed); len(fn) != 1 || fn[0].Category != "land" || !strings.Contains(fn[0].Body, "第39号）第十三条") {
			t.Errorf("failed notice %+v", fn)
		}
		if n := count(ledgerTypes(t, w, l.Code), "tender.reserve_revealed"); n != 1 {
			t.Errorf("%d reserve_revealed entries, want 1", n)
		}
		// The works wording is unchanged.
		wl := w.PublishedLot(t, fixture.LotOptions{})
		w.Bid(t, wl.ID, 0, 9_000_000_00)
		w.PassDeadline(t, wl.ID)
		if wg := lot(t, w, wl.ID); !strings.Contains(wg.FailedReason, "《招标投标法》第二十八条、《招标投标法实施条例》第四十四条") || !strings.Contains(wg.FailedReason, "不得开标") {
			t.Errorf("works failed reason %q", wg.FailedReason)
		}
	})
}

// TestComplianceCriteriaOfALandLot: a land lot's compliance review names
// the grounds of a sale with the LO39 basis, under the works keys (the
// signed sheet keeps its form); a works lot keeps TBR 51.
func TestComplianceCriteriaOfALandLot(t *testing.T) {
	land := tender.Lot{Land: plot()}
	works := tender.Lot{}
	lc, wc := land.Criteria(), works.Criteria()
	if len(lc) != len(wc) {
		t.Fatalf("%d land criteria, %d works", len(lc), len(wc))
	}
	all := ""
	for i, c := range lc {
		if c.Key != wc[i].Key {
			t.Errorf("criterion %d: key %q, works %q", i, c.Key, wc[i].Key)
		}
		if !strings.Contains(c.Basis, "国土资源部令第39号") || strings.Contains(c.Basis, "第五十一条") {
			t.Errorf("land criterion %s basis %q", c.Key, c.Basis)
		}
		all += c.Name
	}
	for _, want := range []string{"起始价", "投标保证金", "资格条件", "印章", "一份投标文件"} {
		if !strings.Contains(all, want) {
			t.Errorf("land criteria lack %q: %s", want, all)
		}
	}
	if strings.Contains(all, "最高投标限价") || strings.Contains(all, "成本") {
		t.Errorf("land criteria name works grounds: %s", all)
	}
	for i, c := range wc {
		if c != tender.ComplianceCriteria[i] || !strings.Contains(c.Basis, "《招标投标法实施条例》第五十一条") {
			t.Errorf("works criterion %+v changed", c)
		}
	}
	if land.ComplianceBasis() == works.ComplianceBasis() || works.ComplianceBasis() != "《招标投标法实施条例》第五十一条" {
		t.Errorf("compliance bases: land %q works %q", land.ComplianceBasis(), works.ComplianceBasis())
	}
}

// TestLandBidForm: a land bid is a price and a development period — one
// without 质量标准 and 项目经理 is accepted, a missing period is refused in
// the land's words, and the opening record of a land lot carries no works
// terms even from a form that still filled them; a works lot's record keeps
// them.
func TestLandBidForm(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) {
		w := landWorld(t, db)
		seller := w.Actor("zrzy")
		p, err := w.Tender.CreateProject(ctx, seller, tender.ProjectInput{Name: "五象新区总部基地", Category: tender.LandUse})
		noErr(t, err)
		l, err := w.Tender.AddLot(ctx, seller, p.ID, landLot(tender.HighestPrice))
		noErr(t, err)
		hash, size, err := w.Blobs.Put(strings.NewReader("招标出让文件"), 1<<20)
		noErr(t, err)
		_, err = w.Tender.AddDocument(ctx, seller, l.ID, "招标出让文件.pdf", size, hash)
		noErr(t, err)
		now := w.Clock.Now()
		deadline := w.Tender.EarliestLandDeadline(now, 9, 30)
		_, err = w.Tender.PublishTender(ctx, seller, l.ID, tender.PublishInput{DocsFrom: now, DocsUntil: deadline, BidDeadline: deadline})
		noErr(t, err)

		a := bidder(w, 0)
		noErr(t, w.Tender.ObtainDocuments(ctx, a, l.ID))
		noErr(t, w.Tender.RecordDeposit(ctx, a, l.ID, l.Security, "竞买保证金"))
		e := wantErr(t, firstErr(w.Tender.SubmitBid(ctx, a, l.ID, tender.BidInput{Content: tender.EncodePlain(tender.BidContent{Price: 31_000 * wan})})), apperr.Invalid, "")
		if !strings.Contains(e.Fields["duration_days"], "开发建设周期") || e.Fields["quality"] != "" || e.Fields["project_manager"] != "" {
			t.Fatalf("land bid without a period: %v", e.Fields)
		}
		for i := 0; i < 4; i++ {
			a := bidder(w, i)
			if i > 0 {
				noErr(t, w.Tender.ObtainDocuments(ctx, a, l.ID))
				noErr(t, w.Tender.RecordDeposit(ctx, a, l.ID, l.Security, "竞买保证金"))
			}
			c := tender.BidContent{Price: money.Fen(31_000+i*500) * wan, DurationDays: 1080 + 30*i}
			if i == 3 { // a form that still carries the works fields
				c.Quality, c.ProjectManager = "合格", "张三"
			}
			_, err := w.Tender.SubmitBid(ctx, a, l.ID, tender.BidInput{Content: tender.EncodePlain(c)})
			noErr(t, err)
		}
		w.Clock.Set(deadline)
		op, err := w.Tender.OpenBids(ctx, l.ID)
		noErr(t, err)
		if op.Failed || len(op.Rows) != 4 {
			t.Fatalf("opening %+v", op)
		}
		for _, r := range op.Rows {
			if r.Status != tender.BidOpened || r.DurationDays < 1080 || r.Quality != "" || r.ProjectManager != "" {
				t.Errorf("land opening row %+v", r)
			}
		}
		if on := notices(t, w, l.ID, tender.NoticeOpening); len(on) != 1 || strings.Contains(string(on[0].Data), "张三") || strings.Contains(string(on[0].Data), "合格") {
			t.Errorf("land opening notice %+v", on)
		}

		// Works: the record keeps 质量标准 and 项目经理.
		wl := w.PublishedLot(t, fixture.LotOptions{})
		for i := 0; i < 3; i++ {
			w.Bid(t, wl.ID, i, money.Fen(9_000_000_00+int64(i)*10_000_00))
		}
		wop := w.PassDeadline(t, wl.ID)
		if len(wop.Rows) != 3 || wop.Rows[0].Quality != "合格" || wop.Rows[0].ProjectManager != "项目经理1" || wop.Rows[0].DurationDays != 365 {
			t.Fatalf("works opening rows %+v", wop.Rows)
		}
	})
}
