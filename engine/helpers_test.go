package engine

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goccy/go-yaml/parser"

	"github.com/actionbench/actionbench/engine/sign"
	"github.com/actionbench/actionbench/engine/template"
)

const testSecret = "whsec_test_9f2c41"

// testClock is the virtual clock the tests start at: the reference's example time.
var testStart = time.Date(2025, 5, 15, 10, 30, 0, 0, time.UTC)

// fakeClock is a settable virtual clock.
type fakeClock struct{ now atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.now.Store(t.UnixNano())
	return c
}
func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.now.Load()).UTC() }
func (c *fakeClock) Advance(d time.Duration) { c.now.Add(int64(d)) }

// seqIDs returns delivery ids dlv_1, dlv_2, …
func seqIDs() func() string {
	var n atomic.Int64
	return func() string { return fmt.Sprintf("dlv_%d", n.Add(1)) }
}

// endpoint is an httptest TLS server whose handler first checks the request
// as a careful endpoint would: method, content type, delivery id, and the
// HMAC recomputed over the exact bytes received.
type endpoint struct {
	*httptest.Server
	hits     atomic.Int64
	lastBody atomic.Pointer[[]byte] // the exact bytes of the last request
}

func newEndpoint(t *testing.T, h http.HandlerFunc) *endpoint {
	t.Helper()
	return newServer(t, func(r *http.Request, body []byte) {
		if r.Header.Get(DeliveryHeader) == "" {
			t.Errorf("endpoint: no %s header", DeliveryHeader)
		}
		if !sign.Verify(testSecret, body, r.Header.Get(sign.Header)) {
			t.Errorf("endpoint: signature %q does not verify over the %d bytes received", r.Header.Get(sign.Header), len(body))
		}
	}, h)
}

// newServer is an httptest TLS server that checks every request is a JSON
// POST, runs check on it, records its body and hands it to h.
func newServer(t *testing.T, check func(r *http.Request, body []byte), h http.HandlerFunc) *endpoint {
	t.Helper()
	e := &endpoint{}
	e.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("endpoint: reading body: %v", err)
			return
		}
		if r.Method != http.MethodPost {
			t.Errorf("endpoint: method %s, want POST", r.Method)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("endpoint: Content-Type %q, want application/json", ct)
		}
		if check != nil {
			check(r, body)
		}
		e.lastBody.Store(&body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(e.Server.Close)
	return e
}

// pool trusts the endpoint's self-signed certificate, as --ca-file would.
func (e *endpoint) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(e.Certificate())
	return p
}

// newTestDispatcher trusts e and runs on a fake clock.
func newTestDispatcher(t *testing.T, e *endpoint, opts Options) *Dispatcher {
	t.Helper()
	if opts.RootCAs == nil && e != nil {
		opts.RootCAs = e.pool()
	}
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return testStart }
	}
	if opts.NewID == nil {
		opts.NewID = seqIDs()
	}
	d := New(opts)
	t.Cleanup(d.Close)
	return d
}

func mustTemplate(t testing.TB, src string) *template.Template {
	t.Helper()
	f, err := parser.ParseBytes([]byte(src), 0)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := template.FromYAML(f.Docs[0].Body)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func testCall(t testing.TB, url string) ActionCall {
	return ActionCall{
		Chatbot: Chatbot{ID: "bot_def456", Name: "Support Bot"},
		Action: Action{
			ID: "action_abc123", Name: "Order lookup", URL: url, Secret: testSecret,
			Payload: mustTemplate(t, "customer_email: \"{{visitor.email}}\"\n"),
		},
		ConversationID: "conv_xyz789",
		VisitorID:      "visitor_111",
		Trigger:        TriggerIntent,
		Vars:           template.Vars{"visitor.email": "jane@example.com"},
	}
}

func reply(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func jsonReply(status int, body string) http.HandlerFunc {
	return reply(status, "application/json", body)
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", what, got, want)
		}
	}
}
