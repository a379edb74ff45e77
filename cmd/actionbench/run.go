package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/scenarios"
	"github.com/actionbench/actionbench/scenarios/shard"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/sim/demo"
)

type runFlags struct {
	commonFlags
	db       dbFlag
	parallel int
	json     bool
	junit    string
	shards   shardFlags
	watch    bool
	// maxScenario is the size limit of a scenario file.
	maxScenario byteSize
}

func newRunCommand(e env) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run SCENARIO...",
		Short: "Replay scenario files against the endpoints and check their expectations",
		Long: `run plays each scenario as its visitor — say, click, lead, trigger, wait —
against the workspace's endpoints (the embedded demo when the scenario names
no workspace), checks every expect, and reports what failed: expected
against actual, with the attempt's diagnosis. SCENARIO is a file or a
folder (searched for *.yaml and *.yml). Waits cost no real time.

In CI, --shard I/N runs one runner's share of the files: the same file
always lands on the same shard, adding files never moves others, and the
N shards together run every file once. --shard-timings balances shards
by the times in earlier JUnit reports. --list prints the share.

In the editor, --watch keeps running: a saved scenario reruns itself, a
saved workspace reruns everything, and a file that stops parsing is shown
with its line while the rest is still watched.

Exit status: 0 when every scenario passed, 1 when any failed, 2 for bad
input (a scenario or workspace that does not load).`,
		Example: `  actionbench run scenarios/examples
  actionbench run checkout.yaml --junit report.xml
  actionbench run scenarios/ --parallel 16 --json
  actionbench run scenarios/ --shard 2/4 --junit report-2.xml
  actionbench run scenarios/ --watch
  actionbench run scenarios/ --shard 2/4 --shard-timings 'reports/*.xml' --list`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("run takes one or more scenario files or folders")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return f.run(cmd, e, args) },
	}
	f.register(cmd)
	f.db.register(cmd)
	fl := cmd.Flags()
	fl.IntVarP(&f.parallel, "parallel", "p", 4*runtime.GOMAXPROCS(0), "scenarios run at once")
	fl.BoolVar(&f.json, "json", false, "print the results as one JSON object")
	fl.StringVar(&f.junit, "junit", "", "also write the results as JUnit XML to FILE, for CI")
	f.shards.register(cmd)
	fl.BoolVar(&f.watch, "watch", false, "then rerun what each saved change affects, until ctrl-c")
	f.maxScenario = byteSize(scenarios.DefaultLimits().Bytes)
	fl.Var(&f.maxScenario, "max-scenario-size", "largest scenario file to read, e.g. 16MiB (nesting is capped at 64 levels)")
	// --workspace here replaces the demo for scenarios that name no workspace.
	cmd.Flags().Lookup("workspace").Usage = "workspace for scenarios that name none (default: the embedded demo)"
	return cmd
}

func (f *runFlags) run(cmd *cobra.Command, e env, args []string) error {
	ctx := cmd.Context()
	if f.parallel < 1 {
		return badInputf("--parallel %d: run at least one scenario at a time", f.parallel)
	}
	spec, err := f.shards.spec(e)
	if err != nil {
		return err
	}
	if f.watch {
		if f.shards.list || f.json || f.junit != "" {
			return usageError{errors.New("--watch reruns on every change: it does not combine with --list, --json or --junit")}
		}
		return f.watchLoop(ctx, e, args, spec)
	}
	found, errs, err := f.files(args, spec)
	if err != nil {
		return err
	}
	if f.shards.list && len(errs) == 0 {
		for _, file := range found {
			fmt.Fprintln(e.stdout, file.Path)
		}
		return nil
	}
	list, loadErrs := scenarios.LoadFilesWith(found, f.maxScenario.limits(scenarios.DefaultLimits()))
	errs = append(errs, loadErrs...)
	if len(errs) > 0 {
		for _, err := range errs {
			fmt.Fprintf(e.stderr, "actionbench: %v\n", err)
		}
		return badInputf("%d scenario file(s) did not load: fix them and run again", len(errs))
	}

	progress := newProgress(e.stdout, len(list), !f.json)
	began := time.Now()
	results, err := f.execute(ctx, e, list, progress)
	if err != nil {
		return err
	}
	progress.finish()
	elapsed := time.Since(began)

	if f.junit != "" {
		if err := writeJUnit(f.junit, suiteName(spec), results, elapsed); err != nil {
			return err
		}
	}
	if f.json {
		err = writeRunJSON(e.stdout, results, elapsed)
	} else {
		err = writeRunSummary(e.stdout, results, elapsed)
	}
	if err != nil {
		return err
	}
	for _, r := range results {
		if !r.Passed() {
			return errFailed
		}
	}
	return nil
}

