package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/engine"
)

// attemptJSON is the --json form of an attempt: stable field names that
// scripts can rely on.
type attemptJSON struct {
	ID                    int64          `json:"id,omitempty"` // the history's id
	Outcome               engine.Outcome `json:"outcome"`
	Status                int            `json:"status"`
	LatencyMS             float64        `json:"latency_ms"`
	BotReply              string         `json:"bot_reply"`
	Diagnosis             string         `json:"diagnosis"`
	Warnings              []string       `json:"warnings"`
	ProductionWouldReject []string       `json:"production_would_reject"`
	DeliveryID            string         `json:"delivery_id"`
	Kind                  engine.Kind    `json:"kind"`
	ActionID              string         `json:"action_id,omitempty"`
	Event                 engine.Event   `json:"event,omitempty"`
	// ReplyAction and Override are an event webhook's answer; an action
	// has neither, so they are absent rather than empty.
	ReplyAction    *string        `json:"reply_action,omitempty"`
	Override       *string        `json:"override,omitempty"`
	ConversationID string         `json:"conversation_id"`
	Trigger        engine.Trigger `json:"trigger,omitempty"`
	At             time.Time      `json:"at"`
	Sent           bool           `json:"sent"`
	RemoteAddr     string         `json:"remote_addr,omitempty"`
	RateLimit      rateLimitJSON  `json:"rate_limit"`
	Request        requestJSON    `json:"request"`
	Response       *responseJSON  `json:"response"`
}

type rateLimitJSON struct {
	Remaining int        `json:"remaining"`
	FreesAt   *time.Time `json:"frees_at"`
}

type requestJSON struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

