package seal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
)

type pkgFile struct {
	name string
	data []byte
}

func writePkg(t testing.TB, form []byte, files []pkgFile) []byte {
	t.Helper()
	var pf []PackageFile
	for _, f := range files {
		pf = append(pf, PackageFile{Name: f.name, Size: int64(len(f.data)), R: bytes.NewReader(f.data)})
	}
	var b bytes.Buffer
	if err := WritePackage(&b, form, pf); err != nil {
		t.Fatal(err)
	}
	if int64(b.Len()) != PackageSize(form, pf) {
		t.Fatalf("PackageSize %d, wrote %d", PackageSize(form, pf), b.Len())
	}
	return b.Bytes()
}

func readAll(pr *PackageReader) ([]pkgFile, error) {
	var out []pkgFile
	for {
		name, size, body, err := pr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		data, err := io.ReadAll(body)
		if err != nil {
			return out, err
		}
		if int64(len(data)) != size {
			return out, errors.New("size")
		}
		out = append(out, pkgFile{name, data})
	}
}

func TestPackageRoundTrip(t *testing.T) {
	form := []byte(`{"price":"1234567.89","period_days":90}`)
	files := []pkgFile{
		{"技术标.pdf", randBytes(100_000)},
		{"empty.txt", nil},
		{"报价单 (最终).xlsx", randBytes(3)},
	}
	for _, fs := range [][]pkgFile{nil, files} {
		pkg := writePkg(t, form, fs)
		pr, err := ReadPackage(bytes.NewReader(pkg))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pr.Form(), form) {
			t.Fatal("form")
		}
		got, err := readAll(pr)
		if err != nil || len(got) != len(fs) {
			t.Fatalf("%v, %d files", err, len(got))
		}
		for i := range fs {
			if got[i].name != fs[i].name || !bytes.Equal(got[i].data, fs[i].data) {
				t.Fatalf("file %d differs", i)
			}
		}
		if _, _, _, err := pr.Next(); err != io.EOF {
			t.Fatalf("after the end: %v", err)
		}
	}

	// Skipping bodies works: Next discards the unread rest.
	pr, _ := ReadPackage(bytes.NewReader(writePkg(t, form, files)))
	var names []string
	for {
		name, _, body, err := pr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		io.CopyN(io.Discard, body, 7) // read a little only
		names = append(names, name)
	}
	if strings.Join(names, "|") != "技术标.pdf|empty.txt|报价单 (最终).xlsx" {
		t.Fatalf("names %v", names)
	}
}

func TestPackageSealedEndToEnd(t *testing.T) {
	f := newFixture(t, 3, 2)
	form := []byte(`{"price":"99.50"}`)
	files := []PackageFile{{Name: "a.pdf", Size: 70_000, R: bytes.NewReader(randBytes(70_000))}}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(WritePackage(pw, form, files)) }()
	var sealed bytes.Buffer
	h, err := Seal(&sealed, pr, PackageSize(form, files), f.params(0), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := RecoverKey(h, f.shares(t, h, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if _, err := Open(bytes.NewReader(sealed.Bytes()), key, f.binding, &plain); err != nil {
		t.Fatal(err)
	}
	r, err := ReadPackage(&plain)
	if err != nil || string(r.Form()) != string(form) {
		t.Fatalf("%v", err)
	}
	got, err := readAll(r)
	if err != nil || len(got) != 1 || got[0].name != "a.pdf" || len(got[0].data) != 70_000 {
		t.Fatalf("%v", err)
	}
}

func TestPackageRefusals(t *testing.T) {
	form := []byte(`{}`)
	for _, name := range []string{"", ".", "..", "a/b", `a\b`, "a:b", "x\x00", "tab\t", strings.Repeat("长", 90), "\xff"} {
		err := WritePackage(io.Discard, form, []PackageFile{{Name: name, Size: 0, R: bytes.NewReader(nil)}})
		if !errors.Is(err, ErrFileName) {
			t.Errorf("name %q: %v", name, err)
		}
	}
	dup := []PackageFile{{Name: "a", R: bytes.NewReader(nil)}, {Name: "a", R: bytes.NewReader(nil)}}
	if err := WritePackage(io.Discard, form, dup); !errors.Is(err, ErrDuplicateName) {
		t.Errorf("duplicate: %v", err)
	}
	if err := WritePackage(io.Discard, form, []PackageFile{{Name: "a", Size: 5, R: strings.NewReader("abc")}}); !errors.Is(err, ErrFileSize) {
		t.Errorf("short file: %v", err)
	}
	if err := WritePackage(io.Discard, form, []PackageFile{{Name: "a", Size: 2, R: strings.NewReader("abc")}}); !errors.Is(err, ErrFileSize) {
		t.Errorf("long file: %v", err)
	}

	good := writePkg(t, form, []pkgFile{{"a.txt", []byte("hello")}, {"b.txt", []byte("world")}})
	read := func(b []byte) error {
		pr, err := ReadPackage(bytes.NewReader(b))
		if err != nil {
			return err
		}
		_, err = readAll(pr)
		return err
	}
	if err := read(good); err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(good); n++ {
		if err := read(good[:n]); err == nil {
			t.Fatalf("package cut at %d of %d read without error", n, len(good))
		}
	}
	if err := read(append(bytes.Clone(good), 'x')); !errors.Is(err, ErrPackageFormat) {
		t.Errorf("trailing data: %v", err)
	}
	if err := read(append([]byte("GGZY-BIDPKG-v2\n"), good[len(PackageMagic):]...)); !errors.Is(err, ErrPackageFormat) {
		t.Errorf("other magic: %v", err)
	}
	dupPkg := bytes.Replace(good, []byte("b.txt"), []byte("a.txt"), 1)
	if err := read(dupPkg); !errors.Is(err, ErrDuplicateName) {
		t.Errorf("duplicate in package: %v", err)
	}
	badName := bytes.Replace(good, []byte("b.txt"), []byte("b/txt"), 1)
	if err := read(badName); !errors.Is(err, ErrFileName) {
		t.Errorf("bad name in package: %v", err)
	}
	huge := append([]byte(PackageMagic), 0xff, 0xff, 0xff, 0xff)
	if _, err := ReadPackage(bytes.NewReader(huge)); !errors.Is(err, ErrFormTooLarge) {
		t.Errorf("huge form: %v", err)
	}
}
