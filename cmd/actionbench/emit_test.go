package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

const (
	testToken    = "tok_cli_91c2e7f0"
	testTokenEnv = "TEST_WEBHOOK_TOKEN"
)

// receiver is a webhook receiver on loopback that checks the Bearer token
// as the reference's PHP script does and records each payload.
type receiver struct {
	server *httptest.Server
	caFile string

	mu       sync.Mutex
	payloads []map[string]any
}

func newReceiver(t *testing.T, reply http.HandlerFunc) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"Unauthorized"}`)
			return
		}
		var p map[string]any
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			t.Errorf("receiver: payload is not JSON: %v", err)
		}
		rc.mu.Lock()
		rc.payloads = append(rc.payloads, p)
		rc.mu.Unlock()
		reply(w, r)
	}))
	t.Cleanup(rc.server.Close)
	rc.caFile = certFile(t, rc.server)
	return rc
}

func (rc *receiver) received() []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.payloads...)
}

// webhookWorkspace has one action (unused here) and a webhook on url.
func webhookWorkspace(t *testing.T, url, events string) string {
	return writeFile(t, "actionbench.yaml", `chatbot: {id: "21", name: Support Bot}
actions:
  - id: ping
    url: https://127.0.0.1:1/ping
    secret: ${`+testSecretEnv+`}
webhook:
  url: `+url+`/webhook
  token: ${`+testTokenEnv+`}
