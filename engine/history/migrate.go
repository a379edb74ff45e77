package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// querier is what reading the header needs, from a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// header is what Open reads before it touches the schema.
type header struct {
	appID   int64
	version int
	objects int // tables, indexes, views and triggers of any owner
}

// readHeader reads the header in one statement, so that all three values
// come from one snapshot: read one by one, another process's first
// migration could commit in between and make our own fresh database look
// like another program's.
func readHeader(ctx context.Context, q querier) (header, error) {
	var h header
	err := q.QueryRowContext(ctx, `SELECT a.application_id, v.user_version,
		(SELECT count(*) FROM sqlite_schema)
		FROM pragma_application_id AS a, pragma_user_version AS v`).Scan(&h.appID, &h.version, &h.objects)
	return h, err
}

// check refuses a database this build must not write: another program's,
// or one a newer actionbench has migrated past what this build knows.
func (h header) check(path string, known int) error {
	switch {
	case h.appID != 0 && h.appID != applicationID:
		return failure(path, fmt.Sprintf("is another program's SQLite database (application id %#x); use another --db", h.appID), ErrNotDatabase)
	case h.appID == 0 && (h.version != 0 || h.objects != 0):
		// Ours always carry the application id from step 1 on.
		return failure(path, "is another program's SQLite database (it has tables but no actionbench mark); use another --db", ErrNotDatabase)
	case h.version > known:
		return failure(path, fmt.Sprintf("written by a newer actionbench (schema %d, this build knows %d): upgrade actionbench or use another --db", h.version, known), ErrNewerSchema)
	}
	return nil
}

// migrate brings the database to schema version target, one step per
// transaction (a step that rewrites every row commits as it goes, see
// plainColumns), so a crash or a lock between steps leaves a database at
// a version this code can resume from. progress, if not nil, hears how
// far a long step has come.
func migrate(ctx context.Context, db *sql.DB, path string, target int, progress func(done, total int64)) error {
	steps := migrations()
	h, err := readHeader(ctx, db)
	if err != nil {
		return wrapErr(path, "read its schema version", err)
	}
	if err := h.check(path, len(steps)); err != nil {
		return err
	}
	if h.version >= target {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return wrapErr(path, "migrate", err)
	}
	defer conn.Close()
	// Steps that rebuild a table do it as SQLite's ALTER TABLE page says:
	// with foreign keys off, which can only change outside a transaction.
	var fk bool
	if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return wrapErr(path, "migrate", err)
	}
	if fk {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return wrapErr(path, "migrate", err)
		}
		// Outside a transaction the pragma cannot fail.
		defer func() { _, _ = conn.ExecContext(context.Background(), "PRAGMA foreign_keys = ON") }()
	}
	for v := h.version; v < target; v++ {
		step := steps[v]
		m := &migrator{conn: conn, path: path, from: v, known: len(steps), progress: progress}
		if step.run != nil {
			err = step.run(ctx, m)
		} else {
			err = m.inStep(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, step.sql)
				return err
			})
		}
		if errors.Is(err, errStepDone) {
			continue
		}
		if err != nil {
			var se *storeError
			if errors.As(err, &se) {
				return err
			}
			return wrapErr(path, fmt.Sprintf("migrate to schema %d (%s)", v+1, step.name), err)
		}
	}
	return nil
}

// errStepDone says another process ran the step while this one waited.
var errStepDone = errors.New("step already done")

// migrator is what a step runs with.
type migrator struct {
	conn     *sql.Conn
	path     string
	from     int // the version the step starts from
	known    int // the steps this build knows
	progress func(done, total int64)
}

// inStep runs fn in a transaction if the database is still at m.from, and
// moves it to the next version when fn succeeds. Another process may have
// run this step while we waited for the write lock; the version read
// under the lock is the one that counts (errStepDone if it moved on).
func (m *migrator) inStep(ctx context.Context, fn func(*sql.Tx) error) error {
	return inTx(ctx, m.conn, func(tx *sql.Tx) error {
		if err := m.still(ctx, tx); err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.from+1))
		return err
	})
}

// still checks, under tx's lock, that the database is at m.from.
func (m *migrator) still(ctx context.Context, tx *sql.Tx) error {
	now, err := readHeader(ctx, tx)
	if err != nil {
		return err
	}
	if err := now.check(m.path, m.known); err != nil {
		return err
	}
	if now.version > m.from {
		return errStepDone
	}
	return nil
}

// beginner is a *sql.DB or a *sql.Conn.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// inTx runs fn in a transaction and rolls it back unless fn and the commit
// both succeed (a panic in fn included). Transactions begin IMMEDIATE
// (_txlock in the DSN): the write lock is taken up front, where the busy
// timeout applies, rather than on the first write, where SQLite would
// fail at once to avoid a deadlock.
func inTx(ctx context.Context, db beginner, fn func(*sql.Tx) error) error {

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback() // the error that brought us here is the one to report
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	done = true
	return tx.Commit()
}
