package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"ggzy/internal/gm"
	"ggzy/internal/store"
	"ggzy/internal/testkit"
	"net/url"
	"strings"
	"testing"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/tender"
)

func plainBid(price int64, pm string) map[string]any {
	return map[string]any{"format": "plain-v1", "content": map[string]any{"price": price, "duration_days": 365, "quality": "合格", "project_manager": pm}}
}

func TestLifecycleThroughAPI(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, db *store.DB) { lifecycleThroughAPI(t, newEnvOn(t, db)) })
}

func lifecycleThroughAPI(t *testing.T, e *env) {
	ctx := context.Background()
	agency, principal := e.login("agency"), e.login("principal")

	var p Project
	e.do("POST", "/api/v1/projects", agency, ProjectInput{Name: "南宁市五象新区综合管廊工程", PrincipalUSCC: e.w.Principal.USCC,
		StateFunded: true, Funding: "财政资金", SupervisorDept: "住建"}).want(t, 201, &p)
	if p.PrincipalID != e.w.Principal.ID || p.AgencyID != e.w.Agency.ID || !strings.HasPrefix(p.Code, "450100-GC-") {
		t.Fatalf("project = %+v", p)
	}
	lotInput := LotInput{Name: "第一标段", Procedure: "open", Method: "lowest_price", EstimateFen: 10_000_000_00, CeilingFen: 9_800_000_00,
		SecurityFen: 100_000_00, CategoryCode: "A0801", CommitteeSize: 5, PrincipalReps: 1}
	var lot, lot2 Lot
	e.do("POST", "/api/v1/projects/"+p.ID+"/lots", agency, lotInput).want(t, 201, &lot)
	lotInput.Name = "第二标段"
	e.do("POST", "/api/v1/projects/"+p.ID+"/lots", principal, lotInput).want(t, 201, &lot2)
	if lot.Status != "draft" || lot.SecurityFen != 100_000_00 || lot.SecurityDisplay != "¥100,000.00" {
		t.Fatalf("lot = %+v", lot)
	}

	docText := []byte("第一章 招标公告……第二章 投标人须知……")
	var doc Document
	for _, l := range []Lot{lot, lot2} {
		e.do("POST", "/api/v1/lots/"+l.ID+"/documents?name="+url.QueryEscape("招标文件.pdf"), agency, docText).want(t, 201, &doc)
	}
	if doc.Size != int64(len(docText)) || len(doc.Hash) != 64 {
		t.Fatalf("document = %+v", doc)
	}

	now := e.w.Clock.Now()
	deadline := e.w.Tender.EarliestDeadline(now, 9, 30)
	for _, l := range []Lot{lot, lot2} {
		var n Notice
		e.do("POST", "/api/v1/lots/"+l.ID+"/publish", agency, PublishInput{DocsFrom: now, DocsUntil: deadline, BidDeadline: deadline, Body: "现对该项目进行公开招标。"}).want(t, 201, &n)
		if n.Kind != "tender" || !n.Public {
			t.Fatalf("notice = %+v", n)
		}
	}

	// The published document's name and hash are public; its content goes to
	// those who obtained the documents (and the project's managers).
	lotDoc := e.lotView(lot.ID, "").Documents[0]
	if code := e.do("GET", lotDoc.URL, "", nil).Code; code != 401 {
		t.Fatalf("anonymous download: %d, want 401", code)
	}
	dl := e.do("GET", lotDoc.URL, agency, nil)
	if dl.Code != 200 || string(dl.Body) != string(docText) || dl.Header.Get("X-Content-SM3") != lotDoc.Hash {
		t.Fatalf("download: %d %q", dl.Code, dl.Body)
	}

	// Five bidders obtain the documents, pay the security and bid.
	receipts := map[int]Receipt{}
	for i := 1; i <= 5; i++ {
		tok := e.login(fmt.Sprintf("bidder%d", i))
		e.do("POST", "/api/v1/lots/"+lot.ID+"/obtain", tok, nil).want(t, 200, nil)
		var dep Deposit
		e.do("POST", "/api/v1/lots/"+lot.ID+"/deposit", tok, DepositInput{AmountFen: 100_000_00, Reference: fmt.Sprintf("GX-BANK-%04d", i)}).want(t, 200, &dep)
		if dep.AmountFen != 100_000_00 || dep.EntityID != e.w.Bidders[i-1].ID {
			t.Fatalf("deposit = %+v", dep)
		}
		body := plainBid(9_500_000_00-int64(i)*10_000_00, fmt.Sprintf("项目经理%d", i))
		switch i {
		case 1: // with an attachment
			var f FileRef
			e.do("POST", "/api/v1/lots/"+lot.ID+"/files?name="+url.QueryEscape("技术标.pdf"), tok, []byte("施工组织设计……")).want(t, 201, &f)
			body["files"] = []FileRef{f}
		case 5: // as Base64 of the exact bytes
			raw := tender.EncodePlain(tender.BidContent{Price: 9_450_000_00, DurationDays: 300, Quality: "合格", ProjectManager: "项目经理5"})
			body["content"] = base64.StdEncoding.EncodeToString(raw)
		}
		var r Receipt
		e.do("PUT", "/api/v1/lots/"+lot.ID+"/bid", tok, body).want(t, 201, &r)
		if r.Version != 1 || r.EntityID != e.w.Bidders[i-1].ID || len(r.ContentHash) != 64 || r.Text == "" {
			t.Fatalf("receipt = %+v", r)
		}
		receipts[i] = r
	}
	// Bidder 2 modifies its bid; bidder 3 withdraws and submits again.
	b2, b3 := e.login("bidder2"), e.login("bidder3")
	var r2 Receipt
	e.do("PUT", "/api/v1/lots/"+lot.ID+"/bid", b2, plainBid(9_300_000_00, "项目经理2")).want(t, 201, &r2)
	if r2.Version != 2 || r2.BidID != receipts[2].BidID || r2.ContentHash == receipts[2].ContentHash {
		t.Fatalf("modified receipt = %+v (was %+v)", r2, receipts[2])
	}
	var w3 Receipt
	e.do("DELETE", "/api/v1/lots/"+lot.ID+"/bid", b3, nil).want(t, 200, &w3)
	if !w3.Withdrawn || w3.Version != 2 {
		t.Fatalf("withdrawal receipt = %+v", w3)
	}
	e.do("DELETE", "/api/v1/lots/"+lot.ID+"/bid", b3, nil).wantError(t, 409, "conflict")
	e.do("PUT", "/api/v1/lots/"+lot.ID+"/bid", b3, plainBid(9_350_000_00, "项目经理3")).want(t, 201, nil)
	var own Receipt
	e.do("GET", "/api/v1/lots/"+lot.ID+"/bid", b3, nil).want(t, 200, &own)
	if own.Version != 3 || own.Withdrawn {
		t.Fatalf("own receipt = %+v", own)
	}

	// The second lot gets only two bids: it will fail.
	for i := 4; i <= 5; i++ {
		tok := e.login(fmt.Sprintf("bidder%d", i))
		e.do("POST", "/api/v1/lots/"+lot2.ID+"/obtain", tok, nil).want(t, 200, nil)
		e.do("POST", "/api/v1/lots/"+lot2.ID+"/deposit", tok, DepositInput{AmountFen: 100_000_00, Reference: "GX-2"}).want(t, 200, nil)
		e.do("PUT", "/api/v1/lots/"+lot2.ID+"/bid", tok, plainBid(9_000_000_00, "经理")).want(t, 201, nil)
	}

	// An objection to the documents suspends the procedure until answered;
	// the principal's side does not learn who objected.
	e.w.Clock.Advance(24 * time.Hour)
	var obj Objection
	e.do("POST", "/api/v1/lots/"+lot.ID+"/objections", e.login("bidder1"), ObjectionInput{Stage: "documents", Text: "招标文件第三章资格条件限制了潜在投标人，请予以修改。"}).want(t, 201, &obj)
	av := e.lotView(lot.ID, agency)
	if !av.Lot.Suspended || len(av.Objections) != 1 || av.Objections[0].EntityID != "" {
		t.Fatalf("agency view after objection: suspended=%v objections=%+v", av.Lot.Suspended, av.Objections)
	}
	e.do("PUT", "/api/v1/lots/"+lot.ID+"/bid", b2, plainBid(9_200_000_00, "项目经理2")).wantError(t, 409, "conflict")
	var ans Objection
	e.do("POST", "/api/v1/objections/"+obj.ID+"/answer", agency, AnswerInput{Answer: "经核查，资格条件符合规定，不予修改。"}).want(t, 200, &ans)
	if ans.AnsweredAt.IsZero() || e.lotView(lot.ID, agency).Lot.Suspended {
		t.Fatalf("answer = %+v", ans)
	}

	// A clarification ten days before the deadline must move it: the error
	// offers the earliest lawful deadline, which then succeeds.
	e.w.Clock.Set(deadline.AddDate(0, 0, -10))
	bad := e.do("POST", "/api/v1/lots/"+lot.ID+"/clarifications", agency, ClarificationInput{Text: "工程量清单第5项数量更正为1200立方米。"})
	eb := bad.wantError(t, 422, "invalid")
	if !strings.Contains(eb.Basis, "第二十一条") || eb.Fields["new_deadline"] == "" {
		t.Fatalf("clarification error = %+v", eb)
	}
	offered, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(strings.TrimPrefix(eb.Fields["new_deadline"], "最早")), clock.Shanghai)
	if err != nil {
		t.Fatalf("offered deadline %q: %v", eb.Fields["new_deadline"], err)
	}
	if ec := e.lotView(lot.ID, agency).EarliestClarificationDeadline; !ec.Equal(offered) {
		t.Fatalf("offered %v, lot view says %v", offered, ec)
	}
	e.do("POST", "/api/v1/lots/"+lot.ID+"/clarifications", agency, ClarificationInput{Text: "工程量清单第5项数量更正为1200立方米。", NewDeadline: offered.AddDate(0, 0, -1)}).wantError(t, 422, "invalid") // the day before the lawful date
	var cl Clarification
	e.do("POST", "/api/v1/lots/"+lot.ID+"/clarifications", agency, ClarificationInput{Text: "工程量清单第5项数量更正为1200立方米。", NewDeadline: offered}).want(t, 201, &cl)
	if !cl.DeadlineMoved || !cl.NewDeadline.Equal(offered) || !e.lotView(lot.ID, "").Lot.BidDeadline.Equal(offered) {
		t.Fatalf("clarification = %+v", cl)
	}

	// The deadline passes; the opening job runs (called directly here).
	e.w.Clock.Set(offered)
	e.do("PUT", "/api/v1/lots/"+lot.ID+"/bid", b2, plainBid(9_000_000_00, "项目经理2")).wantError(t, 409, "deadline")
	for _, id := range []string{lot.ID, lot2.ID} {
		if _, err := e.w.Tender.OpenBids(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	pub := e.lotView(lot.ID, "")
	if pub.Opening == nil || pub.Opening.BidderCount != 5 || len(pub.Opening.Rows) != 5 || pub.Lot.Status != "evaluating" {
		t.Fatalf("public view after the opening: %+v", pub.Opening)
	}

	// The trading centre draws the committee; every member scores.
	// The request is committed first; the draw runs on the next checkpoint
	// (the tender.run_draw job); every invited expert confirms in the portal.
	var d Draw
	e.do("POST", "/api/v1/lots/"+lot.ID+"/draws", e.login("operator"), DrawInput{Needs: []DrawNeed{{Specialty: "A0801", Count: 4, Backups: 1}}, Reps: []string{"principal2"}}).want(t, 202, &d)
	if d.Status != "requested" || d.RequestIndex == 0 {
		t.Fatalf("draw = %+v", d)
	}
	if err := e.w.Tender.RunDraw(context.Background(), d.ID); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 10; i++ {
		tok := e.login(fmt.Sprintf("expert%d", i))
		var invs []Invitation
		e.do("GET", "/api/v1/invitations", tok, nil).want(t, 200, &invs)
		for _, iv := range invs {
			if iv.Status == "invited" && iv.LotID == lot.ID {
				e.do("POST", "/api/v1/invitations/"+iv.ID, tok, RespondInput{Accept: true, Declare: true}).want(t, 200, nil)
			}
		}
	}
	members := e.lotView(lot.ID, e.login("operator")).Committee
	if len(members) != 5 {
		t.Fatalf("members = %+v", members)
	}
	// The room opens; each member registers a sheet-signing key, gets the
	// digest of the sheet, signs it on their side and submits.
	var room Room
	e.do("POST", "/api/v1/lots/"+lot.ID+"/room/start", e.login("operator"), nil).want(t, 200, &room)
	if room.Status != "running" || len(room.Members) != 5 {
		t.Fatalf("room %+v", room)
	}
	for _, m := range members {
		tok := e.login(e.usernameOf(m.UserID))
		v := e.lotView(lot.ID, tok)
		if !v.IsMember || len(v.Bids) != 5 {
			t.Fatalf("member view: member=%v bids=%d", v.IsMember, len(v.Bids))
		}
		var lines []SheetLine
		for _, b := range v.Bids {
			lines = append(lines, SheetLine{BidID: b.ID, Pass: true})
		}
		key, err := gm.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		e.do("POST", "/api/v1/keys", tok, KeyInput{PEM: string(key.Public().MarshalPEM()), Purpose: "sign", Label: "评审签名"}).want(t, 201, nil)
		in := SheetInput{Lines: lines}
		e.do("PUT", "/api/v1/lots/"+lot.ID+"/sheet", tok, in).want(t, 422, nil) // unsigned
		var dg SheetDigestOut
		e.do("POST", "/api/v1/lots/"+lot.ID+"/sheet/digest", tok, in).want(t, 200, &dg)
		if want, _ := tender.SheetDigest(v.Lot.Code, m.UserID, sheetLines(lines)); dg.Digest != want {
			t.Fatalf("digest %s, want %s", dg.Digest, want)
		}
		raw, _ := hex.DecodeString(dg.Digest)
		sig, err := key.Sign(rand.Reader, raw)
		if err != nil {
			t.Fatal(err)
		}
		in.Fingerprint, in.Signature = key.Public().Fingerprint(), base64.StdEncoding.EncodeToString(sig)
		e.do("PUT", "/api/v1/lots/"+lot.ID+"/sheet", tok, in).want(t, 200, nil)
	}
	av = e.lotView(lot.ID, agency)
	if av.Lot.Status != "publicity" || av.Report == nil || len(av.Report.Candidates) != 3 {
		t.Fatalf("after evaluation: status %s report %+v", av.Lot.Status, av.Report)
	}
	first := av.Report.Candidates[0]
	if first.Rank != 1 || first.PriceFen != 9_300_000_00 {
		t.Fatalf("first candidate = %+v", first)
	}

	checkReportPDF(t, e, lot.ID, agency)

	// Award after the publicity, then the contract.
	e.do("POST", "/api/v1/lots/"+lot.ID+"/award", agency, AwardInput{BidID: first.BidID}).wantError(t, 409, "deadline")
	e.w.Clock.Set(av.Lot.PublicityUntil.Add(time.Hour))
	// API tokens live 30 days; this tender has taken nearly that long.
	e.tokens = map[string]string{}
	agency, principal = e.login("agency"), e.login("principal")
	var aw Award
	e.do("POST", "/api/v1/lots/"+lot.ID+"/award", agency, AwardInput{BidID: first.BidID}).want(t, 201, &aw)
	if aw.EntityID != first.EntityID || aw.PriceFen != first.PriceFen {
		t.Fatalf("award = %+v", aw)
	}
	var ct Contract
	e.do("POST", "/api/v1/lots/"+lot.ID+"/contract", principal, ContractInput{SignedAt: e.w.Clock.Now(), AmountFen: aw.PriceFen}).want(t, 201, &ct)
	if ct.AmountFen != aw.PriceFen || e.lotView(lot.ID, "").Lot.Status != "contracted" {
		t.Fatalf("contract = %+v", ct)
	}

	// The second lot failed at the deadline and is tendered again.
	fv := e.lotView(lot2.ID, "")
	if fv.Lot.Status != "failed" || fv.Opening == nil || !fv.Opening.Failed || fv.Lot.FailedReason == "" {
		t.Fatalf("failed lot: %+v", fv.Lot)
	}
	var re Lot
	e.do("POST", "/api/v1/lots/"+lot2.ID+"/retender", principal, nil).want(t, 201, &re)
	if re.RetenderOf != lot2.ID || re.Status != "draft" || re.Code == lot2.Code {
		t.Fatalf("retender = %+v", re)
	}
	if fv = e.lotView(lot2.ID, principal); fv.Retender == nil || fv.Retender.ID != re.ID {
		t.Fatalf("failed lot does not link its retender: %+v", fv.Retender)
	}
	e.do("POST", "/api/v1/lots/"+lot2.ID+"/retender", principal, nil).wantError(t, 409, "conflict")

	// The public notice list shows every kind, and cursor pages add up to it.
	var all NoticePage
	e.do("GET", "/api/v1/notices?limit=100", "", nil).want(t, 200, &all)
	kinds := map[string]bool{}
	for _, n := range all.Items {
		kinds[n.Kind] = true
	}
	for _, k := range tender.NoticeKinds {
		if !kinds[string(k)] {
			t.Errorf("public notices lack kind %s (have %v)", k, kinds)
		}
	}
	if all.Total != len(all.Items) || all.NextCursor != nil {
		t.Fatalf("total %d, items %d, next %v", all.Total, len(all.Items), all.NextCursor)
	}
	var paged []string
	next := ""
	for pages := 0; ; pages++ {
		path := "/api/v1/notices?limit=2"
		if next != "" {
			path += "&cursor=" + url.QueryEscape(next)
		}
		var pg NoticePage
		e.do("GET", path, "", nil).want(t, 200, &pg)
		for _, n := range pg.Items {
			paged = append(paged, n.ID)
		}
		if pg.Total != all.Total || pages > 50 {
			t.Fatalf("page total %d", pg.Total)
		}
		if pg.NextCursor == nil {
			break
		}
		next = *pg.NextCursor
	}
	if len(paged) != len(all.Items) {
		t.Fatalf("paged %d notices, listed %d", len(paged), len(all.Items))
	}
	for i := range paged {
		if paged[i] != all.Items[i].ID {
			t.Fatalf("page order differs at %d", i)
		}
	}
	var kindPage NoticePage
	e.do("GET", "/api/v1/notices?kind=candidates&q="+url.QueryEscape("综合管廊"), "", nil).want(t, 200, &kindPage)
	if kindPage.Total != 1 || kindPage.Items[0].Kind != "candidates" {
		t.Fatalf("filtered = %+v", kindPage)
	}
	day := clock.Date(e.w.Clock.Now()).Format("2006-01-02")
	var today NoticePage
	e.do("GET", "/api/v1/notices?from="+day+"&to="+day, "", nil).want(t, 200, &today)
	if today.Total != 2 { // award and contract
		t.Fatalf("notices of %s: %+v", day, today)
	}
	var nd Notice
	e.do("GET", "/api/v1/notices/"+all.Items[0].ID, "", nil).want(t, 200, &nd)
	if nd.Body == "" || nd.ID != all.Items[0].ID {
		t.Fatalf("notice = %+v", nd)
	}

	// The public timeline records the lot's steps without private parts.
	var tl []TimelineEntry
	e.do("GET", "/api/v1/lots/"+lot.ID+"/timeline", "", nil).want(t, 200, &tl)
	types := map[string]bool{}
	for _, x := range tl {
		types[x.Type] = true
	}
	for _, ty := range []string{"tender.published", "tender.clarified", "tender.opened", "tender.awarded", "contract.recorded"} {
		if !types[ty] {
			t.Errorf("timeline lacks %s", ty)
		}
	}
}

// lotView fetches GET /lots/{id} as token's user.
func (e *env) lotView(id, token string) LotView {
	e.t.Helper()
	var v LotView
	e.do("GET", "/api/v1/lots/"+id, token, nil).want(e.t, 200, &v)
	return v
}

func (e *env) usernameOf(userID string) string {
	for name, u := range e.w.Users {
		if u.ID == userID {
			return name
		}
	}
	e.t.Fatalf("no fixture user %s", userID)
	return ""
}
