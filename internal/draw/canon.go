package draw

import (
	"encoding/hex"
	"hash"
	"strconv"
	"sync"
	"unicode/utf8"

	"ggzy/internal/gm"
)

// digestOf computes Result.Digest: hex SM3 of the canonical JSON (see
// canonicalJSON) of canonicalResult. A draw on a 100,000-expert pool has
// thousands of exclusions, so the bytes are produced by hand straight into
// the hash; TestCanonicalEncoderMatchesJSON holds them equal to
// canonicalJSON's.
func digestOf(r Result) string {
	w := newHashWriter()
	w.head(&r)
	for i := range r.Exclusions {
		w.exclusion(i, &r.Exclusions[i], 0)
	}
	return w.end()
}

// head writes everything before the first exclusion.
func (w *hashWriter) head(r *Result) {
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
}

// Flags for hashWriter.exclusion: which of an exclusion's strings the
// caller knows to be plain (see isPlain).
const (
	plainID uint8 = 1 << iota
	plainCode
	plainParty
	plainDetail
)

// exclusion writes exclusion i (thousands of them: one element at a
// time, not token by token). Strings flagged in plain are copied without
// looking for bytes to escape; the output is the same.
func (w *hashWriter) exclusion(i int, x *Exclusion, plain uint8) {
	b := w.buf
	if i > 0 {
		b = append(b, ',')
	}
	b = append(b, '[')
	b = appendString(b, x.ExpertID, plain&plainID != 0)
	b = append(b, ',')
	b = appendString(b, x.Code, plain&plainCode != 0)
	b = append(b, ',')
	b = appendString(b, x.PartyID, plain&plainParty != 0)
	b = append(b, ',')
	b = appendString(b, x.Detail, plain&plainDetail != 0)
	w.buf = append(b, ']')
	w.flush()
}

// appendString is appendJSONString, for a string known to be plain if
// plain is set.
func appendString(dst []byte, s string, plain bool) []byte {
	if !plain {
		return appendJSONString(dst, s)
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// isPlain reports whether appendJSONString quotes s without escaping
// anything.
func isPlain(s string) bool { return plainPrefix(s) == len(s) }

// end closes the document and returns the digest; w is spent.
func (w *hashWriter) end() string {
	w.raw("]}")
	w.h.Write(w.buf)
	d := hex.EncodeToString(w.h.Sum(w.buf[:0]))
	if cap(w.buf) <= 2*hashChunk { // not one grown for a giant string
		hashBufs.Put(&w.buf)
	}
	return d
}

// hashBufs holds hashWriter buffers between digests.
var hashBufs = sync.Pool{New: func() any { b := make([]byte, 0, hashChunk+1024); return &b }}

// hashChunk is how many bytes hashWriter collects before hashing them.
const hashChunk = 32 << 10

func newHashWriter() *hashWriter {
	return &hashWriter{h: gm.NewSM3(), buf: (*hashBufs.Get().(*[]byte))[:0]}
}

// hashWriter buffers canonical JSON into a hash.
type hashWriter struct {
	h   hash.Hash
	buf []byte
}

func (w *hashWriter) flush() {
	if len(w.buf) >= hashChunk {
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
	i := plainPrefix(s)
	if i == len(s) { // the usual case: IDs, codes, dates, counts
		dst = append(dst, s...)
		return append(dst, '"')
	}
	start := 0
	for i < len(s) {
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

// plainPrefix is the length of s's longest prefix of printable ASCII other
// than '"' and '\\', the bytes appendJSONString copies as they are.
func plainPrefix(s string) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; len(s)-i >= 8; i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		q := x ^ (lo * '"')
		b := x ^ (lo * '\\')
		// A byte < 0x20, = '"', = '\\' or ≥ 0x80 sets its high bit in t (and
		// only such a byte can: the tests are exact for "some byte").
		t := (x-lo*0x20)&^x | (q-lo)&^q | (b-lo)&^b | x
		if t&hi != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			break
		}
	}
	return i
}
