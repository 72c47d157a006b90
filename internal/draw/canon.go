package draw

import (
	"encoding/hex"
	"hash"
	"strconv"
	"unicode/utf8"

	"ggzy/internal/gm"
)

// digestOf computes Result.Digest: hex SM3 of the canonical JSON (see
// canonicalJSON) of canonicalResult. A draw on a 100,000-expert pool has
// thousands of exclusions, so the bytes are produced by hand straight into
// the hash; TestCanonicalEncoderMatchesJSON holds them equal to
// canonicalJSON's.
func digestOf(r Result) string {
	w := &hashWriter{h: gm.NewSM3(), buf: make([]byte, 0, 8192)}
	w.raw(`{"version":`)
	w.str(r.Version)
	w.raw(`,"lot_id":`)
	w.str(r.LotID)
	w.raw(`,"request_digest":`)
	w.str(r.RequestDigest)
	w.raw(`,"pool_digest":`)
	w.str(r.PoolDigest)
	w.raw(`,"pool_size":`)
	w.int(r.PoolSize)
	w.raw(`,"seed":`)
	w.str(r.Seed)
	w.raw(`,"needs":`)
	if r.Needs == nil {
		w.raw("null")
	} else {
		w.raw("[")
		for i, n := range r.Needs {
			if i > 0 {
				w.raw(",")
			}
			w.raw(`{"need":{"specialty":`)
			w.str(n.Need.Specialty)
			w.raw(`,"count":`)
			w.int(n.Need.Count)
			if n.Need.Backups != 0 {
				w.raw(`,"backups":`)
				w.int(n.Need.Backups)
			}
			w.raw(`},"qualified":`)
			w.int(n.Qualified)
			w.raw(`,"eligible":`)
			w.int(n.Eligible)
			w.raw(`,"members":`)
			w.strs(n.Members)
			if n.Backups != nil {
				w.raw(`,"backups":`)
				w.strs(n.Backups)
			}
			w.raw("}")
		}
		w.raw("]")
	}
	w.raw(`,"exclusions":[`)
	for i, x := range r.Exclusions {
		if i > 0 {
			w.raw(",")
		}
		w.raw("[")
		w.str(x.ExpertID)
		w.raw(",")
		w.str(x.Code)
		w.raw(",")
		w.str(x.PartyID)
		w.raw(",")
		w.str(x.Detail)
		w.raw("]")
	}
	w.raw("]}")
	w.h.Write(w.buf)
	return hex.EncodeToString(w.h.Sum(nil))
}

// hashWriter buffers canonical JSON into a hash.
type hashWriter struct {
	h   hash.Hash
	buf []byte
}

func (w *hashWriter) flush() {
	if len(w.buf) >= 4096 {
		w.h.Write(w.buf)
		w.buf = w.buf[:0]
	}
}

func (w *hashWriter) raw(s string) { w.buf = append(w.buf, s...); w.flush() }
func (w *hashWriter) int(n int)    { w.buf = strconv.AppendInt(w.buf, int64(n), 10); w.flush() }
func (w *hashWriter) str(s string) { w.buf = appendJSONString(w.buf, s); w.flush() }

func (w *hashWriter) strs(ss []string) {
	if ss == nil {
		w.raw("null")
		return
	}
	w.raw("[")
	for i, s := range ss {
		if i > 0 {
			w.raw(",")
		}
		w.str(s)
	}
	w.raw("]")
}

// appendJSONString quotes s exactly as encoding/json does with HTML
// escaping off: \" \\ \b \f \n \r \t, other controls as \u00XX, U+2028 and
// U+2029 escaped, invalid UTF-8 as \ufffd.
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
