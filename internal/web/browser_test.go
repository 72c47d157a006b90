package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"ggzy/internal/fixture"
	"ggzy/internal/money"
	"ggzy/internal/tender"
	chrome "ggzy/internal/testkit/browser" // web_test has its own type browser (an HTTP visitor)
)

// generateKey makes a key pair in the browser on 我的密钥, downloads the
// encrypted private key and registers the public key; it returns the file.
func generateKey(t *testing.T, c *chrome.Tab, user, purpose, passphrase string, shot bool) string {
	t.Helper()
	c.Nav("/console/keys")
	c.Until("the key generator", `!document.getElementById("keygen-form").hidden`, 30*time.Second)
	if shot {
		c.Shot("console-keys")
	}
	c.Do("passphrase",
		chromedp.SendKeys(chromedp.ID("keygen-passphrase"), passphrase),
		chromedp.SendKeys(chromedp.ID("keygen-passphrase2"), passphrase),
		chromedp.Click(chromedp.ID("keygen-submit")),
	)
	c.Until("the key pair", `!document.getElementById("keygen-result").hidden`, 60*time.Second)
	pem, err := chromedp.Run(c.Ctx, chromedp.Value(chromedp.ID("key-pem")))
	c.Must("public key", err)
	if !strings.HasPrefix(pem, "-----BEGIN PUBLIC KEY-----") || strings.Contains(pem, "PRIVATE") {
		t.Fatalf("the registration form holds %q", pem)
	}
	if shot {
		c.Shot("console-keys-generated")
	}
	c.Do("download", chromedp.Click(chromedp.ID("keygen-download")))
	file := c.WaitDownload(user+"-"+purpose+"-", ".key.pem")
	b, err := os.ReadFile(file)
	c.Must("read key file", err)
	if !strings.Contains(string(b), "-----BEGIN ENCRYPTED PRIVATE KEY-----") {
		t.Fatalf("downloaded key file is not an encrypted private key: %.80s", b)
	}
	c.Do("label", chromedp.SendKeys(chromedp.ID("key-label"), "浏览器生成"))
	c.Click("#key-submit")
	if s := c.Text("main"); !strings.Contains(s, "公钥已登记") || !strings.Contains(s, "有效") {
		t.Fatalf("%s's key was not registered: %.400s", user, s)
	}
	if shot {
		c.Shot("console-keys-registered")
	}
	return file
}

