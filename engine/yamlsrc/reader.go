package yamlsrc

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// Kind describes the sort of file a Reader reads, for its messages.
type Kind struct {
	// Name is what one file is, as in "not supported in a workspace".
	Name string
	// Expect is what a file's top level holds, as in "empty workspace:
	// expected chatbot and actions".
	Expect string
	// SecondDoc is appended to the message about a second document,
	// after "remove this second document or the --- before it", as in
	// ", or move it to a file of its own"; "" appends nothing.
	SecondDoc string
	// SyntaxHint, when not nil, returns advice for a YAML syntax error
	// blamed on the source line it is given, or "" for none.
	SyntaxHint func(line string) string
	// Limits bound the file before it is parsed; the zero value bounds
	// only how deep it nests.
	Limits Limits
}

// Reader reads the nodes of one file, turning every problem into an
// *Error in that file. A Reader is for one file and one goroutine.
type Reader struct {
	file string
	kind Kind
	// keyOf maps an empty value ("key:" and nothing more) to its key.
	// go-yaml places such implicit nulls inconsistently, so errors about
	// them point at the key instead.
	keyOf map[ast.Node]ast.Node
}

// NewReader returns a Reader for the file named file, of the given kind.
func NewReader(file string, kind Kind) *Reader {
	return &Reader{file: file, kind: kind, keyOf: map[ast.Node]ast.Node{}}
}

// File returns the name of the file r reads, as its errors give it.
func (r *Reader) File() string {
	return r.file
}

// ErrAt returns an *Error at n, or at n's key when n is an empty value.
func (r *Reader) ErrAt(n ast.Node, format string, args ...any) *Error {
	if k, ok := r.keyOf[n]; ok {
		n = k
	}
	line, col := Position(n)
	return &Error{File: r.file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// Plain refuses the YAML features that make a value mean something other
// than what it shows.
func (r *Reader) Plain(n ast.Node) error {
	switch n.(type) {
	case *ast.AnchorNode, *ast.AliasNode, *ast.TagNode, *ast.MergeKeyNode, *ast.MappingKeyNode:
		return r.ErrAt(n, "%s is not supported in a %s: write the value out in full", Describe(n), r.kind.Name)
	}
	return nil
}

// Mapping returns n's entries, or an error saying n (what) must be expect.
func (r *Reader) Mapping(n ast.Node, what, expect string) ([]*ast.MappingValueNode, error) {
	if err := r.Plain(n); err != nil {
		return nil, err
	}
	entries, ok := AsMapping(n)
	if !ok {
		return nil, r.ErrAt(n, "%s must be %s, got %s", what, expect, Describe(n))
	}
	return entries, nil
}

// List returns n's items, or an error saying n (what) must be expect.
func (r *Reader) List(n ast.Node, what, expect string) ([]ast.Node, error) {
	if err := r.Plain(n); err != nil {
		return nil, err
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok || seq == nil {
		return nil, r.ErrAt(n, "%s must be %s, got %s", what, expect, Describe(n))
	}
	return seq.Values, nil
}

// Str returns a scalar's text. Numbers and booleans count as the text
// written, since ids like 12345 and messages like 1042 are common; null
// counts as "", which the caller reports as missing or empty.
func (r *Reader) Str(n ast.Node, what string) (string, error) {
	if err := r.Plain(n); err != nil {
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
	if IsNil(n) {
		return "", nil
	}
	return "", r.ErrAt(n, "%s must be a string, got %s", what, Describe(n))
}

// Required returns the non-empty text of key in m. owner names the mapping
// ("chatbot", `action "order_lookup"`), field the value ("chatbot.id",
// "url") and hint what to write. A missing key is reported at parent, the
// node that should have held it.
func (r *Reader) Required(m map[string]*ast.MappingValueNode, parent ast.Node, owner, key, field, hint string) (string, error) {
	e, ok := m[key]
	if !ok {
		return "", r.ErrAt(parent, "%s has no %s: add %s", owner, key, hint)
	}
	s, err := r.Str(e.Value, field)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", r.ErrAt(e.Value, "%s is empty: give %s", field, hint)
	}
	return s, nil
}
