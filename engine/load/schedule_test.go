package load

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		bad  bool
	}{
		{in: "200/s", want: 200},
		{in: "200", want: 200},
		{in: " 90/m ", want: 1.5},
		{in: "3600/h", want: 1},
		{in: "0.5/s", want: 0.5},
		{in: "0/s", bad: true},
		{in: "-5/s", bad: true},
		{in: "200/d", bad: true},
		{in: "fast", bad: true},
		{in: "NaN/s", bad: true},
		{in: "Inf", bad: true},
		{in: "2000000/s", bad: true},
		{in: "", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("ParseRate(%q) error = %v, want error %v", tt.in, err, tt.bad)
			continue
		}
		if !tt.bad && math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("ParseRate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	a, b, err := ParseRateRange("50/s:400/s")
	if err != nil || a != 50 || b != 400 {
		t.Errorf("ParseRateRange(50/s:400/s) = %v, %v, %v", a, b, err)
	}
	if _, _, err := ParseRateRange("50/s:"); err == nil {
		t.Error("ParseRateRange(50/s:) took an empty end rate")
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"200/s", "50/s:400/s", "1e3/m", "0.001/h", "-1", "9e99/s", ":", "5/s:0/s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b, err := ParseRateRange(s)
		if err != nil {
			return
		}
		for _, r := range []float64{a, b} {
			if !(r > 0) || r > MaxRate || math.IsInf(r, 0) {
				t.Fatalf("ParseRateRange(%q) accepted rate %v", s, r)
			}
		}
		// Any accepted rate gives a schedule that moves forward.
		sc := Schedule{Start: a, End: b, Ramp: time.Minute}
		if sc.At(1) < sc.At(0) || sc.At(2) < sc.At(1) {
			t.Fatalf("schedule of %q goes backwards: %v %v %v", s, sc.At(0), sc.At(1), sc.At(2))
		}
	})
}

func TestScheduleConstant(t *testing.T) {
	s := Schedule{Start: 200, End: 200}
	for k := int64(0); k < 1000; k++ {
		if got, want := s.At(k), time.Duration(k)*5*time.Millisecond; got != want {
			t.Fatalf("At(%d) = %v, want %v", k, got, want)
		}
	}
}

func TestScheduleRamp(t *testing.T) {
	tests := []struct {
		name string
		s    Schedule
	}{
		{"up", Schedule{Start: 50, End: 400, Ramp: 2 * time.Minute}},
		{"down", Schedule{Start: 400, End: 50, Ramp: 2 * time.Minute}},
		{"warmup then up", Schedule{Start: 10, End: 100, Warmup: 5 * time.Second, Ramp: 30 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end := tt.s.Warmup + tt.s.Ramp + 10*time.Second
			want := tt.s.Expected(0, end)
			var n int64
			prev := time.Duration(-1)
			for ; tt.s.At(n) < end; n++ {
				at := tt.s.At(n)
				if at <= prev {
					t.Fatalf("At(%d) = %v, not after At(%d) = %v", n, at, n-1, prev)
				}
				// The n-th arrival is due exactly when n arrivals are due.
				if c := tt.s.count(at); math.Abs(c-float64(n)) > 1e-6*max(1, float64(n)) {
					t.Fatalf("count(At(%d)) = %v", n, c)
				}
				prev = at
			}
			if math.Abs(float64(n)-want) > 1 {
				t.Errorf("%d arrivals before %v, want %.1f", n, end, want)
			}
			// In each second the arrivals follow the rate at its middle.
			for sec := time.Duration(0); sec < end; sec += time.Second {
				got := tt.s.Expected(sec, sec+time.Second)
				mid := tt.s.RateAt(sec + time.Second/2)
				if math.Abs(got-mid) > 1e-6*mid {
					t.Errorf("second %v: %.3f arrivals, rate in its middle %.3f", sec, got, mid)
				}
			}
		})
	}
}

func TestScheduleShards(t *testing.T) {
	whole := Schedule{Start: 50, End: 400, Ramp: 10 * time.Second}
	const n = 3
	var merged []time.Duration
	seqs := map[int64]bool{}
	for i := range n {
		s := whole
		s.Shard, s.Shards = i, n
		for k := int64(0); s.At(k) < 20*time.Second; k++ {
			merged = append(merged, s.At(k))
			if seqs[s.Seq(k)] {
				t.Fatalf("shard %d reuses seq %d", i, s.Seq(k))
			}
			seqs[s.Seq(k)] = true
		}
	}
	slices.Sort(merged)
	for k, at := range merged {
		if want := whole.At(int64(k)); at != want {
			t.Fatalf("merged arrival %d at %v, the whole schedule's at %v", k, at, want)
		}
	}
	if whole.At(int64(len(merged))) < 20*time.Second {
		t.Errorf("the shards together miss arrivals: %d", len(merged))
	}
}