// TestBrowserBidAndPublicOpening drives a real Chromium: a bidder logs in,
// obtains the documents, records the deposit and bids through the forms on a
// lot without custody; at the deadline the opening runs, and a logged-out
// visitor sees the opening record with the bidder's name and price on the
// project page.
func TestBrowserBidAndPublicOpening(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := chrome.Start(t, e.ts.URL, 3*time.Minute)
	l := w.PublishedLot(t, fixture.LotOptions{Ceiling: 12_000_000_00})
	w.Bid(t, l.ID, 1, money.Fen(9_950_000_00))
	w.Bid(t, l.ID, 2, money.Fen(10_120_000_00))
	tn := noticeIDFor(t, w, l.ID)

	// The bidder logs in through the form.
	c.Nav("/login")
	c.Shot("portal-login")
	c.Login("bidder1", fixture.Password)
	if s := c.Text("main"); !strings.Contains(s, "工作台") || !strings.Contains(s, w.Bidders[0].Name) && !strings.Contains(c.Text("header"), w.Bidders[0].Name) {
		t.Fatalf("not on the bidder console after login: %.300s", s)
	}
	c.Shot("console-bidder-home")

	// Obtain the documents, record the deposit, bid.
	c.Nav("/console/lots/" + l.ID)
	c.Click("#obtain-submit")
	c.Do("deposit form", chromedp.WaitVisible(chromedp.ID("deposit-reference")), chromedp.SendKeys(chromedp.ID("deposit-reference"), "GXBANK-2026-0001"))
	c.Click("#deposit-submit")
	c.Do("bid form",
		chromedp.WaitVisible(chromedp.ID("bid-price")),
		chromedp.SendKeys(chromedp.ID("bid-price"), "9,876,543.21"),
		chromedp.SendKeys(chromedp.ID("bid-duration_days"), "365"),
		chromedp.SendKeys(chromedp.ID("bid-project_manager"), "王建"),
	)
	price := money.Fen(9_876_543_21)
	if got := c.Text("#bid-price-cap"); !strings.Contains(got, price.Capital()) {
		t.Errorf("live 大写 preview %q, want %q", got, price.Capital())
	}
	c.Shot("console-bidder-lot")
	c.Click("#bid-submit")
	receipt := c.Text(".receipt")
	for _, want := range []string{"投标文件接收回执", price.String(), "大写：" + price.Capital(), "北京时间", "留痕序号"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	c.Shot("console-bidder-receipt")

	// The deadline passes; the opening runs (the job runner is not under test).
	w.Clock.Set(l.BidDeadline.Add(time.Minute))
	op, err := w.Tender.OpenBids(context.Background(), l.ID)
	c.Must("open bids", err)
	if op.BidderCount != 3 {
		t.Fatalf("opening counted %d bidders, want 3", op.BidderCount)
	}

	// A logged-out visitor sees the opening record on the project page.
	pub := c.Incognito()
	pub.Nav("/projects/" + l.ProjectID)
	if hdr := pub.Text("header"); !strings.Contains(hdr, "登录") || strings.Contains(hdr, "投标员1") {
		t.Errorf("the public browser is logged in: %.200s", hdr)
	}
	proj := pub.Text("main")
	for _, want := range []string{"开标记录", w.Bidders[0].Name, price.String(), "王建", "全过程记录"} {
		if !strings.Contains(proj, want) {
			t.Errorf("public project page lacks %q", want)
		}
	}
	pub.Shot("portal-project")

	for _, pg := range []struct{ name, path string }{
		{"portal-home", "/"},
		{"portal-notices", "/notices?cat=works"},
		{"portal-notice", "/notices/" + tn},
		{"portal-rules", "/rules"},
		{"portal-guide", "/guide"},
		{"portal-experts", "/experts"},
	} {
		pub.Nav(pg.path)
		pub.Shot(pg.name)
	}

	// Reflow at 320 px: nothing may scroll sideways (UI.md §2.7).
	pub.Do("narrow", chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile))
	for _, pg := range []struct{ name, path string }{{"home", "/"}, {"project", "/projects/" + l.ProjectID}, {"experts", "/experts?level=4"}} {
		pub.Nav(pg.path)
		pub.NoSidewaysScroll(pg.name)
		pub.Shot("narrow-320-" + pg.name)
	}

	// 关怀模式: every button and link button is at least 60 px tall, and the
	// narrow page still does not scroll sideways (UI.md §2.7).
	pub.Nav("/care?on=1&back=/")
	small, err := chromedp.Run(pub.Ctx, chromedp.Evaluate[string](`(function(){var o=[];document.querySelectorAll('button, a.btn, input, select').forEach(function(e){var r=e.getBoundingClientRect();if(r.height>0&&r.height<59.5)o.push(e.tagName+' '+(e.textContent||e.name).trim().slice(0,10)+' '+Math.round(r.height))});return o.join(', ')})()`))
	pub.Must("measure care", err)
	if small != "" {
		t.Errorf("care mode targets under 60 px: %s", small)
	}
	pub.NoSidewaysScroll("care home")
	pub.Shot("narrow-320-care-home")
}

