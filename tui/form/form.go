// Package form is a short form of labelled text fields: the lead form
// and the ticket form the visitor fills in.
package form

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/tui/common"
)

// Field is one field: its name and the value it starts with.
type Field struct {
	Name, Value string
}

// Model is the form; the first field has the focus.
type Model struct {
	c      *common.Common
	names  []string
	inputs []textinput.Model
	focus  int
	w      int
}

// New returns a form of fields.
func New(c *common.Common, fields []Field) *Model {
	m := &Model{c: c}
	for _, f := range fields {
		in := textinput.New()
		in.Prompt = ""
		in.SetValue(f.Value)
		m.names = append(m.names, f.Name)
		m.inputs = append(m.inputs, in)
	}
	m.setFocus(0)
	return m
}

// SetSize sets the form's inner width.
func (m *Model) SetSize(w, _ int) {
	m.w = w
	for i := range m.inputs {
		m.inputs[i].Width = max(w-m.labelWidth()-2, 1)
	}
}

func (m *Model) labelWidth() int {
	n := 0
	for _, s := range m.names {
		n = max(n, lipgloss.Width(s))
	}
	return n
}

func (m *Model) setFocus(i int) {
	if len(m.inputs) == 0 {
		return
	}
	m.inputs[m.focus].Blur()
	m.focus = (i + len(m.inputs)) % len(m.inputs)
	m.inputs[m.focus].Focus()
}

// Focused is the index of the field with the focus.
func (m *Model) Focused() int { return m.focus }

// Update moves between the fields with tab and shift+tab, and types into
// the focused one.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, m.c.KeyMap.NextField):
			m.setFocus(m.focus + 1)
			return nil
		case key.Matches(k, m.c.KeyMap.PrevField):
			m.setFocus(m.focus - 1)
			return nil
		}
	}
	if len(m.inputs) == 0 {
		return nil
	}
	var cmd tea.Cmd
	m.inputs[m.focus], cmd = m.inputs[m.focus].Update(msg)
	return cmd
}

// Values maps each field's name to what it holds, trimmed.
func (m *Model) Values() map[string]string {
	out := make(map[string]string, len(m.inputs))
	for i, in := range m.inputs {
		out[m.names[i]] = strings.TrimSpace(in.Value())
	}
	return out
}

// View draws one line per field, the focused one marked.
func (m *Model) View() string {
	s := m.c.Styles
	if len(m.inputs) == 0 {
		return s.Info.Render("the form has no fields")
	}
	lw := m.labelWidth()
	cut := lipgloss.NewStyle().MaxWidth(max(m.w, 1))
	var lines []string
	for i, in := range m.inputs {
		mark, label := "  ", s.Label.Render(padRight(m.names[i], lw))
		if i == m.focus {
			mark = s.Prompt.Render("› ")
		}
		lines = append(lines, cut.Render(mark+label+" "+in.View()))
	}
	return strings.Join(lines, "\n")
}

func padRight(s string, w int) string {
	return s + strings.Repeat(" ", max(w-lipgloss.Width(s), 0))
}
