package engine

import (
	"net/http"
	"net/netip"
	"time"
)

// Outcome is how a dispatch ended; every attempt has exactly one.
type Outcome string

// The outcomes of DESIGN.md §1.
const (
	OutcomeMessage         Outcome = "message"
	OutcomeData            Outcome = "data"
	OutcomeError           Outcome = "error"
	OutcomeInvalidResponse Outcome = "invalid_response"
	OutcomeTimeout         Outcome = "timeout"
	OutcomeTooLarge        Outcome = "too_large"
	OutcomeTransportError  Outcome = "transport_error"
	OutcomeRejected        Outcome = "rejected"
	OutcomeRateLimited     Outcome = "rate_limited"
	// OutcomeAcknowledged is an event webhook's 2xx: the platform accepted
	// the answer (overriding or skipping the reply when it asked to).
	OutcomeAcknowledged Outcome = "acknowledged"
)

// Outcomes lists every outcome, in the order of the design's table.
var Outcomes = []Outcome{
	OutcomeMessage, OutcomeData, OutcomeError, OutcomeInvalidResponse, OutcomeTimeout,
	OutcomeTooLarge, OutcomeTransportError, OutcomeRejected, OutcomeRateLimited, OutcomeAcknowledged,
}

// Succeeded reports whether the endpoint answered as the protocol asks: an
// action with a message or data, an event webhook with a 2xx.
func (o Outcome) Succeeded() bool {
	return o == OutcomeMessage || o == OutcomeData || o == OutcomeAcknowledged
}

// Kind says which protocol an attempt belongs to.
type Kind string

// The two protocols.
const (
	KindAction Kind = "action"
	KindEvent  Kind = "event"
)

// Attempt is the full record of one dispatch: what was sent, what came back,
// and what the platform would make of it. Secrets never appear in it.
type Attempt struct {
	Kind           Kind
	DeliveryID     string
	ConversationID string
	ActionID       string  // KindAction: the action
	Trigger        Trigger // KindAction: what fired it
	Event          Event   // KindEvent: the webhook event

	// At is the virtual-clock time of the attempt (the body's timestamp).
	At time.Time
	// Started is the wall-clock time the exchange began.
	Started time.Time
	// Latency is the wall-clock duration of the exchange; zero if nothing was sent.
	Latency time.Duration

	Request  Request
	Response *Response // nil when no response arrived
	// Sent is true when the request went out on a connection (it counts
	// against the rate limit, whatever came back).
	Sent bool
	// RemoteAddr is the address the request was sent to.
	RemoteAddr netip.AddrPort

	Outcome   Outcome
	BotReply  string   // what the visitor sees
	Diagnosis string   // one line for the endpoint's developer; "" on success
	Warnings  []string // things that worked but deserve attention
	// ProductionWouldReject lists what the production policy would refuse
	// about this call, e.g. "plaintext HTTP" or "loopback address 127.0.0.1".
	ProductionWouldReject []string

	// ReplyAction is what an event webhook asked for: ReplyOverride,
	// ReplySkip, or "" when it left the conversation unchanged.
	ReplyAction ReplyAction
	// Override is the replacement text of an override_response.
	Override string

	// Limit is the conversation's rate-limit window after this attempt.
	Limit LimitStatus
}

// CountsAgainstLimit reports whether the attempt uses one of its
// conversation's rate-limit calls: every action call that was attempted,
// whatever came back, but not one refused before sending.
func (a *Attempt) CountsAgainstLimit() bool {
	if a.Kind != KindAction {
		return false
	}
	switch a.Outcome {
	case OutcomeRateLimited, OutcomeRejected:
		return false
	case OutcomeTooLarge:
		return a.Response != nil // a response too large; a request too large is never sent
	}
	return true
}

// LimitStatus describes a conversation's rate-limit window.
type LimitStatus struct {
	Remaining int       // calls left in the window
	FreesAt   time.Time // when the window next gains room; zero if not full
}

// Request is the request as sent (or as it would have been sent).
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Response is what the endpoint answered. Body holds at most the body limit
// (decoded); Truncated says more was offered.
type Response struct {
	Status    int
	Proto     string
	Header    http.Header
	Body      []byte
	Truncated bool
}