// files lists the scenario files named by args, this shard's share when
// sharded; errs are paths that could not be read.
func (f *runFlags) files(args []string, spec shard.Spec) (found []scenarios.File, errs []error, err error) {
	found, errs = scenarios.Files(args)
	if spec.Count > 0 {
		if found, err = f.shards.pick(found, spec); err != nil {
			return nil, nil, err
		}
	}
	return found, errs, nil
}

// execute runs the scenarios, as many at once as --parallel says, and
// returns their results in the order given. An error is a workspace or
// history that could not be opened: nothing ran.
func (f *runFlags) execute(ctx context.Context, e env, list []*scenarios.Scenario, progress *progress) ([]scenarios.Result, error) {
	// The workspaces are loaded before anything runs, so that a bad one is
	// bad input, not a string of failures.
	fallback, stop, err := f.fallbackWorkspace(ctx, e)
	if err != nil {
		return nil, err
	}
	defer stop()
	files := map[string]*bot.Workspace{}
	var caFiles, secrets []string
	secrets = append(secrets, fallback.Secrets()...)
	for _, sc := range list {
		if sc.Workspace == "" || files[sc.Workspace] != nil {
			continue
		}
		ws, err := bot.Load(sc.Workspace, f.workspaceOptions(e))
		if err != nil {
			return nil, badInputf("%s: %v", sc.Path, err)
		}
		files[sc.Workspace] = ws
		secrets = append(secrets, ws.Secrets()...)
		if ws.CAFile != "" {
			caFiles = append(caFiles, ws.CAFile)
		}
	}
	// So is every step's action and button: a file that names one its
	// workspace lacks is bad input, found before anything is sent.
	var bad int
	for _, sc := range list {
		ws := fallback.Workspace
		if sc.Workspace != "" {
			ws = files[sc.Workspace]
		}
		if err := sc.Check(ws); err != nil {
			fmt.Fprintf(e.stderr, "actionbench: %v\n", err)
			bad++
		}
	}
	if bad > 0 {
		return nil, badInputf("%d scenario file(s) name what their workspace lacks: fix them and run again", bad)
	}
	opts, err := f.dispatcherOptions(fallback)
	if err != nil {
		return nil, err
	}
	if len(caFiles) > 0 {
		if opts.RootCAs, err = addCAFiles(opts.RootCAs, caFiles); err != nil {
			return nil, badInput{err}
		}
	}
	store, err := f.db.open(ctx, secrets)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	dispatchers := scenarios.NewDispatchers(opts, f.policy != "")
	defer dispatchers.Close()

	env := scenarios.Env{
		Dispatcher:    dispatchers.For,
		Demo:          fallback.Workspace,
		LoadWorkspace: func(path string) (*bot.Workspace, error) { return files[path], nil },
		Recorder:      store,
	}
	results := make([]scenarios.Result, len(list))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(f.parallel, len(list)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = scenarios.Run(ctx, list[i], env)
				progress.done(results[i])
			}
		}()
	}
	for i := range list {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results, nil
}

// fallbackWorkspace is the workspace for scenarios that name none: the
// --workspace file, else the embedded demo (started here).
func (f *runFlags) fallbackWorkspace(ctx context.Context, e env) (*loaded, func(), error) {
	if f.workspace != "" {
		ws, err := bot.Load(f.workspace, f.workspaceOptions(e))
		if err != nil {
			return nil, nil, badInput{err}
		}
		return &loaded{Workspace: ws}, func() {}, nil
	}
	d, err := demo.Start(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	l := &loaded{Workspace: d.Workspace, demo: d}
	return l, l.Close, nil
}

// progress shows how far a run is: a bar redrawn in place on a terminal,
// a line per scenario otherwise.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	quiet    bool
	total    int
	finished int
	failed   int
}

func newProgress(w io.Writer, total int, show bool) *progress {
	p := &progress{w: w, total: total, quiet: !show}
	if file, ok := w.(*os.File); ok && term.IsTerminal(file.Fd()) {
		p.tty = true
	}
	return p
}

func (p *progress) done(r scenarios.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished++
	if !r.Passed() {
		p.failed++
	}
	if p.quiet {
		return
	}
	if p.tty {
		const width = 30
		filled := width * p.finished / p.total
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d scenarios, %d failed", strings.Repeat("#", filled), strings.Repeat("-", width-filled), p.finished, p.total, p.failed)
		return
	}
	status := "PASS"
	if !r.Passed() {
		status = "FAIL"
	}
	fmt.Fprintf(p.w, "%s  %s  %s (%s)\n", status, r.Scenario.Path, r.Scenario.Name, r.Duration.Round(time.Millisecond))
}

