package template

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/goccy/go-yaml/parser"
)

// FuzzAppendJSON renders a fixed template with arbitrary variable values:
// the output must always be valid JSON with the template's keys and
// nothing else, and the whole-variable field must carry the value.
func FuzzAppendJSON(f *testing.F) {
	f.Add("plain", "name")
	f.Add(`"},"x":{"`, "\\")
	f.Add("{{visitor.id}}", "\x00\xff\u2028")
	f.Add("\n\r\t", "}}{{")
	tp := mustCompile(f, injectTemplate)
	clean, _ := tp.AppendJSON(nil, Vars{"message": "m", "visitor.name": "n", "visitor.id": "i"})
	_, wantKeys := decodeKeys(f, clean)
	f.Fuzz(func(t *testing.T, message, name string) {
		out, warns := tp.AppendJSON(nil, Vars{"message": message, "visitor.name": name})
		doc, keys := decodeKeys(t, out)
		if !maps.Equal(keys, wantKeys) {
			t.Fatalf("key set changed: want %v, got %v", wantKeys, keys)
		}
		if got, want := doc["whole"], wantText(message); got != want {
			t.Fatalf("whole: want %q, got %q", want, got)
		}
		if doc["id"] != nil || len(warns) != 1 {
			t.Fatalf("unset visitor.id: want null and one warning, got %v and %q", doc["id"], warns)
		}
	})
}

// FuzzCompile feeds arbitrary YAML to the compiler: it must never panic,
// errors must carry a position, and whatever compiles must render valid
// JSON.
func FuzzCompile(f *testing.F) {
	f.Add(benchTemplate)
	f.Add(injectTemplate)
	f.Add("a: &x [1, *x]\n")
	f.Add("? [a]\n: {b: !!str 1}\n")
	f.Add("a: |\n  {{message\n")
	f.Add("- .inf\n- 0x_1\n- 1e9999\n- 12345678901234567890123\n")
	f.Fuzz(func(t *testing.T, src string) {
		file, err := parser.ParseBytes([]byte(src), 0)
		if err != nil {
			return
		}
		for _, doc := range file.Docs {
			tp, err := FromYAML(doc)
			if err != nil {
				if e, ok := err.(*Error); !ok || e.Line < 1 || e.Column < 1 {
					t.Fatalf("compile error without position: %#v", err)
				}
				continue
			}
			out, _ := tp.AppendJSON(nil, Vars{"message": "m"})
			if !json.Valid(out) {
				t.Fatalf("compiled template renders invalid JSON: %q", out)
			}
		}
	})
}
