package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/tui/statusbar"
)

// wideWidth is the width from which the inspector sits beside the
// conversation; below it, tab swaps one for the other.
const wideWidth = 100

func (m Model) wide() bool { return m.c.Width >= wideWidth }

// layout sizes the panes for the window, the help and the focus.
func (m *Model) layout() {
	w, h := m.c.Width, m.c.Height
	if w <= 0 || h <= 0 {
		return
	}
	helpH := lipgloss.Height(m.helpView())
	// the banner, status, activity and input lines, the help, then two
	// borders and a title
	inner := max(h-m.bannerHeight()-3-helpH-3, 1)
	m.input.Width = max(w-lipgloss.Width(m.input.Prompt)-1, 1)
	m.scen.SetSize(w-2, inner)
	if m.wide() {
		left := w * 11 / 20
		m.tr.SetSize(left-2, inner)
		if m.pick != nil {
			m.pick.SetSize(left-2, inner)
		}
		if m.form != nil {
			m.form.SetSize(left-2, inner)
		}
		m.hist.SetSize(histLeft(w)-2, inner)
		if m.showHistory {
			left = histLeft(w)
		}
		m.insp.SetSize(w-left-2, inner)
		return
	}
	m.tr.SetSize(w-2, inner)
	if m.pick != nil {
		m.pick.SetSize(w-2, inner)
	}
	if m.form != nil {
		m.form.SetSize(w-2, inner)
	}
	m.hist.SetSize(w-2, inner)
	m.insp.SetSize(w-2, inner)
}

// View draws the workbench.
func (m Model) View() string {
	if m.c.Width <= 0 {
		return "starting the workbench…"
	}
	w := m.c.Width
	s := m.c.Styles
	var body string
	convTitle := s.Title.Render("Conversation")
	conv := m.tr.View()
	if m.pick != nil {
		convTitle = s.Title.Render("Fire an action") + s.Faint.Render(" ↑↓ choose · enter fire · esc cancel")
		conv = m.pick.View()
	}
	if m.form != nil {
		name := "Lead form"
		if m.formKind == ticketForm {
			name = "Ticket form"
		}
		convTitle = s.Title.Render(name) + s.Faint.Render(" tab next field · enter submit · esc cancel")
		conv = m.form.View()
	}
	inspTitle := s.Title.Render("Inspector") + s.Faint.Render(" ↑↓ select · pgup/pgdn scroll")
	if m.showHistory {
		body = m.historyBody()
	} else if m.showScenarios {
		title := s.Title.Render("Scenarios") + s.Faint.Render(" ↑↓ choose · enter run · / path · esc back")
		body = m.pane(title, m.scen.View(), w, true)
	} else if m.wide() {
		left := w * 11 / 20
		body = lipgloss.JoinHorizontal(lipgloss.Top,
			m.pane(convTitle, conv, left, m.focus == focusInput),
			m.pane(inspTitle, m.insp.View(), w-left, m.focus == focusInspector))
	} else if m.focus == focusInspector {
		body = m.pane(inspTitle+s.Faint.Render(" · tab back"), m.insp.View(), w, true)
	} else {
		body = m.pane(convTitle+s.Faint.Render(" · tab inspector"), conv, w, true)
	}
	var top []string
	if b := m.banner(); b != "" {
		top = append(top, b)
	}
	return strings.Join(append(top,
		statusbar.View(m.c, m.statusInfo()),
		body,
		m.activity(),
		m.input.View(),
		m.helpView(),
	), "\n")
}

// banner is the notice, wrapped to the width, or "".
func (m Model) banner() string {
	if m.opts.Notice == "" || m.c.Width <= 0 {
		return ""
	}
	return m.c.Styles.Error.Width(m.c.Width).Render("✗ " + m.opts.Notice)
}

func (m Model) bannerHeight() int {
	if b := m.banner(); b != "" {
		return lipgloss.Height(b)
	}
	return 0
}

// histLeft is the history table's width beside the inspector: wider
// than the conversation's, so that a row fits at 120 columns.
func histLeft(w int) int { return w * 13 / 20 }

// historyBody is the history table, beside the inspector or, below 100
// columns, swapped with it.
func (m Model) historyBody() string {
	w, s := m.c.Width, m.c.Styles
	title := s.Title.Render("History") + s.Faint.Render(" newest first · enter inspect · esc back")
	inspTitle := s.Title.Render("Inspector")
	if m.insp.ShowingTranscript() {
		inspTitle = s.Title.Render("Transcript") + s.Faint.Render(" · esc attempt")
	}
	if m.wide() {
		left := histLeft(w)
		return lipgloss.JoinHorizontal(lipgloss.Top,
			m.pane(title, m.hist.View(), left, true),
			m.pane(inspTitle, m.insp.View(), w-left, false))
	}
	if m.histInspect {
		return m.pane(inspTitle+s.Faint.Render(" · esc table"), m.insp.View(), w, true)
	}
	return m.pane(title, m.hist.View(), w, true)
}

func (m Model) pane(title, content string, w int, focused bool) string {
	st := m.c.Styles.Pane
	if focused {
		st = m.c.Styles.PaneFocused
	}
	inner := max(m.c.Height-m.bannerHeight()-3-lipgloss.Height(m.helpView())-2, 1)
	title = lipgloss.NewStyle().MaxWidth(w - 2).Render(title)
	return st.Width(w - 2).Height(inner).MaxHeight(inner + 2).Render(title + "\n" + content)
}

func (m Model) statusInfo() statusbar.Info {
	name := m.opts.WorkspaceName
	if name == "" {
		name = m.opts.Workspace.Chatbot.Name
	}
	return statusbar.Info{
		Workspace:    name,
		Policy:       m.opts.Policy,
		Conversation: m.conv.ID(),
		Now:          m.conv.Clock().Now(),
		Limit:        m.conv.Limit(),
	}
}

// activity is the line above the input: the spinner while the bot
// works; in the history view, its notice; else the quick replies on offer.
func (m Model) activity() string {
	s := m.c.Styles
	cut := lipgloss.NewStyle().MaxWidth(m.c.Width)
	if m.showHistory && !m.busy {
		line, isErr := m.hist.Notice()
		if isErr {
			return cut.Render(s.Error.Render(line))
		}
		return cut.Render(s.Info.Render(line))
	}
	if m.busy {
		elapsed := time.Since(m.started).Round(100 * time.Millisecond)
		return m.spin.View() + fmt.Sprintf(" waiting for the bot… %.1f s of the %d s budget", elapsed.Seconds(), int(engine.Timeout.Seconds()))
	}
	if len(m.buttons) == 0 {
		return ""
	}
	parts := []string{s.Faint.Render("quick replies:")}
	for i, b := range m.buttons {
		if i == 9 {
			break
		}
		parts = append(parts, s.Label.Render(fmt.Sprintf("alt+%d", i+1))+" "+s.Button.Render(b.Label))
	}
	return cut.Render(strings.Join(parts, "  "))
}
