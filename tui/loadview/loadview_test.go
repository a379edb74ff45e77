package loadview

import (
	"context"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/load"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/tui/common"
)

func report(seconds float64, calls int64) *load.Report {
	return &load.Report{
		MeasuredSeconds: seconds,
		Overall: &load.Stats{Calls: calls, Succeeded: calls - 1, Rate: float64(calls) / seconds, Late: 1,
			Outcomes: map[string]int64{"message": calls - 1, "timeout": 1},
			Latency:  load.Latency{P50: 1.5, P90: 3, P95: 4, P99: 40, P999: 8000, Max: 8001}},
		Series: []load.Second{{P99: 2}, {P99: 40}, {P99: 10}},
	}
}

func press(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// TestPageRunsAndStops drives the page as a user would: pick a target,
// raise the rate, start, watch a report arrive, stop with s.
func TestPageRunsAndStops(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	started := make(chan string, 1)
	run := func(ctx context.Context, target string, rate float64, d time.Duration, progress func(*load.Report)) (*load.Report, int64, error) {
		started <- target + " " + formatRate(rate)
		progress(report(3, 300))
		<-ctx.Done()
		r := report(4, 400)
		r.Stopped = "interrupted"
		return r, 7, nil
	}
	p := NewPage(common.New(), []string{"order_lookup", "refund"}, run)
	p.SetSize(80, 20)
	if v := p.View(); !strings.Contains(v, "[order_lookup] refund") || !strings.Contains(v, "50/s for 30s") {
		t.Fatalf("idle view:\n%s", v)
	}
	p.Update(press("down"))
	p.Update(press("+"))
	cmd := p.Update(press("enter"))
	if cmd == nil {
		t.Fatal("enter started nothing")
	}
	if got := <-started; got != "refund 100/s" {
		t.Errorf("run of %q, want refund at 100/s", got)
	}
	cmd = p.Update(cmd())
	v := p.View()
	for _, want := range []string{"3s/30s running", "100.0/s achieved of 100/s", "p50 1.50ms  p99 40.0ms", "message 299, timeout 1  past 8 s: 1", "▁█▂ 40.0ms", "p99.9"} {
		if !strings.Contains(v, want) {
			t.Errorf("running view lacks %q:\n%s", want, v)
		}
	}
	for _, line := range strings.Split(v, "\n") {
		if w := lipgloss.Width(line); w > 80 {
			t.Errorf("line %d wide: %q", w, line)
		}
	}
	p.Update(press("+")) // ignored while running
	p.Update(press("s"))
	p.Update(cmd())
	if p.Running() {
		t.Fatal("still running after s")
	}
	if v := p.View(); !strings.Contains(v, "4s/30s stopped") || !strings.Contains(v, "run 7: f2 lists its calls") {
		t.Errorf("stopped view:\n%s", v)
	}
	// A report of an older run is dropped.
	p.Update(progressMsg{run: p.runID - 1, r: report(1, 1)})
	if p.last.Overall.Calls != 400 {
		t.Errorf("a stale report replaced the last one")
	}
}

// TestRunner loads a loopback TLS endpoint through the real engine.
func TestRunner(t *testing.T) {
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message":"ok"}`)
	}))
	defer s.Close()
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	d := engine.New(engine.Options{RootCAs: pool})
	defer d.Close()
	ws := &workspace.Workspace{
		Chatbot: engine.Chatbot{ID: "21", Name: "Test"},
		Actions: []engine.Action{{ID: "lookup", URL: s.URL, Secret: "whsec_loadview_9a8b7c"}},
		Webhook: &engine.Webhook{URL: s.URL, Token: "tok_loadview_1234", Events: []engine.Event{engine.EventMessageReceived}},
	}
	if got := strings.Join(Targets(ws), " "); got != "lookup on_message_received" {
		t.Errorf("targets %q", got)
	}
	run := NewRunner(d, ws, RunnerOptions{})
	for target, outcome := range map[string]string{"lookup": "message", "on_message_received": "acknowledged"} {
		r, hist, err := run(context.Background(), target, 40, 500*time.Millisecond, nil)
		if err != nil || hist != 0 {
			t.Fatal(hist, err)
		}
		if r.Overall.Calls != 20 || r.Overall.Outcomes[outcome] != 20 {
			t.Errorf("%s: %d calls, outcomes %v; want 20 %s", target, r.Overall.Calls, r.Overall.Outcomes, outcome)
		}
	}
	// Each call's conversation makes one call: the workbench's limiter,
	// shared with the conversation page, keeps none of them.
	if n := d.Limiter().Len(); n != 0 {
		t.Errorf("the limiter keeps %d of the load's conversations", n)
	}
}
