// Package load drives many calls against endpoints and measures them as a
// load tester would: an open model (arrivals on a schedule, whatever the
// endpoint does) or a closed one (a fixed number of calls in flight), with
// latency percentiles from HDR histograms, counts per outcome and status,
// a per-second series, and reports that merge exactly across machines.
//
// In the open model a call's latency is measured from when it was due, not
// from when it went out: a stalled endpoint that holds up later calls shows
// the wait in the percentiles instead of hiding it (no coordinated omission).
//
// The package knows nothing of what a call is: the caller's Job fires an
// action, emits an event or plays a whole conversation.
package load

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// Call is one arrival: its run-wide number and when it was due.
type Call struct {
	Seq      int64
	Intended time.Time
}

// Result is what one arrival did.
type Result struct {
	Attempts []*engine.Attempt
	// Conversation marks the arrival as a whole conversation; Failed says
	// its own checks (a scenario's expectations) did not hold.
	Conversation bool
	Failed       bool
}

// Job makes one arrival's calls. It is called from many goroutines at once.
type Job func(ctx context.Context, c Call) Result

// Clock is the time source and sleeper, injected so tests can drive a
// schedule without waiting.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, and returns ctx's error then.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Sleep waits on a Go timer until about a millisecond and a half before
// d is up, listening to ctx, then sleeps the rest precisely (see
// sleepPrecisely): a Go timer alone can wake a millisecond late, which in
// the open model would be measured as the endpoint's latency.
func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	end := time.Now().Add(d)
	if coarse := d - timerLate; coarse > 0 {
		t := time.NewTimer(coarse)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if rest := time.Until(end); rest > 0 {
		sleepPrecisely(rest)
	}
	return nil
}

// timerLate is more than a Go timer wakes late on an idle process (up to
// a millisecond), so the coarse wait never ends past the due time.
const timerLate = 1500 * time.Microsecond

// Options configure a run. Exactly one of Rate (open model) and
// Concurrency (closed model) is set.
type Options struct {
	// Open model: arrivals per second, ramped from Rate to RateEnd over
	// Ramp after the warmup (RateEnd 0: constant).
	Rate, RateEnd float64
	Ramp          time.Duration
	// MaxInflight caps calls in flight in the open model; an arrival due
	// when the cap is reached does not start and is counted as such.
	MaxInflight int
	// Closed model: calls in flight, each starting when the last ends.
	Concurrency int

	Duration time.Duration // the measured window
	Warmup   time.Duration // run before it, not counted

	// Shard and Shards split the run over machines (Shard is 0-based):
	// each takes every Shards-th arrival of the open schedule, or its part
	// of the closed model's concurrency.
	Shard, Shards int

	Clock Clock // nil: the real clock
	// Redact cleans diagnosis texts before they are kept (secrets).
	Redact func(string) string
	// Check is called about once a second with the report so far; when it
	// returns a reason, the run stops early with that reason (--until-fail).
	Check func(*Report) string
	// Progress, when set, gets the report so far about once a second.
	Progress func(*Report)
}

// DefaultMaxInflight bounds the open model's goroutines when no cap is given.
const DefaultMaxInflight = 10_000

func (o *Options) validate() error {
	switch {
	case (o.Rate > 0) == (o.Concurrency > 0):
		return errors.New("give either a rate (open model) or a concurrency (closed model)")
	case o.Duration <= 0:
		return errors.New("the duration must be above zero")
	case o.Warmup < 0 || o.Ramp < 0:
		return errors.New("the warmup and the ramp cannot be negative")
	case o.MaxInflight < 0:
		return errors.New("the in-flight cap cannot be negative")
	case o.Shards > 1 && (o.Shard < 0 || o.Shard >= o.Shards):
		return fmt.Errorf("shard %d of %d does not exist", o.Shard+1, o.Shards)
	case o.Shards > 1 && o.Concurrency > 0 && o.Concurrency < o.Shards:
		return fmt.Errorf("a concurrency of %d cannot be split over %d shards", o.Concurrency, o.Shards)
	}
	return nil
}

