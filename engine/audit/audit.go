// Package audit sends an endpoint what the platform never would — no
// signature, a forged or tampered one, a replay, a body over the limit,
// malformed JSON, hostile strings, the wrong method — and grades each
// answer pass, warn or fail with a one-line fix. Every request goes
// through the dispatcher's Send: the same transport, address policy, body
// limit and 8 s deadline as a real dispatch, and no conversation's rate
// limit. The attempts are marked engine.KindAudit.
package audit

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// Verdict is how a check ended.
type Verdict string

// The verdicts, best first. A warn is a recommendation the protocol does
// not require; a fail is a hole.
const (
	Pass Verdict = "pass"
	Skip Verdict = "skip" // the check does not apply (e.g. TLS on http://)
	Warn Verdict = "warn"
	Fail Verdict = "fail"
)

func (v Verdict) rank() int {
	switch v {
	case Fail:
		return 3
	case Warn:
		return 2
	case Pass:
		return 1
	}
	return 0
}

// worst returns the worse of two verdicts.
func worst(a, b Verdict) Verdict {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Check is one entry of the audit's table, as planned: what it sends and
// why the platform never would.
type Check struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Sends says what goes out, and why the platform would never send it.
	Sends string `json:"sends"`
	// Rule is how the answer is graded.
	Rule string `json:"rule"`
	// Requests is how many requests the check sends (the TLS check's
	// handshakes send none).
	Requests int `json:"requests"`
}

// Result is one graded check.
type Result struct {
	Check
	// Answer is what the endpoint answered, in a line.
	Answer  string  `json:"answer"`
	Verdict Verdict `json:"verdict"`
	// Why says what earned the verdict; Fix is the one-line change,
	// naming the header, status or code ("" on a pass).
	Why string `json:"why,omitempty"`
	Fix string `json:"fix,omitempty"`
	// Attempts are the requests the check sent, with their answers.
	Attempts []*engine.Attempt `json:"-"`
}

// Report is the audit of one endpoint: an action or the webhook.
type Report struct {
	Target  string   `json:"target"` // the action id, or "webhook"
	Kind    string   `json:"kind"`   // "action" or "webhook"
	URL     string   `json:"url"`
	Results []Result `json:"checks"`
}

// Verdict is the report's worst verdict.
func (r *Report) Verdict() Verdict {
	v := Pass
	for _, res := range r.Results {
		v = worst(v, res.Verdict)
	}
	return v
}

// Count returns how many checks ended with v.
func (r *Report) Count(v Verdict) int {
	n := 0
	for _, res := range r.Results {
		if res.Verdict == v {
			n++
		}
	}
	return n
}

// Auditor runs audits. Its zero value is not usable: Dispatcher is needed.
type Auditor struct {
	// Dispatcher sends every request (Send) and builds the correct ones.
	Dispatcher *engine.Dispatcher
	Chatbot    engine.Chatbot
	// Now is the real time certificates are checked against; nil means
	// time.Now.
	Now func() time.Time
	// RunID names the audit's conversations (audit_RUNID_N); "" means a
	// random one.
	RunID string
	// LatencyCalls is how many baseline calls the latency check makes;
	// 0 means 10.
	LatencyCalls int
	// OnAttempt sees every attempt as it completes (to record it);
	// OnResult every graded check (to show it live). Either may be nil.
	OnAttempt func(*engine.Attempt)
	OnResult  func(Result)
}

// DefaultLatencyCalls is the latency check's sample.
const DefaultLatencyCalls = 10

func (au *Auditor) now() time.Time {
	if au.Now != nil {
		return au.Now()
	}
	return time.Now()
}

func (au *Auditor) runID() string {
	if au.RunID != "" {
		return au.RunID
	}
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (au *Auditor) latencyCalls() int {
	if au.LatencyCalls > 0 {
		return au.LatencyCalls
	}
	return DefaultLatencyCalls
}

// conversations hands out the audit's conversation ids: one per request
// (but the idempotency check's pair, and the replay, which follows the
// baseline in its conversation), so no conversation ever sees more than
// two calls and an endpoint that enforces the platform's rate limit
// itself is never tripped by the audit.
type conversations struct {
	run string
	n   int
}

func (c *conversations) next() string {
	c.n++
	return fmt.Sprintf("audit_%s_%d", c.run, c.n)
}

// emit reports a graded result.
func (au *Auditor) emit(rep *Report, r Result) {
	rep.Results = append(rep.Results, r)
	if au.OnResult != nil {
		au.OnResult(r)
	}
}

// ActionRequests is how many requests one action's audit sends: the
// checks of the other signing scheme send none.
func ActionRequests(signing engine.Signing) int {
	n := 0
	for _, c := range actionChecks {
		if !skipsFor(signing, c.ID) {
			n += c.Requests
		}
	}
	return n
}

// WebhookRequests is how many requests the webhook's audit sends with
// events audited events (the baseline sends each).
func WebhookRequests(events int, signing engine.Signing) int {
	n := max(events, 1) - 1
	for _, c := range webhookChecks {
		if signing == engine.SigningStandardWebhooks || !standardOnly[c.ID] {
			n += c.Requests
		}
	}
	return n
}

// skipsFor reports whether an action signed with signing skips check id.
func skipsFor(signing engine.Signing, id string) bool {
	if signing == engine.SigningStandardWebhooks {
		return dgbotOnly[id]
	}
	return standardOnly[id]
}
