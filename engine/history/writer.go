package history

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// maxBatch bounds a group commit: big enough that a burst of dispatches
// shares one commit (100 rows per transaction give ~2x the rows/s of one
// row per transaction), small enough that the first caller in a batch is
// not kept waiting long for the last.
const maxBatch = 256

// lingerFor is how long the writer waits after a batch's first write for
// others to join it. Under a steady stream it turns one commit per row
// (~40 µs each, mostly WAL writes) into one per dozens of rows; a lone
// write pays it once, which no one notices at a command line.
const lingerFor = 2 * time.Millisecond

// queueLen lets callers hand over writes while the writer commits.
const queueLen = 2 * maxBatch

// writeReq is one write handed to the writer: an attempt or a turn,
// already encoded by the caller's goroutine so the writer only runs SQL.
type writeReq struct {
	ctx     context.Context
	attempt []any // insert arguments; attempt[0], recorded_at, is the writer's to fill
	turn    []any
	done    chan writeResult // buffered: the writer never waits on a caller
}

type writeResult struct {
	id  int64
	err error
}

// writer is the one goroutine that writes. It owns the write connection
// and commits whatever is waiting in the queue in one transaction (group
// commit), answering each caller only after that transaction committed.
type writer struct {
	db         *sql.DB
	now        func() time.Time
	insAttempt *sql.Stmt
	insTurn    *sql.Stmt
	maxStamp   *sql.Stmt
	reqs       chan *writeReq
	done       chan struct{}
	batches    atomic.Int64 // transactions committed or tried; tests read it
}

func newWriter(ctx context.Context, db *sql.DB, path string, now func() time.Time) (*writer, error) {
	w := &writer{db: db, now: now, reqs: make(chan *writeReq, queueLen), done: make(chan struct{})}
	// Prepared on the single-connection pool (not on a Conn), so each
	// transaction's tx.Stmt finds them already prepared on that connection.
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&w.insAttempt, insertAttemptSQL},
		{&w.insTurn, insertTurnSQL},
		{&w.maxStamp, "SELECT max(recorded_at) FROM attempts"},
	} {
		st, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			w.closeStmts()
			return nil, wrapErr(path, "prepare", err)
		}
		*p.stmt = st
	}
	go w.run()
	return w, nil
}

// stop lets the writer commit everything queued, then closes the write
// connection. The caller guarantees nobody sends any more.
func (w *writer) stop() error {
	close(w.reqs)
	<-w.done
	w.closeStmts()
	return w.db.Close()
}

func (w *writer) closeStmts() {
	for _, st := range []*sql.Stmt{w.insAttempt, w.insTurn, w.maxStamp} {
		if st != nil {
			_ = st.Close()
		}
	}
}

func (w *writer) run() {
	defer close(w.done)
	batch := make([]*writeReq, 0, maxBatch)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for r := range w.reqs {
		batch = append(batch[:0], r)
		// Wait a moment for more: a commit costs far more than a row, so a
		// steady stream of dispatches is best committed dozens at a time.
		linger.Reset(lingerFor)
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			case <-linger.C:
				break fill
			}
		}
		linger.Stop()
		w.commit(batch)
		clear(batch) // let answered requests' bodies be collected
	}
}

// commit writes a batch in one transaction. A statement that breaks a
// constraint (a turn naming a missing attempt) fails its own caller only:
// SQLite undoes that statement and the transaction goes on. Any other
// failure rolls the whole transaction back and fails every caller in it,
// so a caller never hears "stored" for a row that is not.
func (w *writer) commit(batch []*writeReq) {
	results := make([]writeResult, len(batch))
	pending := 0
	for i, r := range batch {
		// A caller that gave up is not written: it was told it failed.
		if err := r.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		pending++
	}
	var err error
	if pending > 0 {
		w.batches.Add(1)
		// The batch serves many callers, so no single caller's context
		// may cancel it; the busy timeout bounds the wait for the lock.
		ctx := context.Background()
		err = inTx(ctx, w.db, func(tx *sql.Tx) error {
			return w.insert(ctx, tx, batch, results)
		})
	}
	for i, r := range batch {
		if results[i].err == nil && err != nil {
			results[i] = writeResult{err: err}
		}
		r.done <- results[i]
	}
}

func (w *writer) insert(ctx context.Context, tx *sql.Tx, batch []*writeReq, results []writeResult) error {
	stamp, err := w.stamp(ctx, tx)
	if err != nil {
		return err
	}
	var insAttempt, insTurn *sql.Stmt
	for i, r := range batch {
		if results[i].err != nil {
			continue
		}
		// Checked again here because waiting for another process's lock
		// can outlast the caller's patience.
		if err := r.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		var res sql.Result
		if r.attempt != nil {
			if insAttempt == nil {
				insAttempt = tx.StmtContext(ctx, w.insAttempt)
			}
			r.attempt[0] = stamp
			res, err = insAttempt.ExecContext(ctx, r.attempt...)
		} else {
			if insTurn == nil {
				insTurn = tx.StmtContext(ctx, w.insTurn)
			}
			res, err = insTurn.ExecContext(ctx, r.turn...)
		}
		if err == nil {
			results[i].id, err = res.LastInsertId()
		}
		if err != nil {
			if isConstraint(err) {
				results[i].err = err
				continue
			}
			return err
		}
	}
	return nil
}

// stamp is the batch's recorded_at: the wall clock, but never earlier
// than the newest row's, read under the write lock. That keeps recorded_at
// non-decreasing with id across processes and clock steps, which is what
// lets Filter.Since become an id bound.
func (w *writer) stamp(ctx context.Context, tx *sql.Tx) (int64, error) {
	var last sql.NullInt64
	if err := tx.StmtContext(ctx, w.maxStamp).QueryRowContext(ctx).Scan(&last); err != nil {
		return 0, err
	}
	now := w.now().UnixNano()
	if last.Valid && last.Int64 > now {
		return last.Int64, nil
	}
	return now, nil
}

// submit hands r to the writer and waits for its answer or for ctx.
// If ctx ends first, the write is not made unless the writer had already
// begun it; the caller is told ctx's error either way.
func (s *Store) submit(ctx context.Context, op string, r *writeReq) (int64, error) {
	return s.enqueue(ctx, op, r).Wait(ctx)
}

// Pending is a write handed to the writer and not yet known to be
// committed. Wait for it before telling anyone the attempt is stored.
type Pending struct {
	s   *Store
	op  string
	r   *writeReq
	err error // set when the write never reached the writer
}

// enqueue hands r to the writer without waiting for the commit; it blocks
// only while the writer's queue is full, which is what keeps a fast
// producer from outrunning the disk.
func (s *Store) enqueue(ctx context.Context, op string, r *writeReq) *Pending {
	p := &Pending{s: s, op: op, r: r}
	r.ctx = ctx
	r.done = make(chan writeResult, 1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		p.err = s.closedErr(op)
		return p
	}
	select {
	case s.w.reqs <- r:
	case <-ctx.Done():
		p.err = wrapErr(s.path, op, ctx.Err())
	}
	return p
}

// Wait returns the id once the write has committed, or why it failed.
// It may be called more than once.
func (p *Pending) Wait(ctx context.Context) (int64, error) {
	if p.err != nil {
		return 0, p.err
	}
	select {
	case res := <-p.r.done:
		if res.err != nil {
			p.err = wrapErr(p.s.path, p.op, res.err)
			return 0, p.err
		}
		p.r.done <- res // keep the answer for a second Wait
		return res.id, nil
	case <-ctx.Done():
		return 0, wrapErr(p.s.path, p.op, ctx.Err())
	}
}
