package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/actionbench/actionbench/scenarios"
	"github.com/actionbench/actionbench/scenarios/shard"
	"github.com/actionbench/actionbench/scenarios/watch"
)

// watchState is what a watch loop knows between passes: the last result
// of every file, and which workspaces the scenarios use.
type watchState struct {
	order      []string // the files, as listed, by absolute path
	paths      map[string]string
	scenarios  map[string]*scenarios.Scenario
	results    map[string]scenarios.Result
	loadErrs   map[string]error
	listErrs   []error
	runErr     error
	workspaces map[string]bool
}

// watchLoop runs every file, then reruns what each batch of changes
// affects — a changed scenario itself, everything when a workspace
// changed — until the context ends (ctrl-c).
func (f *runFlags) watchLoop(ctx context.Context, e env, args []string, spec shard.Spec) error {
	w, err := watch.New()
	if err != nil {
		return fmt.Errorf("cannot watch files: %w", err)
	}
	defer w.Close()
	st := &watchState{scenarios: map[string]*scenarios.Scenario{}, results: map[string]scenarios.Result{}, loadErrs: map[string]error{}}
	var changed []string // nil: run everything
	for {
		if err := f.pass(ctx, e, args, spec, st, changed); err != nil {
			return err
		}
		if err := st.watchFolders(w, args); err != nil {
			return fmt.Errorf("cannot watch files: %w", err)
		}
		changed, err = w.Next(ctx)
		switch {
		case ctx.Err() != nil:
			fmt.Fprintln(e.stdout, "stopped watching")
			return nil
		case errors.Is(err, context.Canceled):
			return nil
		case err != nil:
			// Changes may have been lost (the event queue overflowed):
			// rerun everything rather than miss one.
			fmt.Fprintf(e.stderr, "actionbench: watching: %v; running everything again\n", err)
			changed = nil
		}
	}
}

// pass reruns the files a change affects and redraws the summary.
func (f *runFlags) pass(ctx context.Context, e env, args []string, spec shard.Spec, st *watchState, changed []string) error {
	found, listErrs, err := f.files(args, spec)
	if err != nil {
		return err // --shard-timings unreadable: nothing to watch for
	}
	st.listErrs = listErrs
	all := changed == nil
	touched := map[string]bool{}
	for _, p := range changed {
		p = absPath(p)
		touched[p] = true
		if st.workspaces[p] {
			all = true
		}
	}
	st.order = st.order[:0]
	st.paths = map[string]string{}
	var list []*scenarios.Scenario
	for _, file := range found {
		p := absPath(file.Path)
		st.order = append(st.order, p)
		st.paths[p] = file.Path
		_, ran := st.results[p]
		_, broken := st.loadErrs[p]
		if !all && !touched[p] && (ran || broken) {
			continue
		}
		delete(st.results, p)
		delete(st.loadErrs, p)
		sc, err := scenarios.LoadWith(file.Path, f.maxScenario.limits(scenarios.DefaultLimits()))
		if err != nil {
			st.loadErrs[p] = err
			delete(st.scenarios, p)
			continue
		}
		st.scenarios[p] = sc
		list = append(list, sc)
	}
	// Files gone from the list are forgotten.
	for p := range st.scenarios {
		if _, ok := st.paths[p]; !ok {
			delete(st.scenarios, p)
			delete(st.results, p)
			delete(st.loadErrs, p)
		}
	}
	st.workspaces = map[string]bool{}
	if f.workspace != "" {
		st.workspaces[absPath(f.workspace)] = true
	}
	for _, sc := range st.scenarios {
		if sc.Workspace != "" {
			st.workspaces[absPath(sc.Workspace)] = true
		}
	}

	began := time.Now()
	progress := newProgress(e.stdout, len(list), true)
	results, err := f.execute(ctx, e, list, progress)
	progress.finish()
	st.runErr = err
	for _, r := range results {
		st.results[absPath(r.Scenario.Path)] = r
	}
	return st.render(e, len(list), time.Since(began))
}

// render clears a terminal and draws the state of every file: what did
// not load, then the summary of the last results.
func (st *watchState) render(e env, ran int, elapsed time.Duration) error {
	if file, ok := e.stdout.(*os.File); ok && term.IsTerminal(file.Fd()) {
		fmt.Fprint(e.stdout, "\033[H\033[2J")
	}
	for _, err := range st.listErrs {
		fmt.Fprintf(e.stdout, "actionbench: %v\n", err)
	}
	var results []scenarios.Result
	for _, p := range st.order {
		if err, ok := st.loadErrs[p]; ok {
			fmt.Fprintf(e.stdout, "actionbench: %v\n", err)
		}
		if r, ok := st.results[p]; ok {
			results = append(results, r)
		}
	}
	if st.runErr != nil {
		fmt.Fprintf(e.stdout, "actionbench: %v\n", st.runErr)
	}
	if err := writeRunSummary(e.stdout, results, elapsed); err != nil {
		return err
	}
	if n := len(st.loadErrs); n > 0 {
		fmt.Fprintf(e.stdout, "%d file(s) did not load\n", n)
	}
	_, err := fmt.Fprintf(e.stdout, "ran %d; watching %d file(s) and their workspaces for changes (ctrl-c to stop)\n", ran, len(st.order))
	return err
}

// watchFolders watches the folders named on the command line, those of the
// files named, and those of the workspaces in use.
func (st *watchState) watchFolders(w *watch.Watcher, args []string) error {
	for _, a := range args {
		fi, err := os.Stat(a)
		switch {
		case err != nil:
			continue // reported as a list error
		case fi.IsDir():
			err = w.AddTree(a)
		default:
			err = w.Add(filepath.Dir(a))
		}
		if err != nil {
			return err
		}
	}
	for p := range st.workspaces {
		if err := w.Add(filepath.Dir(p)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}
