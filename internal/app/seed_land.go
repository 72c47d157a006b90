package app

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	auctionrules "ggzy/internal/auction/rules"
	"ggzy/internal/expert"
	"ggzy/internal/ids"
	"ggzy/internal/money"
	"ggzy/internal/party"
	"ggzy/internal/seal"
	"ggzy/internal/sealbid"
	"ggzy/internal/tender"
)

// landTender sells one plot by tender (国有建设用地使用权招标出让) on the
// tender procedure: the bureau's project and lot with the plot data, the
// reserve committed, the land notice (20 days), four sealed bids (one below
// the start price, one below the reserve), the opening by the custodians,
// five land experts' draw (E0101, remote), the highest valid price winning,
// the reserve revealed, the award to the 竞得人. Runs after landSales (the
// bureau's user zrzy).
func (s *seeder) landTender() error {
	ctx := s.ctx
	const yuan = 100 // fen
	start := onDay(s.now.AddDate(0, 0, -50), 9, 0)
	s.clk.Set(start.Add(-3 * 24 * time.Hour))
	bureau := s.users["zrzy"].EntityID
	if err := s.user("zrzy2", "出让科评标代表", party.RolePrincipal, bureau, ""); err != nil {
		return err
	}
	// Land experts from outside Nanning (the demo's draws are remote).
	for i := 0; i < 7; i++ {
		uname := fmt.Sprintf("tdexpert%02d", i+1)
		name := string(surnames[(i*5+3)%len(surnames)]) + givens[(i*7+2)%len(givens)]
		if err := s.user(uname, name, party.RoleExpert, "", ""); err != nil {
			return err
		}
		e, err := s.es.Apply(ctx, s.actor("operator"), expert.Input{Name: name, IDNumber: expert.IDNumber(fmt.Sprintf("45030219%02d0%d15%03d", 66+i, 1+i%9, 300+i)),
			EmployerName: []string{"广西壮族自治区国土资源规划院", "广西大学公共管理学院", "桂林市不动产估价所"}[i%3], Title: "高级工程师", Senior: true, FieldSince: 2005 - i,
			Specialties: []string{"E0101"}, City: []string{"450300", "450200", "450500"}[i%3], Contact: fmt.Sprintf("1387720%04d", i)})
		if err != nil {
			return fmt.Errorf("土地专家入库: %w", err)
		}
		if e, err = s.es.Review(ctx, s.actor("operator"), e.ID, true, "材料齐全，符合入库条件", s.users[uname].ID); err != nil {
			return err
		}
		s.experts = append(s.experts, e)
	}
	mgr := s.actor("zrzy")
	p, err := s.ts.CreateProject(ctx, mgr, tender.ProjectInput{Name: "南宁市五象新区总部基地", Category: tender.LandUse,
		Description: "宗地已完成土地征收和前期开发，规划条件已确定，出让方案经市人民政府批准。"})
	if err != nil {
		return err
	}
	land := &tender.Land{Location: "南宁市良庆区五象新区龙堤路以东、平乐大道以南", AreaM2: 28_456.30, Use: auctionrules.LandCommercial, TermYears: 40,
		PlotRatio:  "3.0＜容积率≤6.0；建筑密度≤40%；绿地率≥25%；建筑限高150米",
		Conditions: "净地出让；竞得人须按投标时提交的开发建设方案建设总部办公楼，签订出让合同之日起12个月内动工、48个月内竣工。",
		StartPrice: 128_000_000 * yuan}
	lin := tender.LotInput{Name: "GC2026-031号地块", Procedure: tender.Open, Method: tender.HighestPrice, Security: 25_600_000 * yuan, CategoryCode: "E0101",
		CommitteeSize: 5, PrincipalReps: 1, Land: land}
	l, err := s.ts.AddLot(ctx, mgr, p.ID, lin)
	if err != nil {
		return err
	}
	doc := "南宁市五象新区总部基地GC2026-031号地块国有建设用地使用权招标出让文件\n\n一、招标出让公告\n二、投标须知（起始价、投标保证金、价高者得）\n三、宗地规划条件\n四、出让合同（示范文本）\n五、投标书格式\n"
	hash, size, err := s.a.Blobs.Put(strings.NewReader(doc), 1<<20)
	if err != nil {
		return err
	}
	if _, err := s.ts.AddDocument(ctx, mgr, l.ID, "招标出让文件（GC2026-031号地块）.txt", size, hash); err != nil {
		return err
	}
	var custodians []ids.ID
	for _, u := range demoCustodians {
		custodians = append(custodians, s.users[u].ID)
	}
	if _, err := s.ts.SetCustody(ctx, mgr, l.ID, tender.CustodyInput{UserIDs: custodians, Threshold: 2}); err != nil {
		return err
	}
	s.clk.Set(start)
	deadline := s.ts.EarliestLandDeadline(start, 9, 30)
	if _, err := s.ts.PublishTender(ctx, mgr, l.ID, tender.PublishInput{DocsFrom: start, DocsUntil: deadline, BidDeadline: deadline,
		OpeningPlace: "南宁市公共资源交易中心土地交易厅（线上同步）",
		Body:         "经南宁市人民政府批准，南宁市自然资源局决定以招标方式出让GC2026-031号地块国有建设用地使用权。本次招标出让按最高报价法确定中标人：报价不低于起始价且满足招标文件实质性要求的投标中报价最高者为中标人，设有底价。"}); err != nil {
		return err
	}
	if l, err = s.getLot(l.ID); err != nil {
		return err
	}
	s.clk.Set(onDay(start.AddDate(0, 0, 10), 16, 0))
	if err := s.ts.SetReserve(ctx, mgr, l.ID, 130_000_000*yuan); err != nil {
		return err
	}
	// bidder03 below the start price, bidder11 below the reserve.
	for k, b := range []struct {
		no    int
		price money.Fen
	}{{3, 125_000_000}, {7, 132_600_000}, {11, 129_500_000}, {15, 138_800_000}} {
		s.clk.Set(onDay(start.AddDate(0, 0, 4+2*k), 10, 0))
		uname := fmt.Sprintf("bidder%02d", b.no)
		a, ent := s.actor(uname), s.bidders[b.no-1]
		if err := s.ts.ObtainDocuments(ctx, a, l.ID); err != nil {
			return err
		}
		if err := s.ts.RecordDeposit(ctx, a, l.ID, lin.Security, fmt.Sprintf("GXBANK-TDZB-%04d", 5100+k)); err != nil {
			return err
		}
		// The bid form's 工期 carries the committed development period
		// (开发建设周期) of the plan.
		form := tender.EncodePlain(tender.BidContent{Price: b.price * yuan, DurationDays: 1080 + 30*k, Quality: "按规划条件建设", ProjectManager: "开发建设方案见附件"})
		plan := fmt.Sprintf("%s\nGC2026-031号地块开发建设方案\n\n一、总部办公楼建设内容\n二、投资强度\n三、建设进度\n", ent.Name)
		var sealed bytes.Buffer
		if _, err := sealbid.Seal(&sealed, l.Sealing(), string(ent.ID), form, []seal.PackageFile{{Name: "开发建设方案.txt", Size: int64(len(plan)), R: strings.NewReader(plan)}},
			s.keys[uname], s.clk.Now(), rand.Reader); err != nil {
			return err
		}
		if _, err := s.ts.SubmitSealedBid(ctx, a, l.ID, &sealed, 1<<30); err != nil {
			return err
		}
	}
	s.clk.Set(deadline)
	if _, err := s.ts.OpenBids(ctx, l.ID); err != nil {
		return err
	}
	s.clk.Set(deadline.Add(10 * time.Minute))
	if err := s.decrypt(l.ID, "operator", "supervisor"); err != nil {
		return fmt.Errorf("解密: %w", err)
	}
	s.clk.Set(deadline.Add(time.Hour))
	members, err := s.committee(l, "zrzy2", "E0101")
	if err != nil {
		return fmt.Errorf("抽取土地专家: %w", err)
	}
	if _, err := s.ts.StartEvaluation(ctx, s.actor("operator"), l.ID); err != nil {
		return err
	}
	v, err := s.ts.ViewLot(ctx, s.actor("operator"), l.ID)
	if err != nil {
		return err
	}
	s.clk.Set(deadline.Add(4 * time.Hour))
	for _, m := range members {
		var lines []tender.SheetLine
		for _, b := range v.Bids {
			lines = append(lines, tender.SheetLine{BidID: b.ID, Pass: true})
		}
		sig, err := s.signSheet(m.UserID, l.Code, lines)
		if err != nil {
			return err
		}
		if _, err := s.ts.SubmitScoreSheet(ctx, s.actorByID(m.UserID), l.ID, lines, sig); err != nil {
			return fmt.Errorf("提交评审意见: %w", err)
		}
	}
	if l, err = s.getLot(l.ID); err != nil {
		return err
	}
	s.clk.Set(l.PublicityUntil.Add(time.Hour))
	r, err := s.report(l.ID)
	if err != nil {
		return err
	}
	if len(r.Candidates) == 0 {
		return fmt.Errorf("无中标候选人：%+v", r.Rows)
	}
	_, err = s.ts.DecideAward(ctx, mgr, l.ID, tender.AwardInput{BidID: r.Candidates[0].BidID})
	return err
}
