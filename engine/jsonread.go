package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Responses are read with encoding/json: a Decoder's token loop, because
// the order and repetition of keys matter and a map would hide both, with
// InputOffset to take each member's value from the body without a copy.
// The usual reply, one protocol key and its value, is recognised by its
// shape and checked with json.Valid alone: the token loop is most of a
// dispatch's own CPU, which load runs spend beside the endpoint's.

// member is one key of a JSON object with its raw value.
type member struct {
	key string
	raw []byte
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// readObject reads body as one JSON object: its members in order, repeated
// keys included, or a problem saying why body is not one.
func readObject(body []byte) ([]member, string) {
	if !utf8.Valid(body) {
		return nil, fmt.Sprintf("the body is not valid UTF-8 (first bad byte at offset %d): send JSON encoded as UTF-8", firstInvalidUTF8(body))
	}
	if m, ok := soleMember(body); ok {
		return []member{m}, ""
	}
	return decodeObject(body)
}

// decodeObject is readObject with the Decoder alone, for valid UTF-8.
func decodeObject(body []byte) ([]member, string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil {
		return nil, notJSON(body)
	} else if t != json.Delim('{') {
		if !json.Valid(body) {
			return nil, notJSON(body)
		}
		return nil, fmt.Sprintf("the body is a JSON %s, not an object", jsonKind(body))
	}
	var ms []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, notJSON(body)
		}
		var n valueLen
		if err := dec.Decode(&n); err != nil {
			return nil, notJSON(body)
		}
		end := int(dec.InputOffset())
		key, _ := t.(string)
		ms = append(ms, member{key, body[end-int(n) : end]})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, notJSON(body)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, notJSON(body)
	}
	// Each member's value was checked to maxDepth on its own; the object
	// adds a level. Only a body this long can be nested that deep.
	if len(body) > 2*maxDepth && !json.Valid(body) {
		return nil, notJSON(body)
	}
	return ms, ""
}

// soleKeys are the protocol's reply keys as they are usually written:
// quoted, without escapes.
var soleKeys = [...]string{`"message"`, `"data"`, `"error"`}

// jsonSpace is the whitespace JSON allows between tokens.
const jsonSpace = " \t\r\n"

// soleMember recognises an object of exactly one member whose key is one
// of soleKeys: '{', the key, ':', a value and '}', with any whitespace
// between. json.Valid checks that the value is one JSON value; being one
// value between the colon and the last brace, it cannot hide a second
// member, so this is the object the Decoder reads, with the same member.
// Anything else (other keys, escapes in a key, several members, not an
// object) is left to the Decoder.
func soleMember(body []byte) (member, bool) {
	b := bytes.Trim(body, jsonSpace)
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return member{}, false
	}
	b = bytes.TrimLeft(b[1:len(b)-1], jsonSpace)
	for _, key := range soleKeys {
		if len(b) < len(key) || string(b[:len(key)]) != key {
			continue
		}
		rest := bytes.TrimLeft(b[len(key):], jsonSpace)
		if len(rest) == 0 || rest[0] != ':' {
			return member{}, false
		}
		value := bytes.Trim(rest[1:], jsonSpace)
		// The object adds a level to the value's nesting: as in
		// readObject, only a body this long can pass the limit.
		if !json.Valid(value) || len(body) > 2*maxDepth && !json.Valid(body) {
			return member{}, false
		}
		return member{key[1 : len(key)-1], value}, true
	}
	return member{}, false
}

// valueLen takes the length of the value the Decoder has just checked.
type valueLen int

func (n *valueLen) UnmarshalJSON(b []byte) error {
	*n = valueLen(len(b))
	return nil
}

// notJSON explains why body, which the Decoder refused, is not JSON.
func notJSON(body []byte) string {
	return "the body is not valid JSON (" + syntaxProblem(body) + ")"
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
		return "it cannot be read as one value" // not expected: the Decoder and Unmarshal agree
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

// decodeString reads a JSON string value that readObject returned;
// anything else reads as "".
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
