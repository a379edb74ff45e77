package template

import (
	"encoding/json"
	"testing"
)

// benchTemplate is a payload of the size and shape the reference's examples
// suggest: a handful of whole variables, some interpolation, a nested
// object and a list.
const benchTemplate = `
customer_email: "{{visitor.email}}"
customer_name: "{{visitor.name}}"
order_id: "{{entities.order_id}}"
greeting: "Hello {{visitor.name}}, about order {{entities.order_id}}"
source: chatbot
priority: 2
urgent: false
context:
  conversation: "{{conversation.id}}"
  message: "{{message}}"
  intent: "{{intent.name}}"
tags: [support, "{{chatbot.name}}", orders]
`

func benchVars() Vars {
	return Vars{
		"visitor.email":     "ana.lopez@example.com",
		"visitor.name":      "Ana López",
		"entities.order_id": "A-10045",
		"conversation.id":   "conv_xyz789",
		"message":           "Where is my order #A-10045? It was due \"yesterday\".",
		"intent.name":       "order_status",
		"chatbot.name":      "Support Bot",
	}
}

// baselinePayload builds the same payload the way a straightforward
// implementation would: a map per object, then json.Marshal. Go maps do
// not keep key order, which is one reason the template does not do this.
func baselinePayload(v Vars) map[string]any {
	return map[string]any{
		"customer_email": v["visitor.email"],
		"customer_name":  v["visitor.name"],
		"order_id":       v["entities.order_id"],
		"greeting":       "Hello " + v["visitor.name"] + ", about order " + v["entities.order_id"],
		"source":         "chatbot",
		"priority":       2,
		"urgent":         false,
		"context": map[string]any{
			"conversation": v["conversation.id"],
			"message":      v["message"],
			"intent":       v["intent.name"],
		},
		"tags": []any{"support", v["chatbot.name"], "orders"},
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	tp := mustCompile(b, benchTemplate)
	vars := benchVars()
	dst := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		dst, _ = tp.AppendJSON(dst[:0], vars)
	}
	b.SetBytes(int64(len(dst)))
}

func BenchmarkJSONMarshalBaseline(b *testing.B) {
	vars := benchVars()
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		out, err = json.Marshal(baselinePayload(vars))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(out)))
}

// TestBaselineMatches keeps the benchmark honest: both sides must produce
// the same document.
func TestBaselineMatches(t *testing.T) {
	tp := mustCompile(t, benchTemplate)
	out, warns := tp.AppendJSON(nil, benchVars())
	if len(warns) != 0 {
		t.Fatalf("warnings: %q", warns)
	}
	var got, want any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	base, _ := json.Marshal(baselinePayload(benchVars()))
	if err := json.Unmarshal(base, &want); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("template and baseline differ:\nwant %s\ngot  %s", wb, gb)
	}
}
