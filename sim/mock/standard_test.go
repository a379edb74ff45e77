package mock

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/sign"
	"github.com/actionbench/actionbench/engine/workspace"
)

// TestEngineStandardWebhooks: the engine signing with Standard Webhooks,
// against the real server, verifies on an action route and the webhook,
// with and without the Bearer token; the wrong key is refused with the
// reason; the log says which scheme and never holds the secret.
func TestEngineStandardWebhooks(t *testing.T) {
	s, log := startServer(t)
	src := strings.ReplaceAll(`chatbot: {id: "21", name: Support Bot}
actions:
  - id: order_lookup
    url: URL/actions/order_lookup
    secret: ${SW}
    signing: standard-webhooks
    payload: {customer_email: "{{visitor.email}}"}
  - id: wrong_key
    url: URL/actions/order_lookup
    secret: whsec_c2VjcmV0
    signing: standard-webhooks
webhook:
  url: URL/webhook
  signing: standard-webhooks
  secret: ${SW}
`, "URL", s.URL())
	ws, err := workspace.Parse("sw.yaml", []byte(src), func(k string) (string, bool) { return DemoStandardSecret, k == "SW" })
	if err != nil {
		t.Fatal(err)
	}
	d := engine.New(engine.Options{RootCAs: trusting(t, s)})
	defer d.Close()
	fire := func(id string) *engine.Attempt {
		act, _ := ws.Action(id)
		return d.Fire(context.Background(), engine.ActionCall{Chatbot: ws.Chatbot, Action: act, Trigger: engine.TriggerManual, ConversationID: "conv_" + id,
			Vars: map[string]string{"visitor.email": "jane@example.com"}})
	}
	if a := fire("order_lookup"); a.Outcome != engine.OutcomeMessage || !strings.Contains(a.BotReply, "#1042") {
		t.Errorf("order_lookup: %s %q %s", a.Outcome, a.BotReply, a.Diagnosis)
	}
	if a := fire("wrong_key"); a.Response == nil || a.Response.Status != 401 || !strings.Contains(string(a.Response.Body), "no webhook-signature matches") {
		t.Errorf("wrong_key: %s %v", a.Outcome, a.Response)
	}
	for _, token := range []string{"", testToken} {
		w := *ws.Webhook
		w.Token = token
		a := d.Emit(context.Background(), engine.EventCall{Chatbot: ws.Chatbot, Webhook: w, ConversationID: "conv_w", Event: engine.EventMessageReceived,
			Fields: engine.EventFields{VisitorID: "v1", Message: "hi", Intent: "greeting.hello"}})
		if a.Response == nil || a.Response.Status != 200 || a.BotReply != "Welcome! How can I assist you today?" {
			t.Errorf("webhook, token %q: %s %v %q", token, a.Outcome, a.Response, a.Diagnosis)
		}
	}
	s.Close() // the last request's log line is written after its answer
	text := log.String()
	if strings.Count(text, " signing=standard-webhooks") != 4 || !strings.Contains(text, "signing=standard-webhooks sig=ok action_id=order_lookup") || !strings.Contains(text, "signing=standard-webhooks auth=ok") {
		t.Errorf("log:\n%s", text)
	}
	if strings.Contains(text, DemoStandardSecret) {
		t.Errorf("the log holds the secret:\n%s", text)
	}
}

// TestStandardWebhooksRefused: the mock refuses, as an endpoint built for
// the scheme must, a replayed message id, a stale timestamp and the wrong
// Bearer token beside a good signature.
func TestStandardWebhooksRefused(t *testing.T) {
	h, _ := newTestHandler()
	body := platformBody("order_lookup", `{"customer_email":"jane@example.com"}`)
	signed := func(path, id string, at time.Time) *http.Request {
		r := signedRequest(path, body, "")
		sig, err := sign.SignStandard(DemoStandardSecret, id, at, body)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set(sign.StandardID, id)
		r.Header.Set(sign.StandardTimestamp, strconv.FormatInt(at.Unix(), 10))
		r.Header.Set(sign.StandardSignature, sig)
		return r
	}
	for _, c := range []struct {
		name   string
		r      *http.Request
		status int
		body   string
	}{
		{"fresh", signed("/actions/order_lookup", "msg_1", fixedNow.Add(-time.Minute)), 200, "#1042"},
		{"sent again", signed("/actions/order_lookup", "msg_1", fixedNow.Add(-time.Minute)), 401, "webhook-id was already used"},
		{"six minutes old", signed("/actions/order_lookup", "msg_2", fixedNow.Add(-6*time.Minute)), 401, "more than 5 minutes"},
		{"webhook, wrong token", func() *http.Request {
			r := signed("/webhook", "msg_3", fixedNow)
			r.Header.Set("Authorization", "Bearer nope")
			return r
		}(), 401, "Unauthorized"},
		// Past the credentials, the action body is no event: 400, not 401.
		{"webhook, no token", signed("/webhook", "msg_4", fixedNow), 400, "Invalid event type"},
	} {
		w := serve(h, c.r)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.body) {
			t.Errorf("%s: %d %s; want %d and %q", c.name, w.Code, w.Body, c.status, c.body)
		}
	}
}
