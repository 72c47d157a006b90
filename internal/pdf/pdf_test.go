package pdf

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signintech/gopdf"

	"ggzy/internal/apperr"
	"ggzy/internal/gm"
	"ggzy/internal/money"
)

var (
	fontOnce sync.Once
	fontData []byte
	fontErr  error
)

// testFont loads the real font once; without it the test is skipped,
// except in CI, which installs fonts-wqy-zenhei.
func testFont(t *testing.T) []byte {
	t.Helper()
	fontOnce.Do(func() { fontData, fontErr = LoadFont() })
	if fontErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("LoadFont: %v", fontErr)
		}
		t.Skipf("WQY Zen Hei not installed (apt-get install fonts-wqy-zenhei): %v", fontErr)
	}
	return fontData
}

// tool finds a poppler utility; skipped without it, failed in CI.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: CI installs poppler-utils", name)
		}
		t.Skipf("%s not found (apt-get install poppler-utils); text extraction not checked", name)
	}
	return p
}

func TestLoadFontMissing(t *testing.T) {
	_, err := LoadFont(filepath.Join(t.TempDir(), "none.ttc"))
	if err == nil || apperr.CodeOf(err) != apperr.Internal || !strings.Contains(apperr.As(err).Message, "fonts-wqy-zenhei") {
		t.Fatalf("want the clear Chinese error, got %v", err)
	}
	if _, err := EvaluationReport(nil, ReportInput{}); err == nil || !strings.Contains(apperr.As(err).Message, "未找到中文字体") {
		t.Fatalf("render without font: %v", err)
	}
}

// TestExtractFace checks the extracted face's structure: every table lies
// inside the file, 4-byte aligned, with the collection's bytes and checksum.
func TestExtractFace(t *testing.T) {
	ttc, err := os.ReadFile(DefaultFontPath)
	if err != nil {
		testFont(t) // skips or fails with the right message
	}
	ttf := testFont(t)
	if string(ttc[:4]) != "ttcf" {
		t.Fatalf("%s is not a collection", DefaultFontPath)
	}
	faceOff := binary.BigEndian.Uint32(ttc[12:])
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	if n == 0 || n != int(binary.BigEndian.Uint16(ttc[faceOff+4:])) {
		t.Fatalf("table count %d", n)
	}
	for i := 0; i < n; i++ {
		rec := ttf[12+16*i:]
		src := ttc[int(faceOff)+12+16*i:]
		if !bytes.Equal(rec[:8], src[:8]) {
			t.Fatalf("table %d: tag/checksum changed", i)
		}
		o, l := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		so := binary.BigEndian.Uint32(src[8:])
		if o%4 != 0 || int(o+l) > len(ttf) || !bytes.Equal(ttf[o:o+l], ttc[so:so+l]) {
			t.Fatalf("table %q at %d+%d: misplaced or changed", rec[:4], o, l)
		}
	}
	// A plain TTF passes through; bad input is refused.
	if got, err := ExtractFace(ttf, 0); err != nil || !bytes.Equal(got, ttf) {
		t.Fatalf("TTF passthrough: %v", err)
	}
	if _, err := ExtractFace(ttc, 99); err == nil {
		t.Fatal("face 99 accepted")
	}
	if _, err := ExtractFace(ttc[:64], 0); err == nil {
		t.Fatal("truncated collection accepted")
	}
}

// TestFontRendersCJK: gopdf parses the extracted face and has real glyphs
// (non-zero widths) for Chinese.
func TestFontRendersCJK(t *testing.T) {
	ttf := testFont(t)
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	gp.AddPage()
	if err := gp.AddTTFFontData("f", ttf); err != nil {
		t.Fatalf("gopdf rejects the extracted face: %v", err)
	}
	if err := gp.SetFont("f", "", 12); err != nil {
		t.Fatal(err)
	}
	w, err := gp.MeasureTextWidth("评标报告")
	if err != nil || w < 40 || w > 52 { // four full-width glyphs at 12 pt
		t.Fatalf("width of 评标报告 = %v, %v", w, err)
	}
	if err := gp.Text("评标报告"); err != nil {
		t.Fatal(err)
	}
	if _, err := gp.GetBytesPdfReturnErr(); err != nil {
		t.Fatal(err)
	}
}

