package audit

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"

	"github.com/actionbench/actionbench/engine"
)

const (
	fixToken        = "compare the whole Authorization header with \"Bearer \" and the webhook's token, exactly and in constant time, and answer 401 on any difference"
	fixWebhookJSON  = "decode the body inside a check and answer 400 Bad Request when it is not JSON, instead of raising a 5xx"
	fixWebhookEvent = "answer 400 (or 200 and ignore it) to an event_type you do not handle, instead of raising a 5xx"
)

// webhookCheck is one entry of the webhook audit's table.
type webhookCheck struct {
	Check
	run func(ctx context.Context, r *webhookRun, res *Result)
}

// WebhookChecks lists the webhook audit's checks, in the order they run.
func WebhookChecks() []Check {
	out := make([]Check, len(webhookChecks))
	for i, c := range webhookChecks {
		out[i] = c.Check
	}
	return out
}

const rule401 = "pass: 401; warn: another 4xx; fail: 2xx or 5xx"

var webhookChecks = []webhookCheck{
	{Check{"baseline", "baseline",
		"each audited event, correct, with the Bearer token, as emit sends it",
		"pass: a 2xx to each; fail otherwise (the other checks still run)", 1},
		checkWebhookBaseline},
	{Check{"no_authorization", "no Authorization",
		"the event without an Authorization header: the platform always sends one",
		rule401, 1},
		tokenCheck(func(string) (string, bool) { return "", true }, "accepted an event without a token")},
	{Check{"wrong_token", "wrong token",
		"Authorization: Bearer and a token that is not the webhook's",
		rule401, 1},
		tokenCheck(func(string) (string, bool) { return "Bearer actionbench-audit-not-the-token", true }, "accepted a wrong token")},
	{Check{"basic_scheme", "Basic, not Bearer",
		"the right token under the Basic scheme, and base64-encoded Basic credentials: the platform always sends Bearer",
		rule401, 2},
		tokenCheck(func(t string) (string, bool) { return "Basic " + t, true }, "accepted the token under the Basic scheme")},
	{Check{"token_case", "token case changed",
		"the token with its letters' case changed: tokens are compared exactly",
		rule401, 1},
		tokenCheck(func(t string) (string, bool) {
			swapped := swapCase(t)
			return "Bearer " + swapped, swapped != t
		}, "accepted the token in another case")},
	{Check{"malformed_json", "malformed JSON",
		"a body cut short, so it is not JSON, with the right token",
		"pass: 4xx or an ignored 2xx; fail: 5xx or no answer", 1},
		checkWebhookJSON},
	{Check{"unknown_event", "unknown event_type",
		"the event with event_type set to one the platform does not have, with the right token",
		"pass: 4xx or an ignored 2xx; fail: 5xx or no answer", 1},
		checkUnknownEvent},
	{Check{"oversize", "body over 100 KiB",
		"an event of 150 KiB with the right token: the platform never sends over 102,400 bytes",
		"pass: 413 or another 4xx within 8 s; fail: 2xx, 5xx or no answer", 1},
		checkWebhookOversize},
	{checkStaleTimestamp, func(ctx context.Context, r *webhookRun, res *Result) { r.standard().stale(ctx, res) }},
	{checkReusedID, func(ctx context.Context, r *webhookRun, res *Result) { r.standard().reused(ctx, res) }},
}

// webhookRun is the webhook's audit under way.
type webhookRun struct {
	au     *Auditor
	wh     engine.Webhook
	events []engine.Event
	conv   conversations
}

// Webhook audits the event webhook with events (nil: the events it
// subscribes to, or on_message_received when it names none); the checks
// after the baseline use the first.
func (au *Auditor) Webhook(ctx context.Context, wh engine.Webhook, events []engine.Event) *Report {
	if len(events) == 0 {
		events = wh.Events
	}
	if len(events) == 0 {
		events = []engine.Event{engine.EventMessageReceived}
	}
	rep := &Report{Target: "webhook", Kind: "webhook", URL: wh.URL}
	r := &webhookRun{au: au, wh: wh, events: events, conv: conversations{run: au.runID()}}
	for _, c := range webhookChecks {
		if ctx.Err() != nil {
			break
		}
		res := Result{Check: c.Check}
		if wh.Signing != engine.SigningStandardWebhooks && standardOnly[c.ID] {
			res.Verdict, res.Answer = Skip, skipNotStandard
		} else {
			c.run(ctx, r, &res)
		}
		policySkip(&res)
		au.emit(rep, res)
	}
	return rep
}

// AuditFields are the values the audit's events carry.
func auditFields() engine.EventFields {
	return engine.EventFields{
		VisitorID: "visitor_audit", Message: "Hello, this is an endpoint audit", Intent: "audit",
		TicketNumber: "AUDIT-1", TicketName: "Audit", TicketEmail: "audit@example.com", TicketText: "endpoint audit",
		Response: "Hello from the audit",
	}
}

// standard is the run as the Standard Webhooks checks use it, with the
// first audited event.
func (r *webhookRun) standard() standardProbe {
	return standardProbe{d: r.au.Dispatcher, secret: r.wh.Secret, isEvent: true,
		correct: func() (engine.Request, string) { return r.correct(r.events[0]) },
		send: func(ctx context.Context, res *Result, req engine.Request, conv string) *engine.Attempt {
			return r.send(ctx, res, r.events[0], req, conv)
		}}
}

