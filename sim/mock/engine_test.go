package mock

import (
	"context"
	"strings"
	"testing"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/template"
	"github.com/actionbench/actionbench/engine/workspace"
)

// mockWorkspace aims a workspace at the server, one action per route and
// fault worth firing.
func mockWorkspace(t *testing.T, url string) *workspace.Workspace {
	t.Helper()
	src := "chatbot: {id: \"21\", name: Support Bot}\nactions:\n"
	for _, a := range [][2]string{
		{"order_lookup", "/actions/order_lookup"}, {"order_status", "/actions/order_status"},
		{"refund", "/actions/refund"}, {"echo", "/actions/echo"},
		{"crash", "/actions/order_lookup?fault=5xx"}, {"html", "/actions/order_lookup?fault=notjson"},
		{"big", "/actions/order_lookup?fault=oversized"}, {"moved", "/actions/order_lookup?fault=redirect"},
		{"nothing", "/actions/order_lookup?fault=empty"}, {"wrong_secret", "/actions/order_lookup"},
	} {
		secret := "${SECRET}"
		if a[0] == "wrong_secret" {
			secret = "not-the-secret"
		}
		src += "  - id: " + a[0] + "\n    url: URL" + a[1] + "\n    secret: " + secret + "\n    payload:\n      customer_email: \"{{visitor.email}}\"\n"
	}
	src += "webhook:\n  url: URL/webhook\n  token: ${TOKEN}\n"
	env := map[string]string{"SECRET": testSecret, "TOKEN": testToken}
	ws, err := workspace.Parse("mock.yaml", []byte(strings.ReplaceAll(src, "URL", url)), func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// The engine, as the platform, against the mock: each route and fault
// ends in the outcome the design gives it.
func TestEngineFire(t *testing.T) {
	s, log := startServer(t)
	ws := mockWorkspace(t, s.URL())
	d := engine.New(engine.Options{RootCAs: trusting(t, s)})
	defer d.Close()
	tests := []struct {
		action  string
		email   string
		outcome engine.Outcome
		status  int
		reply   string // the bot's reply, or a part of the diagnosis for an apology
	}{
		{"order_lookup", "jane@example.com", engine.OutcomeMessage, 200, "Your latest order #1042 is shipped."},
		{"order_lookup", "nobody@example.com", engine.OutcomeError, 404, "Sorry, I couldn't complete that: I couldn't find any orders for nobody@example.com."},
		{"order_status", "jane@example.com", engine.OutcomeData, 200, "Here's what I found: order id 1042, status shipped, carrier UPS, tracking 1Z999AA10123456784, estimated delivery 2025-05-17."},
		{"refund", "", engine.OutcomeError, 200, "Refunds need a human agent: I've passed your request to the team."},
		{"echo", "", engine.OutcomeMessage, 200, "Received echo (manual) for conversation conv_echo."},
		{"wrong_secret", "jane@example.com", engine.OutcomeError, 401, "X-DGbot-Signature"},
		{"crash", "", engine.OutcomeError, 500, "Traceback (most recent call last):"},
		{"html", "", engine.OutcomeInvalidResponse, 200, "text/html"},
		{"big", "", engine.OutcomeTooLarge, 200, "102,400 bytes"},
		{"moved", "", engine.OutcomeInvalidResponse, 302, "http://example.com/elsewhere"},
		{"nothing", "", engine.OutcomeInvalidResponse, 200, "empty"},
	}
	for _, tt := range tests {
		action, ok := ws.Action(tt.action)
		if !ok {
			t.Fatalf("no action %s", tt.action)
		}
		vars := template.Vars{}
		if tt.email != "" {
			vars["visitor.email"] = tt.email
		}
		a := d.Fire(context.Background(), engine.ActionCall{
			Chatbot: ws.Chatbot, Action: action, Trigger: engine.TriggerManual, Vars: vars,
			// One conversation per call keeps the rate limit out of the way.
			ConversationID: "conv_" + tt.action, VisitorID: "visitor_111",
		})
		got := a.BotReply + " | " + a.Diagnosis
		if a.Outcome != tt.outcome || a.Response == nil || a.Response.Status != tt.status || !strings.Contains(got, tt.reply) {
			status := 0
			if a.Response != nil {
				status = a.Response.Status
			}
			t.Errorf("%s: %s %d %q; want %s %d and %q", tt.action, a.Outcome, status, got, tt.outcome, tt.status, tt.reply)
		}
	}
	// The mock logs a request after answering it: Close waits for the
	// last one's line.
	s.Close()
	if n := len(log.lines()); n != len(tests) {
		t.Errorf("%d log lines for %d calls:\n%s", n, len(tests), log)
	}
	if !strings.Contains(log.String(), "POST /actions/order_lookup 200 OK") || !strings.Contains(log.String(), " sig=ok action_id=order_lookup conversation_id=conv_order_lookup") {
		t.Errorf("log:\n%s", log)
	}
}

func TestEngineEmit(t *testing.T) {
	s, _ := startServer(t)
	ws := mockWorkspace(t, s.URL())
	d := engine.New(engine.Options{RootCAs: trusting(t, s)})
	defer d.Close()
	wrongToken := *ws.Webhook
	wrongToken.Token = "tok_wrong"
	tests := []struct {
		name     string
		event    engine.Event
		fields   engine.EventFields
		webhook  *engine.Webhook
		outcome  engine.Outcome
		action   engine.ReplyAction
		override string
	}{
		{"greeting", engine.EventMessageReceived, engine.EventFields{Message: "Hello!", Intent: "greeting.hello"}, nil,
			engine.OutcomeAcknowledged, engine.ReplyOverride, "Welcome! How can I assist you today?"},
		{"other message", engine.EventMessageReceived, engine.EventFields{Message: "billing?", Intent: "billing_inquiry"}, nil,
			engine.OutcomeAcknowledged, "", ""},
		{"ticket", engine.EventTicketCreated, engine.EventFields{TicketNumber: "TIC-20250507-5320", TicketName: "John Doe"}, nil,
			engine.OutcomeAcknowledged, engine.ReplyOverride, "Ticket TIC-20250507-5320 has been created successfully."},
		{"live chat", engine.EventLiveChatRequested, engine.EventFields{Message: "I need live support"}, nil,
			engine.OutcomeAcknowledged, engine.ReplyOverride, "Your live chat request has been received. An agent will assist you shortly."},
		{"error reply", engine.EventBeforeResponseSent, engine.EventFields{Response: "Oops", ResponseType: "error"}, nil,
			engine.OutcomeAcknowledged, engine.ReplySkip, ""},
		{"webhook intent", engine.EventBeforeResponseSent, engine.EventFields{Response: "Original response", Intent: "webhook"}, nil,
			engine.OutcomeAcknowledged, engine.ReplyOverride, "This is a webhook test."},
		{"wrong token", engine.EventMessageReceived, engine.EventFields{Intent: "greeting.hello"}, &wrongToken,
			engine.OutcomeError, "", ""},
	}
	for _, tt := range tests {
		wh := ws.Webhook
		if tt.webhook != nil {
			wh = tt.webhook
		}
		tt.fields.VisitorID = "v_76f4v2c3e13"
		a := d.Emit(context.Background(), engine.EventCall{Chatbot: ws.Chatbot, Webhook: *wh, ConversationID: "conv_emit", Event: tt.event, Fields: tt.fields})
		if a.Outcome != tt.outcome || a.ReplyAction != tt.action || a.Override != tt.override {
			t.Errorf("%s: %s %q %q (%s); want %s %q %q", tt.name, a.Outcome, a.ReplyAction, a.Override, a.Diagnosis, tt.outcome, tt.action, tt.override)
		}
		if len(a.Warnings) > 0 {
			t.Errorf("%s: warnings %q", tt.name, a.Warnings)
		}
	}
}
