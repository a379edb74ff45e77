package yamlsrc

import (
	"reflect"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// IsNil reports whether n is nil or a typed nil pointer; go-yaml leaves
// typed nils in some trees, and calling methods on them panics.
func IsNil(n ast.Node) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// AsMapping returns the entries of a mapping node. go-yaml may hand a
// one-entry mapping over as its bare entry.
func AsMapping(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch n := n.(type) {
	case *ast.MappingNode:
		return n.Values, n != nil
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{n}, n != nil
	}
	return nil, false
}

// Describe names n's YAML type for the "got …" part of a message.
func Describe(n ast.Node) string {
	if IsNil(n) {
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

// Position returns where n starts, or 1:1 when the parser left no
// position, so that every error still points into the file.
func Position(n ast.Node) (line, col int) {
	if IsNil(n) {
		return 1, 1
	}
	switch m := n.(type) {
	case *ast.DocumentNode:
		if IsNil(m.Body) {
			return 1, 1
		}
	case *ast.MappingNode:
		// go-yaml puts a block mapping's token on its first ":", which
		// reads oddly in an error; its first key is where it starts.
		if !m.IsFlowStyle && len(m.Values) > 0 && m.Values[0] != nil && !IsNil(m.Values[0].Key) {
			return Position(m.Values[0].Key)
		}
	case *ast.MappingValueNode:
		if !IsNil(m.Key) {
			return Position(m.Key)
		}
	}
	return TokenPosition(n.GetToken())
}

// TokenPosition returns where tk starts, or 1:1 when it has no position,
// for the places that have a token but no node, such as a bare "-".
func TokenPosition(tk *token.Token) (line, col int) {
	if tk == nil || tk.Position == nil || tk.Position.Line < 1 {
		return 1, 1
	}
	return tk.Position.Line, max(tk.Position.Column, 1)
}
