package load

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/actionbench/actionbench/engine"
)

// Histograms count microseconds from 1 µs to an hour with three
// significant digits: 0.1 % resolution at every scale.
const (
	lowestMicros  = 1
	highestMicros = int64(time.Hour / time.Microsecond)
	sigDigits     = 3
	// seriesDigits is coarser: one histogram per second of the run only
	// gives that second's p50 and p99.
	seriesDigits = 2
)

func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(lowestMicros, highestMicros, sigDigits)
}

// micros converts a latency to the histograms' unit, clamped to their range.
func micros(d time.Duration) int64 {
	return min(max(int64(d/time.Microsecond), lowestMicros), highestMicros)
}

// group gathers the attempts of one outcome and status, for the top diagnoses.
type group struct {
	outcome engine.Outcome
	status  int
	example string // the first diagnosis seen
	count   int64
}

// tally is what is counted for one target and for the whole run.
type tally struct {
	calls, succeeded, late int64
	outcomes               map[engine.Outcome]int64
	statuses               map[int]int64 // 0: no response
	groups                 map[[2]int]*group
	hist                   *hdrhistogram.Histogram
}

func newTally() *tally {
	return &tally{
		outcomes: map[engine.Outcome]int64{},
		statuses: map[int]int64{},
		groups:   map[[2]int]*group{},
		hist:     newHistogram(),
	}
}

// outcomeIndex numbers outcomes for the group keys.
func outcomeIndex(o engine.Outcome) int {
	if i := slices.Index(engine.Outcomes, o); i >= 0 {
		return i
	}
	return len(engine.Outcomes)
}

func (t *tally) add(a *engine.Attempt, latency time.Duration, measured bool, redact func(string) string) {
	t.calls++
	if a.Outcome.Succeeded() {
		t.succeeded++
	}
	t.outcomes[a.Outcome]++
	status := 0
	if a.Response != nil {
		status = a.Response.Status
	}
	t.statuses[status]++
	if measured {
		t.hist.RecordValue(micros(latency))
		if latency >= engine.Timeout || a.Outcome == engine.OutcomeTimeout {
			t.late++
		}
	}
	if a.Diagnosis == "" {
		return
	}
	key := [2]int{outcomeIndex(a.Outcome), status}
	g := t.groups[key]
	if g == nil {
		g = &group{outcome: a.Outcome, status: status, example: diagnosisExample(a, redact)}
		t.groups[key] = g
	}
	g.count++
}

// diagnosisExample is the text shown for a group of diagnoses. A limit
// hit's diagnosis names its conversation and time, which vary per call.
func diagnosisExample(a *engine.Attempt, redact func(string) string) string {
	if a.Outcome == engine.OutcomeRateLimited {
		return "rate limit: " + strconv.Itoa(engine.RateLimit) + " calls per 10 min per conversation reached; the platform refuses the call before sending it"
	}
	if redact != nil {
		return redact(a.Diagnosis)
	}
	return a.Diagnosis
}

// second is one second of the run, counted by when calls ended.
type second struct {
	started, done, failed, late, notStarted int64
	p50, p99, max                           int64 // µs
}

// collector records results from many goroutines.
type collector struct {
	mu       sync.Mutex
	now      func() time.Time
	redact   func(string) string
	measured time.Time // start of the measured window (after warmup)

	overall    *tally
	byTarget   map[string]*tally
	notStarted int64 // arrivals dropped over the in-flight cap
	warmup     int64 // calls during warmup, not counted
	started    int64 // calls started in the measured window
	convs      int64
	convFailed int64

	series   []second
	cur      int // index of the series' open second
	curHist  *hdrhistogram.Histogram
	lastDone time.Time
}

func newCollector(now func() time.Time, measured time.Time, redact func(string) string) *collector {
	return &collector{
		now:      now,
		redact:   redact,
		measured: measured,
		overall:  newTally(),
		byTarget: map[string]*tally{},
		curHist:  hdrhistogram.New(lowestMicros, highestMicros, seriesDigits),
	}
}

// secondOf returns the series index of t, growing the series; -1 before
// the measured window.
func (c *collector) secondOf(t time.Time) int {
	if t.Before(c.measured) {
		return -1
	}
	i := int(t.Sub(c.measured) / time.Second)
	for len(c.series) <= i {
		c.series = append(c.series, second{})
	}
	return i
}

// roll closes the open second when time has moved past it.
func (c *collector) roll(i int) {
	if i <= c.cur {
		return
	}
	if c.cur < len(c.series) && c.curHist.TotalCount() > 0 {
		s := &c.series[c.cur]
		s.p50, s.p99, s.max = c.curHist.ValueAtQuantile(50), c.curHist.ValueAtQuantile(99), c.curHist.Max()
	}
	c.curHist.Reset()
	c.cur = i
}

// start counts a call starting at its intended time.
func (c *collector) start(intended time.Time) {
	c.mu.Lock()
	if i := c.secondOf(intended); i >= 0 {
		c.started++
		c.series[i].started++
	}
	c.mu.Unlock()
}

