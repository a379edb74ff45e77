package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine/load"
	"github.com/actionbench/actionbench/engine/load/loadhistory"
)

type loadFlags struct {
	commonFlags
	rate          string
	ramp          time.Duration
	concurrency   int
	maxInflight   int
	duration      time.Duration
	warmup        time.Duration
	conversations int
	scenario      string
	sets          []string
	thresholds    []string
	untilFail     bool
	jsonFile      string
	junit         string
	shard         string
	runID         string
	db            dbFlag
	noHistory     bool
}

// defaultRate is the open model's rate when neither --rate nor --concurrency is given.
const defaultRate = "50/s"

func newLoadCommand(e env) *cobra.Command {
	var f loadFlags
	cmd := &cobra.Command{
		Use:   "load [ACTION|EVENT...] | load --scenario FILE",
		Short: "Put load on the endpoints: many simulated conversations, with percentiles and a verdict",
		Long: `load sends many calls, each exactly as the platform would send it (signed,
under the 8 s budget and 100 KiB limits), and measures what came back:
the achieved rate, latency percentiles p50 p90 p95 p99 p99.9 and max (from
HDR histograms), counts per outcome and status, the top diagnoses, a
per-second series, and how many calls ended past the 8 s budget.

Traffic is either calls or conversations:
  load ACTION|EVENT...   each arrival fires the next action or emits the next
                         event in the list, from its own new conversation (so
                         the 3-calls-per-10-minutes limit never bites, as in
                         production with many visitors); --conversations N
                         reuses a pool of N conversations instead, and the
                         limit hits that follow are counted (rate_limited)
  load --scenario FILE   each arrival plays the whole scenario as a new
                         conversation on its own virtual clock (waits cost
                         no real time); its expectations are checked too

Two load models:
  open   --rate 200/s    arrivals on a schedule whatever the endpoint does;
                         --rate 50/s:400/s --ramp 2m ramps the rate. Latency
                         is measured from when a call was due, so an endpoint
                         that stalls cannot hide the queue behind it. A call
                         due while --max-inflight calls are in flight is not
                         started, and is counted as "not started".
  closed --concurrency 32
                         that many calls in flight, each starting when the
                         last one ends (the endpoint sets the pace).

Thresholds (--threshold, repeatable) make load a CI check: exit 1 when one
is breached, printing the breached line. They read:
` + indent(load.ThresholdHelp, "  ") + `

Every call is kept in the history database (--db): a compact row (time,
action or event, outcome, status, latency, diagnosis) linked to the run,
with headers and bodies for the first 20 failures of each outcome and the
first 10 successes. actionbench history runs lists load runs;
actionbench history --run N lists one run's calls. --no-history skips it.

Exit status: 0 when every threshold held (or none was given), 1 when one
was breached, 2 for bad input. Without thresholds, failed calls alone do
not fail the run: the report is the result.`,
		Example: `  # 200 calls a second for a minute at the demo's order lookup
  actionbench load order_lookup --set visitor.email=jane@example.com \
      --rate 200/s --duration 1m

  # ramp from 50/s to 400/s over 2 minutes, then hold for a minute
  actionbench load order_lookup --rate 50/s:400/s --ramp 2m --duration 3m

  # 32 calls in flight; fail the CI job when p99 or errors go over
  actionbench load order_lookup --concurrency 32 --duration 30s \
      --threshold 'p99<800ms' --threshold 'outcome:error<1%' --junit load.xml

  # ten conversations only: see the 3-per-10-minutes limit hits
  actionbench load order_lookup --conversations 10 --rate 5/s

  # whole conversations, 20 a second, each with its own virtual clock
  actionbench load --scenario scenarios/examples/trigger_button_click.yaml --rate 20/s

  # the webhook under load
  actionbench load on_message_received before_response_sent --rate 100/s

  # one third of a run over three machines, then merge the reports
  actionbench load order_lookup --rate 600/s --shard 1/3 --json part1.json
  actionbench load merge part1.json part2.json part3.json`,
		RunE: func(cmd *cobra.Command, args []string) error { return f.run(cmd, e, args) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.rate, "rate", "r", "", "open model: arrivals per second (200/s, 90/m), or a ramp START:END (50/s:400/s); default "+defaultRate+" unless --concurrency is given")
	fl.DurationVar(&f.ramp, "ramp", 0, "with --rate START:END: how long the rate takes to go from START to END, after the warmup")
	fl.IntVarP(&f.concurrency, "concurrency", "c", 0, "closed model: calls in flight, each starting when the last one ends")
	fl.IntVar(&f.maxInflight, "max-inflight", load.DefaultMaxInflight, "open model: most calls in flight; a call due beyond it is not started, and counted")
	fl.DurationVarP(&f.duration, "duration", "d", 30*time.Second, "how long to measure")
	fl.DurationVar(&f.warmup, "warmup", 0, "run this long first without counting (connections, caches, JIT)")
	fl.IntVar(&f.conversations, "conversations", 0, "reuse a pool of N conversations instead of a new one per call (limit hits follow)")
	fl.StringVar(&f.scenario, "scenario", "", "play this scenario file as each arrival's conversation")
	fl.StringArrayVarP(&f.sets, "set", "s", nil, "template variable for actions as name=value, e.g. visitor.email=jane@example.com (repeatable)")
	fl.StringArrayVarP(&f.thresholds, "threshold", "t", nil, "pass condition, e.g. 'p99<800ms', 'outcome:error<1%', 'rate>=190/s' (repeatable)")
	fl.BoolVar(&f.untilFail, "until-fail", false, "stop as soon as a threshold is breached (checked every second)")
	fl.StringVar(&f.jsonFile, "json", "", "also write the full report as JSON to FILE (with the HDR histograms, for load merge)")
	fl.StringVar(&f.junit, "junit", "", "also write the thresholds as JUnit XML to FILE, for CI")
	fl.StringVar(&f.shard, "shard", "", "run part i of n of the load, e.g. 2/3: a third of the rate (or concurrency) and its own conversation ids")
	fl.StringVar(&f.runID, "run-id", "", "name in every conversation id, so shards of one run share it (default: random)")
	f.db.register(cmd)
	fl.BoolVar(&f.noHistory, "no-history", false, "write nothing to the history database (by default: one row per call, bodies for the first failures)")
	cmd.AddCommand(newLoadMergeCommand(e))
	return cmd
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// parseShard reads "i/n" (1-based) into a 0-based shard and a count.
func parseShard(s string) (int, int, error) {
	if s == "" {
		return 0, 1, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n || n > 10000 {
		return 0, 0, badInputf("--shard %q: write i/n with 1 ≤ i ≤ n, e.g. 2/3 for the second of three machines", s)
	}
	return i - 1, n, nil
}

// options turns the flags into the load package's options.
func (f *loadFlags) options() (load.Options, []load.Threshold, error) {
	var o load.Options
	if f.rate != "" && f.concurrency > 0 {
		return o, nil, badInputf("--rate and --concurrency are two models: give --rate for the open model or --concurrency for the closed one")
	}
	if f.concurrency < 0 {
		return o, nil, badInputf("--concurrency %d: give at least 1", f.concurrency)
	}
	if f.concurrency == 0 {
		spec := f.rate
		if spec == "" {
			spec = defaultRate
		}
		start, end, err := load.ParseRateRange(spec)
		if err != nil {
			return o, nil, badInputf("--rate: %v", err)
		}
		o.Rate = start
		if end != start {
			o.RateEnd = end
			if f.ramp <= 0 {
				return o, nil, badInputf("--rate %s ramps: give --ramp, how long it takes, e.g. --ramp 2m", spec)
			}
			o.Ramp = f.ramp
		} else if f.ramp > 0 {
			return o, nil, badInputf("--ramp needs a rate range, e.g. --rate 50/s:400/s --ramp %s", f.ramp)
		}
		if f.maxInflight < 1 {
			return o, nil, badInputf("--max-inflight %d: give at least 1", f.maxInflight)
		}
		o.MaxInflight = f.maxInflight
	} else {
		if f.ramp > 0 {
			return o, nil, badInputf("--ramp is for the open model (--rate START:END), not --concurrency")
		}
		o.Concurrency = f.concurrency
	}
	if f.duration <= 0 {
		return o, nil, badInputf("--duration %s: give a positive duration, e.g. 30s or 2m", f.duration)
	}
	if f.warmup < 0 {
		return o, nil, badInputf("--warmup %s: cannot be negative", f.warmup)
	}
	o.Duration, o.Warmup = f.duration, f.warmup
	var err error
	if o.Shard, o.Shards, err = parseShard(f.shard); err != nil {
		return o, nil, err
	}
	if o.Concurrency > 0 && o.Shards > o.Concurrency {
		return o, nil, badInputf("--concurrency %d cannot be split over %d shards: give at least one call in flight per shard", o.Concurrency, o.Shards)
	}
	if f.conversations < 0 {
		return o, nil, badInputf("--conversations %d: give a pool size of at least 1", f.conversations)
	}
	var list []load.Threshold
	for _, s := range f.thresholds {
		t, err := load.ParseThreshold(s)
		if err != nil {
			return o, nil, badInputf("--threshold: %v", err)
		}
		list = append(list, t)
	}
	if f.untilFail && len(list) == 0 {
		return o, nil, badInputf("--until-fail stops at the first breached threshold: give one, e.g. --threshold 'p99<800ms'")
	}
	return o, list, nil
}

func (f *loadFlags) run(cmd *cobra.Command, e env, args []string) error {
	ctx := cmd.Context()
	switch {
	case f.scenario != "" && len(args) > 0:
		return usageError{errors.New("load takes either ACTION|EVENT arguments or --scenario FILE, not both")}
	case f.scenario == "" && len(args) == 0:
		return usageError{errors.New("load needs what to call: one or more actions or events, or --scenario FILE")}
	case f.scenario != "" && f.conversations > 0:
		return usageError{errors.New("--conversations is for calls; each --scenario arrival is its own conversation")}
	}
	opts, thresholds, err := f.options()
	if err != nil {
		return err
	}
	if f.runID == "" {
		f.runID = strings.TrimPrefix(newConversationID(), "conv_")
	}

	var tr *traffic
	if f.scenario != "" {
		tr, err = f.scenarioTraffic(ctx, e)
	} else {
		tr, err = f.callTraffic(ctx, e, args, opts.Shard, opts.Shards)
	}
	if err != nil {
		return err
	}
	defer tr.close()
	opts.Redact = tr.redact
	job := tr.job
	var rec *loadhistory.Recorder
	if !f.noHistory {
		store, err := f.db.open(ctx, tr.secrets)
		if err != nil {
			return err
		}
		defer store.Close()
		if rec, err = startLoadRun(ctx, store, cmd, args); err != nil {
			return err
		}
		job = rec.Wrap(job)
	}

	status := newStatusLine(e.stderr, f.describe(opts, tr))
	opts.Progress = status.update
	if rec != nil {
		opts.Progress = func(r *load.Report) {
			rec.Note(r)
			status.update(r)
		}
	}
	if f.untilFail {
		opts.Check = func(r *load.Report) string {
			if b := load.Breaches(r, thresholds); len(b) > 0 {
				return b[0]
			}
			return ""
		}
	}
	status.begin()
	report, err := load.Run(ctx, job, opts)
	status.end()
	if err != nil {
		return badInput{err}
	}
	report.Params.Traffic = tr.kind
	report.Params.Targets = tr.targets
	report.Params.Scenario = f.scenario
	report.Params.Conversations = f.conversations
	report.Params.Workspace = tr.workspace
	if rec != nil {
		if err := rec.Finish(ctx, report); err != nil {
			return badInput{err}
		}
		defer fmt.Fprintln(e.stderr, rec.Pointer(f.db.path))
	}
	return finishReport(e, report, thresholds, f.jsonFile, f.junit)
}

// finishReport writes the report's files, prints its table and the
// breached thresholds, and turns breaches into the exit status.
func finishReport(e env, report *load.Report, thresholds []load.Threshold, jsonFile, junit string) error {
	if jsonFile != "" {
		if err := writeReportJSON(jsonFile, report); err != nil {
			return err
		}
	}
	breaches := load.Breaches(report, thresholds)
	if junit != "" {
		if err := writeLoadJUnit(junit, report, thresholds); err != nil {
			return err
		}
	}
	if err := writeLoadReport(e.stdout, report, thresholds, breaches); err != nil {
		return err
	}
	if len(breaches) > 0 {
		for _, b := range breaches {
			fmt.Fprintf(e.stderr, "actionbench: %s\n", b)
		}
		return errFailed
	}
	return nil
}

func writeReportJSON(path string, r *load.Report) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return badInputf("--json: %v", err)
	}
	return nil
}

// describe is the run's one-line heading.
func (f *loadFlags) describe(o load.Options, tr *traffic) string {
	var model string
	switch {
	case o.Concurrency > 0:
		model = fmt.Sprintf("closed model, %d in flight", load.ShardConcurrency(o.Concurrency, o.Shard, o.Shards))
	case o.RateEnd > 0:
		model = fmt.Sprintf("open model, %s → %s over %s", formatRate(o.Rate), formatRate(o.RateEnd), o.Ramp)
	default:
		model = "open model, " + formatRate(o.Rate)
	}
	s := fmt.Sprintf("load: %s against %s, %s for %s", tr.what, tr.workspace, model, o.Duration)
	if o.Warmup > 0 {
		s += fmt.Sprintf(" after %s warmup", o.Warmup)
	}
	if o.Shards > 1 {
		s += fmt.Sprintf(", shard %d/%d", o.Shard+1, o.Shards)
	}
	return s
}

func formatRate(r float64) string {
	if r == float64(int64(r)) {
		return strconv.FormatInt(int64(r), 10) + "/s"
	}
	return strconv.FormatFloat(r, 'f', -1, 64) + "/s"
}

// statusLine shows progress on stderr: redrawn every second on a
// terminal, a line every 5 s otherwise.
type statusLine struct {
	out     interface{ Write([]byte) (int, error) }
	tty     bool
	heading string
	last    time.Time
}

func newStatusLine(w interface{ Write([]byte) (int, error) }, heading string) *statusLine {
	s := &statusLine{out: w, heading: heading}
	if f, ok := w.(*os.File); ok && term.IsTerminal(f.Fd()) {
		s.tty = true
	}
	return s
}

func (s *statusLine) begin() {
	fmt.Fprintln(s.out, s.heading)
	s.last = time.Now()
}

func (s *statusLine) update(r *load.Report) {
	line := progressText(r)
	if s.tty {
		fmt.Fprintf(s.out, "\r\033[K%s", line)
		return
	}
	if time.Since(s.last) >= 5*time.Second {
		s.last = time.Now()
		fmt.Fprintln(s.out, line)
	}
}

func (s *statusLine) end() {
	if s.tty {
		fmt.Fprint(s.out, "\r\033[K")
	}
}

// progressText is one line of figures so far.
func progressText(r *load.Report) string {
	o := r.Overall
	if r.MeasuredSeconds == 0 {
		return fmt.Sprintf("warming up: %d calls", r.WarmupCalls)
	}
	s := fmt.Sprintf("%4.0fs  %s/s  p50 %s  p99 %s  ok %d  failed %d  past 8s %d",
		r.MeasuredSeconds, strconv.FormatFloat(o.Rate, 'f', 1, 64), load.FormatMillis(o.Latency.P50), load.FormatMillis(o.Latency.P99),
		o.Succeeded, o.FailedCalls(), o.Late)
	if r.NotStarted > 0 {
		s += fmt.Sprintf("  not started %d", r.NotStarted)
	}
	if r.HistoryHeld > 0 {
		s += fmt.Sprintf("  held by history %d", r.HistoryHeld)
	}
	return s
}
