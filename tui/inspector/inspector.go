// Package inspector is the pane that shows one attempt in full: the
// request as sent, the response, the latency against the budget, and what
// the platform made of it.
package inspector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/viewport"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/tui/common"
	"github.com/actionbench/actionbench/tui/transcript"
)

// maxBody is how much of a body the inspector draws; the rest is counted.
const maxBody = 16 << 10

// Model is the inspector pane.
type Model struct {
	c       *common.Common
	vp      viewport.Model
	attempt *engine.Attempt
	// conv and turns are a transcript shown in place of the attempt,
	// while conv is not "".
	conv  string
	turns []history.Turn
	// Latency formats the attempt's latency; tests make it constant.
	Latency func(time.Duration) string
	// Empty is what the pane says with no attempt: how to select one
	// where it is.
	Empty string
}

// New returns an empty inspector.
func New(c *common.Common) *Model {
	vp := viewport.New(0, 0)
	vp.KeyMap = viewport.KeyMap{} // the workbench routes its own keys
	return &Model{c: c, vp: vp, Latency: engine.FormatLatency,
		Empty: "No attempt selected. Press ↑ or ↓ to select an action call or webhook from the conversation."}
}

// SetSize sets the pane's inner size.
func (m *Model) SetSize(w, h int) {
	m.vp.Width, m.vp.Height = w, h
	m.render()
}

// SetAttempt shows a (nil for none), from the top, in place of any
// transcript.
func (m *Model) SetAttempt(a *engine.Attempt) {
	if a == m.attempt && m.conv == "" {
		return
	}
	m.attempt, m.conv, m.turns = a, "", nil
	m.render()
	m.vp.GotoTop()
}

// SetTranscript shows a conversation's transcript, from the top, in place
// of the attempt until CloseTranscript or SetAttempt.
func (m *Model) SetTranscript(conversation string, turns []history.Turn) {
	m.conv, m.turns = conversation, turns
	m.render()
	m.vp.GotoTop()
}

// ShowingTranscript reports whether a transcript is shown.
func (m *Model) ShowingTranscript() bool { return m.conv != "" }

// CloseTranscript goes back to the attempt shown before the transcript.
func (m *Model) CloseTranscript() {
	if m.conv == "" {
		return
	}
	m.conv, m.turns = "", nil
	m.render()
	m.vp.GotoTop()
}

// PageUp and PageDown scroll the pane.
func (m *Model) PageUp()   { m.vp.HalfViewUp() }
func (m *Model) PageDown() { m.vp.HalfViewDown() }

// View renders the pane's inside.
func (m *Model) View() string { return m.vp.View() }

func (m *Model) render() {
	if m.vp.Width <= 0 {
		return
	}
	s := m.c.Styles
	w := m.vp.Width
	if m.conv != "" {
		m.vp.SetContent(m.transcriptText(w))
		return
	}
	a := m.attempt
	if a == nil {
		m.vp.SetContent(s.Info.Render(wrap(m.Empty, w)))
		return
	}
	var b strings.Builder
	line := func(parts ...string) { b.WriteString(wrap(strings.Join(parts, ""), w) + "\n") }
	// field writes a label and its value, a long value wrapped under
	// itself so the labels stay a column of their own.
	field := func(label string, parts ...string) {
		b.WriteString(common.Hang(label, strings.Join(parts, ""), w) + "\n")
	}
	section := func(t string) { b.WriteString("\n" + s.Section.Render(t) + "\n") }

	title := transcript.AttemptLine(a, m.Latency)
	b.WriteString(s.Outcome(a.Outcome).Bold(true).Render(wrap(title, w)) + "\n")
	field(s.Label.Render("outcome   "), string(a.Outcome))
	if a.Response != nil {
		field(s.Label.Render("status    "), fmt.Sprint(a.Response.Status), " ", http.StatusText(a.Response.Status))
	}
	if a.Kind == engine.KindAction {
		field(s.Label.Render("action    "), a.ActionID, " (", string(a.Trigger), ")")
	} else {
		field(s.Label.Render("event     "), string(a.Event))
	}
	field(s.Label.Render("at        "), a.At.UTC().Format(time.RFC3339), s.Faint.Render(" (virtual)"))
	field(s.Label.Render("delivery  "), a.DeliveryID)
	if a.ReplyAction != "" {
		field(s.Label.Render("webhook   "), string(a.ReplyAction), quoted(a.Override))
	}
	if a.BotReply != "" {
		field(s.Label.Render("bot says  "), a.BotReply)
	}
	b.WriteString(s.Label.Render("latency   ") + LatencyBar(s, a, w-10, m.Latency) + "\n")
	if a.Diagnosis != "" {
		field(s.Error.Render("diagnosis "), a.Diagnosis)
	}
	for _, warn := range a.Warnings {
		field(s.Warn.Render("warning   "), warn)
	}
	for _, r := range a.ProductionWouldReject {
		field(s.Failed.Render("✗ production would reject: "), r)
	}

	section("Request")
	// The URL breaks at its slashes, or within a segment if it must, not
	// after the method: the request line stays one piece of text.
	b.WriteString(ansi.Wrap(a.Request.Method+" "+a.Request.URL, w, "/?&") + "\n")
	headers(&b, s, a.Request.Header, w)
	body(&b, a.Request.Body, w)

	section("Response")
	if r := a.Response; r == nil {
		line(s.Faint.Render("no response"))
	} else {
		line(r.Proto, " ", fmt.Sprint(r.Status))
		headers(&b, s, r.Header, w)
		body(&b, r.Body, w)
		if r.Truncated {
			line(s.Warn.Render("(the body was larger than the limit and was cut)"))
		}
	}
	m.vp.SetContent(strings.TrimRight(b.String(), "\n"))
}

