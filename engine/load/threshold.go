package load

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// Threshold is one pass condition on a report, written like
// "p99<800ms", "outcome:error<1%", "rate>=190/s" or "p95@order_lookup<300ms".
type Threshold struct {
	Text   string
	Metric string // p50 … max, mean, rate, failed, past_budget, not_started, outcome:NAME, status:CODE
	Target string // "" for the whole run
	Op     string // <, <=, >, >=
	Value  float64
	// Kind says what Value is: a duration in ms, a rate per second, a
	// percentage of calls, or a count.
	Kind ValueKind
}

// ValueKind is what a threshold's value measures.
type ValueKind int

// The kinds of threshold values.
const (
	Millis ValueKind = iota
	PerSecond
	Percent
	Count
)

var latencyMetrics = []string{"p50", "p90", "p95", "p99", "p99.9", "max", "mean"}

// ThresholdHelp lists what a threshold may say, for error messages and --help.
const ThresholdHelp = `METRIC[@TARGET] OP VALUE, OP one of < <= > >=:
  p50 p90 p95 p99 p99.9 max mean   latency, e.g. p99<800ms, max<8s
  rate                             calls per second, e.g. rate>=190/s
  failed past_budget not_started   a percentage or a count, e.g. failed<1%
  outcome:NAME status:CODE         e.g. outcome:error<1%, status:5xx<10
@TARGET limits it to one action or event: p95@order_lookup<300ms`

// ParseThreshold reads one threshold.
func ParseThreshold(s string) (Threshold, error) {
	t := Threshold{Text: strings.TrimSpace(s)}
	bad := func(why string) (Threshold, error) {
		return Threshold{}, fmt.Errorf("threshold %q: %s; write %s", s, why, ThresholdHelp)
	}
	i := strings.IndexAny(t.Text, "<>")
	if i <= 0 {
		return bad("no comparison (< <= > >=)")
	}
	lhs, rest := strings.TrimSpace(t.Text[:i]), t.Text[i:]
	t.Op = rest[:1]
	rest = rest[1:]
	if strings.HasPrefix(rest, "=") {
		t.Op += "="
		rest = rest[1:]
	}
	value := strings.TrimSpace(rest)
	if value == "" {
		return bad("no value after " + t.Op)
	}
	metric, target, scoped := strings.Cut(lhs, "@")
	if scoped {
		if target = strings.TrimSpace(target); target == "" {
			return bad("no action or event after @")
		}
		t.Target = target
	}
	t.Metric = strings.ToLower(strings.TrimSpace(metric))
	var err error
	switch {
	case contains(latencyMetrics, t.Metric):
		t.Kind = Millis
		t.Value, err = parseMillis(value)
	case t.Metric == "rate":
		t.Kind = PerSecond
		t.Value, err = parseRateValue(value)
	case t.Metric == "failed", t.Metric == "past_budget", t.Metric == "not_started",
		strings.HasPrefix(t.Metric, "outcome:"), strings.HasPrefix(t.Metric, "status:"):
		if err := checkClass(t.Metric); err != "" {
			return bad(err)
		}
		t.Kind, t.Value, err = parseShare(value)
	default:
		return bad(fmt.Sprintf("unknown metric %q", t.Metric))
	}
	if err != nil {
		return bad(err.Error())
	}
	return t, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkClass checks outcome:NAME and status:CODE; it returns a complaint.
func checkClass(m string) string {
	if name, ok := strings.CutPrefix(m, "outcome:"); ok {
		for _, o := range engine.Outcomes {
			if string(o) == name {
				return ""
			}
		}
		names := make([]string, len(engine.Outcomes))
		for i, o := range engine.Outcomes {
			names[i] = string(o)
		}
		return fmt.Sprintf("unknown outcome %q (outcomes: %s)", name, strings.Join(names, ", "))
	}
	if code, ok := strings.CutPrefix(m, "status:"); ok {
		if !validStatusPattern(code) {
			return fmt.Sprintf("status %q: write a code such as 503, a class such as 5xx, or none", code)
		}
	}
	return ""
}

func validStatusPattern(p string) bool {
	if p == "none" {
		return true
	}
	if len(p) != 3 || p[0] < '1' || p[0] > '5' {
		return false
	}
	if p[1:] == "xx" {
		return true
	}
	return p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'
}

// parseMillis reads a duration ("800ms", "1.5s"; a bare number is ms).
func parseMillis(v string) (float64, error) {
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		return finite(n, "duration")
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration such as 800ms or 2s", v)
	}
	return float64(d) / float64(time.Millisecond), nil
}

