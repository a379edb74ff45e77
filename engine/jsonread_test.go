package engine

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// jsonProblem is readObject's verdict alone.
func jsonProblem(body []byte) string {
	_, problem := readObject(body)
	return problem
}

// TestJSONProblem checks the diagnosis a developer reads for each way a
// body can fail to be a JSON object, including the byte offset it names.
func TestJSONProblem(t *testing.T) {
	const depth = 10000 // encoding/json's nesting limit
	cases := []struct {
		in   string
		want []string // substrings of the problem; none means the body is fine
	}{
		{`{"message":"hi"}`, nil},
		{` {"a":[1,-2.5e+3,true,false,null,{"b":"\u00e9\n"}]} `, nil},
		{`{}`, nil},
		{`{"n":1e400}`, nil}, // a huge number is still JSON
		{`[]`, []string{"a JSON array, not an object"}},
		{`"s"`, []string{"a JSON string, not an object"}},
		{`-0.0e0`, []string{"a JSON number"}},
		{`null`, []string{"a JSON null"}},
		{``, []string{"unexpected end of JSON input at offset 0"}},
		{`{"a":1,}`, []string{"looking for beginning of object key string at offset 7"}},
		{`{"a" 1}`, []string{"after object key at offset 5"}},
		{`{"a":1 "b":2}`, []string{"after object key:value pair at offset 7"}},
		{`{"a":"x}`, []string{"unexpected end of JSON input at offset 8"}},
		{"{\"a\":\"\x01\"}", []string{"in string literal at offset 6"}},
		{`{"a":"\x"}`, []string{"in string escape code at offset 7"}},
		{`{"a":01}`, []string{"after object key:value pair at offset 6"}},
		{`{"a":1.}`, []string{"in numeric literal at offset 7"}},
		{`{"a":tru}`, []string{"in literal true", "at offset 8"}},
		{`{"a":1}x`, []string{"after top-level value at offset 7"}},
		{`<html>`, []string{"not valid JSON", "'<' looking for beginning of value at offset 0"}},
		{"{\"message\":\"caf\xe9\"}", []string{"not valid UTF-8", "offset 15", "encoded as UTF-8"}},
		{`{"a":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`, nil},
		{`{"a":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`, []string{"exceeded max depth at offset 10004"}},
	}
	for _, tc := range cases {
		got := jsonProblem([]byte(tc.in))
		if (got == "") != (tc.want == nil) {
			t.Errorf("jsonProblem(%.40q) = %q, want ok=%v", tc.in, got, tc.want == nil)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("jsonProblem(%.40q) = %q, want it to contain %q", tc.in, got, w)
			}
		}
	}
}

// TestParseReplyKeys checks what an action's reply says about its keys:
// order, repetition (the last counts, as in encoding/json), wrong types.
func TestParseReplyKeys(t *testing.T) {
	cases := []struct {
		body               string
		message, errText   string
		data               string
		problem            string
		unknown, duplicate string
	}{
		{body: `{"message":"a","message":"b"}`, message: "b", duplicate: "message"},
		{body: `{"message":"a","message":1}`, problem: `"message" is a number, not a string`, duplicate: "message"},
		{body: `{"data":{"x":1},"status":"ok","error":"no"}`, data: `{"x":1}`, errText: "no", unknown: "status"},
		{body: `{"message":"caf\u00e9 \"ok\""}`, message: `café "ok"`},
		{body: `{"error":null}`, problem: `"error" is a null, not a string`},
	}
	for _, tc := range cases {
		r, _ := parseReply([]byte(tc.body))
		got := func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		}
		if got(r.Message) != tc.message || got(r.Error) != tc.errText || string(r.Data) != tc.data || r.problem != tc.problem ||
			strings.Join(r.unknown, ",") != tc.unknown || strings.Join(r.duplicate, ",") != tc.duplicate {
			t.Errorf("parseReply(%s) = message %q error %q data %s problem %q unknown %q duplicate %q",
				tc.body, got(r.Message), got(r.Error), r.Data, r.problem, r.unknown, r.duplicate)
		}
	}
}

