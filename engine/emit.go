package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/actionbench/actionbench/engine/wire"
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

// eventBody renders the event's payload as its wire type.
func eventBody(call *EventCall, now time.Time) []byte {
	f := call.Fields
	head := wire.EventHeader{EventType: string(call.Event), BotID: wire.BotID(call.Chatbot.ID), VisitorID: f.VisitorID}
	at := wire.Time(now)
	var msg any
	switch call.Event {
	case EventMessageReceived:
		msg = wire.MessageReceived{EventHeader: head, Message: f.Message, Type: cmp.Or(f.MessageType, "text"), Intent: f.Intent, Timestamp: at}
	case EventTicketCreated:
		msg = wire.TicketCreated{EventHeader: head, TicketNumber: f.TicketNumber,
			TicketData: wire.TicketData{Name: f.TicketName, Email: f.TicketEmail, Description: f.TicketText}, Timestamp: at}
	case EventLiveChatRequested:
		msg = wire.LiveChatRequested{EventHeader: head, SessionStatus: cmp.Or(f.SessionStatus, "pending"), Message: f.Message, RequestTime: at}
	case EventBeforeResponseSent:
		msg = wire.BeforeResponseSent{EventHeader: head,
			Response: wire.BotResponse{Response: f.Response, Type: cmp.Or(f.ResponseType, "text")},
			Message:  f.Message, SourceType: cmp.Or(f.SourceType, "bot"), Intent: f.Intent, Timestamp: at}
	default:
		msg = head // an event the protocol lacks; Emit's callers parse events first
	}
	return mustMarshal(make([]byte, 0, envelopeSize+len(f.Message)+len(f.Response)+len(f.TicketText)), msg)
}

// classifyEvent decides the outcome of a complete response to an event
// webhook and what it asks of the conversation.
func classifyEvent(a *Attempt) {
	r := a.Response
	switch status := r.Status; {
	case status >= 500:
		a.fail(OutcomeError, fmt.Sprintf("%s: the webhook failed%s; the conversation goes on unchanged", statusText(status), bodyHint(r)))
	case (status == http.StatusUnauthorized || status == http.StatusForbidden) && standardRefusal(&a.Request) != "":
		a.fail(OutcomeError, fmt.Sprintf("%s: %s", statusText(status), standardRefusal(&a.Request)))
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
	if isBlank(r.Body) {
		return ""
	}
	if reply, notObject := parseReply(r.Body); notObject == "" && reply.Error != nil {
		return fmt.Sprintf(" with error %q", *reply.Error)
	}
	return bodyHint(r)
}

// interpretEventReply reads what a 2xx answer asks for. Anything the
// platform would not act on leaves the conversation unchanged and earns a
// warning saying why.
func interpretEventReply(event Event, r *Response, warnings []string) (ReplyAction, string, []string) {
	if isBlank(r.Body) {
		return ReplyNone, "", warnings
	}
	ms, problem := readObject(r.Body)
	if problem != "" {
		return ReplyNone, "", append(warnings, "the answer is not a JSON object ("+problem+"): the platform ignores it and the conversation goes on unchanged")
	}
	// The last of a repeated key counts, as in encoding/json.
	var action json.RawMessage
	var reply wire.WebhookReply
	for _, m := range ms {
		switch m.key {
		case "action":
			action = m.raw
		case "response":
			reply.Response = m.raw
		}
	}
	if action == nil {
		return ReplyNone, "", warnings
	}
	if kind := jsonKind(action); kind != "string" {
		return ReplyNone, "", append(warnings, fmt.Sprintf(`"action" is %s %s, not a string: the reply is ignored`, article(kind), kind))
	}
	reply.Action = decodeString(action)
	switch ReplyAction(reply.Action) {
	case ReplySkip:
		if event != EventBeforeResponseSent {
			warnings = append(warnings, fmt.Sprintf(`"skip" only means something for before_response_sent; on %s the platform has no reply to skip`, event))
		}
		return ReplySkip, "", warnings
	case ReplyOverride:
		text, problem := overrideText(reply.Response)
		if problem != "" {
			return ReplyNone, "", append(warnings, "override_response "+problem+": the reply is left unchanged")
		}
		return ReplyOverride, text, warnings
	default:
		return ReplyNone, "", append(warnings, fmt.Sprintf(`"action" is %q: the platform knows "override_response" and "skip"; the reply is left unchanged`, reply.Action))
	}
}

// overrideText reads R of {"action":"override_response","response":R}: a
// string, or an object with a string "response".
func overrideText(raw json.RawMessage) (string, string) {
	switch kind := jsonKind(raw); kind {
	case "nothing":
		return "", `has no "response"`
	case "string":
		return decodeString(raw), ""
	case "object":
		var text []byte
		ms, _ := readObject(raw)
		for _, m := range ms {
			if m.key == "response" {
				text = m.raw
			}
		}
		if text == nil || jsonKind(text) != "string" {
			return "", `has an object "response" without a string "response" inside`
		}
		return decodeString(text), ""
	default:
		return "", fmt.Sprintf(`has %s %s "response", not a string or an object`, article(kind), kind)
	}
}

// SampleFields are the fields a test event carries when nothing sets
// them: a visitor, a message and intent fitting the event, a ticket named
// ticket, and the bot's reply that before_response_sent may override. The
// emit command and a load of events send them.
func SampleFields(event Event, ticket string) EventFields {
	f := EventFields{
		VisitorID:     "v_76f4v2c3e13",
		MessageType:   "text",
		TicketNumber:  ticket,
		TicketName:    "John Doe",
		TicketEmail:   "john@example.com",
		TicketText:    "Need help with integration",
		SessionStatus: "pending",
		Response:      "Original response",
		ResponseType:  "text",
		SourceType:    "bot",
	}
	switch event {
	case EventMessageReceived:
		f.Message, f.Intent = "Hello, I need help with billing.", "billing_inquiry"
	case EventLiveChatRequested:
		f.Message = "I need live support"
	case EventBeforeResponseSent:
		f.Message, f.Intent = "Test message", "webhook"
	}
	return f
}
