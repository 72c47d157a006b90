// Package money is integer fen (分). Never floats.
package money

import (
	"fmt"
	"strconv"
	"strings"

	"ggzy/internal/apperr"
)

// Fen is an amount in 分 (1/100 yuan).
type Fen int64

// Yuan formats as ¥1,234,567.00.
func (f Fen) String() string {
	neg := f < 0
	if neg {
		f = -f
	}
	y := int64(f) / 100
	c := int64(f) % 100
	s := strconv.FormatInt(y, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	sign := ""
	if neg {
		sign = "-"
	}
	return fmt.Sprintf("%s¥%s.%02d", sign, b.String(), c)
}

// Plain formats as 1234567.00 (for inputs and CSV).
func (f Fen) Plain() string {
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(f)/100, int64(f)%100)
}

// Parse reads a yuan amount "1234567.89" (commas and ¥ allowed) into fen.
func Parse(s string) (Fen, error) {
	s = strings.TrimSpace(strings.NewReplacer(",", "", "¥", "", "，", "", "元", "").Replace(s))
	bad := apperr.New(apperr.Invalid, "金额格式不正确：请填写以元为单位、最多两位小数的数字，例如 1234567.89。")
	if s == "" {
		return 0, bad
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 {
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 9e13 {
		return 0, bad
	}
	c, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, bad
	}
	v := Fen(w*100 + c)
	if neg {
		v = -v
	}
	return v, nil
}

var digits = []string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}
var units = []string{"", "拾", "佰", "仟"}
var sections = []string{"", "万", "亿", "万亿"}

// Capital renders the amount in 大写 as printed on bid forms, e.g.
// 壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分.
func (f Fen) Capital() string {
	if f < 0 {
		return "负" + (-f).Capital()
	}
	y := int64(f) / 100
	jiao := (int64(f) / 10) % 10
	fen := int64(f) % 10
	var out string
	if y == 0 {
		out = "零元"
	} else {
		out = intCapital(y) + "元"
	}
	switch {
	case jiao == 0 && fen == 0:
		return out + "整"
	case jiao == 0:
		if y != 0 {
			out += "零"
		}
		return out + digits[fen] + "分"
	case fen == 0:
		return out + digits[jiao] + "角整"
	default:
		return out + digits[jiao] + "角" + digits[fen] + "分"
	}
}

func intCapital(n int64) string {
	var secs []int64
	for n > 0 {
		secs = append(secs, n%10000)
		n /= 10000
	}
	var b strings.Builder
	zero := false
	for i := len(secs) - 1; i >= 0; i-- {
		s := secs[i]
		if s == 0 {
			zero = true
			continue
		}
		if zero || (i < len(secs)-1 && s < 1000) {
			b.WriteString("零")
		}
		zero = false
		b.WriteString(sectionCapital(s))
		b.WriteString(sections[i])
	}
	return b.String()
}

func sectionCapital(s int64) string {
	var b strings.Builder
	zero := false
	started := false
	for p := 3; p >= 0; p-- {
		d := (s / pow10(p)) % 10
		if d == 0 {
			if started {
				zero = true
			}
			continue
		}
		if zero {
			b.WriteString("零")
			zero = false
		}
		started = true
		b.WriteString(digits[d] + units[p])
	}
	return b.String()
}

func pow10(p int) int64 {
	r := int64(1)
	for ; p > 0; p-- {
		r *= 10
	}
	return r
}

// Percent returns a's share of b in basis points (1/10000), rounded down.
func BasisPoints(a, b Fen) int64 {
	if b == 0 {
		return 0
	}
	return int64(a) * 10000 / int64(b)
}
