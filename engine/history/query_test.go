package history

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// fixture is a small history whose expected answers the tests compute
// from the inputs. Its ids jump every 12 attempts to just below the next
// multiple of 16,384, so that the history spans the conversation index's
// blocks (schema.go) and runs of attempts straddle their edges.
type fixture struct {
	s        *Store
	path     string
	attempts []*engine.Attempt
	ids      []int64     // attempts[i]'s id
	recorded []time.Time // attempts[i]'s
}

// blockSize is the span of ids of a block of the conversation index.
const blockSize = 1 << 14

// byID is the fixture's attempt with that id.
func (f *fixture) byID(id int64) *engine.Attempt {
	return f.attempts[slices.Index(f.ids, id)]
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := &fakeClock{now: t0}
	f := &fixture{path: testDB(t)}
	f.s = openTest(t, f.path, Options{Now: clock.Now})
	raw := rawDB(t, f.path)
	next := int64(1)
	outcomes := []engine.Outcome{engine.OutcomeMessage, engine.OutcomeData, engine.OutcomeError,
		engine.OutcomeTimeout, engine.OutcomeMessage, engine.OutcomeRateLimited, engine.OutcomeRejected}
	for i := range 60 {
		var a *engine.Attempt
		if i%4 == 3 {
			a = overrideEvent()
			a.Event = engine.Events[i%len(engine.Events)]
		} else {
			a = richAction()
			a.ActionID = []string{"order_lookup", "book_demo", "refund"}[i%3]
		}
		a.ConversationID = fmt.Sprintf("conv_%d", i%5)
		a.DeliveryID = fmt.Sprintf("dlv_%02d", i)
		a.Outcome = outcomes[i%len(outcomes)]
		a.At = t0.Add(time.Duration(i) * time.Minute)
		var placeholder int64
		if i > 0 && i%12 == 0 {
			// SQLite gives a new row the largest id plus one: a row
			// just below the target, deleted after, moves the next id.
			next = int64(i/12)*blockSize - 2
			placeholder = next - 1
			if _, err := raw.Exec("INSERT INTO attempts (id, "+attemptColumns+") VALUES (?"+strings.Repeat(", ?", numAttemptColumns)+")",
				append([]any{placeholder}, attemptValues(richAction(), t0)...)...); err != nil {
				t.Fatal(err)
			}
		}
		id, err := f.s.Record(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if id != next {
			t.Fatalf("id %d, want %d", id, next)
		}
		next++
		if placeholder > 0 {
			if _, err := raw.Exec("DELETE FROM attempts WHERE id = ?", placeholder); err != nil {
				t.Fatal(err)
			}
		}
		e, err := f.s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		f.attempts = append(f.attempts, a)
		f.ids = append(f.ids, id)
		f.recorded = append(f.recorded, e.RecordedAt)
	}
	return f
}

// want is the ids f.attempts hold that match flt, newest first.
func (f *fixture) want(flt Filter) []int64 {
	var ids []int64
	for i := len(f.attempts) - 1; i >= 0; i-- {
		a, id := f.attempts[i], f.ids[i]
		if (flt.Conversation != "" && a.ConversationID != flt.Conversation) ||
			(flt.Action != "" && a.ActionID != flt.Action) ||
			(flt.Event != "" && a.Event != flt.Event) ||
			(flt.Outcome != "" && a.Outcome != flt.Outcome) ||
			(flt.Kind != "" && a.Kind != flt.Kind) ||
			(!flt.Since.IsZero() && f.recorded[i].Before(flt.Since)) ||
			(flt.Before > 0 && id >= flt.Before) {
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

func filters(f *fixture) map[string]Filter {
	return map[string]Filter{
		"none":                   {},
		"conversation":           {Conversation: "conv_3"},
		"action":                 {Action: "book_demo"},
		"event":                  {Event: engine.EventTicketCreated},
		"outcome":                {Outcome: engine.OutcomeTimeout},
		"outcome success":        {Outcome: engine.OutcomeMessage},
		"kind":                   {Kind: engine.KindEvent},
		"since":                  {Since: f.recorded[40]},
		"since between":          {Since: f.recorded[40].Add(-time.Millisecond)},
		"since future":           {Since: f.recorded[59].Add(time.Hour)},
		"before":                 {Before: f.ids[30]},
		"before a block's first": {Before: f.ids[26]},
		"conversation before":    {Conversation: "conv_3", Before: f.ids[38]},
		"conversation and kind":  {Conversation: "conv_1", Kind: engine.KindAction},
		"action and outcome":     {Action: "refund", Outcome: engine.OutcomeError},
		"everything":             {Conversation: "conv_2", Kind: engine.KindAction, Outcome: engine.OutcomeMessage, Since: f.recorded[10], Before: f.ids[55]},
		"nothing matches":        {Conversation: "conv_404"},
		"event of kind action":   {Event: engine.EventMessageReceived, Kind: engine.KindAction},
		"outcome with no record": {Outcome: engine.OutcomeTooLarge},
	}
}

func TestListFilters(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for name, flt := range filters(f) {
		got, err := f.s.List(ctx, flt)
		if err != nil {
			t.Fatalf("%s: List: %v", name, err)
		}
		want := f.want(flt)
		if len(want) > defaultLimit {
			want = want[:defaultLimit]
		}
		if ids := summaryIDs(got); !slices.Equal(ids, want) {
			t.Errorf("%s: List ids = %v, want %v", name, ids, want)
		}
	}
}

func TestListSummary(t *testing.T) {
	f := newFixture(t)
	got, err := f.s.List(context.Background(), Filter{Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("List = %v, %v", got, err)
	}
	a := f.attempts[59]
	want := Summary{
		ID: f.ids[59], RecordedAt: f.recorded[59], At: a.At, Kind: a.Kind, ConversationID: a.ConversationID,
		ActionID: a.ActionID, Event: a.Event, Trigger: a.Trigger, Outcome: a.Outcome,
		Status: a.Response.Status, Latency: a.Latency, DeliveryID: a.DeliveryID, ReplyAction: a.ReplyAction,
	}
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("List()[0] = %+v, want %+v", got[0], want)
	}
	// No response: status 0.
	s := openTest(t, testDB(t), Options{})
	if _, err := s.Record(context.Background(), rateLimited()); err != nil {
		t.Fatal(err)
	}
	got, err = s.List(context.Background(), Filter{})
	if err != nil || len(got) != 1 || got[0].Status != 0 || got[0].Outcome != engine.OutcomeRateLimited {
		t.Errorf("List = %+v, %v; want one rate_limited row with status 0", got, err)
	}
}

func TestKeysetPaging(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for name, flt := range filters(f) {
		for _, size := range []int{1, 7, 60} {
			page := flt
			page.Limit = size
			var all []int64
			for range 100 {
				got, err := f.s.List(ctx, page)
				if err != nil {
					t.Fatalf("%s: List: %v", name, err)
				}
				if len(got) > size {
					t.Fatalf("%s: page of %d rows, want at most %d", name, len(got), size)
				}
				all = append(all, summaryIDs(got)...)
				if len(got) < size {
					break
				}
				page.Before = got[len(got)-1].ID
			}
			if want := f.want(flt); !slices.Equal(all, want) {
				t.Errorf("%s, pages of %d: ids = %v, want %v (no gaps, no duplicates)", name, size, all, want)
			}
		}
	}
}

func TestCountByOutcome(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for name, flt := range filters(f) {
		got, err := f.s.CountByOutcome(ctx, flt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		flt.Before, flt.Limit = 0, 0 // ignored by CountByOutcome
		want := map[engine.Outcome]int{}
		for _, id := range f.want(flt) {
			want[f.byID(id).Outcome]++
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: CountByOutcome = %v, want %v", name, got, want)
		}
	}
}

func TestCountedCalls(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, testDB(t), Options{})
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	record := func(conv string, min int, edit func(*engine.Attempt)) {
		t.Helper()
		a := richAction()
		a.ConversationID, a.At = conv, at(min)
		edit(a)
		if _, err := s.Record(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	noChange := func(*engine.Attempt) {}
	// Recorded out of virtual-time order, to check the ordering.
	record("c1", 7, noChange)                                                                                // counts
	record("c1", 3, func(a *engine.Attempt) { a.Outcome, a.Response = engine.OutcomeTimeout, nil })          // counts: sent
	record("c1", 4, func(a *engine.Attempt) { a.Outcome, a.Response = engine.OutcomeRateLimited, nil })      // refused
	record("c1", 5, func(a *engine.Attempt) { a.Outcome, a.Response = engine.OutcomeRejected, nil })         // refused
	record("c1", 6, func(a *engine.Attempt) { a.Outcome, a.Response = engine.OutcomeTooLarge, nil })         // request too large: never sent
	record("c1", 8, func(a *engine.Attempt) { a.Outcome = engine.OutcomeTooLarge })                          // response too large: counts
	record("c1", 9, func(a *engine.Attempt) { *a = *overrideEvent(); a.ConversationID, a.At = "c1", at(9) }) // events never count
	record("c2", 5, noChange)                                                                                // another conversation
	record("c1", 1, noChange)                                                                                // before the window
	record("c1", 2, func(a *engine.Attempt) { a.Outcome = engine.OutcomeError })                             // counts, on the edge

	got, err := s.CountedCalls(ctx, "c1", at(2))
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{at(2), at(3), at(7), at(8)}
	if len(got) != len(want) {
		t.Fatalf("CountedCalls = %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("CountedCalls[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	all, err := s.CountedCalls(ctx, "c1", time.Time{})
	if err != nil || len(all) != 5 {
		t.Errorf("CountedCalls(since zero) = %v, %v; want 5 calls", all, err)
	}
	none, err := s.CountedCalls(ctx, "c3", time.Time{})
	if err != nil || len(none) != 0 {
		t.Errorf("CountedCalls(unknown) = %v, %v; want none", none, err)
	}
}

func TestTranscript(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, testDB(t), Options{})
	id, err := s.Record(ctx, richAction())
	if err != nil {
		t.Fatal(err)
	}
	turns := []Turn{
		{ConversationID: "a", At: t0, Speaker: SpeakerVisitor, Text: "where is my order?"},
		{ConversationID: "b", At: t0, Speaker: SpeakerVisitor, Text: "hello"},
		{ConversationID: "a", At: t0.Add(time.Second), Speaker: SpeakerSystem, Text: "action order_lookup: message", AttemptID: id},
		{ConversationID: "a", At: t0.Add(time.Second), Speaker: SpeakerBot, Text: "It ships tomorrow.", AttemptID: id},
		{ConversationID: "b", Speaker: SpeakerBot, Text: "hi"}, // zero time
		{ConversationID: "a", At: t0.Add(-time.Hour), Speaker: SpeakerVisitor, Text: "thanks"},
	}
	for _, turn := range turns {
		if err := s.AddTurn(ctx, turn); err != nil {
			t.Fatal(err)
		}
	}
	for _, conv := range []string{"a", "b", "none"} {
		var want []Turn
		for _, turn := range turns {
			if turn.ConversationID == conv {
				want = append(want, turn)
			}
		}
		got, err := s.Transcript(ctx, conv)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("Transcript(%s) = %+v, want %+v", conv, got, want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if !g.At.Equal(w.At) || g.ConversationID != w.ConversationID || g.Speaker != w.Speaker || g.Text != w.Text || g.AttemptID != w.AttemptID {
				t.Errorf("Transcript(%s)[%d] = %+v, want %+v", conv, i, g, w)
			}
		}
	}
	if err := s.AddTurn(ctx, Turn{Speaker: SpeakerBot, Text: "no conversation"}); err == nil {
		t.Error("AddTurn without a conversation succeeded, want an error")
	}
}

// TestQueryPlans pins the plans the 1M-row figures rest on: every listing
// walks an index in id order (no sort, no full scan), whatever the filter.
func TestQueryPlans(t *testing.T) {
	f := newFixture(t)
	plan := func(query string, args []any) string {
		rows, err := f.s.rdb.Query("EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, detail)
		}
		return strings.Join(lines, "; ")
	}
	for name, flt := range filters(f) {
		p := plan(listQuery(flt, 50))
		if strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s: List sorts: %s", name, p)
		}
		if strings.Contains(p, "SCAN attempts USING") && !strings.Contains(p, "COVERING") {
			t.Errorf("%s: List scans a whole index: %s", name, p)
		}
		for _, want := range []struct {
			set   bool
			index string
		}{
			{flt.Conversation != "", "attempts_by_conversation (<expr>=? AND conversation_id=?"},
			{flt.Conversation == "" && flt.Outcome == engine.OutcomeTimeout, "attempts_by_outcome"},
			{flt.Conversation == "" && flt.Outcome == "" && flt.Action != "", "attempts_by_action"},
			{flt.Conversation == "" && flt.Outcome == "" && flt.Event != "", "attempts_by_event"},
			{flt.Kind != "" && flt == Filter{Kind: flt.Kind}, "attempts_by_kind"},
		} {
			if want.set && !strings.Contains(p, want.index) {
				t.Errorf("%s: List does not use %s: %s", name, want.index, p)
			}
		}
	}
	p := plan(countQuery(Filter{}))
	if !strings.Contains(p, "COVERING INDEX attempts_by_outcome") {
		t.Errorf("CountByOutcome: %s, want a scan of the covering outcome index", p)
	}
	p = plan(countQuery(Filter{Conversation: "c"}))
	if !strings.Contains(p, "attempts_by_conversation (<expr>=? AND conversation_id=?)") {
		t.Errorf("CountByOutcome(conversation): %s, want the conversation index, block by block", p)
	}
	p = plan(countedCallsQuery("c", ""))
	if !strings.Contains(p, "attempts_by_conversation (<expr>=? AND conversation_id=?)") {
		t.Errorf("CountedCalls: %s, want the conversation index, block by block", p)
	}
	p = plan(selectAttempts(Filter{Conversation: "c", Text: "x"}, false).page(50))
	if !strings.Contains(p, "attempts_by_conversation (<expr>=? AND conversation_id=?)") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("Search(conversation): %s, want the conversation index in order", p)
	}
	p = plan("SELECT at, speaker, text, attempt_id FROM turns WHERE conversation_id = ? ORDER BY id", []any{"c"})
	if !strings.Contains(p, "turns_conversation") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("Transcript: %s, want the turns index in order", p)
	}
}

func summaryIDs(sums []Summary) []int64 {
	ids := make([]int64, len(sums))
	for i, s := range sums {
		ids[i] = s.ID
	}
	return ids
}
