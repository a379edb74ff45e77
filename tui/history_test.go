package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/tui/historyview"
)

func TestHistoryView(t *testing.T) {
	m, store, _ := bench(t)
	dir := m.opts.ExportDir
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "Hi! I'm Acme's assistant")
	say(tm, "where is my order 1042")
	waitFor(t, tm, "Your latest order #1042 is shipped.")

	tm.Send(tea.KeyMsg{Type: tea.KeyF2})
	waitFor(t, tm, "History", "ACTION/EVENT", "→ on_message_received", "order_lookup", "conv_test", "page 1")

	// The filter input: an unknown key is an error line, then a real filter.
	tm.Send(runes("/"))
	tm.Type("colour:red")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, `unknown filter key "colour"`)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	tm.Type("outcome:message")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "page 1 · outcome:message")

	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "action    order_lookup (ai_intent)", "status    200 OK")

	// t: the attempt's conversation in the inspector; esc back to the attempt.
	tm.Send(runes("t"))
	waitFor(t, tm, "Transcript", "Conversation conv_test", "visitor: where is my order", "bot: Your latest order #1042")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitFor(t, tm, "action    order_lookup (ai_intent)")

	tm.Send(runes("x"))
	waitFor(t, tm, "exported attempt 3 as cURL to")
	tm.Send(runes("r"))
	waitFor(t, tm, "resent attempt 3 as 5: message")

	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t).(Model)
	rows := final.hist.Rows()
	if len(rows) != 2 || rows[0].ID != 5 || rows[1].ID != 3 {
		t.Errorf("rows after the resend %+v, want attempts 5 and 3, both order_lookup", rows)
	}
	for _, r := range rows {
		if r.Outcome != engine.OutcomeMessage {
			t.Errorf("outcome:message shows %d with outcome %s", r.ID, r.Outcome)
		}
	}
	// Both panes fit the screen, their bottom borders side by side.
	view := final.View()
	if lines := strings.Split(view, "\n"); len(lines) > 40 || !strings.Contains(view, "╯╰") {
		t.Errorf("the history screen does not fit 120x40 (%d lines):\n%s", len(lines), view)
	}
	if got := final.insp.View(); !strings.Contains(got, "order_lookup") {
		t.Errorf("inspector:\n%s", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, "attempt-3.sh"))
	if err != nil || !strings.Contains(string(b), "curl -sS -X POST 'https://127.0.0.1:") {
		t.Errorf("attempt-3.sh: %v\n%s", err, b)
	}
	e, err := store.Get(context.Background(), 5)
	if err != nil || e.Attempt.ActionID != "order_lookup" || e.Attempt.ConversationID != "conv_test" || e.Attempt.Trigger != engine.TriggerManual {
		t.Errorf("the resent attempt: %v %+v", err, e)
	}
}

// fakeStore serves ids n…1, newest first, and counts the reads.
type fakeStore struct {
	n     int64
	lists []history.Filter
}

func (f *fakeStore) List(_ context.Context, fl history.Filter) ([]history.Summary, error) {
	f.lists = append(f.lists, fl)
	top := f.n
	if fl.Before > 0 {
		top = fl.Before - 1
	}
	var out []history.Summary
	for id := top; id > 0 && len(out) < fl.Limit; id-- {
		out = append(out, history.Summary{ID: id, ActionID: fmt.Sprintf("a%d", id), Outcome: engine.OutcomeMessage})
	}
	return out, nil
}

func (f *fakeStore) Transcript(context.Context, string) ([]history.Turn, error) {
	return nil, nil
}

func (f *fakeStore) Get(context.Context, int64) (*history.Entry, error) {
	return nil, history.ErrNotFound
}

// run runs cmd and feeds what it returns back to m, as the program would.
func run(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	for _, msg := range drain(cmd) {
		m, _ = update(t, m, msg)
	}
	return m
}

func drain(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, drain(c)...)
		}
		return out
	case nil:
		return nil
	default:
		return []tea.Msg{msg}
	}
}

func press(t tea.KeyType) tea.KeyMsg { return tea.KeyMsg{Type: t} }

