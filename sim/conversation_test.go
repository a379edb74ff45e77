package sim

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/sign"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/sim/bot"
)

const (
	testSecret = "sim-test-secret"
	testToken  = "sim-test-token"
)

var start = time.Date(2025, 5, 15, 10, 30, 0, 0, time.UTC)

// backend is a loopback endpoint for the test workspace's actions and
// webhook. It answers like the reference's receiver and records what it got.
type backend struct {
	*httptest.Server
	mu       sync.Mutex
	received []map[string]any // bodies, in order
}

func newBackend(t *testing.T) *backend {
	b := &backend{}
	b.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p map[string]any
		json.Unmarshal(body, &p)
		b.mu.Lock()
		b.received = append(b.received, p)
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		reply := func(status int, v any) { w.WriteHeader(status); json.NewEncoder(w).Encode(v) }
		if r.URL.Path == "/webhook" {
			if r.Header.Get("Authorization") != "Bearer "+testToken {
				reply(401, map[string]string{"error": "Unauthorized"})
				return
			}
			b.webhook(p, reply)
			return
		}
		if !sign.Verify(testSecret, body, r.Header.Get(sign.Header)) {
			reply(401, map[string]string{"error": "bad signature"})
			return
		}
		payload, _ := p["payload"].(map[string]any)
		switch r.URL.Path {
		case "/order":
			if payload["order_id"] == "404" {
				reply(404, map[string]string{"error": "No order 404"})
				return
			}
			reply(200, map[string]string{"message": "Order " + str(payload["order_id"]) + " for " + str(payload["email"]) + " is shipped."})
		case "/track":
			reply(200, map[string]any{"data": map[string]any{"carrier": "UPS", "button": payload["button"]}})
		case "/lead":
			reply(200, map[string]string{"message": "Welcome aboard, " + str(payload["name"]) + "."})
		}
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *backend) webhook(p map[string]any, reply func(int, any)) {
	switch p["event_type"] {
	case "on_message_received":
		if p["intent"] == "greeting.hello" {
			reply(200, map[string]string{"action": "override_response", "response": "Welcome! How can I assist you today?"})
			return
		}
	case "on_ticket_created":
		reply(200, map[string]string{"action": "override_response", "response": "Ticket " + str(p["ticket_number"]) + " has been created successfully."})
		return
	case "on_live_chat_requested":
		reply(200, map[string]string{"action": "override_response", "response": "An agent will assist you shortly."})
		return
	case "before_response_sent":
		if resp, _ := p["response"].(map[string]any); resp["type"] == "error" {
			reply(200, map[string]string{"action": "skip"})
			return
		}
	}
	reply(200, map[string]string{"status": "success"})
}

// str renders a JSON value for a reply; null is "".
func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// names returns the event_type (or action_id) of each request, in order.
func (b *backend) names() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, p := range b.received {
		if e, ok := p["event_type"].(string); ok {
			out = append(out, e)
		} else {
			out = append(out, "action:"+p["action_id"].(string))
		}
	}
	return out
}

func (b *backend) reset() {
	b.mu.Lock()
	b.received = nil
	b.mu.Unlock()
}

const testWorkspace = `chatbot: {id: bot_sim, name: Sim Bot}
greeting: Hi! Ask me about an order.
fallback: Sorry, I didn't get that.
actions:
  - id: order_lookup
    url: BASE/order
    secret: ` + testSecret + `
    triggers: [ai_intent:order_status]
    payload: {order_id: "{{entities.order_id}}", email: "{{visitor.email}}"}
  - id: track
    url: BASE/track
    secret: ` + testSecret + `
    triggers: [button_click:track_order]
    payload: {button: "{{button.id}}"}
  - id: welcome
    url: BASE/lead
    secret: ` + testSecret + `
    triggers: [lead_captured]
    payload: {name: "{{lead.name}}", email: "{{lead.email}}"}
webhook:
  url: BASE/webhook
  token: ` + testToken + `
intents:
  - name: greeting.hello
    patterns: ["^(hi|hello)\\b"]
    reply: Hello there.
  - name: order_status
    patterns: ["order (?P<order_id>\\d+)"]
    buttons: [track_order]
  - name: support.ticket
    patterns: [problem, ticket]
    starts: ticket
  - name: live_chat
    patterns: [human, agent]
    starts: live_chat
buttons:
  - id: track_order
    label: Track it
`

// recorder keeps what a conversation records, in order.
type recorder struct {
	attempts []*engine.Attempt
	turns    []history.Turn
}

