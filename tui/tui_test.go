package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/sim/demo"
)

var start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func init() {
	// Plain text, whatever the terminal running the tests can do.
	lipgloss.SetColorProfile(termenv.Ascii)
}

// bench is a workbench on the embedded demo, its mock running on loopback
// in the test process, with a history in a temporary file. Each tweak may
// change the demo's workspace and the dispatcher's options first.
func bench(t *testing.T, tweaks ...func(*bot.Workspace, *engine.Options)) (Model, *history.Store, string) {
	t.Helper()
	return benchConv(t, "conv_test", tweaks...)
}

// benchConv is bench with every conversation named conv.
func benchConv(t *testing.T, conv string, tweaks ...func(*bot.Workspace, *engine.Options)) (Model, *history.Store, string) {
	t.Helper()
	return benchAt(t, filepath.Join(t.TempDir(), "history.db"), conv, tweaks...)
}

// benchAt is benchConv with the history at path.
func benchAt(t *testing.T, path, conv string, tweaks ...func(*bot.Workspace, *engine.Options)) (Model, *history.Store, string) {
	t.Helper()
	ctx := context.Background()
	d, err := demo.Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	eopts := engine.Options{RootCAs: d.RootCAs}
	for _, tweak := range tweaks {
		tweak(d.Workspace, &eopts)
	}
	disp := engine.New(eopts)
	t.Cleanup(disp.Close)
	store, err := history.Open(ctx, path, history.Options{Secrets: d.Workspace.Secrets()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m := New(Options{
		Workspace:         d.Workspace,
		WorkspaceName:     demo.Name,
		Example:           demo.Example,
		Dispatcher:        disp,
		Policy:            "workbench",
		Recorder:          store,
		History:           store,
		LoadHistory:       store,
		ExportDir:         t.TempDir(),
		Visitor:           sim.Visitor{ID: "visitor_jane", Name: "Jane Doe", Email: "jane@example.com"},
		Secrets:           d.Workspace.Secrets(),
		Start:             start,
		NewConversationID: func() string { return conv },
	})
	// Wall-clock latencies would make every screen different.
	fixed := func(time.Duration) string { return "N ms" }
	m.tr.Latency, m.insp.Latency, m.hist.Table.Latency, m.hist.Inspector.Latency = fixed, fixed, fixed, fixed
	return m, store, conv
}

func contains(s ...string) func([]byte) bool {
	return func(b []byte) bool {
		for _, x := range s {
			if !bytes.Contains(b, []byte(x)) {
				return false
			}
		}
		return true
	}
}

func waitFor(t *testing.T, tm *teatest.TestModel, s ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), contains(s...), teatest.WithDuration(10*time.Second))
}

func say(tm *teatest.TestModel, text string) {
	tm.Type(text)
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
}

func TestOrderLookupAndInspector(t *testing.T) {
	m, store, conv := bench(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "Hi! I'm Acme's assistant")

	say(tm, "where is my order 1042")
	waitFor(t, tm, "you  where is my order 1042", "→ order_lookup (ai_intent) message 200 · N ms", "Your latest order #1042 is shipped.")

	// Up selects the latest attempt (before_response_sent), one more up
	// the order lookup.
	for range 2 {
		tm.Send(tea.KeyMsg{Type: tea.KeyUp})
	}
	waitFor(t, tm, "X-DGbot-Signature:", "sha256=", "POST https://127.0.0.1:", "/actions/order_lookup", "status    200 OK", `"customer_email": "jane@example.com"`)

	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t).(Model)
	if a := final.tr.Selected(); a == nil || a.ActionID != "order_lookup" {
		t.Fatalf("selected %+v, want the order_lookup attempt", a)
	}
	// The history has the turns and the attempts.
	turns, err := store.Transcript(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, tr := range turns {
		text = append(text, tr.Text)
	}
	got := strings.Join(text, "\n")
	for _, want := range []string{"where is my order 1042", "Your latest order #1042 is shipped."} {
		if !strings.Contains(got, want) {
			t.Errorf("history transcript lacks %q:\n%s", want, got)
		}
	}
	list, err := store.List(context.Background(), history.Filter{Conversation: conv})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 4 { // greeting's before_response_sent; message_received, order_lookup, before_response_sent
		t.Errorf("history has %d attempts, want 4", len(list))
	}
}

