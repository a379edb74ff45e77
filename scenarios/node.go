package scenarios

import (
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// isNull reports whether n is an absent or null value ("key:" alone).
func isNull(n ast.Node) bool {
	if yamlsrc.IsNil(n) {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

// loader reads one scenario document, turning every problem into an
// *Error in its file.
type loader struct {
	*yamlsrc.Reader
}

// kind describes a scenario file for the reader's messages.
func kind(lim yamlsrc.Limits) yamlsrc.Kind {
	return yamlsrc.Kind{
		Name:      "scenario",
		Expect:    "name and steps",
		SecondDoc: ", or move it to a file of its own",
		Limits:    lim,
	}
}

// fields is Reader.Fields with a scenario's advice for unknown keys:
// hints maps keys that belong elsewhere to how to fix them, so that an
// indentation slip is explained rather than only refused, and text cut
// at a comma is pointed out.
func (l *loader) fields(entries []*ast.MappingValueNode, what string, valid []string, hints map[string]string) (map[string]*ast.MappingValueNode, error) {
	return l.Fields(entries, what, valid, func(e *ast.MappingValueNode, key string) string {
		if hint, ok := hints[key]; ok {
			return hint
		}
		if commaSplit(e) {
			return commaHint
		}
		return ""
	})
}

const commaHint = `a comma inside {…} starts a new key: quote text that contains a comma, e.g. {equals: "Thanks, Jane!"}`

// commaSplit reports whether e looks like the tail of text cut at a comma
// in a flow mapping: {equals: Thanks, Jane!} reads as two keys, the
// second being "Jane!" with no value.
func commaSplit(e *ast.MappingValueNode) bool {
	if e.CollectEntry == nil {
		return false
	}
	if yamlsrc.IsNil(e.Value) {
		return true
	}
	vt := e.Value.GetToken()
	return vt == nil || vt.Type == token.ImplicitNullType
}
