package template

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/parser"
)

// compile parses src as YAML and compiles its first document.
func compile(t testing.TB, src string) (*Template, error) {
	t.Helper()
	f, err := parser.ParseBytes([]byte(src), 0)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	if len(f.Docs) == 0 {
		return FromYAML(nil)
	}
	return FromYAML(f.Docs[0].Body)
}

func mustCompile(t testing.TB, src string) *Template {
	t.Helper()
	tp, err := compile(t, src)
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	return tp
}

func render(t testing.TB, tp *Template, vars Vars) (string, []string) {
	t.Helper()
	out, warns := tp.AppendJSON(nil, vars)
	if !json.Valid(out) {
		t.Fatalf("output is not valid JSON: %s", out)
	}
	return string(out), warns
}

func TestRenderScalars(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"plain string", `a: hello`, `{"a":"hello"}`},
		{"double quoted", `a: "x\ty"`, `{"a":"x\ty"}`},
		{"single quoted", `a: 'it''s'`, `{"a":"it's"}`},
		{"quoted number stays text", `a: "42"`, `{"a":"42"}`},
		{"integer", `a: 42`, `{"a":42}`},
		{"negative integer", `a: -7`, `{"a":-7}`},
		{"negative zero", `a: -0`, `{"a":-0}`},
		{"hex integer", `a: 0x1F`, `{"a":31}`},
		{"octal integer", `a: 0o17`, `{"a":15}`},
		{"binary integer", `a: 0b101`, `{"a":5}`},
		{"underscored integer", `a: 1_000`, `{"a":1000}`},
		{"plus integer", `a: +5`, `{"a":5}`},
		{"float", `a: 1.5`, `{"a":1.5}`},
		{"float exponent", `a: 1.5e3`, `{"a":1.5e3}`},
		{"float trailing dot", `a: 2.`, `{"a":2}`},
		{"float leading dot", `a: -.5`, `{"a":-0.5}`},
		{"float zero", `a: 0.0`, `{"a":0.0}`},
		{"true", `a: true`, `{"a":true}`},
		{"capital false", `a: False`, `{"a":false}`},
		{"null", `a: null`, `{"a":null}`},
		{"tilde", `a: ~`, `{"a":null}`},
		{"implicit null", "a:\nb: 1", `{"a":null,"b":1}`},
		{"literal block", "a: |\n  one\n  two\n", `{"a":"one\ntwo\n"}`},
		{"folded block", "a: >-\n  one\n  two\n", `{"a":"one two"}`},
		{"html stays literal", `a: "<b>&</b>"`, `{"a":"<b>&</b>"}`},
		{"unicode", `a: "é ☃ \u2028"`, `{"a":"é ☃ \u2028"}`},
		{"single braces are text", `a: "{x} }} {"`, `{"a":"{x} }} {"}`},
		{"integer key", `1: one`, `{"1":"one"}`},
		{"bool key", `true: yes`, `{"true":"yes"}`},
		{"null key", `null: x`, `{"null":"x"}`},
		{"empty mapping", `a: {}`, `{"a":{}}`},
		{"empty list", `a: []`, `{"a":[]}`},
		{"top-level list", `[1, two]`, `[1,"two"]`},
		{"top-level scalar", `hello`, `"hello"`},
		{"empty document", ``, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warns := render(t, mustCompile(t, tt.src), nil)
			if got != tt.want {
				t.Errorf("render %q: want %s, got %s", tt.src, tt.want, got)
			}
			if len(warns) != 0 {
				t.Errorf("render %q: want no warnings, got %q", tt.src, warns)
			}
		})
	}
}

