package load

import (
	"context"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// liveHeap is the heap still referenced, after collections, and the
// goroutines' stacks.
func liveHeap() (heap, stacks uint64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, m.StackInuse
}

// BenchmarkInflightMemory measures what one call in flight holds: an open
// run against a loopback TLS endpoint (in this process, like the demo's
// mock) that holds every request until told to answer, so that all the
// run's calls are in flight at once. heap-KB/inflight is (heap with them
// in flight − heap after they ended) ÷ calls: the client's connection,
// TLS and buffers, and the endpoint's; stack-KB/inflight is the same for
// the goroutines' stacks (the workers', the connections'). A stall multiplies it
// by the calls in flight, up to --max-inflight. heap-KB/idle-conn is what
// each connection kept in the idle pool holds once the calls ended.
//
//	go test -run '^$' -bench InflightMemory -benchtime 1x -count 3 ./engine/load/
func BenchmarkInflightMemory(b *testing.B) {
	const calls = 1000
	for range b.N {
		var arrived atomic.Int64
		release := make(chan struct{})
		s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			arrived.Add(1)
			<-release
			w.Header().Set("Content-Type", "application/json")
			w.Write(reply)
		}))
		s.Config.ErrorLog = log.New(io.Discard, "", 0)
		s.StartTLS()
		pool := x509.NewCertPool()
		pool.AddCert(s.Certificate())
		const idle = 256 // the open model's idle pool in actionbench load
		d := engine.New(engine.Options{RootCAs: pool, MaxIdlePerHost: idle})
		action := engine.Action{ID: "order_lookup", URL: s.URL + "/action", Secret: "whsec_bench_4f1d2a"}
		job := func(ctx context.Context, c Call) Result {
			conv := "load_b_" + strconv.FormatInt(c.Seq, 10)
			a := d.Fire(ctx, engine.ActionCall{Chatbot: engine.Chatbot{ID: "21", Name: "Bench"}, Action: action,
				ConversationID: conv, VisitorID: "v_" + conv, Trigger: engine.TriggerManual, OneCall: true})
			return Result{Attempts: []*engine.Attempt{a}}
		}
		before, _ := liveHeap()
		done := make(chan *Report)
		go func() {
			r, _ := Run(context.Background(), job, Options{Rate: 2000, Duration: calls * time.Second / 2000})
			done <- r
		}()
		deadline := time.Now().Add(30 * time.Second)
		for arrived.Load() < calls && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if arrived.Load() < calls {
			b.Fatalf("%d of %d calls reached the endpoint", arrived.Load(), calls)
		}
		during, duringStacks := liveHeap()
		close(release)
		r := <-done
		idleHeap, _ := liveHeap()
		d.Close()
		s.CloseClientConnections()
		s.Close()
		after, afterStacks := liveHeap()
		if r.Overall.Calls != calls {
			b.Fatalf("%d calls, want %d", r.Overall.Calls, calls)
		}
		b.ReportMetric((float64(during)-float64(after))/calls/1024, "heap-KB/inflight")
		b.ReportMetric((float64(duringStacks)-float64(afterStacks))/calls/1024, "stack-KB/inflight")
		b.ReportMetric((float64(idleHeap)-float64(after))/idle/1024, "heap-KB/idle-conn")
		b.ReportMetric((float64(after)-float64(before))/1024, "heap-KB-left")
	}
}
