package classify

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func codesOf(cs []Code) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return out
}

func TestDefaultLoads(t *testing.T) {
	tab, err := Load(strings.NewReader(string(codesCSV)))
	if err != nil {
		t.Fatalf("embedded codes.csv: %v", err)
	}
	d := Default()
	if d.Len() != tab.Len() || d.Len() < 150 {
		t.Fatalf("Default().Len() = %d, Load = %d; want the same and at least 150", d.Len(), tab.Len())
	}
	if Default() != d {
		t.Error("Default() should return the same table every time")
	}
	if got := codesOf(d.Roots()); !slices.Equal(got, []string{"A", "B", "C", "D", "E"}) {
		t.Errorf("Roots() = %v, want A–E", got)
	}
	for _, c := range d.All() {
		if c.Level < 1 || c.Level > MaxLevel {
			t.Errorf("%s: level %d", c.Code, c.Level)
		}
		if strings.ContainsAny(c.Name, "\"\t\r\n") {
			t.Errorf("%s: odd characters in name %q", c.Code, c.Name)
		}
	}
}

func TestDefaultLevelOne(t *testing.T) {
	d := Default()
	want := map[string]string{"A": "工程", "B": "货物", "C": "服务", "D": "产权", "E": "土地矿业权"}
	for code, name := range want {
		c, ok := d.Lookup(code)
		if !ok || c.Name != name || c.Level != 1 || c.Parent != "" {
			t.Errorf("Lookup(%q) = %+v, %v; want level-1 %s", code, c, ok, name)
		}
		if len(d.Children(code)) == 0 {
			t.Errorf("%s has no level-2 codes", code)
		}
	}
}

// The shape RULES.md §7 describes: A01–A09, B01–B09 (B02 medical devices,
// B08 drugs), C01–C12.
func TestDefaultLevelTwo(t *testing.T) {
	d := Default()
	for _, p := range []struct {
		letter string
		n      int
	}{{"A", 9}, {"B", 9}, {"C", 12}} {
		for i := 1; i <= p.n; i++ {
			code := p.letter + string(rune('0'+i/10)) + string(rune('0'+i%10))
			if !d.Valid(code) {
				t.Errorf("level-2 code %s missing", code)
			}
		}
	}
	for code, name := range map[string]string{"A08": "工程施工", "B02": "医疗器械", "B08": "药品"} {
		if c, _ := d.Lookup(code); c.Name != name {
			t.Errorf("%s = %q, want %q", code, c.Name, name)
		}
	}
}

func TestDefaultWorksDepth(t *testing.T) {
	d := Default()
	for _, l2 := range d.Children("A") {
		if len(d.Children(l2.Code)) == 0 {
			t.Errorf("works code %s has no level-3 codes", l2.Label())
		}
	}
	for _, code := range []string{"A08", "A0801", "A080101"} {
		if !d.Valid(code) {
			t.Errorf("%s missing", code)
		}
	}
	if c, _ := d.Lookup("A080101"); c.Level != 4 || c.Parent != "A0801" || c.Name != "土石方工程" {
		t.Errorf("A080101 = %+v", c)
	}
}

