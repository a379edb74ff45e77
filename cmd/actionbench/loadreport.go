package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/load"
)

// topDiagnoses is how many diagnosis groups the table shows.
const topDiagnoses = 5

// writeLoadReport prints the final report in 80 columns.
func writeLoadReport(w io.Writer, r *load.Report, thresholds []load.Threshold, breaches []string) error {
	st := newStyles(w)
	var b strings.Builder
	rows := append([]*load.Stats{}, r.Targets...)
	if len(rows) != 1 {
		rows = append(rows, r.Overall)
	}
	name := func(s *load.Stats) string { return ansi.Truncate(s.Name, 22, "…") }

	fmt.Fprintf(&b, "\n%-22s %8s %8s %8s %8s %8s\n", "", "calls", "rate/s", "ok", "failed", "past 8s")
	for _, s := range rows {
		fmt.Fprintf(&b, "%-22s %8d %8s %8d %8d %8d\n", name(s), s.Calls, strconv.FormatFloat(s.Rate, 'f', 1, 64), s.Succeeded, s.FailedCalls(), s.Late)
	}
	fmt.Fprintf(&b, "\n%-22s %8s %8s %8s %8s %8s %8s\n", "latency", "p50", "p90", "p95", "p99", "p99.9", "max")
	for _, s := range rows {
		l := s.Latency
		fmt.Fprintf(&b, "%-22s %8s %8s %8s %8s %8s %8s\n", name(s), load.FormatMillis(l.P50), load.FormatMillis(l.P90),
			load.FormatMillis(l.P95), load.FormatMillis(l.P99), load.FormatMillis(l.P999), load.FormatMillis(l.Max))
	}
	o := r.Overall
	fmt.Fprintf(&b, "\n%s %s\n", st.label.Render("outcomes:"), joinCounts(o.Outcomes, outcomeOrder))
	fmt.Fprintf(&b, "%s %s\n", st.label.Render("statuses:"), joinCounts(o.Statuses, nil))
	past := fmt.Sprintf("%d of %d calls ended past the 8 s budget", o.Late, o.Calls)
	if o.Late > 0 {
		past += " (the platform apologised for them)"
	}
	if o.Late > 0 {
		past = st.bad.Render(past)
	}
	fmt.Fprintf(&b, "%s %s\n", st.label.Render("budget:"), past)
	unit := "/s"
	if r.Params.Traffic == "conversations" {
		unit = " conversations/s"
	}
	rate := fmt.Sprintf("%s%s started", strconv.FormatFloat(r.StartRate, 'f', 1, 64), unit)
	if r.Params.Model == "open" {
		rate += fmt.Sprintf(" of %s due", strconv.FormatFloat(targetRate(r), 'f', 1, 64))
	}
	if r.NotStarted > 0 {
		rate += st.bad.Render(fmt.Sprintf("; %d calls not started (%d already in flight, --max-inflight)", r.NotStarted, r.Params.MaxInflight))
	}
	fmt.Fprintf(&b, "%s %s over %.1f s", st.label.Render("rate:"), rate, r.MeasuredSeconds)
	if r.WarmupCalls > 0 {
		fmt.Fprintf(&b, " (+%d warmup calls)", r.WarmupCalls)
	}
	b.WriteString("\n")
	if r.Conversations > 0 {
		fmt.Fprintf(&b, "%s %d played, %d failed their expectations\n", st.label.Render("conversations:"), r.Conversations, r.ConvFailed)
	}
	if len(r.Shards) > 0 {
		fmt.Fprintf(&b, "%s %s\n", st.label.Render("shards:"), strings.Join(r.Shards, ", "))
	}
	if r.HistoryHeld > 0 {
		fmt.Fprintf(&b, "%s %s\n", st.label.Render("history:"), st.bad.Render(load.HistoryHeldText(r)))
	}
	if r.Stopped != "" {
		fmt.Fprintf(&b, "%s %s\n", st.bad.Render("stopped early:"), r.Stopped)
	}
	if len(o.Diagnoses) > 0 {
		fmt.Fprintf(&b, "\n%s\n", st.label.Render("top diagnoses:"))
		for _, d := range o.Diagnoses[:min(topDiagnoses, len(o.Diagnoses))] {
			head := fmt.Sprintf("%7d× %s", d.Count, d.Outcome)
			if d.Status != 0 {
				head += " " + strconv.Itoa(d.Status)
			}
			fmt.Fprintf(&b, "%s: %s\n", head, ansi.Truncate(d.Text, max(78-len(head), 20), "…"))
		}
	}
	if len(thresholds) > 0 {
		fmt.Fprintf(&b, "\n%s\n", st.label.Render("thresholds:"))
		for _, t := range thresholds {
			actual, ok := t.Check(r)
			mark := st.ok.Render("pass")
			if !ok {
				mark = st.bad.Render("FAIL")
			}
			fmt.Fprintf(&b, "  %s  %s  (%s)\n", mark, t.Text, actual)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// targetRate is the open model's mean due rate over the measured window.
func targetRate(r *load.Report) float64 {
	end := r.Params.RateEnd
	if end == 0 {
		end = r.Params.Rate
	}
	d, ramp := r.Params.Duration, r.Params.RampSeconds
	if ramp <= 0 || d <= 0 {
		return end
	}
	if ramp >= d {
		// Only part of the ramp is measured: the mean of its first d seconds.
		at := r.Params.Rate + (end-r.Params.Rate)*d/ramp
		return (r.Params.Rate + at) / 2
	}
	return ((r.Params.Rate+end)/2*ramp + end*(d-ramp)) / d
}

var outcomeOrder = func() []string {
	var out []string
	for _, o := range engine.Outcomes {
		out = append(out, string(o))
	}
	return out
}()

// joinCounts prints "a 3, b 2" in order (or by key), leaving out zeros.
func joinCounts(m map[string]int64, order []string) string {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
	if order != nil {
		slices.SortStableFunc(keys, func(a, b string) int {
			ia, ib := slices.Index(order, a), slices.Index(order, b)
			if ia < 0 {
				ia = len(order)
			}
			if ib < 0 {
				ib = len(order)
			}
			return ia - ib
		})
	}
	var parts []string
	for _, k := range keys {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// writeLoadJUnit writes one test case per threshold (or one for the run
// when there are none).
func writeLoadJUnit(path string, r *load.Report, thresholds []load.Threshold) error {
	secs := fmt.Sprintf("%.3f", r.MeasuredSeconds)
	suite := junitSuite{Name: "actionbench load", Time: secs}
	for _, t := range thresholds {
		actual, ok := t.Check(r)
		c := junitCase{Name: t.Text, Classname: "load", Time: secs}
		if !ok {
			suite.Failures++
			c.Failure = &junitFailure{Message: "threshold " + t.Text + " breached: " + actual, Text: actual}
		}
		suite.Cases = append(suite.Cases, c)
	}
	if len(thresholds) == 0 {
		suite.Cases = append(suite.Cases, junitCase{Name: "load run", Classname: "load", Time: secs})
	}
	suite.Tests = len(suite.Cases)
	return saveJUnit(path, junitSuites{Tests: suite.Tests, Failures: suite.Failures, Time: suite.Time, Suites: []junitSuite{suite}})
}

type loadMergeFlags struct {
	jsonFile   string
	junit      string
	thresholds []string
}

func newLoadMergeCommand(e env) *cobra.Command {
	var f loadMergeFlags
	cmd := &cobra.Command{
		Use:   "merge REPORT.json...",
		Short: "Combine the JSON reports of one load run's shards, exactly",
		Long: `merge reads the --json reports that the shards of one load run wrote (one
per machine, --shard i/n) and prints the report of the whole run: counts
add, rates add, and the percentiles come from the merged HDR histograms,
so they are the run's exact percentiles, not an average of percentiles.
Per-second p50 and p99 show the worst shard's.

Thresholds apply to the merged report, as they would to one machine's.`,
		Example: `  actionbench load merge part1.json part2.json part3.json
  actionbench load merge shards/*.json --json run.json --threshold 'p99<800ms'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("load merge takes one or more report files written with load --json")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return f.run(e, args) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.jsonFile, "json", "", "write the merged report as JSON to FILE")
	fl.StringVar(&f.junit, "junit", "", "write the thresholds as JUnit XML to FILE")
	fl.StringArrayVarP(&f.thresholds, "threshold", "t", nil, "pass condition on the merged report, e.g. 'p99<800ms' (repeatable)")
	return cmd
}

func (f *loadMergeFlags) run(e env, paths []string) error {
	var thresholds []load.Threshold
	for _, s := range f.thresholds {
		t, err := load.ParseThreshold(s)
		if err != nil {
			return badInputf("--threshold: %v", err)
		}
		thresholds = append(thresholds, t)
	}
	reports := make([]*load.Report, len(paths))
	for i, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return badInputf("%v", err)
		}
		var r load.Report
		if err := json.Unmarshal(data, &r); err != nil {
			return badInputf("%s: not a load report (%v): write reports with actionbench load --json FILE", p, err)
		}
		if r.Overall == nil {
			return badInputf("%s: not a load report (no overall figures): write reports with actionbench load --json FILE", p)
		}
		reports[i] = &r
	}
	merged, err := load.Merge(reports...)
	if err != nil {
		return badInputf("merge: %v", err)
	}
	fmt.Fprintf(e.stdout, "load merge: %d reports", len(paths))
	if len(merged.Shards) > 0 {
		fmt.Fprintf(e.stdout, " (shards %s)", strings.Join(merged.Shards, ", "))
	}
	fmt.Fprintln(e.stdout)
	return finishReport(e, merged, thresholds, f.jsonFile, f.junit)
}