// TestBrowserSealedBidAndDecryption drives Chromium through sealed bidding:
// two custodians make their keys in the browser, the agency names them with
// the supervisor on a draft lot and publishes; a bidder makes its signing key,
// seals and uploads its bid in the browser and sees the receipt; after the
// deadline (the fake clock) each custodian decrypts their shares in the
// browser; the public then sees the opening record with the right prices.
func TestBrowserSealedBidAndDecryption(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := chrome.Start(t, e.ts.URL, 5*time.Minute)
	bg := context.Background()

	ml := w.PrepareMatrixLot(t, fixture.StartDraft)
	lotPath := "/console/lots/" + ml.Lot.ID
	w.CustodyKey(t, "supervisor") // the third custodian's key, made outside the browser
	stalled := w.PrepareMatrixLot(t, fixture.StartSealed)

	// Custodians make their keys in the browser.
	const agencyPass, operatorPass, bidderPass = "代理机构保管口令2026", "交易中心保管口令2026", "投标签名口令-2026"
	c.Login("agency", fixture.Password)
	agencyKey := generateKey(t, c, "agency", "custody", agencyPass, false)
	c.Logout()
	c.Login("operator", fixture.Password)
	operatorKey := generateKey(t, c, "operator", "custody", operatorPass, false)
	c.Logout()

	// The agency names the custodians and publishes.
	c.Login("agency", fixture.Password)
	c.Nav(lotPath)
	// Tick the three custodians in the list of people who may hold custody
	// (only those with a valid custody key can be ticked).
	for _, u := range []string{"agency", "operator", "supervisor"} {
		c.Do("custody form", chromedp.Click(chromedp.CSS("#cand-"+string(w.Users[u].ID))))
	}
	c.Click("#custody-submit")
	if s := c.Text("main"); !strings.Contains(s, "已指定投标文件密钥保管人") || !strings.Contains(s, "住建监督员") {
		t.Fatalf("custody not set: %.500s", s)
	}
	c.Shot("console-lot-custody")
	c.Click("#publish-submit")
	if s := c.Text("main"); !strings.Contains(s, "招标公告已发布") {
		t.Fatalf("not published: %.500s", s)
	}
	l, err := w.GetLot(ml.Lot.ID)
	if err != nil || l.Custody == nil {
		t.Fatalf("lot %v", err)
	}
	c.Nav(lotPath + "/decrypt")
	if s := c.Text("main"); !strings.Contains(s, "《招标投标法》第三十四条") || !strings.Contains(s, "剩 ") {
		t.Errorf("decrypt page before the deadline: %.400s", s)
	}
	c.Shot("console-decrypt-before")
	c.Logout()
	c.Nav("/notices/" + noticeID(t, w, l.ID, tender.NoticeTender))
	if s := c.Text("main"); !strings.Contains(s, "投标文件密钥保管人") || !strings.Contains(s, l.Custody.Custodians[1].Fingerprint) {
		t.Errorf("the notice does not publish the custody set: %.400s", s)
	}
	c.Shot("portal-notice-custody")

	// Two other bidders seal with the command-line code.
	w.SealedBid(t, l.ID, 1, 9_950_000_00)
	w.SealedBid(t, l.ID, 2, 10_120_000_00)

	// The bidder: signing key, documents, deposit, sealed bid.
	c.Login("bidder1", fixture.Password)
	bidderKey := generateKey(t, c, "bidder1", "bid", bidderPass, true)
	c.Nav(lotPath)
	c.Click("#obtain-submit")
	c.Do("deposit", chromedp.WaitVisible(chromedp.ID("deposit-reference")), chromedp.SendKeys(chromedp.ID("deposit-reference"), "GXBANK-2026-0001"))
	c.Click("#deposit-submit")
	c.Until("the sealing form", `!document.getElementById("seal-form").hidden`, 30*time.Second)
	attachment := filepath.Join(t.TempDir(), "技术标.pdf")
	c.Must("attachment", os.WriteFile(attachment, []byte(strings.Repeat("施工组织设计。", 2000)), 0o644))
	c.Do("bid form",
		chromedp.SendKeys(chromedp.ID("seal-price"), "9,876,543.21"),
		chromedp.SendKeys(chromedp.ID("seal-duration_days"), "365"),
		chromedp.SendKeys(chromedp.ID("seal-project_manager"), "王建"),
		chromedp.SetUploadFiles(chromedp.ID("seal-files"), []string{attachment}),
		chromedp.SetUploadFiles(chromedp.ID("seal-key"), []string{bidderKey}),
		chromedp.SendKeys(chromedp.ID("seal-passphrase"), bidderPass),
	)
	price := money.Fen(9_876_543_21)
	if got := c.Text("#seal-price-cap"); !strings.Contains(got, price.Capital()) {
		t.Errorf("live 大写 preview %q, want %q", got, price.Capital())
	}
	c.Shot("console-bidder-sealed")
	c.Do("seal", chromedp.Click(chromedp.ID("seal-submit")))
	c.Until("the receipt", `location.pathname.endsWith("/receipt") && document.readyState === "complete"`, 90*time.Second)
	receipt := c.Text(".receipt")
	v, err := w.Tender.ViewLot(bg, w.Actor("bidder1"), l.ID)
	if err != nil || v.MyReceipt == nil || v.MyBid.Format != tender.SealedFormat {
		t.Fatalf("no sealed bid stored: %v", err)
	}
	for _, want := range []string{"投标文件接收回执", "密封文件摘要", v.MyReceipt.ContentHash, "与本机加密时算出的摘要一致", "北京时间", "留痕序号"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	if strings.Contains(receipt, price.String()) {
		t.Error("the receipt shows the sealed price")
	}
	c.Shot("console-bidder-sealed-receipt")
	c.Logout()

	// The deadline passes: the opening starts the decryption.
	w.Clock.Set(l.BidDeadline.Add(time.Minute))
	for _, id := range []string{l.ID, stalled.Lot.ID} {
		if _, err := w.Tender.OpenBids(bg, id); err != nil {
			t.Fatal(err)
		}
	}

	decrypt := func(user, keyFile, pass, done string, shots bool) {
		t.Helper()
		c.Login(user, fixture.Password)
		if s := c.Text("main"); !strings.Contains(s, "请在“开标解密”中用本人私钥解密份额") {
			t.Errorf("%s's console has no decryption to-do: %.400s", user, s)
		}
		if shots {
			c.Shot("console-custodian-home")
		}
		c.Click(`a[href="/console/decrypt"]`)
		if s := c.Text("main"); !strings.Contains(s, l.Code) || !strings.Contains(s, "待解密") {
			t.Errorf("%s's decryption list: %.400s", user, s)
		}
		if shots {
			c.Shot("console-decrypt-list")
		}
		c.Nav(lotPath + "/decrypt")
		c.Until("the decryption form", `!document.getElementById("decrypt-form").hidden`, 30*time.Second)
		c.Do("key",
			chromedp.SetUploadFiles(chromedp.ID("decrypt-key"), []string{keyFile}),
			chromedp.SendKeys(chromedp.ID("decrypt-passphrase"), pass),
		)
		if shots {
			c.Shot("console-decrypt-lot")
		}
		c.Do("decrypt", chromedp.Click(chromedp.ID("decrypt-submit")))
		c.Until("the submitted shares", `document.querySelector(".flash") !== null && document.readyState === "complete"`, 60*time.Second)
		if s := c.Text("main"); !strings.Contains(s, "已有 "+done+" 名保管人完成解密") || !strings.Contains(s, "您已提交本人的解密份额") {
			t.Errorf("%s after decrypting: %.500s", user, s)
		}
		if shots {
			c.Shot("console-decrypt-done")
		}
		c.Logout()
	}
	decrypt("agency", agencyKey, agencyPass, "1/2", true)
	decrypt("operator", operatorKey, operatorPass, "2/2", false)
	if err := w.Tender.DecryptBids(bg, l.ID); err != nil {
		t.Fatal(err)
	}

	// The public sees the opening record.
	c.Nav("/projects/" + l.ProjectID)
	proj := c.Text("main")
	for _, want := range []string{"开标记录", w.Bidders[0].Name, price.String(), "王建", money.Fen(9_950_000_00).String(), money.Fen(10_120_000_00).String(), "投标文件密钥保管"} {
		if !strings.Contains(proj, want) {
			t.Errorf("public project page lacks %q", want)
		}
	}
	c.Shot("portal-project-sealed")

	// Another lot's window ran out below the threshold: the supervisor may extend it.
	sl, _ := w.GetLot(stalled.Lot.ID)
	w.Clock.Set(sl.DecryptBy.Add(time.Minute))
	if err := w.Tender.CheckDecryption(bg, sl.ID); err != nil {
		t.Fatal(err)
	}
	c.Login("supervisor", fixture.Password)
	c.Nav("/console/lots/" + sl.ID)
	if s := c.Text("main"); !strings.Contains(s, "解密停滞") || !strings.Contains(s, "延长解密时限") {
		t.Errorf("stalled lot: %.400s", s)
	}
	c.Do("scroll", chromedp.ScrollIntoView(chromedp.ID("extend")))
	c.Shot("console-lot-stalled")

	// Reflow at 320 px on the new pages (UI.md §2.7).
	c.Do("narrow", chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile))
	for _, p := range []string{"/console/decrypt", "/console/keys", "/console/lots/" + sl.ID, "/console/lots/" + sl.ID + "/decrypt"} {
		c.Nav(p)
		c.NoSidewaysScroll(p + " at 320 px")
	}
	c.Nav("/console/keys")
	c.Shot("narrow-320-keys")
}

