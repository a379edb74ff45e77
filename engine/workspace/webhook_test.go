package workspace

import (
	"slices"
	"testing"

	"github.com/actionbench/actionbench/engine"
)

func TestWebhook(t *testing.T) {
	env := fakeEnv(map[string]string{"WEBHOOK_TOKEN": "tok_4f9a", "S": "sec_77"})
	tests := []struct {
		name   string
		src    string
		events []engine.Event
	}{
		{"all events by default", "webhook:\n  url: https://127.0.0.1:8443/webhook\n  token: ${WEBHOOK_TOKEN}\n", engine.Events},
		{"empty events means all", "webhook:\n  url: https://127.0.0.1:8443/webhook\n  token: ${WEBHOOK_TOKEN}\n  events:\n", engine.Events},
		{"chosen events in order", "webhook:\n  url: https://127.0.0.1:8443/webhook\n  token: ${WEBHOOK_TOKEN}\n  events: [before_response_sent, on_message_received]\n",
			[]engine.Event{engine.EventBeforeResponseSent, engine.EventMessageReceived}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := head + "actions:\n  - id: a\n    url: https://h/\n    secret: ${S}\n" + tt.src
			w, err := Parse("ws.yaml", []byte(src), env)
			if err != nil {
				t.Fatal(err)
			}
			if w.Webhook == nil {
				t.Fatal("Webhook is nil")
			}
			if w.Webhook.URL != "https://127.0.0.1:8443/webhook" || w.Webhook.Token != "tok_4f9a" {
				t.Errorf("url %q, token of %d bytes: want the configured url and the token from the environment", w.Webhook.URL, len(w.Webhook.Token))
			}
			if !slices.Equal(w.Webhook.Events, tt.events) {
				t.Errorf("events %v, want %v", w.Webhook.Events, tt.events)
			}
			if secrets := w.Secrets(); !slices.Contains(secrets, "tok_4f9a") || !slices.Contains(secrets, "sec_77") {
				t.Errorf("Secrets() has %d values: want the action secret and the webhook token", len(secrets))
			}
		})
	}
	w, err := Parse("ws.yaml", []byte(head), env)
	if err != nil || w.Webhook != nil {
		t.Errorf("no webhook key: want a nil Webhook, got %v, %v", w.Webhook, err)
	}
}

// TestStandardWebhooksSigning reads signing: standard-webhooks for an
// action and for the webhook, whose token then becomes optional and whose
// secret joins the secrets kept out of logs.
func TestStandardWebhooksSigning(t *testing.T) {
	const whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	env := fakeEnv(map[string]string{"ACTION_SECRET": whsec, "HOOK_SECRET": "whsec_c2VjcmV0"})
	src := "chatbot: {id: b, name: B}\nactions:\n  - id: a1\n    url: https://127.0.0.1:8443/x\n    secret: ${ACTION_SECRET}\n    signing: standard-webhooks\n  - id: a2\n    url: https://127.0.0.1:8443/y\n    secret: ${ACTION_SECRET}\n    signing: dgbot\nwebhook:\n  url: https://127.0.0.1:8443/webhook\n  signing: standard-webhooks\n  secret: ${HOOK_SECRET}\n"
	w, err := Parse("ws.yaml", []byte(src), env)
	if err != nil {
		t.Fatal(err)
	}
	if w.Actions[0].Signing != engine.SigningStandardWebhooks || w.Actions[1].Signing != engine.SigningDefault {
		t.Errorf("action signings %q, %q", w.Actions[0].Signing, w.Actions[1].Signing)
	}
	if w.Webhook.Signing != engine.SigningStandardWebhooks || w.Webhook.Secret != "whsec_c2VjcmV0" || w.Webhook.Token != "" {
		t.Errorf("webhook signing %q, secret of %d bytes, token of %d bytes", w.Webhook.Signing, len(w.Webhook.Secret), len(w.Webhook.Token))
	}
	if !slices.Contains(w.Secrets(), "whsec_c2VjcmV0") {
		t.Error("Secrets() leaves out the webhook's signing secret")
	}
}
