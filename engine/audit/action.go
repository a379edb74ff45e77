package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/sign"
	"github.com/actionbench/actionbench/engine/template"
)

// wrongSecret signs the forged requests: any secret but the action's.
const wrongSecret = "actionbench-audit-not-the-secret"

// actionCheck is one entry of the action audit's table.
type actionCheck struct {
	Check
	run func(ctx context.Context, r *actionRun, res *Result)
}

// ActionChecks lists the action audit's checks, in the order they run.
func ActionChecks() []Check {
	out := make([]Check, len(actionChecks))
	for i, c := range actionChecks {
		out[i] = c.Check
	}
	return out
}

// The fixes, each naming what to change.
const (
	fixSignature = "verify X-DGbot-Signature (sha256= and the hex HMAC-SHA256 of the raw body under the action's secret, compared in constant time) before anything else, and answer 401 when it is missing or wrong"
	fixMalformed = "treat any X-DGbot-Signature that is not sha256= and 64 hex digits as a mismatch: answer 401, never let the parse raise a 5xx"
	fixReplay    = "reject a metadata.timestamp more than 5 minutes old with 401, and drop an X-DGbot-Delivery id already seen"
	fixIdem      = "key side effects on X-DGbot-Delivery and answer a repeated delivery with the first answer"
	fixOversize  = "cap the request body at 102,400 bytes and answer 413 Payload Too Large without reading the rest"
	fixJSON      = "decode the body inside a check and answer 400 Bad Request when it is not JSON, instead of raising a 5xx"
	fixSchema    = `validate trigger, payload and field types and answer 400 (or an {"error": "…"} reply) instead of raising a 5xx`
	fixHostile   = "treat payload strings as data — parameterised queries, no shell, length limits — and answer 400 rather than raise a 5xx"
	fixMarkup    = `escape <, > and & (or strip markup) before putting visitor input into "message"`
	fixMethod    = "answer 405 Method Not Allowed to anything but POST, and 415 Unsupported Media Type to a Content-Type other than application/json"
	fixLatency   = "answer within 4 s (the platform gives up at 8 s): reply first and move slow work to a queue"
)

