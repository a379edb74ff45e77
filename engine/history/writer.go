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

	"github.com/actionbench/actionbench/engine"
)

// maxBatch bounds a group commit: big enough that a stream of dispatches
// shares few commits (a commit rewrites every index page the batch
// touched, so its cost per row falls as the batch grows), small enough
// that the first caller in a batch is not kept waiting long for the last.
// A batch's rows are inserted as they join (see commit), so its size
// costs no memory.
const maxBatch = 1024

// lingerFor is how long a batch stays open after its first write for
// others to join it, unless a caller starts waiting for a write in it
// (see Pending.Wait) or it fills up: dispatchers that Submit and go on
// dispatching are committed hundreds of rows at a time, while a caller
// that waits is never kept waiting by the linger.
const lingerFor = 25 * time.Millisecond

// streamEvery is how many writes join a batch between the wake-ups that
// have the writer insert them into the batch's open transaction: often
// enough that few encoded rows wait in memory, seldom enough that waking
// the writer costs the callers little.
const streamEvery = 32

// queueLen bounds the writes handed over and not yet committed: callers
// hand over writes while the writer commits, and wait when it is this
// far behind, which keeps a fast producer from outrunning the disk.
const queueLen = 4 * maxBatch

// writeReq is one write handed to the writer: an attempt or a turn.
//
// An attempt is handed over as a snapshot (see snapshot) and redacted and
// encoded by the writer, just before its insert: in the writer's
// goroutine, not on the dispatching goroutine, whose every
// microsecond is a call's latency. A turn is encoded by its caller; it is
// a few short values.
type writeReq struct {
	ctx     context.Context
	attempt *engine.Attempt     // an attempt, the writer's alone
	runID   int64               // the attempt's run, if any
	turn    []driver.NamedValue // or a turn
	from    *Pending            // the turn's attempt, when its id was not known (SubmitTurn)
}

type writeResult struct {
	id  int64
	err error
}

// batch is the writes committed in one transaction. Callers append to
// reqs and joined under writer.mu while the batch is open, and the writer
// takes reqs, under writer.mu too, as it inserts them (see commit);
// results is the writer's alone until it closes done, after which the
// callers read it. One channel per batch, not per write, is what a caller
// waits on.
type batch struct {
	reqs    []writeReq  // writes joined and not yet taken by the writer
	joined  int         // writes joined in all
	opened  time.Time   // when the first write joined
	waited  atomic.Bool // a caller waits for a write in it
	results []writeResult
	done    chan struct{}
}

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
	insAttempt, insTurn, insStamp, lastStamp *sqlite3.SQLiteStmt
	redactor                                 *redactor
	row                                      attemptRow // the attempt being inserted
	bindBuf                                  [numAttemptColumns]driver.NamedValue

	mu       sync.Mutex
	open     *batch        // the batch writes join; nil when none is open
	full     []*batch      // batches closed to writes, oldest first, not yet taken
	queued   int           // writes handed over and not yet committed
	room     chan struct{} // closed when queued falls; nil when nobody waits for room
	stopping bool

	// The WAL checkpointer (see checkpoints).
	ckdb     *sql.DB       // its own connection
	ckKick   chan struct{} // the WAL has grown by about ckptEvery; closed at stop
	ckDone   chan struct{} // closed when checkpoints returns
	walBytes int           // about what the writer has added to the WAL since the last kick
	catchUp  atomic.Bool   // a checkpoint finished: the writer is to copy what it left

	unindexed int64           // attempts committed and not yet in the text index (textindex.go)
	indexReq  chan chan error // a search asks for the index to be brought up to date

	wake    chan struct{} // a batch was opened or filled, a caller waits, or stop
	done    chan struct{} // closed when run returns
	batches atomic.Int64  // transactions committed or tried; tests read it

	// Back-pressure: writes that found the queue full, and their waits.
	held, heldNanos atomic.Int64
}

