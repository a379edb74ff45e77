package engine

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/actionbench/actionbench/engine/template"
)

// Webhook is a workspace's event webhook: one URL, a Bearer token and the
// events it subscribes to.
type Webhook struct {
	URL    string
	Token  string // never printed, logged or stored
	Events []Event
	// Signing SigningStandardWebhooks signs each event with Secret (a
	// whsec_ secret, never printed, logged or stored) besides the token.
	Signing Signing
	Secret  string
}

// Subscribes reports whether the webhook wants e.
func (w Webhook) Subscribes(e Event) bool {
	for _, s := range w.Events {
		if s == e {
			return true
		}
	}
	return false
}

// EventFields are the values an event's payload carries. Each event uses
// the fields its reference payload has and ignores the rest.
type EventFields struct {
	VisitorID     string
	Message       string // the visitor's message
	MessageType   string // on_message_received "type"; "text" when empty
	Intent        string
	TicketNumber  string
	TicketName    string
	TicketEmail   string
	TicketText    string // ticket_data.description
	SessionStatus string // on_live_chat_requested; "pending" when empty
	Response      string // before_response_sent: the bot's reply
	ResponseType  string // before_response_sent: "text" when empty, "error" for an error reply
	SourceType    string // before_response_sent: "bot" when empty
}

// EventCall is one event webhook to send.
type EventCall struct {
	Chatbot        Chatbot
	Webhook        Webhook
	ConversationID string // not in the payload; ties the attempt to its conversation
	Event          Event
	Fields         EventFields
}

// Emit sends one event webhook and reports everything about it. Like Fire it
// never returns an error; event webhooks have no rate limit.
func (d *Dispatcher) Emit(ctx context.Context, call EventCall) *Attempt {
	now := d.clock().UTC()
	a := &Attempt{
		Kind:           KindEvent,
		DeliveryID:     d.newID(),
		ConversationID: call.ConversationID,
		Event:          call.Event,
		At:             now,
	}
	body := eventBody(&call, now)
	a.Request = d.eventRequest(call.Webhook.URL, call.Webhook.Token, body)
	if err := d.applySigning(&a.Request, call.Webhook.Signing, call.Webhook.Secret, a.DeliveryID); err != nil {
		a.fail(OutcomeRejected, err.Error())
		a.BotReply = ""
		return a
	}
	if len(body) > MaxBodyBytes {
		a.fail(OutcomeTooLarge, fmt.Sprintf("request body is %s bytes, over the %s-byte limit: the platform never sends it; shorten the message or ticket fields", commas(len(body)), commas(MaxBodyBytes)))
		a.BotReply = ""
		return a
	}
	d.sendEvent(ctx, a)
	return a
}

// eventRequest is an event's POST of body with the webhook's token.
func (d *Dispatcher) eventRequest(url, token string, body []byte) Request {
	return Request{
		Method: http.MethodPost,
		URL:    url,
		Header: http.Header{
			"Content-Type":    jsonContentType,
			"User-Agent":      d.userAgentValue,
			"Accept-Encoding": acceptGzip,
			"Authorization":   {"Bearer " + token},
		},
		Body: body,
	}
}

// sendEvent sends a's request and classifies the answer.
func (d *Dispatcher) sendEvent(ctx context.Context, a *Attempt) {
	tgt, ok := d.checkURL(a)
	if ok && d.exchange(ctx, a, tgt) {
		classifyEvent(a)
	}
	if !a.Outcome.Succeeded() {
		// A failed webhook leaves the conversation unchanged: the bot says
		// nothing on its behalf.
		a.BotReply = ""
	}
}

// eventBody renders the reference's payload for the event, keys in its order.
func eventBody(call *EventCall, now time.Time) []byte {
	f := call.Fields
	b := make([]byte, 0, 256+len(f.Message)+len(f.Response)+len(f.TicketText))
	field := func(key, value string) {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		b = template.AppendString(b, value)
	}
	stamp := func(key string) {
		b = append(b, `,"`...)
		b = append(b, key...)
		b = append(b, `":"`...)
		b = appendTimestamp(b, now)
		b = append(b, '"')
	}
	b = append(b, `{"event_type":`...)
	b = template.AppendString(b, string(call.Event))
	b = append(b, `,"bot_id":`...)
	b = appendBotID(b, call.Chatbot.ID)
	field("visitor_id", f.VisitorID)
	switch call.Event {
	case EventMessageReceived:
		field("message", f.Message)
		field("type", orDefault(f.MessageType, "text"))
		field("intent", f.Intent)
		stamp("timestamp")
	case EventTicketCreated:
		field("ticket_number", f.TicketNumber)
		b = append(b, `,"ticket_data":{"name":`...)
		b = template.AppendString(b, f.TicketName)
		b = append(b, `,"email":`...)
		b = template.AppendString(b, f.TicketEmail)
		b = append(b, `,"description":`...)
		b = template.AppendString(b, f.TicketText)
		b = append(b, '}')
		stamp("timestamp")
	case EventLiveChatRequested:
		field("session_status", orDefault(f.SessionStatus, "pending"))
		field("message", f.Message)
		stamp("request_time")
	case EventBeforeResponseSent:
		b = append(b, `,"response":{"response":`...)
		b = template.AppendString(b, f.Response)
		b = append(b, `,"type":`...)
		b = template.AppendString(b, orDefault(f.ResponseType, "text"))
		b = append(b, '}')
		field("message", f.Message)
		field("source_type", orDefault(f.SourceType, "bot"))
		field("intent", f.Intent)
		stamp("timestamp")
	}
	return append(b, '}')
}

