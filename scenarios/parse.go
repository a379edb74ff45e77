package scenarios

import (
	"fmt"
	"path/filepath"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// Parse parses a scenario held in memory. name is used in error messages
// and as the scenario's Path, and a relative workspace is resolved
// against its folder; the file system is not touched.
func Parse(name string, data []byte) (*Scenario, error) {
	return parse(name, data, DefaultLimits())
}

func parse(name string, data []byte, lim yamlsrc.Limits) (*Scenario, error) {
	l := &loader{yamlsrc.NewReader(name, kind(lim))}
	body, err := l.Document(data)
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

// scenario reads the top-level mapping. Keys are checked before values,
// so a misspelt key is reported before what its absence causes.
func (l *loader) scenario(body ast.Node) (*Scenario, error) {
	entries, err := l.Mapping(body, "a scenario", "a mapping with name and steps at the top level")
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
		return nil, l.ErrAt(body, "missing name: add a name that says what the scenario checks, e.g. name: Order lookup by intent")
	}
	if s.Name, err = l.Str(e.Value, "name"); err != nil {
		return nil, err
	}
	if s.Name == "" {
		return nil, l.ErrAt(e.Value, "name is empty: say what the scenario checks, e.g. name: Order lookup by intent")
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
		return nil, l.ErrAt(body, "missing steps: add a steps list with at least one step, such as - say: Hello")
	}
	if s.Steps, err = l.steps(e.Value); err != nil {
		return nil, err
	}
	return s, nil
}

// workspace reads the workspace path and resolves it against the
// scenario's folder, as the scenario's author sees it.
func (l *loader) workspace(n ast.Node) (string, error) {
	s, err := l.Str(n, "workspace")
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", l.ErrAt(n, "workspace is empty: give the workspace file's path relative to this scenario, or remove workspace to use the embedded demo")
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(filepath.Dir(l.File()), s)
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
	entries, err := l.Mapping(n, "visitor", "a mapping with any of id, name, email and phone")
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
		if *field, err = l.Str(e.Value, "visitor."+key); err != nil {
			return v, err
		}
		if *field == "" {
			return v, l.ErrAt(e.Value, "visitor.%s is empty: give the visitor's %s, or remove the key", key, key)
		}
	}
	return v, nil
}

// steps reads the step list, which must hold at least one step.
func (l *loader) steps(n ast.Node) ([]Step, error) {
	if isNull(n) {
		return nil, l.ErrAt(n, "steps is empty: add at least one step, such as - say: Hello")
	}
	items, err := l.List(n, "steps", `a list of steps, each starting with "- ", such as - say: Hello`)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, l.ErrAt(n, "steps is empty: add at least one step, such as - say: Hello")
	}
	seq := n.(*ast.SequenceNode)
	out := make([]Step, 0, len(items))
	for i, item := range items {
		what := fmt.Sprintf("steps[%d]", i)
		if isNull(item) && i < len(seq.Entries) && seq.Entries[i] != nil && seq.Entries[i].Start != nil {
			// A bare "-" has no position of its own; its hyphen does.
			line, col := yamlsrc.TokenPosition(seq.Entries[i].Start)
			return nil, &Error{File: l.File(), Line: line, Column: col, Msg: fmt.Sprintf("%s is empty: %s", what, emptyStep)}
		}
		st, err := l.step(what, item)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}
