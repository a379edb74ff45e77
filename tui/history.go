package tui

import (
	"context"
	"fmt"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/tui/common"
)

// keys is the help's key map for the view shown.
func (m Model) keys() help.KeyMap {
	if m.showHistory {
		return common.HistoryKeys{KeyMap: *m.c.KeyMap}
	}
	if m.showScenarios {
		return common.ScenarioKeys{KeyMap: *m.c.KeyMap}
	}
	if m.form != nil {
		return common.FormKeys{KeyMap: *m.c.KeyMap}
	}
	if m.pick != nil {
		return common.PickerKeys{KeyMap: *m.c.KeyMap}
	}
	return *m.c.KeyMap
}

// toggleHistory switches between the conversation and the history; the
// history opens on its newest page, read afresh.
func (m Model) toggleHistory() (tea.Model, tea.Cmd) {
	m.showHistory = !m.showHistory
	m.insp.CloseTranscript()
	if !m.showHistory {
		m.hist.Stop()
		m.setFocus(focusInput)
		return m, nil
	}
	if m.showScenarios {
		m.showScenarios = false
		m.scen.Close()
	}
	m.input.Blur()
	m.focus = focusInspector
	m.histInspect = false
	m.layout()
	return m, m.hist.Load()
}

// historyKey handles a key while the history is shown: esc steps back
// (the filter input, then the inspector below 100 columns, then the
// conversation); the rest goes to the table.
func (m Model) historyKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.c.KeyMap
	switch {
	case m.hist.Filtering():
		return m, m.hist.Update(msg)
	case key.Matches(msg, k.Back) && m.insp.ShowingTranscript():
		m.insp.CloseTranscript() // back to the attempt
		return m, nil
	case key.Matches(msg, k.Back) && m.histInspect && !m.wide():
		m.histInspect = false
		return m, nil
	case key.Matches(msg, k.Back):
		return m.toggleHistory()
	case key.Matches(msg, k.Focus) && !m.wide():
		m.histInspect = !m.histInspect
		return m, nil
	case m.histInspect && !m.wide() && (key.Matches(msg, k.PageUp) || key.Matches(msg, k.PageDown)):
		if key.Matches(msg, k.PageUp) {
			m.insp.PageUp()
		} else {
			m.insp.PageDown()
		}
		return m, nil
	}
	return m, m.hist.Update(msg)
}

// resend sends a stored attempt again (engine.Redeliver): its body byte
// for byte, with a new delivery id, signed or authorised with the
// workspace's secret or token, to the action's or webhook's URL as the
// workspace has it now; the result is recorded as a new attempt.
func (m Model) resend(ctx context.Context, a *engine.Attempt) (*engine.Attempt, int64, error) {
	ws := m.opts.Workspace
	r := engine.Redelivery{Previous: a}
	switch a.Kind {
	case engine.KindAction:
		act, ok := ws.Action(a.ActionID)
		if !ok {
			return nil, 0, fmt.Errorf("no action %q in the workspace", a.ActionID)
		}
		r.URL, r.Secret, r.Signing = act.URL, act.Secret, act.Signing
	case engine.KindEvent:
		if ws.Webhook == nil {
			return nil, 0, fmt.Errorf("the workspace has no webhook")
		}
		r.URL, r.Token, r.Secret, r.Signing = ws.Webhook.URL, ws.Webhook.Token, ws.Webhook.Secret, ws.Webhook.Signing
	default:
		return nil, 0, fmt.Errorf("attempt of unknown kind %q", a.Kind)
	}
	out := m.opts.Dispatcher.Redeliver(ctx, r)
	if m.opts.Recorder == nil {
		return out, 0, nil
	}
	id, err := m.opts.Recorder.Record(ctx, out)
	return out, id, err
}
