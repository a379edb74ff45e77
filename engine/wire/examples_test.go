package wire_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/wire"
)

var update = flag.Bool("update", false, "rewrite the JSON examples in docs/protocol.md from the wire types")

// protocolDoc is the page whose JSON examples are rendered from the types.
const protocolDoc = "../../docs/protocol.md"

// examples are the values the docs show, by the name their marker uses.
func examples() map[string]any {
	at := wire.Time(time.Date(2026, 12, 4, 14, 58, 55, 0, time.UTC))
	head := func(event string) wire.EventHeader {
		return wire.EventHeader{EventType: event, BotID: "21", VisitorID: "v_76f4v2c3e13"}
	}
	return map[string]any{
		"ActionRequest": wire.ActionRequest{
			ActionID: "order_lookup", ConversationID: "conv_xyz789", ChatbotID: "21", Trigger: wire.TriggerIntent,
			Payload: json.RawMessage(`{"customer_email":"jane@example.com","order_id":"1042"}`),
			Metadata: wire.ActionMetadata{VisitorID: "visitor_111", Timestamp: wire.Time(time.Date(2026, 12, 4, 14, 58, 56, 0, time.UTC)),
				ChatbotName: "Acme Support"},
		},
		"ActionReply.message": wire.Message("Your order is on the way."),
		"ActionReply.data":    wire.Data(json.RawMessage(`{"order_id":"12345","status":"shipped","tracking":"UPS 1Z999AA10123456784"}`)),
		"ActionReply.error":   wire.Error("Order not found for that email address."),
		"MessageReceived": wire.MessageReceived{EventHeader: head(wire.EventMessageReceived),
			Message: "Hello, I need help with billing.", Type: "text", Intent: "billing_inquiry", Timestamp: at},
		"TicketCreated": wire.TicketCreated{EventHeader: head(wire.EventTicketCreated), TicketNumber: "TIC-20261204-5133",
			TicketData: wire.TicketData{Name: "John Doe", Email: "john@example.com", Description: "Need help with integration"}, Timestamp: at},
		"LiveChatRequested": wire.LiveChatRequested{EventHeader: head(wire.EventLiveChatRequested),
			SessionStatus: "pending", Message: "I need live support", RequestTime: at},
		"BeforeResponseSent": wire.BeforeResponseSent{EventHeader: head(wire.EventBeforeResponseSent),
			Response: wire.BotResponse{Response: "Original response", Type: "text"},
			Message:  "Test message", SourceType: "bot", Intent: "webhook", Timestamp: at},
		"WebhookReply.override": wire.WebhookReply{Status: "success", Action: wire.ReplyOverride,
			Response: json.RawMessage(`"Welcome! How can I assist you today?"`)},
		"WebhookReply.override-object": wire.WebhookReply{Action: wire.ReplyOverride,
			Response: json.RawMessage(`{"response":"This is a webhook test.","type":"text"}`)},
		"WebhookReply.skip": wire.WebhookReply{Action: wire.ReplySkip},
	}
}

// render is an example as the docs show it: the exact bytes the platform
// sends, indented for reading.
func render(t *testing.T, v any) string {
	t.Helper()
	b, err := wire.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %T: %v", v, err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// jsonBlock is a ```json fence with the marker line that may precede it:
// <!-- wire: NAME -->.
var jsonBlock = regexp.MustCompile("(?m)(?:^<!-- wire: ([\\w.-]+) -->\\n)?^```json\\n((?s:.*?))^```$")

// TestProtocolDocExamples checks that every JSON example in
// docs/protocol.md is what the wire types marshal, so the page cannot
// drift from what the engine sends and the mock reads. Run with -update to
// rewrite the examples after changing a type.
func TestProtocolDocExamples(t *testing.T) {
	doc, err := os.ReadFile(protocolDoc)
	if err != nil {
		t.Fatal(err)
	}
	ex := examples()
	shown := map[string]bool{}
	var problems []string
	rewritten := jsonBlock.ReplaceAllStringFunc(string(doc), func(block string) string {
		m := jsonBlock.FindStringSubmatch(block)
		name, body := m[1], m[2]
		line := 1 + strings.Count(string(doc[:strings.Index(string(doc), block)]), "\n")
		v, ok := ex[name]
		switch {
		case name == "":
			problems = append(problems, fmt.Sprintf("%s:%d: a JSON example without a <!-- wire: NAME --> marker; name one of the examples in examples_test.go", protocolDoc, line))
			return block
		case !ok:
			problems = append(problems, fmt.Sprintf("%s:%d: unknown example %q", protocolDoc, line, name))
			return block
		}
		shown[name] = true
		want := render(t, v) + "\n"
		if body != want {
			problems = append(problems, fmt.Sprintf("%s:%d: example %s is\n%s\nthe type marshals\n%s", protocolDoc, line, name, body, want))
		}
		return "<!-- wire: " + name + " -->\n```json\n" + want + "```"
	})
	for name := range ex {
		if !shown[name] {
			problems = append(problems, fmt.Sprintf("%s: no example %s (add a ```json block after <!-- wire: %s -->)", protocolDoc, name, name))
		}
	}
	if *update {
		if err := os.WriteFile(protocolDoc, []byte(rewritten), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) > 0 {
		t.Log("go test ./engine/wire -run TestProtocolDocExamples -update rewrites the examples")
	}
}
