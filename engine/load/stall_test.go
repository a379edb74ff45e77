package load

import (
	"context"
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

	"github.com/actionbench/actionbench/engine"
)

// stallServer is a loopback TLS endpoint that answers one request at a
// time, as a single-worker endpoint does, and sleeps for stall on every
// 100th request: the calls that arrive meanwhile wait behind it.
func stallServer(t *testing.T, stall time.Duration) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	var n atomic.Int64
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		defer mu.Unlock()
		if n.Add(1)%100 == 0 {
			time.Sleep(stall)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message":"ok"}`)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// fireJob fires one action at url per arrival, each from its own conversation.
func fireJob(t *testing.T, s *httptest.Server, prefix string) (Job, func()) {
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	d := engine.New(engine.Options{RootCAs: pool})
	action := engine.Action{ID: "lookup", URL: s.URL + "/action", Secret: "whsec_load_test_1234"}
	return func(ctx context.Context, c Call) Result {
		a := d.Fire(ctx, engine.ActionCall{
			Action:         action,
			ConversationID: fmt.Sprintf("%s_%d", prefix, c.Seq),
			VisitorID:      "v_load",
			Trigger:        engine.TriggerManual,
		})
		return Result{Attempts: []*engine.Attempt{a}}
	}, d.Close
}

// TestStallShowsInPercentiles is the coordinated-omission case: every
// 100th call stalls the endpoint for 2 s. Arrivals keep coming on schedule
// and wait behind the stall, so the open model's percentiles carry the
// wait; a closed loop of one call, which sends nothing while it waits,
// sees the stall once and reports a tail that hides it.
func TestStallShowsInPercentiles(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 7 s")
	}
	const stall = 2 * time.Second
	job, closeJob := fireJob(t, stallServer(t, stall), "open")
	defer closeJob()

	open, err := Run(context.Background(), job, Options{Rate: 50, Duration: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if open.Overall.Succeeded != open.Overall.Calls || open.Overall.Calls != 150 {
		t.Fatalf("open model: %d of %d calls succeeded, want 150 of 150 (%v)", open.Overall.Succeeded, open.Overall.Calls, open.Overall.Diagnoses)
	}
	// The 100th call is due at 1.98 s and holds the endpoint until about
	// 4 s: the 50 calls due meanwhile wait up to 2 s each.
	l := open.Overall.Latency
	if l.P99 < 1500 || l.Max < 1900 {
		t.Errorf("open model: p99 %s, max %s; the 2 s stall does not show", FormatMillis(l.P99), FormatMillis(l.Max))
	}
	if l.P90 < 300 {
		t.Errorf("open model: p90 %s; the calls queued behind the stall are not charged", FormatMillis(l.P90))
	}

	job, closeJob = fireJob(t, stallServer(t, stall), "closed")
	defer closeJob()
	closed, err := Run(context.Background(), job, Options{Concurrency: 1, Duration: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := closed.Overall.Latency
	if closed.Overall.Succeeded != closed.Overall.Calls {
		t.Fatalf("closed loop: %d of %d calls succeeded (%v)", closed.Overall.Succeeded, closed.Overall.Calls, closed.Overall.Diagnoses)
	}
	if closed.Overall.Calls < 100 {
		t.Skipf("closed loop made only %d calls: too slow a machine to contrast", closed.Overall.Calls)
	}
	if c.P90 >= 300 || c.Max < 1900 {
		t.Errorf("closed loop of one: p90 %s, max %s; want the stall in max only", FormatMillis(c.P90), FormatMillis(c.Max))
	}
	t.Logf("open 50/s: p50 %s p90 %s p99 %s max %s; closed c=1: p50 %s p90 %s p99 %s max %s",
		FormatMillis(l.P50), FormatMillis(l.P90), FormatMillis(l.P99), FormatMillis(l.Max),
		FormatMillis(c.P50), FormatMillis(c.P90), FormatMillis(c.P99), FormatMillis(c.Max))
}