// drop counts an arrival that could not start.
func (c *collector) drop(intended time.Time) {
	c.mu.Lock()
	if i := c.secondOf(intended); i >= 0 {
		c.notStarted++
		c.series[i].notStarted++
	}
	c.mu.Unlock()
}

// record counts what one arrival (a call, or a whole conversation) did.
// delay is how late it started against its schedule; each attempt's
// latency is its exchange plus that delay.
func (c *collector) record(intended time.Time, delay time.Duration, res Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if intended.Before(c.measured) {
		c.warmup += int64(len(res.Attempts))
		return
	}
	if res.Conversation {
		c.convs++
		if res.Failed {
			c.convFailed++
		}
	}
	now := c.now()
	i := c.secondOf(now)
	c.roll(i)
	s := &c.series[i]
	for _, a := range res.Attempts {
		if a == nil {
			continue
		}
		measured := !a.Started.IsZero()
		latency := a.Latency + delay
		c.overall.add(a, latency, measured, c.redact)
		name := target(a)
		t := c.byTarget[name]
		if t == nil {
			t = newTally()
			c.byTarget[name] = t
		}
		t.add(a, latency, measured, c.redact)
		s.done++
		if !a.Outcome.Succeeded() {
			s.failed++
		}
		if measured {
			c.curHist.RecordValue(micros(latency))
			if latency >= engine.Timeout || a.Outcome == engine.OutcomeTimeout {
				s.late++
			}
		}
	}
	c.lastDone = now
}

// target names what an attempt called: the action or the event.
func target(a *engine.Attempt) string {
	if a.Kind == engine.KindEvent {
		return string(a.Event)
	}
	return a.ActionID
}

// report builds the report as of now; elapsed is the measured time so far.
func (c *collector) report(elapsed time.Duration, encode bool) *Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	secs := elapsed.Seconds()
	r := &Report{
		Version:         ReportVersion,
		Started:         c.measured,
		MeasuredSeconds: secs,
		NotStarted:      c.notStarted,
		WarmupCalls:     c.warmup,
		Conversations:   c.convs,
		ConvFailed:      c.convFailed,
	}
	if secs > 0 {
		r.StartRate = float64(c.started) / secs
	}
	r.Overall = c.overall.stats("overall", secs, encode)
	names := make([]string, 0, len(c.byTarget))
	for n := range c.byTarget {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		r.Targets = append(r.Targets, c.byTarget[n].stats(n, secs, encode))
	}
	// The open second's figures so far.
	if c.cur < len(c.series) && c.curHist.TotalCount() > 0 {
		s := &c.series[c.cur]
		s.p50, s.p99, s.max = c.curHist.ValueAtQuantile(50), c.curHist.ValueAtQuantile(99), c.curHist.Max()
	}
	r.Series = make([]Second, len(c.series))
	for i, s := range c.series {
		r.Series[i] = Second{
			T: i, Started: s.started, Done: s.done, Failed: s.failed, Late: s.late, NotStarted: s.notStarted,
			P50: ms(s.p50), P99: ms(s.p99), Max: ms(s.max),
		}
	}
	return r
}

func (t *tally) stats(name string, secs float64, encode bool) *Stats {
	s := &Stats{
		Name:      name,
		Calls:     t.calls,
		Succeeded: t.succeeded,
		Late:      t.late,
		Outcomes:  map[string]int64{},
		Statuses:  map[string]int64{},
	}
	if secs > 0 {
		s.Rate = float64(t.calls) / secs
	}
	for o, n := range t.outcomes {
		s.Outcomes[string(o)] = n
	}
	for code, n := range t.statuses {
		s.Statuses[statusKey(code)] = n
	}
	for _, g := range t.groups {
		s.Diagnoses = append(s.Diagnoses, Diagnosis{Outcome: string(g.outcome), Status: g.status, Text: g.example, Count: g.count})
	}
	sortDiagnoses(s.Diagnoses)
	s.Latency = latencyOf(t.hist)
	if encode {
		s.Histogram, _ = t.hist.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	}
	return s
}

func statusKey(code int) string {
	if code == 0 {
		return "none"
	}
	return strconv.Itoa(code)
}

func sortDiagnoses(d []Diagnosis) {
	slices.SortFunc(d, func(a, b Diagnosis) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Outcome, b.Outcome); c != 0 {
			return c
		}
		return cmp.Compare(a.Status, b.Status)
	})
}

// Quantiles are the percentiles a report gives.
var Quantiles = []float64{50, 90, 95, 99, 99.9}

func latencyOf(h *hdrhistogram.Histogram) Latency {
	if h.TotalCount() == 0 {
		return Latency{}
	}
	v := h.ValueAtPercentilesSlice(Quantiles)
	return Latency{
		P50: ms(v[0]), P90: ms(v[1]), P95: ms(v[2]), P99: ms(v[3]), P999: ms(v[4]),
		Max: ms(h.Max()), Mean: h.Mean() / 1000,
	}
}

// ms converts microseconds to milliseconds.
func ms(us int64) float64 { return float64(us) / 1000 }
