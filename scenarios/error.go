package scenarios

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// Error is a problem with a scenario file. Line and Column are 1-based;
// they are 0 for a problem with the file as a whole, such as one that
// cannot be read.
type Error struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// position returns where n starts, or 1:1 when the parser left no
// position, so that every error still points into the file.
func position(n ast.Node) (line, col int) {
	if isNil(n) {
		return 1, 1
	}
	switch m := n.(type) {
	case *ast.DocumentNode:
		if isNil(m.Body) {
			return 1, 1
		}
	case *ast.MappingNode:
		// go-yaml puts a block mapping's token on its first ":", which
		// reads oddly in an error; its first key is where it starts.
		if !m.IsFlowStyle && len(m.Values) > 0 && m.Values[0] != nil && !isNil(m.Values[0].Key) {
			return position(m.Values[0].Key)
		}
	case *ast.MappingValueNode:
		if !isNil(m.Key) {
			return position(m.Key)
		}
	}
	return tokenPosition(n.GetToken())
}

func tokenPosition(tk *token.Token) (line, col int) {
	if tk == nil || tk.Position == nil || tk.Position.Line < 1 {
		return 1, 1
	}
	return tk.Position.Line, max(tk.Position.Column, 1)
}

// pos is position as a Pos.
func pos(n ast.Node) Pos {
	line, col := position(n)
	return Pos{Line: line, Column: col}
}

// yamlError is what go-yaml's errors (syntax, duplicate key…) offer beyond
// their multi-line Error text.
type yamlError interface {
	GetToken() *token.Token
	GetMessage() string
}

// fromYAML turns a go-yaml error into an *Error with the position of the
// token it blames and its message on one line.
func fromYAML(file string, err error) *Error {
	var ye yamlError
	if !errors.As(err, &ye) {
		return &Error{File: file, Line: 1, Column: 1, Msg: "invalid YAML: " + oneLine(err.Error())}
	}
	line, col := tokenPosition(ye.GetToken())
	return &Error{File: file, Line: line, Column: col, Msg: "invalid YAML: " + oneLine(ye.GetMessage())}
}

// oneLine folds a message onto one line; a tab, which go-yaml quotes raw
// when it complains about one, is spelled out.
func oneLine(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", `\t`).Replace(s)
	return strings.TrimSpace(s)
}

// shorten cuts user text quoted in a message to a readable length.
func shorten(s string) string {
	const max = 60
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