var actionChecks = []actionCheck{
	{Check{"baseline", "baseline",
		"a correct, signed request, as fire sends it",
		"pass: a message, data or an {\"error\": …} reply under 500; fail otherwise (the other checks still run)", 1},
		checkBaseline},
	{Check{"no_signature", "no signature",
		"the request without X-DGbot-Signature: the platform signs every request",
		"pass: 401 or 403; warn: another 4xx; fail: 2xx (accepted an unsigned request) or 5xx", 1},
		checkNoSignature},
	{Check{"wrong_secret", "wrong secret",
		"the request signed with another secret: what a forger without yours can do",
		"pass: 401 or 403; warn: another 4xx; fail: 2xx or 5xx", 1},
		checkWrongSecret},
	{Check{"tampered", "tampered body",
		"the signature of the original body over a body with conversation_id changed: a body altered on the way",
		"pass: 401 or 403; warn: another 4xx; fail: 2xx or 5xx", 1},
		checkTampered},
	{Check{"malformed_signature", "malformed signature",
		"X-DGbot-Signature empty, `sha256=` alone, the hex without `sha256=`, `sha1=…`, and non-hex: the platform always sends sha256= and 64 hex digits",
		"pass: 401 or 403 to each; warn: another 4xx; fail: 2xx or 5xx to any", 5},
		checkMalformedSignature},
	{Check{"replay", "replay",
		"a correctly signed request whose metadata.timestamp is an hour old, in the baseline's conversation: a captured request sent again after the conversation moved on",
		"pass: refused (4xx); warn: accepted (the protocol does not require the check); fail: 5xx", 1},
		checkReplay},
	{checkStaleTimestamp, func(ctx context.Context, r *actionRun, res *Result) { r.standard().stale(ctx, res) }},
	{checkReusedID, func(ctx context.Context, r *actionRun, res *Result) { r.standard().reused(ctx, res) }},
	{Check{"idempotency", "same delivery twice",
		"one request — one X-DGbot-Delivery — sent twice: the platform sends each delivery once",
		"pass: the two answers match, or the repeat is refused (4xx); warn: they differ otherwise", 2},
		checkIdempotency},
	{Check{"oversize", "body over 100 KiB",
		"a correctly signed body of 150 KiB: the platform never sends over 102,400 bytes",
		"pass: 413 or another 4xx within 8 s; fail: 2xx (read it all and accepted it), 5xx or no answer", 1},
		checkOversize},
	{Check{"malformed_json", "malformed JSON",
		"a correctly signed body cut short, so it is not JSON: the platform always sends valid JSON",
		"pass: 4xx; warn: 2xx; fail: 5xx or no answer (crashes on bad input)", 1},
		checkMalformedJSON},
	{Check{"schema", "schema violations",
		"correctly signed JSON with an unknown trigger, missing fields, wrong types, and payload an array",
		"pass: 4xx or a valid reply to each; warn: another answer; fail: 5xx or no answer to any", 4},
		checkSchema},
	{Check{"hostile_strings", "hostile strings",
		"payload fields set to SQL and shell metacharacters, <script>, NUL, 10,000 characters and a right-to-left mark, correctly signed",
		"pass: 4xx or a valid reply; warn: markup echoed unescaped into \"message\"; fail: 5xx or no answer", 6},
		checkHostile},
	{Check{"method", "method, Content-Type",
		"a signed GET, and the signed body as text/plain: the platform only POSTs application/json",
		"pass: 4xx to both; warn otherwise", 2},
		checkMethod},
	{Check{"latency", "latency",
		"the baseline again, one call at a time, each in a conversation of its own (the rate limit's 3 calls per 10 minutes per conversation is never reached)",
		"pass: p95 within 4 s; warn: p95 over 4 s; fail: p95 reaches the 8 s deadline", DefaultLatencyCalls},
		checkLatency},
	{Check{"tls", "TLS",
		"a TLS handshake to read the certificate, and one offering only TLS 1.0–1.1, dialled through the same address policy",
		"pass: certificate valid for 14 days more and TLS < 1.2 refused; warn otherwise", 0},
		nil}, // run by actionRun.tls
}

// dgbotOnly are the checks that spoil X-DGbot-Signature or the body's
// timestamp it covers; an action signed with Standard Webhooks skips them
// (standardOnly are its own).
var dgbotOnly = map[string]bool{"no_signature": true, "wrong_secret": true, "tampered": true, "malformed_signature": true, "replay": true}

// actionRun is one action's audit under way.
type actionRun struct {
	au   *Auditor
	act  engine.Action
	vars template.Vars
	conv conversations
	base *engine.Attempt // the baseline's attempt
}

// Action audits one action. vars fill its payload template as fire's
// --set does. It never returns an error: a check that cannot run says so
// in its result. A cancelled ctx ends the audit after the check under way.
func (au *Auditor) Action(ctx context.Context, act engine.Action, vars template.Vars) *Report {
	rep := &Report{Target: act.ID, Kind: "action", URL: act.URL}
	r := &actionRun{au: au, act: act, vars: vars, conv: conversations{run: au.runID()}}
	for _, c := range actionChecks {
		if ctx.Err() != nil {
			break
		}
		res := Result{Check: c.Check}
		if skipsFor(act.Signing, c.ID) && dgbotOnly[c.ID] {
			res.Verdict, res.Answer = Skip, "not sent: the action signs with Standard Webhooks, and this check is X-DGbot-Signature's"
		} else if skipsFor(act.Signing, c.ID) {
			res.Verdict, res.Answer = Skip, skipNotStandard
		} else if c.run == nil {
			tlsCheck(ctx, au, act.URL, &res)
		} else {
			c.run(ctx, r, &res)
		}
		policySkip(&res)
		au.emit(rep, res)
	}
	return rep
}

// standard is the run as the Standard Webhooks checks use it.
func (r *actionRun) standard() standardProbe {
	return standardProbe{d: r.au.Dispatcher, secret: r.act.Secret,
		correct: func() (engine.Request, string) { return r.correct(r.au.Dispatcher) },
		send:    r.send}
}

