package template

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	texttemplate "text/template"
)

// injectTemplate puts every kind of slot in every kind of place: a whole
// variable, an interpolation, a nested object, a list.
const injectTemplate = `
whole: "{{message}}"
partial: "before {{message}} after"
nested:
  name: "{{visitor.name}}"
  list: ["{{message}}", "x{{visitor.name}}y", 3]
id: "{{visitor.id}}"
`

// keyPaths lists every object key in v as a dotted path, so two documents
// can be compared for added or removed keys.
func keyPaths(v any, prefix string, out map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			out[prefix+"."+k] = true
			keyPaths(c, prefix+"."+k, out)
		}
	case []any:
		for _, c := range v {
			keyPaths(c, prefix+"[]", out)
		}
	}
}

func decodeKeys(t testing.TB, out []byte) (map[string]any, map[string]bool) {
	t.Helper()
	if !json.Valid(out) {
		t.Fatalf("output is not valid JSON: %q", out)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("decode: %v", err)
	}
	keys := map[string]bool{}
	keyPaths(doc, "", keys)
	return doc, keys
}

// wantText is what a value reads as after encoding: invalid UTF-8 bytes
// each become U+FFFD, as in encoding/json.
func wantText(s string) string { return string([]rune(s)) }

func TestInjection(t *testing.T) {
	tp := mustCompile(t, injectTemplate)
	clean, _ := tp.AppendJSON(nil, Vars{"message": "m", "visitor.name": "n", "visitor.id": "i"})
	_, wantKeys := decodeKeys(t, clean)

	values := map[string]string{
		"quotes":            `"},"admin":true,"x":"`,
		"backslashes":       `\\\"\`,
		"braces":            `{}{"a":1}]`,
		"variable sequence": "{{visitor.id}} and {{ visitor.id }}",
		"newlines":          "line1\nline2\r\n",
		"nul and controls":  "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f",
		"invalid utf-8":     "ok\xff\xfe\xc3(\xed\xa0\x80end",
		"line separators":   "a\u2028b\u2029c",
		"html":              "</script><script>alert(1)</script>&amp;",
		"empty":             "",
		"one megabyte":      strings.Repeat(`"\{{x}}`+"\n\u2028é", 1<<20/13),
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			vars := Vars{"message": v, "visitor.name": v, "visitor.id": "ID"}
			out, warns := tp.AppendJSON(nil, vars)
			if len(warns) != 0 {
				t.Errorf("warnings: want none, got %q", warns)
			}
			doc, keys := decodeKeys(t, out)
			if !maps.Equal(keys, wantKeys) {
				t.Errorf("key set changed:\nwant %v\ngot  %v", slices.Sorted(maps.Keys(wantKeys)), slices.Sorted(maps.Keys(keys)))
			}
			want := wantText(v)
			nested := doc["nested"].(map[string]any)
			list := nested["list"].([]any)
			checks := []struct {
				where string
				got   any
				want  string
			}{
				{"whole", doc["whole"], want},
				{"partial", doc["partial"], "before " + want + " after"},
				{"nested.name", nested["name"], want},
				{"nested.list[0]", list[0], want},
				{"nested.list[1]", list[1], "x" + want + "y"},
				{"id", doc["id"], "ID"},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s: want %.80q, got %.80q", c.where, c.want, c.got)
				}
			}
		})
	}
}

func TestInjectionStaysEscapedInHTML(t *testing.T) {
	// The body is JSON, not HTML, so <>& are sent as they are; what must
	// never appear raw is a quote, a backslash or a control character.
	tp := mustCompile(t, `a: "{{message}}"`)
	out, _ := tp.AppendJSON(nil, Vars{"message": "<&>\"\\\n\u2028"})
	if want := `{"a":"<&>\"\\\n\u2028"}`; string(out) != want {
		t.Errorf("want %s, got %s", want, out)
	}
}

// TestTextTemplateWouldInject measures the alternative the package doc
// rejects: the same value through text/template over JSON text adds a key,
// while a compiled template sends it as one string.
func TestTextTemplateWouldInject(t *testing.T) {
	const value = `x","admin":true,"y":"z`
	tt := texttemplate.Must(texttemplate.New("payload").Parse(`{"whole":"{{.}}"}`))
	var b strings.Builder
	if err := tt.Execute(&b, value); err != nil {
		t.Fatal(err)
	}
	var naive map[string]any
	if err := json.Unmarshal([]byte(b.String()), &naive); err != nil || naive["admin"] != true {
		t.Fatalf("text/template: want an injected admin key, got %s (%v)", b.String(), err)
	}
	out, _ := mustCompile(t, `whole: "{{message}}"`).AppendJSON(nil, Vars{"message": value})
	var ours map[string]any
	if err := json.Unmarshal(out, &ours); err != nil || len(ours) != 1 || ours["whole"] != value {
		t.Errorf("compiled template: got %s (%v), want the value as the only key's string", out, err)
	}
}
