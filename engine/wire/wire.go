// Package wire holds one Go type per message of the platform's two
// protocols: the custom-action request and its reply, and the four event
// webhook payloads and their reply. These types are the only description of
// the messages in code: the engine sends them, the mock endpoint reads
// them, and docs/protocol.md shows them as marshalled by a test.
//
// Field order is the order in which the platform writes the keys, so
// encoding/json reproduces the documented bodies byte for byte. The package
// uses only the standard library.
package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Marshal encodes v as compact JSON the way the platform writes it: HTML
// characters (<, >, &) stay literal, U+2028 and U+2029 are escaped, and
// there is no trailing newline.
func Marshal(v any) ([]byte, error) { return Append(nil, v) }

// Append is Marshal appending to dst, so a caller that knows the size
// allocates once.
func Append(dst []byte, v any) ([]byte, error) {
	e := encoders.Get().(*encoder)
	defer e.put()
	if err := e.enc.Encode(v); err != nil {
		return dst, err
	}
	return append(dst, bytes.TrimSuffix(e.buf.Bytes(), []byte{'\n'})...), nil
}

// encoders keeps Encoders with their buffers: a new pair is two
// allocations on every dispatch.
var encoders = sync.Pool{New: func() any {
	e := &encoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}}

type encoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// maxPooled is the largest buffer kept for reuse; a rare big message's
// buffer goes to the collector.
const maxPooled = 64 << 10

func (e *encoder) put() {
	if e.buf.Cap() > maxPooled {
		return
	}
	e.buf.Reset()
	encoders.Put(e)
}

// Trigger names, as the "trigger" field spells them.
const (
	TriggerIntent = "ai_intent"     // the visitor's message matched an intent
	TriggerButton = "button_click"  // the visitor pressed a button
	TriggerLead   = "lead_captured" // the lead form was completed
	TriggerManual = "manual"        // fired by hand from the dashboard
)

// ActionRequest is the body of a custom-action call: a POST to the action's
// URL, signed with HMAC-SHA256 over these exact bytes in X-DGbot-Signature.
type ActionRequest struct {
	// ActionID is the action's id in the workspace.
	ActionID string `json:"action_id"`
	// ConversationID identifies the conversation that fired the action; the
	// rate limit of 3 calls per 10 minutes is counted per conversation.
	ConversationID string `json:"conversation_id"`
	// ChatbotID is the id of the bot the action belongs to, always a string.
	ChatbotID string `json:"chatbot_id"`
	// Trigger says what fired the action: one of the Trigger constants.
	Trigger string `json:"trigger"`
	// Payload is the action's payload template with its variables resolved,
	// always a JSON object; its keys are whatever the template declares.
	Payload json.RawMessage `json:"payload"`
	// Metadata describes the visitor and the moment of the call.
	Metadata ActionMetadata `json:"metadata"`
}

// ActionMetadata is the "metadata" object of an ActionRequest.
type ActionMetadata struct {
	// VisitorID identifies the visitor talking to the bot.
	VisitorID string `json:"visitor_id"`
	// Timestamp is when the call was made.
	Timestamp Time `json:"timestamp"`
	// ChatbotName is the bot's display name.
	ChatbotName string `json:"chatbot_name"`
}

// ActionReply is what an action endpoint answers, with status 200, in
// exactly one of three shapes: {"message": …} is said to the visitor word
// for word; {"data": {…}} is a JSON object the bot turns into a sentence;
// {"error": …} makes the bot say it could not complete the request. A nil
// field is absent from the body.
type ActionReply struct {
	// Message is the text the bot says verbatim.
	Message *string `json:"message,omitempty"`
	// Data is an object of facts the bot composes into a sentence, in the
	// order of its keys.
	Data json.RawMessage `json:"data,omitempty"`
	// Error is a short explanation the bot relays after an apology. It may
	// also come with a 4xx status.
	Error *string `json:"error,omitempty"`
}

// Message is the reply {"message": text}.
func Message(text string) ActionReply { return ActionReply{Message: &text} }

// Data is the reply {"data": object}; object must be a JSON object.
func Data(object json.RawMessage) ActionReply { return ActionReply{Data: object} }

// Error is the reply {"error": text}.
func Error(text string) ActionReply { return ActionReply{Error: &text} }

// Event names, as the "event_type" field spells them.
const (
	EventMessageReceived    = "on_message_received"
	EventTicketCreated      = "on_ticket_created"
	EventLiveChatRequested  = "on_live_chat_requested"
	EventBeforeResponseSent = "before_response_sent"
)

// EventHeader opens every event webhook payload. Each payload embeds it
// first, so its keys come first on the wire. Event webhooks are POSTs with
// "Authorization: Bearer <token>"; they are not signed.
type EventHeader struct {
	// EventType names the event: one of the Event constants.
	EventType string `json:"event_type"`
	// BotID is the bot's id: a JSON number when the id is all digits, as
	// the platform's own ids are, otherwise a string.
	BotID BotID `json:"bot_id"`
	// VisitorID identifies the visitor the event is about.
	VisitorID string `json:"visitor_id"`
}

