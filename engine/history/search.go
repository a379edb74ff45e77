package history

import (
	"context"
	"database/sql"
	"strings"
)

// SearchWindow is the window the workbench gives a page of a text search:
// on this project's 2-core machines a window takes about 0.13 s, however
// large the history (TestMillionRows times it).
const SearchWindow = 50_000

// Page is a page of Search.
type Page struct {
	// Rows are the matches, newest first; at most the filter's Limit.
	Rows []Summary
	// Next is the Before of the following page, 0 when no older attempt
	// is left to look at. A page with fewer rows than the Limit and a
	// Next above 0 stopped at its window, not at the end of the history.
	Next int64
	// Searched is how many ids the page read below its Before: down to
	// Next, or to the oldest attempt when Next is 0.
	Searched int64
}

// Search is List for a view that pages: it also says where the next page
// starts. No index serves a Text filter, so SQLite reads and matches
// every row it passes; window bounds that work to the window ids below
// Before (0: no bound), so that a page of a search through a million
// attempts costs what one through window of them costs, and the caller
// goes on from Next if it wants more. A conversation filter is served by
// its index and a conversation is small, so it is never windowed.
func (s *Store) Search(ctx context.Context, f Filter, window int64) (Page, error) {
	if err := s.checkOpen("search"); err != nil {
		return Page{}, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	if f.Text == "" {
		f.Limit = limit + 1 // one more tells whether a next page exists
		rows, err := s.List(ctx, f)
		if err != nil {
			return Page{}, err
		}
		var next int64
		if len(rows) > limit {
			rows = rows[:limit]
			next = rows[limit-1].ID
		}
		return Page{Rows: rows, Next: next}, nil
	}

	top := f.Before
	if top <= 0 {
		var newest sql.NullInt64
		if err := s.rdb.QueryRowContext(ctx, "SELECT max(id) FROM attempts").Scan(&newest); err != nil {
			return Page{}, wrapErr(s.path, "search", err)
		}
		top = newest.Int64 + 1
	}
	var floor int64 // the lowest id the window reaches; 0 when unbounded
	if window > 0 && f.Conversation == "" {
		floor = max(top-window, 0)
	}
	sel := selectAttempts(f, false)
	sel.and("id < ? AND id >= ?", top, floor)
	// SQLite matches, so only the matches cross into Go. lower() folds
	// ASCII letters only, and it and instr() read every byte of detail's
	// binary encoding, where LIKE would stop at the first NUL.
	columns := []string{"lower(detail)", "lower(conversation_id)", "lower(action_id)",
		"lower(event)", `lower("trigger")`, "lower(delivery_id)", "outcome"}
	needle := foldASCII(f.Text)
	terms, needles := make([]string, len(columns)), make([]any, len(columns))
	for i, column := range columns {
		terms[i], needles[i] = "instr("+column+", ?)", needle
	}
	sel.and("("+strings.Join(terms, " OR ")+")", needles...)
	query, args := sel.page(limit)
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return Page{}, wrapErr(s.path, "search", err)
	}
	defer rows.Close()
	page := Page{Next: floor}
	for rows.Next() {
		sum, err := scanSummary(rows)
		if err != nil {
			return Page{}, wrapErr(s.path, "search", err)
		}
		page.Rows = append(page.Rows, sum)
	}
	if err := rows.Err(); err != nil {
		return Page{}, wrapErr(s.path, "search", err)
	}
	if len(page.Rows) == limit {
		page.Next = page.Rows[limit-1].ID
	} else if page.Next <= 1 {
		page.Next = 0 // the window reached the oldest attempt
	}
	page.Searched = top - max(page.Next, 1)
	return page, nil
}

// foldASCII lowers text's ASCII letters, as SQLite's lower() does.
func foldASCII(text string) string {
	b := []byte(text)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