// schedule is the open model's schedule for these options.
func (o *Options) schedule() Schedule {
	end := o.RateEnd
	if end == 0 {
		end = o.Rate
	}
	return Schedule{Start: o.Rate, End: end, Warmup: o.Warmup, Ramp: o.Ramp, Shard: o.Shard, Shards: o.Shards}
}

// ShardConcurrency is shard i's part of a closed model's concurrency c.
func ShardConcurrency(c, shard, shards int) int {
	if shards <= 1 {
		return c
	}
	n := c / shards
	if shard < c%shards {
		n++
	}
	return n
}

// Run drives job until the warmup and duration have passed, or ctx ends,
// or Check asks to stop, then waits for the calls in flight and returns
// the report (histograms encoded).
func Run(ctx context.Context, job Job, opts Options) (*Report, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	clock := opts.Clock
	if clock == nil {
		clock = realClock{}
	}
	begin := clock.Now()
	measured := begin.Add(opts.Warmup)
	end := measured.Add(opts.Duration)
	col := newCollector(clock.Now, measured, opts.Redact)

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var reason atomic.Value // string
	elapsed := func() time.Duration {
		now := clock.Now()
		if now.After(end) {
			now = end
		}
		return max(now.Sub(measured), 0)
	}

	// The watcher reports progress and checks thresholds once a second.
	var watch sync.WaitGroup
	watchDone := make(chan struct{})
	if opts.Progress != nil || opts.Check != nil {
		watch.Add(1)
		go func() {
			defer watch.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-watchDone:
					return
				case <-t.C:
				}
				r := col.report(elapsed(), false)
				if opts.Progress != nil {
					opts.Progress(r)
				}
				if opts.Check != nil && clock.Now().After(measured) {
					if why := opts.Check(r); why != "" {
						reason.CompareAndSwap(nil, why)
						stop()
						return
					}
				}
			}
		}()
	}

	// Stopping ends the arrivals, not the calls in flight: a call cut
	// short would be counted as the endpoint's failure. They end within
	// the 8 s budget.
	jobCtx := context.WithoutCancel(ctx)
	var stoppedAt time.Duration
	if opts.Rate > 0 {
		stoppedAt = runOpen(runCtx, jobCtx, job, &opts, clock, begin, col)
	} else {
		stoppedAt = runClosed(runCtx, jobCtx, job, &opts, clock, begin, end, col)
	}
	close(watchDone)
	watch.Wait()

	measuredFor := min(max(stoppedAt-opts.Warmup, 0), opts.Duration)
	r := col.report(measuredFor, true)
	r.Params = Params{
		Rate: opts.Rate, RateEnd: opts.RateEnd, RampSeconds: opts.Ramp.Seconds(),
		Concurrency: opts.Concurrency, Duration: opts.Duration.Seconds(), Warmup: opts.Warmup.Seconds(),
	}
	if opts.Rate > 0 {
		r.Params.Model = "open"
		r.Params.MaxInflight = opts.MaxInflight
		if r.Params.MaxInflight == 0 {
			r.Params.MaxInflight = DefaultMaxInflight
		}
		if opts.Shards > 1 {
			// This shard's share of the rate, so that merged rates add up.
			r.Params.Rate /= float64(opts.Shards)
			r.Params.RateEnd /= float64(opts.Shards)
		}
	} else {
		r.Params.Model = "closed"
		r.Params.Concurrency = ShardConcurrency(opts.Concurrency, opts.Shard, opts.Shards)
	}
	if opts.Shards > 1 {
		r.Shards = []string{fmt.Sprintf("%d/%d", opts.Shard+1, opts.Shards)}
	}
	if why, ok := reason.Load().(string); ok {
		r.Stopped = why
	} else if ctx.Err() != nil && stoppedAt < opts.Warmup+opts.Duration {
		r.Stopped = "interrupted"
	}
	return r, nil
}