// MessageReceived is on_message_received: the visitor sent a message.
type MessageReceived struct {
	EventHeader
	// Message is the visitor's message.
	Message string `json:"message"`
	// Type is the message's kind, "text" for typed messages.
	Type string `json:"type"`
	// Intent is the intent the platform recognised, or "" for none.
	Intent string `json:"intent"`
	// Timestamp is when the message arrived.
	Timestamp Time `json:"timestamp"`
}

// TicketCreated is on_ticket_created: the bot opened a support ticket.
type TicketCreated struct {
	EventHeader
	// TicketNumber is the ticket's reference, e.g. "TIC-20250507-5320".
	TicketNumber string `json:"ticket_number"`
	// TicketData is what the visitor filled in.
	TicketData TicketData `json:"ticket_data"`
	// Timestamp is when the ticket was created.
	Timestamp Time `json:"timestamp"`
}

// TicketData is what the visitor filled in for a ticket.
type TicketData struct {
	// Name is the visitor's name.
	Name string `json:"name"`
	// Email is where the support team answers.
	Email string `json:"email"`
	// Description is the visitor's account of the problem.
	Description string `json:"description"`
}

// LiveChatRequested is on_live_chat_requested: the visitor asked for a human.
type LiveChatRequested struct {
	EventHeader
	// SessionStatus is the live-chat session's state, "pending" when asked.
	SessionStatus string `json:"session_status"`
	// Message is the visitor's message that asked for a human.
	Message string `json:"message"`
	// RequestTime is when the visitor asked; this event has no "timestamp".
	RequestTime Time `json:"request_time"`
}

// BeforeResponseSent is before_response_sent: the bot is about to answer,
// and the webhook may replace or suppress the answer (see WebhookReply).
type BeforeResponseSent struct {
	EventHeader
	// Response is the reply the bot is about to send.
	Response BotResponse `json:"response"`
	// Message is the visitor's message being answered.
	Message string `json:"message"`
	// SourceType says who wrote the reply, "bot" for the bot itself.
	SourceType string `json:"source_type"`
	// Intent is the intent the platform recognised, or "" for none.
	Intent string `json:"intent"`
	// Timestamp is when the reply was about to go out.
	Timestamp Time `json:"timestamp"`
}

// BotResponse is a reply of the bot's, as before_response_sent carries it.
type BotResponse struct {
	// Response is the reply's text.
	Response string `json:"response"`
	// Type is "text" for an ordinary reply and "error" for an error reply.
	Type string `json:"type"`
}

// Reply actions, as a WebhookReply's "action" spells them.
const (
	ReplyOverride = "override_response" // say Response instead of the bot's reply
	ReplySkip     = "skip"              // send no reply (before_response_sent only)
)

// WebhookReply is what an event webhook may answer with a 2xx. An empty
// body, or one without "action", leaves the conversation unchanged.
type WebhookReply struct {
	// Status is informational ("success" in the platform's sample
	// receiver); the platform does not read it.
	Status string `json:"status,omitempty"`
	// Action is ReplyOverride or ReplySkip.
	Action string `json:"action,omitempty"`
	// Response is the replacement for override_response: a JSON string, or
	// an object whose string "response" is the text (the shape of
	// BeforeResponseSent's "response").
	Response json.RawMessage `json:"response,omitempty"`
}

// Time is a moment as the platform writes it: RFC 3339 in UTC, to the
// second, ending in Z ("2025-04-26T10:30:45Z").
type Time time.Time

// Layout is Time's format.
const Layout = "2006-01-02T15:04:05Z"

// MarshalText writes t in UTC to the second.
func (t Time) MarshalText() ([]byte, error) {
	return time.Time(t).UTC().AppendFormat(make([]byte, 0, len(Layout)), Layout), nil
}

// UnmarshalText reads any RFC 3339 time, so that a receiver accepts the
// platform's timestamps and is lenient with hand-written ones.
func (t *Time) UnmarshalText(b []byte) error {
	v, err := time.Parse(time.RFC3339, string(b))
	if err != nil {
		return err
	}
	*t = Time(v.UTC())
	return nil
}

// BotID is a bot's id in an event payload. The platform's ids are numbers
// and go out as JSON numbers ("bot_id": 21); any other id goes out as a
// string. Both are read back.
type BotID string

// MarshalJSON writes an all-digits id (without a leading zero, short enough
// to be exact in any JSON reader) as a number, anything else as a string.
func (id BotID) MarshalJSON() ([]byte, error) {
	s := string(id)
	numeric := s != "" && len(s) < 16 && (s[0] != '0' || s == "0")
	for i := 0; i < len(s) && numeric; i++ {
		numeric = s[i] >= '0' && s[i] <= '9'
	}
	if numeric {
		return []byte(s), nil
	}
	return Marshal(s)
}

// UnmarshalJSON reads a number as written, or a string.
func (id *BotID) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = BotID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("bot_id: want a number or a string, got %s", b)
	}
	if _, err := strconv.ParseFloat(string(n), 64); err != nil {
		return fmt.Errorf("bot_id: %w", err)
	}
	*id = BotID(n)
	return nil
}