var names = []string{"广西八桂建设工程有限公司", "南宁市邕江路桥集团股份有限公司", "柳州钢城建筑安装工程有限责任公司", "桂林山水市政工程有限公司",
	"梧州西江水利水电工程局", "北海银滩建设有限公司", "防城港港务工程有限公司", "钦州湾交通建设集团有限公司",
	"贵港荷城建筑工程有限公司", "玉林五彩建设有限公司", "百色右江水电建设有限公司", "河池红水河工程有限公司"}

func sampleInput() ReportInput {
	in := ReportInput{
		SiteName:    "南宁市公共资源交易平台",
		ProjectName: "南宁市青秀区民族大道东段道路改造及配套管网工程",
		ProjectCode: "450103-A-2026-0007",
		LotName:     "第一标段：道路主体及雨污分流管网",
		LotCode:     "450103-A-2026-0007-01",
		Principal:   "南宁市青秀区市政工程管理中心",
		Agency:      "广西中信恒泰工程顾问有限公司",
		Method:      "经评审的最低投标价法",
		OpenedAt:    time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC),
		FinishedAt:  time.Date(2026, 3, 3, 8, 45, 0, 0, time.UTC),
		BidderCount: len(names),
		Members:     []string{"韦国强", "黄丽娟", "覃志明", "蒙海燕", "陆建华"},
	}
	rank := 0
	for i, n := range names {
		r := Row{Bidder: n, Price: money.Fen(12_345_678_90 + int64(i)*7_654_321_01), EvaluatedPrice: money.Fen(12_300_000_00 + int64(i)*7_600_000_00)}
		if i%3 == 1 {
			r.Rejected = true
			r.Reasons = []string{
				"投标保证金未按招标文件第二章投标人须知前附表第 3.4.1 项规定的形式和金额递交，且未能在评标委员会要求的时间内作出澄清说明",
				"项目经理注册建造师证书专业与招标文件要求不符（要求市政公用工程专业一级）",
			}
		} else {
			rank++
			r.Rank = rank
		}
		in.Rows = append(in.Rows, r)
		if r.Rank > 0 && r.Rank <= 3 {
			in.Candidates = append(in.Candidates, r)
		}
	}
	in.Draws = []Draw{
		{ID: "06f2k3m4n5p6q7r8s9t0vwxyz1", Attempt: 1, Status: "已抽取", RequestIndex: 1042, CheckpointSize: 1043,
			ResultDigest: strings.Repeat("3fa9c01d", 8), Exclusions: 4},
		{ID: "06f2k3m4n5p6q7r8s9t0vwxyz2", Attempt: 2, Status: "已抽取", Reason: "第1次抽取的专家及备选均不能参加，尚缺专家1名。",
			RequestIndex: 1077, CheckpointSize: 1080, ResultDigest: strings.Repeat("b7e4", 16), Exclusions: 5},
	}
	for i := range in.Members {
		in.Sheets = append(in.Sheets, Sheet{Seat: i + 1, PrincipalRep: i == 4, Chair: i == 0,
			Digest: strings.Repeat(strconv.Itoa(i+1)+"c", 32), Fingerprint: strings.Repeat("e"+strconv.Itoa(i+1), 32),
			SubmittedAt: time.Date(2026, 3, 3, 7, 10+i, 5, 0, time.UTC)})
	}
	return in
}