// appendBotID writes a numeric chatbot id as a JSON number, as the
// reference's payloads show ("bot_id": 21), and any other id as a string.
func appendBotID(b []byte, id string) []byte {
	numeric := id != "" && len(id) < 16 && (id[0] != '0' || id == "0")
	for i := 0; i < len(id) && numeric; i++ {
		numeric = id[i] >= '0' && id[i] <= '9'
	}
	if numeric {
		return append(b, id...)
	}
	return template.AppendString(b, id)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// classifyEvent decides the outcome of a complete response to an event
// webhook and what it asks of the conversation.
func classifyEvent(a *Attempt) {
	r := a.Response
	switch status := r.Status; {
	case status >= 500:
		a.fail(OutcomeError, fmt.Sprintf("%s: the webhook failed%s; the conversation goes on unchanged", statusText(status), bodyHint(r)))
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		a.fail(OutcomeError, fmt.Sprintf("%s: token mismatch — the webhook refused Authorization: Bearer …; check that it compares against the token configured in the workspace", statusText(status)))
	case status >= 400:
		a.fail(OutcomeError, fmt.Sprintf("%s%s: the webhook rejected the event; the conversation goes on unchanged", statusText(status), errorHint(r)))
	case status >= 300:
		loc := r.Header.Get("Location")
		if loc == "" {
			loc = "(no Location)"
		}
		a.fail(OutcomeInvalidResponse, fmt.Sprintf("%s redirect to %s was not followed: the platform never follows redirects; configure the final URL", statusText(status), loc))
	case status >= 200:
		a.Outcome = OutcomeAcknowledged
		a.ReplyAction, a.Override, a.Warnings = interpretEventReply(a.Event, r, a.Warnings)
		a.BotReply = a.Override
	default:
		a.fail(OutcomeInvalidResponse, fmt.Sprintf("unexpected status %s", statusText(status)))
	}
}

// errorHint quotes the endpoint's error text for a 4xx, JSON or plain.
func errorHint(r *Response) string {
	body := trimSpace(r.Body)
	if len(body) == 0 {
		return ""
	}
	if jsonProblem(body) == "" {
		if reply := parseReply(body); reply.has[keyError] {
			return fmt.Sprintf(" with error %q", reply.errText)
		}
	}
	return bodyHint(r)
}

// interpretEventReply reads what a 2xx answer asks for. Anything the
// platform would not act on leaves the conversation unchanged and earns a
// warning saying why.
func interpretEventReply(event Event, r *Response, warnings []string) (ReplyAction, string, []string) {
	body := trimSpace(r.Body)
	if len(body) == 0 {
		return ReplyNone, "", warnings
	}
	if problem := jsonProblem(body); problem != "" {
		return ReplyNone, "", append(warnings, "the answer is not a JSON object ("+problem+"): the platform ignores it and the conversation goes on unchanged")
	}
	var action, response []byte
	members(body, func(m member) {
		switch m.key {
		case "action":
			action = m.raw
		case "response":
			response = m.raw
		}
	})
	if action == nil {
		return ReplyNone, "", warnings
	}
	if jsonKind(action) != "string" {
		return ReplyNone, "", append(warnings, fmt.Sprintf(`"action" is %s %s, not a string: the reply is ignored`, article(jsonKind(action)), jsonKind(action)))
	}
	switch name := unquote(action); ReplyAction(name) {
	case ReplySkip:
		if event != EventBeforeResponseSent {
			warnings = append(warnings, fmt.Sprintf(`"skip" only means something for before_response_sent; on %s the platform has no reply to skip`, event))
		}
		return ReplySkip, "", warnings
	case ReplyOverride:
		text, problem := overrideText(response)
		if problem != "" {
			return ReplyNone, "", append(warnings, "override_response "+problem+": the reply is left unchanged")
		}
		return ReplyOverride, text, warnings
	default:
		return ReplyNone, "", append(warnings, fmt.Sprintf(`"action" is %q: the platform knows "override_response" and "skip"; the reply is left unchanged`, name))
	}
}

// overrideText reads R of {"action":"override_response","response":R}: a
// string, or an object with a string "response".
func overrideText(raw []byte) (string, string) {
	switch kind := jsonKind(raw); kind {
	case "nothing":
		return "", `has no "response"`
	case "string":
		return unquote(trimSpace(raw)), ""
	case "object":
		var text []byte
		members(trimSpace(raw), func(m member) {
			if m.key == "response" {
				text = m.raw
			}
		})
		if text == nil || jsonKind(text) != "string" {
			return "", `has an object "response" without a string "response" inside`
		}
		return unquote(trimSpace(text)), ""
	default:
		return "", fmt.Sprintf(`has %s %s "response", not a string or an object`, article(kind), kind)
	}
}
