package load

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// ReportVersion is the version of the report's JSON form.
const ReportVersion = 1

// Report is everything a load run measured, in a form that merges exactly
// with other shards' reports of the same run.
type Report struct {
	Version int    `json:"version"`
	Params  Params `json:"params"`
	// Shards lists the shards merged into this report, as "i/n"; empty for
	// a run on one machine.
	Shards  []string  `json:"shards,omitempty"`
	Started time.Time `json:"started"` // the measured window's start (after warmup)
	// MeasuredSeconds is the measured window's length; merged reports keep
	// the longest.
	MeasuredSeconds float64 `json:"measured_seconds"`
	// StartRate is the calls started per measured second; shards' rates add.
	StartRate float64 `json:"start_rate"`
	// NotStarted counts arrivals that were due but could not start because
	// --max-inflight calls were already in flight.
	NotStarted  int64 `json:"not_started"`
	WarmupCalls int64 `json:"warmup_calls"`
	// Conversations and ConvFailed count whole scenario conversations and
	// those whose expectations failed.
	Conversations int64 `json:"conversations,omitempty"`
	ConvFailed    int64 `json:"conversations_failed,omitempty"`
	// HistoryHeld counts writes to the history that waited because its
	// writer was thousands of rows behind, and HistoryWaitSeconds their
	// waits added up: time the calls' goroutines (and in-flight slots)
	// were held after the calls ended. Set by the caller that records.
	HistoryHeld        int64   `json:"history_held,omitempty"`
	HistoryWaitSeconds float64 `json:"history_wait_seconds,omitempty"`
	// Stopped says why the run ended before its duration, if it did.
	Stopped string   `json:"stopped,omitempty"`
	Overall *Stats   `json:"overall"`
	Targets []*Stats `json:"targets"`
	Series  []Second `json:"series"`
}

// Params are the run's settings, so a report says what it measured.
type Params struct {
	Model         string   `json:"model"` // "open" or "closed"
	Rate          float64  `json:"rate,omitempty"`
	RateEnd       float64  `json:"rate_end,omitempty"`
	RampSeconds   float64  `json:"ramp_seconds,omitempty"`
	Concurrency   int      `json:"concurrency,omitempty"`
	MaxInflight   int      `json:"max_inflight,omitempty"`
	Duration      float64  `json:"duration_seconds"`
	Warmup        float64  `json:"warmup_seconds,omitempty"`
	Traffic       string   `json:"traffic"` // "calls" or "conversations"
	Targets       []string `json:"targets,omitempty"`
	Scenario      string   `json:"scenario,omitempty"`
	Conversations int      `json:"conversation_pool,omitempty"`
	Workspace     string   `json:"workspace,omitempty"`
}

// Stats are the figures of one action or event, or of the whole run.
type Stats struct {
	Name      string  `json:"name"`
	Calls     int64   `json:"calls"`
	Rate      float64 `json:"rate"` // calls per measured second
	Succeeded int64   `json:"succeeded"`
	// Late counts calls that ended past the platform's 8 s budget,
	// measured from when they were due.
	Late      int64            `json:"past_budget"`
	Outcomes  map[string]int64 `json:"outcomes"`
	Statuses  map[string]int64 `json:"statuses"`
	Diagnoses []Diagnosis      `json:"diagnoses,omitempty"`
	Latency   Latency          `json:"latency_ms"`
	// Histogram is the latency histogram in microseconds, in HdrHistogram's
	// standard compressed encoding (base64 in JSON).
	Histogram []byte `json:"histogram,omitempty"`
}

// Diagnosis is a group of attempts with one outcome and status, with the
// first diagnosis seen among them.
type Diagnosis struct {
	Outcome string `json:"outcome"`
	Status  int    `json:"status,omitempty"`
	Text    string `json:"text"`
	Count   int64  `json:"count"`
}

// Latency holds percentiles in milliseconds, from the histogram.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Second is one second of the measured window.
type Second struct {
	T          int     `json:"t"`
	Started    int64   `json:"started"`
	Done       int64   `json:"done"`
	Failed     int64   `json:"failed"`
	Late       int64   `json:"past_budget"`
	NotStarted int64   `json:"not_started"`
	P50        float64 `json:"p50_ms"`
	P99        float64 `json:"p99_ms"`
	Max        float64 `json:"max_ms"`
}

// FailedCalls is the number of calls that did not succeed.
func (s *Stats) FailedCalls() int64 { return s.Calls - s.Succeeded }

