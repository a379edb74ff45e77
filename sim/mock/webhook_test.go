package mock

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWebhook(t *testing.T) {
	const bearer = "Bearer " + testToken
	tests := []struct {
		name   string
		auth   string
		body   string
		status int
		want   string // exactly, key order included
	}{
		{"no Authorization", "", `{"event_type":"on_message_received"}`, 401, `{"error":"Unauthorized"}`},
		{"another token", "Bearer tok_other", `{"event_type":"on_message_received"}`, 401, `{"error":"Unauthorized"}`},
		{"the token with more after it", bearer + "x", `{"event_type":"on_message_received"}`, 401, `{"error":"Unauthorized"}`},
		{"the token without Bearer", testToken, `{"event_type":"on_message_received"}`, 401, `{"error":"Unauthorized"}`},
		{"lower-case bearer", "bearer " + testToken, `{"event_type":"on_message_received"}`, 401, `{"error":"Unauthorized"}`},
		{"not JSON", bearer, `{"event_type":`, 400, `{"error":"Invalid JSON payload"}`},
		{"an empty object, which PHP finds false", bearer, `{}`, 400, `{"error":"Invalid JSON payload"}`},
		{"a list", bearer, `[1]`, 400, `{"error":"Invalid event type"}`},
		{"no event_type", bearer, `{"bot_id":21}`, 400, `{"error":"Invalid event type"}`},
		{"unknown event_type", bearer, `{"event_type":"on_message_recieved"}`, 400, `{"error":"Invalid event type"}`},

		{"message: greeting", bearer, `{"event_type":"on_message_received","bot_id":21,"visitor_id":"v_1","message":"Hello!","type":"text","intent":"greeting.hello","timestamp":"2025-04-26T10:30:45Z"}`, 200,
			`{"status":"success","action":"override_response","response":"Welcome! How can I assist you today?"}`},
		{"message: other intent", bearer, `{"event_type":"on_message_received","bot_id":21,"visitor_id":"v_1","message":"billing","intent":"billing_inquiry"}`, 200, `{"status":"success"}`},

		{"ticket", bearer, `{"event_type":"on_ticket_created","bot_id":21,"visitor_id":"v_1","ticket_number":"TICKET123","ticket_data":{"name":"John Doe"}}`, 200,
			`{"status":"success","action":"override_response","response":"Ticket TICKET123 has been created successfully."}`},
		{"ticket: numeric number", bearer, `{"event_type":"on_ticket_created","bot_id":21,"visitor_id":"v_1","ticket_number":5320}`, 200,
			`{"status":"success","action":"override_response","response":"Ticket 5320 has been created successfully."}`},
		{"ticket: no ticket_number", bearer, `{"event_type":"on_ticket_created","bot_id":21,"visitor_id":"v_1"}`, 400, `{"error":"Missing required fields"}`},
		{"ticket: null ticket_number", bearer, `{"event_type":"on_ticket_created","bot_id":21,"visitor_id":"v_1","ticket_number":null}`, 400, `{"error":"Missing required fields"}`},

		{"live chat", bearer, `{"event_type":"on_live_chat_requested","bot_id":21,"visitor_id":"v_1","session_status":"pending","message":"I need live support"}`, 200,
			`{"status":"success","action":"override_response","response":"Your live chat request has been received. An agent will assist you shortly."}`},
		{"live chat: no visitor_id", bearer, `{"event_type":"on_live_chat_requested","bot_id":21}`, 400, `{"error":"Missing required fields"}`},

		{"before: error reply skipped", bearer, `{"event_type":"before_response_sent","bot_id":21,"visitor_id":"v_1","response":{"response":"Oops","type":"error"},"source_type":"bot","intent":"order_status"}`, 200,
			`{"status":"success","action":"skip"}`},
		{"before: webhook intent overridden", bearer, `{"event_type":"before_response_sent","bot_id":21,"visitor_id":"v_1","response":{"response":"Original response","type":"text"},"message":"Test message","source_type":"bot","intent":"webhook"}`, 200,
			`{"status":"success","action":"override_response","response":{"response":"This is a webhook test.","type":"text","source_type":"webhook"}}`},
		{"before: webhook intent and an error reply", bearer, `{"event_type":"before_response_sent","bot_id":21,"visitor_id":"v_1","response":{"response":"Oops","type":"error"},"intent":"webhook"}`, 200,
			`{"status":"success","action":"skip","response":{"response":"This is a webhook test.","type":"error","source_type":"webhook"}}`},
		{"before: unchanged", bearer, `{"event_type":"before_response_sent","bot_id":21,"visitor_id":"v_1","response":{"response":"Hi","type":"text"},"intent":"greeting.hello"}`, 200, `{"status":"success"}`},
		{"before: no response", bearer, `{"event_type":"before_response_sent","bot_id":21,"visitor_id":"v_1"}`, 400, `{"error":"Missing required fields"}`},

		// The reference's cURL examples, verbatim, with their expected responses.
		{"reference: ticket", bearer, `{
"event_type": "on_ticket_created",
"bot_id": "21",
"visitor_id": "v_123456",
"ticket_number": "TIC-20250507-5320",
"ticket_data": {
"name": "John Doe",
"email": "john@example.com",
"description": "Need help with integration"
}
}`, 200, `{"status":"success","action":"override_response","response":"Ticket TIC-20250507-5320 has been created successfully."}`},
		{"reference: greeting", bearer, `{
"event_type": "on_message_received",
"bot_id": "21",
"visitor_id": "v_123456",
"message": "Hello!",
"intent": "greeting.hello"
}`, 200, `{"status":"success","action":"override_response","response":"Welcome! How can I assist you today?"}`},
		{"reference: live chat", bearer, `{
"event_type": "on_live_chat_requested",
"bot_id": "21",
"visitor_id": "v_123456",
"session_status": "pending",
"message": "I need live support"
}`, 200, `{"status":"success","action":"override_response","response":"Your live chat request has been received. An agent will assist you shortly."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, log := newTestHandler()
			r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/json")
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			w := serve(h, r)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			if got := strings.TrimSuffix(w.Body.String(), "\n"); got != tt.want {
				t.Errorf("body\n%s\nwant\n%s", got, tt.want)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			wantAuth := " auth=bad"
			if tt.status != 401 {
				wantAuth = " auth=ok"
			}
			if !strings.Contains(log.String(), wantAuth) {
				t.Errorf("log %q lacks %q", log, wantAuth)
			}
		})
	}
}
