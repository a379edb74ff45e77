package tui

import (
	"testing"

	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/sim/bot"
)

func TestExampleMessage(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"an action's intent first", `
chatbot: {id: "7", name: T}
actions:
  - {id: down, url: "https://127.0.0.1:1/h", secret: example-secret, triggers: ["ai_intent:down"]}
intents:
  - {name: hello, patterns: ["hello"]}
  - {name: down, patterns: ['is (\w+) down', "Is It Down"]}
`, "Is It Down"},
		{"any intent when no action's is plain", `
chatbot: {id: "7", name: T}
actions:
  - {id: down, url: "https://127.0.0.1:1/h", secret: example-secret, triggers: ["ai_intent:down"]}
intents:
  - {name: hello, patterns: ['^\s*(hi|hello)\b', "good morning"]}
  - {name: down, patterns: ['is (\w+) down']}
`, "good morning"},
		{"no plain pattern", `
chatbot: {id: "7", name: T}
intents:
  - {name: down, patterns: ['is (\w+) down', "(?:up|down)"]}
`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, err := bot.Parse("test.yaml", []byte(tt.yaml), workspace.Options{Env: func(string) (string, bool) { return "", false }})
			if err != nil {
				t.Fatal(err)
			}
			if got := exampleMessage(ws); got != tt.want {
				t.Errorf("example %q, want %q", got, tt.want)
			}
		})
	}
	if got := placeholder(""); got != "say something" {
		t.Errorf("placeholder without an example: %q", got)
	}
}
