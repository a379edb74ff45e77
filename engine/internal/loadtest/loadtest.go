// Package loadtest holds what the dispatch benchmarks share: the reply
// their endpoints send and the loop that drives calls at a concurrency.
package loadtest

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"
)

// Reply is a typical ~200 B message response.
var Reply = []byte(`{"message":"Your latest order #1042 is shipped and should arrive on Thursday. Track it with UPS 1Z999AA10123456784, or reply 'help' to talk to someone from our team."}`)

// StartServer starts a loopback TLS endpoint (HTTP/1.1, as the dispatcher
// speaks) that reads each request and answers Reply as JSON. The caller
// closes it.
func StartServer() *httptest.Server {
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(Reply)
	}))
	server.Config.ErrorLog = log.New(io.Discard, "", 0) // clients closing at the end are not news
	server.StartTLS()
	return server
}

// Run makes n calls of fn from c goroutines and returns the wall time.
// With c = 1 the calls run on the caller's goroutine.
func Run(c, n int, fn func()) time.Duration {
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

// Alternate makes n calls of each fn at concurrency c, switching between
// them every 100·c calls so that all see the same state of the machine,
// and returns each fn's total wall time, in order.
func Alternate(c, n int, fns ...func()) []time.Duration {
	times := make([]time.Duration, len(fns))
	chunk := 100 * c // long enough that start-up and tail don't dominate
	for done := 0; done < n; done += chunk {
		k := min(chunk, n-done)
		for i, fn := range fns {
			times[i] += Run(c, k, fn)
		}
	}
	return times
}
