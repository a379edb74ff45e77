package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/tui/common"
	"github.com/actionbench/actionbench/tui/form"
	"github.com/actionbench/actionbench/tui/historyview"
	"github.com/actionbench/actionbench/tui/inspector"
	"github.com/actionbench/actionbench/tui/picker"
	"github.com/actionbench/actionbench/tui/transcript"
)

type focus int

const (
	focusInput focus = iota
	focusInspector
)

// chat is the conversation page, the workbench's home: the transcript, the
// inspector of the attempt selected in it, and the message box, which the
// workbench draws below every page.
type chat struct {
	c    *common.Common
	opts *Options

	conv    *sim.Conversation
	convs   *conversations // every conversation started here, for resends
	buttons []bot.Button

	// reqID tags the request in flight; a result with another id is stale.
	reqID   int
	busy    bool
	started time.Time // wall clock, for the spinner's elapsed time
	cancel  context.CancelFunc

	focus focus
	input textinput.Model
	spin  spinner.Model
	tr    *transcript.Model
	insp  *inspector.Model

	pick *picker.Model // the action picker (ctrl+t), nil when closed

	form     *form.Model // the lead (ctrl+l) or ticket (ctrl+k) form, nil when closed
	formKind formKind

	w, h int
}

func newChat(c *common.Common, opts *Options) *chat {
	in := textinput.New()
	example := opts.Example
	if example == "" {
		example = exampleMessage(opts.Workspace)
	}
	in.Placeholder = placeholder(example)
	in.Prompt = "› "
	in.PromptStyle = c.Styles.Prompt
	in.Focus()
	m := &chat{
		c:     c,
		opts:  opts,
		convs: newConversations(),
		input: in,
		spin:  spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		tr:    transcript.New(c),
		insp:  inspector.New(c),
	}
	m.conv = m.newConversation()
	return m
}

func (m *chat) newConversation() *sim.Conversation {
	start := m.opts.Start
	if start.IsZero() {
		start = time.Now()
	}
	var id string
	if m.opts.NewConversationID != nil {
		id = m.opts.NewConversationID()
	}
	conv := sim.New(sim.Options{
		Workspace:      m.opts.Workspace,
		Dispatcher:     m.opts.Dispatcher,
		Clock:          sim.NewClock(start),
		ConversationID: id,
		Visitor:        m.opts.Visitor,
		Recorder:       m.opts.Recorder,
	})
	m.convs.add(conv)
	return conv
}

// Init is the page shown again: the message box has the keys.
func (m *chat) Init() tea.Cmd {
	m.setFocus(focusInput)
	return nil
}

// Close is the page left for another: the message box lets go of the keys.
func (m *chat) Close() {
	m.input.Blur()
	m.focus = focusInspector
}

// Typing reports whether the message box or a form has the keys.
func (m *chat) Typing() bool { return m.focus == focusInput || m.form != nil }

// stop cancels the request in flight, if any.
func (m *chat) stop() {
	if m.cancel != nil {
		m.cancel()
	}
}

// Update handles the conversation's keys and results.
func (m *chat) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return m.key(msg)
	case turnMsg:
		if msg.id != m.reqID {
			return nil // a conversation or request since replaced
		}
		m.busy = false
		m.cancel()
		if msg.err != nil {
			m.tr.AddError(msg.err.Error())
		} else {
			m.tr.AddTurn(msg.turn)
			m.buttons = msg.turn.Buttons
		}
		return nil
	case historyview.ResentMsg:
		// A resend of this conversation's attempt is one of its calls.
		if a := msg.Entry.Attempt; a != nil && a.ConversationID == m.conv.ID() {
			m.tr.AddInfo(fmt.Sprintf("resent from the history as attempt %d:", msg.Entry.ID))
			m.tr.AddTurn(sim.Turn{Attempts: []*engine.Attempt{a}})
		}
		return nil
	case spinner.TickMsg:
		if !m.busy {
			return nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return cmd
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg) // the cursor's blink
	return cmd
}

