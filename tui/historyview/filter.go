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
	// Text is searched for in each attempt's stored text (history.Filter.Text).
	Text string
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
	for _, word := range strings.Fields(q.Text) {
		if _, ok := filterKey(word); ok {
			word = "text:" + word // a word that would read as a filter
		}
		parts = append(parts, word)
	}
	return strings.Join(parts, " ")
}

// ParseQuery reads a filter such as
// "outcome:timeout action:order_lookup conv:conv_1 refund". Words with the
// keys outcome, action and conv (or conversation) filter on those; every
// other word is text to search for, the words joined by single spaces
// ("text:" takes a word that would otherwise read as a filter). An empty
// string clears every filter; an unknown outcome or a key without a value
// is an error.
func ParseQuery(s string) (Query, error) {
	var (
		q    Query
		text []string
	)
	for _, f := range strings.Fields(s) {
		k, ok := filterKey(f)
		if !ok {
			text = append(text, f)
			continue
		}
		_, v, _ := strings.Cut(f, ":")
		if v == "" {
			return Query{}, fmt.Errorf("%q: want %s:value", f, k)
		}
		switch k {
		case "outcome":
			o := engine.Outcome(v)
			if !knownOutcome(o) {
				return Query{}, fmt.Errorf("unknown outcome %q (o in the table cycles through them)", v)
			}
			q.Outcome = o
		case "action":
			q.Action = v
		case "conv", "conversation":
			q.Conversation = v
		case "text":
			text = append(text, v)
		}
	}
	q.Text = strings.Join(text, " ")
	return q, nil
}

// filterKey returns the filter key a word starts with, lowered, if any.
func filterKey(word string) (string, bool) {
	k, _, ok := strings.Cut(word, ":")
	if !ok {
		return "", false
	}
	switch k = strings.ToLower(k); k {
	case "outcome", "action", "conv", "conversation", "text":
		return k, true
	}
	return "", false
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
