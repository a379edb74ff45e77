package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// defaultLimit is Filter.Limit's zero value: a screenful.
const defaultLimit = 50

// Get returns one attempt whole.
func (s *Store) Get(ctx context.Context, id int64) (*Entry, error) {
	if err := s.checkOpen("get"); err != nil {
		return nil, err
	}
	row := s.rdb.QueryRowContext(ctx, "SELECT id, "+attemptColumns+" FROM attempts WHERE id = ?", id)
	e, err := scanAttempt(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &storeError{path: s.path, msg: fmt.Sprintf("no attempt %d", id), kind: ErrNotFound}
	}
	if err != nil {
		return nil, wrapErr(s.path, fmt.Sprintf("get attempt %d", id), err)
	}
	return e, nil
}

// List returns matching attempts, newest first, paged by id.
func (s *Store) List(ctx context.Context, f Filter) ([]Summary, error) {
	if err := s.checkOpen("list"); err != nil {
		return nil, err
	}
	if f.Text != "" {
		page, err := s.Search(ctx, f, 0)
		return page.Rows, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	// Keyset paging: the next page is "id < last id seen", an index range
	// that costs the same on page 1 and page 20,000; OFFSET would walk
	// every skipped row.
	query, args := listQuery(f, limit)
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrapErr(s.path, "list", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		sum, err := scanSummary(rows)
		if err != nil {
			return nil, wrapErr(s.path, "list", err)
		}
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(s.path, "list", err)
	}
	return out, nil
}

// scanSummary reads summaryColumns, then any extra destinations.
func scanSummary(rows *sql.Rows, extra ...any) (Summary, error) {
	var (
		sum                                        Summary
		recordedAt, at                             sql.NullString
		status                                     sql.NullInt64
		kind, event, trigger, outcome, replyAction string
		latency                                    float64
		err                                        error
	)
	dest := append([]any{&sum.ID, &recordedAt, &at, &kind, &sum.ConversationID, &sum.ActionID,
		&event, &trigger, &outcome, &status, &latency, &sum.DeliveryID, &replyAction}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return Summary{}, err
	}
	if sum.RecordedAt, err = parseTime(recordedAt); err != nil {
		return Summary{}, fmt.Errorf("attempt %d: column recorded_at: %w", sum.ID, err)
	}
	if sum.At, err = parseTime(at); err != nil {
		return Summary{}, fmt.Errorf("attempt %d: column at: %w", sum.ID, err)
	}
	sum.Kind, sum.Event, sum.Trigger = engine.Kind(kind), engine.Event(event), engine.Trigger(trigger)
	sum.Outcome, sum.ReplyAction = engine.Outcome(outcome), engine.ReplyAction(replyAction)
	sum.Status, sum.Latency = int(status.Int64), fromLatencyMs(latency)
	return sum, nil
}

// CountByOutcome counts matching attempts per outcome (Before and Limit are ignored).
func (s *Store) CountByOutcome(ctx context.Context, f Filter) (map[engine.Outcome]int, error) {
	if err := s.checkOpen("count"); err != nil {
		return nil, err
	}
	query, args := countQuery(f)
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrapErr(s.path, "count", err)
	}
	defer rows.Close()
	counts := make(map[engine.Outcome]int)
	for rows.Next() {
		var (
			outcome string
			n       int
		)
		if err := rows.Scan(&outcome, &n); err != nil {
			return nil, wrapErr(s.path, "count", err)
		}
		counts[engine.Outcome(outcome)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(s.path, "count", err)
	}
	return counts, nil
}

// equality is one "column = value" filter. rank orders the filters by how
// few rows they are likely to match; the best one drives the index.
type equality struct {
	column  string
	value   any
	rank    int
	partial bool // its index holds only the rows where column <> ''
}

// selection is the attempts a Filter selects, as SQL: a statement is
// with + "SELECT … FROM attempts" + where [+ more terms] [+ newest].
type selection struct {
	with   string // a WITH clause where needs, or empty
	where  string // " WHERE …", or empty
	args   []any  // where's arguments, in order
	newest string // " ORDER BY …": newest first, in the order the chosen index keeps
}

// and adds a term (a condition with its arguments) to the WHERE clause.
func (sel *selection) and(term string, args ...any) {
	if sel.where == "" {
		sel.where = " WHERE " + term
	} else {
		sel.where += " AND " + term
	}
	sel.args = append(sel.args, args...)
}

// blocks numbers the blocks of attempts_conversation_block (schema.go)
// from the newest down to 0; a conversation's rows are looked for in each.
// A million attempts are 62 blocks, and a block without the conversation
// costs one index seek.
const blocks = `WITH RECURSIVE blocks(b) AS (
	SELECT (SELECT max(id) FROM attempts) >> 14 UNION ALL SELECT b - 1 FROM blocks WHERE b > 0) `

// block is an attempt's block, spelled as the index's own expression so
// that SQLite matches it to the index.
const block = "(id >> 14)"

// selectAttempts turns f into a selection; paging says whether f.Before
// applies.
//
// Without statistics SQLite cannot tell which of two equality indexes is
// narrower and may pick the wrong one: "kind = 'action' AND
// conversation_id = ?" through the kind index walks most of the table.
// So exactly one filter, the likeliest narrowest, may use its index; the
// others are written "+column = ?", which SQLite checks per row but never
// looks up through an index.
func selectAttempts(f Filter, paging bool) selection {
	var eqs []equality
	add := func(column, value string, rank int, partial bool) {
		if value != "" {
			eqs = append(eqs, equality{column, value, rank, partial})
		}
	}
	add("conversation_id", f.Conversation, 0, false) // a conversation is a few dozen attempts
	if f.RunID != 0 {
		// A run's failures are few; a load run's attempts are many, so the
		// failures' outcome index drives when both are given.
		eqs = append(eqs, equality{"run_id", f.RunID, 2, false})
	}
	outcomeRank := 1 // failures are the rare outcomes people filter for
	if f.Outcome.Succeeded() {
		outcomeRank = 4 // successes are most of the table
	}
	add("outcome", string(f.Outcome), outcomeRank, false)
	add("action_id", f.Action, 2, true)
	add("event", string(f.Event), 3, true)
	add("kind", string(f.Kind), 5, false)

	best := -1
	for i, eq := range eqs {
		if best < 0 || eq.rank < eqs[best].rank {
			best = i
		}
	}
	sel := selection{newest: " ORDER BY id DESC"}
	for i, eq := range eqs {
		switch {
		case i == best && eq.column == "conversation_id":
			// Block by block, newest first: the index's own order, and
			// id order, since blocks are ranges of ids.
			sel.with = blocks
			sel.and(block+" IN blocks AND conversation_id = ?", eq.value)
			sel.newest = " ORDER BY " + block + " DESC, id DESC"
		case i == best && eq.partial:
			// The literal term lets SQLite match the partial index's WHERE.
			sel.and(eq.column+" = ? AND "+eq.column+" <> ''", eq.value)
		case i == best:
			sel.and(eq.column+" = ?", eq.value)
		default:
			sel.and("+"+eq.column+" = ?", eq.value)
		}
	}
	if !f.Since.IsZero() {
		// recorded_at never decreases with id (the writer's stamp), so
		// "recorded at or after Since" is "id at or above the first such
		// row's id": an id range every index above serves. That row is
		// the first of its transaction, which stamps lists. No such row
		// makes the bound NULL, and the result empty.
		sel.and("id >= (SELECT first_id FROM stamps WHERE recorded_at >= ? ORDER BY recorded_at, first_id LIMIT 1)", isoTime(f.Since))
	}
	if paging && f.Before > 0 {
		sel.and("id < ?", f.Before)
	}
	return sel
}

// page is the statement for the newest limit attempts of sel, as
// summaries.
func (sel selection) page(limit int) (string, []any) {
	return sel.with + "SELECT " + summaryColumns + " FROM attempts" + sel.where + sel.newest + " LIMIT ?",
		append(sel.args, limit)
}

// listQuery is List's statement.
func listQuery(f Filter, limit int) (string, []any) {
	return selectAttempts(f, true).page(limit)
}

// countQuery is CountByOutcome's statement.
func countQuery(f Filter) (string, []any) {
	sel := selectAttempts(f, false)
	return sel.with + "SELECT outcome, count(*) FROM attempts" + sel.where + " GROUP BY outcome", sel.args
}

// countedCallsQuery is CountedCalls' statement, from (timeLayout) on.
func countedCallsQuery(conversation string, from string) (string, []any) {
	sel := selectAttempts(Filter{Conversation: conversation}, false)
	sel.and("counts_against_limit = 1 AND at >= ?", from)
	return sel.with + "SELECT at FROM attempts" + sel.where + " ORDER BY at, id", sel.args
}

// CountedCalls returns the virtual times of the conversation's action calls
// that count against the rate limit (engine.Attempt.CountsAgainstLimit) at
// or after since, oldest first, so a new process can seed its limiter.
func (s *Store) CountedCalls(ctx context.Context, conversation string, since time.Time) ([]time.Time, error) {
	if err := s.checkOpen("read counted calls"); err != nil {
		return nil, err
	}
	from := "" // below every time
	if !since.IsZero() {
		from = since.UTC().Format(timeLayout)
	}
	// The conversation's rows come through its index and are sorted by
	// virtual time: a conversation is small (see schema.go).
	query, args := countedCallsQuery(conversation, from)
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrapErr(s.path, "read counted calls", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at sql.NullString
		if err := rows.Scan(&at); err != nil {
			return nil, wrapErr(s.path, "read counted calls", err)
		}
		t, err := parseTime(at)
		if err != nil {
			return nil, wrapErr(s.path, "read counted calls", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(s.path, "read counted calls", err)
	}
	return out, nil
}

// Transcript returns a conversation's turns in order.
func (s *Store) Transcript(ctx context.Context, conversation string) ([]Turn, error) {
	if err := s.checkOpen("read transcript"); err != nil {
		return nil, err
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT at, speaker, text, attempt_id FROM turns
		WHERE conversation_id = ? ORDER BY id`, conversation)
	if err != nil {
		return nil, wrapErr(s.path, "read transcript", err)
	}
	defer rows.Close()
	var out []Turn
	for rows.Next() {
		var (
			at            sql.NullString
			attemptID     sql.NullInt64
			speaker, text string
		)
		if err := rows.Scan(&at, &speaker, &text, &attemptID); err != nil {
			return nil, wrapErr(s.path, "read transcript", err)
		}
		t, err := parseTime(at)
		if err != nil {
			return nil, wrapErr(s.path, "read transcript", err)
		}
		out = append(out, Turn{ConversationID: conversation, At: t,
			Speaker: Speaker(speaker), Text: text, AttemptID: attemptID.Int64})
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(s.path, "read transcript", err)
	}
	return out, nil
}
