package load

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// latencyJob answers each call with a latency drawn from a fixed seed per
// call number, some calls failing, so shards and a whole run see the same
// calls.
func latencyJob(_ context.Context, c Call) Result {
	rng := rand.New(rand.NewPCG(uint64(c.Seq), 7))
	lat := time.Duration(rng.ExpFloat64() * float64(20*time.Millisecond))
	a := &engine.Attempt{Kind: engine.KindAction, ActionID: "order_lookup", Started: c.Intended, Latency: lat,
		Outcome: engine.OutcomeMessage, Response: &engine.Response{Status: 200}}
	if c.Seq%2 == 1 {
		a.ActionID = "refund"
	}
	if c.Seq%37 == 0 {
		a.Outcome, a.Response.Status, a.Diagnosis = engine.OutcomeError, 500, "HTTP 500: the endpoint failed"
	}
	return Result{Attempts: []*engine.Attempt{a}}
}

func runWithFakeClock(t *testing.T, opts Options) *Report {
	t.Helper()
	var ended atomic.Int64
	begin := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	sched := opts.schedule()
	opts.Clock = &fakeClock{
		now:    begin,
		settle: func(now time.Time) bool { return ended.Load() >= int64(dueBy(sched, now.Sub(begin))) },
	}
	job := func(ctx context.Context, c Call) Result {
		defer ended.Add(1)
		return latencyJob(ctx, c)
	}
	r, err := Run(context.Background(), job, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Through JSON, as reports travel between machines.
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return &back
}

func TestMergeIsExact(t *testing.T) {
	base := Options{Rate: 300, RateEnd: 600, Ramp: 2 * time.Second, Duration: 4 * time.Second}
	whole := runWithFakeClock(t, base)
	var shards []*Report
	for i := range 3 {
		o := base
		o.Shard, o.Shards = i, 3
		shards = append(shards, runWithFakeClock(t, o))
	}
	merged, err := Merge(shards...)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(merged.Shards, ","); got != "1/3,2/3,3/3" {
		t.Errorf("shards %q", got)
	}
	for _, pair := range [][2]*Stats{{whole.Overall, merged.Overall}, {whole.Targets[0], merged.Targets[0]}, {whole.Targets[1], merged.Targets[1]}} {
		w, m := pair[0], pair[1]
		if w.Name != m.Name || w.Calls != m.Calls || w.Succeeded != m.Succeeded || w.Late != m.Late {
			t.Errorf("%s: merged %+v, whole run %+v", w.Name, m, w)
		}
		if w.Latency != m.Latency {
			t.Errorf("%s: merged latency %+v, whole run %+v", w.Name, m.Latency, w.Latency)
		}
		if math.Abs(w.Rate-m.Rate) > 1e-9*w.Rate {
			t.Errorf("%s: merged rate %v, whole run %v", w.Name, m.Rate, w.Rate)
		}
		for k, n := range w.Outcomes {
			if m.Outcomes[k] != n {
				t.Errorf("%s: outcome %s merged %d, whole %d", w.Name, k, m.Outcomes[k], n)
			}
		}
		if len(w.Diagnoses) != len(m.Diagnoses) || (len(w.Diagnoses) > 0 && w.Diagnoses[0] != m.Diagnoses[0]) {
			t.Errorf("%s: diagnoses merged %v, whole %v", w.Name, m.Diagnoses, w.Diagnoses)
		}
		wh, err := w.DecodeHistogram()
		if err != nil {
			t.Fatal(err)
		}
		mh, err := m.DecodeHistogram()
		if err != nil {
			t.Fatal(err)
		}
		if !wh.Equals(mh) {
			t.Errorf("%s: merged histogram differs from the whole run's", w.Name)
		}
	}
	if merged.StartRate != whole.StartRate || merged.Params.Rate != whole.Params.Rate || merged.Params.RateEnd != whole.Params.RateEnd {
		t.Errorf("rates: merged %v (params %v→%v), whole %v (%v→%v)", merged.StartRate, merged.Params.Rate, merged.Params.RateEnd, whole.StartRate, whole.Params.Rate, whole.Params.RateEnd)
	}
	for i := range whole.Series {
		// When a call is recorded races with the fake clock; when it was due does not.
		if whole.Series[i].Started != merged.Series[i].Started {
			t.Errorf("second %d: merged %+v, whole %+v", i, merged.Series[i], whole.Series[i])
		}
	}
}

func TestMergeRefuses(t *testing.T) {
	o := Options{Rate: 100, Duration: time.Second, Shard: 0, Shards: 2}
	a := runWithFakeClock(t, o)
	b := runWithFakeClock(t, o)
	// The fake clock stands still unless slept on, as a closed loop never does.
	closed, err := Run(context.Background(), latencyJob, Options{Concurrency: 1, Duration: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	noHist := *a.Overall
	noHist.Histogram = nil
	stripped := *a
	stripped.Overall = &noHist
	stripped.Shards = nil
	tests := []struct {
		name string
		in   []*Report
		want string
	}{
		{"nothing", nil, "nothing to merge"},
		{"one shard twice", []*Report{a, b}, "shard 1/2 appears twice"},
		{"two models", []*Report{a, closed}, "closed-model"},
		{"no histogram", []*Report{&stripped}, "without histograms"},
		{"old version", []*Report{{Version: 99, Overall: a.Overall}}, "version 99"},
	}
	for _, tt := range tests {
		_, err := Merge(tt.in...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
}