func TestRenderStructure(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"key order kept", "zeta: 1\nalpha: 2\nmid: 3\n", `{"zeta":1,"alpha":2,"mid":3}`},
		{"nesting", "a:\n  b:\n    c: d\n  e: [1, {f: g}]\n", `{"a":{"b":{"c":"d"},"e":[1,{"f":"g"}]}}`},
		{"block list", "items:\n  - one\n  - 2\n  - k: v\n  -\n", `{"items":["one",2,{"k":"v"},null]}`},
		{"flow mapping", `{b: 1, a: 2}`, `{"b":1,"a":2}`},
		{"keys needing escapes", `{"q\"k": 1, "b\\k": 2, "<k>": 3}`, `{"q\"k":1,"b\\k":2,"<k>":3}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := render(t, mustCompile(t, tt.src), nil)
			if got != tt.want {
				t.Errorf("render: want %s, got %s", tt.want, got)
			}
		})
	}
}

func TestSubstitution(t *testing.T) {
	vars := Vars{
		"visitor.email":     "ana@example.com",
		"visitor.name":      "Ana",
		"entities.order_id": "12345",
		"message":           "",
	}
	tests := []struct {
		name, src, want string
		warns           []string
	}{
		{"whole variable", `e: "{{visitor.email}}"`, `{"e":"ana@example.com"}`, nil},
		{"spaces inside braces", `e: "{{ visitor.email }}"`, `{"e":"ana@example.com"}`, nil},
		{"whole variable keeps string type", `o: "{{entities.order_id}}"`, `{"o":"12345"}`, nil},
		{"empty value is set", `m: "{{message}}"`, `{"m":""}`, nil},
		{"interpolated", `g: "Hi {{visitor.name}}, order {{entities.order_id}}!"`, `{"g":"Hi Ana, order 12345!"}`, nil},
		{"two variables are not whole", `g: "{{visitor.name}}{{visitor.email}}"`, `{"g":"Anaana@example.com"}`, nil},
		{"unresolved whole", `customer_email: "{{visitor.phone}}"`, `{"customer_email":null}`,
			[]string{"unresolved variable {{visitor.phone}} at payload.customer_email: sent as null"}},
		{"unresolved partial", `g: "Hi {{visitor.phone}}."`, `{"g":"Hi ."}`,
			[]string{"unresolved variable {{visitor.phone}} at payload.g: interpolated as empty text"}},
		{"nested path", "a:\n  b:\n    c: \"{{lead.company}}\"\n", `{"a":{"b":{"c":null}}}`,
			[]string{"unresolved variable {{lead.company}} at payload.a.b.c: sent as null"}},
		{"array path", "items: [x, y, \"{{button.id}}\", {k: \"v{{intent.name}}\"}]", `{"items":["x","y",null,{"k":"v"}]}`,
			[]string{
				"unresolved variable {{button.id}} at payload.items[2]: sent as null",
				"unresolved variable {{intent.name}} at payload.items[3].k: interpolated as empty text",
			}},
		{"odd key path", `"a b": "{{chatbot.id}}"`, `{"a b":null}`,
			[]string{`unresolved variable {{chatbot.id}} at payload["a b"]: sent as null`}},
		{"one warning per occurrence", `[ "{{visitor.id}}", "{{visitor.id}}" ]`, `[null,null]`,
			[]string{
				"unresolved variable {{visitor.id}} at payload[0]: sent as null",
				"unresolved variable {{visitor.id}} at payload[1]: sent as null",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warns := render(t, mustCompile(t, tt.src), vars)
			if got != tt.want {
				t.Errorf("render: want %s, got %s", tt.want, got)
			}
			if !slices.Equal(warns, tt.warns) {
				t.Errorf("warnings: want %q, got %q", tt.warns, warns)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown variable", "a: 1\nb: \"{{visitor.mail}}\"\n", "2:5: unknown variable {{visitor.mail}}: known variables are visitor.id"},
		{"unknown variable mid-string", `a: "Hi {{ nope }}"`, "1:8: unknown variable {{nope}}"},
		{"unknown variable in plain scalar", "a: x\nb: hello {{foo}} there\n", "2:10: unknown variable {{foo}}"},
		{"second variable", `a: "{{message}} and {{bad}}"`, "1:21: unknown variable {{bad}}"},
		{"unicode before variable", `a: "ééé {{bad}}"`, "1:9: unknown variable {{bad}}"},
		{"single quoted", `a: 'it''s {{bad}}'`, "1:11: unknown variable {{bad}}"},
		{"entity without name", `a: "{{entities.}}"`, "1:5: unknown variable {{entities.}}"},
		{"entity with bad name", `a: "{{entities.a-b}}"`, "1:5: malformed variable"},
		{"unclosed", `a: "x {{visitor.id"`, `1:7: unclosed variable: "{{" has no closing "}}"`},
		{"empty", `a: "{{ }}"`, `1:5: empty variable "{{ }}"`},
		{"bad characters", `a: "{{visitor id}}"`, `1:5: malformed variable "{{visitor id}}"`},
		{"triple braces", `a: "{{{visitor.id}}}"`, `1:5: malformed variable "{{{visitor.id}}"`},
		{"in literal block", "a: |\n  line one\n  two {{bad}}\n", "3:7: unknown variable {{bad}}"},
		{"in nested list", "a:\n  - ok\n  - \"{{bad}}\"\n", "3:6: unknown variable {{bad}}"},
		{"escaped braces fall back to node", `a: "\x7b\x7bbad}}"`, "1:4: unknown variable {{bad}}"},
		{"multi-line plain", "a: first\n  second {{bad}}\n", "2:10: unknown variable {{bad}}"},
		{"variable in key", `"{{visitor.id}}": x`, "1:1: variables are not substituted in keys"},
		{"infinity", "a: 1\nb: .inf\n", `2:4: .inf is not a number JSON can carry`},
		{"negative infinity", `a: -.inf`, `1:4: -.inf is not a number JSON can carry`},
		{"nan", `a: .nan`, `1:4: .nan is not a number JSON can carry`},
		{"anchor", `a: &x 1`, "1:4: anchors (&name) are not supported"},
		{"alias", "a: &x 1\nb: *x\n", "1:4: anchors"},
		{"tag", `a: !!str 5`, "1:4: tags (!!type) are not supported"},
		{"merge key", "a:\n  <<: {b: 1}\n", "2:3: merge keys (<<) are not supported"},
		{"explicit key", "? a\n: b\n", "1:1: explicit keys (? key) are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compile(t, tt.src)
			if err == nil {
				t.Fatalf("compile %q: want error %q, got none", tt.src, tt.want)
			}
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("compile %q: want *Error, got %T %v", tt.src, err, err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("compile %q:\nwant prefix %s\ngot         %s", tt.src, tt.want, err)
			}
		})
	}
}

// TestDuplicateKeys compiles trees the parser was told to let duplicates
// through, as a caller with other parser options might.
func TestDuplicateKeys(t *testing.T) {
	tests := []struct{ src, want string }{
		{"a: 1\nb: 2\na: 3\n", `3:1: duplicate key "a" (first at line 1)`},
		{"1: a\n\"1\": b\n", `2:1: duplicate key "1" (first at line 1)`},
		{"x:\n  k: 1\n  k: 2\n", `3:3: duplicate key "k" (first at line 2)`},
	}
	for _, tt := range tests {
		f, err := parser.ParseBytes([]byte(tt.src), 0, parser.AllowDuplicateMapKey())
		if err != nil {
			t.Fatalf("parse %q: %v", tt.src, err)
		}
		_, err = FromYAML(f.Docs[0].Body)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("compile %q: want prefix %s, got %v", tt.src, tt.want, err)
		}
	}
}

func TestVariables(t *testing.T) {
	tp := mustCompile(t, "a: \"{{visitor.email}}\"\nb: [\"{{message}} {{visitor.email}}\", \"{{ lead.company }}\"]\nc: \"{{message}}\"\n")
	want := []string{"visitor.email", "message", "lead.company"}
	if got := tp.Variables(); !slices.Equal(got, want) {
		t.Errorf("Variables: want %q, got %q", want, got)
	}
	if got := (*Template)(nil).Variables(); got != nil {
		t.Errorf("nil Variables: want nil, got %q", got)
	}
}

func TestKnown(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"visitor.id", true}, {"visitor.name", true}, {"visitor.email", true}, {"visitor.phone", true},
		{"conversation.id", true}, {"chatbot.id", true}, {"chatbot.name", true}, {"message", true},
		{"intent.name", true}, {"button.id", true}, {"entities.order_id", true}, {"lead.Company_2", true},
		{"entities.", false}, {"lead.", false}, {"entities.a.b", false}, {"entities.a-b", false},
		{"visitor", false}, {"visitor.address", false}, {"Message", false}, {"", false},
	}
	for _, tt := range tests {
		if got := Known(tt.name); got != tt.want {
			t.Errorf("Known(%q): want %v, got %v", tt.name, tt.want, got)
		}
	}
}

func TestNilTemplate(t *testing.T) {
	var tp *Template
	out, warns := tp.AppendJSON([]byte("x"), Vars{"message": "hi"})
	if string(out) != "x{}" || warns != nil {
		t.Errorf("nil template: want x{} and no warnings, got %s %q", out, warns)
	}
}

func TestAppendJSONAppends(t *testing.T) {
	tp := mustCompile(t, `a: "{{message}}"`)
	out, _ := tp.AppendJSON([]byte(`{"payload":`), Vars{"message": "m"})
	if want := `{"payload":{"a":"m"}`; string(out) != want {
		t.Errorf("want %s, got %s", want, out)
	}
}

// TestValueEncoding pins the bytes a variable's value becomes, whole and
// inside a longer string: what the endpoint receives and signs over.
func TestValueEncoding(t *testing.T) {
	cases := []struct{ value, want string }{
		{"", `""`},
		{`q"uote back\slash`, `"q\"uote back\\slash"`},
		{"new\nline\r\t\b\f", `"new\nline\r\t\b\f"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"<b>&</b>", `"<b>&</b>"`},
		{"é☃😀", `"é☃😀"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
		{"bad\xffutf8 \xc3 \xed\xa0\x80", `"bad\ufffdutf8 \ufffd \ufffd\ufffd\ufffd"`},
		{"{{visitor.id}}", `"{{visitor.id}}"`},
	}
	whole := mustCompile(t, `a: "{{message}}"`)
	inside := mustCompile(t, `a: "[{{message}}]"`)
	for _, tc := range cases {
		vars := Vars{"message": tc.value}
		if got, _ := whole.AppendJSON(nil, vars); string(got) != `{"a":`+tc.want+`}` {
			t.Errorf("value %q: got %s, want {\"a\":%s}", tc.value, got, tc.want)
		}
		inner := tc.want[1 : len(tc.want)-1]
		if got, _ := inside.AppendJSON(nil, vars); string(got) != `{"a":"[`+inner+`]"}` {
			t.Errorf("value %q inside a string: got %s, want {\"a\":\"[%s]\"}", tc.value, got, inner)
		}
		if got := string(AppendString(nil, tc.value)); got != tc.want {
			t.Errorf("AppendString(%q) = %s, want %s", tc.value, got, tc.want)
		}
	}
}

func TestConcurrentRender(t *testing.T) {
	tp := mustCompile(t, benchTemplate)
	want, _ := render(t, tp, benchVars())
	done := make(chan string)
	for range 8 {
		go func() {
			out, _ := tp.AppendJSON(nil, benchVars())
			done <- string(out)
		}()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Errorf("concurrent render: want %s, got %s", want, got)
		}
	}
}
