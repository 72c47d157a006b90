package blob

import (
	"io"
	"strings"
	"testing"

	"ggzy/internal/apperr"
)

func TestPutIsContentAddressedWithSM3(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h, n, err := s.Put(strings.NewReader("abc"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	// SM3("abc") from GB/T 32905-2016, Appendix A.
	if h != "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" || n != 3 {
		t.Fatalf("hash %s size %d", h, n)
	}
	f, err := s.Open(h)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "abc" {
		t.Fatal(string(b))
	}
	if _, _, err := s.Put(strings.NewReader("toolarge"), 4); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("oversize accepted: %v", err)
	}
	if _, err := s.Open("../../etc/passwd"); !apperr.Is(err, apperr.NotFound) {
		t.Fatal("path traversal not refused")
	}
}