// correct builds the request fire would send, in a conversation of its own.
func (r *actionRun) correct(d *engine.Dispatcher) (engine.Request, string) {
	return r.correctIn(d, r.conv.next())
}

// correctIn builds the request fire would send in conversation conv.
func (r *actionRun) correctIn(d *engine.Dispatcher, conv string) (engine.Request, string) {
	req, _, _ := d.ActionRequest(engine.ActionCall{
		Chatbot: r.au.Chatbot, Action: r.act, ConversationID: conv,
		VisitorID: "visitor_audit", Trigger: engine.TriggerManual, Vars: r.vars,
	})
	req.Header = req.Header.Clone() // the audit spoils its copies
	return req, conv
}

// send sends req as the check's audit attempt and judges the answer as
// the platform would.
func (r *actionRun) send(ctx context.Context, res *Result, req engine.Request, conv string) *engine.Attempt {
	a := r.au.Dispatcher.Send(ctx, req)
	a.Kind, a.ActionID, a.Trigger, a.ConversationID = engine.KindAudit, r.act.ID, engine.TriggerManual, conv
	if ids := req.Header[engine.DeliveryHeader]; len(ids) > 0 {
		a.DeliveryID = ids[0]
	}
	engine.Classify(a, engine.KindAction)
	a.BotReply = "" // no visitor is waiting on an audit
	a.Warnings = append(a.Warnings, "audit check "+res.ID)
	res.Attempts = append(res.Attempts, a)
	if r.au.OnAttempt != nil {
		r.au.OnAttempt(a)
	}
	return a
}

// resign replaces req's body and signs it as the action does.
func (r *actionRun) resign(req engine.Request, body []byte) engine.Request {
	req.Body = body
	r.au.Dispatcher.Resign(&req, r.act.Signing, r.act.Secret, false)
	return req
}

// edit decodes a body, lets fn change it and encodes it again, markup
// left as written.
func edit(body []byte, fn func(m map[string]any)) []byte {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		m = map[string]any{}
	}
	fn(m)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(m)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func checkBaseline(ctx context.Context, r *actionRun, res *Result) {
	req, conv := r.correct(r.au.Dispatcher)
	a := r.send(ctx, res, req, conv)
	r.base = a
	res.Answer = answer(a)
	switch {
	case a.Outcome.Succeeded():
		res.Verdict = Pass
	case validReply(a):
		res.Verdict = Pass
		res.Why = fmt.Sprintf("an error reply (%d): valid, though the happy path was not reached; pass --set to give the payload real values", a.Response.Status)
	default:
		res.Verdict = Fail
		res.Why = fmt.Sprintf("the correct request did not succeed (%s): %s; the other checks still run, but read their answers with that in mind", a.Outcome, a.Diagnosis)
		res.Fix = "make the correct request succeed first: see actionbench fire " + r.act.ID
	}
}

func (r *actionRun) refusedCheck(ctx context.Context, res *Result, spoil func(req engine.Request) engine.Request, accepted, fix string) {
	req, conv := r.correct(r.au.Dispatcher)
	a := r.send(ctx, res, spoil(req), conv)
	res.Answer = answer(a)
	res.Verdict, res.Why = refused(a, 0, accepted)
	if needsFix(res.Verdict) {
		res.Fix = fix
	}
}

func checkNoSignature(ctx context.Context, r *actionRun, res *Result) {
	r.refusedCheck(ctx, res, func(req engine.Request) engine.Request {
		delete(req.Header, sign.Header)
		return req
	}, "accepted an unsigned request", fixSignature)
}

func checkWrongSecret(ctx context.Context, r *actionRun, res *Result) {
	r.refusedCheck(ctx, res, func(req engine.Request) engine.Request {
		req.Header[sign.Header] = []string{sign.Sign(wrongSecret, req.Body)}
		return req
	}, "accepted a request signed with another secret", fixSignature)
}

func checkTampered(ctx context.Context, r *actionRun, res *Result) {
	r.refusedCheck(ctx, res, func(req engine.Request) engine.Request {
		// One field changed in place, the rest byte for byte.
		req.Body = bytes.Replace(req.Body, []byte(`"conversation_id":"audit_`), []byte(`"conversation_id":"tampered_`), 1)
		return req
	}, "accepted a body that does not match its signature", fixSignature)
}