func noticeIDFor(t *testing.T, w *fixture.World, lotID string) string {
	t.Helper()
	ns, _, err := w.Tender.Notices(context.Background(), w.Actor("operator"), tender.NoticeFilter{LotID: lotID, Kind: tender.NoticeTender})
	if err != nil || len(ns) == 0 {
		t.Fatal(fmt.Errorf("no tender notice: %v", err))
	}
	return ns[0].ID
}

// TestBrowserExpertDrawAndPool: an invited expert confirms in the portal with
// the keyboard; the centre's draw panel and the pool pages reflow at 320 px.
func TestBrowserExpertDrawAndPool(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := chrome.Start(t, e.ts.URL, 3*time.Minute)
	l, invs := drawnLot(t, w)
	var iv tender.Invitation
	for _, x := range invs {
		if x.Status == tender.InvInvited {
			iv = x
			break
		}
	}
	user := ""
	for name, u := range w.Users {
		if u.ID == iv.UserID {
			user = name
		}
	}

	// The expert finds the notice from the console and confirms by keyboard.
	c.Login(user, fixture.Password)
	c.Click(`a[href="/console/invitations"]`)
	if s := c.Text("main"); !strings.Contains(s, l.Code) || !strings.Contains(s, "待确认") || !strings.Contains(s, "北京时间") {
		t.Fatalf("notices: %.400s", s)
	}
	c.Shot("expert-invitations")
	// The recusal declaration is ticked by keyboard (space), then confirmed.
	c.Do("focus the declaration", chromedp.Focus(chromedp.CSS("#inv-"+iv.ID+"-declare")))
	c.Do("tick it", chromedp.KeyEvent(" "))
	c.Do("focus the confirm button", chromedp.Focus(chromedp.CSS("#inv-"+iv.ID+"-accept")))
	_, err := chromedp.Run(c.Ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.KeyEvent("\r")))
	c.Must("confirm by keyboard", err)
	if s := c.Text("main"); !strings.Contains(s, "已确认参加评标") {
		t.Fatalf("after confirming: %.400s", s)
	}
	c.Nav("/console/profile")
	if s := c.Text("main"); !strings.Contains(s, "A0801 房屋建筑工程") || !strings.Contains(s, "在库") {
		t.Errorf("profile: %.400s", s)
	}
	c.Do("narrow", chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile))
	for _, p := range []string{"/console/invitations", "/console/profile"} {
		c.Nav(p)
		c.NoSidewaysScroll(p + " at 320 px")
	}
	c.Do("wide", chromedp.EmulateViewport(1280, 900))
	c.Logout()

	// The centre: the draw record with its digests, and the pool.
	c.Login("operator", fixture.Password)
	c.Nav("/console/lots/" + l.ID)
	if s := c.Text("#draws"); !strings.Contains(s, "已抽取") || !strings.Contains(s, "ggzy verify-draw") || !strings.Contains(s, "已确认参加") {
		t.Errorf("draw panel: %.600s", s)
	}
	c.Do("scroll", chromedp.ScrollIntoView(chromedp.ID("draws")))
	c.Shot("console-lot-draws")
	c.Nav("/console/experts")
	if s := c.Text("main"); !strings.Contains(s, "专家01") || !strings.Contains(s, "在库") {
		t.Errorf("pool: %.400s", s)
	}
	c.Shot("console-experts")
	c.Nav("/console/experts/" + w.Experts[0].ID)
	if s := c.Text("main"); !strings.Contains(s, "暂停抽取或列入黑名单") || !strings.Contains(s, "履历") {
		t.Errorf("expert record: %.400s", s)
	}
	c.Shot("console-expert")
	c.Do("narrow", chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile))
	for _, p := range []string{"/console/lots/" + l.ID, "/console/experts", "/console/experts/" + w.Experts[0].ID, "/console/experts/apply"} {
		c.Nav(p)
		c.NoSidewaysScroll(p + " at 320 px")
	}
	c.Nav("/console/experts/apply")
	c.Shot("narrow-320-expert-apply")
}

