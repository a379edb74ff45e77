package engine

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValidateJSON(t *testing.T) {
	cases := []struct {
		in   string
		ok   bool
		want string // substring of the error
	}{
		{`{"message":"hi"}`, true, ""},
		{` {"a":[1,-2.5e+3,true,false,null,{"b":"\u00e9\n"}]} `, true, ""},
		{`[]`, true, ""}, {`{}`, true, ""}, {`"s"`, true, ""}, {`0`, true, ""}, {`-0.0e0`, true, ""},
		{``, false, "unexpected end"},
		{`{"a":1,}`, false, "beginning of object key"},
		{`[1,]`, false, "beginning of value"},
		{`{"a" 1}`, false, "after object key"},
		{`{"a":1 "b":2}`, false, "after object key:value pair"},
		{`[1 2]`, false, "after array element"},
		{`{"a":"x}`, false, "unexpected end"},
		{"\"a\x01\"", false, "in string literal"},
		{`"\x"`, false, "in string escape code"},
		{`"\u12g4"`, false, `\u escape`},
		{`01`, false, "after top-level value"},
		{`1.`, false, "beginning of value"},
		{`1e`, false, "beginning of value"},
		{`tru`, false, "invalid literal"},
		{`{"a":1}x`, false, "after top-level value"},
		{`<html>`, false, "'<' looking for beginning of value"},
		{strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth), true, ""},
		{strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1), false, "exceeded max depth"},
	}
	for _, tc := range cases {
		err := validateJSON([]byte(tc.in))
		if (err == nil) != tc.ok {
			t.Errorf("validateJSON(%.40q) = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if got := json.Valid([]byte(tc.in)); got != tc.ok {
			t.Errorf("encoding/json disagrees on %.40q: Valid=%v", tc.in, got)
		}
		if err != nil && !strings.Contains(err.msg, tc.want) {
			t.Errorf("validateJSON(%.40q) error %q, want it to contain %q", tc.in, err.msg, tc.want)
		}
	}
}

// FuzzValidateJSON checks the scanner accepts exactly what encoding/json
// accepts, and that the scanners built on it never panic.
func FuzzValidateJSON(f *testing.F) {
	for _, seed := range []string{`{"message":"hi"}`, `{"data":{"a":[1,2,{"b":null}]}}`, `[1,2`, `"\u00e9"`, `{"a":-1.5e10}`, `{"error":"x","message":"y"}`, "{\"a\":\"\xff\"}"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := validateJSON(b)
		if want := json.Valid(b); (err == nil) != want {
			t.Fatalf("validateJSON = %v, json.Valid = %v for %q", err, want, b)
		}
		if err != nil && (err.offset < 0 || err.offset > len(b)) {
			t.Fatalf("offset %d out of range for %d bytes", err.offset, len(b))
		}
		if err == nil && jsonKind(b) == "object" {
			members(b, func(m member) { // must terminate without panicking
				_ = jsonKind(m.raw)
			})
			_ = parseReply(b)
			_ = ComposeData(b)
		}
	})
}
