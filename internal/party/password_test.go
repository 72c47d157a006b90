package party

import (
	"strings"
	"testing"

	"ggzy/internal/apperr"
)

// fastParams keep tests quick; production uses DefaultPasswordParams.
var fastParams = PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}

func TestHashPasswordRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		p    PasswordParams
	}{
		{"default params", "Secret2025", DefaultPasswordParams},
		{"fast params", "correct horse 9", fastParams},
		{"chinese password", "公共资源交易2025", fastParams},
		{"two threads", "abc12345", PasswordParams{Time: 1, MemoryKiB: 64, Threads: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := HashPassword(tt.pw, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(enc, "$argon2id$v=19$m=") || strings.Contains(enc, "=$") || strings.HasSuffix(enc, "=") {
				t.Errorf("not an unpadded PHC argon2id string: %q", enc)
			}
			ok, err := CheckPassword(enc, tt.pw)
			if err != nil || !ok {
				t.Errorf("CheckPassword(own hash) = %v, %v; want true", ok, err)
			}
			ok, err = CheckPassword(enc, tt.pw+"x")
			if err != nil || ok {
				t.Errorf("CheckPassword(wrong password) = %v, %v; want false, nil", ok, err)
			}
		})
	}
}

func TestHashPasswordEncodesParamsAndSaltsEachHash(t *testing.T) {
	a, err := HashPassword("abc12345", PasswordParams{Time: 3, MemoryKiB: 128, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a, "$m=128,t=3,p=2$") {
		t.Errorf("params not encoded: %q", a)
	}
	b, _ := HashPassword("abc12345", PasswordParams{Time: 3, MemoryKiB: 128, Threads: 2})
	if a == b {
		t.Error("two hashes of the same password are identical: salt not random")
	}
}

func TestHashPasswordRejectsUnsafeParams(t *testing.T) {
	for _, p := range []PasswordParams{
		{Time: 0, MemoryKiB: 64, Threads: 1},
		{Time: 1, MemoryKiB: 64, Threads: 0},
		{Time: 1, MemoryKiB: 7, Threads: 1},
		{Time: 1, MemoryKiB: 2 << 20, Threads: 1},
	} {
		if _, err := HashPassword("abc12345", p); err == nil {
			t.Errorf("HashPassword with %+v succeeded", p)
		}
	}
}

func TestCheckPasswordRejectsTamperedStrings(t *testing.T) {
	enc, err := HashPassword("abc12345", fastParams)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(enc, "$") // "", alg, v, params, salt, hash
	join := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct{ name, enc string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuv"},
		{"argon2i", join(1, "argon2i")},
		{"old version", join(2, "v=16")},
		{"missing param", join(3, "m=64,t=1")},
		{"params out of order", join(3, "t=1,m=64,p=1")},
		{"zero time", join(3, "m=64,t=0,p=1")},
		{"huge memory", join(3, "m=4294967295,t=1,p=1")},
		{"threads overflow", join(3, "m=64,t=1,p=256")},
		{"negative", join(3, "m=-64,t=1,p=1")},
		{"padded salt", join(4, parts[4]+"==")},
		{"salt not base64", join(4, "!!!!")},
		{"short hash", join(5, "AAAA")},
		{"extra field", enc + "$x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := CheckPassword(tt.enc, "abc12345")
			if err == nil || ok {
				t.Errorf("CheckPassword(%q) = %v, %v; want false and an error", tt.enc, ok, err)
			}
		})
	}
}

func TestCheckPasswordFailsWhenHashBitsChange(t *testing.T) {
	enc, err := HashPassword("abc12345", fastParams)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.LastIndex(enc, "$") + 1
	flipped := []byte(enc)
	if flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}
	ok, err := CheckPassword(string(flipped), "abc12345")
	if err != nil || ok {
		t.Errorf("CheckPassword(altered hash) = %v, %v; want false, nil", ok, err)
	}
}

func TestValidatePasswordStrength(t *testing.T) {
	tests := []struct {
		pw      string
		wantMsg string // "" means acceptable
	}{
		{"abc12345", ""},
		{"Passw0rdLonger", ""},
		{"交易平台密码2025", ""},
		{"abc1234", "当前只有7个字符"},
		{"abcdefgh", "缺少数字"},
		{"12345678", "缺少字母"},
		{"", "当前只有0个字符、缺少字母、缺少数字"},
		{"!!!!!!!!", "缺少字母、缺少数字"},
	}
	for _, tt := range tests {
		t.Run(tt.pw, func(t *testing.T) {
			err := ValidatePasswordStrength(tt.pw)
			if tt.wantMsg == "" {
				if err != nil {
					t.Errorf("ValidatePasswordStrength(%q) = %v, want nil", tt.pw, err)
				}
				return
			}
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("ValidatePasswordStrength(%q) = %v, want Invalid", tt.pw, err)
			}
			if msg := apperr.As(err).Message; !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message %q does not contain %q", msg, tt.wantMsg)
			}
		})
	}
}
