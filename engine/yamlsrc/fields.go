package yamlsrc

import (
	"fmt"
	"slices"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// Advise explains an unknown key, given its entry and its text, or
// returns "" to leave the explaining to a "did you mean" suggestion. It
// lets a reader say why a key that belongs elsewhere is wrong here.
type Advise func(e *ast.MappingValueNode, key string) string

// Fields checks a mapping's keys against the valid ones and returns its
// entries by key. what names the mapping in messages ("a step"); advise
// may be nil.
func (r *Reader) Fields(entries []*ast.MappingValueNode, what string, valid []string, advise Advise) (map[string]*ast.MappingValueNode, error) {
	out := make(map[string]*ast.MappingValueNode, len(entries))
	for _, e := range entries {
		if e == nil || IsNil(e.Key) {
			continue
		}
		if err := r.Plain(e.Key); err != nil {
			return nil, err
		}
		key, err := r.Str(e.Key, "a key")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(valid, key) {
			return nil, r.ErrAt(e.Key, "%s", unknownKey(e, key, what, valid, advise))
		}
		if prev, dup := out[key]; dup {
			line, _ := Position(prev.Key)
			return nil, r.ErrAt(e.Key, "key %q appears twice in %s (first at line %d): keep one", Shorten(key), what, line)
		}
		out[key] = e
		if !IsNil(e.Value) {
			if tk := e.Value.GetToken(); tk != nil && tk.Type == token.ImplicitNullType {
				r.keyOf[e.Value] = e.Key
			}
		}
	}
	return out, nil
}

// unknownKey is the message for key, which is not one of valid.
func unknownKey(e *ast.MappingValueNode, key, what string, valid []string, advise Advise) string {
	msg := fmt.Sprintf("unknown key %q in %s: valid keys are %s", Shorten(key), what, List(valid))
	if advise != nil {
		if a := advise(e, key); a != "" {
			return msg + "; " + a
		}
	}
	if s := Suggest(key, valid); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return msg
}