func checkMalformedSignature(ctx context.Context, r *actionRun, res *Result) {
	variants := []struct{ name, value string }{
		{"empty", ""},
		{"sha256= alone", "sha256="},
		{"no prefix", ""}, // the correct hex, filled in below
		{"sha1=", "sha1=" + strings.Repeat("0123456789", 4)},
		{"non-hex", "sha256=" + strings.Repeat("zq", 32)},
	}
	res.Verdict = Pass
	var answers []string
	for _, v := range variants {
		req, conv := r.correct(r.au.Dispatcher)
		value := v.value
		if v.name == "no prefix" {
			value = strings.TrimPrefix(req.Header[sign.Header][0], "sha256=")
		}
		req.Header[sign.Header] = []string{value}
		a := r.send(ctx, res, req, conv)
		answers = append(answers, v.name+" → "+status(a))
		verdict, why := refused(a, 0, "accepted a malformed signature")
		if verdict.rank() > res.Verdict.rank() {
			res.Verdict, res.Why = verdict, v.name+": "+why
		}
	}
	res.Answer = strings.Join(answers, ", ")
	if needsFix(res.Verdict) {
		res.Fix = fixMalformed
	}
}

// checkReplay sends an hour-old request in the baseline's conversation,
// as a captured request sent again once the conversation has moved on:
// an endpoint that keeps no clock of its own (or trusts the platform's
// virtual one) can still refuse it against what the conversation sent.
func checkReplay(ctx context.Context, r *actionRun, res *Result) {
	old := r.au.Dispatcher.Now().Add(-time.Hour)
	var conv string
	if r.base != nil && r.base.ConversationID != "" {
		conv = r.base.ConversationID
	} else {
		conv = r.conv.next()
	}
	req, conv := r.correctIn(r.au.Dispatcher.WithClock(func() time.Time { return old }), conv)
	a := r.send(ctx, res, req, conv)
	res.Answer = answer(a)
	res.Verdict, res.Why = refused(a, 0, "accepted a request signed an hour ago")
	if code(a) >= 400 && code(a) < 500 {
		res.Verdict, res.Why = Pass, ""
	}
	if c := code(a); c >= 200 && c < 300 {
		res.Verdict = Warn // recommended, not required by the protocol
	}
	if needsFix(res.Verdict) {
		res.Fix = fixReplay
	}
}

func checkIdempotency(ctx context.Context, r *actionRun, res *Result) {
	req, conv := r.correct(r.au.Dispatcher)
	first := r.send(ctx, res, req, conv)
	second := r.send(ctx, res, req, conv)
	res.Answer = "first " + answer(first) + "; again " + answer(second)
	if notSent(first) {
		res.Verdict, res.Why = Skip, skippedByPolicy
		return
	}
	same := code(first) == code(second) && first.Response != nil && second.Response != nil &&
		bytes.Equal(first.Response.Body, second.Response.Body)
	switch {
	case code(second) >= 500:
		res.Verdict, res.Why = Fail, fmt.Sprintf("answered %d to the repeated delivery: it crashes on it", code(second))
	case same:
		res.Verdict = Pass
	case code(first) < 300 && code(second) >= 400:
		res.Verdict, res.Why = Pass, "the repeated delivery was refused: the endpoint deduplicates"
	default:
		res.Verdict, res.Why = Warn, "the two answers differ: a delivery the endpoint sees twice (a resend after a dropped connection) does something twice"
	}
	if needsFix(res.Verdict) {
		res.Fix = fixIdem
	}
}

// oversizeBytes is half as much again as the platform's limit.
const oversizeBytes = engine.MaxBodyBytes * 3 / 2

func checkOversize(ctx context.Context, r *actionRun, res *Result) {
	req, conv := r.correct(r.au.Dispatcher)
	body := edit(req.Body, func(m map[string]any) {
		p, _ := m["payload"].(map[string]any)
		if p == nil {
			p = map[string]any{}
		}
		p["audit_padding"] = strings.Repeat("a", oversizeBytes)
		m["payload"] = p
	})
	a := r.send(ctx, res, r.resign(req, body), conv)
	res.Answer = answer(a)
	res.Verdict, res.Why = oversizeVerdict(a)
	if needsFix(res.Verdict) {
		res.Fix = fixOversize
	}
}

