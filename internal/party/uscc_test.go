package party

import (
	"strings"
	"testing"

	"ggzy/internal/apperr"
)

const huawei = "914403001922038216" // worked example in RULES.md §8

func TestValidateUSCC(t *testing.T) {
	tests := []struct {
		name    string
		code    string
		wantMsg string // substring of the Chinese message; "" means valid
	}{
		{"Huawei example is valid", huawei, ""},
		{"national region code is valid", mustMake(t, "91", "100000", "MA01AB3C"), ""},
		{"wrong check character names position 18 and expected char", huawei[:17] + "7", "第18位校验码应为“6”，实为“7”"},
		{"I at position 17 names the charset", huawei[:16] + "I" + huawei[17:], "第17位字符“I”不是统一社会信用代码可用字符"},
		{"charset message lists the excluded letters", huawei[:3] + "O" + huawei[4:], "不使用I、O、S、V、Z"},
		{"too short says how many given", huawei[:17], "应为18位，实为17位"},
		{"too long says how many given", huawei + "1", "应为18位，实为19位"},
		{"empty asks for the code", "", "请填写统一社会信用代码"},
		{"lowercase letter asks for upper case", "91440300MA5fxxxx1X", "第12位“f”为小写字母"},
		{"full-width digit counts as one char in the wrong charset", "９" + huawei[1:], "第1位字符“９”"},
		{"letter in region part", "91A40300" + huawei[8:], "第3–8位登记管理机关行政区划码应为6位数字，实为“A40300”"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateUSCC(tt.code)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("ValidateUSCC(%q) = %v, want nil", tt.code, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateUSCC(%q) = nil, want error containing %q", tt.code, tt.wantMsg)
			}
			e, ok := err.(*apperr.Error)
			if !ok || e.Code != apperr.Invalid || e.Basis != "GB 32100-2015" {
				t.Fatalf("error %#v is not an Invalid *apperr.Error based on GB 32100-2015", err)
			}
			if !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("message %q does not contain %q", e.Message, tt.wantMsg)
			}
		})
	}
}

