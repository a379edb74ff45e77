package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Responses are read with encoding/json: json.Valid for the grammar and
// its nesting limit (10,000), a Decoder's token loop where the order and
// repetition of keys matter, since a map would hide both.

// member is one key of a JSON object with its raw value.
type member struct {
	key string
	raw json.RawMessage
}

// jsonProblem explains why body is not a usable JSON object, or returns ""
// when it is one.
func jsonProblem(body []byte) string {
	if !utf8.Valid(body) {
		return fmt.Sprintf("the body is not valid UTF-8 (first bad byte at offset %d): send JSON encoded as UTF-8", firstInvalidUTF8(body))
	}
	if !json.Valid(body) {
		return "the body is not valid JSON (" + syntaxProblem(body) + ")"
	}
	if kind := jsonKind(body); kind != "object" {
		return fmt.Sprintf("the body is a JSON %s, not an object", kind)
	}
	return ""
}

// endOfInput is encoding/json's message for a document cut short.
const endOfInput = "unexpected end of JSON input"

// syntaxProblem says what is wrong with body, which json.Valid refused,
// and at which byte. encoding/json counts the bad byte among those it has
// read; the diagnosis names the bad byte's own offset, counted from 0, as
// the UTF-8 check does.
func syntaxProblem(body []byte) string {
	var raw json.RawMessage
	var syntax *json.SyntaxError
	if err := json.Unmarshal(body, &raw); !errors.As(err, &syntax) {
		return fmt.Sprint(err)
	}
	at := syntax.Offset
	if at > 0 && syntax.Error() != endOfInput {
		at--
	}
	return fmt.Sprintf("%s at offset %d", syntax, at)
}

// firstInvalidUTF8 is the offset of the first byte that is not UTF-8.
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

// jsonKind names the type of a valid JSON value from its first byte.
func jsonKind(raw []byte) string {
	raw = bytes.TrimLeft(raw, " \t\r\n")
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

// objectMembers lists the members of a valid JSON object in order,
// repeated keys included. It returns nil for anything else.
func objectMembers(raw []byte) []member {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var ms []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return ms
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return ms
		}
		ms = append(ms, member{key, v})
	}
	return ms
}

// decodeString reads a JSON string value that passed jsonProblem; anything
// else reads as "".
func decodeString(raw []byte) string {
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]) // no escapes: the text is as written
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// isBlank reports whether b holds only JSON whitespace.
func isBlank(b []byte) bool {
	return len(bytes.TrimLeft(b, " \t\r\n")) == 0
}
