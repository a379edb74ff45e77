package engine

import (
	"fmt"

	"github.com/actionbench/actionbench/engine/wire"
)

// Event is an event webhook's name, as the platform sends it in event_type.
type Event string

// The four events of the webhook protocol.
const (
	EventMessageReceived    Event = wire.EventMessageReceived
	EventTicketCreated      Event = wire.EventTicketCreated
	EventLiveChatRequested  Event = wire.EventLiveChatRequested
	EventBeforeResponseSent Event = wire.EventBeforeResponseSent
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
	ReplyOverride ReplyAction = wire.ReplyOverride
	ReplySkip     ReplyAction = wire.ReplySkip
)
