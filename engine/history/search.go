package history

import (
	"context"
	"database/sql"
	"strings"
	"unicode"
)

// SearchWindow is the window the workbench gives a page of a text search
// that the text index cannot serve (text with no letters or digits): on
// this project's 2-core machines a window takes about 0.13 s, however
// large the history. A search for words is served by the index whole.
const SearchWindow = 50_000

// Page is a page of Search.
type Page struct {
	// Rows are the matches, newest first; at most the filter's Limit.
	Rows []Summary
	// Next is the Before of the following page, 0 when no older attempt
	// is left to look at. A page with fewer rows than the Limit and a
	// Next above 0 stopped at its window, not at the end of the history.
	Next int64
	// Searched is how many ids the page covered below its Before: down to
	// Next, or to the oldest attempt when Next is 0.
	Searched int64
}

// Search is List for a view that pages: it also says where the next page
// starts.
//
// Filter.Text is looked up in the text index (attempts_text, FTS4 over
// ids, URL, headers, bodies, bot reply, diagnosis and warnings): an
// attempt matches when its text has Text's words in that order, side by
// side, the last one as a prefix, ignoring case ("order look" finds
// "order_lookup", "ORDER-LOOKUP" and "order lookups"; "rder" finds
// nothing: words match from their start). The index serves the search
// whatever the history's size, so window is ignored.
//
// Text without a letter or digit ("{", "->") has no words for the index:
// then SQLite reads and matches every row it passes, and window bounds
// that work to the window ids below Before (0: no bound), so that a page
// through a million attempts costs what one through window of them costs;
// the caller goes on from Next if it wants more.
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
	sel := selectAttempts(f, false)
	if match := matchQuery(f.Text); match != "" {
		// The index yields its matches newest first, so the first page
		// reads a page's worth of them, not every match.
		sel.and("id IN (SELECT docid FROM attempts_text WHERE attempts_text MATCH ? AND docid < ? ORDER BY docid DESC)", match, top)
	} else {
		if window > 0 && f.Conversation == "" {
			floor = max(top-window, 0)
		}
		sel.and("id < ? AND id >= ?", top, floor)
		sel.and(scanTerm(), scanArgs(f.Text)...)
	}
	query, args := sel.page(limit + 1)
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
	if len(page.Rows) > limit {
		page.Rows = page.Rows[:limit]
		page.Next = page.Rows[limit-1].ID
	} else if page.Next <= 1 {
		page.Next = 0 // the window, or the index, reached the oldest attempt
	}
	page.Searched = top - max(page.Next, 1)
	return page, nil
}

// matchQuery turns text into an FTS4 query: its words as one phrase, the
// last a prefix. Words are what the unicode61 tokenizer makes tokens of,
// runs of letters and digits, so nothing in text can be query syntax.
// "" when text has no word.
func matchQuery(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 {
		return ""
	}
	return `"` + strings.Join(words, " ") + `*"`
}

// scanColumns are what a search without words reads, row by row.
var scanColumns = []string{"conversation_id", "action_id", "event", `"trigger"`, "delivery_id",
	"outcome", "url", "request_headers", "request_body", "response_headers", "response_body",
	"bot_reply", "diagnosis", "warnings"}

// scanTerm matches a needle in any of scanColumns, ignoring ASCII case:
// lower() folds ASCII letters only, and instr() reads a BLOB body whole,
// where LIKE would stop at its first NUL.
func scanTerm() string {
	terms := make([]string, len(scanColumns))
	for i, c := range scanColumns {
		terms[i] = "instr(lower(" + c + "), ?)"
	}
	return "(" + strings.Join(terms, " OR ") + ")"
}

func scanArgs(text string) []any {
	needle := foldASCII(text)
	args := make([]any, len(scanColumns))
	for i := range args {
		args[i] = needle
	}
	return args
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
