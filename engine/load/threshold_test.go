package load

import (
	"strings"
	"testing"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in     string
		metric string
		target string
		op     string
		value  float64
		kind   ValueKind
		err    string
	}{
		{in: "p99<800ms", metric: "p99", op: "<", value: 800, kind: Millis},
		{in: "p99.9 <= 2s", metric: "p99.9", op: "<=", value: 2000, kind: Millis},
		{in: "max<8000", metric: "max", op: "<", value: 8000, kind: Millis},
		{in: "P95@order_lookup<300ms", metric: "p95", target: "order_lookup", op: "<", value: 300, kind: Millis},
		{in: "outcome:error<1%", metric: "outcome:error", op: "<", value: 1, kind: Percent},
		{in: "outcome:rate_limited<=0", metric: "outcome:rate_limited", op: "<=", value: 0, kind: Count},
		{in: "status:5xx<10", metric: "status:5xx", op: "<", value: 10, kind: Count},
		{in: "status:503<0.5%", metric: "status:503", op: "<", value: 0.5, kind: Percent},
		{in: "rate>=190/s", metric: "rate", op: ">=", value: 190, kind: PerSecond},
		{in: "failed<1%", metric: "failed", op: "<", value: 1, kind: Percent},
		{in: "past_budget<1", metric: "past_budget", op: "<", value: 1, kind: Count},
		{in: "not_started<=0%", metric: "not_started", op: "<=", value: 0, kind: Percent},
		{in: "p99", err: "no comparison"},
		{in: "<800ms", err: "no comparison"},
		{in: "p99<", err: "no value"},
		{in: "p98<1s", err: "unknown metric"},
		{in: "p99<fast", err: "not a duration"},
		{in: "p99<-5ms", err: "not a duration"},
		{in: "outcome:eror<1%", err: "unknown outcome"},
		{in: "status:6xx<1", err: "status"},
		{in: "failed<101%", err: "percentage"},
		{in: "failed<-1", err: "count"},
		{in: "rate>fast", err: "not a rate"},
		{in: "p99@<1s", err: "after @"},
	}
	for _, tt := range tests {
		got, err := ParseThreshold(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseThreshold(%q) error %v, want one saying %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseThreshold(%q): %v", tt.in, err)
			continue
		}
		if got.Metric != tt.metric || got.Target != tt.target || got.Op != tt.op || got.Value != tt.value || got.Kind != tt.kind {
			t.Errorf("ParseThreshold(%q) = %+v", tt.in, got)
		}
	}
}

func TestThresholdCheck(t *testing.T) {
	r := &Report{
		NotStarted: 5,
		Overall: &Stats{Calls: 1000, Succeeded: 985, Late: 2, Rate: 199.5,
			Outcomes: map[string]int64{"message": 985, "error": 12, "timeout": 3},
			Statuses: map[string]int64{"200": 985, "500": 8, "503": 4, "none": 3},
			Latency:  Latency{P50: 12, P90: 40, P95: 80, P99: 950, P999: 7900, Max: 8001, Mean: 30}},
		Targets: []*Stats{{Name: "refund", Calls: 10, Succeeded: 10, Latency: Latency{P95: 250}}},
	}
	tests := []struct {
		in     string
		ok     bool
		actual string
	}{
		{"p99<800ms", false, "p99 was 950ms"},
		{"p99<1s", true, "p99 was 950ms"},
		{"max<=8001", true, "max was 8.00s"},
		{"outcome:error<1%", false, "outcome:error was 1.20% (12 of 1000)"},
		{"outcome:error<2%", true, ""},
		{"status:5xx<=12", true, "status:5xx was 12"},
		{"status:5xx<12", false, ""},
		{"status:none<1", false, "status:none was 3"},
		{"failed<=1.5%", true, "failed was 1.50% (15 of 1000)"},
		{"past_budget<1", false, "past_budget was 2"},
		{"not_started<1%", true, "not_started was 0.50% (5 of 1005)"},
		{"rate>=190/s", true, "rate was 199.5/s"},
		{"rate>200/s", false, ""},
		{"p95@refund<300ms", true, "p95 was 250ms"},
		{"p95@order_lookup<300ms", true, "no calls to order_lookup"},
		{"rate@order_lookup>1/s", false, "no calls to order_lookup"},
	}
	for _, tt := range tests {
		th, err := ParseThreshold(tt.in)
		if err != nil {
			t.Fatalf("ParseThreshold(%q): %v", tt.in, err)
		}
		actual, ok := th.Check(r)
		if ok != tt.ok || (tt.actual != "" && actual != tt.actual) {
			t.Errorf("%s: %q, %v; want %q, %v", tt.in, actual, ok, tt.actual, tt.ok)
		}
	}
	got := Breaches(r, []Threshold{mustThreshold(t, "p99<800ms"), mustThreshold(t, "p50<100ms")})
	if len(got) != 1 || got[0] != "threshold p99<800ms breached: p99 was 950ms" {
		t.Errorf("Breaches = %q", got)
	}
}

func mustThreshold(t *testing.T, s string) Threshold {
	t.Helper()
	th, err := ParseThreshold(s)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"p99<800ms", "outcome:error<1%", "status:5xx<=10", "rate>=190/s", "p95@a<1s", "max<NaN", "failed<1e400%"} {
		f.Add(s)
	}
	r := &Report{Overall: &Stats{Calls: 3, Outcomes: map[string]int64{}, Statuses: map[string]int64{}}}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			return
		}
		if th.Value < 0 || th.Value != th.Value {
			t.Fatalf("%q: value %v", s, th.Value)
		}
		if th.Kind == Percent && th.Value > 100 {
			t.Fatalf("%q: %v%%", s, th.Value)
		}
		// A threshold that parses checks any report without panicking, and
		// its text parses to the same threshold.
		th.Check(r)
		again, err := ParseThreshold(th.Text)
		if err != nil || again != th {
			t.Fatalf("%q parsed to %+v, its text %q to %+v, %v", s, th, th.Text, again, err)
		}
	})
}
