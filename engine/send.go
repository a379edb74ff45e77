package engine

import (
	"context"
	"net/http"
)

// Send sends req exactly as given — any method, URL, headers and body,
// including what the platform would never send (a wrong signature, a body
// over the limit) — through the dispatcher's own transport: the address
// policy, HTTP/1.1, the deadline and the response body limit. It signs
// nothing and takes no call of any rate limit. It is for probing an
// endpoint's defences; Fire is what the platform does. The framing is
// net/http's to write: Host comes from the URL, Content-Length from the
// body, and such keys in req.Header are not sent.
//
// The attempt records the request, the response (Body decoded and capped),
// Started, Latency, Sent, RemoteAddr and ProductionWouldReject. Outcome
// and Diagnosis are set only when no complete answer within the limits
// arrived (rejected, timeout, too_large, transport_error); a complete
// answer is left for the caller to judge, with Outcome empty.
func (d *Dispatcher) Send(ctx context.Context, req Request) *Attempt {
	if req.Header == nil {
		req.Header = http.Header{}
	}
	a := &Attempt{At: d.clock().UTC(), Request: req}
	if t, ok := d.checkURL(a); ok {
		d.exchange(ctx, a, t)
	}
	a.BotReply = "" // no visitor is waiting on a probe
	return a
}
