package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/sim/bot"
)

// Env is what running scenarios needs; one Env serves many runs at once.
type Env struct {
	// Dispatcher returns the dispatcher for a workspace: its policy decides
	// where calls may go, so workspaces with different policies must not
	// share one. Each conversation uses it with its own virtual clock.
	Dispatcher func(ws *bot.Workspace) *engine.Dispatcher
	// Demo is the embedded demo workspace, for scenarios that name none.
	Demo *bot.Workspace
	// LoadWorkspace loads a scenario's own workspace file.
	LoadWorkspace func(path string) (*bot.Workspace, error)
	// Recorder, when set, receives every attempt and turn (the history).
	Recorder sim.Recorder
	// Start is the virtual time conversations begin at; zero means now.
	Start time.Time
	// OnStep, when set, is called by Run with each step's result as soon
	// as the step is done, in order and on Run's goroutine, before Run
	// returns; it sees the same StepResults as Result.Steps. It is for
	// showing progress and must not block for long.
	OnStep func(StepResult)
}

// Result is what running one scenario found.
type Result struct {
	Scenario       *Scenario
	ConversationID string
	Steps          []StepResult
	// Err is set when the scenario could not run at all (its workspace
	// did not load); Steps is then empty.
	Err      error
	Duration time.Duration // real time
}

// Passed reports whether the scenario ran and every step passed.
func (r Result) Passed() bool {
	if r.Err != nil {
		return false
	}
	for _, s := range r.Steps {
		if !s.Passed() {
			return false
		}
	}
	return true
}

// StepResult is one step's result.
type StepResult struct {
	Step     Step
	Turn     *sim.Turn // what a visitor step led to; nil for wait and expect
	Failures []Failure
}

// Passed reports whether the step did what it should.
func (s StepResult) Passed() bool { return len(s.Failures) == 0 }

// Failure is one check that did not hold, or a step that could not be done.
type Failure struct {
	Pos      Pos
	Check    string // "bot", "dispatch", "event", "rate_limited", or the step kind
	Expected string
	Actual   string
	// Diagnosis is the diagnosis of the attempt that came closest, for the
	// endpoint's developer.
	Diagnosis string
}

func (f Failure) String() string {
	s := fmt.Sprintf("%d:%d: %s: expected %s, got %s", f.Pos.Line, f.Pos.Column, f.Check, f.Expected, f.Actual)
	if f.Diagnosis != "" {
		s += " (diagnosis: " + f.Diagnosis + ")"
	}
	return s
}

// Run plays a scenario as its visitor and checks its expectations. A
// failed expectation does not stop the run: later steps still run, so one
// report shows every problem.
func Run(ctx context.Context, sc *Scenario, env Env) Result {
	began := time.Now()
	res := Result{Scenario: sc}
	ws := env.Demo
	if sc.Workspace != "" {
		var err error
		if ws, err = env.LoadWorkspace(sc.Workspace); err != nil {
			res.Err = err
			res.Duration = time.Since(began)
			return res
		}
	}
	if err := sc.Check(ws); err != nil {
		res.Err = err
		res.Duration = time.Since(began)
		return res
	}
	start := env.Start
	if start.IsZero() {
		start = time.Now()
	}
	c := sim.New(sim.Options{
		Workspace:  ws,
		Dispatcher: env.Dispatcher(ws),
		Clock:      sim.NewClock(start),
		Visitor:    sim.Visitor(sc.Visitor),
		Recorder:   env.Recorder,
		Defer:      true, // Run waits for the writes once, at the end
	})
	res.ConversationID = c.ID()
	var window []sim.Turn // what happened since the previous expect
	for _, step := range sc.Steps {
		sr := StepResult{Step: step}
		var turn sim.Turn
		var err error
		did := true
		switch step.Kind {
		case StepSay:
			turn = c.Say(ctx, step.Text)
		case StepClick:
			turn, err = c.Click(ctx, step.Text)
		case StepLead:
			turn = c.SubmitLead(ctx, step.Lead)
		case StepTrigger:
			turn, err = c.Trigger(ctx, step.Text)
		case StepWait:
			c.Wait(step.Wait)
			did = false
		case StepExpect:
			sr.Failures = check(step.Expect, window)
			window = nil
			did = false
		}
		if err != nil {
			sr.Failures = append(sr.Failures, Failure{Pos: step.Pos, Check: string(step.Kind), Expected: "a step the workspace can do", Actual: err.Error()})
		} else if did {
			window = append(window, turn)
			sr.Turn = &turn
		}
		res.Steps = append(res.Steps, sr)
		if env.OnStep != nil {
			env.OnStep(sr)
		}
	}
	// The result is reported once the scenario's writes are stored:
	// nothing it says happened is missing from the history.
	if err := c.Flush(ctx); err != nil {
		res.Err = fmt.Errorf("recording the scenario in the history: %w", err)
	}
	res.Duration = time.Since(began)
	return res
}

