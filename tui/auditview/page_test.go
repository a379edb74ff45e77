package auditview

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/audit"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/tui/common"
)

// The endpoint choice wraps and holds while a run is under way, and a
// result of an earlier run is dropped.
func TestPageUpdate(t *testing.T) {
	ws := &workspace.Workspace{
		Actions: []engine.Action{{ID: "a", URL: "https://127.0.0.1:1/a"}, {ID: "b", URL: "https://127.0.0.1:1/b"}},
		Webhook: &engine.Webhook{URL: "https://127.0.0.1:1/hook"},
	}
	p := New(common.New(), Options{Workspace: ws})
	p.SetSize(80, 20)
	left, right := tea.KeyMsg{Type: tea.KeyLeft}, tea.KeyMsg{Type: tea.KeyRight}
	for _, step := range []struct {
		key  tea.KeyMsg
		want string
	}{{left, "webhook"}, {right, "a"}, {right, "b"}, {right, "webhook"}, {right, "a"}} {
		p.Update(step.key)
		if got := p.targets[p.chosen].name; got != step.want {
			t.Fatalf("chosen %q, want %q", got, step.want)
		}
	}

	p.run, p.running = 2, true
	p.Update(right)
	if p.targets[p.chosen].name != "a" {
		t.Error("the endpoint changed during a run")
	}
	p.Update(resultMsg{run: 1, res: audit.Result{Check: audit.Check{ID: "stale"}}})
	p.Update(doneMsg{run: 1})
	if len(p.results) != 0 || !p.running {
		t.Errorf("an earlier run's messages were taken: %v, running %v", p.results, p.running)
	}
	p.ch = make(chan tea.Msg)
	close(p.ch)
	if cmd := p.Update(resultMsg{run: 2, res: audit.Result{Check: audit.Check{ID: "baseline", Name: "baseline"}, Verdict: audit.Pass}}); cmd == nil {
		t.Error("a result does not re-arm the wait for the next")
	}
	p.Update(doneMsg{run: 2})
	if len(p.results) != 1 || p.running {
		t.Errorf("results %v, running %v", p.results, p.running)
	}
}
