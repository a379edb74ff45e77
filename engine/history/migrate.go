package history

import (
	"context"
	"database/sql"
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
// transaction, so a crash or a lock between steps leaves a database at a
// version this code can resume from.
func migrate(ctx context.Context, db *sql.DB, path string, target int) error {
	steps := migrations()
	h, err := readHeader(ctx, db)
	if err != nil {
		return wrapErr(path, "read its schema version", err)
	}
	if err := h.check(path, len(steps)); err != nil {
		return err
	}
	for v := h.version; v < target; v++ {
		step := steps[v]
		err := inTx(ctx, db, func(tx *sql.Tx) error {
			// Another process may have run this step while we waited
			// for the write lock; the version read under the lock is
			// the one that counts.
			now, err := readHeader(ctx, tx)
			if err != nil {
				return err
			}
			if err := now.check(path, len(steps)); err != nil || now.version > v {
				return err
			}
			if _, err := tx.ExecContext(ctx, step.sql); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1))
			return err
		})
		if err != nil {
			return wrapErr(path, fmt.Sprintf("migrate to schema %d (%s)", v+1, step.name), err)
		}
	}
	return nil
}

// inTx runs fn in a transaction and rolls it back unless fn and the commit
// both succeed (a panic in fn included). Transactions begin IMMEDIATE
// (_txlock in the DSN): the write lock is taken up front, where the busy
// timeout applies, rather than on the first write, where SQLite would
// fail at once to avoid a deadlock.
func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
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
