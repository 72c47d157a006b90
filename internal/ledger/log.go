package ledger

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"

	"ggzy/internal/apperr"
	"ggzy/internal/clock"
)

// Tx is what the log needs from a database transaction.
type Tx interface {
	LedgerTree(ctx context.Context) (Frontier, error)
	LedgerNodes(ctx context.Context, ids []compact.NodeID) ([][]byte, error)
	LatestCheckpoint(ctx context.Context) (Checkpoint, bool, error)
	CheckpointAtLeast(ctx context.Context, n uint64) (Checkpoint, bool, error)
	SaveCheckpoint(ctx context.Context, c Checkpoint) error
	ListLedger(ctx context.Context, subject string, from int64, limit int) ([]Entry, error)
}

// Store runs transactions.
type Store interface {
	WithTx(ctx context.Context, fn func(Tx) error) error
	Read(ctx context.Context, fn func(Tx) error) error
}

// Log is the public face of the ledger: signed checkpoints, entries and
// proofs. Appends happen inside the business transactions (the store's
// AppendLedger); the log only reads the tree and signs.
type Log struct {
	store  Store
	signer note.Signer
	origin string
	clock  clock.Clock

	mu sync.Mutex // one signer at a time in this process
}

// NewLog returns a log that signs checkpoints of origin with signer.
func NewLog(s Store, signer note.Signer, origin string, c clock.Clock) *Log {
	return &Log{store: s, signer: signer, origin: origin, clock: c}
}

// Origin is the checkpoint origin line.
func (l *Log) Origin() string { return l.origin }

// Sign makes a checkpoint of the current tree if it has grown since the
// latest one, and returns the latest checkpoint.
func (l *Log) Sign(ctx context.Context) (Checkpoint, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Most calls (the ticker) find nothing new: decide on a read, so the
	// writer is taken only when there is a checkpoint to save.
	var cp Checkpoint
	var fresh bool
	err := l.store.Read(ctx, func(tx Tx) error {
		latest, ok, err := tx.LatestCheckpoint(ctx)
		if err != nil {
			return err
		}
		f, err := tx.LedgerTree(ctx)
		if err != nil {
			return err
		}
		cp, fresh = latest, ok && latest.Size >= f.Size
		return nil
	})
	if err != nil || fresh {
		return cp, err
	}
	err = l.store.WithTx(ctx, func(tx Tx) error {
		latest, ok, err := tx.LatestCheckpoint(ctx)
		if err != nil {
			return err
		}
		f, err := tx.LedgerTree(ctx)
		if err != nil {
			return err
		}
		if ok && latest.Size >= f.Size {
			cp = latest
			return nil
		}
		root, err := f.Root()
		if err != nil {
			return err
		}
		cp = Checkpoint{Origin: l.origin, Size: f.Size, Root: root, At: l.clock.Now().UTC().Truncate(time.Microsecond)}
		if cp.Note, err = note.Sign(&note.Note{Text: string(cp.Body())}, l.signer); err != nil {
			return fmt.Errorf("ledger: sign checkpoint: %w", err)
		}
		return tx.SaveCheckpoint(ctx, cp)
	})
	return cp, err
}

// CheckpointCovering returns a signed checkpoint that includes index (size >
// index), signing one at once if none does yet: a receipt carries its proof
// immediately.
func (l *Log) CheckpointCovering(ctx context.Context, index int64) (Checkpoint, error) {
	var cp Checkpoint
	var ok bool
	err := l.store.Read(ctx, func(tx Tx) error {
		var err error
		cp, ok, err = tx.CheckpointAtLeast(ctx, uint64(index)+1)
		return err
	})
	if err != nil || ok {
		return cp, err
	}
	if cp, err = l.Sign(ctx); err != nil {
		return cp, err
	}
	if cp.Size <= uint64(index) {
		return cp, apperr.NotFoundf("留痕记录")
	}
	return cp, nil
}

// Latest returns the latest checkpoint (signing the first one if needed).
func (l *Log) Latest(ctx context.Context) (Checkpoint, error) {
	var cp Checkpoint
	var ok bool
	err := l.store.Read(ctx, func(tx Tx) error {
		var err error
		cp, ok, err = tx.LatestCheckpoint(ctx)
		return err
	})
	if err != nil || ok {
		return cp, err
	}
	return l.Sign(ctx)
}

// Run signs a checkpoint every interval while the tree grows, until ctx ends:
// a new entry is covered by a signed checkpoint within a few seconds.
func (l *Log) Run(ctx context.Context, interval time.Duration, logf func(string, ...any)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := l.Sign(ctx); err != nil && ctx.Err() == nil && logf != nil {
			logf("ledger: checkpoint: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Inclusion returns the inclusion proof of index in the tree of size.
func (l *Log) Inclusion(ctx context.Context, index, size uint64) ([][]byte, error) {
	var p [][]byte
	err := l.store.Read(ctx, func(tx Tx) error {
		if err := checkSize(ctx, tx, size); err != nil {
			return err
		}
		if index >= size {
			return apperr.New(apperr.Invalid, "序号 %d 不在规模为 %d 的留痕树内。", index, size)
		}
		var err error
		p, err = InclusionProof(index, size, func(ids []compact.NodeID) ([][]byte, error) { return tx.LedgerNodes(ctx, ids) })
		return err
	})
	return p, err
}

// Consistency returns the consistency proof between two tree sizes.
func (l *Log) Consistency(ctx context.Context, size1, size2 uint64) ([][]byte, error) {
	var p [][]byte
	err := l.store.Read(ctx, func(tx Tx) error {
		if err := checkSize(ctx, tx, size2); err != nil {
			return err
		}
		if size1 > size2 {
			return apperr.New(apperr.Invalid, "一致性证明要求前一规模不大于后一规模。")
		}
		var err error
		p, err = ConsistencyProof(size1, size2, func(ids []compact.NodeID) ([][]byte, error) { return tx.LedgerNodes(ctx, ids) })
		return err
	})
	return p, err
}

// Entries returns entries [from, to) in order, at most max.
func (l *Log) Entries(ctx context.Context, from, to uint64, max int) ([]Entry, error) {
	if to <= from {
		return nil, nil
	}
	if n := to - from; n < uint64(max) {
		max = int(n)
	}
	var es []Entry
	err := l.store.Read(ctx, func(tx Tx) error {
		var err error
		es, err = tx.ListLedger(ctx, "", int64(from), max)
		return err
	})
	return es, err
}

func checkSize(ctx context.Context, tx Tx, size uint64) error {
	f, err := tx.LedgerTree(ctx)
	if err != nil {
		return err
	}
	if size == 0 || size > f.Size {
		return apperr.New(apperr.Invalid, "留痕树规模应为 1 至 %d。", f.Size)
	}
	return nil
}
