package pdf

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/signintech/gopdf"

	"ggzy/internal/apperr"
	"ggzy/internal/gm"
	"ggzy/internal/money"
)

// ReportInput is the evaluation report as the PDF shows it. The caller maps
// its domain data into it (this package must not import the domain) and
// blanks what the reader may not see, e.g. Members before the award.
type ReportInput struct {
	SiteName      string `json:"site_name"`
	ProjectName   string `json:"project_name"`
	ProjectCode   string `json:"project_code"`
	LotName       string `json:"lot_name"`
	LotCode       string `json:"lot_code"`
	Principal     string `json:"principal"`
	Agency        string `json:"agency"` // "" when the principal runs the tender itself
	Method        string `json:"method"` // label, e.g. 经评审的最低投标价法
	Comprehensive bool   `json:"comprehensive"`
	// HighestPrice is 最高报价法 (a land sale by tender): the highest valid
	// price ranks first, so the bid table runs from the highest price down.
	HighestPrice bool      `json:"highest_price,omitempty"`
	OpenedAt     time.Time `json:"opened_at"`
	BidderCount  int       `json:"bidder_count"`
	Rows         []Row     `json:"rows"`
	Candidates   []Row     `json:"candidates"`
	// Members are the committee's names; nil while they are still secret
	// (《招标投标法》第三十七条), and the report then says so.
	Members    []string  `json:"members"`
	FinishedAt time.Time `json:"finished_at"`
	Failed     bool      `json:"failed"` // every bid rejected

	// How the committee was formed and how it worked. These sections name
	// seats (1-based, in the order of Members), never people. The fields
	// are omitted from Digest's JSON when empty, so a report without them
	// keeps the digest it had.
	//
	// PriceFormula is the price item's formula: FormulaBaseRatio,
	// FormulaLowPriceFirst or FormulaBenchmarkDeviation; "" when no price
	// score is computed (the lowest-price method).
	PriceFormula string      `json:"price_formula,omitempty"`
	Remote       bool        `json:"remote,omitempty"` // 远程异地评标
	Draws        []Draw      `json:"draws,omitempty"`
	Sheets       []Sheet     `json:"sheets,omitempty"`
	Deviations   []Deviation `json:"deviations,omitempty"`
}

// Price formulas (ReportInput.PriceFormula), as the scoring rules name them.
const (
	FormulaBaseRatio          = "base_ratio"
	FormulaLowPriceFirst      = "low_price_first"
	FormulaBenchmarkDeviation = "benchmark_deviation"
)

// FormulaLabel is the Chinese name of a price formula; an unknown name is
// shown as it is rather than guessed at.
func FormulaLabel(f string) string {
	switch f {
	case FormulaBaseRatio:
		return "基准价比值法"
	case FormulaLowPriceFirst:
		return "低价优先法（财政部令第87号第五十五条）"
	case FormulaBenchmarkDeviation:
		return "基准价偏差扣分法"
	}
	return f
}

// Draw is one attempt at drawing the experts (专家抽取).
type Draw struct {
	ID             string `json:"id"` // what `ggzy verify-draw --draw` takes
	Attempt        int    `json:"attempt"`
	Status         string `json:"status"`           // label, e.g. 已抽取
	Reason         string `json:"reason,omitempty"` // why this attempt; "" for the first
	RequestIndex   int64  `json:"request_index"`    // ledger index of the request entry
	CheckpointSize int64  `json:"checkpoint_size"`  // size of the checkpoint the seed came from
	ResultDigest   string `json:"result_digest,omitempty"`
	Exclusions     int    `json:"exclusions"` // experts excluded (回避)
}

// Sheet is one seat's signed evaluation sheet (评审意见).
type Sheet struct {
	Seat         int       `json:"seat"`
	PrincipalRep bool      `json:"principal_rep,omitempty"` // 招标人代表; otherwise a drawn expert
	Chair        bool      `json:"chair,omitempty"`         // 主任委员
	Digest       string    `json:"digest"`                  // SM3 of the sheet, hex
	Fingerprint  string    `json:"fingerprint"`             // of the signing key, hex
	SubmittedAt  time.Time `json:"submitted_at"`
}

