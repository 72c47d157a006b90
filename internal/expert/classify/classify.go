// Package classify holds the evaluation-expert specialty classification
// (评标专家专业分类): a tree of codes where level 1 is one letter — A works
// (工程), B goods (货物), C services (服务), plus D property rights (产权) and
// E land and mining rights (土地矿业权) from the trading data specification —
// and every further level appends two digits, up to four levels
// (A → A08 → A0801 → A080101).
//
// The codes are data, not code: Default serves the embedded codes.csv, our
// own compilation pending verification against the 2018 official list
// (发改法规〔2018〕316号; RULES.md §7 [assumption]), and Load reads a
// replacement table in the same format once the official list is in hand.
//
// A Table is immutable after Load and safe for concurrent use.
package classify

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// MaxLevel is the deepest level a code may have (letter plus three pairs).
const MaxLevel = 4

// Code is one entry of the classification.
type Code struct {
	Code   string // e.g. "A080101"
	Name   string // e.g. "土石方工程"
	Level  int    // 1 for "A", 2 for "A08", 3 for "A0801", 4 for "A080101"
	Parent string // "" for level 1, otherwise the code two digits shorter
}

// Label is "A080101 土石方工程".
func (c Code) Label() string { return c.Code + " " + c.Name }

// Table is a loaded, validated classification.
type Table struct {
	all      []Code           // sorted by code: a pre-order walk of the tree
	index    map[string]int   // code → position in all
	children map[string][]int // code ("" for the roots) → positions, sorted
}

// LoadError reports a defect in a classification file. Its message is in
// Chinese and names the line.
type LoadError struct {
	Line   int    // 1-based line in the input; 0 when not tied to a line
	Code   string // the offending code, when known
	Reason string
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("专业分类表第%d行：%s", e.Line, e.Reason)
	}
	return "专业分类表：" + e.Reason
}

var syntax = regexp.MustCompile(`^[A-E]([0-9]{2}){0,3}$`)

// WellFormed reports whether code has the shape of a classification code:
// a letter A–E followed by zero to three pairs of digits. It says nothing
// about whether the code is in any table.
func WellFormed(code string) bool { return syntax.MatchString(code) }

// level and parent assume a well-formed code.
func level(code string) int { return 1 + (len(code)-1)/2 }

func parent(code string) string {
	if len(code) <= 1 {
		return ""
	}
	return code[:len(code)-2]
}

// Load reads a classification in CSV form: UTF-8 (a leading byte-order mark
// is ignored), lines starting with "#" are comments, blank lines are
// skipped, the first other line is the header "code,name", and every
// following line is one code and its name. Codes may appear in any order;
// each must be well formed and unique, have a non-empty name, and (below
// level 1) have its parent in the file.
func Load(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("读取专业分类表失败：%w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))

	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	t := &Table{index: map[string]int{}, children: map[string][]int{}}
	lines := map[string]int{} // code → line, for messages
	header := false
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &LoadError{Line: pe.Line, Reason: "CSV 格式错误：" + csvReason(pe.Err)}
			}
			return nil, fmt.Errorf("读取专业分类表失败：%w", err)
		}
		line, _ := cr.FieldPos(0)
		if !header {
			if len(rec) != 2 || strings.TrimSpace(rec[0]) != "code" || strings.TrimSpace(rec[1]) != "name" {
				return nil, &LoadError{Line: line, Reason: fmt.Sprintf("表头应为“code,name”，实际为“%s”", strings.Join(rec, ","))}
			}
			header = true
			continue
		}
		if len(rec) != 2 {
			return nil, &LoadError{Line: line, Reason: fmt.Sprintf("应有2列（代码,名称），实际为%d列", len(rec))}
		}
		code, name := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if !WellFormed(code) {
			return nil, &LoadError{Line: line, Code: code, Reason: fmt.Sprintf("代码“%s”格式不正确，应为字母A–E后接0至3组两位数字（如 A、A08、A0801、A080101）", code)}
		}
		if name == "" {
			return nil, &LoadError{Line: line, Code: code, Reason: fmt.Sprintf("代码“%s”的名称为空", code)}
		}
		if first, dup := lines[code]; dup {
			return nil, &LoadError{Line: line, Code: code, Reason: fmt.Sprintf("代码“%s”重复（首次出现在第%d行）", code, first)}
		}
		lines[code] = line
		t.all = append(t.all, Code{Code: code, Name: name, Level: level(code), Parent: parent(code)})
	}
	if !header {
		return nil, &LoadError{Reason: "缺少表头“code,name”"}
	}
	if len(t.all) == 0 {
		return nil, &LoadError{Reason: "没有任何分类代码"}
	}

	// Orphans are reported in file order, before sorting.
	for _, c := range t.all {
		if c.Parent != "" {
			if _, ok := lines[c.Parent]; !ok {
				return nil, &LoadError{Line: lines[c.Code], Code: c.Code, Reason: fmt.Sprintf("代码“%s”的上级代码“%s”不存在", c.Code, c.Parent)}
			}
		}
	}

	slices.SortFunc(t.all, func(a, b Code) int { return strings.Compare(a.Code, b.Code) })
	for i, c := range t.all {
		t.index[c.Code] = i
		t.children[c.Parent] = append(t.children[c.Parent], i) // ascending i: sorted
	}
	return t, nil
}

