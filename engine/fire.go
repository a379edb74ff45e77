package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/actionbench/actionbench/engine/sign"
	"github.com/actionbench/actionbench/engine/template"
	"github.com/actionbench/actionbench/engine/wire"
)

// DeliveryHeader carries a unique id per dispatch so endpoints can be idempotent.
const DeliveryHeader = "X-DGbot-Delivery"

// ActionCall is one custom action to dispatch.
type ActionCall struct {
	Chatbot        Chatbot
	Action         Action
	ConversationID string
	VisitorID      string
	Trigger        Trigger
	// Vars are the template variables. conversation.id, chatbot.id,
	// chatbot.name and visitor.id are taken from the fields above when Vars
	// does not set them.
	Vars template.Vars
	// OneCall says the conversation makes this call and no other, as each
	// of a load run's new conversations does. Its first call is always
	// within the rate limit, so the limiter is not asked and does not keep
	// the conversation for the 10-minute window: a long load at a high
	// rate would otherwise hold rate × 10 minutes of conversations.
	OneCall bool
}

// Fire dispatches one custom action and reports everything about it. It
// never returns an error: every way a dispatch can end is an Outcome.
func (d *Dispatcher) Fire(ctx context.Context, call ActionCall) *Attempt {
	now := d.clock().UTC()
	a := &Attempt{
		Kind:           KindAction,
		DeliveryID:     d.newID(),
		ConversationID: call.ConversationID,
		ActionID:       call.Action.ID,
		Trigger:        call.Trigger,
		At:             now,
	}
	body, warnings := actionBody(&call, now)
	a.Warnings = warnings
	a.Request = d.actionRequest(call.Action.URL, call.Action.Secret, a.DeliveryID, body)
	if err := d.applySigning(&a.Request, call.Action.Signing, call.Action.Secret, a.DeliveryID); err != nil {
		a.fail(OutcomeRejected, err.Error())
		return a
	}
	if len(body) > MaxBodyBytes {
		a.fail(OutcomeTooLarge, fmt.Sprintf("request body is %s bytes, over the %s-byte limit: the platform never sends it; shrink the payload template or the values it takes", commas(len(body)), commas(MaxBodyBytes)))
		return a
	}
	d.sendAction(ctx, a, now, call.OneCall)
	return a
}

// actionRequest is an action's POST of body, signed with secret.
func (d *Dispatcher) actionRequest(url, secret, deliveryID string, body []byte) Request {
	// Header keys are spelled as the reference spells them (X-DGbot-…), so
	// they are not in Go's canonical form: index the map, don't Header.Get.
	// The map is a copy of the dispatcher's, whose keys are all there
	// already; the two values of this call share one slice's memory.
	values := []string{deliveryID, string(d.signer(secret).Append(make([]byte, 0, sign.Len), body))}
	h := maps.Clone(d.actionHeader)
	h[DeliveryHeader] = values[0:1:1]
	h[sign.Header] = values[1:2:2]
	return Request{Method: http.MethodPost, URL: url, Header: h, Body: body}
}

// actionHeader is the header every action's request carries, with the
// delivery id and the signature for actionRequest to fill in.
func actionHeader(userAgent []string) http.Header {
	return http.Header{
		"Content-Type":    jsonContentType,
		"User-Agent":      userAgent,
		"Accept-Encoding": acceptGzip,
		DeliveryHeader:    nil,
		sign.Header:       nil,
	}
}

// sendAction sends a's request within its conversation's rate limit and
// classifies the answer. A one-call conversation's only call is within
// the limit, and is not remembered (see ActionCall.OneCall).
func (d *Dispatcher) sendAction(ctx context.Context, a *Attempt, now time.Time, oneCall bool) {
	tgt, ok := d.checkURL(a)
	if !ok {
		return
	}
	if oneCall {
		a.Limit = LimitStatus{Remaining: RateLimit - 1}
		if d.exchange(ctx, a, tgt) {
			classifyAction(a)
		}
		if !a.Sent && a.Outcome == OutcomeRejected {
			a.Limit = LimitStatus{Remaining: RateLimit}
		}
		return
	}
	decision := d.limiter.Reserve(a.ConversationID, now)
	a.Limit = LimitStatus{Remaining: decision.Remaining, FreesAt: decision.FreesAt}
	if !decision.Allowed {
		a.Outcome = OutcomeRateLimited
		a.BotReply = replyRateLimited
		a.Diagnosis = fmt.Sprintf("rate limit: %d calls in the last %s for conversation %s; the window frees at %s (in %s)",
			RateLimit, minutes(RateWindow), a.ConversationID, decision.FreesAt.Format(time.TimeOnly), roundDuration(decision.FreesAt.Sub(now)))
		return
	}
	if d.exchange(ctx, a, tgt) {
		classifyAction(a)
	}
	if !a.Sent && a.Outcome == OutcomeRejected {
		// Refused at dial time: nothing left the machine, so it does not count.
		d.limiter.Cancel(a.ConversationID, now)
		s := d.limiter.Status(a.ConversationID, now)
		a.Limit = LimitStatus{Remaining: s.Remaining, FreesAt: s.FreesAt}
	}
}