// Deviation is a score that deviates from the committee mean beyond the
// threshold, with the member's written explanation (评分偏离说明).
type Deviation struct {
	Seat        int    `json:"seat"`
	Bidder      string `json:"bidder"`
	Item        string `json:"item"`  // the scoring item's name
	Score       int64  `json:"score"` // ×100
	Mean        int64  `json:"mean"`  // ×100
	Pct         int64  `json:"pct"`   // percent ×100
	Explanation string `json:"explanation"`
}

// Row is one bid in the report.
type Row struct {
	Bidder         string    `json:"bidder"`
	Price          money.Fen `json:"price"`
	EvaluatedPrice money.Fen `json:"evaluated_price"`
	Score          int64     `json:"score"` // ×100, comprehensive method
	Rank           int       `json:"rank"`  // 0 = not ranked
	Rejected       bool      `json:"rejected"`
	Reasons        []string  `json:"reasons,omitempty"`
}

// Digest is the SM3 digest (hex) of the report data: the canonical JSON of
// in with times in UTC, so the figure does not depend on the server's zone.
func (in ReportInput) Digest() string {
	c := in
	c.OpenedAt, c.FinishedAt = c.OpenedAt.UTC(), c.FinishedAt.UTC()
	if in.Sheets != nil {
		c.Sheets = make([]Sheet, len(in.Sheets)) // not in place: in is the caller's
		for i, s := range in.Sheets {
			s.SubmittedAt = s.SubmittedAt.UTC()
			c.Sheets[i] = s
		}
	}
	b, err := json.Marshal(c)
	if err != nil { // plain fields only: cannot happen
		panic(err)
	}
	return gm.SM3Hex(b)
}

var beijing = time.FixedZone("CST", 8*3600)

func cnTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(beijing).Format("2006年1月2日 15:04") + "（北京时间）"
}

func score(v int64) string { return strconv.FormatFloat(float64(v)/100, 'f', 2, 64) }

// A4 portrait in points.
const (
	pageW   = 595.28
	pageH   = 841.89
	marginX = 48.0
	top     = 60.0
	bottom  = pageH - 64.0 // body ends here; the footer lives below
	bodyW   = pageW - 2*marginX
	family  = "wqy"
)

// doc is a page-aware writer: y is the next free line's top.
type doc struct {
	gp     *gopdf.GoPdf
	y      float64
	size   float64
	widths map[float64]map[rune]float64 // by size; cached: measuring goes through the subsetter
	header string
	err    error
}

func (d *doc) setSize(s float64) {
	if d.err != nil || d.size == s {
		return
	}
	d.size = s
	if d.widths == nil {
		d.widths = map[float64]map[rune]float64{}
	}
	if d.widths[s] == nil {
		d.widths[s] = map[rune]float64{}
	}
	d.err = d.gp.SetFont(family, "", s)
}

func (d *doc) runeWidth(r rune) float64 {
	if w, ok := d.widths[d.size][r]; ok {
		return w
	}
	w, err := d.gp.MeasureTextWidth(string(r))
	if err != nil && d.err == nil {
		d.err = err
	}
	d.widths[d.size][r] = w
	return w
}

func (d *doc) width(s string) float64 {
	var w float64
	for _, r := range s {
		w += d.runeWidth(r)
	}
	return w
}

// Punctuation that may not start a line, and that may not end one
// (避头尾, simplified).
const (
	noStart = "，。、；：！？）》」』】〕〉”’…·%,.;:!?)]}"
	noEnd   = "（《「『【〔〈“‘([{"
)

