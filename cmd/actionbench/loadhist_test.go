package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/actionbench/actionbench/engine/load"
	"github.com/actionbench/actionbench/engine/load/loadhistory"
)

// TestLoadHistory runs two loads on the demo into a fresh history — one
// whose calls all fail, one whose calls all succeed — then finds them with
// history runs and history --run, and looks at the file as sqlite3 would:
// every call has its row in its run, and only the first failures of each
// outcome and the first successes keep their headers and bodies.
func TestLoadHistory(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	runs := []struct {
		args    []string
		outcome string
		whole   int // rows with headers and bodies
	}{
		// Without visitor.email the demo's order lookup answers 404.
		{[]string{"order_lookup"}, "error", loadhistory.KeptFailuresPerOutcome},
		{[]string{"order_lookup", "--set", "visitor.email=jane@example.com"}, "message", loadhistory.KeptSuccesses},
	}
	for i, r := range runs {
		args := append(append([]string{"load"}, r.args...), "--rate", "50/s", "--duration", "2s", "--db", db)
		res := actionbench(t, runOptions{}, args...)
		if res.code != 0 {
			t.Fatalf("run %d: exit %d\n%s%s", i+1, res.code, res.stdout, res.stderr)
		}
		if want := "actionbench history --run " + string(rune('1'+i)); !strings.Contains(res.stderr, want) {
			t.Errorf("run %d: stderr lacks %q:\n%s", i+1, want, res.stderr)
		}
	}

	res := actionbench(t, runOptions{}, "history", "runs", "--db", db)
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if res.code != 0 || len(lines) != 3 {
		t.Fatalf("history runs: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for i, want := range [][]string{
		{"2", "load", "100", " 0 ", "order_lookup --duration 2s --rate 50/s --set visitor.email=jane@example.com"},
		{"1", "load", "100", "100", "order_lookup --duration 2s --rate 50/s"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("history runs, row %d lacks %q:\n%s", i+1, w, res.stdout)
			}
		}
	}

	for _, tt := range []struct {
		run, outcome string
		want         int
	}{
		{"1", "error", 100},
		{"2", "error", 0},
		{"2", "message", 100},
		{"1", "message", 0},
	} {
		res := actionbench(t, runOptions{}, "history", "--db", db, "--run", tt.run, "--outcome", tt.outcome, "-n", "500", "--json")
		var rows []summaryJSON
		if res.code != 0 || json.Unmarshal([]byte(res.stdout), &rows) != nil {
			t.Fatalf("history --run %s --outcome %s: exit %d\n%s%s", tt.run, tt.outcome, res.code, res.stdout, res.stderr)
		}
		if len(rows) != tt.want {
			t.Errorf("history --run %s --outcome %s: %d rows, want %d", tt.run, tt.outcome, len(rows), tt.want)
		}
		for _, r := range rows {
			if r.ActionID != "order_lookup" || r.Outcome != tt.outcome || !strings.HasPrefix(r.ConversationID, "load_") {
				t.Errorf("history --run %s: row %+v", tt.run, r)
				break
			}
		}
	}
	// A failure kept whole shows its exchange.
	res = actionbench(t, runOptions{}, "history", "show", "1", "--db", db)
	if res.code != 0 || !strings.Contains(res.stdout, "404") || !strings.Contains(res.stdout, "POST") {
		t.Errorf("history show 1: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i, r := range runs {
		var calls, whole, compact, compactWithout, statuses int
		err := conn.QueryRow(`SELECT count(*),
			sum(request_body IS NOT NULL AND response_body IS NOT NULL AND request_headers IS NOT NULL AND response_headers IS NOT NULL),
			sum(request_body IS NULL AND response_body IS NULL),
			sum(request_body IS NULL AND response_body IS NULL AND request_headers IS NULL AND response_headers IS NULL AND bot_reply = ''),
			sum(status IS NOT NULL AND latency_ms > 0)
			FROM attempts WHERE run_id = ? AND outcome = ?`, i+1, r.outcome).Scan(&calls, &whole, &compact, &compactWithout, &statuses)
		if err != nil {
			t.Fatal(err)
		}
		if calls != 100 || whole != r.whole || compact != 100-r.whole || compactWithout != compact || statuses != 100 {
			t.Errorf("run %d: %d rows, %d whole (want %d), %d compact (%d with nothing else), %d with status and latency",
				i+1, calls, whole, r.whole, compact, compactWithout, statuses)
		}
		var finished sql.NullString
		var summary string
		if err := conn.QueryRow("SELECT finished_at, summary FROM runs WHERE id = ?", i+1).Scan(&finished, &summary); err != nil {
			t.Fatal(err)
		}
		var rep load.Report
		if !finished.Valid || json.Unmarshal([]byte(summary), &rep) != nil || rep.Overall == nil || rep.Overall.Calls != 100 {
			t.Errorf("run %d: finished_at %v, summary %.200s", i+1, finished, summary)
		}
	}
	var orphans int
	if err := conn.QueryRow("SELECT count(*) FROM attempts WHERE run_id IS NULL").Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("%d attempts of no run, %v", orphans, err)
	}
}

// TestLoadNoHistory: --no-history leaves the database alone.
func TestLoadNoHistory(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	res := actionbench(t, runOptions{}, "load", "order_lookup", "--rate", "20/s", "--duration", "1s", "--db", db, "--no-history")
	if res.code != 0 || strings.Contains(res.stderr, "history --run") {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = actionbench(t, runOptions{}, "history", "runs", "--db", db)
	if res.code != 0 || !strings.Contains(res.stdout, "no runs yet") {
		t.Errorf("history runs after --no-history: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}