// While the endpoint thinks, the activity line counts the seconds against
// the 8 s budget and the workbench still answers keys.
func TestSpinnerWhileTheEndpointThinks(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"type": "message", "message": "Found it at last."}`)
	}))
	t.Cleanup(srv.Close)
	m, _, _ := bench(t, func(ws *bot.Workspace, o *engine.Options) {
		for i := range ws.Actions {
			if ws.Actions[i].ID == "order_lookup" {
				ws.Actions[i].URL = srv.URL + "/slow"
			}
		}
		pool := o.RootCAs.Clone()
		pool.AddCert(srv.Certificate())
		o.RootCAs = pool
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "Hi! I'm Acme's assistant")

	say(tm, "where is my order 1042")
	waitFor(t, tm, "waiting for the bot…", "s of the 8 s budget")
	tm.Send(tea.KeyMsg{Type: tea.KeyF1})
	waitFor(t, tm, "quick reply", "scroll inspector") // the full help, drawn mid-call
	tm.Send(tea.KeyMsg{Type: tea.KeyF1})
	close(release)
	waitFor(t, tm, "Found it at last.", "→ order_lookup (ai_intent) message 200")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t)
}

func TestClockAdvances(t *testing.T) {
	m, _, _ := bench(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "2026-01-05 09:00 UTC", "Hi! I'm Acme's assistant")
	tm.Send(tea.KeyMsg{Type: tea.KeyF6})
	waitFor(t, tm, "2026-01-05 09:10 UTC", "waited 10 min")
	tm.Send(tea.KeyMsg{Type: tea.KeyF5})
	waitFor(t, tm, "2026-01-05 09:11 UTC")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t)
}

func TestRateLimit(t *testing.T) {
	// The budget must stay on the status bar at 80 columns too, where the
	// bar has to shorten.
	sizes := []struct {
		w, h int
		left []string // after each of the three calls
	}{
		{120, 40, []string{"calls 2 of 3 left", "calls 1 of 3 left", "calls 0 of 3 left, frees 09:10:00 (in 10m)"}},
		{80, 24, []string{"calls 2 of 3 left", "calls 1 of 3 left", "0/3 calls left, frees in 10m"}},
	}
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			m, _, _ := bench(t)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
			waitFor(t, tm, "calls 3 of 3 left", "Hi! I'm Acme's assistant")
			for _, left := range size.left {
				say(tm, "where is my order 1042")
				waitFor(t, tm, left)
			}
			say(tm, "where is my order 1042")
			waitFor(t, tm, "→ order_lookup (ai_intent) rate_limited · not sent")
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			tm.WaitFinished(t)
		})
	}
}

// TestGolden compares the main screens at three sizes: the conversation
// after the greeting, an attempt selected in the inspector, and the
// history. What the wall clock and chance decide (times of day, delivery
// ids, latencies, the mock's port) is normalised first. The screens are
// drawn without colour, as under NO_COLOR: the selection must show anyway.
func TestGolden(t *testing.T) {
	type screen struct {
		name  string
		setup func(m *Model)
		drive func(t *testing.T, tm *teatest.TestModel, width int)
	}
	screens := []screen{
		{"", nil, func(*testing.T, *teatest.TestModel, int) {}},
		{"help", nil, func(t *testing.T, tm *teatest.TestModel, _ int) {
			tm.Send(tea.KeyMsg{Type: tea.KeyF1})
			waitFor(t, tm, "quick reply")
		}},
		{"inspector", nil, func(t *testing.T, tm *teatest.TestModel, width int) {
			say(tm, "where is my order 1042")
			waitFor(t, tm, "Your latest order #1042 is shipped.")
			tm.Send(tea.KeyMsg{Type: tea.KeyUp})
			tm.Send(tea.KeyMsg{Type: tea.KeyUp})
			waitFor(t, tm, "▸ order_lookup")
			if width < 100 { // the inspector takes the screen
				tm.Send(tea.KeyMsg{Type: tea.KeyTab})
				waitFor(t, tm, "tab back")
			}
		}},
		{"history", nil, func(t *testing.T, tm *teatest.TestModel, _ int) { historyAfterOrder(t, tm) }},
		// A scenario that fails, its expectation explained.
		{"scenario", func(m *Model) { m.scen.SetDir(filepath.Join("testdata", "scenarios")) }, func(t *testing.T, tm *teatest.TestModel, _ int) {
			tm.Send(tea.KeyMsg{Type: tea.KeyF3})
			waitFor(t, tm, "b_fail.yaml")
			tm.Send(tea.KeyMsg{Type: tea.KeyDown})
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			waitFor(t, tm, "FAIL")
		}},
	}
	for _, sc := range screens {
		for _, size := range goldenSizes {
			name := size.name
			if sc.name != "" {
				name = sc.name + "-" + size.name
			}
			t.Run(name, func(t *testing.T) {
				m, _, _ := bench(t)
				if sc.setup != nil {
					sc.setup(&m)
				}
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h))
				waitFor(t, tm, "Hi! I'm Acme's")
				sc.drive(t, tm, size.w)
				if err := tm.Quit(); err != nil {
					t.Fatal(err)
				}
				view := tm.FinalModel(t).View()
				fits(t, view, size.w, size.h)
				golden.RequireEqual(t, []byte(normalise(view)))
			})
		}
	}
}

// historyAfterOrder asks for an order, opens the history and selects its
// second row, the order lookup.
func historyAfterOrder(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	say(tm, "where is my order 1042")
	waitFor(t, tm, "Your latest order #1042 is shipped.")
	tm.Send(tea.KeyMsg{Type: tea.KeyF2})
	waitFor(t, tm, "page 1")
	tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	waitFor(t, tm, "▸ ")
}

// normalise replaces what differs from run to run with fixed text.
func normalise(view string) string {
	for _, r := range []struct{ re, with string }{
		{`dlv_[0-9a-f]{24}`, "dlv_XXXXXXXXXXXXXXXXXXXXXXXX"},
		{`127\.0\.0\.1:\d{4,5}`, "127.0.0.1:PORT"},
		{`conv_[0-9a-f]{12}`, "conv_XXXXXXXXXXXX"}, // a scenario's conversation
		{`[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT`, "Mon, 01 Jan 2026 00:00:00 GMT"},
		{`\b\d\d:\d\d:\d\d\b`, "hh:mm:ss"}, // the table's wall clock, in local time
	} {
		view = regexp.MustCompile(r.re).ReplaceAllString(view, r.with)
	}
	return view
}
