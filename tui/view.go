package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/tui/common"
	"github.com/actionbench/actionbench/tui/statusbar"
)

// layout sizes every page for the window and the help shown.
func (m *Model) layout() {
	w, h := m.c.Width, m.c.Height
	if w <= 0 || h <= 0 {
		return
	}
	body := m.bodyHeight()
	m.chat.SetSize(w, body)
	for _, p := range m.pages {
		p.page.SetSize(w, body)
	}
}

// bodyHeight is the page's: the screen less the banner, the status,
// activity and input lines, and the help.
func (m Model) bodyHeight() int {
	return max(m.c.Height-m.bannerHeight()-3-lipgloss.Height(m.helpView()), 3)
}

// View draws the workbench: the banner, the status bar, the page shown,
// the activity line, the message box and the help.
func (m Model) View() string {
	if m.c.Width <= 0 {
		return "starting the workbench…"
	}
	var top []string
	if b := m.banner(); b != "" {
		top = append(top, b)
	}
	return strings.Join(append(top,
		statusbar.View(m.c, m.statusInfo()),
		m.cur.View(),
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

// activity is the line above the input: the page's notice when it has
// one and the bot is not at work, else the conversation's.
func (m Model) activity() string {
	if n, ok := m.cur.(common.Noticer); ok && !m.busy {
		s := m.c.Styles
		cut := lipgloss.NewStyle().MaxWidth(m.c.Width)
		line, isErr := n.Notice()
		if isErr {
			return cut.Render(s.Error.Render(line))
		}
		return cut.Render(s.Info.Render(line))
	}
	return m.chat.activity()
}
