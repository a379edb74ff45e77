package history

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// runIDArg is run_id's place in attemptColumns (a test checks it).
const runIDArg = 4

// Run is a row of the runs table: one load run (or, later, scenario run)
// and its many attempts.
type Run struct {
	ID         int64
	Kind       string
	StartedAt  time.Time
	FinishedAt time.Time // zero while it runs, or if it never finished
	Label      string    // the run's parameters as the user gave them
	Summary    string    // JSON written when it finished; '' before
}

// StartRun adds a run that starts now and returns its id, committed, so
// that attempts submitted with it may name it at once.
//
// Runs are written on a connection of their own, not through the writer:
// two writes per run, against thousands of attempts, are not worth a new
// kind of write in the writer's batches; they wait for its lock like
// another process's writes would.
func (s *Store) StartRun(ctx context.Context, kind, label string) (int64, error) {
	var id int64
	err := s.runWrite(ctx, "start a run", func(db *sql.DB) error {
		res, err := db.ExecContext(ctx, "INSERT INTO runs (kind, started_at, label) VALUES (?, ?, ?)",
			kind, isoTime(s.w.now()), s.redactor.str(label))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// FinishRun stamps run id finished now, with its summary (JSON, redacted).
func (s *Store) FinishRun(ctx context.Context, id int64, summary []byte) error {
	return s.runWrite(ctx, "finish run "+fmt.Sprint(id), func(db *sql.DB) error {
		_, err := db.ExecContext(ctx, "UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?",
			isoTime(s.w.now()), string(s.redactor.bytes(summary)), id)
		return err
	})
}

// runWrite runs fn on a write connection opened for it.
func (s *Store) runWrite(ctx context.Context, op string, fn func(*sql.DB) error) error {
	if err := s.checkOpen(op); err != nil {
		return err
	}
	abs, err := filepath.Abs(s.path)
	if err != nil {
		return fileErr(s.path, op, err)
	}
	db, err := sql.Open("sqlite3", dsn(abs, defaultBusyTimeout, "_synchronous=NORMAL", "_txlock=immediate"))
	if err != nil {
		return wrapErr(s.path, op, err)
	}
	defer db.Close()
	return wrapErr(s.path, op, fn(db))
}

// SubmitInRun is Submit for an attempt of run runID. A compact attempt is
// stored without its headers, bodies and bot reply (those columns are
// NULL, or ”): what a listing shows, and the diagnosis, stay. That keeps
// a long load run's history small (docs/load.md gives the bytes per row),
// and skips redacting what would not be stored.
func (s *Store) SubmitInRun(ctx context.Context, a *engine.Attempt, runID int64, compact bool) *Pending {
	if a == nil {
		return &Pending{err: failure(s.path, "record: no attempt given", nil)}
	}
	c := snapshot(a)
	if compact {
		c.Request.Header, c.Request.Body, c.BotReply = nil, nil, ""
		if c.Response != nil {
			c.Response.Header, c.Response.Body = nil, nil
		}
	}
	return s.enqueue(ctx, "record", writeReq{attempt: c, runID: runID})
}

// Runs returns the newest runs, newest first, at most limit (zero: 50).
func (s *Store) Runs(ctx context.Context, limit int) ([]Run, error) {
	if err := s.checkOpen("list runs"); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, kind, started_at, finished_at, label, coalesce(summary, '')
		FROM runs ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, wrapErr(s.path, "list runs", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var (
			r                 Run
			started, finished sql.NullString
		)
		if err := rows.Scan(&r.ID, &r.Kind, &started, &finished, &r.Label, &r.Summary); err != nil {
			return nil, wrapErr(s.path, "list runs", err)
		}
		if r.StartedAt, err = parseTime(started); err == nil {
			r.FinishedAt, err = parseTime(finished)
		}
		if err != nil {
			return nil, wrapErr(s.path, "list runs", fmt.Errorf("run %d: %w", r.ID, err))
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(s.path, "list runs", err)
	}
	return out, nil
}