// fakeClock moves only when slept on, so a schedule runs in no time. With
// settle set, a sleep first waits until settle(now) reports true: the calls
// due so far have ended, as if they took no time.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	settle func(now time.Time) bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	for c.settle != nil && !c.settle(c.Now()) {
		time.Sleep(50 * time.Microsecond)
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func TestRunOpenFollowsTheSchedule(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	begin := clock.now
	var mu sync.Mutex
	var seen []Call
	var startedAt []time.Time
	opts := Options{Rate: 100, RateEnd: 300, Ramp: 2 * time.Second, Warmup: time.Second, Duration: 4 * time.Second, Clock: clock}
	sched := opts.schedule()
	clock.settle = func(now time.Time) bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) >= dueBy(sched, now.Sub(begin))
	}
	job := func(_ context.Context, c Call) Result {
		mu.Lock()
		seen = append(seen, c)
		startedAt = append(startedAt, clock.Now())
		mu.Unlock()
		return Result{Attempts: []*engine.Attempt{{Kind: engine.KindAction, ActionID: "a", Outcome: engine.OutcomeMessage, Started: c.Intended, Latency: 3 * time.Millisecond, Response: &engine.Response{Status: 200}}}}
	}
	r, err := Run(context.Background(), job, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := int(math.Ceil(sched.Expected(0, 5*time.Second)))
	if len(seen) != want {
		t.Fatalf("%d calls, want %d", len(seen), want)
	}
	slices.SortFunc(seen, func(a, b Call) int { return int(a.Seq - b.Seq) })
	for k, c := range seen {
		if c.Seq != int64(k) || !c.Intended.Equal(begin.Add(sched.At(int64(k)))) {
			t.Fatalf("call %d: seq %d due %v, want due %v", k, c.Seq, c.Intended.Sub(begin), sched.At(int64(k)))
		}
	}
	for i, at := range startedAt {
		if !at.Equal(begin.Add(sched.At(int64(i)))) {
			t.Fatalf("call %d started at %v, due at %v", i, at.Sub(begin), sched.At(int64(i)))
		}
	}
	warm := int64(100)
	if r.WarmupCalls != warm {
		t.Errorf("warmup calls %d, want %d", r.WarmupCalls, warm)
	}
	if got := r.Overall.Calls; got != int64(want)-warm {
		t.Errorf("measured calls %d, want %d", got, int64(want)-warm)
	}
	// 2 s of ramp from 100 to 300 (400 calls) and 2 s at 300 (600): 250/s.
	if math.Abs(r.StartRate-250) > 0.5 || math.Abs(r.Overall.Rate-250) > 0.5 {
		t.Errorf("rate %.2f started, %.2f measured, want 250", r.StartRate, r.Overall.Rate)
	}
	if r.Overall.Latency.P50 < 2.99 || r.Overall.Latency.P50 > 3.01 {
		t.Errorf("p50 %.3f ms, want 3 ms", r.Overall.Latency.P50)
	}
	// The ramp's first second averages 150/s, its second 250/s.
	if len(r.Series) != 4 || r.Series[0].Started != 150 || r.Series[1].Started != 250 || r.Series[3].Started != 300 {
		t.Errorf("series %+v", r.Series)
	}
}

// dueBy counts the arrivals of s due at or before t.
func dueBy(s Schedule, t time.Duration) int {
	n := 0
	for s.At(int64(n)) <= t {
		n++
	}
	return n
}

func TestPoolCapsInflight(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	ran := map[int64]bool{}
	p := newPool(5, time.Hour, func(c Call) {
		mu.Lock()
		ran[c.Seq] = true
		mu.Unlock()
		<-release
	})
	var started, refused int
	for k := range int64(10) {
		if p.offer(Call{Seq: k}) {
			started++
		} else {
			refused++
		}
	}
	if started != 5 || refused != 5 {
		t.Errorf("with 5 calls stuck: %d started, %d refused; want 5 and 5", started, refused)
	}
	close(release)
	p.close()
	if len(ran) != 5 {
		t.Errorf("%d calls ran, want 5", len(ran))
	}
	for k := range int64(5) {
		if !ran[k] {
			t.Errorf("call %d did not run", k)
		}
	}
}

func TestRunClosedKeepsConcurrency(t *testing.T) {
	var mu sync.Mutex
	inflight, peak, calls := 0, 0, 0
	job := func(_ context.Context, c Call) Result {
		mu.Lock()
		inflight++
		calls++
		peak = max(peak, inflight)
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		inflight--
		mu.Unlock()
		return Result{Attempts: []*engine.Attempt{{Kind: engine.KindEvent, Event: engine.EventMessageReceived, Outcome: engine.OutcomeAcknowledged, Started: c.Intended, Latency: time.Millisecond}}}
	}
	r, err := Run(context.Background(), job, Options{Concurrency: 4, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if peak != 4 {
		t.Errorf("peak in flight %d, want 4", peak)
	}
	if r.Overall.Calls != int64(calls) || calls == 0 {
		t.Errorf("report counts %d calls, the job saw %d", r.Overall.Calls, calls)
	}
	if r.Params.Model != "closed" || r.Targets[0].Name != string(engine.EventMessageReceived) {
		t.Errorf("params %+v, targets %v", r.Params, r.Targets[0].Name)
	}
}

// TestPoolShrinksAfterStall: a stall leaves hundreds of workers behind
// (one per call that was in flight at once); once calls flow again, those
// not needed end after the idle time, and the pool settles near rate ×
// idle instead of keeping the stall's size for the rest of the run.
func TestPoolShrinksAfterStall(t *testing.T) {
	const idle = 20 * time.Millisecond
	base := runtime.NumGoroutine()
	release := make(chan struct{})
	var stalled atomic.Int64
	p := newPool(1000, idle, func(c Call) {
		if c.Seq < 300 {
			stalled.Add(1)
			<-release
		}
	})
	defer p.close()
	for k := range int64(300) {
		p.offer(Call{Seq: k})
	}
	for stalled.Load() < 300 {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine() - base; n < 300 {
		t.Fatalf("%d goroutines during the stall, want 300 workers", n)
	}
	close(release)
	// Calls at 200/s for a while: about 200/s × 20 ms = 4 workers needed.
	var most int
	for k := int64(300); k < 400; k++ {
		if !p.offer(Call{Seq: k}) {
			t.Fatalf("call %d not started with nothing in flight", k)
		}
		time.Sleep(5 * time.Millisecond)
		if k >= 380 {
			most = max(most, runtime.NumGoroutine()-base)
		}
	}
	if most > 50 {
		t.Errorf("%d goroutines remain after the stall, at 200 calls a second: the idle workers stayed", most)
	}
}
