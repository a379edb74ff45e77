// Package transcript is the conversation pane: what the visitor said, what
// the bot answered, and one line per action call or webhook.
package transcript

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/viewport"
	"github.com/charmbracelet/x/ansi"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/tui/common"
)

type kind int

const (
	kindVisitor kind = iota
	kindBot
	kindSkipped
	kindAttempt
	kindInfo
	kindError
)

type entry struct {
	kind    kind
	text    string
	attempt *engine.Attempt
}

// Model is the transcript pane.
type Model struct {
	c        *common.Common
	entries  []entry
	attempts []int // indices into entries of the attempt lines
	selected int   // index into attempts; -1 when none
	vp       viewport.Model
	// Latency formats an attempt's latency; tests make it constant.
	Latency func(time.Duration) string
}

// New returns an empty transcript.
func New(c *common.Common) *Model {
	return &Model{c: c, selected: -1, vp: viewport.New(0, 0), Latency: engine.FormatLatency}
}

// SetSize sets the pane's inner size.
func (m *Model) SetSize(w, h int) {
	m.vp.Width, m.vp.Height = w, h
	m.refresh(true)
}

// Reset empties the transcript, for a new conversation.
func (m *Model) Reset() {
	m.entries, m.attempts, m.selected = nil, nil, -1
	m.refresh(true)
}

// AddTurn appends a turn: the visitor's line, the attempts it fired and
// the bot's replies.
func (m *Model) AddTurn(t sim.Turn) {
	if t.Visitor != "" {
		m.entries = append(m.entries, entry{kind: kindVisitor, text: t.Visitor})
	}
	for _, a := range t.Attempts {
		m.attempts = append(m.attempts, len(m.entries))
		m.entries = append(m.entries, entry{kind: kindAttempt, attempt: a})
	}
	for _, r := range t.Replies {
		k := kindBot
		if r.Skipped {
			k = kindSkipped
		}
		m.entries = append(m.entries, entry{kind: k, text: r.Text})
	}
	if t.Ticket != "" {
		m.AddInfo("ticket " + t.Ticket + " created")
	}
	if t.Err != nil {
		m.entries = append(m.entries, entry{kind: kindError, text: "history: " + t.Err.Error()})
	}
	m.refresh(true)
}

// AddInfo appends a note from the workbench (the clock moved, …).
func (m *Model) AddInfo(s string) {
	m.entries = append(m.entries, entry{kind: kindInfo, text: s})
	m.refresh(true)
}

// AddError appends an error.
func (m *Model) AddError(s string) {
	m.entries = append(m.entries, entry{kind: kindError, text: s})
	m.refresh(true)
}

// Attempts is how many attempts the transcript shows.
func (m *Model) Attempts() int { return len(m.attempts) }

// Selected returns the selected attempt, or nil.
func (m *Model) Selected() *engine.Attempt {
	if m.selected < 0 {
		return nil
	}
	return m.entries[m.attempts[m.selected]].attempt
}

// Move moves the selection by delta attempts; from no selection, any move
// selects the latest attempt.
func (m *Model) Move(delta int) {
	if len(m.attempts) == 0 {
		return
	}
	if m.selected < 0 {
		m.selected = len(m.attempts) - 1
	} else {
		m.selected = min(max(m.selected+delta, 0), len(m.attempts)-1)
	}
	m.refresh(false)
}

// refresh re-renders the lines; bottom scrolls to the end, else the
// selected attempt is kept in view.
func (m *Model) refresh(bottom bool) {
	if m.vp.Width <= 0 {
		return
	}
	s := m.c.Styles
	var lines []string
	selLine := -1
	sel := -1
	if m.selected >= 0 {
		sel = m.attempts[m.selected]
	}
	for i, e := range m.entries {
		var r string
		switch e.kind {
		case kindVisitor:
			r = s.Visitor.Render(common.Hang("you  ", e.text, m.vp.Width))
		case kindBot:
			r = s.Bot.Render(common.Hang("bot  ", e.text, m.vp.Width))
		case kindSkipped:
			r = s.Skipped.Render(common.Hang("bot  ", e.text+" (skipped by the webhook)", m.vp.Width))
		case kindAttempt:
			line := AttemptLine(e.attempt, m.Latency)
			line = ansi.Truncate(line, m.vp.Width, "…")
			if i == sel {
				// ▸ for → marks it where NO_COLOR drops the reverse video.
				r = s.Selected.Render("▸" + strings.TrimPrefix(line, "→"))
				selLine = len(lines)
			} else {
				r = s.Outcome(e.attempt.Outcome).Render(line)
			}
		case kindInfo:
			r = s.Info.Render(common.Hang("·  ", e.text, m.vp.Width))
		case kindError:
			r = s.Error.Render(common.Hang("!  ", e.text, m.vp.Width))
		}
		lines = append(lines, strings.Split(r, "\n")...)
	}
	if len(lines) == 0 {
		lines = []string{s.Info.Render("Say something to the bot: type below and press enter.")}
	}
	m.vp.SetContent(strings.Join(lines, "\n"))
	switch {
	case bottom:
		m.vp.GotoBottom()
	case selLine >= 0 && selLine < m.vp.YOffset:
		m.vp.SetYOffset(selLine)
	case selLine >= m.vp.YOffset+m.vp.Height:
		m.vp.SetYOffset(selLine - m.vp.Height + 1)
	}
}

// View renders the pane's inside.
func (m *Model) View() string { return m.vp.View() }

// AttemptLine is the one-line summary of an attempt, e.g.
// "→ order_lookup (ai_intent) message 200 · 3 ms", then ✗ when production
// would reject the call and ⚠ when it has warnings.
func AttemptLine(a *engine.Attempt, latency func(time.Duration) string) string {
	var b strings.Builder
	b.WriteString("→ ")
	if a.Kind == engine.KindEvent {
		b.WriteString(string(a.Event))
	} else {
		fmt.Fprintf(&b, "%s (%s)", a.ActionID, a.Trigger)
	}
	b.WriteString(" " + string(a.Outcome))
	if a.ReplyAction == engine.ReplySkip {
		b.WriteString(" skip")
	} else if a.ReplyAction == engine.ReplyOverride {
		b.WriteString(" override")
	}
	if a.Response != nil {
		fmt.Fprintf(&b, " %d", a.Response.Status)
	}
	if a.Sent {
		b.WriteString(" · " + latency(a.Latency))
	} else {
		b.WriteString(" · not sent")
	}
	// The marks are spelled out in the inspector.
	if len(a.ProductionWouldReject) > 0 {
		b.WriteString(" ✗")
	}
	if len(a.Warnings) > 0 {
		b.WriteString(" ⚠")
	}
	return b.String()
}
