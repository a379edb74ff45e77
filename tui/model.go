// Package tui is actionbench's workbench: chat with the simulated bot as
// a visitor, watch every action call and webhook it fires, and inspect
// each request and response.
package tui

import (
	"context"
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/tui/common"
	"github.com/actionbench/actionbench/tui/form"
	"github.com/actionbench/actionbench/tui/historyview"
	"github.com/actionbench/actionbench/tui/inspector"
	"github.com/actionbench/actionbench/tui/picker"
	"github.com/actionbench/actionbench/tui/scenarioview"
	"github.com/actionbench/actionbench/tui/transcript"
)

// Options configures the workbench.
type Options struct {
	Workspace     *bot.Workspace
	WorkspaceName string // how the status bar names it
	Dispatcher    *engine.Dispatcher
	// ScenarioDispatcher picks the dispatcher for a scenario's workspace,
	// one per address policy (scenarios.Dispatchers.For). Without it the
	// scenario view runs only workspaces with the workbench's own policy.
	ScenarioDispatcher func(*bot.Workspace) *engine.Dispatcher
	Policy             string // the dispatcher's address policy, for the status bar
	// Recorder, when set, receives every attempt and turn.
	Recorder sim.Recorder
	// Example is the message the empty message box suggests; "" takes
	// the first plain-text pattern of the workspace's intents.
	Example string
	// Visitor is who the simulated visitor is.
	Visitor sim.Visitor
	// Secrets are masked wherever the inspector shows them.
	Secrets []string
	// History, when set, is what the history view (f2) reads.
	History historyview.Store
	// ExportDir is where the history view writes attempt-<id>.sh; "" is
	// the current folder.
	ExportDir string
	// ScenarioDir is the folder the scenario view (f3) lists; "" is
	// ./scenarios.
	ScenarioDir string
	// Notice, when set, is shown as a banner above the workbench: a
	// workspace that did not load, say.
	Notice string
	// Start is where each conversation's virtual clock starts; zero means now.
	Start time.Time
	// NewConversationID names each new conversation; nil makes ids up.
	NewConversationID func() string
}

type focus int

const (
	focusInput focus = iota
	focusInspector
)

// Model is the workbench's Bubble Tea model.
type Model struct {
	c    *common.Common
	opts Options

	conv    *sim.Conversation
	buttons []bot.Button

	// reqID tags the request in flight; a result with another id is stale.
	reqID   int
	busy    bool
	started time.Time // wall clock, for the spinner's elapsed time
	cancel  context.CancelFunc

	focus focus
	input textinput.Model
	spin  spinner.Model
	help  help.Model
	tr    *transcript.Model
	insp  *inspector.Model

	pick *picker.Model // the action picker (ctrl+t), nil when closed

	form     *form.Model // the lead (ctrl+l) or ticket (ctrl+k) form, nil when closed
	formKind formKind

	hist        *historyview.Model
	showHistory bool // the history table in place of the conversation
	histInspect bool // below 100 columns: the inspector in place of the table

	scen          *scenarioview.Model
	showScenarios bool // the scenario view in place of the conversation

	initCmd tea.Cmd // the greeting, started by New so its id is known
}

// New returns the workbench; Init greets the visitor.
func New(opts Options) Model {
	c := common.New()
	in := textinput.New()
	example := opts.Example
	if example == "" {
		example = exampleMessage(opts.Workspace)
	}
	in.Placeholder = placeholder(example)
	in.Prompt = "› "
	in.PromptStyle = c.Styles.Prompt
	in.Focus()
	m := Model{
		c:     c,
		opts:  opts,
		input: in,
		spin:  spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		help:  help.New(),
		tr:    transcript.New(c),
		insp:  inspector.New(c),
	}
	m.hist = historyview.New(c, historyview.Options{Store: opts.History, Resend: m.resend, Dir: opts.ExportDir})
	dir := opts.ScenarioDir
	if dir == "" {
		dir = "scenarios"
	}
	m.scen = scenarioview.New(c, dir, m.runScenario)
	m.conv = m.newConversation()
	m.initCmd = m.greet()
	return m
}

func (m Model) newConversation() *sim.Conversation {
	start := m.opts.Start
	if start.IsZero() {
		start = time.Now()
	}
	var id string
	if m.opts.NewConversationID != nil {
		id = m.opts.NewConversationID()
	}
	return sim.New(sim.Options{
		Workspace:      m.opts.Workspace,
		Dispatcher:     m.opts.Dispatcher,
		Clock:          sim.NewClock(start),
		ConversationID: id,
		Visitor:        m.opts.Visitor,
		Recorder:       m.opts.Recorder,
	})
}

// Init greets the visitor.
func (m Model) Init() tea.Cmd {
	return tea.Batch(textinput.Blink, m.initCmd)
}

