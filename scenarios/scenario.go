package scenarios

import (
	"regexp"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// Scenario is one parsed, validated scenario file.
type Scenario struct {
	Name string
	Path string // the file it came from
	// Workspace is the workspace file as written, joined to the scenario's
	// folder when relative; "" means the embedded demo. Whether it exists
	// is for the runner to find out.
	Workspace string
	Visitor   Visitor
	Steps     []Step
}

// Visitor is who the scenario's conversation is with; every field is
// optional.
type Visitor struct {
	ID, Name, Email, Phone string
}

// Pos is a 1-based place in a scenario file.
type Pos struct {
	Line, Column int
}

// StepKind says what a step does.
type StepKind string

// The step kinds, as written in a scenario.
const (
	StepSay     StepKind = "say"
	StepClick   StepKind = "click"
	StepLead    StepKind = "lead"
	StepTrigger StepKind = "trigger"
	StepWait    StepKind = "wait"
	StepExpect  StepKind = "expect"
	// StepAudit runs the endpoint audit on an action (or "webhook") and
	// fails on any failed check.
	StepAudit StepKind = "audit"
)

// StepKinds lists every step kind, in the order the format documents them.
var StepKinds = []StepKind{StepSay, StepClick, StepLead, StepTrigger, StepWait, StepExpect, StepAudit}

// Step is one thing the visitor does, or one check. Pos is where its kind
// (say, click…) is written. Only the fields of its Kind are set.
type Step struct {
	Pos    Pos
	Kind   StepKind
	Text   string            // say: the visitor's message; click: a button id; trigger and audit: an action id (audit: or "webhook")
	Lead   map[string]string // lead: name, email, phone and any other lead fields
	Wait   time.Duration     // wait: how far the virtual clock moves
	Expect *Expect           // expect
}

// Expect checks what happened since the previous step. Each check that is
// nil is not made; at least one is set. Every Pos in it is where the
// check's key is written.
type Expect struct {
	Pos         Pos
	Bot         *TextMatch     // the bot's reply (or replies)
	Dispatch    *DispatchMatch // an action call
	Event       *EventMatch    // a webhook event
	RateLimited *bool          // whether a rate-limit hit happened
}

// TextMatch checks a text. Exactly one of Equals, Contains, Matches and
// Absent is set; Absent means there was no text at all.
type TextMatch struct {
	Pos      Pos
	Equals   *string
	Contains *string
	Matches  *regexp.Regexp
	Absent   bool
}

// DispatchMatch checks an action call. Zero values are not checked, so an
// empty DispatchMatch matches any call.
type DispatchMatch struct {
	Pos     Pos
	Action  string
	Trigger engine.Trigger
	Outcome engine.Outcome
	Status  int
	Payload []PayloadCheck
}

// PayloadCheck checks one value of a dispatch's payload. Path is written
// with dots between keys and [i] for list items ("order.items[0].sku");
// a key that is not made of letters, digits, "_" and "-" is written as a
// quoted string in brackets (["a.b"]). Want is what JSON decoding would
// give: a string, float64, bool or nil, or an empty map[string]any or
// []any for {} and [] (which then must be empty in the payload).
type PayloadCheck struct {
	Pos  Pos
	Path string
	Want any
}

// EventMatch checks a webhook event. Zero values are not checked. Reply
// is checked when ReplyGiven, "" then meaning the webhook asked for
// nothing; Override, when set, checks the text of an override_response.
type EventMatch struct {
	Pos        Pos
	Name       engine.Event
	Outcome    engine.Outcome
	Reply      engine.ReplyAction
	ReplyGiven bool
	Override   *TextMatch
}
