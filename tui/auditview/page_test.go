package auditview

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

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

// The selected check shows why it was graded so and the fix; a pass
// shows neither.
func TestPageShowsWhyAndFix(t *testing.T) {
	ws := &workspace.Workspace{Actions: []engine.Action{{ID: "a", URL: "https://127.0.0.1:1/a"}}}
	p := New(common.New(), Options{Workspace: ws})
	p.SetSize(80, 24)
	p.run, p.running = 1, true
	p.ch = make(chan tea.Msg)
	close(p.ch)
	p.Update(resultMsg{run: 1, res: audit.Result{Check: audit.Check{ID: "baseline", Name: "baseline", Sends: "a correct request"},
		Verdict: audit.Pass, Answer: "200 OK"}})
	p.Update(resultMsg{run: 1, res: audit.Result{Check: audit.Check{ID: "replay", Name: "replay", Sends: "an hour-old request"},
		Verdict: audit.Warn, Answer: "200 OK", Why: "answered 200: accepted a request signed an hour ago", Fix: "reject a stale metadata.timestamp"}})
	p.Update(doneMsg{run: 1})
	for _, step := range []struct {
		key       tea.KeyType
		want, not []string
	}{
		{tea.KeyDown, []string{"▸ WARN  replay", "why   answered 200: accepted a request signed an hour ago", "fix   reject a stale metadata.timestamp", "sent  an hour-old request"}, nil},
		{tea.KeyUp, []string{"▸ pass  baseline", "sent  a correct request"}, []string{"why ", "fix "}},
	} {
		p.Update(tea.KeyMsg{Type: step.key})
		v := ansi.Strip(p.View())
		for _, w := range step.want {
			if !strings.Contains(v, w) {
				t.Errorf("after %s the page lacks %q:\n%s", step.key, w, v)
			}
		}
		for _, w := range step.not {
			if strings.Contains(v, w) {
				t.Errorf("after %s the page shows %q:\n%s", step.key, w, v)
			}
		}
	}
}
