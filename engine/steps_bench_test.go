package engine

import (
	"net/http"
	"syscall"
	"testing"
	"time"
)

// The steps of a dispatch that are the engine's own work, without the
// network, to see where per-call CPU goes.

func BenchmarkStepBody(b *testing.B) {
	call := benchCall(b, "https://127.0.0.1/hook")
	b.ReportAllocs()
	for b.Loop() {
		actionBody(&call, testStart)
	}
}

func BenchmarkStepEventBody(b *testing.B) {
	call := testEvent("https://127.0.0.1/hook", EventBeforeResponseSent)
	b.ReportAllocs()
	for b.Loop() {
		eventBody(&call, testStart)
	}
}

func BenchmarkStepSign(b *testing.B) {
	d := New(Options{})
	call := benchCall(b, "https://127.0.0.1/hook")
	body, _ := actionBody(&call, testStart)
	s := d.signer(call.Action.Secret)
	b.ReportAllocs()
	for b.Loop() {
		s.Append(nil, body)
	}
}

func BenchmarkStepClassify(b *testing.B) {
	header := http.Header{"Content-Type": {"application/json"}}
	b.ReportAllocs()
	for b.Loop() {
		a := &Attempt{Response: &Response{Status: 200, Header: header, Body: benchReply}}
		classifyAction(a)
	}
}

func BenchmarkStepLimiter(b *testing.B) {
	d := New(Options{})
	now := testStart
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		d.limiter.Reserve("conv_000123", now)
	}
}

func BenchmarkStepDeliveryID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		randomDeliveryID()
	}
}

// BenchmarkStepsAfterSyscall is the engine's own steps as a dispatch runs
// them: each right after a system call, as they are between two round
// trips, instead of in a tight loop that keeps every cache warm. On a
// machine whose kernel flushes the TLB on each system call (page-table
// isolation without PCID; see /proc/cpuinfo), the steps cost several times
// their warm figure. It reports each step's cost after a syscall
// (`after-ns`, the syscall's own cost taken out) over its warm cost.
func BenchmarkStepsAfterSyscall(b *testing.B) {
	d := New(Options{})
	call := benchCall(b, "https://127.0.0.1/hook")
	body, _ := actionBody(&call, testStart)
	s := d.signer(call.Action.Secret)
	header := http.Header{"Content-Type": {"application/json"}}
	now := testStart
	steps := []struct {
		name string
		fn   func()
	}{
		{"body", func() { actionBody(&call, testStart) }},
		{"sign", func() { s.Append(nil, body) }},
		{"classify", func() { classifyAction(&Attempt{Response: &Response{Status: 200, Header: header, Body: benchReply}}) }},
		{"limiter", func() { now = now.Add(time.Second); d.limiter.Reserve("conv_000123", now) }},
	}
	timed := func(n int, fn func()) time.Duration {
		start := time.Now()
		for range n {
			fn()
		}
		return time.Since(start)
	}
	syscallOnly := func() { syscall.Getpid() }
	for _, st := range steps {
		b.Run(st.name, func(b *testing.B) {
			// Interleave the three loops in chunks so they see the same machine.
			var warm, sys, both time.Duration
			const chunk = 1000
			for done := 0; done < b.N; done += chunk {
				k := min(chunk, b.N-done)
				warm += timed(k, st.fn)
				sys += timed(k, syscallOnly)
				both += timed(k, func() { syscall.Getpid(); st.fn() })
			}
			after := float64((both - sys).Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(warm.Nanoseconds())/float64(b.N), "warm-ns")
			b.ReportMetric(after, "after-ns")
			b.ReportMetric(after/(float64(warm.Nanoseconds())/float64(b.N)), "after/warm")
		})
	}
}
