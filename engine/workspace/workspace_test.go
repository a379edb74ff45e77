package workspace

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/netpolicy"
	"github.com/actionbench/actionbench/engine/template"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// fakeEnv is an environment for tests: the variables it holds and nothing
// else.
func fakeEnv(vars map[string]string) LookupEnv {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func parseFile(t *testing.T, path string, env LookupEnv) *Workspace {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Parse(path, data, env)
	if err != nil {
		t.Fatalf("Parse %s: %v", path, err)
	}
	return w
}

// dump writes w in a stable text form for golden files, with each payload
// rendered from a fixed set of variables.
func dump(w *Workspace) string {
	vars := template.Vars{
		"visitor.email":     "ana@example.com",
		"visitor.name":      "Ana",
		"entities.order_id": "A-1",
	}
	var b strings.Builder
	fmt.Fprintf(&b, "path: %q\nchatbot: %q %q\npolicy: %s\nca_file: %s\n", w.Path, w.Chatbot.ID, w.Chatbot.Name, w.Policy, filepath.ToSlash(w.CAFile))
	for _, a := range w.Actions {
		fmt.Fprintf(&b, "action %q name %q\n  url: %s\n  secret: %q\n  triggers:", a.ID, a.Name, a.URL, a.Secret)
		for _, r := range a.Triggers {
			fmt.Fprintf(&b, " %s/%s", r.Trigger, r.Name)
		}
		out, warns := a.Payload.AppendJSON(nil, vars)
		fmt.Fprintf(&b, "\n  variables: %q\n  payload: %s\n  warnings: %q\n", a.Payload.Variables(), out, warns)
	}
	return b.String()
}

func TestGoldenFull(t *testing.T) {
	env := fakeEnv(map[string]string{"API_HOST": "127.0.0.1:8443", "ORDER_LOOKUP_SECRET": "s3cret"})
	got := dump(parseFile(t, "testdata/full.yaml", env))
	golden := "testdata/full.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("workspace differs from %s:\nwant:\n%s\ngot:\n%s", golden, want, got)
	}
}

func TestFullFields(t *testing.T) {
	env := fakeEnv(map[string]string{"API_HOST": "127.0.0.1:8443", "ORDER_LOOKUP_SECRET": "s3cret"})
	w := parseFile(t, "testdata/full.yaml", env)
	if w.Path != "" {
		t.Errorf("Path after Parse: want empty, got %q", w.Path)
	}
	if want := (engine.Chatbot{ID: "bot_def456", Name: "Support Bot"}); w.Chatbot != want {
		t.Errorf("Chatbot: want %+v, got %+v", want, w.Chatbot)
	}
	if w.Policy != netpolicy.Production {
		t.Errorf("Policy: want production, got %q", w.Policy)
	}
	if want := filepath.Join("testdata", "certs", "dev-ca.pem"); w.CAFile != want {
		t.Errorf("CAFile: want %q, got %q", want, w.CAFile)
	}
	a, ok := w.Action("order_lookup")
	if !ok {
		t.Fatal(`Action("order_lookup"): not found`)
	}
	wantTriggers := []engine.TriggerRule{
		{Trigger: engine.TriggerIntent, Name: "order_status"},
		{Trigger: engine.TriggerButton, Name: "track_order"},
		{Trigger: engine.TriggerLead},
		{Trigger: engine.TriggerManual},
	}
	if !slices.Equal(a.Triggers, wantTriggers) {
		t.Errorf("triggers: want %+v, got %+v", wantTriggers, a.Triggers)
	}
	out, _ := a.Payload.AppendJSON(nil, template.Vars{"visitor.email": "e", "entities.order_id": "1", "visitor.name": "n", "message": "m"})
	if want := `{"zeta":"e","order_id":"1","alpha":"Order 1 for n","nested":{"count":2,"ok":true,"none":null,"items":["a","m"]}}`; string(out) != want {
		t.Errorf("payload key order: want %s, got %s", want, out)
	}
	if _, ok := w.Action("missing"); ok {
		t.Error(`Action("missing"): want not found`)
	}
	if want := []string{"s3cret", "literal-${not-a-ref}"}; !slices.Equal(w.Secrets(), want) {
		t.Errorf("Secrets: want %q, got %q", want, w.Secrets())
	}
}

