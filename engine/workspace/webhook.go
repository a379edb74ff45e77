package workspace

import (
	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// webhook reads the webhook mapping, e being its entry in the top level:
//
//	webhook:
//	  url: https://127.0.0.1:8443/webhook
//	  token: ${WEBHOOK_TOKEN}
//	  events: [on_message_received, before_response_sent]   # optional: all four
//	  signing: standard-webhooks   # optional; then secret: ${WEBHOOK_SECRET} (whsec_…) and token is optional
func (l *loader) webhook(e *ast.MappingValueNode) (*engine.Webhook, error) {
	entries, err := l.Mapping(e.Value, "webhook", "a mapping with url, token and events")
	if err != nil {
		return nil, err
	}
	m, err := l.Fields(entries, "webhook", []string{
		"url",
		"token",
		"events",
		"signing",
		"secret",
	}, nil)
	if err != nil {
		return nil, err
	}
	w := &engine.Webhook{}
	if w.URL, err = l.urlWithHint(m, e.Key, "webhook", "the receiver's address, e.g. url: https://127.0.0.1:8443/webhook"); err != nil {
		return nil, err
	}
	if w.Signing, err = l.signing(m); err != nil {
		return nil, err
	}
	_, hasToken := m["token"]
	if w.Signing != engine.SigningStandardWebhooks || hasToken {
		if w.Token, err = l.credential(m, e.Key, "webhook", "token", "a reference to an environment variable holding the Bearer token, e.g. token: ${WEBHOOK_TOKEN}"); err != nil {
			return nil, err
		}
	}
	if w.Signing == engine.SigningStandardWebhooks {
		if w.Secret, err = l.credential(m, e.Key, "webhook", "secret", "for signing: standard-webhooks a reference to an environment variable holding the whsec_ secret, e.g. secret: ${WEBHOOK_SECRET}"); err != nil {
			return nil, err
		}
		if err := l.standardSecret(m, "secret", w.Secret); err != nil {
			return nil, err
		}
	} else if s, ok := m["secret"]; ok {
		return nil, l.ErrAt(s.Key, "the webhook's secret is used only with signing: standard-webhooks: add that line, or remove the secret")
	}
	ev, ok := m["events"]
	if !ok || yamlsrc.IsNil(ev.Value) {
		w.Events = append(w.Events, engine.Events...)
		return w, nil
	}
	if _, null := ev.Value.(*ast.NullNode); null {
		w.Events = append(w.Events, engine.Events...)
		return w, nil
	}
	items, err := l.List(ev.Value, "events", "a list of event names, e.g. [on_message_received, before_response_sent]")
	if err != nil {
		return nil, err
	}
	for _, item := range items {
		name, err := l.Str(item, "an event")
		if err != nil {
			return nil, err
		}
		event, err := engine.ParseEvent(name)
		if err != nil {
			return nil, l.ErrAt(item, "%v", err)
		}
		if w.Subscribes(event) {
			return nil, l.ErrAt(item, "event %s is listed twice: list each event once", event)
		}
		w.Events = append(w.Events, event)
	}
	return w, nil
}
