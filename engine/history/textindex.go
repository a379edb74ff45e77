package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The text index is not kept in step with each commit: FTS4 writes a
// segment per transaction that adds to it, and indexing in every small
// commit cost a single Record 4 times its write (a 16 KiB page per term
// list), and a stream of attempts 3 times its writer CPU. The writer
// indexes the attempts it has committed when it falls idle (indexIdle),
// when a search asks (Store.Search) and for a moment at Close (see
// indexAtClose), indexEvery at a time;
// and between batches once indexBacklog are waiting, so that a long
// stream of attempts (a load run) leaves Close a bounded amount to do.
const (
	indexEvery   = 2048
	indexBacklog = 1 << 16
	indexIdle    = 200 * time.Millisecond
)

// textIndexColumns are the text index's columns, and textColumns what
// each is filled with from an attempts row, in the same order.
const (
	textIndexColumns = "ids, url_text, request_headers_text, request_body_text, response_headers_text, response_body_text, bot_reply_text, diagnosis_text, warnings_text"
	textColumns      = `conversation_id || ' ' || action_id || ' ' || event || ' ' || delivery_id || ' ' || outcome AS ids,
	url AS url_text, request_headers AS request_headers_text, request_body AS request_body_text,
	response_headers AS response_headers_text, response_body AS response_body_text,
	bot_reply AS bot_reply_text, diagnosis AS diagnosis_text, warnings AS warnings_text`
)

// indexTailSQL index the attempts of table above upto, up to ?2, and
// move upto on. table is attempts, or attempts_plain while step 5 fills it.
func indexTailSQL(table string) []string {
	return []string{
		"INSERT INTO attempts_text (docid, " + textIndexColumns + ") SELECT id, " + textColumns +
			" FROM " + table + " WHERE id > ?1 AND id <= ?2",
		"UPDATE attempts_text_upto SET upto = ?2",
	}
}

// tailSQL is table's attempts not yet indexed: upto, and the id that
// indexing at most ?1 of them reaches (NULL when none).
func tailSQL(table string) string {
	return `SELECT u.upto, (SELECT max(id) FROM (SELECT id FROM ` + table + ` WHERE id > u.upto ORDER BY id LIMIT ?1))
	FROM attempts_text_upto AS u`
}

// indexTail adds up to limit attempts not yet in the text index to it,
// in tx, and says how many ids it covered.
func indexTail(ctx context.Context, tx *sql.Tx, table string, limit int) (int64, error) {
	var (
		upto int64
		hi   sql.NullInt64
	)
	if err := tx.QueryRowContext(ctx, tailSQL(table), limit).Scan(&upto, &hi); err != nil {
		return 0, fmt.Errorf("read the text index's progress: %w", err)
	}
	if !hi.Valid {
		return 0, nil // nothing to index
	}
	for _, q := range indexTailSQL(table) {
		if _, err := tx.ExecContext(ctx, q, upto, hi.Int64); err != nil {
			return 0, fmt.Errorf("text index: %w", err)
		}
	}
	return hi.Int64 - upto, nil
}

// index adds up to limit attempts to the text index in a transaction of
// its own, between two batches, and says how many ids it covered.
func (w *writer) index(limit int) (int64, error) {
	ctx := context.Background()
	var n int64
	err := inTx(ctx, w.conn, func(tx *sql.Tx) error {
		var err error
		n, err = indexTail(ctx, tx, "attempts", limit)
		return err
	})
	if err != nil {
		return 0, err
	}
	w.unindexed = max(w.unindexed-n, 0)
	w.walBytes += int(n) * rowOverhead
	return n, nil
}

// indexAll indexes every attempt left, for a search.
func (w *writer) indexAll() error {
	for {
		n, err := w.index(indexEvery)
		if err != nil || n == 0 {
			return err
		}
	}
}

// indexAtClose bounds what Close spends on the text index: a run of
// 10,000 attempts would otherwise spend a second or two on it before the
// process exits. What is left waits for the next process that falls idle
// or searches.
const indexAtClose = 300 * time.Millisecond

// indexSome indexes what is left for up to indexAtClose, at stop.
func (w *writer) indexSome() error {
	deadline := time.Now().Add(indexAtClose)
	for time.Now().Before(deadline) {
		n, err := w.index(indexEvery / 4)
		if err != nil || n == 0 {
			return err
		}
	}
	return nil
}

// indexNow has the writer bring the text index up to date, for a search.
func (w *writer) indexNow(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case w.indexReq <- reply:
	case <-w.done:
		return errors.New("the store is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
