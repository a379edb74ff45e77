package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/tui/common"
)

var goldenSizes = []struct {
	name string
	w, h int
}{{"80x24", 80, 24}, {"120x40", 120, 40}, {"200x50", 200, 50}}

// fits fails t for a line wider than w or a screen taller than h.
func fits(t *testing.T, view string, w, h int) {
	t.Helper()
	for i, line := range strings.Split(view, "\n") {
		if lw := lipgloss.Width(line); lw > w {
			t.Errorf("line %d is %d wide, more than %d: %q", i, lw, w, line)
		}
	}
	if lh := lipgloss.Height(view); lh > h {
		t.Errorf("the screen is %d lines, more than %d", lh, h)
	}
}

// The history table fits 80, 120 and 200 columns with every column's
// header whole, and keeps its columns aligned when a conversation and an
// action are named in wide characters (two cells each).
func TestHistoryTableFitsWideCharacters(t *testing.T) {
	const wideAction = "注文_lookup"
	for _, size := range goldenSizes {
		t.Run(size.name, func(t *testing.T) {
			m, _, _ := benchConv(t, "conv_会話テストabcd", func(ws *bot.Workspace, _ *engine.Options) {
				for i := range ws.Actions {
					if ws.Actions[i].ID == "order_lookup" {
						ws.Actions[i].ID = wideAction
					}
				}
			})
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
			waitFor(t, tm, "Hi! I'm Acme's")
			historyAfterOrder(t, tm)
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			view := tm.FinalModel(t).View()
			fits(t, view, size.w, size.h)
			table := tm.FinalModel(t).(Model).hist.Table.View()
			lines := strings.Split(table, "\n")
			for _, h := range []string{"TIME", "CONVERSATION", "ACTION/EVENT", "OUTCOME", "HTTP", "LATENCY"} {
				if !strings.Contains(lines[0], h) {
					t.Errorf("header %q is cut: %q", h, lines[0])
				}
			}
			// Every row's outcome starts in the header's OUTCOME column,
			// counted in cells.
			col := lipgloss.Width(lines[0][:strings.Index(lines[0], "OUTCOME")])
			for _, line := range lines[1:5] {
				i := strings.Index(line, "acknowledged")
				if i < 0 {
					i = strings.Index(line, " message ") + 1 // not on_message_received
				}
				if i < 0 || lipgloss.Width(line[:i]) != col {
					t.Errorf("outcome not at cell %d: %q\n%s", col, line, table)
				}
			}
			if !strings.Contains(table, "注文") || !strings.Contains(table, "conv_会") {
				t.Errorf("the wide names are missing:\n%s", table)
			}
			golden.RequireEqual(t, []byte(normalise(view)))
		})
	}
}

