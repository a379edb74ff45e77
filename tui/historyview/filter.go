package historyview

import (
	"fmt"
	"strings"

	"github.com/actionbench/actionbench/engine"
)

// Query is what the history view filters on.
type Query struct {
	Outcome      engine.Outcome
	Action       string
	Conversation string
}

// String renders q in the syntax ParseQuery reads.
func (q Query) String() string {
	var parts []string
	if q.Outcome != "" {
		parts = append(parts, "outcome:"+string(q.Outcome))
	}
	if q.Action != "" {
		parts = append(parts, "action:"+q.Action)
	}
	if q.Conversation != "" {
		parts = append(parts, "conv:"+q.Conversation)
	}
	return strings.Join(parts, " ")
}

// ParseQuery reads a filter such as
// "outcome:timeout action:order_lookup conv:conv_1". An empty string
// clears every filter; an unknown key or outcome is an error.
func ParseQuery(s string) (Query, error) {
	var q Query
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, ":")
		if !ok || v == "" {
			return Query{}, fmt.Errorf("%q: want key:value, with key outcome, action or conv", f)
		}
		switch strings.ToLower(k) {
		case "outcome":
			o := engine.Outcome(v)
			if !knownOutcome(o) {
				return Query{}, fmt.Errorf("unknown outcome %q", v)
			}
			q.Outcome = o
		case "action":
			q.Action = v
		case "conv", "conversation":
			q.Conversation = v
		default:
			return Query{}, fmt.Errorf("unknown filter key %q: want outcome, action or conv", k)
		}
	}
	return q, nil
}

func knownOutcome(o engine.Outcome) bool {
	for _, x := range engine.Outcomes {
		if x == o {
			return true
		}
	}
	return false
}

// nextOutcome cycles "" → Outcomes[0] → … → the last → "".
func nextOutcome(o engine.Outcome) engine.Outcome {
	if o == "" {
		return engine.Outcomes[0]
	}
	for i, x := range engine.Outcomes {
		if x == o && i+1 < len(engine.Outcomes) {
			return engine.Outcomes[i+1]
		}
	}
	return ""
}
