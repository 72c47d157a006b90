package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ggzy/internal/app"
	"ggzy/internal/clock"
	"ggzy/internal/config"
	"ggzy/internal/gm"
	"ggzy/internal/party"
	"ggzy/internal/pdf"
	"ggzy/internal/store"
	"ggzy/internal/tender"
	"ggzy/internal/testkit/browser"
)

// demoRoomProject is the demo lot whose remote committee is seated and
// whose evaluation has started (seed.go, stage "room").
const demoRoomProject = "南宁市江南区中小学校舍维修工程"

// TestDemoEvaluatedThroughTheUI is issue 4's acceptance on the demo data
// set: the demo lot in the evaluation room is evaluated through Chromium by
// its drawn, remote committee — every member logs in, scores each bid in
// the room, signs the sheet in the browser with the demo sheet key and its
// passphrase, and the page confirms; the last member's score deviates on one
// item and is explained through the room's form. The lot then is in the
// candidate publicity, `ggzy verify-draw` re-runs the committee's draw
// against the running server without a token, and the agency downloads the
// report PDF from the lot page: the platform's signature verifies, and its
// text reads correctly in Chinese (the project, remote evaluation, the draw
// and how to re-check it, the explained deviation, the committee — named to
// the tenderer's agency — and one signature row per seat).
func TestDemoEvaluatedThroughTheUI(t *testing.T) {
	browser.Require(t)
	start := time.Now()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Defaults()
	cfg.DB, cfg.DataDir, cfg.KeyPassphrase = "sqlite:"+filepath.Join(dir, "ggzy.db"), dir, "demo-test"
	a, err := app.Build(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Seed(ctx, a); err != nil {
		a.Close()
		t.Fatal(err)
	}
	t.Logf("demo seeded in %v", time.Since(start).Round(time.Millisecond))

	// The real server (job runner, ledger checkpoints, event streams shut
	// down with it). Registered before the browser, so it stops after it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(sctx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})

	// The lot, its committee in seat order, the members' accounts.
	lotID := demoLotID(t, a)
	operator := actorOf(t, a, "operator")
	lv, err := a.Tender.ViewLot(ctx, operator, lotID)
	if err != nil {
		t.Fatal(err)
	}
	room, err := a.Tender.ViewRoom(ctx, operator, lotID)
	if err != nil {
		t.Fatal(err)
	}
	if lv.Lot.Status != tender.Evaluating || room.Room.Status != tender.RoomRunning || !room.Room.Remote || lv.Lot.Method != tender.Comprehensive {
		t.Fatalf("demo lot %s: status %s, room %s, remote %v, method %s", lv.Lot.Code, lv.Lot.Status, room.Room.Status, room.Room.Remote, lv.Lot.Method)
	}
	if len(room.Members) != lv.Lot.CommitteeSize || len(lv.Bids) == 0 {
		t.Fatalf("demo committee of %d (want %d), %d bids", len(room.Members), lv.Lot.CommitteeSize, len(lv.Bids))
	}
	draws, _, err := a.Tender.ListLotDraws(ctx, operator, lotID)
	if err != nil || len(draws) == 0 {
		t.Fatalf("demo draws: %d, %v", len(draws), err)
	}
	type seat struct {
		m    tender.Member
		user string
		key  string
	}
	var seats []seat
	reps := 0
	for _, m := range room.Members {
		u, err := a.Party.UserByID(ctx, m.UserID)
		if err != nil {
			t.Fatal(err)
		}
		key := filepath.Join(app.KeyDir(dir), u.Username+".sign.key.pem")
		if _, err := os.Stat(key); err != nil {
			t.Fatalf("seat of %s: no demo sheet key: %v", u.Username, err)
		}
		if m.Kind == tender.MemberRep {
			reps++
		}
		seats = append(seats, seat{m, u.Username, key})
	}
	if reps != lv.Lot.PrincipalReps {
		t.Errorf("%d principal's representatives seated, want %d", reps, lv.Lot.PrincipalReps)
	}
	var subjective []tender.ScoreItem
	for _, it := range lv.Lot.Scoring {
		if !it.Price {
			subjective = append(subjective, it)
		}
	}
	if len(subjective) == 0 {
		t.Fatal("the demo's comprehensive lot has no subjective item")
	}

	// Scores ×100: bid i gets 82−4i % of each item's maximum, members differ
	// by 0–2 % (well within the 20 % deviation limit) — except the last
	// member's 40 % on the first bid's first item, the one deviation.
	last := len(seats) - 1
	devBid, devItem := lv.Bids[0].ID, subjective[0]
	score := func(member, bid int, it tender.ScoreItem) int64 {
		if member == last && bid == 0 && it.Key == devItem.Key {
			return it.Max * 40 / 100
		}
		return it.Max * int64(82-4*bid+member%3) / 100
	}
	const explanation = "缺少雨季施工措施"

	c := browser.Start(t, base, 3*time.Minute)
	roomP := "/console/lots/" + lotID + "/room"
	for i, s := range seats {
		begin := time.Now()
		c.Login(s.user, app.DemoPassword)
		c.Nav(roomP)
		c.Until("the signing fields", `!document.getElementById("sheet-keybox").hidden`, 30*time.Second)
		head := c.Text("#room-head")
		if !strings.Contains(head, "远程异地评标") || !strings.Contains(head, fmt.Sprintf("%d/%d", i, len(seats))) {
			t.Errorf("%s's room before submitting: %.300s", s.user, head)
		}
		if me := c.Text("#room-progress tr.me"); !strings.Contains(me, fmt.Sprintf("第%d席", i+1)) || !strings.Contains(me, "（本人）") {
			t.Errorf("%s's own seat row: %q", s.user, me)
		}
		// Compliance review: every criterion of every bid is met by default.
		boxes, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`(function(){var b=document.querySelectorAll('#sheet-form input[type=checkbox][name^="fail_"]');return b.length+"/"+Array.prototype.filter.call(b,function(e){return e.checked}).length})()`))
		c.Must("compliance checkboxes", err)
		if want := fmt.Sprintf("%d/0", len(lv.Bids)*len(tender.ComplianceCriteria)); boxes != want {
			t.Errorf("%s's compliance checkboxes (total/ticked) %s, want %s", s.user, boxes, want)
		}
		var fill []chromedp.Action[chromedp.Void]
		for bi, b := range lv.Bids {
			for _, it := range subjective {
				v := score(i, bi, it)
				sel := chromedp.CSS(`#sheet-form input[name="score_` + b.ID + `_` + it.Key + `"]`)
				fill = append(fill, chromedp.Clear(sel), chromedp.SendKeys(sel, fmt.Sprintf("%d.%02d", v/100, v%100)))
			}
		}
		fill = append(fill,
			chromedp.SetUploadFiles(chromedp.ID("sheet-key"), []string{s.key}),
			chromedp.SendKeys(chromedp.ID("sheet-passphrase"), app.DemoPassword))
		c.Do("fill the sheet", fill...)
		if i == 0 {
			c.Shot("demo-room-seat1-filled")
		}
		c.Do("submit", chromedp.Click(chromedp.ID("sheet-submit")))
		c.Until("the signed sheet", `document.readyState === "complete" && (document.querySelector(".flash") !== null || document.querySelector("#sheet .field-err:not([hidden])") !== null)`, 60*time.Second)
		mine, err := a.Tender.ViewRoom(ctx, actorOf(t, a, s.user), lotID)
		if err != nil || mine.MySheet == nil || mine.MySheet.Signature == "" {
			c.Shot("failure")
			t.Fatalf("%s: no signed sheet stored (%v); page: %.800s", s.user, err, c.Text("main"))
		}
		flash := c.Text(".flash")
		if !strings.Contains(flash, "评审意见已签名提交") || !strings.Contains(flash, mine.MySheet.Digest[:16]) {
			t.Errorf("%s's confirmation: %q", s.user, flash)
		}
		if done := c.Text("#room-done"); !strings.Contains(done, fmt.Sprintf("%d/%d", i+1, len(seats))) {
			t.Errorf("%s's progress after submitting: %q", s.user, done)
		}
		if i == 0 {
			c.Shot("demo-room-seat1-submitted")
		}
		t.Logf("seat %d (%s, %s) signed and submitted in %v", i+1, s.user, s.m.Kind, time.Since(begin).Round(time.Millisecond))
		if i < last {
			c.Logout()
		}
	}

	// All sheets are in; the one deviation waits for its member's
	// explanation, given through the room's form.
	if s := c.Text("#room-head"); !strings.Contains(s, "须由本人书面说明") {
		t.Errorf("the room does not ask for the deviation's explanation: %.400s", s)
	}
	devs := c.Text("#room-deviations")
	if !strings.Contains(devs, devItem.Name) || !strings.Contains(devs, "项待说明") || !strings.Contains(devs, "偏离理由") {
		t.Errorf("deviations shown to the last member: %.400s", devs)
	}
	c.Shot("demo-room-deviation")
	form := "dev-" + string(devBid) + "-" + devItem.Key
	c.Do("explanation", chromedp.SendKeys(chromedp.ID(form+"-explanation"), explanation))
	c.Click(`#room-deviations form[action$="/room/explain"] button[type=submit]`)
	if s := c.Text(".flash"); !strings.Contains(s, "评分偏离的书面说明已提交") {
		t.Errorf("after explaining: %q", s)
	}
	if s := c.Text("#room-head"); !strings.Contains(s, "评标已结束") || !strings.Contains(s, "下载评标报告（PDF）") {
		t.Errorf("the room after the last explanation: %.400s", s)
	}
	c.Shot("demo-room-finished")
	c.Logout()

	// The lot is in the candidate publicity, with the report of a remote
	// evaluation: the draw, one signed sheet per seat, the explained deviation.
	lv, err = a.Tender.ViewLot(ctx, operator, lotID)
	if err != nil {
		t.Fatal(err)
	}
	r := lv.Report
	if lv.Lot.Status != tender.Publicity || r == nil {
		t.Fatalf("after the evaluation: lot %s, report %v", lv.Lot.Status, r != nil)
	}
	if !r.Remote || len(r.Sheets) != len(seats) || len(r.Draws) != len(draws) || len(r.Candidates) == 0 ||
		len(r.Deviations) != 1 || r.Deviations[0].Explanation != explanation {
		t.Errorf("report: remote %v, %d sheets, %d draws, %d candidates, deviations %+v", r.Remote, len(r.Sheets), len(r.Draws), len(r.Candidates), r.Deviations)
	}

	// `ggzy verify-draw` against the running server: the report exists, so
	// the proof is public and no token is needed.
	noToken := func(k string) string {
		if k == "GGZY_TOKEN" {
			return ""
		}
		return os.Getenv(k)
	}
	for _, d := range draws {
		var out, errb bytes.Buffer
		if code := app.Main(ctx, []string{"verify-draw", "--url", base, "--draw", d.ID, "--key", a.LedgerKey.VerifierKey}, &out, &errb, noToken); code != 0 {
			t.Errorf("ggzy verify-draw %s: exit %d\n%s%s", d.ID, code, out.String(), errb.String())
		} else if !strings.Contains(out.String(), "得到相同的") {
			t.Errorf("verify-draw report:\n%s", out.String())
		} else {
			t.Logf("ggzy verify-draw %s:\n%s", d.ID, out.String())
		}
	}

	// The agency downloads the report PDF from the lot page.
	c.Login("daili", app.DemoPassword)
	c.Nav("/console/lots/" + lotID)
	link := `a[href="/console/lots/` + lotID + `/report.pdf"]`
	if s := c.Text(link); !strings.Contains(s, "下载评标报告（PDF）") {
		t.Errorf("report link: %q", s)
	}
	c.Do("scroll", chromedp.ScrollIntoView(chromedp.CSS(link)))
	c.Shot("demo-lot-report")
	if _, err := pdf.LoadFont(); err != nil {
		skipOrFail(t, "the report PDF needs the WQY Zen Hei font: %v", err)
	}
	c.Do("download", chromedp.Click(chromedp.CSS(link)))
	file := c.WaitDownload("", ".pdf")
	doc, err := os.ReadFile(file)
	if err != nil || !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Fatalf("downloaded %s: %v %.20q", file, err, doc)
	}
	_ = os.WriteFile(filepath.Join(c.Artifacts, "demo-evaluation-report.pdf"), doc, 0o644)
	// The same bytes, with the platform's signature in the response headers.
	hdr, err := chromedp.Run(c.Ctx, chromedp.Evaluate[string](`fetch("/console/lots/`+lotID+`/report.pdf", {credentials: "same-origin"}).then(function (r) { return r.status + " " + r.headers.get("X-Content-SM3") + " " + r.headers.get("X-Signature-SM2"); })`, chromedp.EvalAwaitPromise))
	c.Must("report headers", err)
	if f := strings.Fields(hdr); len(f) != 3 || f[0] != "200" || f[1] != gm.SM3Hex(doc) || !pdf.Verify(doc, f[2], a.PlatformKey.Public()) {
		t.Errorf("the downloaded PDF does not match the platform's signed digest: %.200s", hdr)
	}
	c.Logout()

	text := pdfText(t, file)
	_ = os.WriteFile(filepath.Join(c.Artifacts, "demo-evaluation-report.txt"), []byte(text), 0o644)
	flat := strings.Join(strings.Fields(text), "")
	want := []string{"评标报告", demoRoomProject, lv.Lot.Code, "评标方式远程异地评标", "二、评标委员会组建",
		"任何人可在评标结束后运行ggzyverify-draw--url<平台地址>--draw<抽取编号>复核抽取结果。",
		"四、评分偏离说明", explanation, "六、评标委员会", fmt.Sprintf("成员（%d人）：", len(seats)), "七、评审意见签名"}
	for _, d := range r.Draws {
		want = append(want, fmt.Sprintf("第%d次抽取编号%s", d.Attempt, d.ID))
	}
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("the report PDF's text lacks %q", w)
		}
	}
	// The tenderer's agency receives the report with the committee's names
	// (they stay secret to others until the award: 招标投标法第三十七条).
	for _, s := range seats {
		if !strings.Contains(flat, s.m.Name) {
			t.Errorf("the report PDF sent to the agency does not name member %s", s.m.Name)
		}
	}
	// 七、评审意见签名: one row per seat, each with its sheet's digest.
	_, sig, _ := strings.Cut(text, "七、评审意见签名")
	row := regexp.MustCompile(`(?m)^\s*([0-9]+)\s+(评标专家|招标人代表)`)
	got := map[string]int{}
	rows := 0
	for _, m := range row.FindAllStringSubmatch(sig, -1) {
		got[m[1]]++
		rows++
		if m[2] == "招标人代表" {
			got["rep"]++
		}
	}
	for i := range seats {
		if got[fmt.Sprint(i+1)] != 1 {
			t.Errorf("the signature table has %d rows for seat %d", got[fmt.Sprint(i+1)], i+1)
		}
	}
	if rows != len(seats) || got["rep"] != reps {
		t.Errorf("the signature table has %d rows (%d of representatives), want %d (%d)", rows, got["rep"], len(seats), reps)
	}
	for _, sh := range r.Sheets {
		if f := strings.Join(strings.Fields(sig), ""); !strings.Contains(f, sh.Digest[:16]) || !strings.Contains(f, sh.Fingerprint[:16]) {
			t.Errorf("the signature table lacks seat %d's digest %s or key fingerprint %s", sh.Seat, sh.Digest[:16], sh.Fingerprint[:16])
		}
	}
	if t.Failed() {
		t.Logf("report text:\n%s", text)
	}

	t.Logf("evaluated through the UI in %v", time.Since(start).Round(time.Millisecond))
}

// demoLotID finds the demo's lot in the evaluation room.
func demoLotID(t *testing.T, a *app.App) string {
	t.Helper()
	ctx := context.Background()
	var id string
	err := a.DB.Read(ctx, func(tx *store.Tx) error {
		ps, err := tx.ListProjects(ctx, "")
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.Name != demoRoomProject {
				continue
			}
			ls, err := tx.ListLots(ctx, tender.LotFilter{ProjectID: p.ID})
			if err != nil {
				return err
			}
			for _, l := range ls {
				if l.Status == tender.Evaluating {
					id = l.ID
				}
			}
		}
		return nil
	})
	if err != nil || id == "" {
		t.Fatalf("no lot of %s in evaluation (%v)", demoRoomProject, err)
	}
	return id
}

func actorOf(t *testing.T, a *app.App, username string) party.Actor {
	t.Helper()
	u, err := a.Party.UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor("127.0.0.1")
}

// skipOrFail skips without a tool the test needs, except under CI=true.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// pdfText is pdftotext -layout of the file.
func pdfText(t *testing.T, file string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		skipOrFail(t, "pdftotext not installed (apt-get install poppler-utils): the report's text is not checked")
	}
	out, err := exec.Command(bin, "-layout", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}
