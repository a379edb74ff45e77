package engine

import (
	"encoding/json"
	"testing"

	"github.com/actionbench/actionbench/engine/template"
	"github.com/actionbench/actionbench/engine/wire"
)

// TestActionBodyIsTheWireType checks that the body sent is exactly the
// wire type marshalled with the rendered payload, including for values
// that spell the payload's key.
func TestActionBodyIsTheWireType(t *testing.T) {
	tricky := `,"payload":{},"x":"</script>` + "\u2028\xff\n"
	cases := []struct {
		name   string
		change func(c *ActionCall)
	}{
		{"realistic", func(c *ActionCall) {}},
		{"no payload template", func(c *ActionCall) { c.Action.Payload = nil }},
		{"values that spell the key", func(c *ActionCall) {
			c.Action.ID, c.ConversationID, c.Chatbot.ID, c.VisitorID, c.Chatbot.Name = tricky, tricky, tricky, tricky, tricky
			c.Vars = template.Vars{"message": tricky, "visitor.name": tricky}
		}},
		{"empty values", func(c *ActionCall) {
			c.Action.ID, c.ConversationID, c.Chatbot.ID, c.VisitorID, c.Chatbot.Name, c.Trigger = "", "", "", "", "", ""
		}},
	}
	for _, tc := range cases {
		call := benchCall(t, "https://127.0.0.1/hook")
		tc.change(&call)
		got, _ := actionBody(&call, testStart)
		payload, _ := call.Action.Payload.AppendJSON(nil, &callVars{call.Vars, call.ConversationID, call.Chatbot.ID, call.Chatbot.Name, call.VisitorID})
		want, err := wire.Marshal(wire.ActionRequest{
			ActionID: call.Action.ID, ConversationID: call.ConversationID, ChatbotID: call.Chatbot.ID, Trigger: string(call.Trigger),
			Payload:  json.RawMessage(payload),
			Metadata: wire.ActionMetadata{VisitorID: call.VisitorID, Timestamp: wire.Time(testStart), ChatbotName: call.Chatbot.Name},
		})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s: body\n%s\nthe wire type marshals\n%s", tc.name, got, want)
		}
	}
}
