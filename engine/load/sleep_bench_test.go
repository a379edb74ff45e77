package load

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkSleepLateness measures how late the open model's pacer wakes,
// against a plain Go timer in the same run: both wait 3.3 ms at a time (a
// 300/s schedule) on an otherwise idle process, alternating. It reports
// each one's median and 99th-percentile lateness in microseconds; the
// pacer's lateness is counted in every open-model call's latency.
func BenchmarkSleepLateness(b *testing.B) {
	const wait = 3300 * time.Microsecond
	ctx := context.Background()
	plain := func() {
		t := time.NewTimer(wait)
		<-t.C
	}
	paced := func() { _ = realClock{}.Sleep(ctx, wait) }
	var lateTimer, latePacer []time.Duration
	for range b.N {
		for _, s := range []struct {
			sleep func()
			late  *[]time.Duration
		}{{plain, &lateTimer}, {paced, &latePacer}} {
			start := time.Now()
			s.sleep()
			*s.late = append(*s.late, time.Since(start)-wait)
		}
	}
	q := func(d []time.Duration, p int) float64 {
		slices.Sort(d)
		return float64(d[(len(d)-1)*p/100].Microseconds())
	}
	b.ReportMetric(q(lateTimer, 50), "timer-late-p50-µs")
	b.ReportMetric(q(lateTimer, 99), "timer-late-p99-µs")
	b.ReportMetric(q(latePacer, 50), "pacer-late-p50-µs")
	b.ReportMetric(q(latePacer, 99), "pacer-late-p99-µs")
}
