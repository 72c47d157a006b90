package upload_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ggzy/internal/apperr"
	"ggzy/internal/upload"
)

// brokenReader delivers n bytes, then fails like a dropped connection.
type brokenReader struct {
	r io.Reader
	n int
}

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.n == 0 {
		return 0, errors.New("connection reset by peer")
	}
	if len(p) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= n
	return n, err
}

func TestResumeAfterABrokenConnection(t *testing.T) {
	s, err := upload.Open(t.TempDir(), 1<<20, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("密封投标文件"), 10_000) // 180 000 bytes
	ss, err := s.Create("u1", "lot1", int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	// The first request breaks after 70 000 bytes: those are kept.
	if _, err := s.Append(ss.ID, "u1", 0, &brokenReader{r: bytes.NewReader(data), n: 70_000}); err == nil {
		t.Fatal("a broken body must report an error")
	}
	got, err := s.Get(ss.ID, "u1")
	if err != nil || got.Offset != 70_000 {
		t.Fatalf("after the break: offset %d, %v; want 70000", got.Offset, err)
	}
	// Someone else cannot see or continue it.
	if _, err := s.Get(ss.ID, "u2"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("other owner: %v", err)
	}
	// Resuming at the wrong offset is refused with where to resume.
	_, err = s.Append(ss.ID, "u1", 0, bytes.NewReader(data))
	var oe *upload.OffsetError
	if !errors.As(err, &oe) || oe.Have != 70_000 {
		t.Fatalf("wrong offset: %v", err)
	}
	if _, _, err := s.Reader(ss.ID, "u1"); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("incomplete upload readable: %v", err)
	}
	if got, err = s.Append(ss.ID, "u1", 70_000, bytes.NewReader(data[70_000:])); err != nil || !got.Complete() {
		t.Fatalf("resume: %+v %v", got, err)
	}
	r, _, err := s.Reader(ss.ID, "u1")
	if err != nil {
		t.Fatal(err)
	}
	back, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(back, data) {
		t.Fatal("the resumed upload differs from the file")
	}
	// More than declared is refused; too large a declaration too.
	ss2, _ := s.Create("u1", "lot1", 10)
	if _, err := s.Append(ss2.ID, "u1", 0, strings.NewReader("0123456789X")); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("overlong body: %v", err)
	}
	if _, err := s.Create("u1", "lot1", 2<<20); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("oversize declaration: %v", err)
	}
	s.Remove(ss.ID)
	if _, err := s.Get(ss.ID, "u1"); err == nil {
		t.Fatal("removed session still there")
	}
}

func TestSweepRemovesOnlyAbandonedUploads(t *testing.T) {
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	s, err := upload.Open(dir, 1<<20, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	old, _ := s.Create("u1", "lot1", 10)
	active, _ := s.Create("u1", "lot1", 10)
	if _, err := s.Append(active.ID, "u1", 0, strings.NewReader("01234")); err != nil {
		t.Fatal(err)
	}
	// The abandoned one last received bytes 8 days ago; the active one 1 hour ago.
	if err := os.Chtimes(filepath.Join(dir, old.ID+".part"), now.Add(-8*24*time.Hour), now.Add(-8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, active.ID+".part"), now.Add(-time.Hour), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := s.Sweep(upload.MaxIdle); n != 1 {
		t.Fatalf("swept %d, want 1", n)
	}
	if _, err := s.Get(old.ID, "u1"); err == nil {
		t.Error("the abandoned upload survived")
	}
	if got, err := s.Get(active.ID, "u1"); err != nil || got.Offset != 5 {
		t.Errorf("the active upload: %+v %v", got, err)
	}
}
