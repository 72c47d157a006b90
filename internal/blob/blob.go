// Package blob stores large files (tender documents, bid attachments) by the
// SM3 hash of their content, streamed to disk, never held whole in memory.
package blob

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"ggzy/internal/apperr"
	"ggzy/internal/gm"
)

// Store is a content-addressed file store on a local directory.
type Store struct{ dir string }

// Open prepares dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Store{dir: dir}, nil
}

var hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Store) path(hash string) string { return filepath.Join(s.dir, hash[:2], hash[2:]) }

// Put streams r into the store (at most max bytes) and returns its SM3 hash
// and size. The file is complete and fsynced before it is visible under its
// hash, so a crash never leaves a half-written blob behind a hash.
func (s *Store) Put(r io.Reader, max int64) (hash string, size int64, err error) {
	return s.put(r, max, true)
}

// PutUnsynced is Put without the fsync: for many files written in a row
// whose durability is settled at once by Sync before anything refers to them
// (the opening writes every decrypted file, then syncs them together, so the
// disk works while the CPU decrypts).
func (s *Store) PutUnsynced(r io.Reader, max int64) (hash string, size int64, err error) {
	return s.put(r, max, false)
}

// Sync makes the given blobs durable (file contents and directory entries).
func (s *Store) Sync(hashes ...string) error {
	dirs := map[string]bool{}
	for _, h := range hashes {
		f, err := s.Open(h)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("blob: sync: %w", err)
		}
		dirs[filepath.Dir(s.path(h))] = true
	}
	for d := range dirs {
		f, err := os.Open(d)
		if err != nil {
			return fmt.Errorf("blob: sync: %w", err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("blob: sync: %w", err)
		}
	}
	return nil
}

func (s *Store) put(r io.Reader, max int64, sync bool) (hash string, size int64, err error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "up-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := gm.NewSM3()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if err != nil {
		return "", 0, fmt.Errorf("blob: write: %w", err)
	}
	if n > max {
		return "", 0, apperr.New(apperr.Invalid, "文件超过大小上限（%d MB）。", max>>20)
	}
	if n == 0 {
		return "", 0, apperr.New(apperr.Invalid, "文件为空。")
	}
	if sync {
		if err := tmp.Sync(); err != nil {
			return "", 0, fmt.Errorf("blob: sync: %w", err)
		}
	}
	hash = hex.EncodeToString(h.Sum(nil))
	dst := s.path(hash)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("blob: rename: %w", err)
	}
	return hash, n, nil
}

// Open returns the content of hash.
func (s *Store) Open(hash string) (*os.File, error) {
	if !hashRE.MatchString(hash) {
		return nil, apperr.NotFoundf("文件")
	}
	f, err := os.Open(s.path(hash))
	if os.IsNotExist(err) {
		return nil, apperr.NotFoundf("文件")
	}
	return f, err
}

// Pending is a blob being written whose name (hash) the caller computes
// while streaming (a sealed bid is named by its signed digest, so the bytes
// are hashed once, not twice).
type Pending struct {
	s   *Store
	f   *os.File
	n   int64
	max int64
}

// Create starts a blob of at most max bytes.
func (s *Store) Create(max int64) (*Pending, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "up-*")
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Pending{s: s, f: f, max: max}, nil
}

// Write appends to the blob; past max it fails.
func (p *Pending) Write(b []byte) (int, error) {
	if p.n+int64(len(b)) > p.max {
		return 0, apperr.New(apperr.Invalid, "文件超过大小上限（%d MB）。", p.max>>20)
	}
	n, err := p.f.Write(b)
	p.n += int64(n)
	return n, err
}

// Commit makes the blob durable and visible under hash (a 64-hex digest the
// caller vouches for) and returns its size.
func (p *Pending) Commit(hash string) (int64, error) {
	defer p.Abort()
	if !hashRE.MatchString(hash) {
		return 0, fmt.Errorf("blob: bad name %q", hash)
	}
	if err := p.f.Sync(); err != nil {
		return 0, fmt.Errorf("blob: sync: %w", err)
	}
	if err := p.f.Close(); err != nil {
		return 0, fmt.Errorf("blob: %w", err)
	}
	dst := p.s.path(hash)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return 0, fmt.Errorf("blob: %w", err)
	}
	if err := os.Rename(p.f.Name(), dst); err != nil {
		return 0, fmt.Errorf("blob: rename: %w", err)
	}
	return p.n, nil
}

// Abort discards an uncommitted blob (a no-op after Commit).
func (p *Pending) Abort() {
	_ = p.f.Close()
	_ = os.Remove(p.f.Name())
}