func parseRateValue(v string) (float64, error) {
	r, err := ParseRate(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a rate such as 190/s", v)
	}
	return r, nil
}

// parseShare reads "1%", "0.5%" or a count "10".
func parseShare(v string) (ValueKind, float64, error) {
	if p, ok := strings.CutSuffix(v, "%"); ok {
		n, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || n < 0 || n > 100 {
			return 0, 0, fmt.Errorf("%q is not a percentage from 0%% to 100%%", v)
		}
		return Percent, n, nil
	}
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not a percentage (1%%) or a count (10)", v)
	}
	return Count, float64(n), nil
}

func finite(n float64, what string) (float64, error) {
	if math.IsNaN(n) || math.IsInf(n, 0) || n < 0 {
		return 0, fmt.Errorf("the %s must be a finite number, zero or more", what)
	}
	return n, nil
}

// Check evaluates the threshold on r. It returns the measured value as
// text and whether the threshold holds. A threshold on a target that r
// never called holds with "no calls".
func (t Threshold) Check(r *Report) (actual string, ok bool) {
	s := r.Overall
	if t.Target != "" {
		s = nil
		for _, x := range r.Targets {
			if x.Name == t.Target {
				s = x
			}
		}
		if s == nil {
			return "no calls to " + t.Target, !(t.Op == ">" || t.Op == ">=")
		}
	}
	var got float64
	switch t.Kind {
	case Millis:
		got = latencyField(s.Latency, t.Metric)
		actual = fmt.Sprintf("%s was %s", t.Metric, FormatMillis(got))
	case PerSecond:
		got = s.Rate
		actual = fmt.Sprintf("rate was %.1f/s", got)
	default:
		n, of := t.count(r, s)
		if t.Kind == Percent {
			if of > 0 {
				got = 100 * float64(n) / float64(of)
			}
			actual = fmt.Sprintf("%s was %.2f%% (%d of %d)", t.Metric, got, n, of)
		} else {
			got = float64(n)
			actual = fmt.Sprintf("%s was %d", t.Metric, n)
		}
	}
	switch t.Op {
	case "<":
		ok = got < t.Value
	case "<=":
		ok = got <= t.Value
	case ">":
		ok = got > t.Value
	case ">=":
		ok = got >= t.Value
	}
	return actual, ok
}

// count returns the threshold's count and what a percentage is of.
func (t Threshold) count(r *Report, s *Stats) (n, of int64) {
	switch {
	case t.Metric == "failed":
		return s.FailedCalls(), s.Calls
	case t.Metric == "past_budget":
		return s.Late, s.Calls
	case t.Metric == "not_started":
		return r.NotStarted, r.NotStarted + r.Overall.Calls
	case strings.HasPrefix(t.Metric, "outcome:"):
		return s.Outcomes[strings.TrimPrefix(t.Metric, "outcome:")], s.Calls
	}
	p := strings.TrimPrefix(t.Metric, "status:")
	for code, c := range s.Statuses {
		if code == p || (strings.HasSuffix(p, "xx") && len(code) == 3 && code[0] == p[0]) {
			n += c
		}
	}
	return n, s.Calls
}

func latencyField(l Latency, m string) float64 {
	switch m {
	case "p50":
		return l.P50
	case "p90":
		return l.P90
	case "p95":
		return l.P95
	case "p99":
		return l.P99
	case "p99.9":
		return l.P999
	case "max":
		return l.Max
	}
	return l.Mean
}

// FormatMillis prints a latency in ms the way the report does: 1.23ms, 812ms, 2.04s.
func FormatMillis(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v/1000, 'f', 2, 64) + "s"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64) + "ms"
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64) + "ms"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + "ms"
}

// Breaches returns a line for each threshold r breaches.
func Breaches(r *Report, list []Threshold) []string {
	var out []string
	for _, t := range list {
		if actual, ok := t.Check(r); !ok {
			out = append(out, fmt.Sprintf("threshold %s breached: %s", t.Text, actual))
		}
	}
	return out
}
