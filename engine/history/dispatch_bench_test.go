package history

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/goccy/go-yaml/parser"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/template"
)

// BenchmarkDispatchWithHistory measures what recording costs dispatch: full
// dispatches against a loopback TLS endpoint, alternating in chunks between
// history off and history on (each attempt handed to the writer with
// Submit, and every chunk's attempts waited for, so the "on" time includes
// committing them). It reports on/off: dispatch throughput with the history
// on as a fraction of the same run with it off.
func BenchmarkDispatchWithHistory(b *testing.B) {
	for _, concurrency := range []int{1, 32} {
		b.Run(fmt.Sprintf("c=%d", concurrency), func(b *testing.B) {
			benchDispatchWithHistory(b, concurrency, testDB(b))
		})
	}
}

// BenchmarkDispatchIntoFullHistory is DispatchWithHistory at c=32 into a
// history that already holds 300,000 attempts (filled once, copied for each
// run): what recording costs must not grow with the history. It is a
// benchmark of its own so that "-bench DispatchWithHistory" leaves it out:
// copying and deleting its 600 MB slowed the runs that came after it.
func BenchmarkDispatchIntoFullHistory(b *testing.B) {
	const stored = 300_000
	full := filepath.Join(b.TempDir(), "full.db")
	s := openTest(b, full, Options{})
	raw := rawDB(b, full)
	fillHistory(b, raw, stored, rand.New(rand.NewPCG(7, 11)))
	// Close checkpoints the WAL: the history is one file.
	if err := errors.Join(raw.Close(), s.Close()); err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("c=32,stored=%dk", stored/1000), func(b *testing.B) {
		path := testDB(b)
		copyFile(b, full, path)
		benchDispatchWithHistory(b, 32, path)
	})
}

// benchDispatchWithHistory is DispatchWithHistory's run at concurrency,
// recording into the history at path.
func benchDispatchWithHistory(b *testing.B, concurrency int, path string) {
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"message":"Your latest order #1042 is shipped and should arrive on Thursday."}`))
	}))
	server.Config.ErrorLog = log.New(io.Discard, "", 0)
	server.StartTLS()
	defer server.Close()
	pool := x509.NewCertPool()
	pool.AddCert(server.Certificate())

	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	d := engine.New(engine.Options{
		RootCAs: pool,
		// A virtual second per call over 10,000 conversations keeps
		// every conversation under the rate limit.
		Clock: func() time.Time { return time.Unix(0, clock.Add(int64(time.Second))) },
	})
	defer d.Close()
	store := openTest(b, path, Options{Secrets: []string{"whsec_bench_secret"}})
	call := benchCall(b, server.URL)
	ctx := context.Background()
	var next atomic.Int64
	fire := func() *engine.Attempt {
		c := call
		c.ConversationID = fmt.Sprintf("conv_%05d", next.Add(1)%10000)
		a := d.Fire(ctx, c)
		if a.Outcome != engine.OutcomeMessage {
			b.Errorf("outcome %s: %s", a.Outcome, a.Diagnosis)
		}
		return a
	}
	off := func(n int) { runConcurrently(concurrency, n, func(int) { fire() }) }
	var tail time.Duration // waiting, after a chunk's dispatches, for its last commit
	on := func(n int) {
		pending := make([]*Pending, n)
		runConcurrently(concurrency, n, func(i int) { pending[i] = store.Submit(ctx, fire()) })
		start := time.Now()
		defer func() { tail += time.Since(start) }()
		for _, p := range pending {
			if _, err := p.Wait(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	off(2 * concurrency) // warm the connections
	on(2 * concurrency)

	// Each chunk ends by waiting for its last batch (the writer lingers
	// 2 ms), so chunks must be long for that tail not to dominate.
	chunk := 2000 * max(1, concurrency/8)
	var offTime, onTime, offCPU, onCPU time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += chunk {
		n := min(chunk, b.N-done)
		start, cpu := time.Now(), processCPU(b)
		off(n)
		offTime += time.Since(start)
		offCPU += processCPU(b) - cpu
		start, cpu = time.Now(), processCPU(b)
		on(n)
		onTime += time.Since(start)
		onCPU += processCPU(b) - cpu
	}
	b.StopTimer()
	// The process's CPU time (every goroutine, GC and the TLS server
	// included) that the history adds per attempt: what it takes away
	// from dispatching once the cores are busy.
	b.ReportMetric(float64(offCPU.Nanoseconds())/1e3/float64(b.N), "off-cpu-µs/op")
	b.ReportMetric(float64((onCPU-offCPU).Nanoseconds())/1e3/float64(b.N), "hist-cpu-µs/op")
	b.ReportMetric(float64(offTime.Nanoseconds())/float64(b.N), "off-ns/op")
	b.ReportMetric(float64(onTime.Nanoseconds())/float64(b.N), "on-ns/op")
	b.ReportMetric(offTime.Seconds()/onTime.Seconds(), "on/off")
	chunks := (b.N + chunk - 1) / chunk
	b.ReportMetric(float64(tail.Microseconds())/1e3/float64(chunks), "tail-ms/chunk")
	b.ReportMetric(float64(onTime.Nanoseconds()-tail.Nanoseconds())/float64(b.N), "on-ns/op-untailed")
	b.ReportMetric(float64(b.N+2*concurrency)/float64(store.w.batches.Load()), "rows/commit")
}

// copyFile copies the file at from to to, creating to's folder.
func copyFile(b *testing.B, from, to string) {
	b.Helper()
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		b.Fatal(err)
	}
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	// On disk before the run starts: the kernel writing the copy back
	// while the benchmark runs would take CPU from it.
	if err := dst.Sync(); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
}

// processCPU is the CPU time, user and system, the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runConcurrently makes n calls of fn(i), i in [0, n), from c goroutines.
func runConcurrently(c, n int, fn func(i int)) {
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	for g := 0; g < c; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := left.Add(-1)
				if i < 0 {
					return
				}
				fn(int(i))
			}
		}()
	}
	wg.Wait()
}

// benchCall is a realistic action with a ~1 KB body.
func benchCall(b *testing.B, url string) engine.ActionCall {
	f, err := parser.ParseBytes([]byte(`
customer_email: "{{visitor.email}}"
customer_name: "{{visitor.name}}"
order_id: "{{entities.order_id}}"
question: "{{message}}"
channel: web
notes: "Visitor {{visitor.name}} asked about order {{entities.order_id}} from the support widget on the pricing page; escalate to a human if the order is older than ninety days or the visitor mentions a refund, chargeback or damaged goods."
tags: [support, orders, priority-normal, widget, pricing-page]
context:
  locale: en-GB
  page: https://shop.example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=autumn
`), 0)
	if err != nil {
		b.Fatal(err)
	}
	tpl, err := template.FromYAML(f.Docs[0].Body)
	if err != nil {
		b.Fatal(err)
	}
	return engine.ActionCall{
		Chatbot:   engine.Chatbot{ID: "bot_def456", Name: "Support Bot"},
		Action:    engine.Action{ID: "order_lookup", URL: url + "/dgbot/action", Secret: "whsec_bench_secret", Payload: tpl},
		VisitorID: "visitor_111", Trigger: engine.TriggerIntent,
		Vars: template.Vars{"visitor.email": "jane@example.com", "visitor.name": "Jane Doe", "entities.order_id": "1042", "message": "Where is my order 1042?"},
	}
}
