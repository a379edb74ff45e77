package history

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// maxBatch bounds a group commit: big enough that a stream of dispatches
// shares few commits (a commit rewrites every index page the batch
// touched, so its cost per row falls as the batch grows), small enough
// that the first caller in a batch is not kept waiting long for the last.
const maxBatch = 256

// lingerFor is how long a batch stays open after its first write for
// others to join it, unless a caller starts waiting for a write in it
// (see Pending.Wait) or it fills up: dispatchers that Submit and go on
// dispatching are committed hundreds of rows at a time, while a caller
// that waits is never kept waiting by the linger.
const lingerFor = 10 * time.Millisecond

// queueLen bounds the writes handed over and not yet committed: callers
// hand over writes while the writer commits, and wait when it is this
// far behind, which keeps a fast producer from outrunning the disk.
const queueLen = 4 * maxBatch

// writeReq is one write handed to the writer: an attempt or a turn,
// already encoded by the caller's goroutine so the writer only runs SQL.
type writeReq struct {
	ctx     context.Context
	attempt *attemptRow         // an attempt; its recorded_at is the writer's to fill
	turn    []driver.NamedValue // or a turn
}

type writeResult struct {
	id  int64
	err error
}

// batch is the writes committed in one transaction. Callers append to the
// open batch under writer.mu; once the writer has taken it, only the
// writer touches it, until it closes done, after which results is read
// by the callers. One channel per batch, not per write, is what a caller
// waits on.
type batch struct {
	reqs    []writeReq
	opened  time.Time   // when the first write joined
	waited  atomic.Bool // a caller waits for a write in it
	results []writeResult
	done    chan struct{}
}

// attemptRow is an attempt encoded for the insert. Rows are recycled
// through writer.rows once inserted, so that a steady stream of attempts
// allocates neither argument lists nor detail buffers.
type attemptRow struct {
	args   [numAttemptColumns]driver.NamedValue
	detail []byte // args' detail value; its buffer is reused
}

// maxPooledDetail keeps an attempt with huge bodies from pinning its
// buffer in the pool for good.
const maxPooledDetail = 64 << 10

// writer is the one goroutine that writes. It owns the write connection
// and commits each batch of writes in one transaction (group commit),
// answering its callers only after that transaction committed.
//
// It works on the driver's connection (sql.Conn.Raw) with the driver's
// own prepared statements: database/sql's per-statement work (converting
// and checking every argument, locking, a Tx and a Stmt per batch) cost
// more than SQLite's insert itself.
type writer struct {
	db   *sql.DB
	conn *sql.Conn // the write connection, held for the writer's life
	now  func() time.Time
	// Prepared on conn's driver connection and used only inside conn.Raw.
	insAttempt, insAttempts, insTurn, insStamp, lastStamp *sqlite3.SQLiteStmt
	runArgs                                               []driver.NamedValue // insAttempts' arguments, reused
	rows                                                  sync.Pool           // of *attemptRow

	mu       sync.Mutex
	open     *batch        // the batch writes join; nil when none is open
	full     []*batch      // batches closed to writes, oldest first, not yet taken
	queued   int           // writes handed over and not yet committed
	room     chan struct{} // closed when queued falls; nil when nobody waits for room
	stopping bool

	wake    chan struct{} // a batch was opened or filled, a caller waits, or stop
	done    chan struct{} // closed when run returns
	batches atomic.Int64  // transactions committed or tried; tests read it
}

func newWriter(ctx context.Context, db *sql.DB, path string, now func() time.Time) (*writer, error) {
	w := &writer{db: db, now: now, wake: make(chan struct{}, 1), done: make(chan struct{})}
	w.rows.New = func() any { return new(attemptRow) }
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, wrapErr(path, "open for writing", err)
	}
	w.conn = conn
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		for _, p := range []struct {
			stmt **sqlite3.SQLiteStmt
			sql  string
		}{
			{&w.insAttempt, insertAttemptSQL},
			{&w.insTurn, insertTurnSQL},
			{&w.insStamp, insertStampSQL},
			{&w.lastStamp, "SELECT max(recorded_at) FROM stamps"},
		} {
			st, err := c.Prepare(p.sql)
			if err != nil {
				return err
			}
			*p.stmt = st.(*sqlite3.SQLiteStmt)
		}
		return nil
	})
	if err != nil {
		_ = w.closeConn()
		return nil, wrapErr(path, "prepare", err)
	}
	go w.run()
	return w, nil
}

