package yamlsrc

import (
	"errors"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
)

// recipe is the Kind of the files these tests read.
func recipe() Kind {
	return Kind{
		Name:      "recipe",
		Expect:    "title and steps",
		SecondDoc: ", or split the file",
		SyntaxHint: func(line string) string {
			if strings.Contains(line, "{{") {
				return "quote it"
			}
			return ""
		},
	}
}

func TestErrorString(t *testing.T) {
	for _, tc := range []struct {
		err  Error
		want string
	}{
		{Error{File: "a.yaml", Line: 3, Column: 7, Msg: "bad"}, "a.yaml:3:7: bad"},
		{Error{File: "a.yaml", Msg: "cannot read"}, "a.yaml: cannot read"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// read returns the error of reading src's top level as a mapping with
// the keys title and steps, or "".
func read(src string) string {
	r := NewReader("r.yaml", recipe())
	body, err := r.Document([]byte(src))
	if err == nil {
		var entries []*ast.MappingValueNode
		entries, err = r.Mapping(body, "a recipe", "a mapping")
		if err == nil {
			var m map[string]*ast.MappingValueNode
			m, err = r.Fields(entries, "the recipe", []string{"title", "steps"}, func(_ *ast.MappingValueNode, key string) string {
				if key == "step" {
					return "steps is a list"
				}
				return ""
			})
			if err == nil {
				_, err = r.Str(m["title"].Value, "title")
				if err == nil {
					err = r.ErrAt(m["title"].Value, "title seen")
				}
			}
		}
	}
	var e *Error
	if !errors.As(err, &e) {
		return "not an *Error"
	}
	return e.Error()
}

func TestReader(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"", "r.yaml:1:1: empty recipe: expected title and steps"},
		{"title: a\n---\ntitle: b\n", "r.yaml:3:1: a recipe is a single YAML document: remove this second document or the --- before it, or split the file"},
		{"title: {{x}}\n", `r.yaml:1:9: invalid YAML: `},
		{"- a\n", "r.yaml:1:1: a recipe must be a mapping, got a list"},
		{"title: a\ntitel: b\n", `r.yaml:2:1: unknown key "titel" in the recipe: valid keys are title, steps; did you mean "title"?`},
		{"title: a\nstep: b\n", `r.yaml:2:1: unknown key "step" in the recipe: valid keys are title, steps; steps is a list`},
		{"title: &t a\n", "r.yaml:1:8: an anchor (&name) is not supported in a recipe: write the value out in full"},
		{"title: [a]\n", "r.yaml:1:8: title must be a string, got a list"},
		{"title: .inf\n", "r.yaml:1:8: title seen"},
		{"title:\nsteps: []\n", "r.yaml:1:1: title seen"},
	} {
		got := read(tc.src)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.src, got, tc.want)
		}
	}
	if got := read("title: {{x}}\n"); !strings.HasSuffix(got, "; quote it") || strings.Contains(got, "\n") {
		t.Errorf("syntax error without its hint on one line: %q", got)
	}
}

func TestSuggest(t *testing.T) {
	valid := []string{"on_message_received", "on_ticket_created", "steps"}
	for s, want := range map[string]string{
		"Step":             "steps",
		"message_received": "on_message_received",
		"created":          "on_ticket_created",
		"on":               "",
		"zzzzz":            "",
	} {
		if got := Suggest(s, valid); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestShorten(t *testing.T) {
	if got := Shorten("short"); got != "short" {
		t.Errorf("Shorten(short) = %q", got)
	}
	if got := Shorten(strings.Repeat("é", 70)); got != strings.Repeat("é", 60)+"…" {
		t.Errorf("Shorten cut %q", got)
	}
}
