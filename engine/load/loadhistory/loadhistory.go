// Package loadhistory writes a load run to the history, the same way from
// the command line and from the workbench's load page: one row in the
// runs table (its parameters, then the report as its summary) and one
// attempt per call, linked to the run. Most attempts are compact rows;
// the first failures of each outcome and the first successes are kept
// whole, so a long run's history grows by a bounded amount per call.
package loadhistory

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/load"
)

// What a load run keeps whole (docs/load.md): every other attempt is a
// compact row, without headers, bodies or bot reply.
const (
	KeptFailuresPerOutcome = 20 // the first failures of each failed outcome
	KeptSuccesses          = 10 // the first successes, as a sample of what worked
)

// Kind is the runs table's kind for a load run.
const Kind = "load"

// Recorder hands a load run's attempts to the history as they end. It
// keeps no attempt: a count per outcome and the last write handed over,
// so a long run's memory stays flat. The history's writer commits in the
// background; a call waits only when the writer falls history.QueueLen
// rows behind, and those waits are counted (see Report).
type Recorder struct {
	store *history.Store
	run   int64
	held  history.Backpressure // the store's count when the run started

	mu        sync.Mutex
	successes int                    // successes stored whole
	failures  map[engine.Outcome]int // failures stored whole, per outcome
	// last is a recent write, waited for to hear of a failed write; the
	// store's Close commits every write handed over, whatever their order.
	last *history.Pending
}

// Start adds a run to store, labelled with its parameters as the user
// gave them (e.g. "order_lookup --rate 50/s --duration 30s"). It writes
// to the database: call it off a user interface's event loop.
func Start(ctx context.Context, store *history.Store, label string) (*Recorder, error) {
	run, err := store.StartRun(ctx, Kind, label)
	if err != nil {
		return nil, err
	}
	return &Recorder{store: store, run: run, held: store.Backpressure(), failures: make(map[engine.Outcome]int)}, nil
}

// Run is the run's id in the history.
func (r *Recorder) Run() int64 { return r.run }

// Wrap returns job, recording each arrival's attempts once it returned.
// Writes go on after the run is interrupted, so what was sent is kept.
func (r *Recorder) Wrap(job load.Job) load.Job {
	return func(ctx context.Context, c load.Call) load.Result {
		res := job(ctx, c)
		for _, a := range res.Attempts {
			if a != nil {
				r.record(context.WithoutCancel(ctx), a)
			}
		}
		return res
	}
}

func (r *Recorder) record(ctx context.Context, a *engine.Attempt) {
	r.mu.Lock()
	var whole bool
	if a.Outcome.Succeeded() {
		whole = r.successes < KeptSuccesses
		if whole {
			r.successes++
		}
	} else {
		whole = r.failures[a.Outcome] < KeptFailuresPerOutcome
		if whole {
			r.failures[a.Outcome]++
		}
	}
	r.mu.Unlock()
	p := r.store.SubmitInRun(ctx, a, r.run, !whole)
	r.mu.Lock()
	r.last = p
	r.mu.Unlock()
}

// Note puts the history's back-pressure since the run started into rep:
// how many writes waited for room in the writer's queue, and how long.
// The store is shared (the workbench records its conversations in it
// too), so this counts every writer of this process during the run.
func (r *Recorder) Note(rep *load.Report) {
	now := r.store.Backpressure()
	rep.HistoryHeld = now.Held - r.held.Held
	rep.HistoryWaitSeconds = (now.Waited - r.held.Waited).Seconds()
}

// Finish waits for the run's writes to be committed, then stores the
// report (with the history's back-pressure, see Note) as the run's
// summary. It writes to the database: call it off an event loop.
func (r *Recorder) Finish(ctx context.Context, rep *load.Report) error {
	ctx = context.WithoutCancel(ctx)
	r.mu.Lock()
	last := r.last
	r.mu.Unlock()
	if last != nil {
		if _, err := last.Wait(ctx); err != nil {
			return err
		}
	}
	r.Note(rep)
	summary, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	return r.store.FinishRun(ctx, r.run, summary)
}

// Pointer is the line that points from a finished run to its calls in the
// history; db is the --db given, if any.
func (r *Recorder) Pointer(db string) string {
	s := fmt.Sprintf("history: load run %d; its failures: actionbench history --run %d", r.run, r.run)
	if db != "" {
		s += " --db " + db
	}
	return s
}