`+events)
}

func TestEmit(t *testing.T) {
	tests := []struct {
		name     string
		event    string
		args     []string
		reply    http.HandlerFunc
		code     int
		outcome  string
		action   string
		override string
		payload  map[string]any // fields the receiver must have got
	}{
		{
			name: "greeting override, as the reference's receiver does", event: "on_message_received",
			args:  []string{"--set", "message=Hello!", "--set", "intent=greeting.hello"},
			reply: replyJSON(200, `{"status":"success","action":"override_response","response":"Welcome! How can I assist you today?"}`),
			code:  0, outcome: "acknowledged", action: "override_response", override: "Welcome! How can I assist you today?",
			payload: map[string]any{"event_type": "on_message_received", "bot_id": 21.0, "message": "Hello!", "intent": "greeting.hello", "type": "text", "visitor_id": "v_76f4v2c3e13"},
		},
		{
			name: "ticket with example values", event: "on_ticket_created",
			reply: replyJSON(200, `{"status":"success","action":"override_response","response":{"response":"Ticket created."}}`),
			code:  0, outcome: "acknowledged", action: "override_response", override: "Ticket created.",
			payload: map[string]any{"event_type": "on_ticket_created", "ticket_data": map[string]any{"name": "John Doe", "email": "john@example.com", "description": "Need help with integration"}},
		},
		{
			name: "skip an error reply", event: "before_response_sent", args: []string{"--set", "response.type=error"},
			reply: replyJSON(200, `{"status":"success","action":"skip"}`),
			code:  0, outcome: "acknowledged", action: "skip",
			payload: map[string]any{"response": map[string]any{"response": "Original response", "type": "error"}, "source_type": "bot"},
		},
		{
			name: "live chat acknowledged", event: "on_live_chat_requested",
			reply: replyJSON(200, `{"status":"success"}`), code: 0, outcome: "acknowledged",
			payload: map[string]any{"session_status": "pending", "message": "I need live support"},
		},
		{
			name: "400 with the receiver's error", event: "on_ticket_created",
			reply: replyJSON(400, `{"error":"Missing required fields"}`), code: 1, outcome: "error",
		},
		{
			name: "500", event: "on_message_received",
			reply: replyJSON(500, `{"error":"Internal server error"}`), code: 1, outcome: "error",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t, tt.reply)
			ws := webhookWorkspace(t, rc.server.URL, "")
			args := append([]string{"emit", tt.event, "--workspace", ws, "--ca-file", rc.caFile, "--json"}, tt.args...)
			res := actionbench(t, runOptions{env: []string{testTokenEnv + "=" + testToken}}, args...)
			if res.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", res.code, tt.code, res.stdout, res.stderr)
			}
			var j struct {
				Outcome     string `json:"outcome"`
				ReplyAction string `json:"reply_action"`
				Override    string `json:"override"`
				Event       string `json:"event"`
				Diagnosis   string `json:"diagnosis"`
				Request     struct {
					Headers map[string]string `json:"headers"`
				} `json:"request"`
			}
			if err := json.Unmarshal([]byte(res.stdout), &j); err != nil {
				t.Fatalf("--json output is not JSON: %v\n%s", err, res.stdout)
			}
			var keys map[string]json.RawMessage
			_ = json.Unmarshal([]byte(res.stdout), &keys)
			for _, k := range []string{"reply_action", "override"} {
				if _, ok := keys[k]; !ok {
					t.Errorf("%q is missing: an event's answer is always printed, empty when it asked for nothing", k)
				}
			}
			if j.Outcome != tt.outcome || j.ReplyAction != tt.action || j.Override != tt.override || j.Event != tt.event {
				t.Errorf("outcome %q, reply_action %q, override %q, event %q; want %q, %q, %q, %q",
					j.Outcome, j.ReplyAction, j.Override, j.Event, tt.outcome, tt.action, tt.override, tt.event)
			}
			if got := j.Request.Headers["Authorization"]; got != "Bearer [redacted]" {
				t.Errorf("Authorization shown as %q, want the token masked", got)
			}
			if (tt.code == 0) != (j.Diagnosis == "") {
				t.Errorf("diagnosis %q", j.Diagnosis)
			}
			got := rc.received()
			if len(got) != 1 {
				t.Fatalf("receiver got %d events, want 1", len(got))
			}
			for k, want := range tt.payload {
				if gotJSON, wantJSON := mustJSON(got[0][k]), mustJSON(want); gotJSON != wantJSON {
					t.Errorf("payload %s = %s, want %s", k, gotJSON, wantJSON)
				}
			}
			if strings.Contains(res.stdout+res.stderr, testToken) {
				t.Error("the token reached the output")
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestEmitText(t *testing.T) {
	rc := newReceiver(t, replyJSON(200, `{"action":"override_response","response":"Welcome!"}`))
	ws := webhookWorkspace(t, rc.server.URL, "")
	res := actionbench(t, runOptions{env: []string{testTokenEnv + "=" + testToken}}, "emit", "on_message_received", "-w", ws, "--ca-file", rc.caFile)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"acknowledged  200 OK", "event:     on_message_received → ", `reply:     override_response: the bot says "Welcome!" instead`} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
}

func TestEmitBadInput(t *testing.T) {
	rc := newReceiver(t, replyJSON(200, `{}`))
	tests := []struct {
		name   string
		args   []string
		events string
		token  bool
		stderr string // a regular expression
	}{
		{"unknown event", []string{"on_message_recieved"}, "", true, `unknown event "on_message_recieved"`},
		{"unknown field", []string{"on_message_received", "--set", "mesage=hi"}, "", true, `unknown field "mesage" \(fields: .*message`},
		{"--set without =", []string{"on_message_received", "--set", "message"}, "", true, `expected path=value`},
		{"token not set", []string{"on_message_received"}, "", false, `actionbench.yaml:8:10: token refers to \$\{TEST_WEBHOOK_TOKEN\}, which is not set`},
		{"event not subscribed", []string{"on_ticket_created"}, "  events: [on_message_received]\n", true, `does not subscribe to on_ticket_created \(events: on_message_received\)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := webhookWorkspace(t, rc.server.URL, tt.events)
			var env []string
			if tt.token {
				env = []string{testTokenEnv + "=" + testToken}
			}
			res := actionbench(t, runOptions{env: env}, append(append([]string{"emit"}, tt.args...), "-w", ws, "--ca-file", rc.caFile)...)
			if res.code != 2 || res.stdout != "" {
				t.Errorf("exit %d, stdout %q: want 2 and nothing", res.code, res.stdout)
			}
			if !regexp.MustCompile(tt.stderr).MatchString(res.stderr) {
				t.Errorf("stderr %q does not match %s", res.stderr, tt.stderr)
			}
		})
	}
	if n := len(rc.received()); n != 0 {
		t.Errorf("the receiver got %d events from bad input", n)
	}
}
