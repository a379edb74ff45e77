package history

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"
)

// SearchWindow is the window the workbench gives a page of a text search
// that the text index cannot serve (text with no letters or digits): on
// this project's 2-core machines a window takes about 0.1 s (3.5 µs a
// row), however large the history. A search for words is served by the
// index whole.
const SearchWindow = 30_000

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
// side, ignoring ASCII case ("order lookup" finds "order_lookup" and
// "ORDER-LOOKUP"; "lookups" and "look" do not: words match whole). Whole
// words, not prefixes: a prefix makes FTS4 merge the lists of every word
// it starts, 240 times slower for "order*" than "order" over 100,000
// attempts. The newest rows' own text is matched first, and the index
// only when they do not fill the page (searchWalk). The index serves the
// search whatever the history's size, so window is ignored, unless a
// filter other than the conversation joins the text: then the matches
// are looked for window ids at a time, as below.
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

	words := searchWords(f.Text)
	if len(words) > 0 {
		// The writer indexes attempts a few thousand at a time; the ones
		// it has not are indexed now, so that the search sees them all.
		if err := s.w.indexNow(ctx); err != nil {
			return Page{}, wrapErr(s.path, "search", err)
		}
	}
	top := f.Before
	if top <= 0 {
		var newest sql.NullInt64
		if err := s.rdb.QueryRowContext(ctx, "SELECT max(id) FROM attempts").Scan(&newest); err != nil {
			return Page{}, wrapErr(s.path, "search", err)
		}
		top = newest.Int64 + 1
	}
	var (
		page Page
		err  error
	)
	if len(words) > 0 {
		// With another filter the index's matches may mostly fail it (a
		// phrase in every reply and outcome timeout, where timeouts have no
		// reply): bound the ids read as a search without words is.
		var floor int64
		if window > 0 && f.Conversation == "" && (f.Outcome != "" || f.Action != "" || f.Event != "" || f.Kind != "" || !f.Since.IsZero()) {
			floor = max(top-window, 0)
		}
		page.Rows, err = s.searchIndexed(ctx, f, words, top, floor, limit+1)
		page.Next = floor
	} else {
		var floor int64 // the lowest id the window reaches; 0 when unbounded
		if window > 0 && f.Conversation == "" {
			floor = max(top-window, 0)
		}
		sel := selectAttempts(f, false)
		sel.and("id < ? AND id >= ?", top, floor)
		sel.and(scanTerm(), scanArgs(f.Text)...)
		page.Rows, err = s.summaries(ctx, sel, limit+1)
		page.Next = floor
	}
	if err != nil {
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

// searchIndexed is up to limit attempts below top (and at or above floor)
// that match words, newest first, with the text index's help
// (searchWalk).
func (s *Store) searchIndexed(ctx context.Context, f Filter, words []string, top, floor int64, limit int) ([]Summary, error) {
	phrase := `"` + strings.Join(words, " ") + `"`
	return s.searchWalk(ctx, f, phrase, words, top, floor, limit)
}

// probeTuning is Store.probe.
type probeTuning struct {
	// first is how many rows' text a search matches itself before it
	// opens the text index's list: opening a common phrase's list over
	// 1,000,000 attempts costs what matching 200 to 1,000 rows does (5 ms,
	// 40 ms when the file is not all in the OS's cache), which a
	// conversation of a hundred rows never needs.
	first int
	// steps is how far the list is read toward a row before the row's
	// text is matched instead: an entry costs about a hundredth of a row.
	steps int
	// few is how many rows may pass the filters in a search's window
	// for the list never to be opened: matching a row's text costs about
	// 27 µs, so 1,024 rows cost less than opening a common word's list,
	// which reads all of it (FTS4 reads a word's list whole, up to 40 ms
	// for a word in every one of 1,000,000 attempts).
	few int
}

// defaultProbe is a new Store's probeTuning.
func defaultProbe() probeTuning { return probeTuning{first: 128, steps: 128, few: 1024} }

// seekSteps is how many entries idList.to reads before it seeks instead:
// an index entry costs about a twentieth of a new query.
const seekSteps = 16

// searchWalk is searchIndexed's walk. Lists of ids, newest first, are
// walked together, and an id in all of them is a match: the rows that
// pass the filters (the conversation's index when there is a
// conversation, else the likeliest narrowest filter's, or every attempt
// when there is no filter), the rows that pass the other filters when
// there is a conversation (their own index), and the text index's
// matches for the phrase.
//
// The first two seek by querying again, cheaply; the text index's list
// cannot (each query reads it from its newest entry), so it is read
// toward each candidate row for up to s.probe.steps entries, and when the
// row is further down than that, the row's own text is matched here, as
// the index's tokenizer would (phraseIn), while the list catches up. The
// first s.probe.first candidates are matched that way before the list is
// opened at all. When the text index's list is ahead, the filters' list
// seeks to it: a rare phrase costs a seek per match, however many rows
// pass the filters between matches.
//
// Neither the filters' rows nor the text index alone serves every
// search: FTS4 reads a word's whole list when it opens it (40 ms for a
// word in every one of 1,000,000 attempts, where matching the newest 50
// rows' text takes 1 ms), and matching the text of each of a
// conversation's 10,000 rows where the phrase is rare reads every row
// (0.28 s). Walked together, a page costs about the shorter walk, and a
// list that ends ends the search. Ids below floor are not read.
func (s *Store) searchWalk(ctx context.Context, f Filter, phrase string, words []string, top, floor int64, limit int) ([]Summary, error) {
	for i, w := range words {
		words[i] = foldASCII(w)
	}
	// One connection: the statements read one snapshot, and a search holds
	// one of the read pool's connections, however many lists it walks.
	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	prepare := func(query string) (*sql.Stmt, error) { return conn.PrepareContext(ctx, query) }

	// The rows that pass the filters: with a conversation, its rows from
	// Since on (an id bound, see selectAttempts), and the other filters
	// are a list of their own; without one, every filter.
	lead, rest := f, Filter{Action: f.Action, Event: f.Event, Outcome: f.Outcome, Kind: f.Kind, RunID: f.RunID}
	lead.Text, lead.Before, lead.Limit = "", 0, 0
	if f.Conversation != "" {
		lead = Filter{Conversation: f.Conversation, Since: f.Since}
	} else {
		rest = Filter{}
	}
	leadSel := selectAttempts(lead, false)
	if floor > 0 {
		leadSel.and("id >= ?", floor)
	}
	leadSel.and("id <= ?")
	leadStmt, err := prepare(leadSel.with + "SELECT id FROM attempts" + leadSel.where + leadSel.newest)
	if err != nil {
		return nil, err
	}
	defer leadStmt.Close()
	rows, err := openList(ctx, leadStmt, leadSel.args, top-1)
	if err != nil {
		return nil, err
	}
	defer rows.close()
	first := s.probe.first
	if floor > 0 && f.Conversation == "" {
		// A window: if few rows in it pass the filters, their text is
		// all matched here.
		var n int
		count := leadSel.with + "SELECT count(*) FROM (SELECT 1 FROM attempts" + leadSel.where + " LIMIT ?)"
		if err := conn.QueryRowContext(ctx, count, append(leadSel.args[:len(leadSel.args):len(leadSel.args)], top-1, s.probe.few+1)...).Scan(&n); err != nil {
			return nil, err
		}
		if n <= s.probe.few {
			first = max(first, n)
		}
	}

	var others *idList // nil when the lead list holds every filter
	if rest != (Filter{}) {
		sel := selectAttempts(rest, false)
		sel.and("id <= ?")
		stmt, err := prepare(sel.with + "SELECT id FROM attempts" + sel.where + sel.newest)
		if err != nil {
			return nil, err
		}
		defer stmt.Close()
		if others, err = openList(ctx, stmt, sel.args, top-1); err != nil {
			return nil, err
		}
		defer others.close()
	}
	// passes says whether id passes the other filters.
	passes := func(id int64) (bool, error) {
		if others == nil {
			return true, nil
		}
		err := others.to(ctx, id, seekSteps)
		return others.cur == id, err
	}

	matchStmt, err := prepare("SELECT docid FROM attempts_text WHERE attempts_text MATCH ? AND docid <= ? ORDER BY docid DESC")
	if err != nil {
		return nil, err
	}
	defer matchStmt.Close()
	var matches *idList // opened after first rows' text were matched here
	defer func() {
		if matches != nil {
			matches.close()
		}
	}()
	probe, err := prepare("SELECT " + textColumns + " FROM attempts WHERE id = ?")
	if err != nil {
		return nil, err
	}
	defer probe.Close()
	texts := make([]sqlBody, 9) // textColumns
	dest := make([]any, len(texts))
	for i := range texts {
		dest[i] = &texts[i]
	}
	probed := 0
	// hasText says whether id's text has the phrase.
	hasText := func(id int64) (bool, error) {
		if matches == nil && probed >= first {
			// From the top: the list is read from its newest entry
			// whatever the bound, and the steps toward id stay bounded.
			m, err := openList(ctx, matchStmt, []any{phrase}, top-1)
			if err != nil {
				return false, err
			}
			matches = m
		}
		for n := 0; matches != nil && matches.cur > id && n < s.probe.steps; n++ {
			if err := matches.next(); err != nil {
				return false, err
			}
		}
		if matches != nil && matches.cur <= id {
			return matches.cur == id, nil
		}
		probed++
		if err := probe.QueryRowContext(ctx, id).Scan(dest...); err != nil {
			return false, err
		}
		for _, t := range texts {
			if phraseIn(words, t.b) {
				return true, nil
			}
		}
		return false, nil
	}

	var ids []any
	for len(ids) < limit && rows.cur >= 0 {
		id := rows.cur
		if matches != nil && matches.cur < id {
			if matches.cur < 0 {
				break // no match left
			}
			// The text index's list is past id: on to its entry.
			if err := rows.to(ctx, matches.cur, seekSteps); err != nil {
				return nil, err
			}
			continue
		}
		// The other filters first when the list lags: they are cheaper.
		ok, err := passes(id)
		if err == nil && ok {
			ok, err = hasText(id)
		}
		if err != nil {
			return nil, err
		}
		if ok {
			ids = append(ids, id)
		}
		if others != nil && others.cur < 0 {
			break // no row left passes the other filters
		}
		if err := rows.next(); err != nil {
			return nil, err
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	query := "SELECT " + summaryColumns + " FROM attempts WHERE id IN (?" + strings.Repeat(", ?", len(ids)-1) + ") ORDER BY id DESC"
	return querySummaries(ctx, conn, query, ids)
}

// idList is a list of ids, newest first, read from a statement whose
// last argument is the highest id wanted ("id <= ?").
type idList struct {
	stmt *sql.Stmt
	args []any // the statement's arguments but the last
	rows *sql.Rows
	cur  int64 // the current entry; -1 once the list has ended
}

func openList(ctx context.Context, stmt *sql.Stmt, args []any, highest int64) (*idList, error) {
	l := &idList{stmt: stmt, args: args}
	return l, l.seek(ctx, highest)
}

// seek moves the list to its first entry at or below id, by querying again.
func (l *idList) seek(ctx context.Context, id int64) error {
	l.close()
	rows, err := l.stmt.QueryContext(ctx, append(l.args[:len(l.args):len(l.args)], id)...)
	if err != nil {
		return err
	}
	l.rows = rows
	return l.next()
}

func (l *idList) next() error {
	if l.rows.Next() {
		return l.rows.Scan(&l.cur)
	}
	l.cur = -1
	return l.rows.Err()
}

// to moves the list to its first entry at or below id, an entry at a time
// for up to steps entries, then by seeking.
func (l *idList) to(ctx context.Context, id int64, steps int) error {
	for n := 0; l.cur > id; n++ {
		if n == steps {
			return l.seek(ctx, id)
		}
		if err := l.next(); err != nil {
			return err
		}
	}
	return nil
}

func (l *idList) close() {
	if l.rows != nil {
		_ = l.rows.Close()
	}
}

// phraseIn says whether text holds words (lowered) side by side, as the
// text index's simple tokenizer sees it: up to its first NUL, in runs of
// ASCII letters and digits and bytes from 0x80, ASCII letters lowered.
func phraseIn(words []string, text []byte) bool {
	if i := bytes.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	var toks [][]byte
	start := -1
	for i := 0; i <= len(text); i++ {
		if i < len(text) && isTokenByte(text[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			toks = append(toks, text[start:i])
			start = -1
		}
	}
next:
	for i := 0; i+len(words) <= len(toks); i++ {
		for j, w := range words {
			if !equalFoldASCII(toks[i+j], w) {
				continue next
			}
		}
		return true
	}
	return false
}

func isTokenByte(c byte) bool {
	return c >= 0x80 || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// equalFoldASCII compares tok, ASCII letters lowered, with lowered w.
func equalFoldASCII(tok []byte, w string) bool {
	if len(tok) != len(w) {
		return false
	}
	for i, c := range tok {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// summaries runs sel's newest limit rows.
func (s *Store) summaries(ctx context.Context, sel selection, limit int) ([]Summary, error) {
	query, args := sel.page(limit)
	return s.querySummaries(ctx, query, args)
}

// querySummaries runs a query of summary columns and scans its rows.
func (s *Store) querySummaries(ctx context.Context, query string, args []any) ([]Summary, error) {
	return querySummaries(ctx, s.rdb, query, args)
}

// rowsQuerier is a *sql.DB or a *sql.Conn.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func querySummaries(ctx context.Context, q rowsQuerier, query string, args []any) ([]Summary, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		sum, err := scanSummary(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, rows.Err()
}

// searchWords are text's words, as the text index's simple tokenizer
// makes them: runs of ASCII letters and digits and of any non-ASCII
// character. The index is asked for them as one phrase; with no quote or
// operator in a word, nothing in text can be query syntax.
func searchWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r < utf8.RuneSelf && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	})
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