// wrap breaks s into lines no wider than w, per rune: Chinese has no spaces
// to break at, and a Latin run (a code, an amount) breaks where it must.
// A line does not start with closing punctuation nor end with an opening
// one: up to 3 runes move down with it. Explicit newlines are kept.
func (d *doc) wrap(s string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		var cur []rune
		var cw float64
		for _, r := range para {
			rw := d.runeWidth(r)
			if cw+rw > w && len(cur) > 0 {
				// k runes of cur move to the next line, kw wide.
				bad := func(k int) bool {
					first := r
					if k > 0 {
						first = cur[len(cur)-k]
					}
					return strings.ContainsRune(noStart, first) || strings.ContainsRune(noEnd, cur[len(cur)-k-1])
				}
				k, kw := 0, 0.0
				for k < 3 && k < len(cur)-1 && bad(k) {
					k++
					kw += d.runeWidth(cur[len(cur)-k])
				}
				if bad(k) || kw+rw > w {
					k, kw = 0, 0 // a run of punctuation, a narrow column: break where it must
				}
				lines = append(lines, string(cur[:len(cur)-k]))
				cur, cw = append(cur[:0:0], cur[len(cur)-k:]...), kw
			}
			cur = append(cur, r)
			cw += rw
		}
		lines = append(lines, string(cur))
	}
	return lines
}

func (d *doc) lineH() float64 { return d.size * 1.45 }

func (d *doc) text(x, y float64, s string) {
	if d.err != nil || s == "" {
		return
	}
	d.gp.SetXY(x, y)
	d.err = d.gp.Text(s)
}

// textAt draws s with its top at y (gopdf's Text takes the baseline).
func (d *doc) textTop(x, y float64, s string) { d.text(x, y+d.size*0.88, s) }

func (d *doc) newPage() {
	d.gp.AddPage()
	d.y = top
	if d.header != "" {
		size := d.size
		d.setSize(8)
		d.gp.SetTextColor(110, 110, 110)
		d.textTop(marginX, 32, d.header)
		d.gp.SetStrokeColor(190, 190, 190)
		d.gp.SetLineWidth(0.5)
		d.gp.Line(marginX, 46, pageW-marginX, 46)
		d.gp.SetTextColor(0, 0, 0)
		d.setSize(size)
	}
}

// need starts a new page unless h more points fit on this one.
func (d *doc) need(h float64) {
	if d.y+h > bottom {
		d.newPage()
	}
}

// para writes a wrapped paragraph at x with width w.
func (d *doc) para(x, w float64, s string) {
	for _, l := range d.wrap(s, w) {
		d.need(d.lineH())
		d.textTop(x, d.y, l)
		d.y += d.lineH()
	}
}

// section starts a section: its heading, kept on one page with the keep
// points of what comes under it (an intro, a table's header and first row).
func (d *doc) section(s string, keep float64) {
	d.need(28 + keep) // 28: the heading itself
	d.heading(s)
}

// keep is what a section keeps with its heading: a table's start when it
// has rows, a line otherwise.
func keep(rows int, table float64) float64 {
	if rows == 0 {
		return 20
	}
	return table
}

func (d *doc) heading(s string) {
	d.setSize(12.5)
	d.need(d.lineH()*2 + 24) // keep a heading with something under it
	d.y += 8
	d.textTop(marginX, d.y, s)
	d.y += d.lineH() + 2
	d.setSize(10)
}

// field writes "label：value" with the value wrapped under itself.
func (d *doc) field(label, value string) {
	const lw = 84.0
	lines := d.wrap(value, bodyW-lw)
	for i, l := range lines {
		d.need(d.lineH())
		if i == 0 {
			d.gp.SetTextColor(90, 90, 90)
			d.textTop(marginX, d.y, label)
			d.gp.SetTextColor(0, 0, 0)
		}
		d.textTop(marginX+lw, d.y, l)
		d.y += d.lineH()
	}
}

// cell is one table cell: lines of text at a size, in a colour.
type cell struct {
	parts []cellPart
	right bool
}

type cellPart struct {
	text string
	size float64
	grey bool
}

type column struct {
	title string
	w     float64
	right bool
}

const cellPad = 4.0