func TestMinimalDefaults(t *testing.T) {
	w := parseFile(t, "testdata/minimal.yaml", fakeEnv(map[string]string{"NOTIFY_SECRET": "x"}))
	if w.Policy != netpolicy.Workbench {
		t.Errorf("Policy: want workbench by default, got %q", w.Policy)
	}
	if w.CAFile != "" {
		t.Errorf("CAFile: want empty, got %q", w.CAFile)
	}
	a := w.Actions[0]
	if a.Name != "notify" {
		t.Errorf("Name: want the id by default, got %q", a.Name)
	}
	if len(a.Triggers) != 0 || a.Payload != nil {
		t.Errorf("want no triggers and a nil payload, got %+v %v", a.Triggers, a.Payload)
	}
	if out, _ := a.Payload.AppendJSON(nil, nil); string(out) != "{}" {
		t.Errorf("default payload: want {}, got %s", out)
	}
}

func TestOptionalEmpty(t *testing.T) {
	src := "chatbot: {id: b, name: B}\nactions:\n  - id: a\n    url: https://h/\n    secret: s\n    triggers:\n    payload:\n"
	w, err := Parse("ws.yaml", []byte(src), fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if a := w.Actions[0]; len(a.Triggers) != 0 || a.Payload != nil {
		t.Errorf("empty triggers and payload: want none, got %+v %v", a.Triggers, a.Payload)
	}
	w, err = Parse("ws.yaml", []byte("chatbot: {id: b, name: B}\n"), fakeEnv(nil))
	if err != nil || len(w.Actions) != 0 {
		t.Errorf("no actions: want an empty workspace, got %v %v", w, err)
	}
	w, err = Parse("ws.yaml", []byte("%YAML 1.2\n---\nchatbot: {id: b, name: B}\nactions:\n...\n"), fakeEnv(nil))
	if err != nil || w.Chatbot.ID != "b" {
		t.Errorf("directive and document markers: want them ignored, got %v %v", w, err)
	}
}

func TestFixtureErrors(t *testing.T) {
	tests := []struct{ file, want string }{
		{"testdata/unknown_key.yaml", `testdata/unknown_key.yaml:6:5: unknown key "urll" in an action: valid keys are id, name, url, secret, triggers, payload, signing; did you mean "url"?`},
		{"testdata/missing_env.yaml", "testdata/missing_env.yaml:9:13: secret refers to ${ORDER_LOOKUP_SECRET}, which is not set: export ORDER_LOOKUP_SECRET or change the workspace"},
	}
	for _, tt := range tests {
		_, err := Load(tt.file, fakeEnv(nil))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Load %s:\nwant %s\ngot  %v", tt.file, tt.want, err)
		}
	}
}

func TestLoadResolvesCAFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "conf", "certs"), 0o755); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "conf", "certs", "ca.pem")
	if err := os.WriteFile(ca, []byte("not checked here"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(name, src string) string {
		p := filepath.Join(dir, "conf", name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = "chatbot: {id: b, name: B}\n"

	path := write("rel.yaml", head+"ca_file: certs/ca.pem\n")
	w, err := Load(path, fakeEnv(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if w.CAFile != ca || w.Path != path {
		t.Errorf("Load: want CAFile %q and Path %q, got %q and %q", ca, path, w.CAFile, w.Path)
	}

	path = write("abs.yaml", head+"ca_file: "+ca+"\n")
	if w, err := Load(path, fakeEnv(nil)); err != nil || w.CAFile != ca {
		t.Errorf("absolute ca_file: want %q, got %v %v", ca, w, err)
	}

	path = write("missing.yaml", head+"ca_file: certs/nope.pem\n")
	_, err = Load(path, fakeEnv(nil))
	want := path + ":2:10: ca_file " + filepath.Join(dir, "conf", "certs", "nope.pem") + " cannot be used: no such file or directory"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("missing ca_file:\nwant prefix %s\ngot         %v", want, err)
	}

	path = write("dir.yaml", head+"ca_file: certs\n")
	if _, err := Load(path, fakeEnv(nil)); err == nil || !strings.Contains(err.Error(), ":2:10: ca_file") || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory ca_file: want an error at 2:10, got %v", err)
	}

	// Parse never looks at the file system.
	if _, err := Parse("mem.yaml", []byte(head+"ca_file: certs/nope.pem\n"), fakeEnv(nil)); err != nil {
		t.Errorf("Parse with a missing ca_file: want no error, got %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path, fakeEnv(nil))
	var we *Error
	if !errors.As(err, &we) || we.Line != 0 || err.Error() != path+": cannot read workspace: no such file or directory" {
		t.Errorf("Load missing file: want a file-level *Error, got %#v", err)
	}
}
