package tui

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/load"
	"github.com/actionbench/actionbench/engine/load/loadhistory"
)

// TestLoadPageWritesHistory starts a load from the load page (f4) against
// the demo's mock on loopback TLS, stops it with s, and finds the run as
// actionbench load leaves one: a runs row with the parameters and the
// report, and a row per call, compact but for the first successes. The
// history page (f2) then lists the run's calls.
func TestLoadPageWritesHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	m, store, _ := benchAt(t, path, "conv_test")
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "Hi! I'm Acme's assistant")

	tm.Send(tea.KeyMsg{Type: tea.KeyF4})
	waitFor(t, tm, "[order_lookup]", "50/s for 30s")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "running", "achieved of 50/s", "message ")
	time.Sleep(time.Second) // another second of calls
	tm.Send(runes("s"))
	waitFor(t, tm, "stopped", "history   run 1: f2 lists its calls, or actionbench history --run 1")

	tm.Send(tea.KeyMsg{Type: tea.KeyF2})
	waitFor(t, tm, "History", "order_lookup", "load_")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	// Quitting the workbench closes the history, committing what was handed over.
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var (
		kind, label string
		finished    sql.NullString
		summary     string
	)
	if err := db.QueryRow("SELECT kind, label, finished_at, summary FROM runs WHERE id = 1").Scan(&kind, &label, &finished, &summary); err != nil {
		t.Fatal(err)
	}
	var rep load.Report
	if err := json.Unmarshal([]byte(summary), &rep); err != nil || rep.Overall == nil {
		t.Fatalf("summary %.200s: %v", summary, err)
	}
	if kind != loadhistory.Kind || label != "order_lookup --rate 50/s --duration 30s" || !finished.Valid || rep.Stopped != "interrupted" ||
		rep.Params.Traffic != "calls" || strings.Join(rep.Params.Targets, ",") != "order_lookup" {
		t.Errorf("run 1: kind %q, label %q, finished %v, stopped %q, params %+v", kind, label, finished, rep.Stopped, rep.Params)
	}
	var calls, ok, whole, compact int
	err = db.QueryRow(`SELECT count(*), sum(outcome = 'message'),
		sum(request_body IS NOT NULL AND response_body IS NOT NULL AND request_headers IS NOT NULL),
		sum(request_body IS NULL AND response_body IS NULL AND request_headers IS NULL AND response_headers IS NULL AND bot_reply = '')
		FROM attempts WHERE run_id = 1 AND action_id = 'order_lookup' AND conversation_id LIKE 'load_%'`).Scan(&calls, &ok, &whole, &compact)
	if err != nil {
		t.Fatal(err)
	}
	if calls < 50 || int64(calls) != rep.Overall.Calls+rep.WarmupCalls || ok != calls ||
		whole != loadhistory.KeptSuccesses || compact != calls-whole {
		t.Errorf("run 1: %d calls (report: %d), %d succeeded, %d whole (want %d), %d compact",
			calls, rep.Overall.Calls, ok, whole, loadhistory.KeptSuccesses, compact)
	}
	// The history's own listing of the run, as history --run 1 reads it.
	reopened, err := history.Open(context.Background(), path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	runs, err := reopened.Runs(context.Background(), 10)
	if err != nil || len(runs) != 1 || runs[0].Kind != "load" {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	listed, err := reopened.List(context.Background(), history.Filter{RunID: 1, Limit: 500})
	if err != nil || len(listed) != calls {
		t.Errorf("history --run 1 lists %d, want %d: %v", len(listed), calls, err)
	}
}