// oversizeVerdict grades the answer to a body over the limit, for both
// protocols.
func oversizeVerdict(a *engine.Attempt) (Verdict, string) {
	c := code(a)
	switch {
	case notSent(a):
		return Skip, skippedByPolicy
	case c >= 400 && c < 500:
		return Pass, ""
	case c >= 200 && c < 300:
		return Fail, fmt.Sprintf("answered %d: read a body over 100 KiB and accepted it", c)
	case c >= 500:
		return Fail, fmt.Sprintf("answered %d: it crashes on a large body", c)
	case a.Outcome == engine.OutcomeTimeout:
		return Fail, "no answer within 8 s: it hangs on a large body"
	case c == 0:
		return Warn, "the connection ended without an answer: answer 413 instead"
	}
	return Warn, fmt.Sprintf("answered %d, not 413", c)
}

func checkMalformedJSON(ctx context.Context, r *actionRun, res *Result) {
	req, conv := r.correct(r.au.Dispatcher)
	body := req.Body[:len(req.Body)*2/3]
	a := r.send(ctx, res, r.resign(req, slices.Clone(body)), conv)
	res.Answer = answer(a)
	res.Verdict, res.Why = tolerated(a, func(*engine.Attempt) bool { return false })
	if res.Verdict == Warn {
		res.Why = fmt.Sprintf("answered %d to a body that is not JSON", code(a))
	}
	if needsFix(res.Verdict) {
		res.Fix = fixJSON
	}
}

func checkSchema(ctx context.Context, r *actionRun, res *Result) {
	variants := []struct {
		name string
		fn   func(m map[string]any)
	}{
		{"unknown trigger", func(m map[string]any) { m["trigger"] = "audit_unknown_trigger" }},
		{"missing fields", func(m map[string]any) {
			for k := range m {
				if k != "action_id" {
					delete(m, k)
				}
			}
		}},
		{"wrong types", func(m map[string]any) {
			m["conversation_id"], m["metadata"], m["trigger"] = 12345, "yesterday", true
		}},
		{"payload an array", func(m map[string]any) { m["payload"] = []any{1, "two", nil} }},
	}
	r.variants(ctx, res, len(variants), func(i int, body []byte) (string, []byte) {
		return variants[i].name, edit(body, variants[i].fn)
	}, validReply, fixSchema, nil)
}

// hostileStrings are what a visitor (or an attacker typing as one) can put
// in any field the payload template takes from the conversation.
var hostileStrings = []struct{ name, value string }{
	{"SQL", `' OR '1'='1'; DROP TABLE orders; --`},
	{"shell", "$(id); `uname -a` | cat /etc/passwd && rm -rf /tmp/x"},
	{"markup", `<script>alert("audit")</script>`},
	{"NUL", "before\x00after"},
	{"10,000 characters", strings.Repeat("A", 10000)},
	{"right-to-left mark", "\u202Eexe.txt\u200F"},
}

func checkHostile(ctx context.Context, r *actionRun, res *Result) {
	markup := func(a *engine.Attempt) string {
		if a.Response == nil || code(a) >= 300 {
			return ""
		}
		var reply struct {
			Message string `json:"message"`
		}
		json.Unmarshal(a.Response.Body, &reply)
		if strings.Contains(reply.Message, "<script>") {
			return `echoed <script> unescaped into "message"`
		}
		return ""
	}
	r.variants(ctx, res, len(hostileStrings), func(i int, body []byte) (string, []byte) {
		h := hostileStrings[i]
		return h.name, edit(body, func(m map[string]any) {
			p, _ := m["payload"].(map[string]any)
			if p == nil {
				p = map[string]any{}
			}
			set := false
			for k, v := range p {
				if _, ok := v.(string); ok || v == nil {
					p[k], set = h.value, true
				}
			}
			if !set {
				p["audit_text"] = h.value
			}
			m["payload"] = p
		})
	}, validReply, fixHostile, markup)
}

