package workspace

import (
	"errors"
	"strings"

	"github.com/actionbench/actionbench/engine/template"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// Error is a problem with a workspace file. Line and Column are 1-based;
// they are 0 for a problem with the file as a whole, such as one that
// cannot be read. It is the scenario parser's error type too, so that
// callers handle both the same way.
type Error = yamlsrc.Error

// variableHint explains a YAML syntax error on line when the cause is an
// unquoted {{variable}}, which reads as a YAML flow mapping and fails to
// parse; without it the error is a puzzle about braces.
func variableHint(line string) string {
	if unquotedVariable(line) {
		return `quote strings that contain {{variables}}, e.g. email: "{{visitor.email}}"`
	}
	return ""
}

// unquotedVariable reports whether line has a "{{" where a YAML value
// starts: after "key:", "-", "[" or ",", or at the start of the line.
func unquotedVariable(line string) bool {
	for i := strings.Index(line, "{{"); i >= 0; {
		before := strings.TrimRight(line[:i], " \t")
		if before == "" || strings.ContainsAny(before[len(before)-1:], ":-[,") {
			return true
		}
		j := strings.Index(line[i+2:], "{{")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return false
}

// fromTemplate places a payload compile error in the workspace file.
func fromTemplate(file string, err error) *Error {
	var te *template.Error
	if errors.As(err, &te) {
		return &Error{File: file, Line: te.Line, Column: te.Column, Msg: "payload: " + te.Msg}
	}
	return &Error{File: file, Line: 1, Column: 1, Msg: "payload: " + err.Error()}
}
