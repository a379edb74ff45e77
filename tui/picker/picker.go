// Package picker is a short list to choose one item from: the
// workspace's actions, for firing one by hand.
package picker

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/tui/common"
)

// Item is one choice.
type Item struct {
	ID, Detail string
}

// Model is the list.
type Model struct {
	c     *common.Common
	items []Item
	sel   int
	w, h  int
}

// New returns a list of items, the first selected.
func New(c *common.Common, items []Item) *Model {
	return &Model{c: c, items: items}
}

// SetSize sets the list's inner size.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Selected is the selected item, or nil when the list is empty.
func (m *Model) Selected() *Item {
	if m.sel < 0 || m.sel >= len(m.items) {
		return nil
	}
	return &m.items[m.sel]
}

// Update moves the selection with ↑ and ↓.
func (m *Model) Update(msg tea.KeyMsg) {
	switch {
	case key.Matches(msg, m.c.KeyMap.Prev):
		m.sel = max(m.sel-1, 0)
	case key.Matches(msg, m.c.KeyMap.Next):
		m.sel = min(m.sel+1, max(len(m.items)-1, 0))
	}
}

// View draws the list, scrolled to keep the selection in sight.
func (m *Model) View() string {
	s := m.c.Styles
	cut := lipgloss.NewStyle().MaxWidth(max(m.w, 1))
	if len(m.items) == 0 {
		return s.Info.Render("the workspace has no actions")
	}
	h := max(m.h, 1)
	first := max(m.sel-h+1, 0)
	idw := 0 // the details start in one column
	for _, it := range m.items {
		idw = max(idw, lipgloss.Width(it.ID))
	}
	var lines []string
	for i := first; i < len(m.items) && len(lines) < h; i++ {
		it := m.items[i]
		id := it.ID + strings.Repeat(" ", idw-lipgloss.Width(it.ID)+2)
		line := cut.Render(common.Cursor(false) + id + s.Faint.Render(it.Detail))
		if i == m.sel {
			line = s.Selected.Render(cut.Render(common.Cursor(true) + id + it.Detail))
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