// table draws rows under a header that is repeated on every page the table
// reaches. A row that does not fit moves to the next page; a row taller than
// a page is split between pages.
func (d *doc) table(cols []column, rows [][]cell) {
	type laid struct {
		text  string
		size  float64
		grey  bool
		right bool
	}
	layout := func(c cell, w float64) []laid {
		var out []laid
		for _, p := range c.parts {
			d.setSize(p.size)
			for _, l := range d.wrap(p.text, w-2*cellPad) {
				out = append(out, laid{l, p.size, p.grey, c.right})
			}
		}
		return out
	}
	lh := func(l laid) float64 { return l.size * 1.4 }
	header := func() {
		var cells []cell
		for _, c := range cols {
			cells = append(cells, cell{parts: []cellPart{{text: c.title, size: 9}}})
		}
		var ls [][]laid
		h := 0.0
		for i, c := range cells {
			l := layout(c, cols[i].w)
			ls = append(ls, l)
			hh := 0.0
			for _, x := range l {
				hh += lh(x)
			}
			h = max(h, hh)
		}
		h += 2 * cellPad
		d.gp.SetStrokeColor(150, 150, 150)
		d.gp.SetLineWidth(0.5)
		x := marginX
		for i, c := range cols {
			// PDF text and fill share one colour ("rg"): set the fill before
			// every cell, the previous cell's text has reset it.
			d.gp.SetFillColor(236, 240, 245)
			d.gp.RectFromUpperLeftWithStyle(x, d.y, c.w, h, "FD")
			d.gp.SetTextColor(0, 0, 0)
			yy := d.y + cellPad
			for _, l := range ls[i] {
				d.setSize(l.size)
				d.textTop(x+cellPad, yy, l.text)
				yy += lh(l)
			}
			x += c.w
		}
		d.y += h
	}
	d.need(60)
	header()
	for _, r := range rows {
		var ls [][]laid
		for i, c := range r {
			ls = append(ls, layout(c, cols[i].w))
		}
		off := make([]int, len(ls))
		first := true
		for {
			left := false
			for i := range ls {
				if off[i] < len(ls[i]) {
					left = true
				}
			}
			if !left && !first {
				break
			}
			// Height of what remains and how much of it fits.
			avail := bottom - d.y - 2*cellPad
			h, rest, whole := 0.0, 0.0, true
			take := make([]int, len(ls))
			for i := range ls {
				hh, all, full := 0.0, 0.0, false
				for j := off[i]; j < len(ls[i]); j++ {
					all += lh(ls[i][j])
					if full || hh+lh(ls[i][j]) > avail {
						full, whole = true, false
						continue
					}
					hh += lh(ls[i][j])
					take[i]++
				}
				h, rest = max(h, hh), max(rest, all)
			}
			if !whole && (first && rest <= bottom-top-60 || h < 20) && d.y > top+40 {
				// Move the row (or its remnant) to a fresh page rather than
				// leave a sliver; a fresh page takes whatever fits. A row
				// taller than a page is split where it starts.
				d.newPage()
				header()
				continue
			}
			first = false
			h += 2 * cellPad
			d.gp.SetStrokeColor(150, 150, 150)
			d.gp.SetLineWidth(0.5)
			x := marginX
			for i, c := range cols {
				d.gp.RectFromUpperLeftWithStyle(x, d.y, c.w, h, "D")
				yy := d.y + cellPad
				for _, l := range ls[i][off[i] : off[i]+take[i]] {
					d.setSize(l.size)
					if l.grey {
						d.gp.SetTextColor(90, 90, 90)
					}
					tx := x + cellPad
					if l.right {
						tx = x + c.w - cellPad - d.width(l.text)
					}
					d.textTop(tx, yy, l.text)
					d.gp.SetTextColor(0, 0, 0)
					yy += lh(l)
				}
				off[i] += take[i]
				x += c.w
			}
			d.y += h
			if whole {
				break
			}
			d.newPage()
			header()
		}
	}
	d.setSize(10)
}

func priceCell(f money.Fen) cell {
	return cell{parts: []cellPart{{text: f.String(), size: 9}, {text: "大写：" + f.Capital(), size: 7.5, grey: true}}}
}

func plain(s string) cell { return cell{parts: []cellPart{{text: s, size: 9}}} }

func (in ReportInput) evalColumn() string {
	switch {
	case in.Comprehensive:
		return "综合得分"
	case in.HighestPrice:
		return "评审报价"
	}
	return "评标价"
}

func (in ReportInput) evalCell(r Row) cell {
	switch {
	case r.Rejected:
		return plain("—")
	case in.Comprehensive:
		return cell{parts: []cellPart{{text: score(r.Score), size: 9}}, right: true}
	}
	return cell{parts: []cellPart{{text: r.EvaluatedPrice.String(), size: 9}}}
}

