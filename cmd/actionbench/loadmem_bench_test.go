package main

import (
	"context"
	"io"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/load"
	"github.com/actionbench/actionbench/engine/load/loadhistory"
)

// heapAfterGC is the live heap: what a long run would still hold.
func heapAfterGC() (uint64, int) {
	runtime.GC()
	runtime.GC() // the first one's finalizers and swept spans
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, runtime.NumGoroutine()
}

// BenchmarkLoadMemory runs what `actionbench load order_lookup --set
// visitor.email=… --concurrency 8` runs — the demo's in-process mock on
// loopback TLS, a new conversation per call, every call recorded into a
// real history file — and reads the live heap after N and after 4N calls
// of the same run. growth-B/call is (heap(4N) − heap(N)) / 3N: what each
// call leaves behind, which a 10-minute run multiplies by its calls. The
// closed model keeps the calls in flight at 8 whatever the machine does,
// so they add the same to both readings (BenchmarkInflightMemory in
// engine/load measures what a call in flight holds).
//
//	go test -run '^$' -bench LoadMemory -benchtime 1x -count 3 ./cmd/actionbench/
func BenchmarkLoadMemory(b *testing.B) {
	const (
		concurrency = 8
		n           = 4000
	)
	for range b.N {
		ctx := context.Background()
		f := &loadFlags{sets: []string{"visitor.email=jane@example.com"}, runID: "bench", maxInflight: load.DefaultMaxInflight}
		e := env{stdout: io.Discard, stderr: io.Discard, lookupEnv: func(string) (string, bool) { return "", false }}
		tr, err := f.callTraffic(ctx, e, []string{"order_lookup"}, 0, 1)
		if err != nil {
			b.Fatal(err)
		}
		store, err := history.Open(ctx, filepath.Join(b.TempDir(), "h.db"), history.Options{Secrets: tr.secrets})
		if err != nil {
			b.Fatal(err)
		}
		rec, err := loadhistory.Start(ctx, store, "bench")
		if err != nil {
			b.Fatal(err)
		}
		var (
			calls      atomic.Int64
			heap       [2]uint64
			goroutines [2]int
			sampled    sync.WaitGroup
		)
		runCtx, stop := context.WithCancel(ctx)
		sampled.Add(2)
		inner := rec.Wrap(tr.job)
		job := func(ctx context.Context, c load.Call) load.Result {
			res := inner(ctx, c)
			switch calls.Add(1) {
			case n:
				heap[0], goroutines[0] = heapAfterGC()
				sampled.Done()
			case 4 * n:
				heap[1], goroutines[1] = heapAfterGC()
				sampled.Done()
				stop()
			}
			return res
		}
		rep, err := load.Run(runCtx, job, load.Options{Concurrency: concurrency, Duration: time.Hour, Redact: tr.redact})
		if err != nil {
			b.Fatal(err)
		}
		sampled.Wait()
		if err := rec.Finish(ctx, rep); err != nil {
			b.Fatal(err)
		}
		if rep.Overall.Succeeded < 4*n-10 {
			b.Fatalf("%d of %d calls succeeded: %v", rep.Overall.Succeeded, rep.Overall.Calls, rep.Overall.Outcomes)
		}
		b.ReportMetric((float64(heap[1])-float64(heap[0]))/(3*n), "growth-B/call")
		b.ReportMetric(float64(heap[0])/(1<<20), "heap-MB@N")
		b.ReportMetric(float64(heap[1])/(1<<20), "heap-MB@4N")
		b.ReportMetric(float64(goroutines[1]), "goroutines@4N")
		b.ReportMetric(float64(rep.HistoryHeld), "history-held")
		stop()
		store.Close()
		tr.close()
	}
}