type responseJSON struct {
	Status     int               `json:"status"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	BodyBase64 string            `json:"body_base64,omitempty"`
	Truncated  bool              `json:"truncated"`
}

func newAttemptJSON(a *engine.Attempt, id int64) attemptJSON {
	j := attemptJSON{
		ID:                    id,
		Outcome:               a.Outcome,
		LatencyMS:             float64(a.Latency.Microseconds()) / 1000,
		BotReply:              a.BotReply,
		Diagnosis:             a.Diagnosis,
		Warnings:              nonNil(a.Warnings),
		ProductionWouldReject: nonNil(a.ProductionWouldReject),
		DeliveryID:            a.DeliveryID,
		Kind:                  a.Kind,
		ActionID:              a.ActionID,
		Event:                 a.Event,
		ConversationID:        a.ConversationID,
		Trigger:               a.Trigger,
		At:                    a.At,
		Sent:                  a.Sent,
		RemoteAddr:            remoteAddr(a),
		RateLimit:             rateLimitJSON{Remaining: a.Limit.Remaining},
		Request: requestJSON{
			Method:  a.Request.Method,
			URL:     a.Request.URL,
			Headers: flatHeaders(a.Request.Header),
			Body:    string(a.Request.Body),
		},
	}
	if a.Kind == engine.KindEvent {
		action, override := string(a.ReplyAction), a.Override
		j.ReplyAction, j.Override = &action, &override
	}
	if !a.Limit.FreesAt.IsZero() {
		t := a.Limit.FreesAt
		j.RateLimit.FreesAt = &t
	}
	if r := a.Response; r != nil {
		j.Status = r.Status
		j.Response = &responseJSON{Status: r.Status, Headers: flatHeaders(r.Header), Truncated: r.Truncated}
		if utf8.Valid(r.Body) {
			j.Response.Body = string(r.Body)
		} else {
			j.Response.BodyBase64 = encodeBase64(r.Body)
		}
	}
	return j
}

// writeAttemptJSON prints a as one JSON object; a must already be redacted.
func writeAttemptJSON(w io.Writer, a *engine.Attempt, id int64) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(newAttemptJSON(a, id))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func flatHeaders(h http.Header) map[string]string {
	m := make(map[string]string, len(h))
	for k, v := range h {
		m[k] = strings.Join(v, ", ")
	}
	return m
}

// styles for the human output; lipgloss drops colour when stdout is not a
// terminal or NO_COLOR is set.
type styles struct {
	ok, bad, warn, label, dim lipgloss.Style
}

func newStyles(w io.Writer) styles {
	r := lipgloss.NewRenderer(w)
	return styles{
		ok:    r.NewStyle().Foreground(lipgloss.Color("2")).Bold(true),
		bad:   r.NewStyle().Foreground(lipgloss.Color("1")).Bold(true),
		warn:  r.NewStyle().Foreground(lipgloss.Color("3")),
		label: r.NewStyle().Bold(true),
		dim:   r.NewStyle().Faint(true),
	}
}

// writeAttemptText prints a for a person; a must already be redacted.
func writeAttemptText(w io.Writer, a *engine.Attempt, id int64) error {
	st := newStyles(w)
	var b strings.Builder
	outcome := st.bad.Render(string(a.Outcome))
	if a.Outcome.Succeeded() {
		outcome = st.ok.Render(string(a.Outcome))
	}
	status := "no response"
	if a.Response != nil {
		status = http.StatusText(a.Response.Status)
		status = strings.TrimSpace(fmt.Sprintf("%d %s", a.Response.Status, status))
	}
	latency := "not sent"
	if a.Sent || a.Latency > 0 {
		latency = engine.FormatLatency(a.Latency)
	}
	fmt.Fprintf(&b, "%s  %s  %s\n", outcome, status, latency)
	field := func(name, value string) {
		fmt.Fprintf(&b, "%s %s\n", st.label.Render(fmt.Sprintf("%-10s", name+":")), value)
	}
	if a.Kind == engine.KindEvent {
		field("event", fmt.Sprintf("%s → %s", a.Event, a.Request.URL))
		if a.Outcome.Succeeded() {
			field("reply", eventReply(a))
		}
	} else {
		field("action", fmt.Sprintf("%s (%s) → %s", a.ActionID, a.Trigger, a.Request.URL))
		field("bot", a.BotReply)
	}
	if a.Diagnosis != "" {
		field("diagnosis", a.Diagnosis)
	}
	for _, warning := range a.Warnings {
		field("warning", st.warn.Render(warning))
	}
	for _, mark := range a.ProductionWouldReject {
		field("note", st.warn.Render("production would reject: "+mark))
	}
	limit := fmt.Sprintf("%d of %d calls left in this conversation's %d-minute window", a.Limit.Remaining, engine.RateLimit, int(engine.RateWindow.Minutes()))
	if !a.Limit.FreesAt.IsZero() {
		limit += fmt.Sprintf(", frees at %s", a.Limit.FreesAt.Format(time.TimeOnly))
	}
	if a.Kind == engine.KindAction && (a.Outcome != engine.OutcomeRejected && a.Outcome != engine.OutcomeTooLarge || a.Sent) {
		field("limit", limit)
	}
	footer := fmt.Sprintf("conversation %s · delivery %s", a.ConversationID, a.DeliveryID)
	if id != 0 {
		footer = fmt.Sprintf("history #%d · %s", id, footer)
	}
	fmt.Fprintf(&b, "%s\n", st.dim.Render(footer))
	_, err := io.WriteString(w, b.String())
	return err
}

func encodeBase64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func remoteAddr(a *engine.Attempt) string {
	if !a.RemoteAddr.IsValid() {
		return ""
	}
	return a.RemoteAddr.String()
}

// eventReply says what a webhook's answer does to the conversation.
func eventReply(a *engine.Attempt) string {
	switch a.ReplyAction {
	case engine.ReplyOverride:
		return fmt.Sprintf("override_response: the bot says %q instead", a.Override)
	case engine.ReplySkip:
		return "skip: the bot's reply is not sent"
	}
	return "none: the conversation goes on unchanged"
}
