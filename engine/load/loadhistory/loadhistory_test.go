package loadhistory

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/load"
)

// attempt is what a call to a fast endpoint returns; every fifth fails.
func attempt(c load.Call) *engine.Attempt {
	a := &engine.Attempt{Kind: engine.KindAction, ActionID: "order_lookup", ConversationID: "load_t_" + string(rune('a'+c.Seq%26)),
		DeliveryID: "d", At: c.Intended, Started: c.Intended, Latency: time.Millisecond, Sent: true,
		Request:  engine.Request{Method: "POST", URL: "https://127.0.0.1/x", Body: []byte(`{"q":1}`)},
		Response: &engine.Response{Status: 200, Body: []byte(`{"message":"ok"}`)}, Outcome: engine.OutcomeMessage}
	if c.Seq%5 == 0 {
		a.Outcome, a.Response.Status, a.Diagnosis = engine.OutcomeError, 500, "status 500"
	}
	return a
}

// TestHeldByTheHistory: while another process holds the history's write
// lock, a fast load fills the writer's queue; the calls that waited for
// room are counted in the report stored as the run's summary, and every
// call still gets its row once the lock is released — compact but for
// the first failures and successes.
func TestHeldByTheHistory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "h.db")
	store, err := history.Open(ctx, path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rec, err := Start(ctx, store, "order_lookup --concurrency 4 --duration 1s")
	if err != nil {
		t.Fatal(err)
	}

	other, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(500 * time.Millisecond)
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
	}()

	job := rec.Wrap(func(_ context.Context, c load.Call) load.Result {
		return load.Result{Attempts: []*engine.Attempt{attempt(c)}}
	})
	rep, err := load.Run(ctx, job, load.Options{Concurrency: 4, Duration: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	<-released
	if err := rec.Finish(ctx, rep); err != nil {
		t.Fatal(err)
	}
	if rep.Overall.Calls <= history.QueueLen || rep.HistoryHeld == 0 || rep.HistoryWaitSeconds <= 0 {
		t.Fatalf("%d calls, %d held for %.3fs: want more calls than the queue holds, and some held", rep.Overall.Calls, rep.HistoryHeld, rep.HistoryWaitSeconds)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var summary string
	if err := db.QueryRow("SELECT summary FROM runs WHERE id = ?", rec.Run()).Scan(&summary); err != nil {
		t.Fatal(err)
	}
	var stored load.Report
	if err := json.Unmarshal([]byte(summary), &stored); err != nil || stored.HistoryHeld != rep.HistoryHeld {
		t.Errorf("stored summary holds %d held, want %d (%v)", stored.HistoryHeld, rep.HistoryHeld, err)
	}
	var rows, wholeOK, wholeErr int64
	err = db.QueryRow(`SELECT count(*), coalesce(sum(outcome = 'message' AND request_body IS NOT NULL), 0),
		coalesce(sum(outcome = 'error' AND request_body IS NOT NULL), 0) FROM attempts WHERE run_id = ?`, rec.Run()).Scan(&rows, &wholeOK, &wholeErr)
	if err != nil {
		t.Fatal(err)
	}
	if rows != rep.Overall.Calls+rep.WarmupCalls || wholeOK != KeptSuccesses || wholeErr != KeptFailuresPerOutcome {
		t.Errorf("%d rows for %d calls, %d successes and %d failures whole; want %d and %d",
			rows, rep.Overall.Calls, wholeOK, wholeErr, KeptSuccesses, KeptFailuresPerOutcome)
	}
}