// FuzzJSONProblem checks that the validator accepts exactly the JSON
// objects encoding/json accepts as UTF-8, names an offset inside the body,
// and that everything built on it never panics and sees every key.
func FuzzJSONProblem(f *testing.F) {
	for _, seed := range []string{
		`{"message":"hi"}`, `{"data":{"a":[1,2,{"b":null}]}}`, `[1,2`, `"\u00e9"`, `{"a":-1.5e10}`,
		`{"error":"x","message":"y"}`, "{\"a\":\"\xff\"}", "\xef\xbb\xbf{}",
		`{"message":"a","message":"b","data":{"k":1,"k":2}}`,                                 // duplicate keys
		`{"n":1e999999,"m":-123456789012345678901234567890}`,                                 // huge numbers
		`{"data":` + strings.Repeat(`{"a":`, 10001) + `1` + strings.Repeat(`}`, 10001) + `}`, // too deep
		`{"data":{"list":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}}`,
		`{"action":"override_response","response":{"response":"x","type":"text"}}`,
		" { \"error\" : \"no\" } ", `{"message":"a"}{"message":"b"}`, `{"data":{"x":1},"x":{}}`, // soleMember's edges
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		problem := jsonProblem(b)
		var object map[string]json.RawMessage
		want := utf8.Valid(b) && json.Valid(b) && json.Unmarshal(b, &object) == nil && object != nil
		if (problem == "") != want {
			t.Fatalf("jsonProblem = %q, want ok=%v for %q", problem, want, b)
		}
		if problem != "" {
			return
		}
		last := map[string][]byte{} // encoding/json keeps the last of a repeated key
		ms, _ := readObject(b)
		for _, m := range ms {
			if !json.Valid(m.raw) || len(bytes.TrimSpace(m.raw)) != len(m.raw) {
				t.Fatalf("member %q has raw value %q: want exactly one JSON value", m.key, m.raw)
			}
			last[m.key] = m.raw
		}
		if len(last) != len(object) {
			t.Fatalf("readObject saw %d distinct keys, encoding/json %d, in %q", len(last), len(object), b)
		}
		for k, raw := range last {
			if string(raw) != string(object[k]) {
				t.Fatalf("member %q is %q, encoding/json read %q", k, raw, object[k])
			}
		}
		checkSoleMember(t, b)
		_, _ = parseReply(b)
		_ = ComposeData(b)
		a := &Attempt{Kind: KindAction, Response: &Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: b}}
		classifyAction(a)
		if a.Outcome == "" {
			t.Fatalf("no outcome for %q", b)
		}
		interpretEventReply(EventBeforeResponseSent, a.Response, nil)
	})
}

// checkSoleMember fails t unless soleMember, when it takes b, reads the
// same single member as the Decoder does.
func checkSoleMember(t *testing.T, b []byte) {
	t.Helper()
	m, ok := soleMember(b)
	if !ok {
		return
	}
	ms, problem := decodeObject(b)
	if problem != "" || len(ms) != 1 || ms[0].key != m.key || !bytes.Equal(ms[0].raw, m.raw) {
		t.Fatalf("soleMember(%q) = %q %q; the Decoder reads %q (problem %q)", b, m.key, m.raw, ms, problem)
	}
}

// TestSoleMember checks the usual reply's short cut against the Decoder:
// it takes only one-member objects with a protocol key written plainly,
// and reads them as the Decoder does.
func TestSoleMember(t *testing.T) {
	const depth = 10000
	cases := []struct {
		body string
		take bool
	}{
		{`{"message":"hi"}`, true},
		{" \t\r\n{ \"data\" :\n{\"a\": [1, {\"b\":null}]} }\n", true},
		{`{"error":"no","error":"yes"}`, false},    // a repeat: the Decoder lists both
		{`{"message":"a","data":{}}`, false},       // two members
		{`{"message":"a"},{"x":1}`, false},         // two values
		{`{"message":"a"}}`, false},                // a brace too many
		{`{"message":{"x":1},"y":{"z":2}}`, false}, // a second member after an object
		{`{"mess\u0061ge":"a"}`, false},            // an escape in the key
		{`{"Message":"a"}`, false},                 // the key is case-sensitive
		{`{"messages":"a"}`, false},
		{`{"message" "a"}`, false},
		{`{"message":}`, false},
		{"\f{\"message\":\"a\"}", false}, // form feed is not JSON whitespace
		{"{\"message\":\"a\"}\u00a0", false},
		{`{"data":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`, true},
		{`{"data":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`, false},
	}
	for _, tc := range cases {
		if _, ok := soleMember([]byte(tc.body)); ok != tc.take {
			t.Errorf("soleMember(%.40q) took it: %v, want %v", tc.body, ok, tc.take)
		}
		checkSoleMember(t, []byte(tc.body))
		if !utf8.ValidString(tc.body) {
			continue
		}
		// Whatever the short cut does, readObject says what the Decoder says.
		want, wantProblem := decodeObject([]byte(tc.body))
		got, gotProblem := readObject([]byte(tc.body))
		if gotProblem != wantProblem || len(got) != len(want) {
			t.Errorf("readObject(%.40q) = %d members, problem %q; the Decoder: %d, %q", tc.body, len(got), gotProblem, len(want), wantProblem)
		}
	}
}