func rankText(r Row) string {
	if r.Rank > 0 {
		return strconv.Itoa(r.Rank)
	}
	return "—"
}

// short shortens a hex digest or fingerprint to its first 16 characters;
// the full value is in the report data (Digest covers it).
func short(h string) string {
	if h == "" {
		return "—"
	}
	if r := []rune(h); len(r) > 16 {
		return string(r[:16]) + "…"
	}
	return h
}

// clean makes user-written text safe to lay out: one kind of line break, no
// tabs or other control characters (the font has no glyphs for them).
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func num(v int64) cell {
	return cell{parts: []cellPart{{text: strconv.FormatInt(v, 10), size: 9}}, right: true}
}

func mono(s string) cell { return cell{parts: []cellPart{{text: s, size: 8}}} }

// tableTime is a time in a table whose header says 北京时间.
func tableTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(beijing).Format("2006-01-02 15:04:05") // fits its column whatever the month and day
}

// writeMode is section 评标方式: remote or local, and the price formula.
func (in ReportInput) writeMode(d *doc) {
	mode := "本地评标"
	if in.Remote {
		mode = "远程异地评标"
	}
	d.field("评标方式", mode)
	switch {
	case in.PriceFormula != "":
		d.field("价格分计算方法", FormulaLabel(in.PriceFormula))
	case in.Comprehensive:
		d.field("价格分计算方法", "—")
	case in.HighestPrice:
		d.field("排序规则", "最高报价法：满足招标出让文件实质性要求且不低于底价的投标按报价由高到低排序，报价相同的先递交者在前")
	}
}

// tableRows are the rows of the bid table: as given, except under
// 最高报价法, where the ranked bids come first from the highest price down
// (their rank) and the rejected ones after, in their given order.
func (in ReportInput) tableRows() []Row {
	if !in.HighestPrice {
		return in.Rows
	}
	out := append([]Row(nil), in.Rows...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Rank, out[j].Rank
		if (a > 0) != (b > 0) {
			return a > 0
		}
		return a > 0 && a < b
	})
	return out
}

// verifyDrawSentence tells the reader how to re-check a draw; the draw IDs
// follow it.
const verifyDrawSentence = "任何人可在评标结束后运行 ggzy verify-draw --url <平台地址> --draw <抽取编号> 复核抽取结果。"

// drawCols are the columns of the draw table.
var drawCols = []column{
	{"次数", 30, false},
	{"状态", 58, false},
	{"理由", bodyW - 30 - 58 - 64 - 62 - 92 - 46, false},
	{"请求留痕序号", 64, false},
	{"随机数检查点规模", 62, false},
	{"结果摘要（SM3）", 92, false},
	{"回避人数", 46, false},
}

// writeDraws is section 评标委员会组建: every draw attempt, how to re-check it
// and the draw IDs that takes.
func (in ReportInput) writeDraws(d *doc) {
	if len(in.Draws) == 0 {
		d.para(marginX, bodyW, "无专家抽取记录。")
		return
	}
	var rows [][]cell
	for _, x := range in.Draws {
		reason := clean(x.Reason)
		if reason == "" && x.Attempt == 1 {
			reason = "首次抽取"
		}
		rows = append(rows, []cell{plain(strconv.Itoa(x.Attempt)), plain(orDash(x.Status)), plain(orDash(reason)),
			num(x.RequestIndex), num(x.CheckpointSize), mono(short(x.ResultDigest)), num(int64(x.Exclusions))})
	}
	d.table(drawCols, rows)
	d.y += 6
	d.para(marginX, bodyW, verifyDrawSentence)
	for _, x := range in.Draws {
		d.field("第"+strconv.Itoa(x.Attempt)+"次抽取编号", orDash(x.ID))
	}
}

// devCols are the columns of the deviation table.
var devCols = []column{
	{"席位", 32, false},
	{"投标人", 92, false},
	{"评分项", 66, false},
	{"评分", 44, false},
	{"委员会平均分", 50, false},
	{"偏离幅度", 48, false},
	{"书面说明", bodyW - 32 - 92 - 66 - 44 - 50 - 48, false},
}

