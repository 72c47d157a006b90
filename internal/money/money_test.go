package money

import "testing"

func TestCapital(t *testing.T) {
	cases := []struct {
		f    Fen
		want string
	}{
		{0, "零元整"},
		{100, "壹元整"},
		{123456789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"},
		{100000000, "壹佰万元整"},
		{1000500, "壹万零伍元整"},
		{10000000000, "壹亿元整"},
		{10000010000, "壹亿零壹佰元整"},
		{205, "贰元零伍分"},
		{250, "贰元伍角整"},
	}
	for _, c := range cases {
		if got := c.f.Capital(); got != c.want {
			t.Errorf("%d: got %s want %s", c.f, got, c.want)
		}
	}
}

func TestStringAndParse(t *testing.T) {
	if s := Fen(123456789).String(); s != "¥1,234,567.89" {
		t.Fatal(s)
	}
	for in, want := range map[string]Fen{"1234567.89": 123456789, "¥1,000": 100000, "0.5": 50, "12元": 1200} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "abc", "1.234", "1e5", "."} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
