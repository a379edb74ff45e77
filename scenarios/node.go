package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// isNil reports whether n is nil or a typed nil pointer; go-yaml leaves
// typed nils in some trees, and calling methods on them panics.
func isNil(n ast.Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// isNull reports whether n is an absent or null value ("key:" alone).
func isNull(n ast.Node) bool {
	if isNil(n) {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

// asMapping returns the entries of a mapping node. go-yaml may hand a
// one-entry mapping over as its bare entry.
func asMapping(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch n := n.(type) {
	case *ast.MappingNode:
		return n.Values, n != nil
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{n}, n != nil
	}
	return nil, false
}

// describe names n's YAML type for the "got …" part of a message.
func describe(n ast.Node) string {
	if isNil(n) {
		return "nothing"
	}
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.NullNode:
		return "nothing (null)"
	case *ast.AnchorNode:
		return "an anchor (&name)"
	case *ast.AliasNode:
		return "an alias (*name)"
	case *ast.TagNode:
		return "a tagged value (!!type)"
	case *ast.MergeKeyNode:
		return "a merge key (<<)"
	case *ast.MappingKeyNode:
		return "an explicit key (? key)"
	}
	return "a YAML " + n.Type().String()
}

// loader reads one scenario document, turning every problem into an
// *Error in file.
type loader struct {
	file string
	// keyOf maps an empty value ("key:" and nothing more) to its key.
	// go-yaml places such implicit nulls inconsistently, so errors about
	// them point at the key instead.
	keyOf map[ast.Node]ast.Node
}

func (l *loader) errAt(n ast.Node, format string, args ...any) *Error {
	if k, ok := l.keyOf[n]; ok {
		n = k
	}
	line, col := position(n)
	return &Error{File: l.file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// plain refuses the YAML features that make a value mean something other
// than what it shows.
func (l *loader) plain(n ast.Node) error {
	switch n.(type) {
	case *ast.AnchorNode, *ast.AliasNode, *ast.TagNode, *ast.MergeKeyNode, *ast.MappingKeyNode:
		return l.errAt(n, "%s is not supported in a scenario: write the value out in full", describe(n))
	}
	return nil
}

// mapping returns n's entries, or an error saying n (what) must be expect.
func (l *loader) mapping(n ast.Node, what, expect string) ([]*ast.MappingValueNode, error) {
	if err := l.plain(n); err != nil {
		return nil, err
	}
	entries, ok := asMapping(n)
	if !ok {
		return nil, l.errAt(n, "%s must be %s, got %s", what, expect, describe(n))
	}
	return entries, nil
}

// list returns n's items, or an error saying n (what) must be expect.
func (l *loader) list(n ast.Node, what, expect string) ([]ast.Node, error) {
	if err := l.plain(n); err != nil {
		return nil, err
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok || seq == nil {
		return nil, l.errAt(n, "%s must be %s, got %s", what, expect, describe(n))
	}
	return seq.Values, nil
}

// str returns a scalar's text. Numbers and booleans count as the text
// written, since ids like 12345 and messages like 1042 are common; null
// counts as "", which the caller reports as missing or empty.
func (l *loader) str(n ast.Node, what string) (string, error) {
	if err := l.plain(n); err != nil {
		return "", err
	}
	switch n := n.(type) {
	case *ast.StringNode:
		return n.Value, nil
	case *ast.LiteralNode:
		if n.Value == nil {
			return "", nil
		}
		return n.Value.Value, nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value, nil
		}
	case *ast.NullNode:
		return "", nil
	}
	if isNil(n) {
		return "", nil
	}
	return "", l.errAt(n, "%s must be a string, got %s", what, describe(n))
}

// fields checks a mapping's keys against the valid ones and returns its
// entries by key. what names the mapping in messages ("a step"). hints
// maps keys that belong elsewhere to how to fix them, so that an
// indentation slip is explained rather than only refused.
func (l *loader) fields(entries []*ast.MappingValueNode, what string, valid []string, hints map[string]string) (map[string]*ast.MappingValueNode, error) {
	out := make(map[string]*ast.MappingValueNode, len(entries))
	for _, e := range entries {
		if e == nil || isNil(e.Key) {
			continue
		}
		if err := l.plain(e.Key); err != nil {
			return nil, err
		}
		key, err := l.str(e.Key, "a key")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(valid, key) {
			msg := fmt.Sprintf("unknown key %q in %s: valid keys are %s", shorten(key), what, strings.Join(valid, ", "))
			if hint, ok := hints[key]; ok {
				msg += "; " + hint
			} else if commaSplit(e) {
				msg += "; " + commaHint
			} else if s := suggest(key, valid); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return nil, l.errAt(e.Key, "%s", msg)
		}
		if prev, dup := out[key]; dup {
			line, _ := position(prev.Key)
			return nil, l.errAt(e.Key, "key %q appears twice in %s (first at line %d): keep one", shorten(key), what, line)
		}
		out[key] = e
		if !isNil(e.Value) {
			if tk := e.Value.GetToken(); tk != nil && tk.Type == token.ImplicitNullType {
				l.keyOf[e.Value] = e.Key
			}
		}
	}
	return out, nil
}

const commaHint = `a comma inside {…} starts a new key: quote text that contains a comma, e.g. {equals: "Thanks, Jane!"}`

// commaSplit reports whether e looks like the tail of text cut at a comma
// in a flow mapping: {equals: Thanks, Jane!} reads as two keys, the
// second being "Jane!" with no value.
func commaSplit(e *ast.MappingValueNode) bool {
	if e.CollectEntry == nil {
		return false
	}
	if isNil(e.Value) {
		return true
	}
	vt := e.Value.GetToken()
	return vt == nil || vt.Type == token.ImplicitNullType
}

// suggest returns the valid word closest to s when it is close enough to
// be a typo, or else the only valid word that contains s (as when the
// "on_" of an event name is left out).
func suggest(s string, valid []string) string {
	s = strings.ToLower(s)
	best, bestDist := "", 3
	for _, v := range valid {
		if d := distance(s, v); d < bestDist {
			best, bestDist = v, d
		}
	}
	if best != "" || len(s) < 4 {
		return best
	}
	for _, v := range valid {
		if strings.Contains(v, s) {
			if best != "" {
				return ""
			}
			best = v
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
