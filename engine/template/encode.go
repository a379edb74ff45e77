package template

import (
	"bytes"
	"encoding/json"
)

// stringEncoder writes JSON strings with encoding/json, without HTML
// escaping: <, > and & stay literal, as the platform sends them; U+2028
// and U+2029 are escaped and invalid UTF-8 becomes U+FFFD. One render
// shares one, so its values cost no Encoder each, and a render whose
// values are all plain makes none.
type stringEncoder struct {
	e *escaper // made for the first value that needs escaping
}

type escaper struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// appendString appends s to dst as a JSON string.
func (e *stringEncoder) appendString(dst []byte, s string) []byte {
	if plain(s) {
		// Most values (ids, emails, names) are printable ASCII without
		// quotes or backslashes, which JSON writes as they are.
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	if e.e == nil {
		e.e = new(escaper)
		e.e.enc = json.NewEncoder(&e.e.buf)
		e.e.enc.SetEscapeHTML(false)
	}
	e.e.buf.Reset()
	_ = e.e.enc.Encode(s) // a string always encodes
	b := e.e.buf.Bytes()
	return append(dst, b[:len(b)-1]...) // Encode ends with a newline
}

// plain reports whether s is printable ASCII without '"' or '\\'.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// appendEscaped appends the inside of s's JSON string, without the quotes,
// for a variable inside a longer string.
func (e *stringEncoder) appendEscaped(dst []byte, s string) []byte {
	start := len(dst)
	dst = e.appendString(dst, s)
	n := copy(dst[start:], dst[start+1:len(dst)-1])
	return dst[:start+n]
}

// AppendString appends s to dst as a JSON string, as a template renders it.
func AppendString(dst []byte, s string) []byte {
	var e stringEncoder
	return e.appendString(dst, s)
}

// validNumber reports whether s, a YAML number as written, is also a JSON
// number as written (YAML also allows 0x1F, 1_000, +5, .5 and others).
func validNumber(s string) bool {
	return s != "" && (s[0] == '-' || isDigit(s[0])) && isDigit(s[len(s)-1]) && json.Valid([]byte(s))
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
