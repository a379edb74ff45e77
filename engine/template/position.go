package template

import (
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// position returns the line and column of n, or 1:1 when the parser left
// no position on it, so that every error still points into the file.
func position(n ast.Node) (line, col int) {
	if isNil(n) {
		return 1, 1
	}
	if d, ok := n.(*ast.DocumentNode); ok && isNil(d.Body) {
		return 1, 1
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil || tk.Position.Line < 1 {
		return 1, 1
	}
	return tk.Position.Line, max(tk.Position.Column, 1)
}

// varPosition locates the k-th "{{" of value, a string scalar's value, in
// the source text of n. The parser keeps each scalar's source text; when
// that text has the same "{{" as the value, the k-th one in the source is
// the k-th one in the value. When it may not (escape sequences in a
// double-quoted string can spell braces) the node's own position is used.
func varPosition(n ast.Node, value string, k int) (line, col int) {
	line, col = position(n)
	var raw string
	switch n := n.(type) {
	case *ast.StringNode:
		tk := n.Token
		if tk == nil || tk.Position == nil {
			return line, col
		}
		if tk.Type == token.DoubleQuoteType && strings.Contains(tk.Origin, `\`) {
			return line, col
		}
		raw = strings.TrimLeft(tk.Origin, " \t\r\n")
	case *ast.LiteralNode:
		if n.Value == nil || n.Value.Token == nil {
			return line, col
		}
		// A block scalar's text starts on the line after its | or >
		// indicator, indentation included.
		raw = n.Value.Token.Origin
		line, col = line+1, 1
	default:
		return line, col
	}
	if strings.Count(raw, "{{") != strings.Count(value, "{{") {
		return position(n)
	}
	i := nthIndex(raw, "{{", k)
	if i < 0 {
		return position(n)
	}
	prefix := raw[:i]
	if nl := strings.LastIndexByte(prefix, '\n'); nl >= 0 {
		return line + strings.Count(prefix, "\n"), utf8.RuneCountInString(prefix[nl+1:]) + 1
	}
	return line, col + utf8.RuneCountInString(prefix)
}

// nthIndex returns the index of the k-th (from 0) non-overlapping sub in s,
// or -1.
func nthIndex(s, sub string, k int) int {
	off := 0
	for {
		i := strings.Index(s[off:], sub)
		if i < 0 {
			return -1
		}
		if k == 0 {
			return off + i
		}
		k--
		off += i + len(sub)
	}
}