// Header values that never change are shared between attempts; nothing
// may modify an attempt's headers in place.
var (
	jsonContentType = []string{"application/json"}
	acceptGzip      = []string{"gzip"}
)

// callVars layers a call's own identifiers under its template variables,
// so a render needs no copy of the caller's map.
type callVars struct {
	vars                                      template.Vars
	conversation, chatbotID, chatbot, visitor string
}

func (c *callVars) Lookup(name string) (string, bool) {
	if v, ok := c.vars[name]; ok {
		return v, true
	}
	switch name {
	case "conversation.id":
		return c.conversation, true
	case "chatbot.id":
		return c.chatbotID, true
	case "chatbot.name":
		return c.chatbot, true
	case "visitor.id":
		return c.visitor, true
	}
	return "", false
}

// actionBody renders the request as the wire type, keys in the protocol's
// order, with the payload rendered by its template.
func actionBody(call *ActionCall, now time.Time) ([]byte, []string) {
	// The message, the envelope's bytes and the variables live in pooled
	// scratch: only the body itself is new on every dispatch.
	sc := bodyScratches.Get().(*bodyScratch)
	defer sc.put()
	sc.msg = wire.ActionRequest{
		ActionID:       call.Action.ID,
		ConversationID: call.ConversationID,
		ChatbotID:      call.Chatbot.ID,
		Trigger:        string(call.Trigger),
		Payload:        emptyPayload,
		Metadata: wire.ActionMetadata{
			VisitorID:   call.VisitorID,
			Timestamp:   wire.Time(now),
			ChatbotName: call.Chatbot.Name,
		},
	}
	envelope := mustMarshal(sc.envelope[:0], &sc.msg)
	sc.envelope = envelope
	// The payload goes where the "{}" marshalled for it is: encoding/json
	// re-checks a RawMessage byte by byte, over half of a body's cost with a
	// 1 KB payload (BenchmarkStepBody), and a template's output is JSON by
	// construction (fuzzed). `,"payload":{}` can only be the key, since a
	// quote inside a JSON string is always escaped; a test checks the bytes
	// equal the type's marshalling.
	at := bytes.Index(envelope, payloadKey) + len(payloadKey) - len(`{}`)
	sc.vars = callVars{call.Vars, call.ConversationID, call.Chatbot.ID, call.Chatbot.Name, call.VisitorID}
	body := append(make([]byte, 0, len(envelope)+call.Action.Payload.SizeHint()), envelope[:at]...)
	body, warnings := call.Action.Payload.AppendJSON(body, &sc.vars)
	return append(body, envelope[at+len(`{}`):]...), warnings
}

// emptyPayload is what the envelope is marshalled with, for the rendered
// payload to take its place.
var emptyPayload = json.RawMessage(`{}`)

// bodyScratch is what rendering a body needs only while it renders.
type bodyScratch struct {
	msg      wire.ActionRequest
	vars     callVars
	envelope []byte
}

var bodyScratches = sync.Pool{New: func() any {
	return &bodyScratch{envelope: make([]byte, 0, envelopeSize)}
}}

// put clears what the scratch refers to and returns it to the pool; an
// envelope grown past a few KB (long ids or names) is not kept.
func (sc *bodyScratch) put() {
	if cap(sc.envelope) > 4<<10 {
		return
	}
	sc.msg, sc.vars = wire.ActionRequest{}, callVars{}
	bodyScratches.Put(sc)
}

var payloadKey = []byte(`,"payload":{}`)

// envelopeSize is a generous size of a request body around its values.
const envelopeSize = 256

// mustMarshal appends a wire message to dst. Only a payload that is not
// JSON could fail, and the template package guarantees (and fuzzes) that
// its output is.
func mustMarshal(dst []byte, v any) []byte {
	b, err := wire.Append(dst, v)
	if err != nil {
		panic(fmt.Sprintf("engine: encoding %T: %v", v, err))
	}
	return b
}

// checkURL applies the policy's static rules to the request's URL. On
// refusal it fills a's outcome.
func (d *Dispatcher) checkURL(a *Attempt) (*target, bool) {
	t := d.target(a.Request.URL)
	if t.refusal != "" {
		a.fail(OutcomeRejected, t.refusal)
		return nil, false
	}
	if len(a.ProductionWouldReject) == 0 {
		// Shared with the cache, clipped so that an append copies.
		a.ProductionWouldReject = slices.Clip(t.marks)
	} else {
		a.ProductionWouldReject = append(a.ProductionWouldReject, t.marks...)
	}
	return t, true
}

// refusalDiagnosis is a refusal's text, which states the platform's rule
// it applies.
func refusalDiagnosis(err error) string {
	return err.Error()
}

// fail ends a with a non-success outcome that the visitor sees as an apology.
func (a *Attempt) fail(o Outcome, diagnosis string) {
	a.Outcome = o
	a.BotReply = replyApology
	a.Diagnosis = diagnosis
}
