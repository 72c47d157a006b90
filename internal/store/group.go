package store

import (
	"context"
	"fmt"
	"sync"
)

// Group commit (SQLite).
//
// SQLite has one writer, so write transactions run one after another anyway,
// and each pays its own BEGIN and COMMIT — most of the cost of a small use
// case. The committer runs the use cases that are waiting at the same moment
// one after another inside one database transaction and commits once; nobody
// is answered before that commit. If any of them fails, the whole group is
// rolled back and each member runs again in a transaction of its own, so a
// refused use case never takes another's writes with it and nothing happens
// twice. Each use case stays atomic, isolated (serial, as before) and durable
// before it is acknowledged; only BEGIN and COMMIT are shared. A lone use case
// runs as a plain transaction. See docs/adr/0005-group-commit.md.

// maxGroup bounds a group, so one commit never waits on too much work.
const maxGroup = 64

type groupReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan groupRes
}

type groupRes struct {
	err   error
	panic any
}

type committer struct {
	db        *DB
	reqs      chan groupReq
	quit      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	stopped   chan struct{} // closed when loop has returned
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, reqs: make(chan groupReq, maxGroup), quit: make(chan struct{}), stopped: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c
}

// do runs fn in the next group and returns its result once the group committed.
func (c *committer) do(ctx context.Context, fn func(*Tx) error) error {
	r := groupReq{ctx: ctx, fn: fn, done: make(chan groupRes, 1)}
	select {
	case c.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.quit:
		return fmt.Errorf("store: closed")
	}
	var res groupRes
	select {
	case res = <-r.done:
	case <-c.stopped:
		// Closed: the request was answered before the loop ended, or never taken.
		select {
		case res = <-r.done:
		default:
			return fmt.Errorf("store: closed")
		}
	}
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

// close stops the committer after the group in progress; it may be called twice.
func (c *committer) close() {
	c.closeOnce.Do(func() { close(c.quit) })
	c.wg.Wait()
}

func (c *committer) loop() {
	defer c.wg.Done()
	defer close(c.stopped)
	for {
		var first groupReq
		select {
		case first = <-c.reqs:
		case <-c.quit:
			// Answer whatever is still queued.
			for {
				select {
				case r := <-c.reqs:
					r.done <- groupRes{err: fmt.Errorf("store: closed")}
				default:
					return
				}
			}
		}
		batch := []groupReq{first}
	drain:
		for len(batch) < maxGroup {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		c.run(batch)
	}
}

// call runs one use case, turning a panic into a result for its caller.
func call(fn func(*Tx) error, tx *Tx) (res groupRes) {
	defer func() {
		if p := recover(); p != nil {
			res = groupRes{panic: p, err: fmt.Errorf("store: panic in transaction: %v", p)}
		}
	}()
	return groupRes{err: fn(tx)}
}

func (c *committer) run(batch []groupReq) {
	if len(batch) == 1 {
		batch[0].done <- c.runOne(batch[0])
		return
	}
	db := c.db
	ctx := context.Background() // the group's; each use case runs with its own context
	db.prepare(ctx, db.writer)
	stx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range batch {
			r.done <- groupRes{err: fmt.Errorf("store: begin: %w", err)}
		}
		return
	}
	tx := &Tx{db: db, tx: stx, pg: db.dialect == Postgres, pool: db.writer}
	results := make([]groupRes, len(batch))
	for i, r := range batch {
		if err := r.ctx.Err(); err == nil {
			results[i] = call(r.fn, tx)
		} else {
			results[i].err = err
		}
		if results[i].err != nil || results[i].panic != nil {
			// A refused use case may have written before it failed: give up
			// the group and run each member in a transaction of its own. Nothing
			// of the group was committed, so nothing happens twice.
			_ = stx.Rollback()
			for _, r := range batch {
				r.done <- c.runOne(r)
			}
			return
		}
	}
	if err := stx.Commit(); err != nil {
		for _, r := range batch {
			r.done <- groupRes{err: fmt.Errorf("store: commit: %w", err)}
		}
		return
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

// runOne runs one use case in a transaction of its own.
func (c *committer) runOne(r groupReq) groupRes {
	if err := r.ctx.Err(); err != nil {
		return groupRes{err: err}
	}
	db := c.db
	db.prepare(r.ctx, db.writer)
	stx, err := db.writer.BeginTx(r.ctx, nil)
	if err != nil {
		return groupRes{err: fmt.Errorf("store: begin: %w", err)}
	}
	res := call(r.fn, &Tx{db: db, tx: stx, pg: db.dialect == Postgres, pool: db.writer})
	if res.err != nil || res.panic != nil {
		_ = stx.Rollback()
		return res
	}
	if err := stx.Commit(); err != nil {
		return groupRes{err: fmt.Errorf("store: commit: %w", err)}
	}
	return res
}
