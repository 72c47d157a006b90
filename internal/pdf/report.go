package pdf

import (
	"encoding/json"
	"fmt"
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
	SiteName      string    `json:"site_name"`
	ProjectName   string    `json:"project_name"`
	ProjectCode   string    `json:"project_code"`
	LotName       string    `json:"lot_name"`
	LotCode       string    `json:"lot_code"`
	Principal     string    `json:"principal"`
	Agency        string    `json:"agency"` // "" when the principal runs the tender itself
	Method        string    `json:"method"` // label, e.g. 经评审的最低投标价法
	Comprehensive bool      `json:"comprehensive"`
	OpenedAt      time.Time `json:"opened_at"`
	BidderCount   int       `json:"bidder_count"`
	Rows          []Row     `json:"rows"`
	Candidates    []Row     `json:"candidates"`
	// Members are the committee's names; nil while they are still secret
	// (《招标投标法》第三十七条), and the report then says so.
	Members    []string  `json:"members"`
	FinishedAt time.Time `json:"finished_at"`
	Failed     bool      `json:"failed"` // every bid rejected
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

// wrap breaks s into lines no wider than w, per rune: Chinese has no spaces
// to break at, and a Latin run (a code, an amount) breaks where it must.
// Explicit newlines are kept.
func (d *doc) wrap(s string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		var cur []rune
		var cw float64
		for _, r := range para {
			rw := d.runeWidth(r)
			if cw+rw > w && len(cur) > 0 {
				lines = append(lines, string(cur))
				cur, cw = cur[:0:0], 0
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
			h, whole := 0.0, true
			take := make([]int, len(ls))
			for i := range ls {
				hh := 0.0
				for j := off[i]; j < len(ls[i]); j++ {
					if hh+lh(ls[i][j]) > avail {
						whole = false
						break
					}
					hh += lh(ls[i][j])
					take[i]++
				}
				h = max(h, hh)
			}
			if !whole && (first || h < 20) && d.y > top+40 {
				// Move the row (or its remnant) to a fresh page rather than
				// leave a sliver; a fresh page takes whatever fits.
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
	if in.Comprehensive {
		return "综合得分"
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

	d.heading("一、投标文件评审情况")
	cols := []column{
		{"序号", 30, false},
		{"投标人", 118, false},
		{"投标报价（元）", 132, false},
		{in.evalColumn(), 86, false},
		{"排名", 32, false},
		{"否决投标的理由", bodyW - 30 - 118 - 132 - 86 - 32, false},
	}
	var rows [][]cell
	for i, r := range in.Rows {
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

	d.heading("二、推荐的中标候选人")
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

	d.heading("三、评标委员会")
	if in.Members == nil {
		d.para(marginX, bodyW, "评标委员会成员名单在中标结果确定前保密（《中华人民共和国招标投标法》第三十七条）。")
	} else {
		d.para(marginX, bodyW, "成员（"+strconv.Itoa(len(in.Members))+" 人）："+strings.Join(in.Members, "、"))
	}
	d.y += 6
	d.field("评标结束时间", cnTime(in.FinishedAt))
	if d.err != nil {
		return nil, apperr.New(apperr.Internal, "生成评标报告 PDF 失败。").Wrap(d.err)
	}

	// Footers last, when the page count is known.
	digest := "报告数据 SM3：" + in.Digest()
	n := gp.GetNumberOfPages()
	for p := 1; p <= n; p++ {
		if err := gp.SetPage(p); err != nil {
			return nil, apperr.New(apperr.Internal, "生成评标报告 PDF 失败。").Wrap(err)
		}
		gp.SetStrokeColor(190, 190, 190)
		gp.SetLineWidth(0.5)
		gp.Line(marginX, bottom+14, pageW-marginX, bottom+14)
		d.gp.SetTextColor(90, 90, 90)
		d.size = 0
		d.setSize(7)
		d.textTop(marginX, bottom+22, digest)
		d.setSize(9)
		num := fmt.Sprintf("第 %d 页 共 %d 页", p, n)
		d.textTop((pageW-d.width(num))/2, bottom+36, num)
	}
	if d.err != nil {
		return nil, apperr.New(apperr.Internal, "生成评标报告 PDF 失败。").Wrap(d.err)
	}
	b, err := gp.GetBytesPdfReturnErr()
	if err != nil {
		return nil, apperr.New(apperr.Internal, "生成评标报告 PDF 失败。").Wrap(err)
	}
	return b, nil
}
