package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestStandardWebhooksThroughTheBinary: `actionbench mock` verifying
// Standard Webhooks with its own secret, `fire` and `emit` signing with
// that scheme from a workspace, the secret from the environment; the
// mock's log shows the scheme, and no output holds the secret.
func TestStandardWebhooksThroughTheBinary(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGINT")
	}
	const swSecret = "whsec_c3RhbmRhcmQtd2ViaG9va3MtdGVzdC1rZXk="
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	certOut := filepath.Join(t.TempDir(), "mock-cert.pem")
	m, url := startMock(t, ctx, "--addr", "127.0.0.1:0", "--cert-out", certOut, "--standard-secret", swSecret)
	ws := writeFile(t, "actionbench.yaml", `chatbot: {id: bot_def456, name: Support Bot}
actions:
  - id: order_lookup
    url: `+url+`/actions/order_lookup
    secret: ${SW_SECRET}
    signing: standard-webhooks
    payload: {customer_email: "{{visitor.email}}"}
webhook:
  url: `+url+`/webhook
  signing: standard-webhooks
  secret: ${SW_SECRET}
`)
	env := []string{"SW_SECRET=" + swSecret}
	res := actionbench(t, runOptions{env: env}, "fire", "order_lookup", "-w", ws, "--ca-file", certOut, "--set", "visitor.email=jane@example.com", "--json")
	var out struct {
		Outcome  string `json:"outcome"`
		BotReply string `json:"bot_reply"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || res.code != 0 || out.Outcome != "message" {
		t.Fatalf("fire: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	res = actionbench(t, runOptions{env: env}, "emit", "on_message_received", "-w", ws, "--ca-file", certOut, "--set", "message=hello", "--json")
	if res.code != 0 || !strings.Contains(res.stdout, `"status": 200`) {
		t.Fatalf("emit: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	// A secret that is no whsec_ secret is caught when the workspace loads.
	res = actionbench(t, runOptions{env: []string{"SW_SECRET=plain-" + testSecret}}, "fire", "order_lookup", "-w", ws, "--ca-file", certOut)
	if res.code != 2 || !strings.Contains(res.stderr, "actionbench.yaml:5:13: secret for signing: standard-webhooks: a Standard Webhooks secret starts with whsec_") {
		t.Errorf("plain secret: exit %d, stderr %q", res.code, res.stderr)
	}
	log, _ := m.stop(t)
	for _, want := range []string{"POST /actions/order_lookup 200 OK", "signing=standard-webhooks sig=ok action_id=order_lookup", "POST /webhook 200 OK", "signing=standard-webhooks auth=ok"} {
		if !strings.Contains(log, want) {
			t.Errorf("mock log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log+res.stdout+res.stderr, swSecret) {
		t.Error("the secret was printed")
	}
}
