// Package ids makes sortable text identifiers in Go (time prefix + randomness),
// so rows sort by creation and IDs are independent of the database.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"sync"
	"time"
)

// ID is an opaque sortable identifier.
type ID = string

var enc = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// Generator makes IDs that are strictly increasing within a process.
type Generator struct {
	mu   sync.Mutex
	last uint64
}

// New returns a new ID: 48-bit millisecond time, 16-bit sequence, 64 random bits.
func (g *Generator) New(now time.Time) ID {
	g.mu.Lock()
	ms := uint64(now.UnixMilli()) << 16
	if ms <= g.last {
		ms = g.last + 1
	}
	g.last = ms
	g.mu.Unlock()
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], ms)
	_, _ = rand.Read(b[8:])
	return enc.EncodeToString(b[:])
}

// Token returns n random bytes as text, for secrets (session tokens, salts).
func Token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return enc.EncodeToString(b)
}
