package bot

import (
	"errors"
	"strings"
	"testing"

	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// FuzzParse feeds arbitrary bytes to Parse, bot included: it must never
// panic, and every error must be an *Error that points into the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte(botWorkspace))
	f.Add([]byte(head + "intents:\n  - name: hi\n    patterns: [hi]\n    buttons: [x]\n"))
	f.Add([]byte(head + "intents: " + strings.Repeat("[", 100)))
	f.Add([]byte(head + "greeting: \"\xff\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Parse("fuzz.yaml", data, opts)
		if err != nil {
			var we *yamlsrc.Error
			if !errors.As(err, &we) {
				t.Fatalf("want *Error, got %T: %v", err, err)
			}
			if we.File != "fuzz.yaml" || we.Line < 1 || we.Column < 1 {
				t.Fatalf("error without a position: %#v", we)
			}
			return
		}
		for _, in := range w.Bot.Intents {
			if in.Name == "" || len(in.Patterns) == 0 {
				t.Fatalf("accepted an incomplete intent: %+v", in)
			}
		}
	})
}
