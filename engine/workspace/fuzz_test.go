package workspace

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and every
// error must be an *Error that points into the file.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/full.yaml", "testdata/minimal.yaml", "testdata/unknown_key.yaml", "testdata/missing_env.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(""))
	f.Add([]byte("chatbot: &a {id: *a}\n"))
	f.Add([]byte(secretWorkspace("https://${API_HOST}:x/", "$${${ORDER_LOOKUP_SECRET}}")))
	// Over the input limits: nesting, values, UTF-8.
	f.Add([]byte("chatbot: {id: a, name: b}\nactions: " + strings.Repeat("[", 100)))
	f.Add([]byte("chatbot:\n" + strings.Repeat("  - ", 70) + "x\n"))
	f.Add([]byte("chatbot: {id: a, name: b}\nactions: [" + strings.Repeat("a,", 1000) + "]\n"))
	f.Add([]byte("chatbot: {id: a, name: \"caf\xe9\"}\n"))
	f.Add([]byte("chatbot: {id: a, name: '[[[['}\nfallback: |\n  {{{{\n"))
	env := secretEnv()
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Parse("fuzz.yaml", data, env)
		if err != nil {
			var we *Error
			if !errors.As(err, &we) {
				t.Fatalf("want *Error, got %T: %v", err, err)
			}
			if we.File != "fuzz.yaml" || we.Line < 1 || we.Column < 1 {
				t.Fatalf("error without a position: %#v", we)
			}
			return
		}
		for _, a := range w.Actions {
			if a.ID == "" || a.URL == "" || a.Secret == "" {
				t.Fatalf("accepted an incomplete action: %+v", a)
			}
			a.Payload.AppendJSON(nil, nil)
		}
	})
}
