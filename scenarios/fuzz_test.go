package scenarios

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, every
// error must be a one-line *Error that points into the file, and what it
// accepts must hold the promises of the format.
func FuzzParse(f *testing.F) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, s := range []string{
		"",
		"name: &a t\nsteps: [{say: *a}]\n",
		head + "  - lead: {name: Doe, Jane}\n",
		expect + "      bot: {matches: '(a'}\n",
		expect + "      dispatch:\n        payload: {a: [1, {b: .inf}]}\n",
		head + "  -\n  - {}\n",
		"name: t\n---\nname: u\n",
		// Over the input limits: nesting, UTF-8.
		head + "  - trigger: a\n    payload: " + strings.Repeat("{a: ", 100) + "\n",
		head + "  - say: \"d\xe9j\xe0\"\n",
		head + "  - say: '[[[['\n  - say: |\n      {{{\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("want *Error, got %T: %v", err, err)
			}
			if se.File != "fuzz.yaml" || se.Line < 1 || se.Column < 1 {
				t.Fatalf("error without a position: %#v", se)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		checkAccepted(t, s)
	})
}

// checkAccepted fails t when s breaks a promise of the format.
func checkAccepted(t *testing.T, s *Scenario) {
	t.Helper()
	if s.Name == "" || len(s.Steps) == 0 {
		t.Fatalf("accepted a scenario without name or steps: %+v", s)
	}
	for i, st := range s.Steps {
		if st.Pos.Line < 1 || st.Pos.Column < 1 {
			t.Fatalf("steps[%d] has no position: %+v", i, st)
		}
		switch st.Kind {
		case StepSay, StepClick, StepTrigger:
			if st.Text == "" {
				t.Fatalf("steps[%d]: %s without text", i, st.Kind)
			}
		case StepLead:
			if len(st.Lead) == 0 {
				t.Fatalf("steps[%d]: lead without fields", i)
			}
		case StepWait:
			if st.Wait <= 0 {
				t.Fatalf("steps[%d]: wait %v", i, st.Wait)
			}
		case StepExpect:
			x := st.Expect
			if x == nil || x.Bot == nil && x.Dispatch == nil && x.Event == nil && x.RateLimited == nil {
				t.Fatalf("steps[%d]: expect without a check", i)
			}
			checkText(t, x.Bot)
			if x.Event != nil {
				checkText(t, x.Event.Override)
			}
		default:
			t.Fatalf("steps[%d]: kind %q", i, st.Kind)
		}
	}
}

// checkText fails t unless m is nil or sets exactly one matcher.
func checkText(t *testing.T, m *TextMatch) {
	t.Helper()
	if m == nil {
		return
	}
	n := 0
	for _, set := range []bool{m.Equals != nil, m.Contains != nil, m.Matches != nil, m.Absent} {
		if set {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("text check with %d matchers: %+v", n, m)
	}
}
