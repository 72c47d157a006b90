package party

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"ggzy/internal/apperr"
)

// PasswordParams are the argon2id cost parameters.
type PasswordParams struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32
	Threads   uint8
}

// DefaultPasswordParams is the OWASP Password Storage Cheat Sheet minimum for
// argon2id (m=19 MiB, t=2, p=1): affordable per login on a small server while
// still costly for offline guessing. Treat as read-only.
var DefaultPasswordParams = PasswordParams{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// Bounds on parameters read back from storage, so a tampered hash cannot
	// make a login allocate gigabytes or run for minutes.
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
)

func (p PasswordParams) check() error {
	if p.Time < 1 || p.Time > maxTime || p.Threads < 1 ||
		p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB {
		return fmt.Errorf("party: argon2id parameters out of range: t=%d m=%d p=%d", p.Time, p.MemoryKiB, p.Threads)
	}
	return nil
}

// HashPassword returns a PHC string
// $argon2id$v=19$m=<KiB>,t=<time>,p=<threads>$<salt>$<hash> with unpadded
// standard base64, so parameters can be raised later without breaking old hashes.
func HashPassword(pw string, p PasswordParams) (string, error) {
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("party: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches encoded. A wrong password is
// (false, nil); a malformed or tampered encoding is (false, error).
func CheckPassword(encoded, pw string) (bool, error) {
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func parsePHC(s string) (p PasswordParams, salt, hash []byte, err error) {
	bad := func(why string) (PasswordParams, []byte, []byte, error) {
		return PasswordParams{}, nil, nil, fmt.Errorf("party: malformed argon2id hash: %s", why)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want 5 $-separated fields")
	}
	if parts[1] != "argon2id" {
		return bad("algorithm " + strconv.Quote(parts[1]))
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("version " + strconv.Quote(parts[2]))
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return bad("want m,t,p parameters")
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(kv[i], name)
		if !ok {
			return bad("parameter " + strconv.Quote(kv[i]))
		}
		n, perr := strconv.ParseUint(v, 10, 32)
		if perr != nil {
			return bad("parameter " + strconv.Quote(kv[i]))
		}
		vals[i] = n
	}
	if vals[2] > 255 {
		return bad("too many threads")
	}
	p = PasswordParams{MemoryKiB: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2])}
	if err := p.check(); err != nil {
		return PasswordParams{}, nil, nil, err
	}
	b64 := base64.RawStdEncoding.Strict() // reject non-canonical trailing bits
	salt, serr := b64.DecodeString(parts[4])
	hash, herr := b64.DecodeString(parts[5])
	if serr != nil || herr != nil {
		return bad("base64")
	}
	if len(salt) < 8 || len(salt) > 64 || len(hash) < 16 || len(hash) > 64 {
		return bad("salt or hash length")
	}
	return p, salt, hash, nil
}

// ValidatePasswordStrength requires at least 8 characters including both
// letters and digits; the message lists everything that is missing.
func ValidatePasswordStrength(pw string) error {
	var missing []string
	if n := utf8.RuneCountInString(pw); n < 8 {
		missing = append(missing, "当前只有"+strconv.Itoa(n)+"个字符")
	}
	hasLetter, hasDigit := false, false
	for _, r := range pw {
		hasLetter = hasLetter || unicode.IsLetter(r)
		hasDigit = hasDigit || unicode.IsDigit(r)
	}
	if !hasLetter {
		missing = append(missing, "缺少字母")
	}
	if !hasDigit {
		missing = append(missing, "缺少数字")
	}
	if len(missing) == 0 {
		return nil
	}
	return apperr.New(apperr.Invalid, "密码至少需要8个字符，并同时包含字母和数字：%s。", strings.Join(missing, "、"))
}
