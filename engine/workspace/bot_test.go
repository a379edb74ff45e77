package workspace

import (
	"strings"
	"testing"
)

const botWorkspace = `chatbot: {id: bot_1, name: Bot}
greeting: Hi! Ask me about your order.
fallback: Sorry?
actions:
  - id: order_lookup
    url: https://127.0.0.1:8443/actions/order_lookup
    secret: s3cret
    triggers: [ai_intent:order_status, button_click:track_order]
intents:
  - name: order_status
    patterns: ["where is my order(?: (?P<order_id>\\d+))?", "track"]
    reply: Let me look.
    buttons: [track_order]
  - name: support.ticket
    patterns: [ticket]
    starts: ticket
buttons:
  - id: track_order
    label: Track my order
lead:
  fields: [name, email]
`

func TestBot(t *testing.T) {
	w, err := Parse("ws.yaml", []byte(botWorkspace), fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	b := w.Bot
	if b.Greeting != "Hi! Ask me about your order." || b.Fallback != "Sorry?" {
		t.Errorf("greeting %q, fallback %q", b.Greeting, b.Fallback)
	}
	in, ok := b.Intent("order_status")
	if !ok || in.Reply != "Let me look." || len(in.Buttons) != 1 || in.Buttons[0] != "track_order" {
		t.Fatalf("intent order_status = %+v, %v", in, ok)
	}
	m := in.Patterns[0].FindStringSubmatch("WHERE IS MY ORDER 1042")
	if m == nil || m[in.Patterns[0].SubexpIndex("order_id")] != "1042" {
		t.Errorf("pattern is not case-insensitive or lost its named group: %v", m)
	}
	if ticket, _ := b.Intent("support.ticket"); ticket.Starts != FlowTicket {
		t.Errorf("support.ticket starts %q, want ticket", ticket.Starts)
	}
	if btn, ok := b.Button("track_order"); !ok || btn.Label != "Track my order" {
		t.Errorf("button = %+v, %v", btn, ok)
	}
	if strings.Join(b.Lead.Fields, ",") != "name,email" || b.Lead.Prompt == "" || b.Lead.Thanks == "" {
		t.Errorf("lead = %+v: want the listed fields and the default prompt and thanks", b.Lead)
	}

	plain, err := Parse("ws.yaml", []byte("chatbot: {id: b, name: B}\n"), fakeEnv(nil))
	if err != nil || plain.Bot.Fallback == "" || len(plain.Bot.Lead.Fields) != 3 {
		t.Errorf("a workspace without a bot gets the defaults: %+v, %v", plain.Bot, err)
	}
}

func TestBotReferences(t *testing.T) {
	tests := []struct{ name, edit, want string }{
		{"trigger names no intent", "ai_intent:order_status,", "ws.yaml:8:16: trigger ai_intent:order_stauts names no intent: define it under intents, or use one of order_status, support.ticket"},
		{"trigger names no button", "button_click:track_order]", "ws.yaml:8:40: trigger button_click:track_ordr names no button: define it under buttons, or use one of track_order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			broken := strings.Replace(botWorkspace, tt.edit, strings.NewReplacer("order_status", "order_stauts", "track_order]", "track_ordr]").Replace(tt.edit), 1)
			_, err := Parse("ws.yaml", []byte(broken), fakeEnv(nil))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
		})
	}
}
