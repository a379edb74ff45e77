package history

import (
	"context"
	"strings"
)

// exportPage is how many whole attempts Each reads per statement: enough
// to amortise the statement, few enough that memory stays flat.
const exportPage = 256

// Each calls fn with every attempt f selects, whole, newest first, as it
// reads them (f.Limit is ignored; f.Before starts below that id), so that
// an export of a million attempts holds a page of them at a time. It
// stops at fn's first error and returns it.
func (s *Store) Each(ctx context.Context, f Filter, fn func(*Entry) error) error {
	if err := s.checkOpen("export"); err != nil {
		return err
	}
	words := searchWords(f.Text)
	if len(words) > 0 {
		if err := s.w.indexNow(ctx); err != nil {
			return wrapErr(s.path, "export", err)
		}
	}
	for {
		sel := selectAttempts(f, true)
		switch {
		case len(words) > 0:
			bound := "" // the index's own bound, so a later page reads fewer matches
			args := []any{`"` + strings.Join(words, " ") + `"`}
			if f.Before > 0 {
				bound = " AND docid < ?"
				args = append(args, f.Before)
			}
			sel.and("id IN (SELECT docid FROM attempts_text WHERE attempts_text MATCH ?"+bound+")", args...)
		case f.Text != "":
			sel.and(scanTerm(), scanArgs(f.Text)...)
		}
		n, last, err := s.eachPage(ctx, sel, fn)
		if err != nil {
			return err
		}
		if n < exportPage {
			return nil
		}
		f.Before = last
	}
}

// eachPage calls fn with sel's newest exportPage attempts; it returns how
// many there were and the last one's id.
func (s *Store) eachPage(ctx context.Context, sel selection, fn func(*Entry) error) (n int, last int64, err error) {
	query := sel.with + "SELECT id, " + attemptColumns + " FROM attempts" + sel.where + sel.newest + " LIMIT ?"
	rows, err := s.rdb.QueryContext(ctx, query, append(sel.args, exportPage)...)
	if err != nil {
		return 0, 0, wrapErr(s.path, "export", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAttempt(rows)
		if err != nil {
			return n, last, wrapErr(s.path, "export", err)
		}
		if err := fn(e); err != nil {
			return n, last, err
		}
		n++
		last = e.ID
	}
	if err := rows.Err(); err != nil {
		return n, last, wrapErr(s.path, "export", err)
	}
	return n, last, nil
}