func (r *recorder) Record(_ context.Context, a *engine.Attempt) (int64, error) {
	r.attempts = append(r.attempts, a)
	return int64(len(r.attempts)), nil
}

func (r *recorder) AddTurn(_ context.Context, t history.Turn) error {
	r.turns = append(r.turns, t)
	return nil
}

func newConversation(t *testing.T) (*Conversation, *backend, *recorder) {
	t.Helper()
	b := newBackend(t)
	ws, err := bot.Parse("sim.yaml", []byte(strings.ReplaceAll(testWorkspace, "BASE", b.URL)), workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(b.Certificate())
	d := engine.New(engine.Options{RootCAs: pool})
	t.Cleanup(d.Close)
	rec := &recorder{}
	c := New(Options{
		Workspace: ws, Dispatcher: d, Clock: NewClock(start), ConversationID: "conv_sim",
		Visitor: Visitor{ID: "v_1", Email: "jane@example.com"}, Recorder: rec,
		TicketNumber: func() int { return 42 },
	})
	return c, b, rec
}

func shown(t Turn) string { return strings.Join(t.Shown(), " | ") }

func TestTurnOrder(t *testing.T) {
	c, b, _ := newConversation(t)
	ctx := context.Background()

	turn := c.Say(ctx, "where is my order 1042?")
	if got, want := strings.Join(b.names(), ","), "on_message_received,action:order_lookup,before_response_sent"; got != want {
		t.Errorf("requests %s, want %s", got, want)
	}
	if turn.Intent != "order_status" || turn.Entities["order_id"] != "1042" {
		t.Errorf("intent %q entities %v", turn.Intent, turn.Entities)
	}
	if got := shown(turn); got != "Order 1042 for jane@example.com is shipped." {
		t.Errorf("shown %q", got)
	}
	if len(turn.Buttons) != 1 || turn.Buttons[0].ID != "track_order" || len(c.Buttons()) != 1 {
		t.Errorf("buttons %v: want track_order offered", turn.Buttons)
	}

	// An override from on_message_received answers the turn: the bot's
	// own reply ("Hello there.") is never made, but before_response_sent
	// still sees the answer.
	b.reset()
	turn = c.Say(ctx, "Hello!")
	if got := shown(turn); got != "Welcome! How can I assist you today?" {
		t.Errorf("shown %q, want the webhook's override", got)
	}
	if got, want := strings.Join(b.names(), ","), "on_message_received,before_response_sent"; got != want {
		t.Errorf("requests %s, want %s", got, want)
	}

	b.reset()
	if got := shown(c.Say(ctx, "blah")); got != "Sorry, I didn't get that." {
		t.Errorf("fallback: shown %q", got)
	}
}

func TestSkipErrorReply(t *testing.T) {
	c, _, _ := newConversation(t)
	turn := c.Say(context.Background(), "order 404")
	if len(turn.Replies) != 1 || !turn.Replies[0].Skipped || len(turn.Shown()) != 0 {
		t.Fatalf("replies %+v: the error reply must be skipped by before_response_sent", turn.Replies)
	}
	if a := turn.Replies[0].From; a == nil || a.Outcome != engine.OutcomeError {
		t.Errorf("the skipped reply came from %+v, want the 404 action", a)
	}
}

func TestButtonLeadAndTrigger(t *testing.T) {
	c, b, _ := newConversation(t)
	ctx := context.Background()
	turn, err := c.Click(ctx, "track_order")
	if err != nil {
		t.Fatal(err)
	}
	if got := shown(turn); got != "Here's what I found: button track_order, carrier UPS." {
		t.Errorf("click: shown %q", got)
	}
	if a := turn.Attempts[0]; a.Trigger != engine.TriggerButton || a.ActionID != "track" {
		t.Errorf("click fired %s with %s", a.ActionID, a.Trigger)
	}
	if _, err := c.Click(ctx, "nope"); err == nil {
		t.Error("clicking an unknown button: want an error")
	}

	turn = c.SubmitLead(ctx, map[string]string{"name": "Jane Doe", "email": "jane@example.com", "phone": "+44 1"})
	if got := shown(turn); got != "Thanks! We'll be in touch soon. | Welcome aboard, Jane Doe." {
		t.Errorf("lead: shown %q", got)
	}
	if c.Visitor().Name != "Jane Doe" || c.Visitor().Phone != "+44 1" {
		t.Errorf("visitor %+v: lead answers fill in the visitor", c.Visitor())
	}

	b.reset()
	turn, err = c.Trigger(ctx, "order_lookup")
	if err != nil || turn.Attempts[0].Trigger != engine.TriggerManual {
		t.Fatalf("trigger: %v %+v", err, turn.Attempts)
	}
	if _, err := c.Trigger(ctx, "nope"); err == nil {
		t.Error("triggering an unknown action: want an error")
	}
}

func TestTicketFlow(t *testing.T) {
	c, b, _ := newConversation(t)
	ctx := context.Background()
	steps := []struct{ say, want, awaiting string }{
		{"I have a problem", "I'll open a support ticket for you. What's your name?", "ticket.name"},
		{"Jane Doe", "Please describe the problem in a few words.", "ticket.description"},
		{"My parcel arrived broken", "Ticket TIC-20250515-0042 has been created successfully.", ""},
	}
	var last Turn
	for _, s := range steps {
		last = c.Say(ctx, s.say)
		if got := shown(last); got != s.want {
			t.Errorf("after %q: shown %q, want %q", s.say, got, s.want)
		}
		if c.Awaiting() != s.awaiting {
			t.Errorf("after %q: awaiting %q, want %q", s.say, c.Awaiting(), s.awaiting)
		}
	}
	if last.Ticket != "TIC-20250515-0042" {
		t.Errorf("ticket %q", last.Ticket)
	}
	var created map[string]any
	for _, p := range b.received {
		if p["event_type"] == "on_ticket_created" {
			created = p
		}
	}
	data, _ := created["ticket_data"].(map[string]any)
	if created["ticket_number"] != "TIC-20250515-0042" || data["name"] != "Jane Doe" || data["email"] != "jane@example.com" || data["description"] != "My parcel arrived broken" {
		t.Errorf("on_ticket_created payload %v", created)
	}
}

func TestLiveChat(t *testing.T) {
	c, b, _ := newConversation(t)
	turn := c.Say(context.Background(), "can I talk to a human?")
	if got := shown(turn); got != "An agent will assist you shortly." {
		t.Errorf("shown %q", got)
	}
	for _, p := range b.received {
		if p["event_type"] == "on_live_chat_requested" && p["session_status"] != "pending" {
			t.Errorf("session_status %v, want pending", p["session_status"])
		}
	}
	if !strings.Contains(strings.Join(b.names(), ","), "on_live_chat_requested") {
		t.Error("no on_live_chat_requested")
	}
}

// TestRateLimitOnVirtualClock waits ten virtual minutes in no real time.
func TestRateLimitOnVirtualClock(t *testing.T) {
	c, _, _ := newConversation(t)
	ctx := context.Background()
	began := time.Now()
	for i := 1; i <= 3; i++ {
		turn, _ := c.Trigger(ctx, "order_lookup")
		if turn.Attempts[0].Outcome == engine.OutcomeRateLimited {
			t.Fatalf("call %d was limited", i)
		}
		c.Wait(time.Minute)
	}
	turn, _ := c.Trigger(ctx, "order_lookup")
	if turn.Attempts[0].Outcome != engine.OutcomeRateLimited || c.Limit().Remaining != 0 {
		t.Fatalf("4th call: %s, remaining %d", turn.Attempts[0].Outcome, c.Limit().Remaining)
	}
	c.Wait(10 * time.Minute)
	turn, _ = c.Trigger(ctx, "order_lookup")
	if turn.Attempts[0].Outcome == engine.OutcomeRateLimited {
		t.Error("after wait 10m: still limited")
	}
	if !turn.At.Equal(start.Add(13 * time.Minute)) {
		t.Errorf("turn at %v, want 13 virtual minutes in", turn.At)
	}
	if elapsed := time.Since(began); elapsed > 5*time.Second {
		t.Errorf("took %v of real time", elapsed)
	}
}

func TestRecorded(t *testing.T) {
	c, _, rec := newConversation(t)
	ctx := context.Background()
	c.Greet(ctx)
	c.Say(ctx, "order 1042")
	if len(rec.attempts) != 4 { // greeting's before_response_sent; on_message_received, action, before_response_sent
		t.Errorf("%d attempts recorded, want 4", len(rec.attempts))
	}
	var lines []string
	for _, tr := range rec.turns {
		lines = append(lines, string(tr.Speaker)+": "+tr.Text)
	}
	want := "bot: Hi! Ask me about an order.|visitor: order 1042|bot: Order 1042 for jane@example.com is shipped."
	if got := strings.Join(lines, "|"); got != want {
		t.Errorf("turns:\n%s\nwant\n%s", got, want)
	}
	if last := rec.turns[len(rec.turns)-1]; last.AttemptID != 3 {
		t.Errorf("the bot's reply links to attempt %d, want the action (3)", last.AttemptID)
	}
}
