package workspace

import (
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// expand replaces the ${NAME} references in s, the value of node n named
// what ("secret", "url"), with environment values; $${ stands for a
// literal ${. Messages name the variable but never quote s or a value:
// s may be, or become, a secret.
func (l *loader) expand(n ast.Node, s, what string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(s[i])
			i++
			continue
		}
		at := func(format string, args ...any) *Error {
			e := l.ErrAt(n, format, args...)
			e.Line, e.Column = refPosition(n, s, strings.Count(s[:i], "${"))
			return e
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return "", at(`%s has "${" without a closing "}": write ${NAME}, or $${ for a literal ${`, what)
		}
		name := s[i+2 : i+2+end]
		if !envName(name) {
			return "", at("%s has a malformed ${...} reference: NAME in ${NAME} is letters, digits and _, not starting with a digit; write $${ for a literal ${", what)
		}
		v, ok := l.env(name)
		if !ok {
			return "", at("%s refers to ${%s}, which is not set: export %s or change the workspace", what, name, name)
		}
		b.WriteString(v)
		i += 2 + end + 1
	}
	return b.String(), nil
}

// envName reports whether s is a portable environment variable name.
func envName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && (c < '0' || c > '9') && (c|0x20 < 'a' || c|0x20 > 'z') {
			return false
		}
	}
	return true
}

// refPosition locates the k-th "${" of value, the value of the scalar n, in
// n's source text, falling back to n's position when the source may not
// match the value (escape sequences in a double-quoted string).
func refPosition(n ast.Node, value string, k int) (line, col int) {
	line, col = yamlsrc.Position(n)
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
		// A block scalar's text starts on the line after its indicator.
		raw = n.Value.Token.Origin
		line, col = line+1, 1
	default:
		return line, col
	}
	if strings.Count(raw, "${") != strings.Count(value, "${") {
		return yamlsrc.Position(n)
	}
	off := 0
	for ; k >= 0; k-- {
		i := strings.Index(raw[off:], "${")
		if i < 0 {
			return yamlsrc.Position(n)
		}
		off += i
		if k > 0 {
			off += 2
		}
	}
	prefix := raw[:off]
	if nl := strings.LastIndexByte(prefix, '\n'); nl >= 0 {
		return line + strings.Count(prefix, "\n"), utf8.RuneCountInString(prefix[nl+1:]) + 1
	}
	return line, col + utf8.RuneCountInString(prefix)
}