// Every code the rest of the module uses (seed data, fixtures, tests) must
// be in the table; A08019 in the draw tests is deliberately not a code.
func TestDefaultHasCodesInUse(t *testing.T) {
	d := Default()
	for _, code := range []string{"A08", "A0801", "A0802", "A0803", "A0804", "A080101", "A080102", "B01", "B02", "C01", "C05", "C0501"} {
		if !d.Valid(code) {
			t.Errorf("code %s is used in the module but missing from codes.csv", code)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	const head = "# comment\ncode,name\n"
	cases := []struct {
		name, in, want string
		line           int
	}{
		{"duplicate", head + "A,工程\nA01,规划\nA01,规划二\n", "重复（首次出现在第4行）", 5},
		{"orphan", head + "A,工程\nA0801,房屋建筑工程\n", "上级代码“A08”不存在", 4},
		{"orphan root", head + "B01,机械、设备\n", "上级代码“B”不存在", 3},
		{"bad syntax odd digits", head + "A,工程\nA0,x\n", "格式不正确", 4},
		{"bad syntax letter", head + "F,其他\n", "格式不正确", 3},
		{"bad syntax lower case", head + "a,工程\n", "格式不正确", 3},
		{"bad syntax too deep", head + "A,工程\nA01,规划\nA0101,a\nA010101,b\nA01010101,c\n", "格式不正确", 7},
		{"empty name", head + "A,工程\nA01,\n", "名称为空", 4},
		{"blank name", head + "A,工程\nA01,  \n", "名称为空", 4},
		{"missing column", head + "A,工程\nA01\n", "应有2列", 4},
		{"extra column", head + "A,工程\nA01,规划,多余\n", "应有2列", 4},
		{"bad header", "# c\nname,code\nA,工程\n", "表头应为", 2},
		{"bad quote", head + "A,工\"程\n", "CSV 格式错误", 3},
		{"no header", "# only comments\n", "缺少表头", 0},
		{"no codes", head, "没有任何分类代码", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(c.in))
			if err == nil {
				t.Fatal("Load accepted bad input")
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error %T %v, want *LoadError", err, err)
			}
			if le.Line != c.line {
				t.Errorf("Line = %d, want %d (%v)", le.Line, c.line, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q does not contain %q", msg, c.want)
			}
			if c.line > 0 && !strings.Contains(msg, "第"+strconv.Itoa(c.line)+"行") {
				t.Errorf("error %q does not name line %d", msg, c.line)
			}
		})
	}
}

func TestLoadAccepts(t *testing.T) {
	// BOM, comments anywhere, blank lines, any order, quoted names.
	in := "\ufeff# top\n\ncode,name\nA0801,房屋建筑工程\n# mid\nA,工程\n A08 , 工程施工 \n\"A080101\",\"土石方, 爆破\"\n"
	tab, err := Load(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := codesOf(tab.All()); !slices.Equal(got, []string{"A", "A08", "A0801", "A080101"}) {
		t.Errorf("All() = %v", got)
	}
	if got := tab.Label("A080101"); got != "A080101 土石方, 爆破" {
		t.Errorf("Label = %q", got)
	}
	if c, _ := tab.Lookup("A08"); c.Name != "工程施工" || c.Parent != "A" || c.Level != 2 {
		t.Errorf("trimmed A08 = %+v", c)
	}
}

func sample(t *testing.T) *Table {
	t.Helper()
	tab, err := Load(strings.NewReader(`code,name
A,工程
A08,工程施工
A0802,市政公用工程
A0801,房屋建筑工程
A080102,地基处理工程
A080101,土石方工程
A01,规划
B,货物
`))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestNavigation(t *testing.T) {
	tab := sample(t)
	if tab.Len() != 8 {
		t.Errorf("Len = %d", tab.Len())
	}
	if got := codesOf(tab.All()); !slices.Equal(got, []string{"A", "A01", "A08", "A0801", "A080101", "A080102", "A0802", "B"}) {
		t.Errorf("All() = %v", got)
	}
	if got := codesOf(tab.Roots()); !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("Roots() = %v", got)
	}
	for code, want := range map[string][]string{
		"A":       {"A01", "A08"},
		"A08":     {"A0801", "A0802"},
		"A0801":   {"A080101", "A080102"},
		"A080101": nil,
		"B":       nil,
		"Z":       nil,
		"":        nil,
	} {
		if got := codesOf(tab.Children(code)); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("Children(%q) = %v, want %v", code, got, want)
		}
	}
	if got := codesOf(tab.Path("A080101")); !slices.Equal(got, []string{"A", "A08", "A0801", "A080101"}) {
		t.Errorf("Path(A080101) = %v", got)
	}
	if got := codesOf(tab.Path("A")); !slices.Equal(got, []string{"A"}) {
		t.Errorf("Path(A) = %v", got)
	}
	if got := tab.Path("A0803"); got != nil {
		t.Errorf("Path(unknown) = %v", got)
	}
	if !tab.Valid("A0801") || tab.Valid("A0803") || tab.Valid("a0801") || tab.Valid("") {
		t.Error("Valid wrong")
	}
	if got := tab.Label("A080101"); got != "A080101 土石方工程" {
		t.Errorf("Label = %q", got)
	}
	if got := tab.Label("A0899"); got != "A0899" {
		t.Errorf("Label(unknown) = %q", got)
	}
	// Returned slices are copies.
	all := tab.All()
	all[0].Name = "changed"
	kids := tab.Children("A")
	kids[0].Name = "changed"
	if c, _ := tab.Lookup("A"); c.Name != "工程" {
		t.Error("All() exposed internal state")
	}
	if c, _ := tab.Lookup("A01"); c.Name != "规划" {
		t.Error("Children() exposed internal state")
	}
}

func TestMatch(t *testing.T) {
	tab := sample(t)
	cases := []struct {
		specialty, need string
		want            bool
	}{
		{"A0801", "A08", true},
		{"A080101", "A08", true},
		{"A080101", "A0801", true},
		{"A0801", "A0801", true},
		{"A0801", "A", true},
		{"A0801", "A0", false},     // not a code
		{"A0801", "A080", false},   // not a code
		{"A08", "A0801", false},    // broader than asked
		{"A0802", "A0801", false},  // sibling
		{"A0801", "B", false},      // other branch
		{"A0801", "", false},       // empty need
		{"", "A", false},           // empty specialty
		{"A08019", "A08", false},   // malformed specialty
		{"A080199", "A0801", true}, // well formed though not in this table
		{"a0801", "a08", false},    // lower case is not a code
	}
	for _, c := range cases {
		if got := tab.Match(c.specialty, c.need); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.specialty, c.need, got, c.want)
		}
	}
}

func TestWellFormed(t *testing.T) {
	for _, s := range []string{"A", "E", "A08", "A0801", "A080101", "C1206", "A00"} {
		if !WellFormed(s) {
			t.Errorf("WellFormed(%q) = false", s)
		}
	}
	for _, s := range []string{"", "F", "a", "A0", "A080", "A01010101", "AA1", "A08 ", " A08", "Ａ08"} {
		if WellFormed(s) {
			t.Errorf("WellFormed(%q) = true", s)
		}
	}
}
