package seal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Bid package limits.
const (
	PackageMagic    = "GGZY-BIDPKG-v1\n"
	MaxFormSize     = 8 << 20 // the structured form is held in memory
	MaxPackageFiles = 1000
	MaxFileNameLen  = 255
)

// PackageFile is one attachment to write: Size bytes read from R.
type PackageFile struct {
	Name string
	Size int64
	R    io.Reader
}

// Errors about bid packages, shown to users.
var (
	ErrPackageFormat = errors.New("投标文件包格式错误")
	ErrFileName      = errors.New("附件文件名无效（不能为空、过长，或含控制字符、路径分隔符及 \\ / : * ? \" < > |）")
	ErrFileSize      = errors.New("附件大小与声明的大小不符")
	ErrDuplicateName = errors.New("附件文件名重复")
	ErrTooManyFiles  = errors.New("附件数量过多")
	ErrFormTooLarge  = errors.New("投标表单过大")
)

// validFileName keeps names safe to create on any custodian's disk.
func validFileName(name string) bool {
	if name == "" || len(name) > MaxFileNameLen || !utf8.ValidString(name) || name == "." || name == ".." {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`\/:*?"<>|`, r) {
			return false
		}
	}
	return true
}

func checkPackage(form []byte, files []PackageFile) error {
	if len(form) > MaxFormSize {
		return ErrFormTooLarge
	}
	if len(files) > MaxPackageFiles {
		return ErrTooManyFiles
	}
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		if !validFileName(f.Name) {
			return fmt.Errorf("%w: %q", ErrFileName, f.Name)
		}
		if seen[f.Name] {
			return fmt.Errorf("%w: %s", ErrDuplicateName, f.Name)
		}
		seen[f.Name] = true
		if f.Size < 0 {
			return ErrFileSize
		}
	}
	return nil
}

// PackageSize is the exact size WritePackage writes, for Seal's plaintextSize.
func PackageSize(form []byte, files []PackageFile) int64 {
	n := int64(len(PackageMagic) + 4 + len(form) + 2)
	for _, f := range files {
		n += 2 + int64(len(f.Name)) + 8 + f.Size
	}
	return n
}

// WritePackage writes a bid package: the form JSON and then each file, whose
// reader must yield exactly Size bytes.
func WritePackage(w io.Writer, form []byte, files []PackageFile) error {
	if err := checkPackage(form, files); err != nil {
		return err
	}
	b := make([]byte, 0, 64)
	b = append(b, PackageMagic...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(form)))
	if _, err := w.Write(b); err != nil {
		return err
	}
	if _, err := w.Write(form); err != nil {
		return err
	}
	for _, f := range files {
		b = binary.BigEndian.AppendUint16(b[:0], uint16(len(f.Name)))
		b = append(b, f.Name...)
		b = binary.BigEndian.AppendUint64(b, uint64(f.Size))
		if _, err := w.Write(b); err != nil {
			return err
		}
		n, err := io.Copy(w, io.LimitReader(f.R, f.Size))
		if err != nil {
			return err
		}
		var one [1]byte
		if m, _ := io.ReadFull(f.R, one[:]); n != f.Size || m > 0 {
			return fmt.Errorf("%w: %s", ErrFileSize, f.Name)
		}
	}
	_, err := w.Write([]byte{0, 0})
	return err
}

// PackageReader reads a bid package as a stream, like archive/tar: Form, then
// Next for each file and Read for its bytes.
type PackageReader struct {
	r     io.Reader
	form  []byte
	body  *io.LimitedReader // the current file's unread bytes
	names map[string]bool
	done  bool
	err   error
}

// ReadPackage reads the package's magic and form from r.
func ReadPackage(r io.Reader) (*PackageReader, error) {
	var m [len(PackageMagic)]byte
	if _, err := io.ReadFull(r, m[:]); err != nil || string(m[:]) != PackageMagic {
		return nil, pkgErr(err)
	}
	var l [4]byte
	if _, err := io.ReadFull(r, l[:]); err != nil {
		return nil, pkgErr(err)
	}
	n := binary.BigEndian.Uint32(l[:])
	if n > MaxFormSize {
		return nil, ErrFormTooLarge
	}
	form := make([]byte, n)
	if _, err := io.ReadFull(r, form); err != nil {
		return nil, pkgErr(err)
	}
	return &PackageReader{r: r, form: form, names: map[string]bool{}}, nil
}

// pkgErr maps an early end to ErrPackageFormat and keeps real read errors.
func pkgErr(err error) error {
	if err == nil || isEOF(err) {
		return ErrPackageFormat
	}
	return err
}

// Form returns the structured form (JSON bytes as written).
func (p *PackageReader) Form() []byte { return p.form }

// Next skips what is left of the current file and moves to the next one. The
// body reads the file's bytes and is valid until the next call. At the end of
// a well-formed package Next returns io.EOF.
func (p *PackageReader) Next() (name string, size int64, body io.Reader, err error) {
	if p.err != nil {
		return "", 0, nil, p.err
	}
	if p.done {
		return "", 0, nil, io.EOF
	}
	name, size, err = p.next()
	if err != nil {
		if err != io.EOF {
			p.err = err
		}
		return "", 0, nil, err
	}
	return name, size, p, nil
}

func (p *PackageReader) next() (string, int64, error) {
	if p.body != nil {
		if _, err := io.Copy(io.Discard, p.body); err != nil {
			return "", 0, pkgErr(err)
		}
		if p.body.N > 0 {
			return "", 0, ErrPackageFormat
		}
		p.body = nil
	}
	var l [2]byte
	if _, err := io.ReadFull(p.r, l[:]); err != nil {
		return "", 0, pkgErr(err)
	}
	nl := binary.BigEndian.Uint16(l[:])
	if nl == 0 {
		var one [1]byte
		if m, err := io.ReadFull(p.r, one[:]); m > 0 {
			return "", 0, ErrPackageFormat
		} else if err != nil && err != io.EOF {
			return "", 0, err
		}
		p.done = true
		return "", 0, io.EOF
	}
	if len(p.names) >= MaxPackageFiles {
		return "", 0, ErrTooManyFiles
	}
	if nl > MaxFileNameLen {
		return "", 0, ErrFileName
	}
	buf := make([]byte, int(nl)+8)
	if _, err := io.ReadFull(p.r, buf); err != nil {
		return "", 0, pkgErr(err)
	}
	name := string(buf[:nl])
	size := binary.BigEndian.Uint64(buf[nl:])
	if !validFileName(name) {
		return "", 0, ErrFileName
	}
	if p.names[name] {
		return "", 0, ErrDuplicateName
	}
	if size > MaxPlaintextSize {
		return "", 0, ErrPackageFormat
	}
	p.names[name] = true
	p.body = &io.LimitedReader{R: p.r, N: int64(size)}
	return name, int64(size), nil
}

// Read reads the current file's bytes; an early end of the package is
// ErrPackageFormat, not a silent short file.
func (p *PackageReader) Read(b []byte) (int, error) {
	if p.body == nil {
		return 0, io.EOF
	}
	if p.body.N == 0 {
		return 0, io.EOF
	}
	n, err := p.body.Read(b)
	if err == io.EOF && p.body.N > 0 {
		p.err = ErrPackageFormat
		return n, ErrPackageFormat
	}
	return n, err
}
