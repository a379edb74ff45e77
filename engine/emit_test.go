package engine

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

const testToken = "tok_webhook_5be1e0c2"

// newReceiver is a webhook receiver that checks the Bearer token as the
// reference's PHP script does, and that the payload is the event's.
func newReceiver(t *testing.T, h http.HandlerFunc) *endpoint {
	return newServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"Unauthorized"}`))
			return
		}
		var p map[string]any
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			t.Errorf("receiver: body is not JSON: %v", err)
		}
		if p["event_type"] == nil || p["visitor_id"] != "v_76f4v2c3e13" {
			t.Errorf("receiver: payload %v lacks event_type or visitor_id", p)
		}
		h(w, r)
	})
}

func testEvent(url string, e Event) EventCall {
	return EventCall{
		Chatbot:        Chatbot{ID: "21", Name: "Support Bot"},
		Webhook:        Webhook{URL: url, Token: testToken, Events: Events},
		ConversationID: "conv_xyz789",
		Event:          e,
		Fields: EventFields{
			VisitorID: "v_76f4v2c3e13", Message: "Hello, I need help with billing.", Intent: "billing_inquiry",
			TicketNumber: "TIC-20250507-5320", TicketName: "John Doe", TicketEmail: "john@example.com", TicketText: "Billing issue",
			Response: "Original response",
		},
	}
}

// TestEventPayloads checks each event's body byte for byte against the
// reference's payloads (key order, types, timestamp format).
func TestEventPayloads(t *testing.T) {
	at := time.Date(2025, 4, 26, 10, 30, 45, 0, time.UTC)
	want := map[Event]string{
		EventMessageReceived:    `{"event_type":"on_message_received","bot_id":21,"visitor_id":"v_76f4v2c3e13","message":"Hello, I need help with billing.","type":"text","intent":"billing_inquiry","timestamp":"2025-04-26T10:30:45Z"}`,
		EventTicketCreated:      `{"event_type":"on_ticket_created","bot_id":21,"visitor_id":"v_76f4v2c3e13","ticket_number":"TIC-20250507-5320","ticket_data":{"name":"John Doe","email":"john@example.com","description":"Billing issue"},"timestamp":"2025-04-26T10:30:45Z"}`,
		EventLiveChatRequested:  `{"event_type":"on_live_chat_requested","bot_id":21,"visitor_id":"v_76f4v2c3e13","session_status":"pending","message":"Hello, I need help with billing.","request_time":"2025-04-26T10:30:45Z"}`,
		EventBeforeResponseSent: `{"event_type":"before_response_sent","bot_id":21,"visitor_id":"v_76f4v2c3e13","response":{"response":"Original response","type":"text"},"message":"Hello, I need help with billing.","source_type":"bot","intent":"billing_inquiry","timestamp":"2025-04-26T10:30:45Z"}`,
	}
	for _, e := range Events {
		call := testEvent("https://example.invalid/hook", e)
		if got := string(eventBody(&call, at)); got != want[e] {
			t.Errorf("%s body:\n%s\nwant:\n%s", e, got, want[e])
		}
	}
	call := testEvent("https://example.invalid/hook", EventMessageReceived)
	call.Chatbot.ID = "bot_def456"
	if got := string(eventBody(&call, at)); !strings.Contains(got, `"bot_id":"bot_def456"`) {
		t.Errorf("a non-numeric bot id must be a string: %s", got)
	}
}

func TestEventReplies(t *testing.T) {
	cases := []struct {
		name      string
		event     Event
		token     string
		handler   http.HandlerFunc
		outcome   Outcome
		action    ReplyAction
		override  string
		diagnosis []string
		warnings  []string
	}{
		{name: "override with a string", event: EventMessageReceived,
			handler: jsonReply(200, `{"status":"success","action":"override_response","response":"Welcome! How can I assist you today?"}`),
			outcome: OutcomeAcknowledged, action: ReplyOverride, override: "Welcome! How can I assist you today?"},
		{name: "override with an object", event: EventBeforeResponseSent,
			handler: jsonReply(200, `{"status":"success","action":"override_response","response":{"response":"This is a webhook test.","type":"text","source_type":"webhook"}}`),
			outcome: OutcomeAcknowledged, action: ReplyOverride, override: "This is a webhook test."},
		{name: "skip", event: EventBeforeResponseSent,
			handler: jsonReply(200, `{"status":"success","action":"skip"}`),
			outcome: OutcomeAcknowledged, action: ReplySkip},
		{name: "plain acknowledgement", event: EventTicketCreated,
			handler: jsonReply(200, `{"status":"success"}`), outcome: OutcomeAcknowledged, action: ReplyNone},
		{name: "empty 200", event: EventLiveChatRequested,
			handler: reply(200, "", ""), outcome: OutcomeAcknowledged, action: ReplyNone},
		{name: "invalid JSON", event: EventMessageReceived,
			handler: reply(200, "application/json", `{"action":"override_response",`),
			outcome: OutcomeAcknowledged, action: ReplyNone, warnings: []string{"not a JSON object", "ignores it"}},
		{name: "misspelt action", event: EventMessageReceived,
			handler: jsonReply(200, `{"action":"overide_response","response":"hi"}`),
			outcome: OutcomeAcknowledged, action: ReplyNone, warnings: []string{`"overide_response"`, `"override_response" and "skip"`}},
		{name: "override without a response", event: EventMessageReceived,
			handler: jsonReply(200, `{"action":"override_response"}`),
			outcome: OutcomeAcknowledged, action: ReplyNone, warnings: []string{`has no "response"`}},
		{name: "401 token mismatch", event: EventMessageReceived, token: "wrong-token",
			handler: jsonReply(200, `{}`), outcome: OutcomeError, diagnosis: []string{"401 Unauthorized", "token mismatch"}},
		{name: "400 with the endpoint's error", event: EventTicketCreated,
			handler: jsonReply(400, `{"error":"Missing required fields"}`), outcome: OutcomeError,
			diagnosis: []string{"400 Bad Request", `"Missing required fields"`}},
		{name: "500", event: EventTicketCreated,
			handler: jsonReply(500, `{"error":"Internal server error"}`), outcome: OutcomeError, diagnosis: []string{"500", "unchanged"}},
		{name: "timeout", event: EventBeforeResponseSent,
			handler: func(w http.ResponseWriter, r *http.Request) {
				// Silent until the engine gives up: with a reply due soon
				// after 8 s, a timer late on a loaded machine would read it.
				sleepOrDone(r.Context(), 30*time.Second)
			}, outcome: OutcomeTimeout, diagnosis: []string{"no response within 8 s"}},
		// A token read from a file with its newline would start a header
		// of its own: it is refused, and the token is not shown.
		{name: "token with a line break", event: EventMessageReceived, token: "tok_from_file\n",
			handler: func(w http.ResponseWriter, r *http.Request) { t.Error("a request with a broken header was sent") },
			outcome: OutcomeTransportError, diagnosis: []string{"header Authorization holds a line break", "nothing was sent"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newReceiver(t, tc.handler)
			d := newTestDispatcher(t, e, Options{})
			call := testEvent(e.URL, tc.event)
			if tc.token != "" {
				call.Webhook.Token = tc.token
			}
			a := d.Emit(context.Background(), call)
			if a.Outcome != tc.outcome || a.ReplyAction != tc.action || a.Override != tc.override {
				t.Fatalf("outcome %s, action %q, override %q (diagnosis %q); want %s, %q, %q",
					a.Outcome, a.ReplyAction, a.Override, a.Diagnosis, tc.outcome, tc.action, tc.override)
			}
			if a.Kind != KindEvent || a.Event != tc.event {
				t.Errorf("kind %s, event %s", a.Kind, a.Event)
			}
			if a.BotReply != a.Override {
				t.Errorf("bot reply %q: an event only changes the reply when it overrides it", a.BotReply)
			}
			contains(t, "diagnosis", a.Diagnosis, tc.diagnosis...)
			contains(t, "warnings", strings.Join(a.Warnings, "\n"), tc.warnings...)
			if tc.token != "" && strings.Contains(a.Diagnosis, tc.token) {
				t.Errorf("the diagnosis shows the token: %q", a.Diagnosis)
			}
			if tc.outcome.Succeeded() != (a.Diagnosis == "") {
				t.Errorf("diagnosis %q for outcome %s", a.Diagnosis, a.Outcome)
			}
			if a.CountsAgainstLimit() {
				t.Error("an event counts against the action rate limit")
			}
		})
	}
}

func TestEventsHaveNoRateLimit(t *testing.T) {
	e := newReceiver(t, jsonReply(200, `{"status":"success"}`))
	d := newTestDispatcher(t, e, Options{})
	for i := 0; i < 5; i++ {
		if a := d.Emit(context.Background(), testEvent(e.URL, EventMessageReceived)); a.Outcome != OutcomeAcknowledged {
			t.Fatalf("event %d: outcome %s", i+1, a.Outcome)
		}
	}
}