// check evaluates an expect against the turns since the previous one.
func check(e *Expect, window []sim.Turn) []Failure {
	var attempts []*engine.Attempt
	var shown []string
	for _, t := range window {
		attempts = append(attempts, t.Attempts...)
		shown = append(shown, t.Shown()...)
	}
	var out []Failure
	if e.Bot != nil {
		if f, ok := matchText(*e.Bot, "bot", shown, attempts); !ok {
			out = append(out, f)
		}
	}
	if e.Dispatch != nil {
		if f, ok := checkDispatch(*e.Dispatch, attempts); !ok {
			out = append(out, f)
		}
	}
	if e.Event != nil {
		if f, ok := checkEvent(*e.Event, attempts); !ok {
			out = append(out, f)
		}
	}
	if e.RateLimited != nil {
		hit := false
		for _, a := range attempts {
			hit = hit || a.Outcome == engine.OutcomeRateLimited
		}
		if hit != *e.RateLimited {
			f := Failure{Pos: e.Pos, Check: "rate_limited", Expected: fmt.Sprint(*e.RateLimited), Actual: fmt.Sprint(hit)}
			if !hit {
				f.Actual += fmt.Sprintf(" (%s)", describeActions(attempts))
			}
			out = append(out, f)
		}
	}
	return out
}

// matchText passes when any of texts satisfies m (or, for absent, when
// there is none).
func matchText(m TextMatch, what string, texts []string, attempts []*engine.Attempt) (Failure, bool) {
	f := Failure{Pos: m.Pos, Check: what, Actual: quoteAll(texts)}
	switch {
	case m.Absent:
		f.Expected = "no reply"
		return f, len(texts) == 0
	case m.Equals != nil:
		f.Expected = fmt.Sprintf("a reply equal to %q", *m.Equals)
	case m.Contains != nil:
		f.Expected = fmt.Sprintf("a reply containing %q", *m.Contains)
	case m.Matches != nil:
		f.Expected = fmt.Sprintf("a reply matching /%s/", m.Matches)
	}
	for _, t := range texts {
		if m.Equals != nil && t == *m.Equals || m.Contains != nil && strings.Contains(t, *m.Contains) || m.Matches != nil && m.Matches.MatchString(t) {
			return f, true
		}
	}
	f.Diagnosis = firstDiagnosis(attempts)
	return f, false
}

func checkDispatch(m DispatchMatch, attempts []*engine.Attempt) (Failure, bool) {
	f := Failure{Pos: m.Pos, Check: "dispatch", Expected: describeDispatch(m)}
	var calls []*engine.Attempt
	var why []string
	for _, a := range attempts {
		if a.Kind != engine.KindAction {
			continue
		}
		calls = append(calls, a)
		if miss := dispatchMismatch(m, a); miss == "" {
			return f, true
		} else {
			why = append(why, miss)
		}
	}
	if len(calls) == 0 {
		f.Actual = "no action call"
		return f, false
	}
	f.Actual = strings.Join(why, "; ")
	f.Diagnosis = firstDiagnosis(calls)
	return f, false
}

