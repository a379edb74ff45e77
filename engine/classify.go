package engine

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/actionbench/actionbench/engine/wire"
)

// What the bot tells the visitor. Diagnoses, stack traces and 5xx bodies
// never reach these.
const (
	replyApology        = "Sorry, something went wrong on my side. Please try again in a moment."
	replyProblem        = "Sorry, I couldn't complete that request."
	replyProblemPrefix  = "Sorry, I couldn't complete that: "
	replyRateLimited    = "That action is temporarily unavailable. Please try again in a few minutes."
	shapesAdvice        = `the endpoint must return {"message": "…"}, {"data": {…}} or {"error": "…"}`
	shapesAdviceInvalid = "; " + shapesAdvice
)

// actionReply is what an object response says: the reply's members that
// have the right type (the last one counts when a key repeats), and what
// is wrong or odd about the rest.
type actionReply struct {
	wire.ActionReply
	problem   string // a recognised key with the wrong type
	unknown   []string
	duplicate []string
}

// parseReply reads an object response, or says why body is not a JSON
// object.
func parseReply(body []byte) (actionReply, string) {
	var r actionReply
	ms, notObject := readObject(body)
	seen := map[string]bool{}
	for _, m := range ms {
		want := "string"
		switch m.key {
		case "message", "error":
		case "data":
			want = "object"
		default:
			r.unknown = append(r.unknown, m.key)
			continue
		}
		if seen[m.key] {
			r.duplicate = append(r.duplicate, m.key)
		}
		seen[m.key] = true
		if kind := jsonKind(m.raw); kind != want {
			r.set(m.key, nil)
			if r.problem == "" {
				r.problem = fmt.Sprintf(`"%s" is %s %s, not %s %s`, m.key, article(kind), kind, article(want), want)
			}
			continue
		}
		r.set(m.key, m.raw)
	}
	return r, notObject
}

// set decodes raw into the reply's field for key; nil clears the field.
func (r *actionReply) set(key string, raw []byte) {
	switch key {
	case "message":
		r.Message = decodeText(raw)
	case "error":
		r.Error = decodeText(raw)
	case "data":
		r.Data = raw
	}
}

func decodeText(raw []byte) *string {
	if raw == nil {
		return nil
	}
	s := decodeString(raw)
	return &s
}

func article(kind string) string {
	if kind == "array" || kind == "object" {
		return "an"
	}
	return "a"
}

// classifyAction decides the outcome of a complete response to a custom action.
func classifyAction(a *Attempt) {
	r := a.Response
	status := r.Status
	switch {
	case status >= 500:
		a.fail(OutcomeError, fmt.Sprintf("%s: the endpoint failed%s; the visitor gets a generic apology and never sees the body", statusText(status), bodyHint(r)))
	case status >= 400:
		classifyClientError(a)
	case status >= 300:
		loc := r.Header.Get("Location")
		if loc == "" {
			loc = "(no Location)"
		}
		a.fail(OutcomeInvalidResponse, fmt.Sprintf("%s redirect to %s was not followed: the platform never follows redirects; configure the final URL", statusText(status), loc))
	case status == http.StatusNoContent:
		a.fail(OutcomeInvalidResponse, "204 No Content: the endpoint must answer 200 with a JSON body"+shapesAdviceInvalid)
	case status >= 200:
		classifySuccess(a)
	default:
		a.fail(OutcomeInvalidResponse, fmt.Sprintf("unexpected status %s%s", statusText(status), shapesAdviceInvalid))
	}
}

func classifySuccess(a *Attempt) {
	r := a.Response
	body := r.Body
	if isBlank(body) {
		a.fail(OutcomeInvalidResponse, fmt.Sprintf("%s with an empty body%s", statusText(r.Status), shapesAdviceInvalid))
		return
	}
	reply, problem := parseReply(body)
	if problem != "" {
		if ct := mediaType(r.Header); ct != "" && ct != "application/json" && !strings.HasSuffix(ct, "+json") {
			problem = fmt.Sprintf("response is %s, not JSON", ct)
		}
		a.fail(OutcomeInvalidResponse, problem+shapesAdviceInvalid)
		return
	}
	if reply.problem != "" {
		a.fail(OutcomeInvalidResponse, reply.problem+shapesAdviceInvalid)
		return
	}
	a.Warnings = append(a.Warnings, reply.warnings()...)
	if ct := mediaType(r.Header); ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		shown := ct
		if shown == "" {
			shown = "missing"
		}
		a.Warnings = append(a.Warnings, fmt.Sprintf("Content-Type is %s: declare application/json", shown))
	}
	switch {
	case reply.Error != nil:
		a.Outcome = OutcomeError
		a.BotReply = problemReply(*reply.Error)
		a.Diagnosis = fmt.Sprintf("the endpoint reported an error with %s: %q; the bot relays it to the visitor", statusText(r.Status), *reply.Error)
	case reply.Message != nil:
		a.Outcome = OutcomeMessage
		a.BotReply = *reply.Message
	case reply.Data != nil:
		a.Outcome = OutcomeData
		a.BotReply = ComposeData(reply.Data)
	default:
		keys := "none"
		if len(reply.unknown) > 0 {
			keys = strings.Join(reply.unknown, ", ")
		}
		a.fail(OutcomeInvalidResponse, fmt.Sprintf(`the JSON object has none of "message", "data", "error" (its keys: %s)%s`, keys, shapesAdviceInvalid))
	}
}

