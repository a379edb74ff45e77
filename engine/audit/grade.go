package audit

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// answer says what the endpoint answered, in a line: the status and a
// piece of the body, or how the exchange ended without one.
func answer(a *engine.Attempt) string {
	if a.Response == nil || a.Outcome == engine.OutcomeTimeout || a.Outcome == engine.OutcomeTransportError {
		return fmt.Sprintf("%s: %s", a.Outcome, a.Diagnosis)
	}
	s := fmt.Sprintf("%d %s in %s", a.Response.Status, http.StatusText(a.Response.Status), ms(a.Latency))
	if body := snippet(a.Response.Body); body != "" {
		s += ": " + body
	}
	return s
}

// status is an answer's status code and "" for none.
func status(a *engine.Attempt) string {
	if a.Response == nil || a.Outcome == engine.OutcomeTimeout || a.Outcome == engine.OutcomeTransportError {
		return string(a.Outcome)
	}
	return fmt.Sprint(a.Response.Status)
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}

func ms(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// code is an answered status, 0 when no complete answer arrived.
func code(a *engine.Attempt) int {
	if a.Response == nil || a.Outcome == engine.OutcomeTimeout || a.Outcome == engine.OutcomeTransportError {
		return 0
	}
	return a.Response.Status
}

// notSent reports whether a was never sent because the address policy
// refuses its URL: the audit, like fire, sends nowhere the policy forbids.
func notSent(a *engine.Attempt) bool {
	return a.Outcome == engine.OutcomeRejected && !a.Sent
}

const skippedByPolicy = "not sent: the address policy refuses this URL"

// refused grades an answer to a request that must be refused: want is the
// status that passes (0: 401 or 403); another 4xx is a warn; a 2xx or a
// 5xx is a fail, and so is no answer within the deadline.
func refused(a *engine.Attempt, want int, accepted string) (Verdict, string) {
	c := code(a)
	switch {
	case notSent(a):
		return Skip, skippedByPolicy
	case c == 0 && a.Outcome == engine.OutcomeTimeout:
		return Fail, "no answer within 8 s: the endpoint hangs on it"
	case c == 0:
		return Warn, "the connection ended without an answer"
	case want == 0 && (c == http.StatusUnauthorized || c == http.StatusForbidden), c == want:
		return Pass, ""
	case c >= 500:
		return Fail, fmt.Sprintf("answered %d: it crashes on it", c)
	case c >= 400:
		return Warn, fmt.Sprintf("refused with %d, not %s", c, wantText(want))
	case c >= 200 && c < 300:
		return Fail, fmt.Sprintf("answered %d: %s", c, accepted)
	}
	return Warn, fmt.Sprintf("answered %d, not %s", c, wantText(want))
}

func wantText(want int) string {
	if want == 0 {
		return "401 or 403"
	}
	return fmt.Sprint(want)
}

// tolerated grades an answer to a malformed request that may be refused
// (4xx) or handled (a valid reply), but never crash: a 5xx, or no answer
// at all within the deadline, is a fail; an answer the platform cannot
// use is a warn.
func tolerated(a *engine.Attempt, valid func(*engine.Attempt) bool) (Verdict, string) {
	c := code(a)
	switch {
	case notSent(a):
		return Skip, skippedByPolicy
	case c == 0 && a.Outcome == engine.OutcomeTimeout:
		return Fail, "no answer within 8 s: the endpoint hangs on it"
	case c == 0:
		return Fail, "the connection ended without an answer: the endpoint crashes on it"
	case c >= 500:
		return Fail, fmt.Sprintf("answered %d: it crashes on bad input", c)
	case c >= 400:
		return Pass, ""
	case valid(a):
		return Pass, ""
	}
	return Warn, fmt.Sprintf("answered %d with %s", c, orNothing(a.Diagnosis))
}

func orNothing(s string) string {
	if s == "" {
		return "nothing the platform can use"
	}
	return s
}

// validReply reports whether an action's answer is one the platform can
// use: a message, data or an {"error": …} reply with a status under 500.
func validReply(a *engine.Attempt) bool {
	switch a.Outcome {
	case engine.OutcomeMessage, engine.OutcomeData:
		return true
	case engine.OutcomeError:
		return a.Response != nil && a.Response.Status < 500 && jsonError(a.Response.Body)
	}
	return false
}

// acknowledged reports whether a webhook's answer is a 2xx.
func acknowledged(a *engine.Attempt) bool { return a.Outcome == engine.OutcomeAcknowledged }

// needsFix reports whether a verdict comes with a fix.
func needsFix(v Verdict) bool { return v == Warn || v == Fail }

// policySkip marks a check none of whose requests was sent, the address
// policy refusing the URL, as skipped: there is no answer to grade.
func policySkip(res *Result) {
	if res.ID == "baseline" || len(res.Attempts) == 0 {
		return
	}
	for _, a := range res.Attempts {
		if !notSent(a) {
			return
		}
	}
	res.Verdict, res.Why, res.Fix = Skip, skippedByPolicy, ""
	res.Answer = answer(res.Attempts[0])
}