func newWriter(ctx context.Context, db *sql.DB, path string, now func() time.Time, ckdb *sql.DB, red *redactor) (*writer, error) {
	w := &writer{db: db, now: now, redactor: red, wake: make(chan struct{}, 1), done: make(chan struct{}), indexReq: make(chan chan error),
		ckdb: ckdb, ckKick: make(chan struct{}, 1), ckDone: make(chan struct{})}
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
		// Checkpoints run on ckdb's connection (see checkpoints), not in
		// the writer's COMMITs.
		if _, err := c.Exec("PRAGMA wal_autocheckpoint = 0", nil); err != nil {
			return err
		}
		// A batch dirties a page of the conversation index per
		// conversation in it; SQLite's default cache (2 MiB, 128 of our
		// pages) overflows and spills dirty pages to the WAL before the
		// COMMIT, writing some twice. 16 MiB, taken only as pages are used,
		// cut the bytes written per attempt by 30 % (SubmitStream).
		if _, err := c.Exec("PRAGMA cache_size = -16384", nil); err != nil {
			return err
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
	// What a process that stopped short left unindexed.
	var upto, newest sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT (SELECT upto FROM attempts_text_upto), (SELECT max(id) FROM attempts)").Scan(&upto, &newest); err != nil {
		_ = w.closeConn()
		return nil, wrapErr(path, "read the text index's progress", err)
	}
	w.unindexed = max(newest.Int64-upto.Int64, 0)
	go w.run()
	go w.checkpoints()
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
	close(w.ckKick)
	<-w.ckDone
	return errors.Join(w.ckdb.Close(), w.closeConn(), w.db.Close())
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

// encode redacts and encodes a into the writer's row, for one insert.
func (w *writer) encode(a *engine.Attempt, runID int64) *attemptRow {
	w.redactor.encodeAttempt(&w.row, a)
	if runID != 0 {
		w.row.args[runIDArg].Value = runID
	}
	return &w.row
}

// release clears the row once inserted: SQLite copied every value it was
// bound, and the attempt's strings are to be collected.
func (w *writer) release(row *attemptRow) { clear(row.args[:]) }

// nonNull is row's arguments but the NULLs, for the writer only. Each
// bound value is a cgo call, and the driver clears every parameter to NULL
// before binding (sqlite3_clear_bindings), so a NULL need not be bound: a
// typical attempt has 5 to 10 of its 32 columns NULL.
func (w *writer) nonNull(row *attemptRow) []driver.NamedValue {
	args := w.bindBuf[:0]
	for _, a := range row.args {
		if a.Value != nil {
			args = append(args, a)
		}
	}
	return args
}

// add hands r to the writer: it joins the open batch, which it opens if
// need be. It waits while queueLen writes are uncommitted, unless ctx ends
// first.
func (w *writer) add(ctx context.Context, r writeReq) (*batch, int, error) {
	w.mu.Lock()
	if w.queued >= queueLen {
		since := time.Now()
		defer func() {
			w.held.Add(1)
			w.heldNanos.Add(int64(time.Since(since)))
		}()
	}
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
	i := b.joined
	b.joined++
	b.reqs = append(b.reqs, r)
	w.queued++
	full := b.joined >= maxBatch
	if full {
		w.full = append(w.full, b)
		w.open = nil
	}
	w.mu.Unlock()
	if i%streamEvery == 0 || full {
		w.signal()
	}
	return b, i, nil
}

func (w *writer) run() {
	defer close(w.done)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	idle := time.NewTimer(time.Hour)
	idle.Stop()
	var spare []writeReq
	for {
		b, stopping := w.next()
		if b == nil {
			if stopping {
				// An error is left be: the next process indexes what is left.
				_ = w.indexSome()
				return
			}
			var idleC <-chan time.Time
			if w.unindexed > 0 {
				idle.Reset(indexIdle)
				idleC = idle.C
			}
			select {
			case <-w.wake:
			case <-idleC:
				_, _ = w.index(indexEvery) // or at the next idle moment
			case reply := <-w.indexReq:
				reply <- w.indexAll()
			}
			idle.Stop()
			continue
		}
		spare = w.commit(b, linger, spare)
		if w.unindexed >= indexBacklog {
			_, _ = w.index(indexEvery)
		}
		select {
		case reply := <-w.indexReq:
			reply <- w.indexAll()
		default:
		}
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

// takeReqs hands the writer b's writes that joined since it last looked,
// leaving spare (emptied) to take the next ones. It also tells whether b
// is closed to further writes, and whether the writer is to stop.
func (w *writer) takeReqs(b *batch, spare []writeReq) (reqs []writeReq, closed, stopping bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	reqs = b.reqs
	b.reqs = spare[:0]
	return reqs, w.open != b, w.stopping
}

// closeBatch closes b to further writes; later writes open another batch.
func (w *writer) closeBatch(b *batch) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.open == b {
		w.open = nil
		w.full = append(w.full, b) // full was empty: b was the open batch
	}
}

// commit writes a batch in one transaction and answers its callers.
//
// The writes are streamed: the transaction begins with the batch's first
// write, and each write is inserted as soon as the writer sees it, so a
// write's row (and its buffers) goes back to the pool at once instead of
// waiting the linger out in memory. The transaction commits on the same
// triggers as the batch closes: when it is full, when a caller waits for
// a write in it, after lingerFor, or at stop. Callers hear of their write
// only after the COMMIT.
//
// A statement that breaks a constraint (a turn naming a missing attempt)
// fails its own caller only: SQLite undoes that statement and the
// transaction goes on. Any other failure rolls the whole transaction
// back and fails every caller in it, so a caller never hears "stored"
// for a row that is not.
func (w *writer) commit(b *batch, linger *time.Timer, spare []writeReq) []writeReq {
	var (
		inTx    bool
		txErr   error
		stamp   any                    // the batch's recorded_at, boxed once
		firstID int64                  // the batch's first attempt, for stamps
		bytes   int                    // about what the batch adds to the WAL
		ctx     = context.Background() // no watcher goroutine per statement
	)
	defer func() {
		if inTx { // a panic: leave no transaction open behind
			_ = w.conn.Raw(func(dc any) error {
				_, _ = dc.(*sqlite3.SQLiteConn).Exec("ROLLBACK", nil)
				return nil
			})
		}
	}()
	for {
		reqs, closed, stopping := w.takeReqs(b, spare)
		if len(reqs) > 0 {
			_ = w.conn.Raw(func(dc any) error {
				c := dc.(*sqlite3.SQLiteConn)
				for _, r := range reqs {
					var res writeResult
					switch {
					case txErr != nil:
						res.err = txErr
					case r.ctx.Err() != nil:
						// A caller that gave up is not written: it was told it failed.
						res.err = r.ctx.Err()
					default:
						if !inTx {
							// The batch serves many callers, so no single
							// caller's context may cancel it; the busy
							// timeout bounds the wait for the lock.
							w.batches.Add(1)
							if _, err := c.Exec("BEGIN IMMEDIATE", nil); err != nil {
								txErr = err
								res.err = err
								break
							}
							inTx = true
							n, err := w.stamp()
							if err != nil {
								txErr = err
								res.err = err
								break
							}
							stamp = n
						}
						// Checked again here because waiting for another
						// process's lock can outlast the caller's patience.
						if err := r.ctx.Err(); err != nil {
							res.err = err
							break
						}
						var dr driver.Result
						var err error
						if r.attempt != nil {
							row := w.encode(r.attempt, r.runID)
							row.args[0].Value = stamp
							dr, err = w.insAttempt.ExecContext(ctx, w.nonNull(row))
							bytes += row.size
							w.release(row)
						} else {
							if r.from != nil {
								r.turn[4].Value = r.from.insertedID()
							}
							dr, err = w.insTurn.ExecContext(ctx, r.turn)
						}
						if err == nil {
							res.id, err = dr.LastInsertId()
						}
						if err != nil {
							if !isConstraint(err) {
								txErr = err
							}
							res.err = err
							break
						}
						if r.attempt != nil && firstID == 0 {
							firstID = res.id
						}
					}
					if r.attempt == nil {
						bytes += rowOverhead
					}
					b.results = append(b.results, res)
				}
				return nil
			})
		}
		clear(reqs) // let the callers' contexts and turns be collected
		spare = reqs
		if closed {
			break
		}
		if txErr != nil || stopping || b.waited.Load() {
			w.closeBatch(b)
			continue // pick up what joined meanwhile
		}
		wait := time.Until(b.opened.Add(lingerFor))
		if wait <= 0 {
			w.closeBatch(b)
			continue
		}
		// Wait for more writes (see lingerFor), on a timer: joining writes
		// wake the writer only now and then (see streamEvery).
		linger.Reset(wait)
		select {
		case <-linger.C:
		case <-w.wake: // more writes, filled, waited on, or stop: look again
			linger.Stop()
		}
	}
	if inTx {
		err := w.conn.Raw(func(dc any) error {
			c := dc.(*sqlite3.SQLiteConn)
			err := txErr
			if err == nil && firstID != 0 {
				_, err = w.insStamp.ExecContext(ctx, namedValues(stamp, firstID))
			}
			if err == nil {
				_, err = c.Exec("COMMIT", nil)
			}
			if err == nil && w.catchUp.Swap(false) {
				_, _ = c.Exec("PRAGMA wal_checkpoint(PASSIVE)", nil)
			}
			if err != nil {
				// A failed COMMIT may leave the transaction open; ROLLBACK
				// closes it (and is harmless if SQLite already did).
				_, _ = c.Exec("ROLLBACK", nil)
			}
			return err
		})
		inTx = false
		if err == nil && firstID != 0 {
			w.unindexed += int64(len(b.results)) // about: turns are few
		}
		if err != nil {
			txErr = err
		} else if w.walBytes += bytes + commitPages*pageSize; w.walBytes >= ckptEvery {
			w.walBytes = 0
			select {
			case w.ckKick <- struct{}{}:
			default: // a checkpoint is due already
			}
		}
	}
	if txErr != nil {
		for i := range b.results {
			if b.results[i].err == nil || !isConstraint(b.results[i].err) {
				b.results[i] = writeResult{err: txErr}
			}
		}
	}
	n := len(b.results)
	b.reqs = nil
	close(b.done)

	w.mu.Lock()
	w.full = w.full[1:] // b, closed before the loop above ended
	w.queued -= n
	if w.room != nil {
		close(w.room)
		w.room = nil
	}
	w.mu.Unlock()
	return spare
}

// ckptEvery is about how much the WAL grows between checkpoints: SQLite's
// default (wal_autocheckpoint, 1000 pages).
const ckptEvery = 1000 * pageSize

// commitPages is about how many whole pages a COMMIT adds to the WAL
// whatever its rows: a leaf of the table, one of each of the six indexes
// and one of the stamps. Without it the estimate missed by a factor of a
// hundred when batches are small (a load at 200/s commits a few rows at a
// time, 26 KB of WAL per row): the WAL grew to gigabytes before the first
// checkpoint.
const commitPages = 8

// rowOverhead is about what a row adds to the WAL besides its bodies: its
// other columns and its entries in the indexes.
const rowOverhead = 256

// checkpoints copies the WAL into the database on a connection of its own
// whenever the writer has added about ckptEvery to it. With SQLite's
// automatic checkpoints, the COMMIT that crosses the threshold copies the
// WAL itself, holding up the writer (and so every caller waiting on it)
// for tens of milliseconds; a passive checkpoint here runs beside the
// writer's transactions instead.
//
// SQLite rewinds the WAL only when a write transaction starts with every
// frame copied, which a checkpoint running beside a stream of commits
// never sees: the frames committed meanwhile are left. So after each one,
// the writer copies those few itself, after its next COMMIT (see
// catchUp), and the transaction after that rewinds the WAL.
func (w *writer) checkpoints() {
	defer close(w.ckDone)
	for range w.ckKick {
		// An error is left be: the next checkpoint tries again, and a WAL
		// not copied yet is as durable as the database.
		_, _ = w.ckdb.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		w.catchUp.Store(true)
	}
}

// stamp is the batch's recorded_at: the wall clock, but never earlier
// than the newest row's, read under the write lock. That keeps recorded_at
// non-decreasing with id across processes and clock steps, which is what
// lets Filter.Since become an id bound.
func (w *writer) stamp() (string, error) {
	rows, err := w.lastStamp.QueryContext(context.Background(), nil)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	// Times are fixed-width text (timeLayout), so they compare as strings.
	now := w.now().UTC().Format(timeLayout)
	last := []driver.Value{nil}
	if err := rows.Next(last); err != nil {
		return "", err
	}
	var l string
	switch v := last[0].(type) { // NULL while there is no attempt
	case string:
		l = v
	case []byte:
		l = string(v)
	}
	if l > now {
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

// QueueLen is how many writes the writer holds handed over and not yet
// committed; a write beyond it waits for room (Backpressure counts them).
const QueueLen = queueLen

// Backpressure is what a full writer's queue cost its callers so far.
type Backpressure struct {
	Held   int64         // writes that waited for room in the queue
	Waited time.Duration // their waits, added up
}

// Backpressure reports the writes that waited because the writer was
// QueueLen writes behind, since the store opened.
func (s *Store) Backpressure() Backpressure {
	return Backpressure{Held: s.w.held.Load(), Waited: time.Duration(s.w.heldNanos.Load())}
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

// insertedID is the id the writer gave p's row, or nil if it has none:
// for the writer only, after it took p's write (it takes writes in the
// order they were handed over, and fills a batch's results as it goes).
func (p *Pending) insertedID() any {
	if p.err != nil || p.b == nil || p.i >= len(p.b.results) {
		return nil
	}
	if res := p.b.results[p.i]; res.err == nil && res.id != 0 {
		return res.id
	}
	return nil
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