// writeDeviations is section 评分偏离说明.
func (in ReportInput) writeDeviations(d *doc) {
	if len(in.Deviations) == 0 {
		d.para(marginX, bodyW, "无评分偏离。")
		return
	}
	d.para(marginX, bodyW, "评标委员会成员的评分与委员会平均分偏离超过规定幅度的，由该成员书面说明理由。")
	var rows [][]cell
	for _, x := range in.Deviations {
		rows = append(rows, []cell{plain(strconv.Itoa(x.Seat)), plain(orDash(x.Bidder)), plain(orDash(x.Item)),
			{parts: []cellPart{{text: score(x.Score), size: 9}}, right: true},
			{parts: []cellPart{{text: score(x.Mean), size: 9}}, right: true},
			{parts: []cellPart{{text: score(x.Pct) + "%", size: 9}}, right: true},
			plain(orDash(clean(x.Explanation)))})
	}
	d.table(devCols, rows)
}

// sheetCols are the columns of the signature table.
var sheetCols = []column{
	{"席位", 34, false},
	{"身份", 102, false},
	{"提交时间（北京时间）", 114, false},
	{"评审意见摘要（SM3）", (bodyW - 34 - 102 - 114) / 2, false},
	{"签名公钥指纹", (bodyW - 34 - 102 - 114) / 2, false},
}

// writeSheets is section 评审意见签名: seats, not names.
func (in ReportInput) writeSheets(d *doc) {
	if len(in.Sheets) == 0 {
		d.para(marginX, bodyW, "无评审意见签名记录。")
		return
	}
	d.para(marginX, bodyW, "评标委员会成员以本人的 SM2 密钥签署所提交评审意见的 SM3 摘要（《招标投标法实施条例》第五十三条）。席位为成员在评标委员会中的顺序号。")
	var rows [][]cell
	for _, x := range in.Sheets {
		kind := "评标专家"
		if x.PrincipalRep {
			kind = "招标人代表"
		}
		if x.Chair {
			kind += "（主任委员）"
		}
		rows = append(rows, []cell{plain(strconv.Itoa(x.Seat)), plain(kind), plain(tableTime(x.SubmittedAt)), mono(short(x.Digest)), mono(short(x.Fingerprint))})
	}
	d.table(sheetCols, rows)
}