func (r actionReply) warnings() []string {
	present := 0
	for _, p := range [...]bool{r.Message != nil, r.Data != nil, r.Error != nil} {
		if p {
			present++
		}
	}
	if present == 1 && len(r.duplicate) == 0 && len(r.unknown) == 0 {
		return nil // the usual reply, without building a thing
	}
	var w []string
	var names []string
	for _, f := range []struct {
		name    string
		present bool
	}{{"message", r.Message != nil}, {"data", r.Data != nil}, {"error", r.Error != nil}} {
		if f.present {
			names = append(names, `"`+f.name+`"`)
		}
	}
	if present > 1 {
		winner := names[len(names)-1]
		if r.Error == nil {
			winner = `"message"`
		}
		w = append(w, fmt.Sprintf("the response has %s: %s wins (error, then message, then data); return one", strings.Join(names, " and "), winner))
	}
	if len(r.duplicate) > 0 {
		w = append(w, fmt.Sprintf("duplicate keys %s: the last one counts", strings.Join(r.duplicate, ", ")))
	}
	if len(r.unknown) > 0 && present > 0 {
		w = append(w, fmt.Sprintf("unknown keys ignored: %s", strings.Join(r.unknown, ", ")))
	}
	return w
}

func classifyClientError(a *Attempt) {
	r := a.Response
	var errText string
	if reply, notObject := parseReply(r.Body); notObject == "" && reply.Error != nil {
		errText = *reply.Error
	}
	a.Outcome = OutcomeError
	a.BotReply = problemReply(errText)
	var advice string
	switch r.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		advice = "the endpoint refused the request: check that it verifies X-DGbot-Signature with this action's secret over the exact body bytes"
		if sw := standardRefusal(&a.Request); sw != "" {
			advice = sw
		}
	case http.StatusTooManyRequests:
		advice = "the endpoint rate-limited this call; the platform does not retry"
	case http.StatusNotFound:
		advice = "check the action's URL path"
	}
	switch {
	case errText != "":
		a.Diagnosis = fmt.Sprintf("%s with error %q: the bot relays it to the visitor", statusText(r.Status), errText)
		if advice != "" && r.Status != http.StatusNotFound {
			a.Diagnosis += "; " + advice
		}
	default:
		a.Diagnosis = fmt.Sprintf(`%s%s: return {"error": "…"} so the bot can tell the visitor what went wrong`, statusText(r.Status), bodyHint(r))
		if advice != "" {
			a.Diagnosis += "; " + advice
		}
	}
}

func problemReply(errText string) string {
	errText = strings.TrimSpace(errText)
	if errText == "" {
		return replyProblem
	}
	return replyProblemPrefix + errText
}

// statusText renders "404 Not Found".
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

func mediaType(h http.Header) string {
	ct := h.Get("Content-Type")
	switch ct {
	case "", "application/json", "application/json; charset=utf-8", "application/json;charset=utf-8":
		mt, _, _ := strings.Cut(ct, ";") // the common cases, without a parse
		return mt
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}

// bodyHint describes a body for a developer: its type and its first line.
func bodyHint(r *Response) string {
	body := bytes.TrimSpace(r.Body)
	if len(body) == 0 {
		return " with an empty body"
	}
	first := string(body)
	if i := strings.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	first = strings.TrimSpace(first)
	if len(first) > 80 {
		first = first[:77] + "…"
	}
	ct := mediaType(r.Header)
	if ct == "" {
		ct = "untyped"
	}
	if ct == "application/json" {
		if reply, notObject := parseReply(r.Body); notObject == "" && reply.Error != nil && *reply.Error != "" {
			return fmt.Sprintf(" (error %q)", *reply.Error)
		}
	}
	return fmt.Sprintf(" (%s body starting %q)", ct, first)
}
