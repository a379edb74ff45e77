package workspace

import (
	"strings"

	"github.com/goccy/go-yaml/ast"

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
			e.Line, e.Column = yamlsrc.MarkPosition(n, s, "${", strings.Count(s[:i], "${"))
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