// Merge combines reports of shards of one run, exactly: counts add, rates
// add, histograms merge and percentiles come from the merged histogram.
// Per-second percentiles cannot merge, so a merged second shows the worst
// shard's p50, p99 and max.
func Merge(reports ...*Report) (*Report, error) {
	if len(reports) == 0 {
		return nil, errors.New("nothing to merge")
	}
	out := &Report{Version: ReportVersion, Params: reports[0].Params, Started: reports[0].Started}
	seen := map[string]bool{}
	overall := []*Stats{}
	byName := map[string][]*Stats{}
	for i, r := range reports {
		if r.Version != ReportVersion {
			return nil, fmt.Errorf("report %d is version %d; this actionbench reads version %d", i+1, r.Version, ReportVersion)
		}
		if r.Overall == nil {
			return nil, fmt.Errorf("report %d has no overall figures", i+1)
		}
		if r.Params.Model != out.Params.Model || r.Params.Traffic != out.Params.Traffic {
			return nil, fmt.Errorf("report %d is a %s-model %s run, report 1 a %s-model %s run: merge shards of one run", i+1, r.Params.Model, r.Params.Traffic, out.Params.Model, out.Params.Traffic)
		}
		for _, s := range r.Shards {
			if seen[s] {
				return nil, fmt.Errorf("shard %s appears twice: each shard's report must be merged once", s)
			}
			seen[s] = true
		}
		out.Shards = append(out.Shards, r.Shards...)
		if r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		out.MeasuredSeconds = max(out.MeasuredSeconds, r.MeasuredSeconds)
		out.StartRate += r.StartRate
		out.NotStarted += r.NotStarted
		out.WarmupCalls += r.WarmupCalls
		out.Conversations += r.Conversations
		out.ConvFailed += r.ConvFailed
		out.HistoryHeld += r.HistoryHeld
		out.HistoryWaitSeconds += r.HistoryWaitSeconds
		if r.Stopped != "" && out.Stopped == "" {
			out.Stopped = r.Stopped
		}
		if i > 0 {
			out.Params.Rate += r.Params.Rate
			out.Params.RateEnd += r.Params.RateEnd
			out.Params.Concurrency += r.Params.Concurrency
			out.Params.MaxInflight += r.Params.MaxInflight
		}
		overall = append(overall, r.Overall)
		for _, t := range r.Targets {
			byName[t.Name] = append(byName[t.Name], t)
		}
		out.Series = mergeSeries(out.Series, r.Series)
	}
	slices.Sort(out.Shards)
	var err error
	if out.Overall, err = mergeStats("overall", overall); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		s, err := mergeStats(name, byName[name])
		if err != nil {
			return nil, err
		}
		out.Targets = append(out.Targets, s)
	}
	return out, nil
}

func mergeStats(name string, list []*Stats) (*Stats, error) {
	out := &Stats{Name: name, Outcomes: map[string]int64{}, Statuses: map[string]int64{}}
	hist := newHistogram()
	groups := map[[2]any]*Diagnosis{}
	for _, s := range list {
		out.Calls += s.Calls
		out.Rate += s.Rate
		out.Succeeded += s.Succeeded
		out.Late += s.Late
		for k, n := range s.Outcomes {
			out.Outcomes[k] += n
		}
		for k, n := range s.Statuses {
			out.Statuses[k] += n
		}
		for _, d := range s.Diagnoses {
			key := [2]any{d.Outcome, d.Status}
			if g := groups[key]; g != nil {
				g.Count += d.Count
			} else {
				d := d
				groups[key] = &d
			}
		}
		if len(s.Histogram) == 0 {
			if s.Calls > 0 && s.Latency.Max > 0 {
				return nil, fmt.Errorf("%s: a report without histograms cannot merge exactly: write reports with --json", name)
			}
			continue
		}
		h, err := hdrhistogram.Decode(s.Histogram)
		if err != nil {
			return nil, fmt.Errorf("%s: histogram does not decode: %w", name, err)
		}
		if dropped := hist.Merge(h); dropped > 0 {
			return nil, fmt.Errorf("%s: %d values outside the histogram's range", name, dropped)
		}
	}
	for _, g := range groups {
		out.Diagnoses = append(out.Diagnoses, *g)
	}
	sortDiagnoses(out.Diagnoses)
	out.Latency = latencyOf(hist)
	var err error
	out.Histogram, err = hist.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	return out, err
}

func mergeSeries(into, from []Second) []Second {
	for len(into) < len(from) {
		into = append(into, Second{T: len(into)})
	}
	for i, s := range from {
		d := &into[i]
		d.Started += s.Started
		d.Done += s.Done
		d.Failed += s.Failed
		d.Late += s.Late
		d.NotStarted += s.NotStarted
		d.P50 = max(d.P50, s.P50)
		d.P99 = max(d.P99, s.P99)
		d.Max = max(d.Max, s.Max)
	}
	return into
}

// Histogram decodes a stats' latency histogram (microseconds).
func (s *Stats) DecodeHistogram() (*hdrhistogram.Histogram, error) {
	if len(s.Histogram) == 0 {
		return newHistogram(), nil
	}
	return hdrhistogram.Decode(s.Histogram)
}

// HistoryHeldText says how long the history held calls up, for a report
// whose HistoryHeld is above zero.
func HistoryHeldText(r *Report) string {
	return fmt.Sprintf("%d calls waited %s in all for the history writer, thousands of rows behind (their in-flight slots were held)",
		r.HistoryHeld, FormatMillis(r.HistoryWaitSeconds*1000))
}
