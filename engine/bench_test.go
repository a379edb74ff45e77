package engine

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/template"
)

// BenchmarkDispatchVsBare measures a full dispatch (render the body, sign,
// the rate limit, the HTTPS keep-alive POST, read, validate, classify; no
// history) against a bare net/http client POSTing the same bytes with the
// same headers to the same loopback TLS server. They alternate in chunks
// inside one benchmark so they share the machine's state, and the result is
// reported as engine throughput over bare throughput (engine/bare, 1.0 = as
// fast as the bare client; the goal is 0.85 or more). exchange/bare is the
// engine's transport path alone: the same request sent by exchange, with
// nothing rendered, signed or classified.
func BenchmarkDispatchVsBare(b *testing.B) {
	server := startBenchServer()
	defer server.Close()
	pool := (&endpoint{Server: server}).pool()

	for _, concurrency := range []int{1, 32} {
		b.Run(fmt.Sprintf("c=%d", concurrency), func(b *testing.B) {
			var clock atomic.Int64
			clock.Store(testStart.UnixNano())
			d := New(Options{
				RootCAs: pool,
				// A tenth of a second of virtual time per call and 10,000
				// conversations taken in turn put 1,000 s between a
				// conversation's calls, so each stays below the rate limit
				// while the limiter does its full work on each call. (A
				// whole second per call ran the virtual clock so fast that
				// the limiter's sweeps, due every five minutes of its clock,
				// came almost every call: ten times their cost at any real
				// pace.)
				Clock: func() time.Time { return time.Unix(0, clock.Add(int64(100*time.Millisecond))) },
			})
			defer d.Close()
			call := benchCall(b, server.URL)
			conversations := make([]string, 10000)
			for i := range conversations {
				conversations[i] = fmt.Sprintf("conv_%06d", i)
			}

			// The bare client sends the very request the engine sends:
			// same body, same headers.
			sample := d.Fire(context.Background(), call)
			body, header := sample.Request.Body, sample.Request.Header
			bare := &http.Client{Transport: &http.Transport{
				TLSClientConfig:     &tls.Config{RootCAs: pool},
				MaxIdleConnsPerHost: 64,
			}}
			defer bare.CloseIdleConnections()

			var next atomic.Int64
			engineCall := func() {
				c := call
				c.ConversationID = conversations[next.Add(1)%int64(len(conversations))]
				if a := d.Fire(context.Background(), c); a.Outcome != OutcomeMessage {
					b.Errorf("outcome %s: %s", a.Outcome, a.Diagnosis)
				}
			}
			// Set up once, as the engine's URL is parsed once: the timed
			// loop holds only what a client must do per request.
			bareURL, err := url.Parse(server.URL)
			if err != nil {
				b.Fatal(err)
			}
			bareCall := func() {
				req := &http.Request{
					Method:        http.MethodPost,
					URL:           bareURL,
					Host:          bareURL.Host,
					Header:        header,
					Body:          io.NopCloser(bytes.NewReader(body)),
					ContentLength: int64(len(body)),
				}
				resp, err := bare.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.ProtoMajor != 1 { // as the engine: HTTP/1.1
					b.Errorf("bare client spoke %s", resp.Proto)
				}
			}
			// Warm both connection pools.
			runCalls(concurrency, 2*concurrency, bareCall)
			runCalls(concurrency, 2*concurrency, engineCall)

			tgt := d.target(server.URL)
			exchangeCall := func() {
				a := &Attempt{Request: sample.Request}
				d.exchange(context.Background(), a, tgt)
			}
			b.ReportAllocs()
			b.ResetTimer()
			times := alternate(concurrency, b.N, bareCall, engineCall, exchangeCall)
			bareTime, engineTime, exchangeTime := times[0], times[1], times[2]
			b.ReportMetric(bareTime.Seconds()/exchangeTime.Seconds(), "exchange/bare")
			b.StopTimer()
			b.ReportMetric(float64(engineTime.Nanoseconds())/float64(b.N), "engine-ns/op")
			b.ReportMetric(float64(bareTime.Nanoseconds())/float64(b.N), "bare-ns/op")
			b.ReportMetric(bareTime.Seconds()/engineTime.Seconds(), "engine/bare")
		})
	}
}

// benchCall is a realistic action: a 1 KB body with a few variables.
func benchCall(b testing.TB, url string) ActionCall {
	call := testCall(b, url)
	call.Action.Payload = mustTemplate(b, `
customer_email: "{{visitor.email}}"
customer_name: "{{visitor.name}}"
order_id: "{{entities.order_id}}"
question: "{{message}}"
channel: web
include_history: true
max_items: 5
notes: "Visitor {{visitor.name}} asked about order {{entities.order_id}} from the support widget on the pricing page; escalate to a human if the order is older than ninety days or the visitor mentions a refund, chargeback or damaged goods."
tags: [support, orders, priority-normal, widget, pricing-page]
context:
  locale: en-GB
  timezone: Europe/London
  page: https://shop.example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=autumn
  referrer: https://mail.example.com/
`)
	call.Vars = template.Vars{
		"visitor.email": "jane@example.com", "visitor.name": "Jane Doe",
		"entities.order_id": "1042", "message": "Where is my order 1042? It was due on Monday.",
	}
	return call
}

// benchReply is a typical ~200 B message response.
var benchReply = []byte(`{"message":"Your latest order #1042 is shipped and should arrive on Thursday. Track it with UPS 1Z999AA10123456784, or reply 'help' to talk to someone from our team."}`)

// startBenchServer starts a loopback TLS endpoint (HTTP/1.1, as the dispatcher
// speaks) that reads each request and answers benchReply as JSON. The caller
// closes it.
func startBenchServer() *httptest.Server {
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(benchReply)
	}))
	server.Config.ErrorLog = log.New(io.Discard, "", 0) // clients closing at the end are not news
	server.StartTLS()
	return server
}

// runCalls makes n calls of fn from c goroutines and returns the wall time.
// With c = 1 the calls run on the caller's goroutine.
func runCalls(c, n int, fn func()) time.Duration {
	start := time.Now()
	if c == 1 {
		for range n {
			fn()
		}
		return time.Since(start)
	}
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				fn()
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// alternate makes n calls of each fn at concurrency c, switching between
// them every 100·c calls so that all see the same state of the machine,
// and returns each fn's total wall time, in order.
func alternate(c, n int, fns ...func()) []time.Duration {
	times := make([]time.Duration, len(fns))
	chunk := 100 * c // long enough that start-up and tail don't dominate
	for done := 0; done < n; done += chunk {
		k := min(chunk, n-done)
		for i, fn := range fns {
			times[i] += runCalls(c, k, fn)
		}
	}
	return times
}