func TestHistoryPagingCursors(t *testing.T) {
	m := offline(t)
	fs := &fakeStore{n: 100}
	m.hist = historyview.New(m.c, historyview.Options{Store: fs})
	m.layout()
	size := m.hist.PageSize() // 24 rows less chrome
	m, cmd := update(t, m, press(tea.KeyF2))
	m = run(t, m, cmd)
	if rows := m.hist.Rows(); len(rows) != size || rows[0].ID != 100 {
		t.Fatalf("first page: %d rows from %d, want %d from 100", len(rows), rows[0].ID, size)
	}
	m, cmd = update(t, m, press(tea.KeyPgDown))
	m = run(t, m, cmd)
	if got, want := m.hist.Cursors(), []int64{0, int64(100 - size + 1)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("cursors after pgdn %v, want %v", got, want)
	}
	if rows := m.hist.Rows(); rows[0].ID != int64(100-size) {
		t.Errorf("second page starts at %d, want %d", rows[0].ID, 100-size)
	}
	for range 10 { // past the end: stays on the last page
		m, cmd = update(t, m, press(tea.KeyPgDown))
		m = run(t, m, cmd)
	}
	last := m.hist.Rows()
	if last[len(last)-1].ID != 1 {
		t.Errorf("the last page ends at %d, want 1", last[len(last)-1].ID)
	}
	depth := len(m.hist.Cursors())
	m, cmd = update(t, m, press(tea.KeyPgUp))
	m = run(t, m, cmd)
	if len(m.hist.Cursors()) != depth-1 {
		t.Errorf("pgup: %d cursors, want %d", len(m.hist.Cursors()), depth-1)
	}
	for range 10 {
		m, cmd = update(t, m, press(tea.KeyPgUp))
		m = run(t, m, cmd)
	}
	if rows := m.hist.Rows(); rows[0].ID != 100 || len(m.hist.Cursors()) != 1 {
		t.Errorf("pgup back to the top: first row %d, cursors %v", rows[0].ID, m.hist.Cursors())
	}
	for _, f := range fs.lists {
		if f.Limit != size+1 {
			t.Errorf("a page asked for %d rows, want %d (one more than fits)", f.Limit, size+1)
		}
	}
	// Esc goes back to the conversation.
	m, _ = update(t, m, press(tea.KeyEsc))
	if m.showHistory {
		t.Error("esc did not leave the history")
	}
}

func TestHistoryStalePagesAreDropped(t *testing.T) {
	m := offline(t)
	fs := &fakeStore{n: 100}
	m.hist = historyview.New(m.c, historyview.Options{Store: fs})
	m.layout()
	m, first := update(t, m, press(tea.KeyF2))
	m, second := update(t, m, runes("o")) // outcome:message, asked for after
	stale := drain(first)                 // 100 rows
	fs.n = 0
	newer := drain(second) // none
	m, _ = update(t, m, append(newer, stale...)...)
	if got := m.hist.Query().Outcome; got != engine.OutcomeMessage {
		t.Errorf("o set outcome %q, want message", got)
	}
	if fs.lists[0].Outcome != "" || fs.lists[1].Outcome != engine.OutcomeMessage {
		t.Errorf("filters asked for: %+v", fs.lists)
	}
	if rows := m.hist.Rows(); len(rows) != 0 {
		t.Errorf("the stale page, arriving last, replaced the current one: %d rows", len(rows))
	}
}

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want historyview.Query
		err  string
	}{
		{"", historyview.Query{}, ""},
		{"outcome:timeout action:order_lookup conv:conv_1", historyview.Query{Outcome: engine.OutcomeTimeout, Action: "order_lookup", Conversation: "conv_1"}, ""},
		{"  conversation:c2  ", historyview.Query{Conversation: "c2"}, ""},
		{"outcome:late", historyview.Query{}, `unknown outcome "late"`},
		{"colour:red", historyview.Query{}, `unknown filter key "colour"`},
		{"timeout", historyview.Query{}, "want key:value"},
		{"action:", historyview.Query{}, "want key:value"},
	} {
		got, err := historyview.ParseQuery(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseQuery(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseQuery(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if back, _ := historyview.ParseQuery(got.String()); back != got {
			t.Errorf("%q does not round-trip: %+v", got.String(), back)
		}
	}
}

func TestOutcomeKeyCycles(t *testing.T) {
	m := offline(t)
	m.hist = historyview.New(m.c, historyview.Options{Store: &fakeStore{}})
	m, _ = update(t, m, press(tea.KeyF2))
	var seen []engine.Outcome
	for range len(engine.Outcomes) + 1 {
		m, _ = update(t, m, runes("o"))
		seen = append(seen, m.hist.Query().Outcome)
	}
	want := append(append([]engine.Outcome(nil), engine.Outcomes...), "")
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("o cycled %v, want %v", seen, want)
	}
}

func TestTriggerPickerFiresAnAction(t *testing.T) {
	m, store, conv := bench(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "Hi! I'm Acme's assistant")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlT})
	waitFor(t, tm, "Fire an action", "order_lookup", "order_status", "refund")
	tm.Send(tea.KeyMsg{Type: tea.KeyDown}) // order_status
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "→ order_status (manual)")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t)
	list, err := store.List(context.Background(), history.Filter{Conversation: conv, Action: "order_status"})
	if err != nil || len(list) != 1 || list[0].Trigger != engine.TriggerManual {
		t.Errorf("history of order_status: %v %+v", err, list)
	}
}

func TestPickerEscCancels(t *testing.T) {
	m := offline(t)
	m, _ = update(t, m, press(tea.KeyCtrlT))
	if m.pick == nil || !strings.Contains(m.View(), "Fire an action") {
		t.Fatal("ctrl+t did not open the picker")
	}
	m, cmd := update(t, m, press(tea.KeyEsc))
	if m.pick != nil || cmd != nil {
		t.Errorf("esc: picker %v, cmd %v; want closed, nothing fired", m.pick != nil, cmd != nil)
	}
}
