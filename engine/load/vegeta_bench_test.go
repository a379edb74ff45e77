package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/actionbench/actionbench/engine"
)

// The comparison with vegeta runs both against one loopback TLS endpoint
// in the same process, alternating rounds so that both see the same state
// of the machine, and reports ratios (actionbench ÷ vegeta):
//
//	go test -run '^$' -bench VersusVegeta -benchtime 1x ./engine/load/
const (
	vsRounds = 3
	// vsOpenRounds is more: each tool's p99 at 300/s is its 1 % worst
	// calls, and over 3 rounds (4,500 calls) one pause decided it.
	vsOpenRounds = 8
	vsDuration   = 5 * time.Second
	vsRate       = 300 // per second, for the open model: a rate both hold on two shared cores
)

type vsTarget struct {
	url    string
	pool   *x509.CertPool
	action engine.Action
	close  func()
}

// reply is a typical ~200 B message answer.
var reply = []byte(`{"message":"Your latest order #1042 is shipped and should arrive on Thursday. Track it with UPS 1Z999AA10123456784, or reply 'help' to talk to someone from our team."}`)

func newVSTarget() *vsTarget {
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(reply)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // clients closing at the end are not news
	s.StartTLS()
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	return &vsTarget{
		url:    s.URL + "/action",
		pool:   pool,
		action: engine.Action{ID: "order_lookup", URL: s.URL + "/action", Secret: "whsec_bench_4f1d2a"},
		close:  s.Close,
	}
}

// ours returns actionbench's job: a signed action per call, each from its
// own conversation, classified as the platform would.
func (v *vsTarget) ours() (Job, func()) {
	d := engine.New(engine.Options{RootCAs: v.pool, MaxIdlePerHost: 4096})
	var n atomic.Int64 // conversation ids stay new across runs
	return func(ctx context.Context, c Call) Result {
		a := d.Fire(ctx, engine.ActionCall{Action: v.action, ConversationID: fmt.Sprint("conv_", n.Add(1)), VisitorID: "v_bench", Trigger: engine.TriggerManual})
		return Result{Attempts: []*engine.Attempt{a}}
	}, d.Close
}

// vegetaRun attacks with vegeta: a request with the same body, signed once
// (so vegeta does less work per call than actionbench), over HTTP/1.1 with
// keep-alive. rate 0 with workers is vegeta's closed model.
func (v *vsTarget) vegetaRun(rate, workers int) (sent int, elapsed time.Duration, h *hdrhistogram.Histogram, ok int) {
	d := engine.New(engine.Options{})
	req := d.Fire(context.Background(), engine.ActionCall{Action: engine.Action{ID: v.action.ID, URL: "https://192.0.2.1/x", Secret: v.action.Secret}, ConversationID: "conv_x", Trigger: engine.TriggerManual})
	d.Close()
	target := vegeta.Target{Method: http.MethodPost, URL: v.url, Body: req.Request.Body, Header: req.Request.Header.Clone()}
	opts := []func(*vegeta.Attacker){
		vegeta.TLSConfig(&tls.Config{RootCAs: v.pool, MinVersion: tls.VersionTLS12}),
		vegeta.HTTP2(false), vegeta.KeepAlive(true), vegeta.Timeout(engine.Timeout), vegeta.Redirects(vegeta.NoFollow),
	}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(uint64(workers)))
	}
	attacker := vegeta.NewAttacker(opts...)
	h = newHistogram()
	start := time.Now()
	for res := range attacker.Attack(vegeta.NewStaticTargeter(target), vegeta.Rate{Freq: rate, Per: time.Second}, vsDuration, "bench") {
		sent++
		h.RecordValue(micros(res.Latency))
		if res.Code == http.StatusOK {
			ok++
		}
	}
	elapsed = time.Since(start)
	attacker.Stop()
	return sent, elapsed, h, ok
}

