package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletion asks the binary what the shell would offer (cobra's
// hidden __complete command, which the scripts from `actionbench
// completion` call): the words, then ":" and the directive.
func TestCompletion(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(t.TempDir(), "history.db")
	if res := actionbench(t, runOptions{dir: dir}, "fire", "order_lookup", "--db", db, "-c", "conv_complete", "--set", "visitor.email=jane@example.com"); res.code != 0 {
		t.Fatalf("fire: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	ws := writeFileIn(t, dir, "shop.yaml", "chatbot: {id: b, name: Shop}\nactions:\n  - id: refund\n    name: Refunds\n    url: https://127.0.0.1:9/r\n    secret: ${UNSET_IN_THE_SHELL}\n  - id: reorder\n    url: https://127.0.0.1:9/o\n    secret: ${UNSET_IN_THE_SHELL}\nwebhook:\n  url: https://127.0.0.1:9/w\n  token: t\n  events: [on_ticket_created]\n")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"demo actions", []string{"fire", "order_"}, "order_lookup\tOrder lookup\norder_status\tOrder status (data)\n:36\n"},
		{"workspace actions, secrets unset", []string{"fire", "-w", ws, "re"}, "refund\tRefunds\nreorder\treorder\n:36\n"},
		{"only one action", []string{"fire", "-w", ws, "refund", ""}, ":36\n"},
		{"events, subscribed first", []string{"emit", "-w", ws, ""}, "on_ticket_created\tsubscribed\non_message_received\non_live_chat_requested\nbefore_response_sent\n:36\n"},
		{"scenario files", []string{"run", ""}, "yaml\nyml\n:8\n"},
		{"load: actions then events, each once", []string{"load", "-w", ws, "refund", ""}, "reorder\treorder\non_ticket_created\tsubscribed\non_message_received\non_live_chat_requested\nbefore_response_sent\n:36\n"},
		{"load scenario", []string{"load", "--scenario", ""}, "yaml\nyml\n:8\n"},
		{"workspace flag", []string{"fire", "--workspace", ""}, "yaml\nyml\n:8\n"},
		{"attempt ids", []string{"history", "show", "--db", db, ""}, "1\torder_lookup message 200, conv_complete\n:36\n"},
		{"attempt ids for export", []string{"history", "export", "--db", db, "1"}, "1\torder_lookup message 200, conv_complete\n:36\n"},
		{"no history yet", []string{"history", "show", "--db", filepath.Join(dir, "none.db"), ""}, ":36\n"},
	} {
		res := actionbench(t, runOptions{dir: dir}, append([]string{"__complete"}, c.args...)...)
		if res.code != 0 || res.stdout != c.want {
			t.Errorf("%s: exit %d, got\n%q\nwant\n%q\n%s", c.name, res.code, res.stdout, c.want, res.stderr)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "none.db*")); len(m) != 0 {
		t.Errorf("completion created a history: %v", m)
	}
	// The shell scripts themselves come from cobra.
	if res := actionbench(t, runOptions{}, "completion", "bash"); res.code != 0 || !strings.Contains(res.stdout, "__start_actionbench") {
		t.Errorf("completion bash: exit %d", res.code)
	}
}
