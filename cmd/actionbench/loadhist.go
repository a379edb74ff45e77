package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/load"
)

// What a load run keeps whole in the history (docs/load.md): every other
// attempt is a compact row, without headers, bodies or bot reply, so that
// a long run's history grows by a bounded amount per call.
const (
	keptFailuresPerOutcome = 20 // the first failures of each failed outcome
	keptSuccesses          = 10 // the first successes, as a sample of what worked
)

// loadRecorder hands a load run's attempts to the history as they end.
// It keeps no attempt: a count per outcome and the last write handed over,
// so a long run's memory stays flat. The history's writer commits in the
// background; a call waits only if the writer falls thousands of rows
// behind.
type loadRecorder struct {
	store *history.Store
	run   int64

	mu        sync.Mutex
	successes int                    // successes stored whole
	failures  map[engine.Outcome]int // failures stored whole, per outcome
	// last is a recent write, waited for to hear of a failed write; the
	// store's Close commits every write handed over, whatever their order.
	last *history.Pending
}

// startLoadRun adds the run to the history, labelled with the command line.
func startLoadRun(ctx context.Context, store *history.Store, cmd *cobra.Command, args []string) (*loadRecorder, error) {
	run, err := store.StartRun(ctx, "load", loadLabel(cmd, args))
	if err != nil {
		return nil, badInput{err}
	}
	return &loadRecorder{store: store, run: run, failures: make(map[engine.Outcome]int)}, nil
}

// loadLabel is the run's parameters as given: the arguments and the
// flags set, e.g. "order_lookup --rate 50/s --duration 2s".
func loadLabel(cmd *cobra.Command, args []string) string {
	parts := append([]string{}, args...)
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if fl.Name == "db" {
			return
		}
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				parts = append(parts, "--"+fl.Name, v)
			}
			return
		}
		parts = append(parts, "--"+fl.Name, fl.Value.String())
	})
	return strings.Join(parts, " ")
}

// wrap returns job, recording each arrival's attempts once it returned.
// Writes go on after the run is interrupted, so what was sent is kept.
func (r *loadRecorder) wrap(job load.Job) load.Job {
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

func (r *loadRecorder) record(ctx context.Context, a *engine.Attempt) {
	r.mu.Lock()
	var whole bool
	if a.Outcome.Succeeded() {
		whole = r.successes < keptSuccesses
		if whole {
			r.successes++
		}
	} else {
		whole = r.failures[a.Outcome] < keptFailuresPerOutcome
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

// finish waits for the run's writes to be committed, then stores the
// report as the run's summary.
func (r *loadRecorder) finish(ctx context.Context, report *load.Report) error {
	ctx = context.WithoutCancel(ctx)
	r.mu.Lock()
	last := r.last
	r.mu.Unlock()
	if last != nil {
		if _, err := last.Wait(ctx); err != nil {
			return badInput{err}
		}
	}
	summary, err := json.Marshal(report)
	if err != nil {
		return err
	}
	if err := r.store.FinishRun(ctx, r.run, summary); err != nil {
		return badInput{err}
	}
	return nil
}

// note is the line that points from the report to the history.
func (r *loadRecorder) note(db string) string {
	s := fmt.Sprintf("history: load run %d; its failures: actionbench history --run %d", r.run, r.run)
	if db != "" {
		s += " --db " + db
	}
	return s
}
