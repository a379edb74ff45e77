package engine

import "fmt"

// Event is an event webhook's name, as the platform sends it in event_type.
type Event string

// The four events of the webhook protocol.
const (
	EventMessageReceived    Event = "on_message_received"
	EventTicketCreated      Event = "on_ticket_created"
	EventLiveChatRequested  Event = "on_live_chat_requested"
	EventBeforeResponseSent Event = "before_response_sent"
)

// Events lists every event, in the reference's order.
var Events = []Event{EventMessageReceived, EventTicketCreated, EventLiveChatRequested, EventBeforeResponseSent}

// ParseEvent accepts an event's name.
func ParseEvent(s string) (Event, error) {
	for _, e := range Events {
		if string(e) == s {
			return e, nil
		}
	}
	return "", fmt.Errorf("unknown event %q (want on_message_received, on_ticket_created, on_live_chat_requested or before_response_sent)", s)
}

// ReplyAction is what an event webhook's answer asks the bot to do.
type ReplyAction string

// The reply actions a webhook can ask for.
const (
	ReplyNone     ReplyAction = ""
	ReplyOverride ReplyAction = "override_response"
	ReplySkip     ReplyAction = "skip"
)
