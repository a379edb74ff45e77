package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
)

func TestLeadAndTicketForms(t *testing.T) {
	m, _, _ := bench(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "Hi! I'm Acme's assistant")

	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlL})
	waitFor(t, tm, "Lead form", "name", "email", "phone")
	tm.Type("Ann Lee")
	tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	tm.Type("ann@example.com")
	tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	tm.Type("+1 555 0100")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "you sent the lead form (name: Ann Lee,",
		"→ lead_capture (lead_captured)", "Thanks! We'll be in touch soon.")

	// The ticket form knows the visitor from the lead form.
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlK})
	waitFor(t, tm, "Ticket form", "Ann Lee", "ann@example.com")
	tm.Send(tea.KeyMsg{Type: tea.KeyShiftTab}) // from name back round to description
	tm.Type("my parcel is lost")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "you sent the ticket form (Ann Lee,", "Ticket TIC-20260105-", "→ on_ticket_created")

	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t)
}

func TestFormEscCancels(t *testing.T) {
	m, _, _ := bench(t)
	m.c.Width, m.c.Height = 120, 40
	next, _ := m.Update(tea.KeyMsg{Type: tea.KeyCtrlK})
	m = next.(Model)
	if m.form == nil || m.formKind != ticketForm {
		t.Fatalf("ctrl+k: form %v kind %d, want the ticket form", m.form, m.formKind)
	}
	if got := m.form.Values(); got["name"] != "Jane Doe" || got["email"] != "jane@example.com" || got["description"] != "" {
		t.Errorf("ticket form starts with %v, want the visitor's name and email", got)
	}
	next, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	m = next.(Model)
	if m.form != nil || cmd != nil {
		t.Errorf("esc: form %v, cmd %v: want the form closed and nothing sent", m.form, cmd)
	}
	if !m.input.Focused() {
		t.Error("esc: the message box should have the focus back")
	}
}

// A notice (a workspace that did not load) sits above the status bar and
// the screen still fits the terminal.
func TestNoticeBanner(t *testing.T) {
	m, _, _ := bench(t)
	m.opts.Notice = "workspace bad.yaml:3:5: actions[0].url: missing; showing the embedded demo instead"
	next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	view := next.(Model).View()
	lines := strings.Split(view, "\n")
	if !strings.HasPrefix(lines[0], "✗ workspace bad.yaml:3:5: actions[0].url: missing;") || !strings.Contains(lines[0]+lines[1], "showing the embedded demo") {
		t.Errorf("the banner is not on top:\n%s", view)
	}
	if h := lipgloss.Height(view); h > 24 {
		t.Errorf("the screen is %d lines, more than 24", h)
	}
	for i, line := range lines {
		if w := lipgloss.Width(line); w > 80 {
			t.Errorf("line %d is %d wide: %q", i, w, line)
		}
	}
}
