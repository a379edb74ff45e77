package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actionbench/actionbench/engine/load"
)

func readReport(t *testing.T, path string) *load.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r load.Report
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &r
}

// TestLoadDemo runs the open model on the embedded demo with no set-up,
// with every output a CI job would use.
func TestLoadDemo(t *testing.T) {
	dir := t.TempDir()
	report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
	res := actionbench(t, runOptions{}, "load", "order_lookup", "--set", "visitor.email=jane@example.com",
		"--rate", "100/s", "--duration", "1s", "--json", report, "--junit", junit,
		"--threshold", "p99<5s", "--threshold", "outcome:message>=99%")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"order_lookup", "p99.9", "outcomes: message 100", "statuses: 200 100",
		"0 of 100 calls ended past the 8 s budget\n", "100.0/s started of 100.0 due", "pass  p99<5s"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, res.stdout)
		}
	}
	for _, line := range strings.Split(res.stdout, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("line wider than 80 columns: %q", line)
		}
	}
	r := readReport(t, report)
	if r.Overall.Calls != 100 || r.Params.Model != "open" || r.Params.Rate != 100 || len(r.Series) != 1 || r.Series[0].Started != 100 {
		t.Errorf("report: %d calls, params %+v, series %+v", r.Overall.Calls, r.Params, r.Series)
	}
	h, err := r.Overall.DecodeHistogram()
	if err != nil || h.TotalCount() != 100 {
		t.Errorf("histogram: %v, %d values", err, h.TotalCount())
	}
	doc := readJUnit(t, junit)
	if doc.Tests != 2 || doc.Failures != 0 {
		t.Errorf("JUnit: %d tests, %d failures", doc.Tests, doc.Failures)
	}
}

// TestLoadThresholdBreach: a breached threshold fails the run and says which.
func TestLoadThresholdBreach(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "j.xml")
	res := actionbench(t, runOptions{}, "load", "crashing", "--rate", "50/s", "--duration", "1s",
		"--threshold", "outcome:error<1%", "--threshold", "p99<5s", "--junit", junit)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	want := "threshold outcome:error<1% breached: outcome:error was 100.00% (50 of 50)"
	if !strings.Contains(res.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
	}
	if !strings.Contains(res.stdout, "FAIL  outcome:error<1%") || !strings.Contains(res.stdout, "error 500") {
		t.Errorf("report:\n%s", res.stdout)
	}
	doc := readJUnit(t, junit)
	if doc.Tests != 2 || doc.Failures != 1 || doc.Suites[0].Cases[0].Failure == nil {
		t.Errorf("JUnit: %d tests, %d failures", doc.Tests, doc.Failures)
	}
}

// TestLoadUntilFail stops at the first breach instead of running on.
func TestLoadUntilFail(t *testing.T) {
	report := filepath.Join(t.TempDir(), "r.json")
	res := actionbench(t, runOptions{}, "load", "crashing", "--rate", "20/s", "--duration", "15s",
		"--until-fail", "--threshold", "failed<1%", "--json", report)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	r := readReport(t, report)
	if !strings.Contains(r.Stopped, "threshold failed<1% breached") || r.MeasuredSeconds >= 15 {
		t.Errorf("stopped %q after %.1f s", r.Stopped, r.MeasuredSeconds)
	}
	if !strings.Contains(res.stdout, "stopped early: threshold failed<1% breached") {
		t.Errorf("report:\n%s", res.stdout)
	}
}

// TestLoadConversationPool: five conversations get three calls each in
// ten minutes; every other call is a limit hit, refused before sending.
func TestLoadConversationPool(t *testing.T) {
	report := filepath.Join(t.TempDir(), "r.json")
	res := actionbench(t, runOptions{}, "load", "order_lookup", "--set", "visitor.email=jane@example.com",
		"--conversations", "5", "--concurrency", "2", "--duration", "500ms", "--json", report)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	o := readReport(t, report).Overall
	if o.Outcomes["message"] != 15 || o.Outcomes["rate_limited"] != o.Calls-15 || o.Calls < 20 {
		t.Errorf("outcomes %v of %d calls, want 15 messages and the rest rate_limited", o.Outcomes, o.Calls)
	}
	if !strings.Contains(res.stdout, "rate_limited: rate limit: 3 calls per 10 min") {
		t.Errorf("top diagnoses lack the limit hits:\n%s", res.stdout)
	}
}