// variants sends n correctly signed bodies made by body from a correct
// one, and grades each with tolerated (and extra, a warn when not ""),
// keeping the worst.
func (r *actionRun) variants(ctx context.Context, res *Result, n int, body func(int, []byte) (string, []byte),
	valid func(*engine.Attempt) bool, fix string, extra func(*engine.Attempt) string) {
	res.Verdict = Pass
	var answers []string
	for i := range n {
		req, conv := r.correct(r.au.Dispatcher)
		name, b := body(i, req.Body)
		a := r.send(ctx, res, r.resign(req, b), conv)
		answers = append(answers, name+" → "+status(a))
		verdict, why := tolerated(a, valid)
		vfix := fix
		if verdict == Pass && extra != nil {
			if w := extra(a); w != "" {
				verdict, why, vfix = Warn, w, fixMarkup
			}
		}
		if verdict.rank() > res.Verdict.rank() {
			res.Verdict, res.Why, res.Fix = verdict, name+": "+why, vfix
		}
	}
	res.Answer = strings.Join(answers, ", ")
}

func checkMethod(ctx context.Context, r *actionRun, res *Result) {
	res.Verdict = Pass
	var answers []string
	grade := func(name string, a *engine.Attempt) {
		answers = append(answers, name+" → "+status(a))
		if notSent(a) {
			res.Verdict, res.Why = Skip, skippedByPolicy
			return
		}
		if c := code(a); c < 400 || c >= 500 {
			res.Verdict, res.Why, res.Fix = Warn, fmt.Sprintf("%s: answered %s, not a 4xx", name, status(a)), fixMethod
		}
	}
	req, conv := r.correct(r.au.Dispatcher)
	req = r.resign(req, nil)
	req.Method = http.MethodGet
	delete(req.Header, "Content-Type")
	grade("GET", r.send(ctx, res, req, conv))

	req, conv = r.correct(r.au.Dispatcher)
	req.Header["Content-Type"] = []string{"text/plain"}
	grade("text/plain", r.send(ctx, res, req, conv))
	res.Answer = strings.Join(answers, ", ")
}

func checkLatency(ctx context.Context, r *actionRun, res *Result) {
	n := r.au.latencyCalls()
	var lat []time.Duration
	timeouts := 0
	for range n {
		if ctx.Err() != nil {
			break
		}
		req, conv := r.correct(r.au.Dispatcher)
		a := r.send(ctx, res, req, conv)
		if notSent(a) {
			res.Verdict, res.Answer, res.Why = Skip, answer(a), skippedByPolicy
			return
		}
		d := a.Latency
		if a.Outcome == engine.OutcomeTimeout {
			timeouts++
			d = engine.Timeout
		}
		lat = append(lat, d)
	}
	if len(lat) == 0 {
		res.Verdict, res.Answer = Skip, "cancelled before a call was made"
		return
	}
	slices.Sort(lat)
	p95 := lat[(len(lat)*95+99)/100-1] // nearest rank
	res.Answer = fmt.Sprintf("p95 %s, median %s over %d calls", ms(p95), ms(lat[len(lat)/2]), len(lat))
	if timeouts > 0 {
		res.Answer += fmt.Sprintf(", %d timed out", timeouts)
	}
	switch {
	case p95 >= engine.Timeout:
		res.Verdict, res.Why = Fail, "the slowest calls reach the 8 s deadline: the visitor gets an apology"
	case p95 > SlowP95:
		res.Verdict, res.Why = Warn, fmt.Sprintf("p95 over %s: half the platform's budget", ms(SlowP95))
	default:
		res.Verdict = Pass
	}
	if needsFix(res.Verdict) {
		res.Fix = fixLatency
	}
}

// SlowP95 is the latency check's warning line: half the 8 s budget.
const SlowP95 = engine.Timeout / 2

// jsonError reports whether body is an object with a string "error".
func jsonError(body []byte) bool {
	var reply struct {
		Error *string `json:"error"`
	}
	return json.Unmarshal(body, &reply) == nil && reply.Error != nil
}
