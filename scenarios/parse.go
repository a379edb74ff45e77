package scenarios

import (
	"fmt"
	"path/filepath"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Parse parses a scenario held in memory. name is used in error messages
// and as the scenario's Path, and a relative workspace is resolved
// against its folder; the file system is not touched.
func Parse(name string, data []byte) (*Scenario, error) {
	l := &loader{file: name, keyOf: map[ast.Node]ast.Node{}}
	body, err := l.document(data)
	if err != nil {
		return nil, err
	}
	s, err := l.scenario(body)
	if err != nil {
		return nil, err
	}
	s.Path = name
	return s, nil
}

// document parses data and returns the body of its single document.
func (l *loader) document(data []byte) (ast.Node, error) {
	file, err := l.parseYAML(data)
	if err != nil {
		return nil, err
	}
	var body ast.Node
	for _, doc := range file.Docs {
		if doc == nil || isNil(doc.Body) {
			continue
		}
		if _, ok := doc.Body.(*ast.DirectiveNode); ok {
			// go-yaml gives a %YAML directive a document of its own.
			continue
		}
		if body != nil {
			return nil, l.errAt(doc.Body, "a scenario is a single YAML document: remove this second document or the --- before it, or move it to a file of its own")
		}
		body = doc.Body
	}
	if body == nil {
		return nil, &Error{File: l.file, Line: 1, Column: 1, Msg: "empty scenario: expected name and steps"}
	}
	return body, nil
}

// parseYAML runs go-yaml's parser. A panic inside the parser on hostile
// input is turned into an error: a bad file must never crash a test run.
func (l *loader) parseYAML(data []byte) (file *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			file, err = nil, &Error{File: l.file, Line: 1, Column: 1, Msg: "invalid YAML: the parser could not read this file"}
		}
	}()
	file, err = parser.ParseBytes(data, 0)
	if err != nil {
		return nil, fromYAML(l.file, err)
	}
	return file, nil
}

// scenario reads the top-level mapping. Keys are checked before values,
// so a misspelt key is reported before what its absence causes.
func (l *loader) scenario(body ast.Node) (*Scenario, error) {
	entries, err := l.mapping(body, "a scenario", "a mapping with name and steps at the top level")
	if err != nil {
		return nil, err
	}
	m, err := l.fields(entries, "the scenario", []string{"name", "workspace", "visitor", "steps"}, topLevelHints)
	if err != nil {
		return nil, err
	}
	s := &Scenario{}
	e, ok := m["name"]
	if !ok {
		return nil, l.errAt(body, "missing name: add a name that says what the scenario checks, e.g. name: Order lookup by intent")
	}
	if s.Name, err = l.str(e.Value, "name"); err != nil {
		return nil, err
	}
	if s.Name == "" {
		return nil, l.errAt(e.Value, "name is empty: say what the scenario checks, e.g. name: Order lookup by intent")
	}
	if e, ok := m["workspace"]; ok {
		if s.Workspace, err = l.workspace(e.Value); err != nil {
			return nil, err
		}
	}
	if e, ok := m["visitor"]; ok {
		if s.Visitor, err = l.visitor(e.Value); err != nil {
			return nil, err
		}
	}
	e, ok = m["steps"]
	if !ok {
		return nil, l.errAt(body, "missing steps: add a steps list with at least one step, such as - say: Hello")
	}
	if s.Steps, err = l.steps(e.Value); err != nil {
		return nil, err
	}
	return s, nil
}

// workspace reads the workspace path and resolves it against the
// scenario's folder, as the scenario's author sees it.
func (l *loader) workspace(n ast.Node) (string, error) {
	s, err := l.str(n, "workspace")
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", l.errAt(n, "workspace is empty: give the workspace file's path relative to this scenario, or remove workspace to use the embedded demo")
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(filepath.Dir(l.file), s)
	}
	return s, nil
}

// visitor reads the optional visitor mapping; "visitor:" alone is an
// anonymous visitor.
func (l *loader) visitor(n ast.Node) (Visitor, error) {
	var v Visitor
	if isNull(n) {
		return v, nil
	}
	entries, err := l.mapping(n, "visitor", "a mapping with any of id, name, email and phone")
	if err != nil {
		return v, err
	}
	m, err := l.fields(entries, "visitor", []string{"id", "name", "email", "phone"}, nil)
	if err != nil {
		return v, err
	}
	for _, f := range []struct {
		key   string
		field *string
	}{{"id", &v.ID}, {"name", &v.Name}, {"email", &v.Email}, {"phone", &v.Phone}} {
		key, field := f.key, f.field
		e, ok := m[key]
		if !ok {
			continue
		}
		if *field, err = l.str(e.Value, "visitor."+key); err != nil {
			return v, err
		}
		if *field == "" {
			return v, l.errAt(e.Value, "visitor.%s is empty: give the visitor's %s, or remove the key", key, key)
		}
	}
	return v, nil
}

// steps reads the step list, which must hold at least one step.
func (l *loader) steps(n ast.Node) ([]Step, error) {
	if isNull(n) {
		return nil, l.errAt(n, "steps is empty: add at least one step, such as - say: Hello")
	}
	items, err := l.list(n, "steps", `a list of steps, each starting with "- ", such as - say: Hello`)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, l.errAt(n, "steps is empty: add at least one step, such as - say: Hello")
	}
	seq := n.(*ast.SequenceNode)
	out := make([]Step, 0, len(items))
	for i, item := range items {
		what := fmt.Sprintf("steps[%d]", i)
		if isNull(item) && i < len(seq.Entries) && seq.Entries[i] != nil && seq.Entries[i].Start != nil {
			// A bare "-" has no position of its own; its hyphen does.
			line, col := tokenPosition(seq.Entries[i].Start)
			return nil, &Error{File: l.file, Line: line, Column: col, Msg: fmt.Sprintf("%s is empty: %s", what, emptyStep)}
		}
		st, err := l.step(what, item)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}
