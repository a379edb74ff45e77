package scenarios

import (
	"math"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine/yamlsrc"
)

const payloadExample = `payload: {order_id: "1042"}`

// payload reads a dispatch's payload check and flattens it: every leaf of
// the mapping becomes one PayloadCheck, so the runner reports each
// mismatching field on its own line.
func (l *loader) payload(n ast.Node) ([]PayloadCheck, error) {
	empty := "payload is empty: list the payload fields to check, e.g. " + payloadExample + ", or remove payload"
	if isNull(n) {
		return nil, l.ErrAt(n, "%s", empty)
	}
	entries, err := l.Mapping(n, "payload", "a mapping of payload fields to the values expected, e.g. "+payloadExample)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, l.ErrAt(n, "%s", empty)
	}
	var out []PayloadCheck
	if err := l.flatten(n, "", n, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// flatten appends the checks for n, found at path; at is where a check
// on n itself is reported (its key, or the list item).
func (l *loader) flatten(n ast.Node, path string, at ast.Node, out *[]PayloadCheck) error {
	if err := l.Plain(n); err != nil {
		return err
	}
	if entries, ok := yamlsrc.AsMapping(n); ok {
		if len(entries) == 0 {
			*out = append(*out, PayloadCheck{Pos: pos(at), Path: path, Want: map[string]any{}})
			return nil
		}
		first := map[string]int{}
		for _, e := range entries {
			if e == nil || yamlsrc.IsNil(e.Key) {
				continue
			}
			key, err := l.payloadKey(e.Key)
			if err != nil {
				return err
			}
			if line, dup := first[key]; dup {
				return l.ErrAt(e.Key, "payload key %q appears twice (first at line %d): keep one", yamlsrc.Shorten(key), line)
			}
			first[key], _ = yamlsrc.Position(e.Key)
			if err := l.flatten(e.Value, joinKey(path, key), e.Key, out); err != nil {
				return err
			}
		}
		return nil
	}
	if seq, ok := n.(*ast.SequenceNode); ok && seq != nil {
		if len(seq.Values) == 0 {
			*out = append(*out, PayloadCheck{Pos: pos(at), Path: path, Want: []any{}})
			return nil
		}
		for i, item := range seq.Values {
			if err := l.flatten(item, path+"["+strconv.Itoa(i)+"]", item, out); err != nil {
				return err
			}
		}
		return nil
	}
	want, err := l.scalar(n)
	if err != nil {
		return err
	}
	*out = append(*out, PayloadCheck{Pos: pos(at), Path: path, Want: want})
	return nil
}

// payloadKey returns a payload key's text. Keys that YAML types as
// numbers, booleans or null keep the text written, as JSON keys do.
func (l *loader) payloadKey(k ast.Node) (string, error) {
	if err := l.Plain(k); err != nil {
		return "", err
	}
	switch k := k.(type) {
	case *ast.StringNode:
		return k.Value, nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NullNode, *ast.InfinityNode, *ast.NanNode:
		if tk := k.GetToken(); tk != nil {
			return tk.Value, nil
		}
	}
	return "", l.ErrAt(k, "a payload key must be a string, got %s", yamlsrc.Describe(k))
}

// scalar returns a leaf's expected value as JSON decoding would give it,
// so that the runner can compare it with the payload sent.
func (l *loader) scalar(n ast.Node) (any, error) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, nil
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", nil
		}
		return v.Value.Value, nil
	case *ast.IntegerNode:
		switch i := v.Value.(type) {
		case int64:
			return float64(i), nil
		case uint64:
			return float64(i), nil
		}
		return nil, l.ErrAt(n, "integer %s is too large for JSON: quote it to check for text", yamlsrc.Shorten(v.GetToken().Value))
	case *ast.FloatNode:
		if math.IsInf(v.Value, 0) || math.IsNaN(v.Value) {
			return nil, l.ErrAt(n, "%s is too large for JSON: quote it to check for text", yamlsrc.Shorten(v.GetToken().Value))
		}
		return v.Value, nil
	case *ast.InfinityNode, *ast.NanNode:
		text := v.GetToken().Value
		return nil, l.ErrAt(n, "%s is not a number JSON can carry: quote it (%q) to check for text", text, text)
	case *ast.BoolNode:
		return v.Value, nil
	case *ast.NullNode:
		return nil, nil
	}
	if yamlsrc.IsNil(n) {
		return nil, nil
	}
	return nil, l.ErrAt(n, "a payload value must be a string, number, boolean, null, mapping or list, got %s", yamlsrc.Describe(n))
}

// joinKey appends key to path: after a dot when it is a plain word, else
// quoted in brackets, so that a path names exactly one place.
func joinKey(path, key string) string {
	plain := key != ""
	for i := 0; i < len(key); i++ {
		if key[i] != '_' && key[i] != '-' && !isAlnum(key[i]) {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return path + "[" + strconv.Quote(key) + "]"
	case path == "":
		return key
	}
	return path + "." + key
}

// Lookup finds the value at c.Path in payload, a decoded JSON value
// (map[string]any and []any), reporting whether it is there.
func (c PayloadCheck) Lookup(payload any) (any, bool) {
	cur, p := payload, c.Path
	for p != "" {
		var key string
		index := -1
		switch {
		case strings.HasPrefix(p, `["`):
			q, err := strconv.QuotedPrefix(p[1:])
			if err != nil || !strings.HasPrefix(p[1+len(q):], "]") {
				return nil, false
			}
			key, _ = strconv.Unquote(q)
			p = p[len(q)+2:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, false
			}
			i, err := strconv.Atoi(p[1:end])
			if err != nil || i < 0 {
				return nil, false
			}
			index, p = i, p[end+1:]
		default:
			p = strings.TrimPrefix(p, ".")
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			key, p = p[:end], p[end:]
		}
		if index >= 0 {
			list, ok := cur.([]any)
			if !ok || index >= len(list) {
				return nil, false
			}
			cur = list[index]
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[key]; !ok {
			return nil, false
		}
	}
	return cur, true
}
