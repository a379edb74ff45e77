package scenarios

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/sim/demo"
	"github.com/actionbench/actionbench/sim/mock"
)

// An audit step passes on careful endpoints (the demo's) and fails, a
// failure per failed check, on the lax mock.
func TestAuditStep(t *testing.T) {
	ctx := context.Background()
	d, err := demo.Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	lax, err := mock.Start(ctx, "127.0.0.1:0", mock.Config{Lax: true}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer lax.Close()
	pool := d.RootCAs.Clone()
	if !pool.AppendCertsFromPEM(lax.CertPEM()) {
		t.Fatal("no certificate from the lax mock")
	}
	laxWS, err := bot.Parse("lax.yaml", []byte(`chatbot: {id: "21", name: Lax}
actions:
  - id: echo
    url: `+lax.URL()+`/actions/echo
    secret: `+mock.DemoSecret+`
webhook:
  url: `+lax.URL()+`/webhook
  token: `+mock.DemoToken+`
  events: [on_message_received]
`), workspace.Options{Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	dispatcher := engine.New(engine.Options{RootCAs: pool})
	defer dispatcher.Close()
	env := Env{
		Dispatcher:    func(*bot.Workspace) *engine.Dispatcher { return dispatcher },
		Demo:          d.Workspace,
		LoadWorkspace: func(string) (*bot.Workspace, error) { return laxWS, nil },
	}

	strict, err := Parse("strict.yaml", []byte("name: demo audit\nvisitor: {email: jane@example.com}\nsteps:\n  - audit: order_lookup\n  - audit: webhook\n"))
	if err != nil {
		t.Fatal(err)
	}
	if res := Run(ctx, strict, env); !res.Passed() {
		t.Errorf("the demo's audit failed: %+v", res.Steps)
	}

	holes, err := Parse("lax.yaml", []byte("name: lax audit\nworkspace: lax.yaml\nsteps:\n  - audit: echo\n  - audit: webhook\n  - audit: nothing\n"))
	if err != nil {
		t.Fatal(err)
	}
	res := Run(ctx, holes, env)
	if res.Passed() || len(res.Steps) != 3 {
		t.Fatalf("the lax mock's audit passed: %+v", res)
	}
	var failed [][]string
	for i, st := range res.Steps {
		var names []string
		for _, f := range st.Failures {
			if f.Check != "audit" || f.Pos != st.Step.Pos || i < 2 && !strings.Contains(f.Diagnosis, "fix: ") {
				t.Errorf("failure %+v", f)
			}
			names = append(names, strings.SplitN(f.Expected, ":", 2)[0])
		}
		failed = append(failed, names)
	}
	want := [][]string{
		{"no signature", "wrong secret", "tampered body", "malformed signature", "body over 100 KiB", "malformed JSON", "schema violations"},
		{"no Authorization", "wrong token", "Basic, not Bearer", "token case changed", "malformed JSON", "body over 100 KiB"},
		{"an action of the workspace or webhook"},
	}
	for i := range want {
		if !slices.Equal(failed[i], want[i]) {
			t.Errorf("step %d failed\n got %q\nwant %q", i+1, failed[i], want[i])
		}
	}
}
