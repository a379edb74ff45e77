package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/sim/bot"
)

// turnMsg is a conversation move's result, tagged with the request it
// answers.
type turnMsg struct {
	id   int
	turn sim.Turn
	err  error
}

// start marks a request in flight and returns the command that runs move
// on the conversation, off the Update loop.
func (m *chat) start(move func(context.Context, *sim.Conversation) (sim.Turn, error)) tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.reqID++
	m.busy = true
	m.started = time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	id, conv := m.reqID, m.conv
	run := func() tea.Msg {
		t, err := move(ctx, conv)
		return turnMsg{id: id, turn: t, err: err}
	}
	return tea.Batch(run, m.spin.Tick)
}

func (m *chat) greet() tea.Cmd {
	return m.start(func(ctx context.Context, c *sim.Conversation) (sim.Turn, error) {
		return c.Greet(ctx), nil
	})
}

func (m *chat) say(text string) tea.Cmd {
	return m.start(func(ctx context.Context, c *sim.Conversation) (sim.Turn, error) {
		return c.Say(ctx, text), nil
	})
}

func (m *chat) click(b bot.Button) tea.Cmd {
	return m.start(func(ctx context.Context, c *sim.Conversation) (sim.Turn, error) {
		return c.Click(ctx, b.ID)
	})
}
