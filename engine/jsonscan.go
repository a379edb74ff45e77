package engine

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// member is one key of a JSON object with its raw value.
type member struct {
	key string
	raw []byte
}

// jsonProblem explains why body is not a usable JSON object, or returns ""
// when it is one. It costs one validation pass and no allocation on success.
func jsonProblem(body []byte) string {
	if !utf8.Valid(body) {
		return fmt.Sprintf("the body is not valid UTF-8 (first bad byte at offset %d): send JSON encoded as UTF-8", firstInvalidUTF8(body))
	}
	if err := validateJSON(body); err != nil {
		return fmt.Sprintf("the body is not valid JSON (%s at offset %d)", err.msg, err.offset)
	}
	if kind := jsonKind(body); kind != "object" {
		return fmt.Sprintf("the body is a JSON %s, not an object", kind)
	}
	return ""
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// jsonKind names the type of a valid JSON value.
func jsonKind(raw []byte) string {
	raw = trimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// members calls fn for each top-level member of a valid JSON object, in
// order. body must already have passed jsonProblem.
func members(body []byte, fn func(m member)) {
	i := skipSpace(body, 0) + 1 // past '{'
	for {
		i = skipSpace(body, i)
		if body[i] == '}' {
			return
		}
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		end := skipString(body, i)
		key := unquote(body[i:end])
		i = skipSpace(body, end)
		i = skipSpace(body, i+1) // past ':'
		vend := skipValue(body, i)
		fn(member{key: key, raw: body[i:vend]})
		i = vend
	}
}

// unquote decodes a JSON string literal; it allocates only for escapes.
func unquote(lit []byte) string {
	for _, c := range lit[1 : len(lit)-1] {
		if c == '\\' {
			var s string
			_ = json.Unmarshal(lit, &s)
			return s
		}
	}
	return string(lit[1 : len(lit)-1])
}

func trimSpace(b []byte) []byte {
	i := skipSpace(b, 0)
	j := len(b)
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index just past the string literal starting at i.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the valid JSON value starting at i.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) && !isSpace(b[i]) && b[i] != ',' && b[i] != '}' && b[i] != ']' {
		i++
	}
	return i
}
