package pdf

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
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
		"经评审的最低投标价法", "韦国强", "2026年3月3日 16:45（北京时间）", "报告数据 SM3：" + in.Digest()}
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
	for _, w := range []string{"第三十七条", "未推荐中标候选人", "招标人自行招标", "第1页共1页"} {
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
