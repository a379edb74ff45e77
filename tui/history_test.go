package tui

import (
	"bytes"
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
	"github.com/actionbench/actionbench/tui/common"
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

	// The filter input: an unknown outcome is an error line, then text
	// (found in the response body, in any case), then a real filter.
	tm.Send(runes("/"))
	tm.Type("outcome:late")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, `unknown outcome "late"`)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	tm.Type("#1042 IS SHIPPED")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "page 1 · #1042 IS SHIPPED · 4 attempts read")
	tm.Send(runes("/"))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
	tm.Type("outcome:message")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "page 1 · outcome:message   ") // loaded: no "· loading…"

	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "action    order_lookup (ai_intent)", "status    200 OK")

	// t: the attempt's conversation in the inspector; esc back to the attempt.
	tm.Send(runes("t"))
	waitFor(t, tm, "Transcript", "Conversation conv_test", "visitor: where is my", "bot: Your latest order") // wrapped in a 38-cell pane
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitFor(t, tm, "action    order_lookup (ai_intent)")

	tm.Send(runes("x"))
	// The whole path, on the activity line, not cut at the table's width.
	waitFor(t, tm, "exported attempt 3 as cURL to "+filepath.Join(dir, "attempt-3.sh"))
	tm.Send(runes("r"))
	waitFor(t, tm, "resent attempt 3 as 5: message")

	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t).(Model)
	rows := final.hist.Table.Rows()
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
	// The resend's result is selected and open in the inspector.
	if sel := final.hist.Table.Selected(); sel == nil || sel.ID != 5 {
		t.Errorf("selected %+v after the resend, want attempt 5", sel)
	}
	resent, err := store.Get(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if got := final.hist.Inspector.View(); !strings.Contains(got, "order_lookup") || !strings.Contains(got, resent.Attempt.DeliveryID) {
		t.Errorf("inspector does not show attempt 5 (%s):\n%s", resent.Attempt.DeliveryID, got)
	}
	b, err := os.ReadFile(filepath.Join(dir, "attempt-3.sh"))
	if err != nil || !strings.Contains(string(b), "curl -sS -X POST 'https://127.0.0.1:") {
		t.Errorf("attempt-3.sh: %v\n%s", err, b)
	}
	// The resend is a redelivery: attempt 3's bytes, under a new delivery id.
	e, err := store.Get(context.Background(), 5)
	orig, err3 := store.Get(context.Background(), 3)
	if err != nil || err3 != nil {
		t.Fatal(err, err3)
	}
	if a, o := e.Attempt, orig.Attempt; a.ActionID != "order_lookup" || a.ConversationID != "conv_test" || a.Trigger != o.Trigger ||
		!bytes.Equal(a.Request.Body, o.Request.Body) || a.DeliveryID == o.DeliveryID {
		t.Errorf("the resent attempt %+v, want attempt 3's action, trigger, conversation and body under a new delivery id", a)
	}
}

// fakeStore serves ids n…1, newest first, and counts the reads. A text
// search reads fakeWindow ids per call, whatever window it is given, and
// matches "rare" on multiples of 97 and "common" on multiples of 3.
type fakeStore struct {
	n     int64
	lists []history.Filter
}

const fakeWindow = 100

