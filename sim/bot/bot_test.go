package bot

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

func noEnv(string) (string, bool) { return "", false }

var opts = workspace.Options{Env: noEnv}

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
	w, err := Parse("ws.yaml", []byte(botWorkspace), opts)
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

	plain, err := Parse("ws.yaml", []byte("chatbot: {id: b, name: B}\n"), opts)
	if err != nil || plain.Bot.Fallback == "" || len(plain.Bot.Lead.Fields) != 3 {
		t.Errorf("a workspace without a bot gets the defaults: %+v, %v", plain.Bot, err)
	}
}

func TestBotReferences(t *testing.T) {
	tests := []struct{ name, edit, want string }{
		{"trigger names no intent", "ai_intent:order_status,", `ws.yaml:8:16: trigger ai_intent:order_stauts names no intent: define it under intents; did you mean "order_status"? defined: order_status, support.ticket`},
		{"trigger names no button", "button_click:track_order]", `ws.yaml:8:40: trigger button_click:track_ordr names no button: define it under buttons; did you mean "track_order"? defined: track_order`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			broken := strings.Replace(botWorkspace, tt.edit, strings.NewReplacer("order_status", "order_stauts", "track_order]", "track_ordr]").Replace(tt.edit), 1)
			_, err := Parse("ws.yaml", []byte(broken), opts)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
		})
	}
}

const head = "chatbot:\n  id: bot_1\n  name: Bot\n"

func TestBotErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"intent without patterns", head + "intents:\n  - name: hi\n", `ws.yaml:5:5: intent "hi" has no patterns`},
		{"empty patterns", head + "intents:\n  - name: hi\n    patterns: []\n", `ws.yaml:6:15: intent "hi" has an empty patterns list`},
		{"bad pattern", head + "intents:\n  - name: hi\n    patterns: [\"(hello\"]\n", `ws.yaml:6:16: pattern "(hello" is not a valid regular expression: missing closing ): ` + "`(?i)(hello`"},
		{"duplicate intent", head + "intents:\n  - name: hi\n    patterns: [hi]\n  - name: hi\n    patterns: [hey]\n", `ws.yaml:7:11: duplicate intent "hi", first defined at line 5`},
		{"unknown flow", head + "intents:\n  - name: hi\n    patterns: [hi]\n    starts: survey\n", `ws.yaml:7:13: starts "survey": an intent can start ticket, live_chat or lead`},
		{"intent offers a missing button", head + "intents:\n  - name: hi\n    patterns: [hi]\n    buttons: [track]\n", `ws.yaml:7:14: intent "hi" offers button "track", which is not defined: add it under buttons; defined: none`},
		{"button without label", head + "buttons:\n  - id: track\n", `ws.yaml:5:5: button "track" has no label`},
		{"lead with no fields", head + "lead:\n  fields: []\n", "ws.yaml:5:11: lead.fields is empty"},

		{"many intents", head + "actions:\n  - {id: a, url: 'https://h/', secret: s, triggers: ['ai_intent:nope']}\nintents:\n" + manyIntents(40),
			`ws.yaml:5:54: trigger ai_intent:nope names no intent: define it under intents; defined: i0, i1, i2, i3, i4, i5, i6, i7, i8, i9 and 30 more`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("ws.yaml", []byte(tt.src), opts)
			var we *yamlsrc.Error
			if !errors.As(err, &we) {
				t.Fatalf("want *yamlsrc.Error, got %T: %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Parse:\n%s\nwant prefix %s\ngot         %s", tt.src, tt.want, err)
			}
		})
	}
}

func manyIntents(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("  - {name: i" + strconv.Itoa(i) + ", patterns: [x]}\n")
	}
	return b.String()
}
