package party

import (
	"strings"
	"unicode/utf8"

	"ggzy/internal/apperr"
)

const usccBasis = "GB 32100-2015"

// usccCharset is the 31-character set of GB 32100-2015 (no I O S V Z, which
// are easily confused with 1 0 5 U 2); a character's value is its index.
const usccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^(i-1) mod 31 for positions 1–17.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgWeights are the GB 11714 weights for the 8-character organisation code body.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

func usccValue(c byte) int { return strings.IndexByte(usccCharset, c) }

// ValidateUSCC checks an 18-character unified social credit code as given
// (normalise user input with NormalizeUSCC first). The error says exactly
// what is wrong so a clerk can correct the typing. The position-17
// organisation-code check is not required; see OrgCodeCheckOK.
func ValidateUSCC(code string) error {
	if code == "" {
		return apperr.Rule(apperr.Invalid, usccBasis, "请填写统一社会信用代码（18位）。")
	}
	if n := utf8.RuneCountInString(code); n != 18 {
		return apperr.Rule(apperr.Invalid, usccBasis, "统一社会信用代码应为18位，实为%d位。", n)
	}
	if err := checkCharset(code); err != nil {
		return err
	}
	// Every character is in the ASCII charset from here on, so bytes are positions.
	for i := 2; i < 8; i++ {
		if code[i] < '0' || code[i] > '9' {
			return apperr.Rule(apperr.Invalid, usccBasis, "第3–8位登记管理机关行政区划码应为6位数字，实为“%s”。", code[2:8])
		}
	}
	want := usccCheck(code[:17])
	if code[17] != want {
		return apperr.Rule(apperr.Invalid, usccBasis, "第18位校验码应为“%c”，实为“%c”。", want, code[17])
	}
	return nil
}

// checkCharset reports the first position (1-based) whose character is not
// in the charset.
func checkCharset(s string) *apperr.Error {
	pos := 0
	for _, r := range s {
		pos++
		if r >= utf8.RuneSelf || usccValue(byte(r)) < 0 {
			return badChar(pos, r)
		}
	}
	return nil
}

func badChar(pos int, r rune) *apperr.Error {
	if r >= 'a' && r <= 'z' {
		return apperr.Rule(apperr.Invalid, usccBasis, "第%d位“%c”为小写字母，统一社会信用代码只使用大写字母。", pos, r)
	}
	return apperr.Rule(apperr.Invalid, usccBasis,
		"第%d位字符“%c”不是统一社会信用代码可用字符：只能是数字0–9或大写字母，且不使用I、O、S、V、Z。", pos, r)
}

// usccCheck computes position 18 for 17 characters already known to be in the charset.
func usccCheck(first17 string) byte {
	s := 0
	for i := range 17 {
		s += usccValue(first17[i]) * usccWeights[i]
	}
	return usccCharset[(31-s%31)%31]
}

// USCCCheckChar computes the check character (position 18) for the first 17.
func USCCCheckChar(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != 17 {
		return 0, apperr.Rule(apperr.Invalid, usccBasis, "计算校验码需要统一社会信用代码前17位，实为%d位。", n)
	}
	if err := checkCharset(first17); err != nil {
		return 0, err
	}
	return usccCheck(first17), nil
}

// NormalizeUSCC trims surrounding spaces, maps full-width characters (common
// with Chinese input methods) to half-width and upper-cases ASCII letters.
func NormalizeUSCC(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '！' && r <= '～':
			r -= '！' - '!'
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// OrgCodeCheckOK reports whether position 17 is the GB 11714 check character
// of positions 9–16. Optional: the standard does not make it a validity
// condition of the credit code, so ValidateUSCC does not require it.
func OrgCodeCheckOK(code string) bool {
	if len(code) != 18 {
		return false
	}
	want, ok := orgCheck(code[8:16])
	return ok && code[16] == want
}

// orgCheck computes the GB 11714 check character; values are 0–9, A=10 … Z=35.
func orgCheck(body8 string) (byte, bool) {
	s := 0
	for i := range 8 {
		c := body8[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0, false
		}
		s += v * orgWeights[i]
	}
	switch c := 11 - s%11; c {
	case 10:
		return 'X', true
	case 11:
		return '0', true
	default:
		return byte('0' + c), true
	}
}

// MakeUSCC builds a valid code from the authority and category (prefix2), the
// region (region6) and the 8-character organisation code body (org8); both
// check characters are computed. Used to seed realistic demo parties.
func MakeUSCC(prefix2, region6, org8 string) (string, error) {
	np, nr, no := utf8.RuneCountInString(prefix2), utf8.RuneCountInString(region6), utf8.RuneCountInString(org8)
	if np != 2 || nr != 6 || no != 8 {
		return "", apperr.Rule(apperr.Invalid, usccBasis,
			"生成统一社会信用代码需要2位机关与类别代码、6位行政区划码和8位组织机构代码本体，实为%d、%d、%d位。", np, nr, no)
	}
	// Check the charset before orgCheck so errors name the position in the code.
	if err := checkCharset(prefix2 + region6 + org8); err != nil {
		return "", err
	}
	oc, _ := orgCheck(org8) // cannot fail: the USCC charset is a subset of GB 11714's
	first17 := prefix2 + region6 + org8 + string(oc)
	check := usccCheck(first17)
	code := first17 + string(check)
	if err := ValidateUSCC(code); err != nil { // catches a non-digit region
		return "", err
	}
	return code, nil
}