func (f *fakeStore) Search(_ context.Context, fl history.Filter, _ int64) (history.Page, error) {
	f.lists = append(f.lists, fl)
	top := f.n + 1
	if fl.Before > 0 {
		top = fl.Before
	}
	floor := int64(1)
	if fl.Text != "" {
		floor = max(top-fakeWindow, 1)
	}
	var page history.Page
	id := top - 1
	for ; id >= floor && len(page.Rows) < fl.Limit; id-- {
		if (fl.Text == "rare" && id%97 != 0) || (fl.Text == "common" && id%3 != 0) {
			continue
		}
		page.Rows = append(page.Rows, history.Summary{ID: id, ActionID: fmt.Sprintf("a%d", id), Outcome: engine.OutcomeMessage})
	}
	page.Searched = top - 1 - id
	if id >= 1 {
		page.Next = id + 1 // the last row read, or the window's floor
		if len(page.Rows) < fl.Limit {
			page.Next = floor
		}
	}
	return page, nil
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
	m.hist.Table = historyview.New(m.c, historyview.Options{Store: fs})
	m.layout()
	size := m.hist.Table.PageSize() // 24 rows less chrome
	m, cmd := update(t, m, press(tea.KeyF2))
	m = run(t, m, cmd)
	if rows := m.hist.Table.Rows(); len(rows) != size || rows[0].ID != 100 {
		t.Fatalf("first page: %d rows from %d, want %d from 100", len(rows), rows[0].ID, size)
	}
	m, cmd = update(t, m, press(tea.KeyPgDown))
	m = run(t, m, cmd)
	if got, want := m.hist.Table.Cursors(), []int64{0, int64(100 - size + 1)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("cursors after pgdn %v, want %v", got, want)
	}
	if rows := m.hist.Table.Rows(); rows[0].ID != int64(100-size) {
		t.Errorf("second page starts at %d, want %d", rows[0].ID, 100-size)
	}
	for range 10 { // past the end: stays on the last page
		m, cmd = update(t, m, press(tea.KeyPgDown))
		m = run(t, m, cmd)
	}
	last := m.hist.Table.Rows()
	if last[len(last)-1].ID != 1 {
		t.Errorf("the last page ends at %d, want 1", last[len(last)-1].ID)
	}
	depth := len(m.hist.Table.Cursors())
	m, cmd = update(t, m, press(tea.KeyPgUp))
	m = run(t, m, cmd)
	if len(m.hist.Table.Cursors()) != depth-1 {
		t.Errorf("pgup: %d cursors, want %d", len(m.hist.Table.Cursors()), depth-1)
	}
	for range 10 {
		m, cmd = update(t, m, press(tea.KeyPgUp))
		m = run(t, m, cmd)
	}
	if rows := m.hist.Table.Rows(); rows[0].ID != 100 || len(m.hist.Table.Cursors()) != 1 {
		t.Errorf("pgup back to the top: first row %d, cursors %v", rows[0].ID, m.hist.Table.Cursors())
	}
	for _, f := range fs.lists {
		if f.Limit != size {
			t.Errorf("a page asked for %d rows, want %d", f.Limit, size)
		}
	}
	// Esc goes back to the conversation.
	m, _ = update(t, m, press(tea.KeyEsc))
	if m.cur == common.Page(m.hist) {
		t.Error("esc did not leave the history")
	}
}