func TestUSCCCheckChar(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
		wantErr bool
	}{
		{huawei[:17], '6', false},
		{huawei[:16], 0, true},
		{huawei[:16] + "Z", 0, true},
	}
	for _, tt := range tests {
		got, err := USCCCheckChar(tt.first17)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("USCCCheckChar(%q) = %q, %v; want %q, error %v", tt.first17, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestNormalizeUSCC(t *testing.T) {
	tests := []struct{ in, want string }{
		{huawei, huawei},
		{"  91440300ma5fxxxx1x \t", "91440300MA5FXXXX1X"},
		{"\u3000９１４４０３００１９２２０３８２１６\u3000", huawei},
		{"９１４４０３００ＭＡ５ｆｘｘｘｘ１ｘ", "91440300MA5FXXXX1X"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeUSCC(tt.in); got != tt.want {
			t.Errorf("NormalizeUSCC(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if err := ValidateUSCC(NormalizeUSCC(" ９１４４０３００１９２２０３８２１６ ")); err != nil {
		t.Errorf("normalised full-width Huawei code does not validate: %v", err)
	}
}

func TestOrgCodeCheckOK(t *testing.T) {
	tests := []struct {
		name string
		code string
		want bool
	}{
		{"Huawei position 17 matches", huawei, true},
		{"changed position 17 fails", huawei[:16] + "2" + huawei[17:], false},
		{"changed body fails", huawei[:8] + "2" + huawei[9:], false},
		{"wrong length", huawei[:17], false},
		{"lowercase body", "91440300ma5fxxxx1x", false},
	}
	for _, tt := range tests {
		if got := OrgCodeCheckOK(tt.code); got != tt.want {
			t.Errorf("%s: OrgCodeCheckOK(%q) = %v, want %v", tt.name, tt.code, got, tt.want)
		}
	}
}

func TestValidUSCCNeedNotPassOrgCodeCheck(t *testing.T) {
	// Position 17 wrong for GB 11714, but position 18 recomputed: still valid.
	first17 := huawei[:16] + "2"
	c, err := USCCCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	code := first17 + string(c)
	if err := ValidateUSCC(code); err != nil {
		t.Errorf("ValidateUSCC(%q) = %v; the organisation-code check is optional", code, err)
	}
	if OrgCodeCheckOK(code) {
		t.Errorf("OrgCodeCheckOK(%q) = true, want false", code)
	}
}

func TestMakeUSCC(t *testing.T) {
	tests := []struct {
		name                   string
		prefix2, region6, org8 string
		want                   string // "" when only validity is checked
		wantErr                bool
	}{
		{"rebuilds Huawei", "91", "440300", "19220382", huawei, false},
		{"org check 10 becomes X", "91", "110105", "MA01AB3C", "", false},
		{"social organisation", "51", "310000", "50000000", "", false},
		{"short region", "91", "44030", "19220382", "", true},
		{"letter in region", "91", "44030A", "19220382", "", true},
		{"excluded letter in body", "91", "440300", "1922038O", "", true},
		{"lowercase prefix", "9a", "440300", "19220382", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MakeUSCC(tt.prefix2, tt.region6, tt.org8)
			if tt.wantErr {
				if !apperr.Is(err, apperr.Invalid) {
					t.Fatalf("MakeUSCC = %q, %v; want Invalid error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("MakeUSCC = %q, want %q", got, tt.want)
			}
			if err := ValidateUSCC(got); err != nil {
				t.Errorf("MakeUSCC output %q invalid: %v", got, err)
			}
			if !OrgCodeCheckOK(got) {
				t.Errorf("MakeUSCC output %q fails the organisation-code check", got)
			}
		})
	}
}

func TestOrgCheckMapsTenToXAndElevenToZero(t *testing.T) {
	tests := []struct {
		body string
		want byte
	}{
		{"00000000", '0'}, // S=0: 11 − 0 = 11 → '0'
		{"00009000", 'X'}, // S=45, 45 mod 11 = 1: 11 − 1 = 10 → 'X'
		{"00000001", '9'}, // S=2: 11 − 2 = 9
		{"19220382", '1'}, // Huawei: S=164, mod 11 = 10: 11 − 10 = 1
		{"0000000Z", '7'}, // Z=35, S=70, mod 11 = 4: 11 − 4 = 7
	}
	for _, tt := range tests {
		got, ok := orgCheck(tt.body)
		if !ok || got != tt.want {
			t.Errorf("orgCheck(%q) = %q, %v; want %q", tt.body, got, ok, tt.want)
		}
	}
	if _, ok := orgCheck("0000000a"); ok {
		t.Error("orgCheck accepted a lowercase letter")
	}
}

func mustMake(t *testing.T, p, r, o string) string {
	t.Helper()
	c, err := MakeUSCC(p, r, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func FuzzValidateUSCC(f *testing.F) {
	for _, s := range []string{huawei, huawei[:17] + "7", "", "９１", "91440300MA5FXXXX1X", "915101006653045300"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateUSCC(s)
		if err != nil {
			if _, ok := err.(*apperr.Error); !ok {
				t.Fatalf("ValidateUSCC(%q) returned %T, want *apperr.Error", s, err)
			}
		} else {
			// A valid code round-trips: its check char recomputes, and rebuilding
			// from its parts changes at most the optional position 17 (and 18).
			if c, err := USCCCheckChar(s[:17]); err != nil || c != s[17] {
				t.Fatalf("valid %q but USCCCheckChar = %q, %v", s, c, err)
			}
			made, err := MakeUSCC(s[:2], s[2:8], s[8:16])
			if err != nil {
				t.Fatalf("valid %q but MakeUSCC on its parts failed: %v", s, err)
			}
			if made[:16] != s[:16] || (OrgCodeCheckOK(s) && made != s) {
				t.Fatalf("MakeUSCC rebuilt %q as %q", s, made)
			}
		}
		if n := NormalizeUSCC(s); NormalizeUSCC(n) != n {
			t.Fatalf("NormalizeUSCC not idempotent on %q", s)
		}
		// Any 16 leading bytes that MakeUSCC accepts must yield a valid code.
		if len(s) >= 16 {
			if made, err := MakeUSCC(s[:2], s[2:8], s[8:16]); err == nil {
				if ValidateUSCC(made) != nil || !OrgCodeCheckOK(made) {
					t.Fatalf("MakeUSCC(%q) = %q does not validate", s[:16], made)
				}
			}
		}
	})
}