// TestLoadShardsMerge runs a load as two shards and merges their reports.
func TestLoadShardsMerge(t *testing.T) {
	dir := t.TempDir()
	var parts []string
	for _, shard := range []string{"1/2", "2/2"} {
		p := filepath.Join(dir, strings.Replace(shard, "/", "of", 1)+".json")
		res := actionbench(t, runOptions{}, "load", "on_message_received", "--rate", "60/s", "--duration", "1s",
			"--shard", shard, "--run-id", "ci42", "--json", p)
		if res.code != 0 {
			t.Fatalf("shard %s: exit %d\n%s%s", shard, res.code, res.stdout, res.stderr)
		}
		if r := readReport(t, p); r.Overall.Calls != 30 || r.Params.Rate != 30 {
			t.Errorf("shard %s: %d calls at %v/s, want 30 at 30/s", shard, r.Overall.Calls, r.Params.Rate)
		}
		// As if each shard's history writer had held two calls up.
		var m map[string]any
		data, err := os.ReadFile(p)
		if err == nil {
			err = json.Unmarshal(data, &m)
		}
		if err != nil {
			t.Fatal(err)
		}
		m["history_held"], m["history_wait_seconds"] = 2, 0.25
		if data, err = json.Marshal(m); err != nil || os.WriteFile(p, data, 0o644) != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	merged := filepath.Join(dir, "all.json")
	res := actionbench(t, runOptions{}, append([]string{"load", "merge", "--json", merged, "--threshold", "rate>=59/s"}, parts...)...)
	if res.code != 0 {
		t.Fatalf("merge: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	r := readReport(t, merged)
	if r.Overall.Calls != 60 || r.Overall.Outcomes["acknowledged"] != 60 || r.Params.Rate != 60 || strings.Join(r.Shards, " ") != "1/2 2/2" {
		t.Errorf("merged: %d calls, outcomes %v, rate %v, shards %v", r.Overall.Calls, r.Overall.Outcomes, r.Params.Rate, r.Shards)
	}
	if r.HistoryHeld != 4 || r.HistoryWaitSeconds != 0.5 || !strings.Contains(res.stdout, "history: 4 calls waited 500") {
		t.Errorf("merged history waits: %d, %vs; output:\n%s", r.HistoryHeld, r.HistoryWaitSeconds, res.stdout)
	}
	if !strings.Contains(res.stdout, "load merge: 2 reports (shards 1/2, 2/2)") {
		t.Errorf("merge output:\n%s", res.stdout)
	}
	res = actionbench(t, runOptions{}, "load", "merge", parts[0], parts[0])
	if res.code != 2 || !strings.Contains(res.stderr, "shard 1/2 appears twice") {
		t.Errorf("merging a shard twice: exit %d\n%s", res.code, res.stderr)
	}
}

// TestLoadScenario plays whole conversations and reports their
// expectations, with a status line every 5 s when stderr is no terminal.
func TestLoadScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 6 s")
	}
	example, err := filepath.Abs("../../scenarios/examples/trigger_ai_intent.yaml")
	if err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "r.json")
	res := actionbench(t, runOptions{}, "load", "--scenario", example, "--rate", "5/s", "--duration", "6s", "--json", report)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	r := readReport(t, report)
	if r.Conversations != 30 || r.ConvFailed != 0 || r.Params.Traffic != "conversations" {
		t.Errorf("%d conversations, %d failed, traffic %q", r.Conversations, r.ConvFailed, r.Params.Traffic)
	}
	if got := r.Overall.Outcomes["message"]; got != 30 {
		t.Errorf("order_lookup answered %d messages, want one per conversation", got)
	}
	if !strings.Contains(res.stdout, "conversations: 30 played, 0 failed") {
		t.Errorf("report:\n%s", res.stdout)
	}
	lines := strings.Count(res.stderr, " p50 ")
	if lines != 1 {
		t.Errorf("%d status lines in 6 s, want 1 (one per 5 s):\n%s", lines, res.stderr)
	}
}

func TestLoadBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"load"}, "load needs what to call"},
		{[]string{"load", "order_lookup", "--rate", "10/s", "--concurrency", "2"}, "two models"},
		{[]string{"load", "order_lookup", "--rate", "50/s:400/s"}, "give --ramp"},
		{[]string{"load", "order_lookup", "--rate", "fast"}, "expected a number of calls and a unit"},
		{[]string{"load", "no_such_thing"}, `"no_such_thing" is neither an action in the embedded demo`},
		{[]string{"load", "order_lookup", "--threshold", "p98<1s"}, `unknown metric "p98"`},
		{[]string{"load", "order_lookup", "--shard", "3/2"}, "write i/n with 1 ≤ i ≤ n"},
		{[]string{"load", "order_lookup", "--until-fail"}, "give one, e.g. --threshold"},
		{[]string{"load", "order_lookup", "--concurrency", "2", "--shard", "1/3"}, "cannot be split over 3 shards"},
		{[]string{"load", "merge"}, "one or more report files"},
		{[]string{"load", "--scenario", "missing.yaml"}, "missing.yaml"},
	}
	for _, tt := range tests {
		res := actionbench(t, runOptions{}, tt.args...)
		if res.code != 2 || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("%s: exit %d, want 2 and %q in:\n%s", strings.Join(tt.args, " "), res.code, tt.want, res.stderr)
		}
	}
}