func TestHistoryStalePagesAreDropped(t *testing.T) {
	m := offline(t)
	fs := &fakeStore{n: 100}
	m.hist.Table = historyview.New(m.c, historyview.Options{Store: fs})
	m.layout()
	m, first := update(t, m, press(tea.KeyF2))
	m, second := update(t, m, runes("o")) // outcome:message, asked for after
	stale := drain(first)                 // 100 rows
	fs.n = 0
	newer := drain(second) // none
	m, _ = update(t, m, append(newer, stale...)...)
	if got := m.hist.Table.Query().Outcome; got != engine.OutcomeMessage {
		t.Errorf("o set outcome %q, want message", got)
	}
	if fs.lists[0].Outcome != "" || fs.lists[1].Outcome != engine.OutcomeMessage {
		t.Errorf("filters asked for: %+v", fs.lists)
	}
	if rows := m.hist.Table.Rows(); len(rows) != 0 {
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
		{"action:", historyview.Query{}, "want action:value"},
		{"Conv:", historyview.Query{}, "want conv:value"},
		{"timeout", historyview.Query{Text: "timeout"}, ""},
		{" refund   please ", historyview.Query{Text: "refund please"}, ""},
		{"colour:red 12:30 https://x.example/a", historyview.Query{Text: "colour:red 12:30 https://x.example/a"}, ""},
		{"refund outcome:error conv:c1 please", historyview.Query{Outcome: engine.OutcomeError, Conversation: "c1", Text: "refund please"}, ""},
		{"text:outcome:timeout text:x", historyview.Query{Text: "outcome:timeout x"}, ""},
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
	m.hist.Table = historyview.New(m.c, historyview.Options{Store: &fakeStore{}})
	m, _ = update(t, m, press(tea.KeyF2))
	var seen []engine.Outcome
	for range len(engine.Outcomes) + 1 {
		m, _ = update(t, m, runes("o"))
		seen = append(seen, m.hist.Table.Query().Outcome)
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

// searchFor types a text filter into the history and feeds the view the
// pages it asks for, window after window, until it asks for none; it
// returns how many reads the filter took.
func searchFor(t *testing.T, m Model, fs *fakeStore, text string) (Model, int) {
	t.Helper()
	m, _ = update(t, m, runes("/"), tea.KeyMsg{Type: tea.KeyCtrlU}, runes(text))
	before := len(fs.lists)
	m, cmd := update(t, m, press(tea.KeyEnter))
	for i := 0; cmd != nil; i++ {
		if i > 100 {
			t.Fatal("the search never ends")
		}
		m, cmd = update(t, m, drain(cmd)...)
	}
	return m, len(fs.lists) - before
}

// historyOf opens the history view of an offline workbench on a
// fakeStore of n attempts, its first page read.
func historyOf(t *testing.T, n int64) (Model, *fakeStore) {
	t.Helper()
	m := offline(t)
	fs := &fakeStore{n: n}
	m.hist.Table = historyview.New(m.c, historyview.Options{Store: fs})
	m.layout()
	m, cmd := update(t, m, press(tea.KeyF2))
	return run(t, m, cmd), fs
}

func TestHistoryTextSearchReadsWindowByWindow(t *testing.T) {
	m, fs := historyOf(t, 1000)

	// Ten matches in a thousand rows: the page reads all ten windows.
	m, reads := searchFor(t, m, fs, "rare")
	var ids []int64
	for _, r := range m.hist.Table.Rows() {
		ids = append(ids, r.ID)
	}
	if fmt.Sprint(ids) != "[970 873 776 679 582 485 388 291 194 97]" || reads != 10 {
		t.Errorf("rare: rows %v after %d reads, want the ten multiples of 97 after 10", ids, reads)
	}
	if v := m.hist.Table.View(); !strings.Contains(v, "page 1 · rare · 1,000 attempts read") || strings.Contains(v, "more") {
		t.Errorf("footer after a whole search:\n%s", v)
	}
	for i, f := range fs.lists[len(fs.lists)-reads:] {
		if f.Text != "rare" || (i > 0 && f.Before != int64(1000-fakeWindow*i+1)) {
			t.Errorf("read %d: %+v, want text rare below %d", i, f, 1000-fakeWindow*i+1)
		}
	}

	// Common text fills the page from the first window; pgdn goes on below it.
	m, reads = searchFor(t, m, fs, "common")
	rows := m.hist.Table.Rows()
	if len(rows) != m.hist.Table.PageSize() || rows[0].ID != 999 || reads != 1 {
		t.Fatalf("common: %d rows from %d after %d reads, want a full page from 999 after 1", len(rows), rows[0].ID, reads)
	}
	if v := m.hist.Table.View(); !strings.Contains(v, "page 1 · more · common") {
		t.Errorf("footer with more to come:\n%s", v)
	}
	last := rows[len(rows)-1].ID
	m, cmd := update(t, m, press(tea.KeyPgDown))
	m = run(t, m, cmd)
	if rows := m.hist.Table.Rows(); len(rows) == 0 || rows[0].ID != last-3 {
		t.Errorf("pgdn: the page starts at %v, want %d", rows, last-3)
	}
}

func TestHistoryLeftMidSearchStopsReading(t *testing.T) {
	m, _ := historyOf(t, 1000)
	m, _ = update(t, m, runes("/"), runes("rare"))
	m, cmd := update(t, m, press(tea.KeyEnter))
	first := drain(cmd) // the first window: one match, more to read
	m, _ = update(t, m, press(tea.KeyEsc))
	m, cmd = update(t, m, first...)
	if cmd != nil {
		t.Errorf("the search read on after the history was closed: %v", drain(cmd))
	}
	if v := m.hist.Table.View(); strings.Contains(v, "searching") {
		t.Errorf("the closed view still says it searches:\n%s", v)
	}
}

// FuzzParseQuery: any input either fails with a message or reads back
// the same from its own String.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "outcome:timeout action:a conv:c refund", "text:outcome:x  y", "Outcome:message", "conv:", "a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := historyview.ParseQuery(s)
		if err != nil {
			if err.Error() == "" {
				t.Errorf("ParseQuery(%q): an empty error", s)
			}
			return
		}
		if back, err := historyview.ParseQuery(q.String()); err != nil || back != q {
			t.Errorf("ParseQuery(%q) = %+v; its String %q reads back as %+v, %v", s, q, q.String(), back, err)
		}
	})
}