// stop lets the writer commit everything handed over, then closes the
// write connection. The caller guarantees nobody hands over any more.
func (w *writer) stop() error {
	w.mu.Lock()
	w.stopping = true
	w.mu.Unlock()
	w.signal()
	<-w.done
	return errors.Join(w.closeConn(), w.db.Close())
}

// closeConn finalizes the statements and hands the connection back to
// the pool, which db.Close then closes.
func (w *writer) closeConn() error {
	err := w.conn.Raw(func(any) error {
		var errs []error
		for _, st := range []*sqlite3.SQLiteStmt{w.insAttempt, w.insTurn, w.insStamp, w.lastStamp} {
			if st != nil {
				errs = append(errs, st.Close())
			}
		}
		return errors.Join(errs...)
	})
	return errors.Join(err, w.conn.Close())
}

// signal wakes the writer if it sleeps; a wake-up already pending will do.
func (w *writer) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// newRow returns an attemptRow to encode into, from the pool.
func (w *writer) newRow() *attemptRow { return w.rows.Get().(*attemptRow) }

// release returns an inserted (or abandoned) row to the pool. SQLite
// copied every value it was bound, so nothing refers to the row any more.
func (w *writer) release(row *attemptRow) {
	if cap(row.detail) > maxPooledDetail {
		return
	}
	clear(row.args[:]) // let the attempt's strings be collected
	row.detail = row.detail[:0]
	w.rows.Put(row)
}

// add hands r to the writer: it joins the open batch, which it opens if
// need be. It waits while queueLen writes are uncommitted, unless ctx ends
// first.
func (w *writer) add(ctx context.Context, r writeReq) (*batch, int, error) {
	w.mu.Lock()
	for w.queued >= queueLen {
		if w.room == nil {
			w.room = make(chan struct{})
		}
		room := w.room
		w.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		}
		w.mu.Lock()
	}
	b := w.open
	if b == nil {
		b = &batch{reqs: make([]writeReq, 0, 16), opened: time.Now(), done: make(chan struct{})}
		w.open = b
	}
	i := len(b.reqs)
	b.reqs = append(b.reqs, r)
	w.queued++
	full := len(b.reqs) >= maxBatch
	if full {
		w.full = append(w.full, b)
		w.open = nil
	}
	w.mu.Unlock()
	if i == 0 || full {
		w.signal()
	}
	return b, i, nil
}

func (w *writer) run() {
	defer close(w.done)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for {
		b, stopping := w.next()
		if b == nil {
			if stopping {
				return
			}
			<-w.wake
			continue
		}
		// Wait a moment for more (see lingerFor). The writer waits on a
		// timer, so that the writes joining meanwhile do not wake it
		// (and perhaps an idle thread with it) once each.
		if b == w.peekOpen() && !stopping && !b.waited.Load() {
			if wait := time.Until(b.opened.Add(lingerFor)); wait > 0 {
				linger.Reset(wait)
				select {
				case <-linger.C:
				case <-w.wake: // filled, waited on, or stop: look again
					linger.Stop()
					continue
				}
			}
		}
		w.take(b)
		w.commit(b)
	}
}

// next returns the batch to commit next (nil if none) and whether the
// writer is to stop once none is left.
func (w *writer) next() (*batch, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.full) > 0 {
		return w.full[0], w.stopping
	}
	return w.open, w.stopping
}

func (w *writer) peekOpen() *batch {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.open
}

// take closes b to further writes.
func (w *writer) take(b *batch) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.open == b {
		w.open = nil
	} else {
		w.full = w.full[1:]
	}
}

// commit writes a batch in one transaction and answers its callers. A
// statement that breaks a constraint (a turn naming a missing attempt)
// fails its own caller only: SQLite undoes that statement and the
// transaction goes on. Any other failure rolls the whole transaction
// back and fails every caller in it, so a caller never hears "stored"
// for a row that is not.
func (w *writer) commit(b *batch) {
	results := make([]writeResult, len(b.reqs))
	pending := 0
	for i, r := range b.reqs {
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
		err = w.conn.Raw(func(dc any) error {
			c := dc.(*sqlite3.SQLiteConn)
			return rawTx(c, func() error { return w.insert(b.reqs, results) })
		})
	}
	for i, r := range b.reqs {
		if r.attempt != nil {
			w.release(r.attempt)
		}
		if results[i].err == nil && err != nil {
			results[i] = writeResult{err: err}
		}
	}
	b.results = results
	n := len(b.reqs)
	b.reqs = nil // let the callers' contexts and turns be collected
	close(b.done)

	w.mu.Lock()
	w.queued -= n
	if w.room != nil {
		close(w.room)
		w.room = nil
	}
	w.mu.Unlock()
}

