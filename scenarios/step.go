package scenarios

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// stepKinds is StepKinds as strings, for key checks and messages.
var stepKinds = func() []string {
	out := make([]string, len(StepKinds))
	for i, k := range StepKinds {
		out[i] = string(k)
	}
	return out
}()

const (
	kindList    = "say, click, lead, trigger, wait, expect, audit"
	stepExample = "such as - say: Hello"
	idChars     = "letters, digits, _ . and -"
	emptyStep   = "a step is a mapping with one of " + kindList + ", " + stepExample
)

// topLevelHints explains step kinds written at the top level.
var topLevelHints = func() map[string]string {
	m := map[string]string{}
	for _, k := range stepKinds {
		m[k] = fmt.Sprintf("%s is a step: write it in the steps list, as - %s: …", k, k)
	}
	return m
}()

// stepHints explains an expect check written beside expect instead of
// under it, the usual indentation slip.
var stepHints = map[string]string{
	"bot":          "bot belongs under expect: indent it below expect:",
	"dispatch":     "dispatch belongs under expect: indent it below expect:",
	"event":        "event belongs under expect: indent it below expect:",
	"rate_limited": "rate_limited belongs under expect: indent it below expect:",
}

// step reads one step (what is "steps[2]"): a mapping with exactly one
// step kind.
func (l *loader) step(what string, n ast.Node) (Step, error) {
	var st Step
	if isNull(n) {
		return st, l.ErrAt(n, "%s is empty: %s", what, emptyStep)
	}
	entries, err := l.Mapping(n, what, "a mapping with one of "+kindList+", "+stepExample)
	if err != nil {
		return st, err
	}
	if _, err := l.fields(entries, "a step", stepKinds, stepHints); err != nil {
		return st, err
	}
	// Entries come in the order written, so the one reported is the one
	// to move.
	var e *ast.MappingValueNode
	for _, other := range entries {
		if other == nil || yamlsrc.IsNil(other.Key) {
			continue
		}
		if e != nil {
			a, b := keyName(e), keyName(other)
			return st, l.ErrAt(other.Key, "a step does one thing, but this one has both %s and %s: start %s as a step of its own, with \"- \" before it", a, b, b)
		}
		e = other
	}
	if e == nil {
		return st, l.ErrAt(n, "%s is empty: %s", what, emptyStep)
	}
	st.Kind = StepKind(keyName(e))
	st.Pos = pos(e.Key)
	switch st.Kind {
	case StepSay:
		st.Text, err = l.say(e.Value)
	case StepClick:
		st.Text, err = l.id(e.Value, "click", "a quick-reply button id", "track_order")
	case StepTrigger:
		st.Text, err = l.id(e.Value, "trigger", "an action id", "order_lookup")
	case StepLead:
		st.Lead, err = l.lead(e.Value)
	case StepWait:
		st.Wait, err = l.wait(e.Value)
	case StepExpect:
		st.Expect, err = l.expect(e)
	case StepAudit:
		st.Text, err = l.id(e.Value, "audit", "an action id or webhook", "order_lookup")
	}
	return st, err
}

// keyName returns an entry's key, already checked by fields.
func keyName(e *ast.MappingValueNode) string {
	if s, ok := e.Key.(*ast.StringNode); ok {
		return s.Value
	}
	if tk := e.Key.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

func (l *loader) say(n ast.Node) (string, error) {
	s, err := l.Str(n, "say")
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", l.ErrAt(n, "say is empty: give the visitor's message, e.g. say: Where is my order 1042?")
	}
	return s, nil
}

// id reads a click's button id or a trigger's action id.
func (l *loader) id(n ast.Node, key, what, example string) (string, error) {
	s, err := l.Str(n, key)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", l.ErrAt(n, "%s is empty: give %s, e.g. %s: %s", key, what, key, example)
	}
	if !isID(s) {
		return "", l.ErrAt(n, "%s %q is not %s: use %s, e.g. %s: %s", key, yamlsrc.Shorten(s), what, idChars, key, example)
	}
	return s, nil
}

// isID reports whether s is a valid button or action id.
func isID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && c != '.' && c != '-' && !isAlnum(c) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z'
}

// isFieldName reports whether s is a valid lead field name.
func isFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '_' && !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

const leadExample = "lead: {name: Jane Doe, email: jane@example.com}"

// lead reads the fields the visitor fills in the lead form.
func (l *loader) lead(n ast.Node) (map[string]string, error) {
	if isNull(n) {
		return nil, l.ErrAt(n, "lead is empty: give the lead form's fields, e.g. %s", leadExample)
	}
	entries, err := l.Mapping(n, "lead", "a mapping of lead fields to values, e.g. "+leadExample)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(entries))
	first := map[string]int{}
	for _, e := range entries {
		if e == nil || yamlsrc.IsNil(e.Key) {
			continue
		}
		key, err := l.Str(e.Key, "a lead field name")
		if err != nil {
			return nil, err
		}
		if !isFieldName(key) {
			return nil, l.ErrAt(e.Key, "lead field %q is not a valid field name: use letters, digits and _, e.g. name, email, phone or company_name", yamlsrc.Shorten(key))
		}
		if line, dup := first[key]; dup {
			return nil, l.ErrAt(e.Key, "lead field %q appears twice (first at line %d): keep one", key, line)
		}
		first[key], _ = yamlsrc.Position(e.Key)
		v, err := l.Str(e.Value, "lead."+key)
		if err != nil {
			return nil, err
		}
		if v == "" {
			// A null value has no place of its own worth showing.
			at := e.Value
			if isNull(at) {
				at = e.Key
			}
			msg := fmt.Sprintf("lead.%s is empty: give the value the visitor enters, or remove %s", key, key)
			if commaSplit(e) {
				msg += "; " + commaHint
			}
			return nil, l.ErrAt(at, "%s", msg)
		}
		out[key] = v
	}
	if len(out) == 0 {
		return nil, l.ErrAt(n, "lead is empty: give the lead form's fields, e.g. %s", leadExample)
	}
	return out, nil
}

var (
	bareNumber = regexp.MustCompile(`^[0-9]*\.?[0-9]+$`)
	inDays     = regexp.MustCompile(`^([0-9]+)d$`)
)

const waitHint = "a Go duration such as 90s, 10m or 1h30m"

// wait reads how far the virtual clock moves: a positive Go duration.
func (l *loader) wait(n ast.Node) (time.Duration, error) {
	s, err := l.Str(n, "wait")
	if err != nil {
		return 0, err
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, l.ErrAt(n, "wait is empty: give how long the visitor waits, as %s", waitHint)
	case bareNumber.MatchString(s):
		return 0, l.ErrAt(n, "wait %s has no unit: write %ss or %sm", yamlsrc.Shorten(s), yamlsrc.Shorten(s), yamlsrc.Shorten(s))
	}
	if m := inDays.FindStringSubmatch(s); m != nil {
		if days, err := strconv.Atoi(m[1]); err == nil && days < 1e6 {
			return 0, l.ErrAt(n, "wait %s: Go durations have no d unit: write %dh", s, days*24)
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, l.ErrAt(n, "wait must be %s, got %q", waitHint, yamlsrc.Shorten(s))
	}
	if d <= 0 {
		return 0, l.ErrAt(n, "wait must be a positive duration, got %s: give how long the visitor waits, as %s", s, waitHint)
	}
	return d, nil
}
