package engine

import (
	"context"
	"crypto/tls"

	"github.com/actionbench/actionbench/engine/sign"
)

// KindAudit marks an attempt sent by the endpoint audit: a request built
// on purpose to be wrong (or a baseline sent to compare with). It is
// recorded and exported like any attempt and, not being an action call,
// never counts against a conversation's rate limit.
const KindAudit Kind = "audit"

// ActionRequest builds the request Fire would send for call at the
// dispatcher's time — the body, a fresh delivery id, the signature — and
// sends nothing. The audit sends it (or a spoiled copy) with Send. The
// returned strings are the payload template's warnings.
func (d *Dispatcher) ActionRequest(call ActionCall) (req Request, deliveryID string, warnings []string) {
	deliveryID = d.newID()
	body, warnings := actionBody(&call, d.clock().UTC())
	req = d.actionRequest(call.Action.URL, call.Action.Secret, deliveryID, body)
	// A secret Standard Webhooks cannot use fails the workspace's load.
	_ = d.applySigning(&req, call.Action.Signing, call.Action.Secret, deliveryID)
	return req, deliveryID, warnings
}

// EventRequest builds the request Emit would send for call at the
// dispatcher's time, and sends nothing.
func (d *Dispatcher) EventRequest(call EventCall) Request {
	req := d.eventRequest(call.Webhook.URL, call.Webhook.Token, eventBody(&call, d.clock().UTC()))
	_ = d.applySigning(&req, call.Webhook.Signing, call.Webhook.Secret, d.newID())
	return req
}

// Resign signs r's body again, as the scheme does: X-DGbot-Signature
// with secret, or under Standard Webhooks a new signature for the same
// message id. An event under the default scheme carries a token, not a
// signature, and is left as it is.
func (d *Dispatcher) Resign(r *Request, signing Signing, secret string, isEvent bool) {
	if signing == SigningStandardWebhooks {
		id := r.Header[sign.StandardID]
		if len(id) == 1 {
			_ = d.applySigning(r, signing, secret, id[0])
		}
		return
	}
	if !isEvent {
		r.Header[sign.Header] = []string{sign.Sign(secret, r.Body)}
	}
}

// Classify judges a complete answer to a request sent with Send as the
// platform judges an action's (as KindAction) or an event's (as
// KindEvent, with a.Event set): the outcome, the bot's reply, the
// diagnosis and warnings. An attempt whose outcome Send already set (no
// complete answer arrived) is left as it is.
func Classify(a *Attempt, as Kind) {
	if a.Outcome != "" || a.Response == nil {
		return
	}
	if as == KindEvent {
		classifyEvent(a)
		return
	}
	classifyAction(a)
}

// ProbeTLS completes a TLS handshake of its own with addr (host:port),
// dialled through the dispatcher's address policy and resolver, and
// returns what was agreed; the connection is closed. A nil cfg.RootCAs
// means the CAs the dispatcher trusts. The audit reads the certificate
// and tries old TLS versions with it.
func (d *Dispatcher) ProbeTLS(ctx context.Context, addr string, cfg *tls.Config) (tls.ConnectionState, error) {
	t := d.secure
	if cfg.RootCAs == nil {
		cfg = cfg.Clone()
		cfg.RootCAs = t.TLSClientConfig.RootCAs
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	conn, err := t.DialContext(ctx, "tcp", addr)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return tls.ConnectionState{}, err
	}
	return tc.ConnectionState(), nil
}

// IsEvent reports whether a went to the event webhook: an event, or an
// audit of the webhook (which names no action).
func (a *Attempt) IsEvent() bool {
	return a.Kind == KindEvent || a.Kind == KindAudit && a.ActionID == ""
}
