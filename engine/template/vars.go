package template

import (
	"fmt"
	"strings"
)

// knownList is how error messages spell the set of variables Known accepts.
const knownList = "visitor.id, visitor.name, visitor.email, visitor.phone, conversation.id, " +
	"chatbot.id, chatbot.name, message, intent.name, entities.NAME, lead.FIELD, button.id"

// Known reports whether name is a variable the platform can fill:
// visitor.id, visitor.name, visitor.email, visitor.phone, conversation.id,
// chatbot.id, chatbot.name, message, intent.name, button.id, and
// entities.NAME or lead.FIELD where NAME and FIELD are [A-Za-z0-9_]+.
func Known(name string) bool {
	switch name {
	case "visitor.id", "visitor.name", "visitor.email", "visitor.phone",
		"conversation.id", "chatbot.id", "chatbot.name", "message",
		"intent.name", "button.id":
		return true
	}
	if rest, ok := strings.CutPrefix(name, "entities."); ok {
		return isWord(rest)
	}
	if rest, ok := strings.CutPrefix(name, "lead."); ok {
		return isWord(rest)
	}
	return false
}

// isWord reports whether s is non-empty and made of [A-Za-z0-9_].
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return false
		}
	}
	return true
}

func isWordByte(b byte) bool {
	return b == '_' || isDigit(b) || (b|0x20 >= 'a' && b|0x20 <= 'z')
}

// segment is a run of literal text or one variable of a template string.
type segment struct {
	text  string // the literal text, or the variable name
	isVar bool
}

// varError is a malformed or unknown variable: the message, and which
// "{{" of the string (counting from 0) it starts at, so the caller can find
// its column in the source.
type varError struct {
	index int
	msg   string
}

// splitVars splits s into literal text and variables. Every "{{" opens a
// variable; there is no escape for a literal "{{", so a typo can never slip
// through as text that the endpoint receives verbatim.
func splitVars(s string) ([]segment, *varError) {
	var segs []segment
	n := 0
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			if s != "" {
				segs = append(segs, segment{text: s})
			}
			return segs, nil
		}
		if i > 0 {
			segs = append(segs, segment{text: s[:i]})
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			return nil, &varError{n, `unclosed variable: "{{" has no closing "}}"; write a variable as {{visitor.email}}`}
		}
		raw := s[i+2 : i+2+j]
		name := strings.Trim(raw, " \t")
		if msg := checkName(name, raw); msg != "" {
			return nil, &varError{n, msg}
		}
		segs = append(segs, segment{text: name, isVar: true})
		s = s[i+2+j+2:]
		n++
	}
}

// checkName returns why name (raw as written between the braces) is not a
// usable variable, or "".
func checkName(name, raw string) string {
	if name == "" {
		return `empty variable "{{` + raw + `}}": put a variable name between the braces, e.g. {{visitor.email}}`
	}
	for i := 0; i < len(name); i++ {
		if !isWordByte(name[i]) && name[i] != '.' {
			return fmt.Sprintf("malformed variable %s: a name is letters, digits, \"_\" and \".\" between {{ and }}, e.g. {{visitor.email}}",
				quoteShort("{{"+raw+"}}"))
		}
	}
	if !Known(name) {
		return "unknown variable {{" + name + "}}: known variables are " + knownList
	}
	return ""
}

// quoteShort quotes s for an error message, cut to a readable length.
func quoteShort(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