// dispatchMismatch says how a differs from m, or "" when it matches.
func dispatchMismatch(m DispatchMatch, a *engine.Attempt) string {
	status := 0
	if a.Response != nil {
		status = a.Response.Status
	}
	var diffs []string
	if m.Action != "" && a.ActionID != m.Action {
		diffs = append(diffs, "action "+a.ActionID)
	}
	if m.Trigger != "" && a.Trigger != m.Trigger {
		diffs = append(diffs, "trigger "+string(a.Trigger))
	}
	if m.Outcome != "" && a.Outcome != m.Outcome {
		diffs = append(diffs, "outcome "+string(a.Outcome))
	}
	if m.Status != 0 && status != m.Status {
		diffs = append(diffs, fmt.Sprintf("status %d", status))
	}
	if len(m.Payload) > 0 {
		var body struct {
			Payload any `json:"payload"`
		}
		json.Unmarshal(a.Request.Body, &body)
		for _, pc := range m.Payload {
			got, ok := pc.Lookup(body.Payload)
			if !ok {
				diffs = append(diffs, "no payload."+pc.Path)
			} else if !reflect.DeepEqual(got, pc.Want) {
				diffs = append(diffs, fmt.Sprintf("payload.%s %s", pc.Path, jsonText(got)))
			}
		}
	}
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprintf("%s (%s): %s", a.ActionID, a.Outcome, strings.Join(diffs, ", "))
}

func checkEvent(m EventMatch, attempts []*engine.Attempt) (Failure, bool) {
	f := Failure{Pos: m.Pos, Check: "event", Expected: describeEvent(m)}
	var seen []string
	var events []*engine.Attempt
	for _, a := range attempts {
		if a.Kind != engine.KindEvent {
			continue
		}
		events = append(events, a)
		ok := (m.Name == "" || a.Event == m.Name) &&
			(m.Outcome == "" || a.Outcome == m.Outcome) &&
			(!m.ReplyGiven || a.ReplyAction == m.Reply)
		if ok && m.Override != nil {
			_, ok = matchText(*m.Override, "override", nonEmpty(a.Override), nil)
		}
		if ok {
			return f, true
		}
		reply := string(a.ReplyAction)
		if reply == "" {
			reply = "none"
		}
		seen = append(seen, fmt.Sprintf("%s (%s, reply %s)", a.Event, a.Outcome, reply))
	}
	if len(seen) == 0 {
		f.Actual = "no event"
		return f, false
	}
	f.Actual = strings.Join(seen, "; ")
	f.Diagnosis = firstDiagnosis(events)
	return f, false
}

func describeDispatch(m DispatchMatch) string {
	var parts []string
	for _, kv := range [][2]string{{"action", m.Action}, {"trigger", string(m.Trigger)}, {"outcome", string(m.Outcome)}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	if m.Status != 0 {
		parts = append(parts, fmt.Sprintf("status %d", m.Status))
	}
	for _, pc := range m.Payload {
		parts = append(parts, fmt.Sprintf("payload.%s %s", pc.Path, jsonText(pc.Want)))
	}
	if len(parts) == 0 {
		return "an action call"
	}
	return "an action call with " + strings.Join(parts, ", ")
}

func describeEvent(m EventMatch) string {
	var parts []string
	if m.Name != "" {
		parts = append(parts, string(m.Name))
	}
	if m.Outcome != "" {
		parts = append(parts, "outcome "+string(m.Outcome))
	}
	if m.ReplyGiven {
		reply := string(m.Reply)
		if reply == "" {
			reply = "none"
		}
		parts = append(parts, "reply "+reply)
	}
	if len(parts) == 0 {
		return "an event"
	}
	return "event " + strings.Join(parts, ", ")
}

func describeActions(attempts []*engine.Attempt) string {
	var parts []string
	for _, a := range attempts {
		if a.Kind == engine.KindAction {
			parts = append(parts, fmt.Sprintf("%s: %s", a.ActionID, a.Outcome))
		}
	}
	if len(parts) == 0 {
		return "no action call"
	}
	return strings.Join(parts, ", ")
}

// firstDiagnosis is the first non-empty diagnosis among attempts.
func firstDiagnosis(attempts []*engine.Attempt) string {
	for _, a := range attempts {
		if a.Diagnosis != "" {
			return a.Diagnosis
		}
	}
	return ""
}

func quoteAll(texts []string) string {
	if len(texts) == 0 {
		return "no reply"
	}
	q := make([]string, len(texts))
	for i, t := range texts {
		q[i] = fmt.Sprintf("%q", t)
	}
	return strings.Join(q, ", ")
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
