package engine

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
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

// actionReply is the recognised content of a JSON object response.
type actionReply struct {
	message, errText string
	data             []byte
	has              [3]bool // message, data, error present with the right type
	problem          string  // a recognised key with the wrong type
	unknown          []string
	duplicate        []string
}

const (
	keyMessage = iota
	keyData
	keyError
)

// parseReply reads an object response. body must have passed jsonProblem.
func parseReply(body []byte) actionReply {
	var r actionReply
	var seen [3]bool
	members(body, func(m member) {
		idx := -1
		switch m.key {
		case "message":
			idx = keyMessage
		case "data":
			idx = keyData
		case "error":
			idx = keyError
		default:
			r.unknown = append(r.unknown, m.key)
			return
		}
		if seen[idx] {
			r.duplicate = append(r.duplicate, m.key)
		}
		seen[idx] = true
		kind := jsonKind(m.raw)
		want := "string"
		if idx == keyData {
			want = "object"
		}
		if kind != want {
			r.has[idx] = false
			if r.problem == "" {
				r.problem = fmt.Sprintf(`"%s" is %s %s, not %s %s`, m.key, article(kind), kind, article(want), want)
			}
			return
		}
		r.has[idx] = true
		switch idx {
		case keyMessage:
			r.message = decodeString(m.raw)
		case keyData:
			r.data = m.raw
		case keyError:
			r.errText = decodeString(m.raw)
		}
	})
	return r
}

func decodeString(raw []byte) string {
	return unquote(raw)
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
	if len(trimSpace(body)) == 0 {
		a.fail(OutcomeInvalidResponse, fmt.Sprintf("%s with an empty body%s", statusText(r.Status), shapesAdviceInvalid))
		return
	}
	if problem := jsonProblem(body); problem != "" {
		if ct := mediaType(r.Header); ct != "" && ct != "application/json" && !strings.HasSuffix(ct, "+json") {
			problem = fmt.Sprintf("response is %s, not JSON", ct)
		}
		a.fail(OutcomeInvalidResponse, problem+shapesAdviceInvalid)
		return
	}
	reply := parseReply(body)
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
	case reply.has[keyError]:
		a.Outcome = OutcomeError
		a.BotReply = problemReply(reply.errText)
		a.Diagnosis = fmt.Sprintf("the endpoint reported an error with %s: %q; the bot relays it to the visitor", statusText(r.Status), reply.errText)
	case reply.has[keyMessage]:
		a.Outcome = OutcomeMessage
		a.BotReply = reply.message
	case reply.has[keyData]:
		a.Outcome = OutcomeData
		a.BotReply = ComposeData(reply.data)
	default:
		keys := "none"
		if len(reply.unknown) > 0 {
			keys = strings.Join(reply.unknown, ", ")
		}
		a.fail(OutcomeInvalidResponse, fmt.Sprintf(`the JSON object has none of "message", "data", "error" (its keys: %s)%s`, keys, shapesAdviceInvalid))
	}
}

func (r actionReply) warnings() []string {
	var w []string
	present := 0
	for _, h := range r.has {
		if h {
			present++
		}
	}
	if present > 1 {
		var names []string
		for i, name := range []string{"message", "data", "error"} {
			if r.has[i] {
				names = append(names, `"`+name+`"`)
			}
		}
		winner := names[len(names)-1]
		if !r.has[keyError] {
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
	if len(trimSpace(r.Body)) > 0 && jsonProblem(r.Body) == "" {
		if reply := parseReply(r.Body); reply.has[keyError] {
			errText = reply.errText
		}
	}
	a.Outcome = OutcomeError
	a.BotReply = problemReply(errText)
	var advice string
	switch r.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		advice = "the endpoint refused the request: check that it verifies X-DGbot-Signature with this action's secret over the exact body bytes"
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
	body := trimSpace(r.Body)
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
	if ct == "application/json" && jsonProblem(r.Body) == "" {
		var probe struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(r.Body, &probe) == nil && probe.Error != "" {
			return fmt.Sprintf(" (error %q)", probe.Error)
		}
	}
	return fmt.Sprintf(" (%s body starting %q)", ct, first)
}
