// Package template resolves an action's payload template structurally: the
// template is a parsed tree, variables are substituted into its nodes, and
// each value is encoded by encoding/json as a JSON string, so no variable
// value can break the JSON or add keys.
//
// Compiled here, not text/template or a map for encoding/json: measured, a text template lets the
// value `x","admin":true,"y":"z` add a key (TestTextTemplateWouldInject); a map loses key order.
//
// A template is compiled once, when the workspace is loaded, into a flat
// program of pre-encoded JSON fragments and variable slots; a render walks
// that program and appends to the caller's buffer.
package template

import (
	"fmt"
	"slices"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// Vars maps variable names ("visitor.email", "entities.order_id") to values.
type Vars map[string]string

// Lookup finds a variable's value. Vars is a Lookup; callers can layer
// defaults over a Vars without copying it on every render.
type Lookup interface {
	Lookup(name string) (value string, ok bool)
}

// Lookup returns the value of name.
func (v Vars) Lookup(name string) (string, bool) {
	s, ok := v[name]
	return s, ok
}

// Template is a compiled payload template. It is immutable and safe for
// concurrent use. A nil *Template renders as an empty object.
type Template struct {
	ops  []op
	vars []string
	size int // literal bytes plus a guess per variable; see SizeHint
}

// opKind says what one step of a compiled template appends.
type opKind uint8

const (
	// opLit appends pre-encoded JSON bytes.
	opLit opKind = iota
	// opValue appends a variable's value as a JSON string, or null.
	opValue
	// opText appends a variable's value escaped for the inside of a JSON
	// string whose quotes are part of the surrounding literals.
	opText
)

// op is one step of a compiled template. For opValue and opText, warn is
// the complete warning for an unresolved variable, built at compile time so
// that rendering never formats.
type op struct {
	kind opKind
	lit  string // opLit: JSON bytes; otherwise the variable name
	warn string
}

// Error is a compile error in a payload template, at the line and column of
// the offending YAML node or of the variable inside a string.
type Error struct {
	Line, Column int
	Msg          string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// FromYAML compiles a payload from its YAML node, keeping key order. A nil
// node (or a document without a body) compiles to a nil *Template, which
// renders as {}. Anchors, aliases, tags and merge keys are refused so that
// what the file shows is exactly what is sent; any error is an *Error.
func FromYAML(n ast.Node) (*Template, error) {
	if yamlsrc.IsNil(n) {
		return nil, nil
	}
	if d, ok := n.(*ast.DocumentNode); ok {
		if yamlsrc.IsNil(d.Body) {
			return nil, nil
		}
		n = d.Body
	}
	c := compiler{seen: map[string]bool{}}
	if err := c.value(n, "payload"); err != nil {
		return nil, err
	}
	c.flush()
	t := &Template{ops: c.ops, vars: c.vars}
	for _, o := range t.ops {
		if o.kind == opLit {
			t.size += len(o.lit)
		} else {
			t.size += typicalValueSize
		}
	}
	return t, nil
}

// AppendJSON appends the template rendered with vars as compact JSON to dst.
// It returns a warning for each unresolved variable.
func (t *Template) AppendJSON(dst []byte, vars Lookup) ([]byte, []string) {
	if t == nil {
		return append(dst, '{', '}'), nil
	}
	if vars == nil {
		vars = Vars(nil)
	}
	var warnings []string
	var enc stringEncoder
	for i := range t.ops {
		o := &t.ops[i]
		switch o.kind {
		case opLit:
			dst = append(dst, o.lit...)
		case opValue:
			if v, ok := vars.Lookup(o.lit); ok {
				dst = enc.appendString(dst, v)
			} else {
				dst = append(dst, "null"...)
				warnings = append(warnings, o.warn)
			}
		case opText:
			if v, ok := vars.Lookup(o.lit); ok {
				dst = enc.appendEscaped(dst, v)
			} else {
				warnings = append(warnings, o.warn)
			}
		}
	}
	return dst, warnings
}

// typicalValueSize is what SizeHint allows for each variable's value.
const typicalValueSize = 32

// SizeHint estimates the rendered size, so callers can allocate once.
func (t *Template) SizeHint() int {
	if t == nil {
		return 2
	}
	return t.size
}

// Variables returns the names of the variables the template refers to,
// without duplicates, in order of appearance.
func (t *Template) Variables() []string {
	if t == nil {
		return nil
	}
	return slices.Clone(t.vars)
}
