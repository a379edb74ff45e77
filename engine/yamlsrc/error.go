package yamlsrc

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/token"
)

// Error is a problem with a YAML file. Line and Column are 1-based; they
// are 0 for a problem with the file as a whole, such as one that cannot
// be read.
type Error struct {
	File         string
	Line, Column int
	Msg          string
	cause        error // ErrLimit for a file refused by its Limits
}

// ErrLimit is what errors.Is finds in an *Error refusing a file over its
// Limits (size, nesting, number of values): a file not to be shown or
// read further, whatever the caller would do with an ordinary mistake.
var ErrLimit = errors.New("over an input limit")

// Unwrap returns ErrLimit for a refusal by the limits, else nil.
func (e *Error) Unwrap() error { return e.cause }

// Error returns "file:line:col: msg", or "file: msg" without a line, the
// form editors and terminals turn into a link.
func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// yamlError is what go-yaml's errors (syntax, duplicate key…) offer beyond
// their multi-line Error text.
type yamlError interface {
	GetToken() *token.Token
	GetMessage() string
}

// fromYAML turns a go-yaml error about data into an *Error with the
// position of the token it blames and its message on one line. hint, when
// not nil, may add advice about the source line blamed.
func fromYAML(file string, data []byte, err error, hint func(line string) string) *Error {
	var ye yamlError
	if !errors.As(err, &ye) {
		return &Error{File: file, Line: 1, Column: 1, Msg: "invalid YAML: " + OneLine(err.Error())}
	}
	line, col := TokenPosition(ye.GetToken())
	msg := "invalid YAML: " + OneLine(ye.GetMessage())
	if hint != nil {
		if h := hint(sourceLine(data, line)); h != "" {
			msg += "; " + h
		}
	}
	return &Error{File: file, Line: line, Column: col, Msg: msg}
}

// OneLine folds a message onto one line, as an *Error's message must be;
// a tab, which go-yaml quotes raw when it complains about one, is spelled
// out.
func OneLine(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", `\t`).Replace(s)
	return strings.TrimSpace(s)
}

// sourceLine returns line n (1-based) of data, or "".
func sourceLine(data []byte, n int) string {
	for i := 1; len(data) > 0; i++ {
		end := len(data)
		for j, b := range data {
			if b == '\n' {
				end = j
				break
			}
		}
		if i == n {
			return string(data[:end])
		}
		if end == len(data) {
			break
		}
		data = data[end+1:]
	}
	return ""
}