// Update handles a message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.KeyMsg:
		return m.typed(msg)
	case turnMsg:
		if msg.id != m.reqID {
			return m, nil // a conversation or request since replaced
		}
		m.busy = false
		m.cancel()
		if msg.err != nil {
			m.tr.AddError(msg.err.Error())
		} else {
			m.tr.AddTurn(msg.turn)
			m.buttons = msg.turn.Buttons
		}
		return m, nil
	case spinner.TickMsg:
		if !m.busy {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case scenarioview.LoadedMsg, scenarioview.StepMsg, scenarioview.RanMsg:
		return m, m.scen.Update(msg)
	case historyview.OpenedMsg:
		if a, ok := m.hist.Opened(msg); ok {
			if len(m.opts.Secrets) > 0 {
				a = a.Redacted(m.opts.Secrets...)
			}
			m.insp.SetAttempt(a)
			m.histInspect = true
		}
		return m, nil
	case historyview.TranscriptMsg:
		if turns, ok := m.hist.Transcript(msg); ok {
			m.insp.SetTranscript(msg.Conversation, turns)
			m.histInspect = true
		}
		return m, nil
	}
	hcmd := m.hist.Update(msg) // the history's pages and status lines
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, tea.Batch(hcmd, cmd)
}

// typed handles a key message. Bubble Tea delivers the characters of one
// read as one message: text typed faster than the terminal is read (a
// burst over SSH, tmux send-keys, an input method) arrives as a single
// "down" or "enter", which would match those keys' bindings and vanish
// from the message typed. So a message of several characters is handled
// one character at a time, as if typed one by one. A bracketed paste is
// different: its String() is "[…]", which matches no binding, and it goes
// to the input whole.
func (m Model) typed(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.Type != tea.KeyRunes || msg.Paste || len(msg.Runes) < 2 {
		return m.handleKey(msg)
	}
	var cmds []tea.Cmd
	var model tea.Model = m
	for _, r := range msg.Runes {
		var cmd tea.Cmd
		model, cmd = model.(Model).handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
		cmds = append(cmds, cmd)
	}
	return model, tea.Batch(cmds...)
}

func (m Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.c.KeyMap
	typing := m.focus == focusInput || m.form != nil || m.showScenarios && m.scen.Typing()
	switch {
	case key.Matches(msg, k.ForceQuit), key.Matches(msg, k.Quit) && !typing && !m.hist.Filtering():
		if m.cancel != nil {
			m.cancel()
		}
		return m, tea.Quit
	case key.Matches(msg, k.History):
		return m.toggleHistory()
	case key.Matches(msg, k.Scenarios):
		return m.toggleScenarios()
	case key.Matches(msg, k.Help) && (msg.Type == tea.KeyF1 || !typing && !m.hist.Filtering()):
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
		return m, nil
	case m.showHistory:
		return m.historyKey(msg)
	case m.showScenarios:
		return m.scenarioKey(msg)
	case m.form != nil:
		return m.formKey(msg)
	case m.pick != nil:
		return m.pickKey(msg)
	case key.Matches(msg, k.TriggerPick):
		m.openPicker()
		return m, nil
	case key.Matches(msg, k.LeadForm):
		m.openForm(leadForm)
		return m, nil
	case key.Matches(msg, k.TicketForm):
		m.openForm(ticketForm)
		return m, nil
	case key.Matches(msg, k.Focus):
		m.setFocus(1 - m.focus)
		return m, nil
	case key.Matches(msg, k.Blur) && typing:
		m.setFocus(focusInspector)
		return m, nil
	case key.Matches(msg, k.Prev), key.Matches(msg, k.Next):
		delta := 1
		if key.Matches(msg, k.Prev) {
			delta = -1
		}
		m.tr.Move(delta)
		m.insp.SetAttempt(m.selected())
		return m, nil
	case key.Matches(msg, k.PageUp):
		m.insp.PageUp()
		return m, nil
	case key.Matches(msg, k.PageDown):
		m.insp.PageDown()
		return m, nil
	case key.Matches(msg, k.Wait1m), key.Matches(msg, k.Wait10m):
		d := time.Minute
		if key.Matches(msg, k.Wait10m) {
			d = 10 * time.Minute
		}
		if m.busy {
			return m, nil // the turn in flight runs at the time it started
		}
		m.conv.Wait(d)
		m.tr.AddInfo(fmt.Sprintf("waited %s: the clock reads %s", fmtWait(d), m.conv.Clock().Now().UTC().Format("15:04 UTC")))
		return m, nil
	case key.Matches(msg, k.New):
		if m.cancel != nil {
			m.cancel()
		}
		m.reqID++ // whatever was in flight is stale now
		m.busy = false
		m.conv = m.newConversation()
		m.buttons = nil
		m.tr.Reset()
		m.insp.SetAttempt(nil)
		m.tr.AddInfo("new conversation " + m.conv.ID())
		return m, m.greet()
	case key.Matches(msg, k.QuickReply):
		if m.busy || len(msg.Runes) != 1 {
			return m, nil
		}
		i := int(msg.Runes[0] - '1')
		if i < 0 || i >= len(m.buttons) {
			return m, nil
		}
		return m, m.click(m.buttons[i])
	case key.Matches(msg, k.Send) && typing:
		text := m.input.Value()
		if m.busy || text == "" {
			return m, nil
		}
		m.input.Reset()
		return m, m.say(text)
	}
	if !typing {
		return m, nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

func (m *Model) setFocus(f focus) {
	m.focus = f
	if f == focusInput {
		m.input.Focus()
	} else {
		m.input.Blur()
	}
	m.layout()
}

// selected is the selected attempt, with the secrets masked.
func (m Model) selected() *engine.Attempt {
	a := m.tr.Selected()
	if a == nil || len(m.opts.Secrets) == 0 {
		return a
	}
	return a.Redacted(m.opts.Secrets...)
}

func fmtWait(d time.Duration) string {
	return fmt.Sprintf("%d min", int(d.Minutes()))
}
