package scenarios

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

const checkList = "bot, dispatch, event, rate_limited"

// expectHints explains a check's key written beside the check instead of
// under it.
var expectHints = func() map[string]string {
	m := map[string]string{}
	for parent, keys := range map[string][]string{
		"bot":      matchKeys,
		"dispatch": {"action", "trigger", "status", "payload"},
		"event":    {"name", "reply", "override"},
	} {
		for _, k := range keys {
			m[k] = fmt.Sprintf("%s belongs under %s: indent it below %s:", k, parent, parent)
		}
	}
	m["outcome"] = "outcome belongs under dispatch or event: indent it below one of them"
	return m
}()

// expect reads an expect step, e being its entry in the step.
func (l *loader) expect(e *ast.MappingValueNode) (*Expect, error) {
	n := e.Value
	empty := "expect is empty: check at least one of " + checkList + ", e.g. expect: {bot: {contains: on the way}}"
	if isNull(n) {
		return nil, l.ErrAt(n, "%s", empty)
	}
	entries, err := l.Mapping(n, "expect", "a mapping with at least one of "+checkList)
	if err != nil {
		return nil, err
	}
	m, err := l.fields(entries, "expect", []string{"bot", "dispatch", "event", "rate_limited"}, expectHints)
	if err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, l.ErrAt(n, "%s", empty)
	}
	x := &Expect{Pos: pos(e.Key)}
	if c, ok := m["bot"]; ok {
		if x.Bot, err = l.textMatch(c, "bot", "the reply text"); err != nil {
			return nil, err
		}
	}
	if c, ok := m["dispatch"]; ok {
		if x.Dispatch, err = l.dispatch(c); err != nil {
			return nil, err
		}
	}
	if c, ok := m["event"]; ok {
		if x.Event, err = l.event(c); err != nil {
			return nil, err
		}
	}
	if c, ok := m["rate_limited"]; ok {
		b, err := l.boolean(c.Value, "rate_limited", "true to expect a rate-limit hit, false to expect none")
		if err != nil {
			return nil, err
		}
		x.RateLimited = &b
	}
	return x, nil
}

var matchKeys = []string{"equals", "contains", "matches", "absent"}

// textMatch reads a text check (bot, override), e being its entry. A
// plain string is shorthand for equals. text says what the string is.
func (l *loader) textMatch(e *ast.MappingValueNode, what, text string) (*TextMatch, error) {
	n := e.Value
	t := &TextMatch{Pos: pos(e.Key)}
	hint := fmt.Sprintf("give %s, or a mapping with one of equals, contains, matches or absent, e.g. %s: {contains: on the way}", text, what)
	if isNull(n) {
		return nil, l.ErrAt(n, "%s is empty: %s", what, hint)
	}
	if err := l.Plain(n); err != nil {
		return nil, err
	}
	switch n := n.(type) {
	case *ast.SequenceNode:
		return nil, l.ErrAt(n, "%s must be a string or a mapping, got a list: %s", what, hint)
	case *ast.BoolNode:
		// "bot: false" reads like "no reply", but YAML makes it a check
		// for the text "false".
		return nil, l.ErrAt(n, "%s must be a string or a mapping, got a boolean: write %s: {absent: true} to check that there was no %s text, or quote %q to check for that text", what, what, what, n.GetToken().Value)
	}
	entries, ok := yamlsrc.AsMapping(n)
	if !ok {
		s, err := l.nonEmpty(n, what, hint)
		if err != nil {
			return nil, err
		}
		t.Equals = &s
		return t, nil
	}
	m, err := l.fields(entries, what, matchKeys, nil)
	if err != nil {
		return nil, err
	}
	var c *ast.MappingValueNode
	for _, other := range entries {
		if other == nil || yamlsrc.IsNil(other.Key) {
			continue
		}
		if c != nil {
			return nil, l.ErrAt(other.Key, "%s has both %s and %s: keep one; a %s check uses one of equals, contains, matches or absent", what, keyName(c), keyName(other), what)
		}
		c = other
	}
	if len(m) == 0 || c == nil {
		return nil, l.ErrAt(n, "%s needs one of equals, contains, matches or absent, e.g. %s: {contains: on the way}", what, what)
	}
	key := keyName(c)
	switch key {
	case "equals", "contains":
		s, err := l.nonEmpty(c.Value, key, "give "+text+", or remove "+key)
		if err != nil {
			return nil, err
		}
		if key == "equals" {
			t.Equals = &s
		} else {
			t.Contains = &s
		}
	case "matches":
		s, err := l.nonEmpty(c.Value, key, "give a Go regular expression, e.g. matches: (?i)order \\d+ is on the way")
		if err != nil {
			return nil, err
		}
		if t.Matches, err = regexp.Compile(s); err != nil {
			return nil, l.ErrAt(c.Value, "matches is not a valid Go regular expression: %s", regexpProblem(err))
		}
	case "absent":
		absent, err := l.boolean(c.Value, "absent", "true (to check that there was no "+what+" text)")
		if err != nil {
			return nil, err
		}
		if !absent {
			return nil, l.ErrAt(c.Value, "absent must be true, meaning there was no %s text; to check that there was some, use matches: .", what)
		}
		t.Absent = true
	}
	return t, nil
}

