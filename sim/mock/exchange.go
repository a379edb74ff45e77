package mock

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/actionbench/actionbench/engine/sign"
	"github.com/actionbench/actionbench/engine/wire"
)

// exchange is one request as the mock understood it: its body, whether its
// credentials were right, and what its log line should say.
type exchange struct {
	r     *http.Request
	body  []byte
	fault string

	checked bool // the credentials were looked at (the route exists, the body was read)
	webhook bool
	authOK  bool // the signature (actions) or the Bearer token (webhook)
	lax     bool // Config.Lax: credentials are not enforced, bad JSON crashes
	// standard is set when the request was signed with Standard Webhooks;
	// authWhy says why it did not verify.
	standard bool
	authWhy  string
	// sentAt is a signed action's metadata.timestamp (zero when absent or
	// unreadable); stale says why it is refused as a replay ("" if not).
	sentAt time.Time
	stale  string

	// Read from the body leniently, for the log, before anything is enforced.
	actionID, conversationID, eventType string
}

// checkSignature verifies X-DGbot-Signature over the exact body, as the
// reference's verify_dgbot_signature does.
func (x *exchange) checkSignature(secret string) {
	x.checked = true
	x.authOK = sign.Verify(secret, x.body, x.r.Header.Get(sign.Header))
	var req wire.ActionRequest
	err := json.Unmarshal(x.body, &req) // a body of the wrong shape still logs what it has
	x.actionID, x.conversationID = req.ActionID, req.ConversationID
	if err == nil && x.authOK {
		x.sentAt = time.Time(req.Metadata.Timestamp)
	}
}

// checkFresh refuses a signed action request stamped more than StaleAfter
// before the newest its conversation has sent: a captured request sent
// again. A request without a conversation or a timestamp is not judged.
func (x *exchange) checkFresh(convs *newest, now time.Time) {
	if !x.authOK || x.standard || x.sentAt.IsZero() || x.conversationID == "" {
		return
	}
	mark, fresh := convs.admit(x.conversationID, x.sentAt, now)
	if fresh {
		return
	}
	x.stale = fmt.Sprintf("stale request refused as a replay: metadata.timestamp %s is %s behind %s, the newest conversation %s has sent, "+
		"and %s is the most allowed; send each request once, stamped with the time it is sent",
		x.sentAt.UTC().Format(time.RFC3339), mark.Sub(x.sentAt), mark.UTC().Format(time.RFC3339), x.conversationID, StaleAfter)
}

// checkStandard verifies a request signed with Standard Webhooks, which
// replaces the scheme checked before: the signature over id, timestamp
// and body, a timestamp within 5 minutes of now, and a webhook-id not
// seen before (a replay is refused). A webhook that also sends a Bearer
// token must send the right one.
func (x *exchange) checkStandard(secret string, now time.Time, seen *replays) {
	tokenOK := x.authOK
	x.standard = true
	err := sign.VerifyStandard(secret, x.body, x.r.Header, now)
	x.authOK = err == nil
	if err != nil {
		x.authWhy = err.Error()
	} else if !seen.fresh(x.r.Header.Get(sign.StandardID), now) {
		x.authOK, x.authWhy = false, "webhook-id was already used: a replayed message is refused"
	}
	if x.webhook && x.r.Header.Get("Authorization") != "" && !tokenOK {
		x.authOK, x.authWhy = false, "the Bearer token does not match"
	}
}

// checkToken compares the Authorization header with the one the reference's
// PHP script expects, exactly, in constant time.
func (x *exchange) checkToken(token string) {
	x.checked, x.webhook = true, true
	want := []byte("Bearer " + token)
	x.authOK = subtle.ConstantTimeCompare([]byte(x.r.Header.Get("Authorization")), want) == 1
	var p wire.EventHeader
	_ = json.Unmarshal(x.body, &p)
	x.eventType = p.EventType
}

// action decodes the body as the platform's request, and its payload as an
// object whose numbers are kept as written, so that an order id sent as
// 1042 reads as "1042".
func (x *exchange) action() (wire.ActionRequest, map[string]any, error) {
	var req wire.ActionRequest
	if err := json.Unmarshal(x.body, &req); err != nil {
		return req, nil, err
	}
	var payload map[string]any
	dec := json.NewDecoder(bytes.NewReader(req.Payload))
	dec.UseNumber()
	if err := dec.Decode(&payload); err != nil {
		return req, nil, fmt.Errorf("payload: %w", err)
	}
	return req, payload, nil
}

// payloadString reads a payload field as text: a string as it is, a
// number as written; anything else (null, absent, an object) is "".
func payloadString(p map[string]any, key string) string {
	switch v := p[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// writeJSON answers with v as JSON. HTML characters are left unescaped so
// that the body reads as written when a developer looks at it.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only the mock's own values are encoded; failing here is a bug.
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// writeError answers {"error": text}, the shape both protocols use.
func writeError(w http.ResponseWriter, status int, text string) {
	writeJSON(w, status, wire.Error(text))
}
