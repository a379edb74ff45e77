package scenarios

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/sim/demo"
)

// tenSteps is a 10-step scenario against the demo: messages that fire
// actions and webhooks, a click, a manual trigger, a virtual wait of ten
// minutes and checks.
const tenSteps = `name: ten steps %d
visitor: {name: Jane Doe, email: jane@example.com}
steps:
  - say: hello
  - say: where is my order 1042
  - expect:
      dispatch: {action: order_lookup, outcome: message}
  - click: track_order
  - trigger: order_lookup
  - expect:
      rate_limited: false
  - wait: 10m
  - trigger: order_lookup
  - say: talk to a human
  - expect:
      event: {name: on_live_chat_requested, reply: override_response}
`

// BenchmarkThousandScenarios runs 1,000 ten-step scenarios against the
// in-process mock, 32 at a time as actionbench run does, and reports the
// seconds per 1,000 (goal: under 10 s on 2 cores). Virtual waits cost no
// real time. The "history" case also records every attempt and turn.
func BenchmarkThousandScenarios(b *testing.B) {
	const n = 1000
	list := make([]*Scenario, n)
	for i := range list {
		sc, err := Parse(fmt.Sprintf("bench%d.yaml", i), []byte(fmt.Sprintf(tenSteps, i)))
		if err != nil {
			b.Fatal(err)
		}
		list[i] = sc
	}
	ctx := context.Background()
	d, err := demo.Start(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	dispatcher := engine.New(engine.Options{RootCAs: d.RootCAs})
	defer dispatcher.Close()

	for _, withHistory := range []bool{false, true} {
		name := "no-history"
		if withHistory {
			name = "history"
		}
		b.Run(name, func(b *testing.B) {
			env := Env{
				Dispatcher: func(*bot.Workspace) *engine.Dispatcher { return dispatcher },
				Demo:       d.Workspace,
			}
			if withHistory {
				store, err := history.Open(ctx, filepath.Join(b.TempDir(), "history.db"), history.Options{})
				if err != nil {
					b.Fatal(err)
				}
				defer store.Close()
				env.Recorder = store
			}
			var total, cpu time.Duration
			for b.Loop() {
				began, cpuBefore := time.Now(), processCPU(b)
				failed := runAll(ctx, list, env, 32)
				total += time.Since(began)
				cpu += processCPU(b) - cpuBefore
				if failed > 0 {
					b.Fatalf("%d of %d scenarios failed", failed, n)
				}
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/1000-scenarios")
			// How busy the run keeps the cores (goal: at least 1.6 of 2).
			b.ReportMetric(cpu.Seconds()/total.Seconds(), "cores")
		})
	}
}

// processCPU is the CPU time the process has used, user and system.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func runAll(ctx context.Context, list []*Scenario, env Env, parallel int) (failed int) {
	jobs := make(chan *Scenario)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sc := range jobs {
				if r := Run(ctx, sc, env); !r.Passed() {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		}()
	}
	for _, sc := range list {
		jobs <- sc
	}
	close(jobs)
	wg.Wait()
	return failed
}