// A resend from the history is one of its conversation's 3 calls per 10
// minutes: after two order lookups the first resend is the third call and
// the second is refused. In the table, filtered on outcome:message, the
// first resend is selected and opened; the refused one is filtered out, so
// the row it was resent from stays selected and open. Back in the
// conversation the resends are in the transcript, and the inspector shows
// the attempt the marker is on.
func TestResendCountsAgainstTheConversation(t *testing.T) {
	m, store, conv := bench(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "Hi! I'm Acme's")
	for _, left := range []string{"calls 2 of 3 left", "calls 1 of 3 left"} {
		say(tm, "where is my order 1042")
		waitFor(t, tm, left)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyF2})
	waitFor(t, tm, "page 1")
	tm.Send(runes("/"))
	tm.Type("action:order_lookup outcome:message")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	// The footer names the filter at once and adds "· loading…" until
	// its rows are in: the padding after it says they are.
	waitFor(t, tm, "page 1 · outcome:message action:order_lookup   ")
	tm.Send(runes("r"))
	waitFor(t, tm, ": message", "calls 0 of 3 left")
	tm.Send(runes("r"))
	waitFor(t, tm, ": rate_limited (the filter leaves it out of the table)")
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitFor(t, tm, "resent from the history as attempt")
	tm.Send(tea.KeyMsg{Type: tea.KeyUp})
	waitFor(t, tm, "▸ order_lookup (ai_intent) rate_limited", "rate limit: 3 calls in the last 10 min")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t).(Model)

	list, err := store.List(context.Background(), history.Filter{Conversation: conv, Action: "order_lookup"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		got = append(got, string(e.Outcome))
	}
	if want := "[rate_limited message message message]"; fmt.Sprint(got) != want {
		t.Errorf("order_lookup attempts, newest first: %v, want %s", got, want)
	}
	// The table and its inspector are on the first resend.
	first, err := store.Get(context.Background(), list[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if sel := final.hist.Table.Selected(); sel == nil || sel.ID != first.ID {
		t.Errorf("the table selects %+v, want the first resend, %d", sel, first.ID)
	}
	if v := final.hist.Inspector.View(); !strings.Contains(v, first.Attempt.DeliveryID) {
		t.Errorf("the history's inspector does not show the selected attempt %s:\n%s", first.Attempt.DeliveryID, v)
	}
	if l := final.conv.Limit(); l.Remaining != 0 {
		t.Errorf("the conversation has %d calls left, want 0", l.Remaining)
	}
	// The inspector shows the attempt the marker is on: the refused resend.
	sel := final.tr.Selected()
	if sel == nil || sel.Outcome != engine.OutcomeRateLimited {
		t.Fatalf("marker on %+v, want the refused resend", sel)
	}
	if v := final.insp.View(); !strings.Contains(v, sel.DeliveryID) {
		t.Errorf("the inspector does not show the marked attempt %s:\n%s", sel.DeliveryID, v)
	}
}

// Leaving the scenario view with esc gives the keys back to the message
// box, at every width: text typed next is in it. An esc and the text in
// one read (one "alt+" message) and two escs in one read do the same.
func TestEscFromScenariosGivesTheInputTheKeys(t *testing.T) {
	esc := tea.KeyMsg{Type: tea.KeyEsc}
	tests := []struct {
		name string
		msgs []tea.Msg
	}{
		{"esc then text", []tea.Msg{esc, runes("hello")}},
		{"esc and text in one read", []tea.Msg{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("hello"), Alt: true}}},
		{"two escs in one read", []tea.Msg{tea.KeyMsg{Type: tea.KeyEsc, Alt: true}, runes("hello")}},
		{"path line, then esc twice", []tea.Msg{runes("/"), esc, esc, runes("hello")}},
	}
	for _, tt := range tests {
		for _, w := range []int{80, 120} {
			t.Run(fmt.Sprintf("%s/%d", tt.name, w), func(t *testing.T) {
				m := offline(t)
				m, _ = update(t, m, tea.WindowSizeMsg{Width: w, Height: 24}, tea.KeyMsg{Type: tea.KeyF3})
				m, _ = update(t, m, tt.msgs...)
				if m.cur != common.Page(m.chat) || m.focus != focusInput || m.input.Value() != "hello" {
					t.Errorf("page %T, focus %v, input %q; want the conversation, the input, hello", m.cur, m.focus, m.input.Value())
				}
				if v := m.View(); !strings.Contains(v, "› hello") || !strings.Contains(v, "Conversation") {
					t.Errorf("the screen does not show the conversation and the text:\n%s", v)
				}
			})
		}
	}
}

// Text typed while the inspector has the keys goes to the message box.
func TestTextTypedOnTheInspectorIsNotLost(t *testing.T) {
	m, _ := update(t, offline(t), tea.KeyMsg{Type: tea.KeyEsc}, runes("hello"))
	if m.focus != focusInput || m.input.Value() != "hello" {
		t.Errorf("focus %v, input %q; want the input, hello", m.focus, m.input.Value())
	}
}

// The path line gives the list its keys back: the arrows move the list,
// enter on nothing typed runs the selection, and a folder typed lists it.
func TestScenarioPathLineLetsGoOfTheList(t *testing.T) {
	dir := scenarioDir(t)
	m := offline(t)
	m.scen.SetDir(dir)
	m, cmd := update(t, m, tea.KeyMsg{Type: tea.KeyF3})
	m = run(t, m, cmd)
	m, _ = update(t, m, runes("/"), tea.KeyMsg{Type: tea.KeyDown})
	if m.scen.Typing() || !strings.Contains(m.View(), "▸ order lookup fails") {
		t.Errorf("↓ on the path line: typing %v, want the list's second scenario selected:\n%s", m.scen.Typing(), m.View())
	}
	m, cmd = update(t, m, runes("/"), tea.KeyMsg{Type: tea.KeyEnter})
	if m.scen.Typing() || cmd == nil {
		t.Errorf("enter on an empty path line: typing %v, run %v; want the selection run", m.scen.Typing(), cmd != nil)
	}
	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyEsc}, runes("/")) // the run stopped, the list, the path line
	m, cmd = update(t, m, runes(filepath.Clean(dir)), tea.KeyMsg{Type: tea.KeyEnter})
	m = run(t, m, cmd)
	if m.scen.Typing() {
		t.Error("the path line stayed open after its folder was listed")
	}
	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyDown})
	if !strings.Contains(m.View(), "▸ order lookup fails") {
		t.Errorf("↓ after a typed folder did not move the list:\n%s", m.View())
	}
}
