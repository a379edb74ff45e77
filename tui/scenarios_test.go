package tui

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/scenarios"
	"github.com/actionbench/actionbench/tui/common"
	"github.com/actionbench/actionbench/tui/scenarioview"
)

// scenarioDir is a temporary copy of testdata/scenarios: a scenario that
// passes on the demo (a_pass.yaml) and one that fails (b_fail.yaml).
func scenarioDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"a_pass.yaml", "b_fail.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "scenarios", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestScenarioView(t *testing.T) {
	m, _, _ := bench(t)
	dir := scenarioDir(t)
	m.opts.ScenarioDir = dir
	// The run holds after its first step until released: that step must
	// show while the run goes on.
	release := make(chan struct{})
	m.scen.Model = scenarioview.New(m.c, dir, func(ctx context.Context, sc *scenarios.Scenario, onStep func(scenarios.StepResult)) scenarios.Result {
		return m.runScenario(ctx, sc, func(sr scenarios.StepResult) {
			onStep(sr)
			<-release
		})
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "Hi! I'm Acme's assistant")

	tm.Send(tea.KeyMsg{Type: tea.KeyF3})
	waitFor(t, tm, "Scenarios", "order lookup passes", "order lookup fails", "a_pass.yaml")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "running order lookup passes…", "✓ 3:5 say Where is my order 1042?")
	close(release)
	// The first step's line stays where it was, so only the rest is redrawn.
	waitFor(t, tm, "order lookup passes  ", "✓ 4:5 expect", "PASS 2 steps")

	// esc back to the list, down to the failing one.
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "✗ 4:5 expect", "dispatch: expected", "timeout", "FAIL")

	// esc twice: the list, then the conversation.
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
	waitFor(t, tm, "Conversation")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	if final := tm.FinalModel(t).(Model); final.cur == common.Page(final.scen) {
		t.Error("esc twice should leave the scenario view")
	}
}

// A path typed after / runs that file straight away.
func TestScenarioViewTypedPath(t *testing.T) {
	m, _, _ := bench(t)
	dir := scenarioDir(t)
	m.scen.SetDir(filepath.Join(dir, "missing"))
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "Hi! I'm Acme's assistant")
	tm.Send(tea.KeyMsg{Type: tea.KeyF3})
	waitFor(t, tm, "No scenario folder here:", "missing does not exist", "Press / and type")
	tm.Type("/")
	tm.Type(filepath.Join(dir, "a_pass.yaml"))
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "✓ 4:5 expect", "PASS")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t)
}

// TestScenarioViewHonoursWorkspacePolicy runs a scenario whose workspace
// says policy: production, aimed at a loopback endpoint: with dispatchers
// per policy the call is refused before dialling; without them the view
// refuses to run it rather than dial under the workbench's rules.
func TestScenarioViewHonoursWorkspacePolicy(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	ws := filepath.Join(dir, "prod.workspace.yaml")
	os.WriteFile(ws, []byte("chatbot: {id: b, name: B}\npolicy: production\nactions:\n  - id: hook\n    url: "+srv.URL+"/hook\n    secret: example-secret\n"), 0o600)
	sc, err := scenarios.Parse(filepath.Join(dir, "prod.yaml"), []byte("name: refused\nworkspace: prod.workspace.yaml\nsteps:\n  - trigger: hook\n  - expect:\n      dispatch: {action: hook, outcome: rejected}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, _, _ := bench(t)

	res := m.runScenario(context.Background(), sc, nil)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "uses the production policy") {
		t.Errorf("without per-policy dispatchers: err %v, want a refusal to run", res.Err)
	}

	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	dispatchers := scenarios.NewDispatchers(engine.Options{RootCAs: pool}, false)
	t.Cleanup(dispatchers.Close)
	m.opts.ScenarioDispatcher = dispatchers.For
	if res := m.runScenario(context.Background(), sc, nil); !res.Passed() {
		t.Errorf("with per-policy dispatchers: %+v", res)
	}
	if hits.Load() != 0 {
		t.Errorf("the endpoint got %d requests: the production policy was not applied", hits.Load())
	}
}

// TestScenarioViewReloadsChangedFiles: with the scenario view open, a file
// saved in its folder (a new scenario, a renamed one, one that stops
// parsing) shows without reopening the view, through the real file system.
func TestScenarioViewReloadsChangedFiles(t *testing.T) {
	m, _, _ := bench(t)
	dir := scenarioDir(t)
	m.opts.ScenarioDir = dir
	m.scen.Model = scenarioview.New(m.c, dir, m.runScenario)
	m.scen.SetWatch(true)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "Hi! I'm Acme's assistant")
	tm.Send(tea.KeyMsg{Type: tea.KeyF3})
	waitFor(t, tm, "order lookup passes", "order lookup fails")

	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("c_new.yaml", "name: a scenario saved while the view is open\nsteps:\n  - say: hello\n")
	waitFor(t, tm, "a scenario saved while the view is open")
	write("c_new.yaml", "name: renamed in the editor\nsteps:\n  - say: hello\n")
	waitFor(t, tm, "renamed in the editor")
	write("c_new.yaml", "name: broken\nsteps:\n  - sya: hello\n")
	waitFor(t, tm, "c_new.yaml:3:5")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