// regexpProblem is a regexp compile error on one line, without the
// "error parsing regexp" that the message's start already says.
func regexpProblem(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("%s in %q", se.Code, yamlsrc.Shorten(se.Expr))
	}
	return yamlsrc.OneLine(strings.TrimPrefix(err.Error(), "error parsing regexp: "))
}

// nonEmpty reads a string that must not be empty; hint says what to give.
func (l *loader) nonEmpty(n ast.Node, what, hint string) (string, error) {
	s, err := l.Str(n, what)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", l.ErrAt(n, "%s is empty: %s", what, hint)
	}
	return s, nil
}

// boolean reads a true or false; want says what each means.
func (l *loader) boolean(n ast.Node, what, want string) (bool, error) {
	if err := l.Plain(n); err != nil {
		return false, err
	}
	if b, ok := n.(*ast.BoolNode); ok && b != nil {
		return b.Value, nil
	}
	got := yamlsrc.Describe(n)
	if s, ok := n.(*ast.StringNode); ok && s != nil {
		got = fmt.Sprintf("%q", yamlsrc.Shorten(s.Value))
	}
	return false, l.ErrAt(n, "%s must be %s, got %s", what, want, got)
}

// enumError reports s, the value of n, as not one of valid.
func (l *loader) enumError(n ast.Node, s, what string, valid []string) error {
	got := yamlsrc.Describe(n)
	if s != "" {
		got = fmt.Sprintf("%q", yamlsrc.Shorten(s))
	}
	msg := fmt.Sprintf("%s must be one of %s, got %s", what, strings.Join(valid, ", "), got)
	if sug := yamlsrc.Suggest(s, valid); s != "" && sug != "" {
		msg += fmt.Sprintf("; did you mean %q?", sug)
	}
	return l.ErrAt(n, "%s", msg)
}

// oneOf returns the value of n when it is one of valid.
func (l *loader) oneOf(n ast.Node, what string, valid []string) (string, error) {
	s, err := l.Str(n, what)
	if err != nil {
		return "", err
	}
	if !slices.Contains(valid, s) {
		return "", l.enumError(n, s, what, valid)
	}
	return s, nil
}

// names returns values as strings, for messages and suggestions.
func names[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// outcomes returns engine.Outcomes without the excluded ones.
func outcomes(exclude ...engine.Outcome) []string {
	var out []string
	for _, o := range engine.Outcomes {
		if !slices.Contains(exclude, o) {
			out = append(out, string(o))
		}
	}
	return out
}

// outcome reads an outcome that must be one of valid. other lists the
// outcomes of the other protocol, which are explained rather than only
// refused; whose names that protocol ("an event webhook's").
func (l *loader) outcome(n ast.Node, valid, other []string, whose, ends string) (engine.Outcome, error) {
	s, err := l.Str(n, "outcome")
	if err != nil {
		return "", err
	}
	if slices.Contains(valid, s) {
		return engine.Outcome(s), nil
	}
	if slices.Contains(other, s) {
		return "", l.ErrAt(n, "outcome %s is only %s outcome: %s ends in %s", s, whose, ends, strings.Join(valid, ", "))
	}
	return "", l.enumError(n, s, "outcome", valid)
}
