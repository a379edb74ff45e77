package history

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// copyChunk is how many attempts step 5 copies per transaction: a
// fraction of a second each, so another process waiting to write (an
// older release still using the file) gets its turn between them, and
// progress moves.
const copyChunk = 2000

// plainColumns is step 5: attempts move from the detail BLOB of schemas 1
// to 4 (legacy.go) to the plain columns docs/history.md describes. Rows are
// copied a chunk per transaction into attempts_plain, with the text index
// filled as they go; the last transaction copies what is left (rows an
// older release added meanwhile included), swaps the tables and moves the
// version on. A copy cut short resumes from attempts_plain's last id.
func plainColumns(ctx context.Context, m *migrator) error {
	// Every read and write of attempts_plain is under a transaction that
	// first checks the version: another process may finish the step, and
	// drop attempts_plain, between two of ours.
	var total, done int64
	err := inTx(ctx, m.conn, func(tx *sql.Tx) error {
		if err := m.still(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, plainTablesSQL); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM attempts),
			(SELECT count(*) FROM attempts_plain)`).Scan(&total, &done)
	})
	if err != nil {
		return err
	}
	report := func() {
		if m.progress != nil {
			m.progress(done, total)
		}
	}
	report()
	for {
		var n int
		err := inTx(ctx, m.conn, func(tx *sql.Tx) error {
			if err := m.still(ctx, tx); err != nil {
				return err
			}
			var err error
			if n, err = copyAttempts(ctx, tx, copyChunk); err != nil {
				return err
			}
			_, err = indexTail(ctx, tx, "attempts_plain", copyChunk)
			return err
		})
		if err != nil {
			return err
		}
		done += int64(n)
		if n < copyChunk {
			break
		}
		report()
	}
	err = m.inStep(ctx, func(tx *sql.Tx) error {
		for {
			n, err := copyAttempts(ctx, tx, copyChunk)
			if err != nil {
				return err
			}
			if _, err := indexTail(ctx, tx, "attempts_plain", copyChunk); err != nil {
				return err
			}
			done += int64(n)
			if n < copyChunk {
				break
			}
		}
		_, err := tx.ExecContext(ctx, swapTablesSQL())
		return err
	})
	total = max(total, done)
	report()
	return err
}

// copyAttempts copies up to limit attempts of the old table that
// attempts_plain lacks, oldest first, and says how many it copied.
func copyAttempts(ctx context.Context, tx *sql.Tx, limit int) (int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+legacyColumns+` FROM attempts
		WHERE id > (SELECT coalesce(max(id), 0) FROM attempts_plain) ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return 0, err
	}
	var entries []*Entry
	for rows.Next() {
		e, err := legacyScan(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		entries = append(entries, e)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return 0, nil
	}
	ins, err := tx.PrepareContext(ctx, "INSERT INTO attempts_plain (id, "+attemptColumns+
		") VALUES (?"+strings.Repeat(", ?", numAttemptColumns)+")")
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	// What was stored is redacted already; a redactor with no secrets
	// writes it as it is (Authorization was masked then, and masking a
	// mask changes nothing).
	var (
		none redactor
		row  attemptRow
	)
	args := make([]any, numAttemptColumns+1)
	for _, e := range entries {
		none.encodeAttempt(&row, e.Attempt)
		row.args[0].Value = isoTime(e.RecordedAt)
		args[0] = e.ID
		for i, a := range row.args {
			args[i+1] = a.Value
		}
		if _, err := ins.ExecContext(ctx, args...); err != nil {
			return 0, err
		}
	}
	return len(entries), nil
}