// longExplanation is a member's written explanation long enough to wrap
// over many lines of its narrow column.
const longExplanation = "本人认为该投标人的施工组织设计针对本项目民族大道东段交通繁忙、地下管线复杂的特点，" +
	"提出了分段半幅施工、夜间集中作业和管线迁改先行的组织方案，交通疏解措施具体可行，" +
	"雨季施工和深基坑支护的安全技术措施完整，进度计划关键线路清晰并留有合理的工期余量，" +
	"因此按评标办法第2.2.4项评分标准给予“优”档评分，高于委员会平均分有充分依据。" +
	"其余成员评分偏低，主要是未考虑其对既有雨污管网接驳点的逐一核查表，该表见投标文件第三卷第127页至第141页。"

// sampleComprehensive is a comprehensive-method report, remote, with
// deviations and their explanations.
func sampleComprehensive() ReportInput {
	in := sampleInput()
	in.Method, in.Comprehensive = "综合评估法", true
	in.PriceFormula, in.Remote = FormulaLowPriceFirst, true
	for i := range in.Rows {
		if !in.Rows[i].Rejected {
			in.Rows[i].Score = 9000 - int64(i)*137
		}
	}
	for i := range in.Candidates {
		in.Candidates[i].Score = 9000 - int64(i)*137
	}
	in.Deviations = []Deviation{
		{Seat: 2, Bidder: names[0], Item: "施工组织设计", Score: 1800, Mean: 1320, Pct: 3636, Explanation: longExplanation},
		{Seat: 4, Bidder: names[2], Item: "项目管理机构", Score: 400, Mean: 760, Pct: 4737, Explanation: "项目经理近三年无同类业绩，\n技术负责人职称证书已过有效期。"},
	}
	return in
}