// rawTx runs fn in a transaction on c and rolls it back unless fn and the
// commit both succeed (a panic in fn included). It begins IMMEDIATE, for
// inTx's reason.
func rawTx(c *sqlite3.SQLiteConn, fn func() error) error {
	if _, err := c.Exec("BEGIN IMMEDIATE", nil); err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			_, _ = c.Exec("ROLLBACK", nil) // the error that brought us here is the one to report
		}
	}()
	if err := fn(); err != nil {
		return err
	}
	// A failed COMMIT may leave the transaction open; the deferred
	// ROLLBACK closes it (and is harmless if SQLite already did).
	if _, err := c.Exec("COMMIT", nil); err != nil {
		return err
	}
	done = true
	return nil
}

func (w *writer) insert(reqs []writeReq, results []writeResult) error {
	n, err := w.stamp()
	if err != nil {
		return err
	}
	var (
		stamp   any   = n                    // boxed once for the whole batch
		ctx           = context.Background() // no watcher goroutine per statement
		firstID int64                        // the batch's first attempt, for stamps
	)
	for i, r := range reqs {
		if results[i].err != nil {
			continue
		}
		// Checked again here because waiting for another process's lock
		// can outlast the caller's patience.
		if err := r.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		var res driver.Result
		if r.attempt != nil {
			r.attempt.args[0].Value = stamp
			res, err = w.insAttempt.ExecContext(ctx, r.attempt.args[:])
		} else {
			res, err = w.insTurn.ExecContext(ctx, r.turn)
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
		if r.attempt != nil && firstID == 0 {
			firstID = results[i].id
		}
	}
	if firstID != 0 {
		_, err = w.insStamp.ExecContext(ctx, namedValues(stamp, firstID))
	}
	return err
}

// stamp is the batch's recorded_at: the wall clock, but never earlier
// than the newest row's, read under the write lock. That keeps recorded_at
// non-decreasing with id across processes and clock steps, which is what
// lets Filter.Since become an id bound.
func (w *writer) stamp() (int64, error) {
	rows, err := w.lastStamp.QueryContext(context.Background(), nil)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	now := w.now().UnixNano()
	last := []driver.Value{nil}
	if err := rows.Next(last); err != nil {
		return 0, err
	}
	if l, ok := last[0].(int64); ok && l > now { // NULL while there is no attempt
		return l, nil
	}
	return now, nil
}

// submit hands p's write to the writer and waits for its answer or for
// ctx. If ctx ends first, the write is not made unless the writer had
// already begun it; the caller is told ctx's error either way.
func (s *Store) submit(ctx context.Context, op string, r writeReq) (int64, error) {
	return s.enqueue(ctx, op, r).Wait(ctx)
}

// Pending is a write handed to the writer and not yet known to be
// committed. Wait for it before telling anyone the attempt is stored.
type Pending struct {
	s   *Store
	op  string
	b   *batch // the write's batch
	i   int    // the write's index in it
	err error  // set when the write never reached the writer, or failed
}

// enqueue hands r to the writer without waiting for the commit; it blocks
// only while the writer is queueLen writes behind.
func (s *Store) enqueue(ctx context.Context, op string, r writeReq) *Pending {
	p := &Pending{s: s, op: op}
	r.ctx = ctx
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		p.err = s.closedErr(op)
		return p
	}
	b, i, err := s.w.add(ctx, r)
	if err != nil {
		p.err = wrapErr(s.path, op, err)
	}
	p.b, p.i = b, i
	return p
}

// Wait returns the id once the write has committed, or why it failed.
// It may be called more than once.
func (p *Pending) Wait(ctx context.Context) (int64, error) {
	if p.err != nil {
		return 0, p.err
	}
	select {
	case <-p.b.done:
	default:
		// Not committed yet: the writer need not wait for more writes
		// to join this one's batch, since its caller is waiting now.
		if !p.b.waited.Swap(true) {
			p.s.w.signal()
		}
		select {
		case <-p.b.done:
		case <-ctx.Done():
			return 0, wrapErr(p.s.path, p.op, ctx.Err())
		}
	}
	res := p.b.results[p.i]
	if res.err != nil {
		p.err = wrapErr(p.s.path, p.op, res.err)
		return 0, p.err
	}
	return res.id, nil
}
