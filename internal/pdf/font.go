// Package pdf renders the platform's signed PDF documents — for now the
// evaluation report (评标报告) — in Chinese with the WQY Zen Hei font
// (DESIGN.md §12), and signs them with the platform key.
//
// The package knows nothing of the tender domain: callers map their data into
// plain input structs, so it can be tested (and reused) on its own.
package pdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"ggzy/internal/apperr"
)

// DefaultFontPath is where Debian's fonts-wqy-zenhei installs the font.
const DefaultFontPath = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

// NoFontMessage is what users are told when no usable font was found.
const NoFontMessage = "未找到中文字体 WQY Zen Hei（Debian 软件包 fonts-wqy-zenhei），无法生成 PDF。"

// ErrNoFont is the error for a missing font. The Internal code is the
// closest apperr has to "service unavailable": the platform is
// misconfigured, the request is fine. A fresh value each time, since Wrap
// sets the cause in place.
func ErrNoFont() *apperr.Error { return apperr.New(apperr.Internal, NoFontMessage) }

// LoadFont reads the first of paths that exists (DefaultFontPath when none
// is given) and returns a standalone TrueType font: neither gopdf nor any
// other pure-Go PDF library reads TrueType Collections, so face 0 of a .ttc
// is extracted. A plain .ttf is returned as it is.
func LoadFont(paths ...string) ([]byte, error) {
	if len(paths) == 0 {
		paths = []string{DefaultFontPath}
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, ErrNoFont().Wrap(err)
		}
		ttf, err := ExtractFace(b, 0)
		if err != nil {
			return nil, ErrNoFont().Wrap(fmt.Errorf("%s: %w", p, err))
		}
		return ttf, nil
	}
	return nil, ErrNoFont()
}

// ExtractFace returns face i of a TrueType Collection as a standalone
// TrueType font. Data that is not a collection is returned unchanged when i
// is 0. Tables are copied in directory order to fresh 4-byte aligned
// offsets; their checksums do not depend on where a table sits, so they are
// kept (head.checkSumAdjustment, a whole-file sum, is left as it was: no
// renderer checks it).
func ExtractFace(b []byte, i int) ([]byte, error) {
	if len(b) < 12 {
		return nil, errors.New("字体文件过短")
	}
	if string(b[:4]) != "ttcf" {
		if i != 0 {
			return nil, errors.New("不是 TrueType 字体集，只有第 0 个字形")
		}
		return b, nil
	}
	n := int(binary.BigEndian.Uint32(b[8:12]))
	if i < 0 || i >= n || len(b) < 12+4*n {
		return nil, fmt.Errorf("字体集共 %d 个字形，没有第 %d 个", n, i)
	}
	off := int(binary.BigEndian.Uint32(b[12+4*i:]))
	if off+12 > len(b) {
		return nil, errors.New("字体集目录越界")
	}
	numTables := int(binary.BigEndian.Uint16(b[off+4:]))
	dir := off + 12
	if dir+16*numTables > len(b) {
		return nil, errors.New("字体表目录越界")
	}
	headerLen := 12 + 16*numTables
	size := headerLen
	for t := 0; t < numTables; t++ {
		rec := b[dir+16*t:]
		o, l := int(binary.BigEndian.Uint32(rec[8:])), int(binary.BigEndian.Uint32(rec[12:]))
		if o < 0 || l < 0 || o+l > len(b) {
			return nil, fmt.Errorf("字体表 %q 越界", rec[:4])
		}
		size += pad4(l)
	}
	out := make([]byte, size)
	// The offset table (sfnt version, table count, binary-search fields) is
	// the face's own and stays valid: the number of tables does not change.
	copy(out, b[off:off+12])
	pos := headerLen
	for t := 0; t < numTables; t++ {
		rec := b[dir+16*t : dir+16*t+16]
		o, l := int(binary.BigEndian.Uint32(rec[8:])), int(binary.BigEndian.Uint32(rec[12:]))
		nr := out[12+16*t : 12+16*t+16]
		copy(nr, rec[:8]) // tag and checksum
		binary.BigEndian.PutUint32(nr[8:], uint32(pos))
		binary.BigEndian.PutUint32(nr[12:], uint32(l))
		copy(out[pos:], b[o:o+l])
		pos += pad4(l) // the padding is already zero
	}
	return out, nil
}

func pad4(n int) int { return (n + 3) &^ 3 }
