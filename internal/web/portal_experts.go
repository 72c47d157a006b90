package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/expert/classify"
)

// The public page of the expert pool (UI.md §2.1 /experts): the rules of
// entry, how to apply, the random draw and recusal and how anyone re-checks
// a draw, discipline, and the specialty classification by level. It names
// no expert: the pool's records are personal data, for staff only.
//
// The discipline section shows how many experts are in the pool, suspended
// or blacklisted (expert.Service.PublicCounts): aggregates, no names.

// codeRow is one code of the classification table.
type codeRow struct {
	C        classify.Code
	Children int
	Href     string // its children, when it has any
}

type recusalRow struct{ Code, Label string }

type publicPoolData struct {
	Policy        expert.Policy
	BasisQual     string
	BasisAge      string
	BasisDraw     string
	ConfirmWithin string
	Window        string // the draw-frequency window
	Site          string // the platform's address for ggzy verify-draw
	Recusals      []recusalRow
	Counts        map[string]int // the pool's size per status (nil: unavailable)
	// The classification, browsed by level: the codes under Parent (the
	// level-1 codes when Parent is empty), or every code of Level.
	Parent    *classify.Code
	Path      []classify.Code
	Level     int
	Levels    []link
	Rows      []codeRow
	CodeErr   string
	CodeCount int
}

func (s *server) expertsPublic(w http.ResponseWriter, r *http.Request) {
	p := expert.DefaultPolicy()
	if s.d.Expert != nil {
		// Local rules may tighten the national defaults; the page states
		// the ones the platform applies.
		p = s.d.Expert.Policy()
	}
	d := publicPoolData{Policy: p, BasisQual: expert.BasisQualification, BasisAge: expert.BasisAge, BasisDraw: expert.BasisDraw,
		ConfirmWithin: humanDuration(p.ConfirmWithin), Site: siteURL(s, r)}
	if p.Window > 0 && p.Window%(24*time.Hour) == 0 {
		d.Window = strconv.Itoa(int(p.Window/(24*time.Hour))) + " 天"
	} else {
		d.Window = humanDuration(p.Window)
	}
	for _, c := range draw.Rules {
		if c == draw.CodeUnknownStatus {
			continue
		}
		d.Recusals = append(d.Recusals, recusalRow{Code: c, Label: exclusionLabel(c)})
	}
	if s.d.Expert != nil {
		if n, err := s.d.Expert.PublicCounts(r.Context()); err == nil {
			d.Counts = map[string]int{}
			for st, c := range n {
				d.Counts[string(st)] = c
			}
		}
	}
	s.classifyBrowse(r.URL.Query(), &d)
	pg := s.newPage(r, "评标专家库", "评标专家", d)
	pg.Nav = "experts"
	s.render(w, r, "experts_public", pg)
}

// classifyBrowse fills the classification table from ?code= (the codes
// under it) or ?level= (every code of that level).
func (s *server) classifyBrowse(q url.Values, d *publicPoolData) {
	t := s.codes()
	d.CodeCount = t.Len()
	row := func(c classify.Code) codeRow {
		cr := codeRow{C: c, Children: len(t.Children(c.Code))}
		if cr.Children > 0 {
			cr.Href = "/experts?code=" + url.QueryEscape(c.Code) + "#codes"
		}
		return cr
	}
	code := strings.ToUpper(strings.TrimSpace(q.Get("code")))
	level, _ := strconv.Atoi(q.Get("level"))
	switch {
	case code != "":
		c, ok := t.Lookup(code)
		if !ok {
			d.CodeErr = "分类表中没有代码“" + code + "”，已显示第一级门类。代码为字母 A–E 后接0至3组两位数字，如 A08、A0801。"
			break
		}
		d.Parent, d.Path, d.Level = &c, t.Path(c.Code), c.Level+1
		for _, k := range t.Children(c.Code) {
			d.Rows = append(d.Rows, row(k))
		}
	case q.Get("level") != "":
		if level < 1 || level > classify.MaxLevel {
			d.CodeErr = "分类共 " + strconv.Itoa(classify.MaxLevel) + " 级，已显示第一级门类。"
			break
		}
		d.Level = level
		for _, c := range t.All() {
			if c.Level == level {
				d.Rows = append(d.Rows, row(c))
			}
		}
	}
	if d.Rows == nil && d.Parent == nil {
		d.Level = max(d.Level, 1)
		if d.Level == 1 {
			for _, c := range t.Roots() {
				d.Rows = append(d.Rows, row(c))
			}
		}
	}
	for i := 1; i <= classify.MaxLevel; i++ {
		text := levelName(i)
		if i == 1 {
			text += "（门类）"
		}
		d.Levels = append(d.Levels, link{Text: text, Href: "/experts?level=" + strconv.Itoa(i) + "#codes", Current: d.Parent == nil && d.Level == i})
	}
}

// levelName names a level of the classification.
func levelName(n int) string {
	switch n {
	case 1:
		return "第一级"
	case 2:
		return "第二级"
	case 3:
		return "第三级"
	case 4:
		return "第四级"
	}
	return "第" + strconv.Itoa(n) + "级"
}