// EvaluationReport renders the report as an A4 PDF. font is a TrueType font
// with CJK glyphs (LoadFont). The same input gives the same bytes: the
// creation date is the report's finish time and nothing else varies.
func EvaluationReport(font []byte, in ReportInput) ([]byte, error) {
	if len(font) == 0 {
		return nil, ErrNoFont()
	}
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	gp.SetInfo(gopdf.PdfInfo{
		Title:        "评标报告 " + in.LotCode,
		Author:       in.SiteName,
		Subject:      in.ProjectName + " " + in.LotName,
		Creator:      "ggzy",
		Producer:     "ggzy (gopdf)",
		CreationDate: in.FinishedAt.UTC(),
	})
	if err := gp.AddTTFFontData(family, font); err != nil {
		return nil, ErrNoFont().Wrap(err)
	}
	d := &doc{gp: gp, header: strings.TrimSpace(in.SiteName + "  评标报告  " + in.LotCode)}
	d.setSize(10)
	d.newPage()

	d.setSize(20)
	title := "评标报告"
	d.textTop((pageW-d.width(title))/2, d.y, title)
	d.y += d.lineH() + 10

	d.setSize(10)
	d.field("项目名称", in.ProjectName)
	d.field("项目编号", in.ProjectCode)
	d.field("标段名称", in.LotName)
	d.field("标段编号", in.LotCode)
	d.field("招标人", in.Principal)
	agency := in.Agency
	if agency == "" {
		agency = "（招标人自行招标）"
	}
	d.field("招标代理机构", agency)
	d.field("评标办法", in.Method)
	d.field("开标时间", cnTime(in.OpenedAt))
	d.field("投标人数量", fmt.Sprintf("%d 家", in.BidderCount))

	d.heading("一、评标方式")
	in.writeMode(d)

	d.section("二、评标委员会组建", keep(len(in.Draws), 80))
	in.writeDraws(d)

	d.section("三、投标文件评审情况", keep(len(in.Rows), 80))
	cols := []column{
		{"序号", 30, false},
		{"投标人", 118, false},
		{"投标报价（元）", 132, false},
		{in.evalColumn(), 86, false},
		{"排名", 32, false},
		{"否决投标的理由", bodyW - 30 - 118 - 132 - 86 - 32, false},
	}
	var rows [][]cell
	for i, r := range in.tableRows() {
		reasons := "—"
		if r.Rejected {
			reasons = "否决投标"
			switch len(r.Reasons) {
			case 0:
			case 1:
				reasons = r.Reasons[0]
			default:
				var b strings.Builder
				for j, x := range r.Reasons {
					fmt.Fprintf(&b, "%d. %s\n", j+1, x)
				}
				reasons = strings.TrimSuffix(b.String(), "\n")
			}
		}
		rows = append(rows, []cell{plain(strconv.Itoa(i + 1)), plain(r.Bidder), priceCell(r.Price), in.evalCell(r), plain(rankText(r)), plain(reasons)})
	}
	if len(rows) == 0 {
		d.para(marginX, bodyW, "无有效投标。")
	} else {
		d.table(cols, rows)
	}

	d.section("四、评分偏离说明", keep(len(in.Deviations), 100))
	in.writeDeviations(d)

	d.section("五、推荐的中标候选人", keep(len(in.Candidates), 80))
	if in.Failed || len(in.Candidates) == 0 {
		d.para(marginX, bodyW, "所有投标均被否决，评标委员会未推荐中标候选人。")
	} else {
		ccols := []column{
			{"排序", 40, false},
			{"中标候选人", 190, false},
			{"投标报价（元）", 170, false},
			{in.evalColumn(), bodyW - 400, false},
		}
		var crows [][]cell
		for _, r := range in.Candidates {
			crows = append(crows, []cell{plain(rankText(r)), plain(r.Bidder), priceCell(r.Price), in.evalCell(r)})
		}
		d.table(ccols, crows)
	}

	d.heading("六、评标委员会")
	if in.Members == nil {
		d.para(marginX, bodyW, "评标委员会成员名单在中标结果确定前保密（《中华人民共和国招标投标法》第三十七条）。")
	} else {
		d.para(marginX, bodyW, "成员（"+strconv.Itoa(len(in.Members))+" 人）："+strings.Join(in.Members, "、"))
	}
	d.y += 6
	d.field("评标结束时间", cnTime(in.FinishedAt))

	d.section("七、评审意见签名", keep(len(in.Sheets), 110))
	in.writeSheets(d)
	if d.err != nil {
		return nil, apperr.New(apperr.Internal, "生成评标报告 PDF 失败。").Wrap(d.err)
	}

	b, err := d.finish("报告数据 SM3：" + in.Digest())
	if err != nil {
		return nil, apperr.New(apperr.Internal, "生成评标报告 PDF 失败。").Wrap(err)
	}
	return b, nil
}

// finish puts the footer on every page — a rule, the document's digest
// line and the page number, written last when the page count is known —
// and returns the PDF.
func (d *doc) finish(digest string) ([]byte, error) {
	gp := d.gp
	n := gp.GetNumberOfPages()
	for p := 1; p <= n; p++ {
		if err := gp.SetPage(p); err != nil {
			return nil, err
		}
		gp.SetStrokeColor(190, 190, 190)
		gp.SetLineWidth(0.5)
		gp.Line(marginX, bottom+14, pageW-marginX, bottom+14)
		gp.SetTextColor(90, 90, 90)
		d.size = 0
		d.setSize(7)
		d.textTop(marginX, bottom+22, digest)
		d.setSize(9)
		num := fmt.Sprintf("第 %d 页 共 %d 页", p, n)
		d.textTop((pageW-d.width(num))/2, bottom+36, num)
	}
	if d.err != nil {
		return nil, d.err
	}
	return gp.GetBytesPdfReturnErr()
}