func (m *chat) key(msg tea.KeyMsg) tea.Cmd {
	k := m.c.KeyMap
	typing := m.Typing()
	switch {
	case m.form != nil:
		return m.formKey(msg)
	case m.pick != nil:
		return m.pickKey(msg)
	case key.Matches(msg, k.TriggerPick):
		m.openPicker()
	case key.Matches(msg, k.LeadForm):
		m.openForm(leadForm)
	case key.Matches(msg, k.TicketForm):
		m.openForm(ticketForm)
	case key.Matches(msg, k.Focus):
		m.setFocus(1 - m.focus)
	case key.Matches(msg, k.Blur) && typing:
		m.setFocus(focusInspector)
	case key.Matches(msg, k.Prev), key.Matches(msg, k.Next):
		delta := 1
		if key.Matches(msg, k.Prev) {
			delta = -1
		}
		m.tr.Move(delta)
		m.insp.SetAttempt(m.selected())
	case key.Matches(msg, k.PageUp):
		m.insp.PageUp()
	case key.Matches(msg, k.PageDown):
		m.insp.PageDown()
	case key.Matches(msg, k.Wait1m), key.Matches(msg, k.Wait10m):
		d := time.Minute
		if key.Matches(msg, k.Wait10m) {
			d = 10 * time.Minute
		}
		if m.busy {
			return nil // the turn in flight runs at the time it started
		}
		m.conv.Wait(d)
		m.tr.AddInfo(fmt.Sprintf("waited %s: the clock reads %s", fmtWait(d), m.conv.Clock().Now().UTC().Format("15:04 UTC")))
	case key.Matches(msg, k.New):
		m.stop()
		m.reqID++ // whatever was in flight is stale now
		m.busy = false
		m.conv = m.newConversation()
		m.buttons = nil
		m.tr.Reset()
		m.insp.SetAttempt(nil)
		m.tr.AddInfo("new conversation " + m.conv.ID())
		return m.greet()
	case key.Matches(msg, k.QuickReply):
		if m.busy || len(msg.Runes) != 1 {
			return nil
		}
		i := int(msg.Runes[0] - '1')
		if i < 0 || i >= len(m.buttons) {
			return nil
		}
		return m.click(m.buttons[i])
	case key.Matches(msg, k.Send) && typing:
		text := m.input.Value()
		if m.busy || text == "" {
			return nil
		}
		m.input.Reset()
		return m.say(text)
	case !typing && msg.Type != tea.KeyRunes && msg.Type != tea.KeySpace:
		return nil
	default:
		if !typing {
			// Text typed while the inspector has the keys is text for
			// the message box, not lost.
			m.setFocus(focusInput)
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return cmd
	}
	return nil
}

func (m *chat) setFocus(f focus) {
	m.focus = f
	if f == focusInput {
		m.input.Focus()
	} else {
		m.input.Blur()
	}
}

// selected is the selected attempt, with the secrets masked.
func (m *chat) selected() *engine.Attempt {
	a := m.tr.Selected()
	if a == nil || len(m.opts.Secrets) == 0 {
		return a
	}
	return a.Redacted(m.opts.Secrets...)
}

func fmtWait(d time.Duration) string {
	return fmt.Sprintf("%d min", int(d.Minutes()))
}

// SetSize lays out the panes: side by side from common.WideWidth, else
// one at a time.
func (m *chat) SetSize(w, h int) {
	m.w, m.h = w, h
	m.input.Width = max(m.c.Width-lipgloss.Width(m.input.Prompt)-1, 1)
	left := w
	if m.wide() {
		left = w * 11 / 20
		m.insp.SetSize(common.PaneInner(w-left, h))
	} else {
		m.insp.SetSize(common.PaneInner(w, h))
	}
	m.tr.SetSize(common.PaneInner(left, h))
	if m.pick != nil {
		m.pick.SetSize(common.PaneInner(left, h))
	}
	if m.form != nil {
		m.form.SetSize(common.PaneInner(left, h))
	}
}

func (m *chat) wide() bool { return m.w >= common.WideWidth }

// View draws the conversation (or the picker or a form in its place) and
// the inspector.
func (m *chat) View() string {
	w, h, s := m.w, m.h, m.c.Styles
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
	switch {
	case m.wide():
		left := w * 11 / 20
		return lipgloss.JoinHorizontal(lipgloss.Top,
			common.Pane(s, convTitle, conv, left, h, m.focus == focusInput),
			common.Pane(s, inspTitle, m.insp.View(), w-left, h, m.focus == focusInspector))
	case m.focus == focusInspector:
		return common.Pane(s, inspTitle+s.Faint.Render(" · tab back"), m.insp.View(), w, h, true)
	}
	if m.pick == nil && m.form == nil { // tab is theirs when they are open
		convTitle += s.Faint.Render(" · tab inspector")
	}
	return common.Pane(s, convTitle, conv, w, h, true)
}

// ShortHelp is the footer for what the page shows.
func (m *chat) ShortHelp() []key.Binding { return m.keys().ShortHelp() }

// FullHelp is the help for what the page shows.
func (m *chat) FullHelp() [][]key.Binding { return m.keys().FullHelp() }

func (m *chat) keys() interface {
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
} {
	switch {
	case m.form != nil:
		return common.FormKeys{KeyMap: *m.c.KeyMap}
	case m.pick != nil:
		return common.PickerKeys{KeyMap: *m.c.KeyMap}
	}
	return *m.c.KeyMap
}

// activity is the line above the input: the spinner while the bot works,
// else the quick replies on offer.
func (m *chat) activity() string {
	s := m.c.Styles
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
	return lipgloss.NewStyle().MaxWidth(m.c.Width).Render(strings.Join(parts, "  "))
}