func BenchmarkVersusVegeta(b *testing.B) {
	v := newVSTarget()
	defer v.close()
	job, closeJob := v.ours()
	defer closeJob()

	b.Run("closed_c32", func(b *testing.B) {
		var oursCalls, vegCalls int64
		for range vsRounds {
			r, err := Run(context.Background(), job, Options{Concurrency: 32, Duration: vsDuration})
			if err != nil {
				b.Fatal(err)
			}
			if r.Overall.Succeeded != r.Overall.Calls {
				b.Fatalf("actionbench: %d of %d calls succeeded: %v", r.Overall.Succeeded, r.Overall.Calls, r.Overall.Diagnoses)
			}
			oursCalls += r.Overall.Calls
			sent, _, _, ok := v.vegetaRun(0, 32)
			if ok != sent {
				b.Fatalf("vegeta: %d of %d calls succeeded", ok, sent)
			}
			vegCalls += int64(sent)
		}
		secs := float64(vsRounds) * vsDuration.Seconds()
		b.ReportMetric(float64(oursCalls)/secs, "actionbench_req/s")
		b.ReportMetric(float64(vegCalls)/secs, "vegeta_req/s")
		b.ReportMetric(float64(oursCalls)/float64(vegCalls), "rate_ratio")
	})

	b.Run(fmt.Sprintf("open_%d_per_s", vsRate), func(b *testing.B) {
		ours, veg := newHistogram(), newHistogram()
		// exchange is actionbench's latency measured as vegeta measures
		// it, from when the request started; late is how late calls
		// started against the schedule. ours (from when a call was due)
		// is about the two together.
		var mu sync.Mutex
		exchange, late := newHistogram(), newHistogram()
		measured := func(ctx context.Context, c Call) Result {
			began := time.Now()
			res := job(ctx, c)
			mu.Lock()
			late.RecordValue(micros(began.Sub(c.Intended)))
			exchange.RecordValue(micros(time.Since(began)))
			mu.Unlock()
			return res
		}
		var oursRate, vegRate float64
		for range vsOpenRounds {
			r, err := Run(context.Background(), measured, Options{Rate: vsRate, Duration: vsDuration})
			if err != nil {
				b.Fatal(err)
			}
			if r.Overall.Succeeded != r.Overall.Calls || r.NotStarted > 0 {
				b.Logf("actionbench: %d of %d calls succeeded, %d not started: %v", r.Overall.Succeeded, r.Overall.Calls, r.NotStarted, r.Overall.Diagnoses)
			}
			h, err := r.Overall.DecodeHistogram()
			if err != nil {
				b.Fatal(err)
			}
			ours.Merge(h)
			// Completed calls over the wall time from the first due call
			// to the last answer: what the endpoint actually got.
			oursRate += float64(r.Overall.Calls) / vsDuration.Seconds()
			sent, _, vh, ok := v.vegetaRun(vsRate, 0)
			if ok != sent {
				b.Logf("vegeta: %d of %d calls succeeded", ok, sent)
			}
			veg.Merge(vh)
			vegRate += float64(sent) / vsDuration.Seconds()
		}
		oursRate /= vsOpenRounds
		vegRate /= vsOpenRounds
		b.ReportMetric(oursRate/vsRate, "actionbench_rate/target")
		b.ReportMetric(vegRate/vsRate, "vegeta_rate/target")
		b.ReportMetric(ms(ours.ValueAtQuantile(50)), "actionbench_p50_ms")
		b.ReportMetric(ms(veg.ValueAtQuantile(50)), "vegeta_p50_ms")
		b.ReportMetric(ms(ours.ValueAtQuantile(99)), "actionbench_p99_ms")
		b.ReportMetric(ms(veg.ValueAtQuantile(99)), "vegeta_p99_ms")
		b.ReportMetric(float64(ours.ValueAtQuantile(50))/float64(veg.ValueAtQuantile(50)), "p50_ratio")
		b.ReportMetric(float64(ours.ValueAtQuantile(99))/float64(veg.ValueAtQuantile(99)), "p99_ratio")
		b.ReportMetric(float64(exchange.ValueAtQuantile(50))/float64(veg.ValueAtQuantile(50)), "exchange_p50_ratio")
		b.ReportMetric(float64(exchange.ValueAtQuantile(99))/float64(veg.ValueAtQuantile(99)), "exchange_p99_ratio")
		b.ReportMetric(ms(late.ValueAtQuantile(50)), "late_p50_ms")
		b.ReportMetric(ms(late.ValueAtQuantile(99)), "late_p99_ms")
	})
}
