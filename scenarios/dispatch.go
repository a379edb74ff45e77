package scenarios

import (
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

var (
	// dispatchOutcomes are the outcomes an action call can end in;
	// eventOutcomes those of an event webhook, which has no reply shapes
	// of its own and no rate limit.
	dispatchOutcomes = outcomes(engine.OutcomeAcknowledged)
	eventOutcomes    = outcomes(engine.OutcomeMessage, engine.OutcomeData, engine.OutcomeRateLimited)
	replies          = []string{string(engine.ReplyOverride), string(engine.ReplySkip), "none"}
)

// dispatch reads a dispatch check, e being its entry in expect. An empty
// check ("dispatch:" or "dispatch: {}") matches any action call.
func (l *loader) dispatch(e *ast.MappingValueNode) (*DispatchMatch, error) {
	d := &DispatchMatch{Pos: pos(e.Key)}
	if isNull(e.Value) {
		return d, nil
	}
	entries, err := l.Mapping(e.Value, "dispatch", "a mapping with any of action, trigger, outcome, status and payload")
	if err != nil {
		return nil, err
	}
	m, err := l.fields(entries, "dispatch", []string{"action", "trigger", "outcome", "status", "payload"}, nil)
	if err != nil {
		return nil, err
	}
	if c, ok := m["action"]; ok {
		if d.Action, err = l.id(c.Value, "action", "an action id", "order_lookup"); err != nil {
			return nil, err
		}
	}
	if c, ok := m["trigger"]; ok {
		if d.Trigger, err = l.trigger(c.Value); err != nil {
			return nil, err
		}
	}
	if c, ok := m["outcome"]; ok {
		if d.Outcome, err = l.outcome(c.Value, dispatchOutcomes, eventOutcomes, "an event webhook's", "an action call"); err != nil {
			return nil, err
		}
	}
	if c, ok := m["status"]; ok {
		if d.Status, err = l.status(c.Value); err != nil {
			return nil, err
		}
	}
	if c, ok := m["payload"]; ok {
		if d.Payload, err = l.payload(c.Value); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// trigger reads what fired a dispatch.
func (l *loader) trigger(n ast.Node) (engine.Trigger, error) {
	s, err := l.Str(n, "trigger")
	if err != nil {
		return "", err
	}
	t, perr := engine.ParseTrigger(s)
	if perr == nil {
		return t, nil
	}
	// The workspace writes triggers as ai_intent:NAME; a dispatch carries
	// only the trigger itself.
	if kind, _, ok := strings.Cut(s, ":"); ok {
		if t, err := engine.ParseTrigger(kind); err == nil {
			return "", l.ErrAt(n, "trigger %q: write the trigger alone, trigger: %s (a dispatch says what kind of trigger fired it, not which one)", yamlsrc.Shorten(s), t)
		}
	}
	return "", l.enumError(n, s, "trigger", names(engine.Triggers))
}

// status reads an HTTP status code.
func (l *loader) status(n ast.Node) (int, error) {
	if err := l.Plain(n); err != nil {
		return 0, err
	}
	const want = "status must be an HTTP status code from 100 to 599, e.g. status: 200"
	switch v := n.(type) {
	case *ast.IntegerNode:
		var code int64 = -1
		switch i := v.Value.(type) {
		case int64:
			code = i
		case uint64:
			if i <= 1000 {
				code = int64(i)
			}
		}
		if code < 100 || code > 599 {
			return 0, l.ErrAt(n, "%s, got %s", want, yamlsrc.Shorten(v.GetToken().Value))
		}
		return int(code), nil
	case *ast.StringNode:
		return 0, l.ErrAt(n, "%s, got the string %q: write the number without quotes", want, yamlsrc.Shorten(v.Value))
	}
	return 0, l.ErrAt(n, "%s, got %s", want, yamlsrc.Describe(n))
}

// event reads an event check, e being its entry in expect. An empty check
// matches any webhook event.
func (l *loader) event(e *ast.MappingValueNode) (*EventMatch, error) {
	ev := &EventMatch{Pos: pos(e.Key)}
	if isNull(e.Value) {
		return ev, nil
	}
	entries, err := l.Mapping(e.Value, "event", "a mapping with any of name, outcome, reply and override")
	if err != nil {
		return nil, err
	}
	m, err := l.fields(entries, "event", []string{"name", "outcome", "reply", "override"}, nil)
	if err != nil {
		return nil, err
	}
	if c, ok := m["name"]; ok {
		s, err := l.Str(c.Value, "event name")
		if err != nil {
			return nil, err
		}
		if ev.Name, err = engine.ParseEvent(s); err != nil {
			return nil, l.enumError(c.Value, s, "event name", names(engine.Events))
		}
	}
	if c, ok := m["outcome"]; ok {
		if ev.Outcome, err = l.outcome(c.Value, eventOutcomes, dispatchOutcomes, "an action call's", "an event webhook"); err != nil {
			return nil, err
		}
	}
	if c, ok := m["reply"]; ok {
		s, err := l.oneOf(c.Value, "reply", replies)
		if err != nil {
			return nil, err
		}
		ev.ReplyGiven = true
		if s != "none" {
			ev.Reply = engine.ReplyAction(s)
		}
	}
	if c, ok := m["override"]; ok {
		if ev.ReplyGiven && ev.Reply != engine.ReplyOverride {
			r := string(ev.Reply)
			if r == "" {
				r = "none"
			}
			return nil, l.ErrAt(c.Key, "override checks the text of an override_response, but reply is %s: remove override, or expect reply: override_response", r)
		}
		if ev.Override, err = l.textMatch(c, "override", "the replacement reply text"); err != nil {
			return nil, err
		}
	}
	return ev, nil
}
