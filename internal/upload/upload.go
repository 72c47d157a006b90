// Package upload keeps resumable uploads of large files (sealed bids of
// hundreds of MB): a client declares the size, sends the bytes in as many
// requests as its connection allows, asks where to resume after a break, and
// completes. It follows the core of the tus protocol (offset-checked
// appends); sessions live on disk, so a restart of the server loses nothing
// that was acknowledged.
package upload

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"ggzy/internal/apperr"
)

// MaxIdle is how long an upload may receive nothing before it counts as
// abandoned and is removed.
const MaxIdle = 7 * 24 * time.Hour

// Session is one upload in progress.
type Session struct {
	ID        string    `json:"id"`
	Owner     string    `json:"owner"` // user ID: only the owner may see or continue it
	Subject   string    `json:"subject"`
	Size      int64     `json:"size"`
	Offset    int64     `json:"-"` // bytes received so far (the data file's size)
	CreatedAt time.Time `json:"created_at"`
}

// Complete reports whether every declared byte has arrived.
func (s Session) Complete() bool { return s.Offset == s.Size }

// Store keeps sessions in a directory.
type Store struct {
	dir string
	max int64
	mu  sync.Mutex
	now func() time.Time
}

var idRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Open returns a store in dir accepting uploads of at most max bytes.
func Open(dir string, max int64, now func() time.Time) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	return &Store{dir: dir, max: max, now: now}, nil
}

// Max is the largest upload accepted.
func (s *Store) Max() int64 { return s.max }

func (s *Store) meta(id string) string { return filepath.Join(s.dir, id+".json") }
func (s *Store) data(id string) string { return filepath.Join(s.dir, id+".part") }

// Create starts an upload of size bytes for owner.
func (s *Store) Create(owner, subject string, size int64) (Session, error) {
	if size <= 0 || size > s.max {
		return Session{}, apperr.Fields("上传文件大小有误。", map[string]string{"size": fmt.Sprintf("应为1字节至%d MB。", s.max>>20)})
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return Session{}, err
	}
	ss := Session{ID: hex.EncodeToString(b), Owner: owner, Subject: subject, Size: size, CreatedAt: s.now().UTC()}
	if err := os.WriteFile(s.data(ss.ID), nil, 0o640); err != nil {
		return Session{}, fmt.Errorf("upload: %w", err)
	}
	j, _ := json.Marshal(ss)
	if err := writeFileSync(s.meta(ss.ID), j); err != nil {
		return Session{}, err
	}
	return ss, nil
}

// Get returns the owner's session with its current offset.
func (s *Store) Get(id, owner string) (Session, error) {
	if !idRE.MatchString(id) {
		return Session{}, apperr.NotFoundf("上传任务")
	}
	j, err := os.ReadFile(s.meta(id))
	if err != nil {
		return Session{}, apperr.NotFoundf("上传任务")
	}
	var ss Session
	if err := json.Unmarshal(j, &ss); err != nil || ss.Owner != owner {
		return Session{}, apperr.NotFoundf("上传任务")
	}
	fi, err := os.Stat(s.data(id))
	if err != nil {
		return Session{}, apperr.NotFoundf("上传任务")
	}
	ss.Offset = fi.Size()
	return ss, nil
}

// OffsetError says the client's offset is not where the upload stands.
type OffsetError struct{ Have int64 }

func (e *OffsetError) Error() string {
	return fmt.Sprintf("续传位置不符：服务器已接收%d字节，请从该位置继续上传。", e.Have)
}

// Append writes r at offset, which must be the bytes received so far; it
// stops at the declared size. What was written and synced is kept even when
// the connection breaks midway: the client asks Get and resumes.
func (s *Store) Append(id, owner string, offset int64, r io.Reader) (Session, error) {
	s.mu.Lock() // appends to one file must not interleave
	defer s.mu.Unlock()
	ss, err := s.Get(id, owner)
	if err != nil {
		return ss, err
	}
	if offset != ss.Offset {
		return ss, &OffsetError{Have: ss.Offset}
	}
	f, err := os.OpenFile(s.data(id), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return ss, fmt.Errorf("upload: %w", err)
	}
	defer f.Close()
	n, copyErr := io.Copy(f, io.LimitReader(r, ss.Size-ss.Offset))
	ss.Offset += n
	if err := f.Sync(); err != nil {
		return ss, fmt.Errorf("upload: sync: %w", err)
	}
	if copyErr != nil {
		return ss, fmt.Errorf("upload: interrupted at %d: %w", ss.Offset, copyErr)
	}
	// A body longer than declared is refused, not silently cut.
	var one [1]byte
	if m, _ := r.Read(one[:]); m > 0 {
		return ss, apperr.New(apperr.Invalid, "上传内容超过声明的文件大小（%d字节）。", ss.Size)
	}
	return ss, nil
}

// Reader opens a complete upload for reading.
func (s *Store) Reader(id, owner string) (io.ReadCloser, Session, error) {
	ss, err := s.Get(id, owner)
	if err != nil {
		return nil, ss, err
	}
	if !ss.Complete() {
		return nil, ss, apperr.New(apperr.Conflict, "文件尚未上传完整（已接收%d/%d字节），请续传后再递交。", ss.Offset, ss.Size)
	}
	f, err := os.Open(s.data(id))
	return f, ss, err
}

// Remove deletes a session.
func (s *Store) Remove(id string) {
	if idRE.MatchString(id) {
		_ = os.Remove(s.data(id))
		_ = os.Remove(s.meta(id))
	}
}

// Sweep removes sessions that have received nothing for longer than age
// (abandoned uploads) and says how many.
func (s *Store) Sweep(age time.Duration) int {
	ms, _ := filepath.Glob(filepath.Join(s.dir, "*.json"))
	n := 0
	for _, m := range ms {
		id := strings.TrimSuffix(filepath.Base(m), ".json")
		fi, err := os.Stat(s.data(id)) // the last append, not the creation
		if err != nil || s.now().Sub(fi.ModTime()) > age {
			s.Remove(id)
			n++
		}
	}
	return n
}
func writeFileSync(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("upload: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("upload: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(fmt.Errorf("upload: %w", err), os.Remove(tmp))
	}
	return nil
}