func csvReason(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return "未加引号的字段中出现双引号"
	case errors.Is(err, csv.ErrQuote):
		return "引号不配对"
	default:
		return err.Error()
	}
}

//go:embed codes.csv
var codesCSV []byte

var defaultTable = sync.OnceValue(func() *Table {
	t, err := Load(bytes.NewReader(codesCSV))
	if err != nil {
		panic("classify: embedded codes.csv is invalid: " + err.Error())
	}
	return t
})

// Default is the embedded table (codes.csv). It panics only if that file is
// invalid, which the package tests rule out.
func Default() *Table { return defaultTable() }

// Len is the number of codes.
func (t *Table) Len() int { return len(t.all) }

// All lists every code, sorted by code (parents before their children).
func (t *Table) All() []Code { return slices.Clone(t.all) }

// Lookup finds a code. Codes are matched exactly (upper-case letter).
func (t *Table) Lookup(code string) (Code, bool) {
	i, ok := t.index[code]
	if !ok {
		return Code{}, false
	}
	return t.all[i], true
}

// Valid reports whether code is in the table.
func (t *Table) Valid(code string) bool {
	_, ok := t.index[code]
	return ok
}

// Roots lists the level-1 codes, sorted.
func (t *Table) Roots() []Code { return t.pick(t.children[""]) }

// Children lists the direct children of code, sorted; nil when code is
// unknown or has none.
func (t *Table) Children(code string) []Code {
	if code == "" {
		return nil
	}
	return t.pick(t.children[code])
}

func (t *Table) pick(ix []int) []Code {
	if len(ix) == 0 {
		return nil
	}
	out := make([]Code, len(ix))
	for k, i := range ix {
		out[k] = t.all[i]
	}
	return out
}

// Path lists code's ancestors and code itself, from the level-1 root down;
// nil when code is unknown.
func (t *Table) Path(code string) []Code {
	c, ok := t.Lookup(code)
	if !ok {
		return nil
	}
	out := make([]Code, c.Level)
	for {
		out[c.Level-1] = c
		if c.Parent == "" {
			return out
		}
		c = t.all[t.index[c.Parent]] // present: Load checked every parent
	}
}

// Label is "A080101 土石方工程" for a known code and the bare code otherwise.
func (t *Table) Label(code string) string {
	if c, ok := t.Lookup(code); ok {
		return c.Label()
	}
	return code
}

// Match reports whether an expert registered under specialty qualifies for
// a request for need: need must equal specialty or be one of its ancestors
// ("A08" and "A0801" match "A080101"; "A080101" does not match "A0801").
// Both must be well-formed codes, so a request for "A0" matches nothing.
// Matching is by the codes' shape, not by membership in the table, so an
// expert whose code is missing from a provisional table still matches its
// ancestors; use Valid to check membership.
func (t *Table) Match(specialty, need string) bool {
	return WellFormed(specialty) && WellFormed(need) && strings.HasPrefix(specialty, need)
}