// TestBrowserEvaluationRoom drives Chromium through the evaluation room: an
// expert on the committee makes a 评审签名 key on 我的密钥 (download and
// register), opens the room from the console, scores the bids, signs the
// sheet with the key file and passphrase in the page and submits by
// keyboard; meanwhile the supervisor, in a browser context of its own, sees
// the progress change live (server-sent events), without a reload and by
// seat numbers only. A wrong passphrase is reported next to its field. The
// room reflows at 320 px.
func TestBrowserEvaluationRoom(t *testing.T) {
	e := newEnv(t)
	w := e.w
	c := chrome.Start(t, e.ts.URL, 5*time.Minute)
	bg := context.Background()
	l := w.PublishedLot(t, fixture.LotOptions{Method: tender.Comprehensive})
	for i := 0; i < 3; i++ {
		w.Bid(t, l.ID, i, money.Fen(9_000_000_00+int64(i)*100_000_00))
	}
	w.PassDeadline(t, l.ID)
	members := formCommittee(t, w, l.ID)
	if _, err := w.Tender.StartEvaluation(bg, w.Actor("operator"), l.ID); err != nil {
		t.Fatal(err)
	}
	roomP := "/console/lots/" + l.ID + "/room"
	var expertUser string
	for _, m := range members {
		if m.Kind == tender.MemberExpert {
			expertUser = usernameOf(w, m.UserID)
			break
		}
	}
	lv, err := w.Tender.ViewLot(bg, w.Actor("operator"), l.ID)
	if err != nil {
		t.Fatal(err)
	}

	// The expert makes a sheet-signing key in the browser.
	const pass = "评审签名口令-2026"
	c.Login(expertUser, fixture.Password)
	keyFile := generateKey(t, c, expertUser, "sign", pass, false)
	if s := c.Text("main"); !strings.Contains(s, "评审签名") {
		t.Errorf("keys page of an expert: %.300s", s)
	}
	c.Shot("console-keys-sign")

	// The supervisor watches the room live, in a browser context of its own.
	sup := c.Incognito()
	sup.Login("supervisor", fixture.Password)
	sup.Nav(roomP)
	sup.Until("the live connection", `document.getElementById("room").dataset.stream === "connected"`, 15*time.Second)
	_, err = chromedp.Run(sup.Ctx, chromedp.Evaluate[bool](`window.sameDocument = true`))
	sup.Must("mark the document", err)
	if s := sup.Text("#room-progress"); !strings.Contains(s, "0/5") || !strings.Contains(s, "第1席") {
		t.Errorf("supervisor's progress before: %.300s", s)
	}
	sup.Shot("room-supervisor-before")

	// The expert enters the room from the console.
	c.Nav("/console")
	c.Click(`a[href="` + roomP + `"]`)
	c.Until("the signing fields", `!document.getElementById("sheet-keybox").hidden`, 30*time.Second)
	if s := c.Text("#sheet"); !strings.Contains(s, "由平台按公式计算") || !strings.Contains(s, "基准价比值法") {
		t.Errorf("the price item is not shown as computed: %.400s", s)
	}
	// Every field has a label (UI.md §2.7).
	unlabelled, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`Array.prototype.filter.call(document.querySelectorAll("#sheet-form input:not([type=hidden]), #room select, #room textarea"), function (e) { return !e.labels || !e.labels.length; }).map(function (e) { return e.name || e.id; }).join(", ")`))
	c.Must("labels", err)
	if unlabelled != "" {
		t.Errorf("fields without a label: %s", unlabelled)
	}
	var fill []chromedp.Action[chromedp.Void]
	for _, b := range lv.Bids {
		for _, it := range l.Scoring {
			if !it.Price {
				fill = append(fill, chromedp.SendKeys(chromedp.CSS(`input[name="score_`+b.ID+`_`+it.Key+`"]`), fmt.Sprintf("%d.5", it.Max*8/1000)))
			}
		}
	}
	fill = append(fill,
		chromedp.SetUploadFiles(chromedp.CSS(`#sheet-key`), []string{keyFile}),
		chromedp.SendKeys(chromedp.CSS(`#sheet-passphrase`), pass))
	c.Do("fill the sheet", fill...)
	c.Shot("room-expert")
	// Submitted by keyboard: Enter in the passphrase field.
	c.Do("focus", chromedp.Focus(chromedp.CSS(`#sheet-passphrase`)))
	c.Do("enter", chromedp.KeyEvent("\r"))
	c.Until("the signed sheet", `document.querySelector(".flash") !== null && document.readyState === "complete"`, 90*time.Second)
	if s := c.Text("main"); !strings.Contains(s, "评审意见已签名提交") || !strings.Contains(s, "1/5") {
		t.Fatalf("after signing: %.600s", s)
	}
	v, err := w.Tender.ViewRoom(bg, w.Actor(expertUser), l.ID)
	if err != nil || v.MySheet == nil || v.MySheet.Signature == "" {
		t.Fatalf("no signed sheet stored: %v", err)
	}
	c.Shot("room-expert-submitted")

	// The supervisor's page followed without reloading.
	sup.Until("the live progress", `document.getElementById("room-done").textContent.indexOf("1/5") >= 0`, 20*time.Second)
	same, err := chromedp.Run(sup.Ctx, chromedp.Evaluate[bool](`window.sameDocument === true`))
	sup.Must("same document", err)
	if !same {
		t.Error("the supervisor's page reloaded instead of updating live")
	}
	if s := sup.Text("main"); strings.Contains(s, members[0].Name) || strings.Contains(s, members[1].Name) || !strings.Contains(s, "已提交") {
		t.Errorf("the supervisor's live room: %.500s", s)
	}
	sup.Shot("room-supervisor-live")

	// A revision signed with a wrong passphrase: the error is next to the field.
	c.Until("the signing fields", `!document.getElementById("sheet-keybox").hidden`, 30*time.Second)
	c.Do("wrong passphrase",
		chromedp.SetUploadFiles(chromedp.CSS(`#sheet-key`), []string{keyFile}),
		chromedp.SendKeys(chromedp.CSS(`#sheet-passphrase`), "不是这个口令"),
		chromedp.Click(chromedp.CSS(`#sheet-submit`)))
	c.Until("the passphrase error", `!document.getElementById("sheet-passphrase-err").hidden`, 60*time.Second)
	if s := c.Text("#sheet-passphrase-err"); !strings.Contains(s, "口令错误") {
		t.Errorf("passphrase error: %q", s)
	}
	c.Shot("room-expert-wrong-passphrase")

	// Reflow at 320 px (UI.md §2.7).
	for _, b := range []*chrome.Tab{c, sup} {
		b.Do("narrow", chromedp.EmulateViewport(320, 800, chromedp.EmulateMobile))
		b.Nav(roomP)
		b.NoSidewaysScroll("the room at 320 px")
	}
	c.Shot("narrow-320-room-expert")
	sup.Shot("narrow-320-room-supervisor")
}
