package tui

import (
	"context"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/tui/picker"
)

// openPicker lists the workspace's actions in place of the conversation.
func (m *chat) openPicker() {
	var items []picker.Item
	for _, a := range m.opts.Workspace.Actions {
		items = append(items, picker.Item{ID: a.ID, Detail: a.Name})
	}
	m.pick = picker.New(m.c, items)
	m.SetSize(m.w, m.h)
}

// pickKey handles a key while the picker is open: enter fires the
// selected action through the conversation, as an agent would.
func (m *chat) pickKey(msg tea.KeyMsg) tea.Cmd {
	k := m.c.KeyMap
	switch {
	case key.Matches(msg, k.Back):
		m.pick = nil
		return nil
	case key.Matches(msg, k.Send):
		it := m.pick.Selected()
		if it == nil || m.busy {
			return nil
		}
		m.pick = nil
		return m.trigger(it.ID)
	}
	m.pick.Update(msg)
	return nil
}

func (m *chat) trigger(actionID string) tea.Cmd {
	return m.start(func(ctx context.Context, c *sim.Conversation) (sim.Turn, error) {
		return c.Trigger(ctx, actionID)
	})
}
