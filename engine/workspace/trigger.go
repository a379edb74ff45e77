package workspace

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// triggers parses an action's trigger list; an absent or empty list means
// the action is only fired by hand.
func (l *loader) triggers(n ast.Node) ([]engine.TriggerRule, error) {
	if yamlsrc.IsNil(n) {
		return nil, nil
	}
	if _, ok := n.(*ast.NullNode); ok {
		return nil, nil
	}
	items, err := l.List(n, "triggers", "a list such as [ai_intent:order_status, manual]")
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	out := make([]engine.TriggerRule, 0, len(items))
	for _, item := range items {
		if _, ok := yamlsrc.AsMapping(item); ok {
			// "- ai_intent: x" reads as a mapping; the space is the slip.
			return nil, l.ErrAt(item, "a trigger must be a string such as ai_intent:order_status, got a mapping: remove the space after the colon")
		}
		s, err := l.Str(item, "a trigger")
		if err != nil {
			return nil, err
		}
		r, msg := parseTrigger(s)
		if msg != "" {
			return nil, l.ErrAt(item, "%s", msg)
		}
		line, _ := yamlsrc.Position(item)
		if first, dup := seen[s]; dup {
			return nil, l.ErrAt(item, "trigger %q is listed twice (first at line %d): list it once", s, first)
		}
		seen[s] = line
		out = append(out, r)
		l.triggerRefs = append(l.triggerRefs, TriggerRef{Rule: r, Node: item})
	}
	return out, nil
}

// parseTrigger reads ai_intent:NAME, button_click:ID, lead_captured or
// manual, returning a message for anything else.
func parseTrigger(s string) (engine.TriggerRule, string) {
	const all = "use ai_intent:NAME, button_click:ID, lead_captured or manual"
	kind, name, hasName := strings.Cut(s, ":")
	t, err := engine.ParseTrigger(kind)
	if err != nil {
		return engine.TriggerRule{}, fmt.Sprintf("unknown trigger %q: %s", yamlsrc.Shorten(s), all)
	}
	switch t {
	case engine.TriggerIntent, engine.TriggerButton:
		what := "an intent name, e.g. ai_intent:order_status"
		if t == engine.TriggerButton {
			what = "a button id, e.g. button_click:track_order"
		}
		if name == "" {
			return engine.TriggerRule{}, fmt.Sprintf("trigger %s needs %s", kind, what)
		}
		if !IsID(name) {
			return engine.TriggerRule{}, fmt.Sprintf("trigger %q: the name after %s: is %s, not %q", yamlsrc.Shorten(s), kind, IDHint, yamlsrc.Shorten(name))
		}
	default:
		if hasName {
			return engine.TriggerRule{}, fmt.Sprintf("trigger %s takes no name: write %s without %q", kind, kind, ":"+yamlsrc.Shorten(name))
		}
	}
	return engine.TriggerRule{Trigger: t, Name: name}, ""
}
