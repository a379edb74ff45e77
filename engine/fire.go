package engine

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"time"

	"github.com/actionbench/actionbench/engine/netpolicy"
	"github.com/actionbench/actionbench/engine/sign"
	"github.com/actionbench/actionbench/engine/template"
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
	body, warnings := actionBody(call, now)
	a.Warnings = warnings
	// Header keys are spelled as the reference spells them (X-DGbot-…), so
	// they are not in Go's canonical form: index the map, don't Header.Get.
	a.Request = Request{
		Method: http.MethodPost,
		URL:    call.Action.URL,
		Header: http.Header{
			"Content-Type":    {"application/json"},
			"User-Agent":      {d.userAgent},
			"Accept-Encoding": {"gzip"},
			DeliveryHeader:    {a.DeliveryID},
			sign.Header:       {string(d.signer(call.Action.Secret).Append(nil, body))},
		},
		Body: body,
	}
	if len(body) > MaxBodyBytes {
		a.fail(OutcomeTooLarge, fmt.Sprintf("request body is %s bytes, over the %s-byte limit: the platform never sends it; shrink the payload template or the values it takes", commas(len(body)), commas(MaxBodyBytes)))
		return a
	}
	client, ok := d.checkURL(a)
	if !ok {
		return a
	}
	decision := d.limiter.Reserve(call.ConversationID, now)
	a.Limit = LimitStatus{Remaining: decision.Remaining, FreesAt: decision.FreesAt}
	if !decision.Allowed {
		a.Outcome = OutcomeRateLimited
		a.BotReply = replyRateLimited
		a.Diagnosis = fmt.Sprintf("rate limit: %d calls in the last %s for conversation %s; the window frees at %s (in %s)",
			RateLimit, minutes(RateWindow), call.ConversationID, decision.FreesAt.Format(time.TimeOnly), roundDuration(decision.FreesAt.Sub(now)))
		return a
	}
	if d.exchange(ctx, a, client) {
		classifyAction(a)
	}
	if !a.Sent && a.Outcome == OutcomeRejected {
		// Refused at dial time: nothing left the machine, so it does not count.
		d.limiter.Cancel(call.ConversationID, now)
		s := d.limiter.Status(call.ConversationID, now)
		a.Limit = LimitStatus{Remaining: s.Remaining, FreesAt: s.FreesAt}
	}
	return a
}

// actionBody renders the reference's request schema, keys in its order.
func actionBody(call ActionCall, now time.Time) ([]byte, []string) {
	vars := call.Vars
	cloned := false
	for _, kv := range [...][2]string{
		{"conversation.id", call.ConversationID},
		{"chatbot.id", call.Chatbot.ID},
		{"chatbot.name", call.Chatbot.Name},
		{"visitor.id", call.VisitorID},
	} {
		if _, set := vars[kv[0]]; set {
			continue
		}
		if !cloned {
			// Never write into the caller's map.
			vars = maps.Clone(call.Vars)
			if vars == nil {
				vars = make(template.Vars, 4)
			}
			cloned = true
		}
		vars[kv[0]] = kv[1]
	}
	b := make([]byte, 0, 512)
	b = append(b, `{"action_id":`...)
	b = template.AppendString(b, call.Action.ID)
	b = append(b, `,"conversation_id":`...)
	b = template.AppendString(b, call.ConversationID)
	b = append(b, `,"chatbot_id":`...)
	b = template.AppendString(b, call.Chatbot.ID)
	b = append(b, `,"trigger":`...)
	b = template.AppendString(b, string(call.Trigger))
	b = append(b, `,"payload":`...)
	b, warnings := call.Action.Payload.AppendJSON(b, vars)
	b = append(b, `,"metadata":{"visitor_id":`...)
	b = template.AppendString(b, call.VisitorID)
	b = append(b, `,"timestamp":"`...)
	b = now.AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `","chatbot_name":`...)
	b = template.AppendString(b, call.Chatbot.Name)
	b = append(b, "}}"...)
	return b, warnings
}

// checkURL applies the policy's static rules and picks the client for the
// scheme. On refusal it fills a's outcome.
func (d *Dispatcher) checkURL(a *Attempt) (*http.Client, bool) {
	u, err := url.Parse(a.Request.URL)
	if err != nil {
		a.fail(OutcomeRejected, fmt.Sprintf("the URL does not parse (%v): fix the endpoint URL", err))
		return nil, false
	}
	check, err := netpolicy.CheckURL(d.policy, d.allowHTTP, u)
	if err != nil {
		a.fail(OutcomeRejected, refusalDiagnosis(err))
		return nil, false
	}
	a.ProductionWouldReject = append(a.ProductionWouldReject, check.Marks...)
	if check.Plaintext {
		return d.plain, true
	}
	return d.secure, true
}

func refusalDiagnosis(err error) string {
	return err.Error() + ": the platform only calls HTTPS endpoints on public addresses"
}

// fail ends a with a non-success outcome that the visitor sees as an apology.
func (a *Attempt) fail(o Outcome, diagnosis string) {
	a.Outcome = o
	a.BotReply = replyApology
	a.Diagnosis = diagnosis
}