func TestEvaluationReport(t *testing.T) {
	font := testFont(t)
	in := sampleInput()
	start := time.Now()
	b, err := EvaluationReport(font, in)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rendered %d bytes in %v", len(b), time.Since(start))
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	// Deterministic: the same report gives the same bytes.
	b2, err := EvaluationReport(font, in)
	if err != nil || !bytes.Equal(b, b2) {
		t.Fatalf("two renderings differ (%d vs %d bytes, %v)", len(b), len(b2), err)
	}
	if dir := os.Getenv("GGZY_ARTIFACTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "evaluation-report.pdf"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	pdftotext := tool(t, "pdftotext")
	dir := t.TempDir()
	src := filepath.Join(dir, "r.pdf")
	if err := os.WriteFile(src, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-layout", src, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	text := string(out)
	pages := strings.Split(text, "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	if len(pages) < 2 {
		t.Fatalf("12 bids with long reasons fit on %d page", len(pages))
	}
	want := []string{"评标报告", names[0], names[11], in.Rows[0].Price.String(), in.Rows[0].Price.Capital(),
		"经评审的最低投标价法", "韦国强", "2026年3月3日 16:45（北京时间）", "报告数据 SM3：" + in.Digest(),
		"评标方式本地评标", "无评分偏离。", verifyDrawSentence, "第1次抽取编号" + in.Draws[0].ID, "第2次抽取编号" + in.Draws[1].ID}
	for _, w := range want {
		if !strings.Contains(strings.Join(strings.Fields(text), ""), strings.Join(strings.Fields(w), "")) {
			t.Errorf("extracted text lacks %q", w)
		}
	}
	for i, p := range pages {
		flat := strings.Join(strings.Fields(p), "")
		if !strings.Contains(flat, "第"+strconv.Itoa(i+1)+"页共"+strconv.Itoa(len(pages))+"页") {
			t.Errorf("page %d lacks its page number footer", i+1)
		}
		if i > 0 && strings.Contains(flat, "评标价") && !strings.Contains(flat, "否决投标的理由") && !strings.Contains(flat, "中标候选人") {
			t.Errorf("page %d continues a table without its header", i+1)
		}
	}
	// The bid table runs onto page 2 with its header repeated.
	if !strings.Contains(strings.Join(strings.Fields(pages[1]), ""), "否决投标的理由") {
		t.Errorf("page 2 does not repeat the bid table header:\n%s", pages[1])
	}
	if t.Failed() {
		t.Logf("extracted text:\n%s", text)
	}

	if art := os.Getenv("GGZY_ARTIFACTS"); art != "" {
		pdftoppm := tool(t, "pdftoppm")
		if out, err := exec.Command(pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "2", src, filepath.Join(art, "evaluation-report")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
	}
}

// The names stay secret before the award; a failed evaluation says so.
func TestReportWithoutNames(t *testing.T) {
	font := testFont(t)
	in := sampleInput()
	in.Members = nil
	in.Rows = in.Rows[:2]
	in.Candidates = nil
	in.Failed = true
	in.Agency = ""
	in.Draws, in.Sheets = nil, nil // and the record sections say what they lack
	b, err := EvaluationReport(font, in)
	if err != nil {
		t.Fatal(err)
	}
	pdftotext := tool(t, "pdftotext")
	src := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(src, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, src, "-").CombinedOutput()
	if err != nil {
		t.Fatal(err, string(out))
	}
	flat := strings.Join(strings.Fields(string(out)), "")
	for _, w := range []string{"第三十七条", "未推荐中标候选人", "招标人自行招标", "第1页共1页", "无专家抽取记录。", "无评分偏离。", "无评审意见签名记录。"} {
		if !strings.Contains(flat, w) {
			t.Errorf("lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(flat, "韦国强") {
		t.Error("a member's name is shown before it may be")
	}
}

func TestSign(t *testing.T) {
	key, err := gm.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := gm.GenerateKey(rand.Reader)
	doc := []byte("%PDF-1.7 评标报告 test bytes")
	digest, sig, err := Sign(doc, key)
	if err != nil {
		t.Fatal(err)
	}
	if digest != gm.SM3Hex(doc) {
		t.Fatal("digest is not the SM3 of the bytes")
	}
	if !Verify(doc, sig, key.Public()) {
		t.Fatal("signature does not verify with the key's public half")
	}
	if Verify(doc, sig, other.Public()) {
		t.Fatal("signature verifies with another key")
	}
	changed := bytes.Clone(doc)
	changed[3] ^= 1
	if Verify(changed, sig, key.Public()) {
		t.Fatal("signature verifies over a changed byte")
	}
	if _, _, err := Sign(doc, nil); err == nil {
		t.Fatal("signed without a key")
	}
}

// extract runs pdftotext with args on b and returns its output.
func extract(t *testing.T, b []byte, args ...string) string {
	t.Helper()
	pdftotext := tool(t, "pdftotext")
	src := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(src, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, append(append(args, src), "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func flat(s string) string { return strings.Join(strings.Fields(s), "") }

// colX is the left edge of column i of cols.
func colX(cols []column, i int) float64 {
	x := marginX
	for _, c := range cols[:i] {
		x += c.w
	}
	return x
}

// columnText is the text of column i of a table with cols, read on its own
// from every page's body, whitespace removed, the column's title (repeated
// with the header on every page the table reaches) left out.
func columnText(t *testing.T, b []byte, cols []column, i int) string {
	t.Helper()
	var body float64 = bottom
	out := extract(t, b, "-r", "72", "-x", strconv.Itoa(int(colX(cols, i))+1), "-y", "50",
		"-W", strconv.Itoa(int(cols[i].w)-1), "-H", strconv.Itoa(int(body)-50))
	return strings.ReplaceAll(flat(out), flat(cols[i].title), "")
}

// TestReportRecord: the sections on how the committee was formed and how it
// worked — evaluation mode, draws, deviations, signatures — read correctly,
// name seats and not people, and a long explanation wraps inside its column
// and the page.
func TestReportRecord(t *testing.T) {
	font := testFont(t)
	in := sampleComprehensive()
	huge := strings.Repeat(longExplanation, 6) // taller than a page: the row is split
	in.Deviations = append(in.Deviations, Deviation{Seat: 3, Bidder: names[3], Item: "施工组织设计", Score: 600, Mean: 1250, Pct: 5200, Explanation: huge})
	b, err := EvaluationReport(font, in)
	if err != nil {
		t.Fatal(err)
	}
	if b2, err := EvaluationReport(font, in); err != nil || !bytes.Equal(b, b2) {
		t.Fatalf("two renderings differ (%v)", err)
	}
	if dir := os.Getenv("GGZY_ARTIFACTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "evaluation-report-record.pdf"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	layout := extract(t, b, "-layout")
	all := flat(layout)
	for _, w := range []string{"一、评标方式", "评标方式远程异地评标", "价格分计算方法低价优先法（财政部令第87号第五十五条）",
		"二、评标委员会组建", verifyDrawSentence, "第1次抽取编号" + in.Draws[0].ID, "第2次抽取编号" + in.Draws[1].ID,
		"首次抽取", in.Draws[0].ResultDigest[:16] + "…",
		"四、评分偏离说明", "委员会平均分", "36.36%", "47.37%", "18.00", "13.20",
		"七、评审意见签名", "评标专家（主任委员）", "招标人代表", "2026-03-0315:14:05"} {
		if !strings.Contains(all, flat(w)) {
			t.Errorf("extracted text lacks %q", w)
		}
	}
	if strings.Contains(all, "无评分偏离") {
		t.Error("says there is no deviation")
	}
	// The seat table: one row per seat, its cells on the row's first line.
	lines := strings.Split(layout, "\n")
	for _, s := range in.Sheets {
		found := false
		for _, l := range lines {
			f := strings.Fields(l)
			if len(f) >= 5 && strings.Contains(l, short(s.Digest)) {
				found = true
				kind := "评标专家"
				if s.PrincipalRep {
					kind = "招标人代表"
				}
				if f[0] != strconv.Itoa(s.Seat) || !strings.HasPrefix(f[1], kind) || !strings.Contains(l, short(s.Fingerprint)) ||
					!strings.Contains(l, s.SubmittedAt.In(beijing).Format("15:04:05")) {
					t.Errorf("seat %d's row reads %q", s.Seat, l)
				}
			}
		}
		if !found {
			t.Errorf("no row for seat %d", s.Seat)
		}
	}
	// Names stay in the member list: the sections on seats show none.
	sigs := all[strings.Index(all, "七、评审意见签名"):]
	early := all[:strings.Index(all, "三、投标文件评审情况")]
	devs := all[strings.Index(all, "四、评分偏离说明"):strings.Index(all, "五、推荐的中标候选人")]
	for _, m := range in.Members {
		if strings.Contains(sigs, m) || strings.Contains(early, m) || strings.Contains(devs, m) {
			t.Errorf("member %s named outside the member list", m)
		}
	}

	// A wrapped column read alone, page by page, gives back the text
	// written once the lines are joined: the draw's reason, the explanations.
	if !strings.Contains(columnText(t, b, drawCols, 2), flat(in.Draws[1].Reason)) {
		t.Errorf("the reason of draw 2 does not read back whole")
	}
	x0 := colX(devCols, len(devCols)-1)
	col := columnText(t, b, devCols, len(devCols)-1)
	for _, d := range in.Deviations {
		if !strings.Contains(col, flat(d.Explanation)) {
			t.Errorf("the explanation of seat %d does not read back whole", d.Seat)
		}
	}
	if n := strings.Count(layout, "\f"); n < 3 {
		t.Errorf("the report with a page-long explanation has %d pages", n)
	}

	// Nothing leaves the page or its column: every word's box (a CJK line
	// is one word) lies inside the margins, body text above the footer, and
	// explanation lines inside their column.
	bbox := extract(t, b, "-bbox")
	re := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
	words := re.FindAllStringSubmatch(bbox, -1)
	if len(words) < 100 {
		t.Fatalf("bbox output has %d words", len(words))
	}
	const eps = 0.5
	inCol := 0
	for _, w := range words {
		f := func(i int) float64 { v, _ := strconv.ParseFloat(w[i], 64); return v }
		xMin, yMin, xMax, yMax := f(1), f(2), f(3), f(4)
		if xMin < marginX-eps || xMax > pageW-marginX+eps || yMin < 0 || yMax > pageH {
			t.Errorf("%q at x %.1f–%.1f, y %.1f–%.1f leaves the page's margins", w[5], xMin, xMax, yMin, yMax)
		}
		if yMin < bottom && yMax > bottom+eps {
			t.Errorf("%q at y %.1f–%.1f runs into the footer", w[5], yMin, yMax)
		}
		if xMin > x0 && xMin < x0+2*cellPad && yMin < bottom {
			inCol++
			if xMax > pageW-marginX-cellPad+eps {
				t.Errorf("explanation line %q ends at %.1f, past its column", w[5], xMax)
			}
		}
	}
	if inCol < 60 {
		t.Errorf("only %d lines in the explanation column: not wrapped?", inCol)
	}
	if t.Failed() {
		t.Logf("extracted text:\n%s\nexplanation column:\n%s", layout, col)
	}
}

// TestDigestCoversRecord: the digest covers the new sections, does not
// depend on the time zone of a submission time, leaves the input alone, and
// is unchanged for a report without them.
func TestDigestCoversRecord(t *testing.T) {
	in := sampleComprehensive()
	d := in.Digest()
	for name, change := range map[string]func(*ReportInput){
		"formula":     func(c *ReportInput) { c.PriceFormula = FormulaBaseRatio },
		"remote":      func(c *ReportInput) { c.Remote = false },
		"draw":        func(c *ReportInput) { c.Draws[1].CheckpointSize++ },
		"sheet":       func(c *ReportInput) { c.Sheets[2].Fingerprint = strings.Repeat("0", 64) },
		"chair":       func(c *ReportInput) { c.Sheets[0].Chair = false },
		"explanation": func(c *ReportInput) { c.Deviations[0].Explanation += "。" },
		"submitted":   func(c *ReportInput) { c.Sheets[0].SubmittedAt = c.Sheets[0].SubmittedAt.Add(time.Second) },
	} {
		c := sampleComprehensive()
		change(&c)
		if c.Digest() == d {
			t.Errorf("changing the %s leaves the digest", name)
		}
	}
	c := sampleComprehensive()
	for i := range c.Sheets {
		c.Sheets[i].SubmittedAt = c.Sheets[i].SubmittedAt.In(beijing)
	}
	if c.Digest() != d {
		t.Error("the digest depends on the zone of a submission time")
	}
	if c.Sheets[0].SubmittedAt.Location() != beijing {
		t.Error("Digest changed its input")
	}
	old := sampleInput()
	old.Draws, old.Sheets = nil, nil
	j, _ := json.Marshal(old)
	for _, k := range []string{"price_formula", "remote", "draws", "sheets", "deviations"} {
		if strings.Contains(string(j), `"`+k+`"`) {
			t.Errorf("a report without %s has it in its digested JSON: its digest changed", k)
		}
	}
}

func TestFormulaLabel(t *testing.T) {
	for f, want := range map[string]string{FormulaBaseRatio: "基准价比值法", FormulaLowPriceFirst: "低价优先法（财政部令第87号第五十五条）",
		FormulaBenchmarkDeviation: "基准价偏差扣分法", "x_new": "x_new"} {
		if got := FormulaLabel(f); got != want {
			t.Errorf("FormulaLabel(%q) = %q, want %q", f, got, want)
		}
	}
}

// TestWrap: lines keep to their width and, where they can, neither start
// with closing punctuation nor end with an opening one; nothing is lost.
func TestWrap(t *testing.T) {
	ttf := testFont(t)
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	if err := gp.AddTTFFontData(family, ttf); err != nil {
		t.Fatal(err)
	}
	d := &doc{gp: gp}
	d.setSize(9)
	texts := []string{longExplanation, strings.Repeat("评标，", 40), "项目经理近三年无同类业绩，\n技术负责人职称证书已过有效期。",
		strings.Repeat("（依据《招标投标法实施条例》第四十八条）", 6), strings.Repeat("。", 30), strings.Repeat("3fa9c01d", 8)}
	for _, w := range []float64{20, 45, 145, 300} {
		for _, s := range texts {
			lines := d.wrap(s, w)
			if got := strings.Join(lines, ""); got != strings.ReplaceAll(s, "\n", "") {
				t.Errorf("width %v: wrapped text reads %q", w, got)
			}
			for i, l := range lines {
				if d.width(l) > w && len([]rune(l)) > 1 {
					t.Errorf("width %v: line %q is %.1f wide", w, l, d.width(l))
				}
				if w >= 45 && i > 0 && l != "" && strings.ContainsRune("，。）》", []rune(l)[0]) && strings.Trim(s, "。") != "" {
					t.Errorf("width %v: line %d starts with punctuation: %q", w, i, l)
				}
				if w >= 45 && i < len(lines)-1 && (strings.HasSuffix(l, "（") || strings.HasSuffix(l, "《")) {
					t.Errorf("width %v: line %d ends with an opening bracket: %q", w, i, l)
				}
			}
		}
	}
	if d.err != nil {
		t.Fatal(d.err)
	}
}

// TestHighestPriceReport: a land tender's report (最高报价法) says so, names
// its ordering rule, and lists the ranked bids from the highest price down
// (the rejected after them); the lowest-price report keeps its layout.
func TestHighestPriceReport(t *testing.T) {
	font := testFont(t)
	in := ReportInput{SiteName: "南宁市公共资源交易平台", ProjectName: "五象新区总部基地", ProjectCode: "450100-TDZB-2026-0001",
		LotName: "GC2026-18号地块", LotCode: "450100-TDZB-2026-0001-01", Principal: "南宁市自然资源局", Method: "最高报价法（价高者得）", HighestPrice: true,
		OpenedAt: time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC), FinishedAt: time.Date(2026, 3, 3, 8, 45, 0, 0, time.UTC), BidderCount: 4}
	// Submission order: 3.1亿 (rank 3), rejected, 3.5亿 (rank 1), 3.3亿 (rank 2).
	prices := []money.Fen{310_000_000_00, 290_000_000_00, 350_000_000_00, 330_000_000_00}
	ranks := []int{3, 0, 1, 2}
	for i, p := range prices {
		r := Row{Bidder: names[i], Price: p, EvaluatedPrice: p, Rank: ranks[i], Rejected: ranks[i] == 0}
		if r.Rejected {
			r.Reasons = []string{"投标报价低于起始价"}
		}
		in.Rows = append(in.Rows, r)
	}
	in.Candidates = []Row{in.Rows[2], in.Rows[3], in.Rows[0]}
	b, err := EvaluationReport(font, in)
	if err != nil {
		t.Fatal(err)
	}
	text := flat(extract(t, b, "-layout"))
	for _, w := range []string{"最高报价法（价高者得）", "排序规则", "报价由高到低", "评审报价"} {
		if !strings.Contains(text, w) {
			t.Errorf("highest-price report lacks %q", w)
		}
	}
	if strings.Contains(text, "评标价") {
		t.Error("highest-price report uses the lowest-price column 评标价")
	}
	table := text[strings.Index(text, "三、投标文件评审情况"):strings.Index(text, "四、评分偏离说明")]
	at := func(i int) int { return strings.Index(table, prices[i].String()) }
	if !(at(2) < at(3) && at(3) < at(0) && at(0) < at(1)) {
		t.Errorf("bid table not from the highest price down: %s", table)
	}
	// The lowest-price report is unchanged: its column, submission order.
	low := flat(extract(t, mustReport(t, font, sampleInput()), "-layout"))
	if !strings.Contains(low, "评标价") || strings.Contains(low, "排序规则") {
		t.Error("lowest-price report changed")
	}
}

func mustReport(t *testing.T, font []byte, in ReportInput) []byte {
	t.Helper()
	b, err := EvaluationReport(font, in)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