func (p *progress) finish() {
	if p.tty && !p.quiet {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// writeRunSummary explains every failure, then closes with "N passed, N failed".
func writeRunSummary(w io.Writer, results []scenarios.Result, elapsed time.Duration) error {
	st := newStyles(w)
	passed, failed := 0, 0
	var b strings.Builder
	for _, r := range results {
		if r.Passed() {
			passed++
			continue
		}
		failed++
		fmt.Fprintf(&b, "\n%s %s — %s\n", st.bad.Render("FAIL"), r.Scenario.Path, r.Scenario.Name)
		if r.Err != nil {
			fmt.Fprintf(&b, "  %v\n", r.Err)
			continue
		}
		for _, s := range r.Steps {
			for _, f := range s.Failures {
				fmt.Fprintf(&b, "  %s:%s\n", r.Scenario.Path, f)
			}
		}
		fmt.Fprintf(&b, "  %s\n", st.dim.Render("conversation "+r.ConversationID+": actionbench history -c "+r.ConversationID))
	}
	fmt.Fprintf(&b, "\n%d passed, %d failed\n", passed, failed)
	noun := "scenarios"
	if len(results) == 1 {
		noun = "scenario"
	}
	fmt.Fprintf(&b, "%s\n", st.dim.Render(fmt.Sprintf("%d %s in %s", len(results), noun, elapsed.Round(time.Millisecond))))
	_, err := io.WriteString(w, b.String())
	return err
}

type runJSON struct {
	Passed    int            `json:"passed"`
	Failed    int            `json:"failed"`
	ElapsedMS float64        `json:"elapsed_ms"`
	Scenarios []scenarioJSON `json:"scenarios"`
}

type scenarioJSON struct {
	Name           string        `json:"name"`
	Path           string        `json:"path"`
	Passed         bool          `json:"passed"`
	ConversationID string        `json:"conversation_id,omitempty"`
	DurationMS     float64       `json:"duration_ms"`
	Error          string        `json:"error,omitempty"`
	Failures       []failureJSON `json:"failures"`
}

type failureJSON struct {
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	Check     string `json:"check"`
	Expected  string `json:"expected"`
	Actual    string `json:"actual"`
	Diagnosis string `json:"diagnosis,omitempty"`
}

func writeRunJSON(w io.Writer, results []scenarios.Result, elapsed time.Duration) error {
	out := runJSON{ElapsedMS: ms(elapsed), Scenarios: []scenarioJSON{}}
	for _, r := range results {
		s := scenarioJSON{Name: r.Scenario.Name, Path: r.Scenario.Path, Passed: r.Passed(), ConversationID: r.ConversationID, DurationMS: ms(r.Duration), Failures: []failureJSON{}}
		if r.Err != nil {
			s.Error = r.Err.Error()
		}
		for _, st := range r.Steps {
			for _, f := range st.Failures {
				s.Failures = append(s.Failures, failureJSON{f.Pos.Line, f.Pos.Column, f.Check, f.Expected, f.Actual, f.Diagnosis})
			}
		}
		if s.Passed {
			out.Passed++
		} else {
			out.Failed++
		}
		out.Scenarios = append(out.Scenarios, s)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// JUnit XML as CI systems (Jenkins, GitLab, GitHub actions' reporters) read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(path, name string, results []scenarios.Result, elapsed time.Duration) error {
	suite := junitSuite{Name: name, Tests: len(results), Time: seconds3(elapsed)}
	for _, r := range results {
		c := junitCase{Name: r.Scenario.Name, Classname: r.Scenario.Path, Time: seconds3(r.Duration)}
		if !r.Passed() {
			suite.Failures++
			var lines []string
			if r.Err != nil {
				lines = append(lines, r.Err.Error())
			}
			for _, s := range r.Steps {
				for _, f := range s.Failures {
					lines = append(lines, r.Scenario.Path+":"+f.String())
				}
			}
			c.Failure = &junitFailure{Message: lines[0], Text: strings.Join(lines, "\n")}
		}
		suite.Cases = append(suite.Cases, c)
	}
	return saveJUnit(path, junitSuites{Tests: suite.Tests, Failures: suite.Failures, Time: suite.Time, Suites: []junitSuite{suite}})
}

// saveJUnit writes doc to path as a JUnit XML report, for run, load and
// audit alike.
func saveJUnit(path string, doc junitSuites) error {
	data, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	data = append([]byte(xml.Header), append(data, '\n')...)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return badInputf("--junit: %v", err)
	}
	return nil
}

func seconds3(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
