package seal

import (
	"bytes"
	"io"
	mrand "math/rand/v2"
	"testing"
)

// FuzzCheck feeds arbitrary bytes to Check: it must never panic, must copy
// exactly what it read, and must accept only files that really open to the
// bid that was sealed.
func FuzzCheck(f *testing.F) {
	// Fixed keys and plaintext: every worker process must agree with the
	// corpus the coordinator made.
	seeded := mrand.NewChaCha8([32]byte{'g', 'g', 'z', 'y'})
	fx := newFixtureFrom(f, 3, 2, seeded)
	key := make([]byte, 16)
	pt := make([]byte, 1500)
	seeded.Read(key)
	seeded.Read(pt)
	pt = append([]byte(`{"price":"100.00"}`), pt...)
	var sealed bytes.Buffer
	if _, err := Seal(&sealed, bytes.NewReader(pt), int64(len(pt)), fx.params(MinChunkSize), knownKeyRand(key)); err != nil {
		f.Fatal(err)
	}
	file := sealed.Bytes()
	f.Add(file)
	f.Add(file[:len(file)/2])
	f.Add(file[:len(Magic)+4+100])
	f.Add(append(bytes.Clone(file), 0))
	f.Add([]byte(`{"price":1}`))
	f.Add([]byte(Magic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var copied bytes.Buffer
		_, err := Check(bytes.NewReader(data), fx.binding, fx.keyOf, &copied)
		if !bytes.HasPrefix(data, copied.Bytes()) {
			t.Fatal("Check copied bytes it did not read")
		}
		if err != nil {
			if _, ok := err.(*CheckError); !ok {
				t.Fatalf("not a CheckError: %v", err)
			}
			return
		}
		if !bytes.Equal(copied.Bytes(), data) {
			t.Fatal("accepted, but the copy is not the file")
		}
		var out bytes.Buffer
		if _, err := Open(bytes.NewReader(data), key, fx.binding, &out); err != nil || !bytes.Equal(out.Bytes(), pt) {
			t.Fatalf("accepted a file that does not open to the bid: %v", err)
		}
	})
}

// FuzzReadPackage: never panic, and whatever reads without error writes back
// to the same bytes (one encoding per package).
func FuzzReadPackage(f *testing.F) {
	f.Add(writePkg(f, []byte(`{"a":1}`), []pkgFile{{"x.pdf", []byte("hello")}, {"空.txt", nil}}))
	f.Add(writePkg(f, []byte(`{}`), nil))
	f.Add([]byte(PackageMagic + "\x00\x00\x00\x00\x00\x01a\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		pr, err := ReadPackage(bytes.NewReader(data))
		if err != nil {
			return
		}
		var files []PackageFile
		for {
			name, size, body, err := pr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			b, err := io.ReadAll(body)
			if err != nil {
				return
			}
			if int64(len(b)) != size {
				t.Fatalf("%s: read %d bytes, size %d", name, len(b), size)
			}
			files = append(files, PackageFile{Name: name, Size: size, R: bytes.NewReader(b)})
		}
		var again bytes.Buffer
		if err := WritePackage(&again, pr.Form(), files); err != nil {
			t.Fatalf("read but cannot write back: %v", err)
		}
		if !bytes.Equal(again.Bytes(), data) {
			t.Fatal("package read without error has another encoding")
		}
	})
}