// runOpen sends arrivals on the schedule and returns when the last one was
// due (or when the run was stopped), as an offset from begin.
func runOpen(ctx, jobCtx context.Context, job Job, opts *Options, clock Clock, begin time.Time, col *collector) time.Duration {
	sched := opts.schedule()
	total := opts.Warmup + opts.Duration
	limit := opts.MaxInflight
	if limit == 0 {
		limit = DefaultMaxInflight
	}
	p := newPool(limit, workerIdle, func(c Call) {
		startedAt := clock.Now()
		res := job(jobCtx, c)
		col.record(c.Intended, max(startedAt.Sub(c.Intended), 0), res)
	})
	stoppedAt := total
	for k := int64(0); ; k++ {
		at := sched.At(k)
		if at >= total {
			break
		}
		if wait := at - clock.Now().Sub(begin); wait > 0 {
			if clock.Sleep(ctx, wait) != nil {
				stoppedAt = clock.Now().Sub(begin)
				break
			}
		} else if ctx.Err() != nil {
			stoppedAt = clock.Now().Sub(begin)
			break
		}
		c := Call{Seq: sched.Seq(k), Intended: begin.Add(at)}
		if p.offer(c) {
			col.start(c.Intended)
		} else {
			col.drop(c.Intended)
		}
	}
	p.close()
	return stoppedAt
}

// workerIdle is how long an open-model worker waits for its next call
// before it ends. After a stall thousands of calls may be in flight at
// once; without it their workers would stay for the rest of the run, idle,
// each with its stack. Calls go to the longest-waiting worker first, so
// at rate R the pool settles near R × workerIdle workers.
const workerIdle = time.Second

// pool runs calls on workers that it starts as needed, up to a cap.
type pool struct {
	limit    int64
	idle     time.Duration
	do       func(Call)
	work     chan Call
	workers  sync.WaitGroup
	inflight atomic.Int64
}

func newPool(limit int, idle time.Duration, do func(Call)) *pool {
	return &pool{limit: int64(limit), idle: idle, do: do, work: make(chan Call)}
}

// offer starts c at once: on an idle worker, or on a new one below the
// cap. At the cap it returns false: the call is counted, never queued, so
// the schedule holds whatever the endpoint does.
func (p *pool) offer(c Call) bool {
	if p.inflight.Load() >= p.limit {
		return false
	}
	p.inflight.Add(1)
	select {
	case p.work <- c:
	default:
		p.workers.Add(1)
		go p.worker(c)
	}
	return true
}

func (p *pool) worker(c Call) {
	defer p.workers.Done()
	idle := time.NewTimer(p.idle)
	defer idle.Stop()
	for {
		p.do(c)
		p.inflight.Add(-1)
		idle.Reset(p.idle)
		var ok bool
		select {
		case c, ok = <-p.work:
			if !ok {
				return
			}
		case <-idle.C:
			// offer starts a new worker when none waits.
			return
		}
	}
}

// close waits for the calls in flight and stops the workers.
func (p *pool) close() {
	close(p.work)
	p.workers.Wait()
}

// runClosed keeps the concurrency's calls in flight until the end and
// returns when the last call started (or the run was stopped), as an
// offset from begin.
func runClosed(ctx, jobCtx context.Context, job Job, opts *Options, clock Clock, begin, end time.Time, col *collector) time.Duration {
	n := ShardConcurrency(opts.Concurrency, opts.Shard, opts.Shards)
	shards := int64(max(opts.Shards, 1))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				now := clock.Now()
				if !now.Before(end) {
					return
				}
				c := Call{Seq: next.Add(1)*shards - shards + int64(opts.Shard), Intended: now}
				col.start(now)
				res := job(jobCtx, c)
				col.record(c.Intended, 0, res)
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return min(clock.Now().Sub(begin), end.Sub(begin))
	}
	return end.Sub(begin)
}
