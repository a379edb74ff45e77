package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/sim/demo"
)

// offline is a workbench whose commands are never run: for Update alone.
func offline(t *testing.T) Model {
	t.Helper()
	ws, err := demo.Load("https://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	d := engine.New(engine.Options{})
	t.Cleanup(d.Close)
	m := New(Options{Workspace: ws, Dispatcher: d, Policy: "workbench", Start: start})
	next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return next.(Model)
}

func update(t *testing.T, m Model, msgs ...tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	var next tea.Model = m
	for _, msg := range msgs {
		next, cmd = next.Update(msg)
	}
	return next.(Model), cmd
}

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func TestQTypesInTheInputAndQuitsOutsideIt(t *testing.T) {
	m := offline(t)
	m, cmd := update(t, m, runes("q"))
	if isQuit(cmd) || m.input.Value() != "q" {
		t.Fatalf("q in the input: value %q, quit %v; want typed, no quit", m.input.Value(), isQuit(cmd))
	}
	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyEsc})
	if m.focus != focusInspector {
		t.Fatal("esc did not leave the input")
	}
	if _, cmd = update(t, m, runes("q")); !isQuit(cmd) {
		t.Error("q outside the input did not quit")
	}
	if _, cmd = update(t, offline(t), tea.KeyMsg{Type: tea.KeyCtrlC}); !isQuit(cmd) {
		t.Error("ctrl+c did not quit")
	}
}

func TestHelpToggles(t *testing.T) {
	m := offline(t)
	m, _ = update(t, m, runes("?"))
	if m.help.ShowAll || m.input.Value() != "?" {
		t.Fatalf("? in the input should type, not open the help")
	}
	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyF1})
	if !m.help.ShowAll {
		t.Fatal("f1 did not open the full help")
	}
	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyTab}, runes("?"))
	if m.help.ShowAll {
		t.Error("? outside the input did not close the help")
	}
}

func TestStaleResultsAreDropped(t *testing.T) {
	m := offline(t)
	stale := m.reqID
	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyCtrlN}) // a new conversation replaces the greeting in flight
	m, _ = update(t, m, turnMsg{id: stale, turn: sim.Turn{Visitor: "from the old conversation"}})
	if !m.busy {
		t.Error("a stale result ended the wait for the current one")
	}
	m, _ = update(t, m, turnMsg{id: m.reqID, turn: sim.Turn{Replies: []sim.Reply{{Text: "hello again"}}}})
	if m.busy {
		t.Error("the current result did not end the wait")
	}
	v := m.View()
	if contains("from the old conversation")([]byte(v)) || !contains("hello again")([]byte(v)) {
		t.Errorf("view:\n%s", v)
	}
}

func TestEnterWhileBusySendsNothing(t *testing.T) {
	m := offline(t) // the greeting is in flight
	id := m.reqID
	m, cmd := update(t, m, runes("hi"), tea.KeyMsg{Type: tea.KeyEnter})
	if cmd != nil || m.reqID != id || m.input.Value() != "hi" {
		t.Errorf("enter while busy: cmd %v, reqID %d→%d, input %q; want nothing sent, text kept", cmd != nil, id, m.reqID, m.input.Value())
	}
}

func TestAttemptSelectionFollowsKeys(t *testing.T) {
	m := offline(t)
	a1 := &engine.Attempt{Kind: engine.KindAction, ActionID: "one", Outcome: engine.OutcomeMessage}
	a2 := &engine.Attempt{Kind: engine.KindAction, ActionID: "two", Outcome: engine.OutcomeError}
	m, _ = update(t, m, turnMsg{id: m.reqID, turn: sim.Turn{Attempts: []*engine.Attempt{a1, a2}}})
	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyUp})
	if got := m.tr.Selected(); got != a2 {
		t.Fatalf("first up selected %v, want the latest", got)
	}
	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyUp}, tea.KeyMsg{Type: tea.KeyUp})
	if got := m.tr.Selected(); got != a1 {
		t.Errorf("ups past the first selected %v, want the first", got)
	}
	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyDown})
	if got := m.tr.Selected(); got != a2 {
		t.Errorf("down selected %v, want the second", got)
	}
}

func TestNarrowScreenSwapsPanesOnTab(t *testing.T) {
	m := offline(t)
	if !contains("Conversation")([]byte(m.View())) {
		t.Fatal("the conversation is not shown at start")
	}
	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyTab})
	if v := m.View(); !contains("Inspector", "No attempt selected")([]byte(v)) {
		t.Errorf("tab at 80 columns did not show the inspector:\n%s", v)
	}
	m, _ = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	if v := m.View(); !contains("Conversation", "Inspector")([]byte(v)) {
		t.Errorf("at 120 columns both panes should show:\n%s", v)
	}
}

// Text that arrives in one read (a fast burst, tmux send-keys) is one
// message; words in it that name keys must be typed, not pressed.
func TestBurstOfTextIsTyped(t *testing.T) {
	tests := []struct {
		name string
		msgs []tea.Msg
		want string
	}{
		{"one burst", []tea.Msg{runes("is it down or up? enter q")}, "is it down or up? enter q"},
		{"in pieces", []tea.Msg{runes("is it "), runes("down"), runes(" now")}, "is it down now"},
		{"a paste", []tea.Msg{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("tab down"), Paste: true}}, "tab down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, cmd := update(t, offline(t), tt.msgs...)
			if got := m.input.Value(); got != tt.want {
				t.Errorf("input holds %q, want %q", got, tt.want)
			}
			if m.focus != focusInput || isQuit(cmd) || m.help.ShowAll {
				t.Errorf("the text acted as keys: focus %v, quit %v, help %v", m.focus, isQuit(cmd), m.help.ShowAll)
			}
		})
	}
}

// Whatever is open, with the full help or without, and after closing it,
// the screen fits 80×24.
func TestEveryViewFitsWithTheHelp(t *testing.T) {
	key := func(t tea.KeyType) tea.Msg { return tea.KeyMsg{Type: t} }
	f1 := key(tea.KeyF1)
	tests := []struct {
		name string
		msgs []tea.Msg
	}{
		{"conversation", []tea.Msg{f1}},
		{"picker", []tea.Msg{key(tea.KeyCtrlT), f1}},
		{"picker closed", []tea.Msg{key(tea.KeyCtrlT), f1, key(tea.KeyEsc)}},
		{"help closed in the picker", []tea.Msg{f1, key(tea.KeyCtrlT), f1, key(tea.KeyEsc)}},
		{"lead form", []tea.Msg{key(tea.KeyCtrlL), f1}},
		{"ticket form closed", []tea.Msg{key(tea.KeyCtrlK), f1, key(tea.KeyEsc)}},
		{"history", []tea.Msg{key(tea.KeyF2), f1}},
		{"history closed", []tea.Msg{key(tea.KeyF2), f1, key(tea.KeyF2)}},
		{"scenarios", []tea.Msg{key(tea.KeyF3), f1}},
		{"scenarios closed", []tea.Msg{f1, key(tea.KeyF3), key(tea.KeyF3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := update(t, offline(t), tt.msgs...)
			view := m.View()
			if h := lipgloss.Height(view); h > 24 {
				t.Errorf("%d lines on a 24-line screen:\n%s", h, view)
			}
			for i, line := range strings.Split(view, "\n") {
				if w := lipgloss.Width(line); w > 80 {
					t.Errorf("line %d is %d wide: %q", i, w, line)
				}
			}
		})
	}
}
