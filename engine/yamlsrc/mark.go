package yamlsrc

import (
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// MarkPosition locates the k-th (from 0) mark — "{{" of a template
// variable, "${" of an environment reference — of value, the value of
// the scalar n, in n's source text. The parser keeps each scalar's source;
// when it holds as many marks as the value, the k-th in one is the k-th in
// the other. When it may not (escape sequences in a double-quoted string
// can spell a mark), n's own position is used.
func MarkPosition(n ast.Node, value, mark string, k int) (line, col int) {
	line, col = Position(n)
	var raw string
	switch n := n.(type) {
	case *ast.StringNode:
		tk := n.Token
		if tk == nil || tk.Position == nil || (tk.Type == token.DoubleQuoteType && strings.Contains(tk.Origin, `\`)) {
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
	if strings.Count(raw, mark) != strings.Count(value, mark) {
		return Position(n)
	}
	i := nthIndex(raw, mark, k)
	if i < 0 {
		return Position(n)
	}
	prefix := raw[:i]
	if nl := strings.LastIndexByte(prefix, '\n'); nl >= 0 {
		return line + strings.Count(prefix, "\n"), utf8.RuneCountInString(prefix[nl+1:]) + 1
	}
	return line, col + utf8.RuneCountInString(prefix)
}

// nthIndex returns the index of the k-th (from 0) non-overlapping sub in
// s, or -1.
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