// transcriptText is the transcript as the CLI's Markdown export has it,
// plain: a turn a line, its time (virtual), speaker and text.
func (m *Model) transcriptText(w int) string {
	s := m.c.Styles
	var b strings.Builder
	b.WriteString(s.Section.Render(wrap("Conversation "+m.conv, w)) + "\n\n")
	if len(m.turns) == 0 {
		b.WriteString(s.Info.Render(wrap("No turns recorded for this conversation.", w)))
	}
	for _, t := range m.turns {
		head := s.Faint.Render(t.At.UTC().Format("15:04:05") + " · ")
		// Continuation lines start under the speaker.
		b.WriteString(common.Hang(head, s.Label.Render(string(t.Speaker))+": "+t.Text, w) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// LatencyBar draws the latency as a bar against the 8 s budget.
func LatencyBar(s *common.Styles, a *engine.Attempt, w int, latency func(time.Duration) string) string {
	if !a.Sent {
		return s.Faint.Render("not sent")
	}
	label := fmt.Sprintf(" %s of %s", latency(a.Latency), "8 s")
	n := max(min(w-lipgloss.Width(label), 30), 4)
	filled := int(float64(n) * float64(a.Latency) / float64(engine.Timeout))
	if a.Latency > 0 && filled == 0 {
		filled = 1
	}
	filled = min(filled, n)
	style := s.BarFull
	if a.Outcome == engine.OutcomeTimeout {
		style = s.BarOver
	}
	return style.Render(strings.Repeat("█", filled)) + s.Faint.Render(strings.Repeat("░", n-filled)) + label
}

func headers(b *strings.Builder, s *common.Styles, h map[string][]string, w int) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			b.WriteString(wrap(s.Label.Render(k+": ")+v, w) + "\n")
		}
	}
}

func body(b *strings.Builder, raw []byte, w int) {
	if len(raw) == 0 {
		return
	}
	shown := raw
	var rest int
	if len(shown) > maxBody {
		shown, rest = shown[:maxBody], len(raw)-maxBody
	}
	var pretty bytes.Buffer
	if rest == 0 && json.Indent(&pretty, raw, "", "  ") == nil {
		shown = pretty.Bytes()
	}
	b.WriteString("\n" + wrap(strings.ToValidUTF8(string(shown), "�"), w) + "\n")
	if rest > 0 {
		fmt.Fprintf(b, "… %d more bytes\n", rest)
	}
}

func quoted(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" %q", s)
}

// wrap hard-wraps s to w cells, so no line (a long URL, a one-line JSON
// body) can push the layout wider than the pane.
func wrap(s string, w int) string {
	return lipgloss.NewStyle().Width(w).Render(s)
}