func (r *webhookRun) correct(event engine.Event) (engine.Request, string) {
	conv := r.conv.next()
	req := r.au.Dispatcher.EventRequest(engine.EventCall{
		Chatbot: r.au.Chatbot, Webhook: r.wh, ConversationID: conv, Event: event, Fields: auditFields(),
	})
	req.Header = req.Header.Clone()
	return req, conv
}

func (r *webhookRun) send(ctx context.Context, res *Result, event engine.Event, req engine.Request, conv string) *engine.Attempt {
	a := r.au.Dispatcher.Send(ctx, req)
	a.Kind, a.Event, a.ConversationID = engine.KindEvent, event, conv
	engine.Classify(a, engine.KindEvent)
	a.Kind = engine.KindAudit
	a.BotReply = ""
	a.Warnings = append(a.Warnings, "audit check webhook "+res.ID)
	res.Attempts = append(res.Attempts, a)
	if r.au.OnAttempt != nil {
		r.au.OnAttempt(a)
	}
	return a
}

func checkWebhookBaseline(ctx context.Context, r *webhookRun, res *Result) {
	res.Verdict = Pass
	var answers []string
	for _, e := range r.events {
		req, conv := r.correct(e)
		a := r.send(ctx, res, e, req, conv)
		answers = append(answers, string(e)+" → "+status(a))
		if !acknowledged(a) {
			res.Verdict, res.Why = Fail, fmt.Sprintf("%s was not acknowledged (%s): %s; the other checks still run", e, a.Outcome, a.Diagnosis)
			res.Fix = "make the correct event succeed first: see actionbench emit " + string(e)
		}
	}
	res.Answer = strings.Join(answers, ", ")
	if len(r.events) == 1 && len(res.Attempts) == 1 {
		res.Answer = answer(res.Attempts[0])
	}
}

// tokenCheck sends the first event with the Authorization header that
// header makes of the token ("" removes it); ok false skips the check.
func tokenCheck(header func(token string) (string, bool), accepted string) func(context.Context, *webhookRun, *Result) {
	return func(ctx context.Context, r *webhookRun, res *Result) {
		value, ok := header(r.wh.Token)
		if !ok {
			res.Verdict, res.Answer = Skip, "not sent: the token has no letters to change the case of"
			return
		}
		values := []string{value}
		if strings.HasPrefix(value, "Basic ") {
			values = append(values, "Basic "+base64.StdEncoding.EncodeToString([]byte("platform:"+r.wh.Token)))
		}
		res.Verdict = Pass
		var answers []string
		for _, v := range values {
			req, conv := r.correct(r.events[0])
			if v == "" {
				delete(req.Header, "Authorization")
			} else {
				req.Header["Authorization"] = []string{v}
			}
			a := r.send(ctx, res, r.events[0], req, conv)
			answers = append(answers, answer(a))
			verdict, why := refused(a, 401, accepted)
			if verdict.rank() > res.Verdict.rank() {
				res.Verdict, res.Why, res.Fix = verdict, why, fixToken
			}
		}
		res.Answer = strings.Join(answers, "; ")
	}
}

func swapCase(s string) string {
	return strings.Map(func(c rune) rune {
		switch {
		case unicode.IsUpper(c):
			return unicode.ToLower(c)
		case unicode.IsLower(c):
			return unicode.ToUpper(c)
		}
		return c
	}, s)
}

func (r *webhookRun) tolerate(ctx context.Context, res *Result, body func([]byte) []byte, fix string) {
	req, conv := r.correct(r.events[0])
	req.Body = body(req.Body)
	r.au.Dispatcher.Resign(&req, r.wh.Signing, r.wh.Secret, true)
	a := r.send(ctx, res, r.events[0], req, conv)
	res.Answer = answer(a)
	res.Verdict, res.Why = tolerated(a, acknowledged)
	if needsFix(res.Verdict) {
		res.Fix = fix
	}
}

func checkWebhookJSON(ctx context.Context, r *webhookRun, res *Result) {
	r.tolerate(ctx, res, func(b []byte) []byte { return b[:len(b)*2/3] }, fixWebhookJSON)
}

func checkUnknownEvent(ctx context.Context, r *webhookRun, res *Result) {
	r.tolerate(ctx, res, func(b []byte) []byte {
		return edit(b, func(m map[string]any) { m["event_type"] = "on_audit_unknown_event" })
	}, fixWebhookEvent)
}

func checkWebhookOversize(ctx context.Context, r *webhookRun, res *Result) {
	req, conv := r.correct(r.events[0])
	req.Body = edit(req.Body, func(m map[string]any) { m["message"] = strings.Repeat("a", oversizeBytes) })
	r.au.Dispatcher.Resign(&req, r.wh.Signing, r.wh.Secret, true)
	a := r.send(ctx, res, r.events[0], req, conv)
	res.Answer = answer(a)
	res.Verdict, res.Why = oversizeVerdict(a)
	if needsFix(res.Verdict) {
		res.Fix = fixOversize
	}
}
