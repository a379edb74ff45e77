package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/netpolicy"
	"github.com/actionbench/actionbench/engine/ratelimit"
	"github.com/actionbench/actionbench/engine/sign"
	"github.com/actionbench/actionbench/engine/template"
)

// TestRequestMatchesReference checks the body byte for byte against the
// reference's request schema example.
func TestRequestMatchesReference(t *testing.T) {
	var header http.Header
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Clone()
		jsonReply(200, messageBody)(w, r)
	})
	d := newTestDispatcher(t, e, Options{})
	a := d.Fire(context.Background(), testCall(t, e.URL))
	if a.Outcome != OutcomeMessage {
		t.Fatalf("outcome %s: %s", a.Outcome, a.Diagnosis)
	}
	const want = `{"action_id":"action_abc123","conversation_id":"conv_xyz789","chatbot_id":"bot_def456","trigger":"ai_intent","payload":{"customer_email":"jane@example.com"},"metadata":{"visitor_id":"visitor_111","timestamp":"2025-05-15T10:30:00Z","chatbot_name":"Support Bot"}}`
	if got := *e.lastBody.Load(); string(got) != want {
		t.Errorf("body sent:\n%s\nwant:\n%s", got, want)
	}
	if string(a.Request.Body) != want {
		t.Errorf("attempt records body %s, want the bytes sent", a.Request.Body)
	}
	wantSig := sign.Sign(testSecret, []byte(want))
	if header.Get(sign.Header) != wantSig || a.Request.Header[sign.Header][0] != wantSig {
		t.Errorf("signature sent %q, recorded %q, want %q", header.Get(sign.Header), a.Request.Header[sign.Header], wantSig)
	}
	if header.Get(DeliveryHeader) != "dlv_1" || a.DeliveryID != "dlv_1" {
		t.Errorf("delivery id sent %q, recorded %q, want dlv_1", header.Get(DeliveryHeader), a.DeliveryID)
	}
	for _, h := range []http.Header{header, a.Request.Header} {
		for _, v := range h {
			if strings.Contains(strings.Join(v, ""), testSecret) {
				t.Errorf("a header carries the secret: %v", h)
			}
		}
	}
}

// TestTemplateValuesCannotBreakTheBody sends hostile variable values and
// checks the endpoint receives exactly the template's keys with the values
// intact.
func TestTemplateValuesCannotBreakTheBody(t *testing.T) {
	hostile := []string{
		`", "admin": true, "x": "`,
		`{{visitor.id}}`,
		"line one\nline two\r\n\ttab",
		`}}}}]]]`,
		"nul\x00byte and \u2028 separator",
		"back\\slash \"quotes\"",
		strings.Repeat("huge ", 5000),
	}
	for _, value := range hostile {
		var received struct {
			Payload map[string]any `json:"payload"`
		}
		e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
			if err := json.NewDecoder(r.Body).Decode(&received); err != nil {
				t.Errorf("endpoint could not decode the body: %v", err)
			}
			jsonReply(200, messageBody)(w, r)
		})
		d := newTestDispatcher(t, e, Options{})
		call := testCall(t, e.URL)
		call.Action.Payload = mustTemplate(t, "email: \"{{visitor.email}}\"\nnote: \"Visitor {{visitor.name}} wrote: {{message}}\"\n")
		call.Vars = template.Vars{"visitor.email": value, "visitor.name": value, "message": value}
		a := d.Fire(context.Background(), call)
		if a.Outcome != OutcomeMessage {
			t.Fatalf("value %.40q: outcome %s: %s", value, a.Outcome, a.Diagnosis)
		}
		if len(received.Payload) != 2 {
			t.Errorf("value %.40q: payload keys %v, want exactly email and note", value, received.Payload)
		}
		if received.Payload["email"] != value {
			t.Errorf("value %.40q: email arrived as %.40q", value, received.Payload["email"])
		}
		if want := "Visitor " + value + " wrote: " + value; received.Payload["note"] != want {
			t.Errorf("value %.40q: note arrived altered", value)
		}
	}
}

func TestUnresolvedVariableIsAWarning(t *testing.T) {
	e := newEndpoint(t, jsonReply(200, messageBody))
	d := newTestDispatcher(t, e, Options{})
	call := testCall(t, e.URL)
	call.Vars = nil
	a := d.Fire(context.Background(), call)
	if a.Outcome != OutcomeMessage {
		t.Fatalf("outcome %s", a.Outcome)
	}
	contains(t, "warnings", strings.Join(a.Warnings, "\n"), "{{visitor.email}}", "null")
	contains(t, "body", string(a.Request.Body), `"customer_email":null`)
}

func TestRequestOverLimitIsNeverSent(t *testing.T) {
	e := newEndpoint(t, jsonReply(200, messageBody))
	d := newTestDispatcher(t, e, Options{})
	call := testCall(t, e.URL)
	call.Vars = template.Vars{"visitor.email": strings.Repeat("a", MaxBodyBytes)}
	a := d.Fire(context.Background(), call)
	if a.Outcome != OutcomeTooLarge || a.Sent || e.hits.Load() != 0 {
		t.Fatalf("outcome %s, sent %v, hits %d: want too_large and nothing sent", a.Outcome, a.Sent, e.hits.Load())
	}
	contains(t, "diagnosis", a.Diagnosis, "request body", "102,400", "never sends it")
	if s := d.Limiter().Status(call.ConversationID, testStart); s.Remaining != RateLimit {
		t.Errorf("rate limit remaining %d, want %d: a call never sent does not count", s.Remaining, RateLimit)
	}
}

func TestSelfSignedNeedsCAFile(t *testing.T) {
	e := newEndpoint(t, jsonReply(200, messageBody))
	d := New(Options{Clock: func() time.Time { return testStart }})
	t.Cleanup(d.Close)
	a := d.Fire(context.Background(), testCall(t, e.URL))
	if a.Outcome != OutcomeTransportError {
		t.Fatalf("outcome %s, want transport_error", a.Outcome)
	}
	contains(t, "diagnosis", a.Diagnosis, "unknown authority", "--ca-file")
	if e.hits.Load() != 0 {
		t.Error("the endpoint received a request over an untrusted connection")
	}

	trusting := newTestDispatcher(t, e, Options{RootCAs: e.pool()})
	if a := trusting.Fire(context.Background(), testCall(t, e.URL)); a.Outcome != OutcomeMessage {
		t.Errorf("with the CA trusted: outcome %s: %s", a.Outcome, a.Diagnosis)
	}
}

func TestPlainHTTPOnTLSPort(t *testing.T) {
	plain := httptest.NewServer(jsonReply(200, messageBody))
	t.Cleanup(plain.Close)
	d := newTestDispatcher(t, nil, Options{})
	a := d.Fire(context.Background(), testCall(t, strings.Replace(plain.URL, "http://", "https://", 1)))
	if a.Outcome != OutcomeTransportError {
		t.Fatalf("outcome %s", a.Outcome)
	}
	contains(t, "diagnosis", a.Diagnosis, "did not answer with TLS")
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	d := newTestDispatcher(t, nil, Options{})
	a := d.Fire(context.Background(), testCall(t, "https://"+addr+"/hook"))
	if a.Outcome != OutcomeTransportError {
		t.Fatalf("outcome %s", a.Outcome)
	}
	contains(t, "diagnosis", a.Diagnosis, "connection refused by "+addr)
}

func TestPlainHTTP(t *testing.T) {
	plain := httptest.NewServer(jsonReply(200, messageBody))
	t.Cleanup(plain.Close)

	d := newTestDispatcher(t, nil, Options{})
	a := d.Fire(context.Background(), testCall(t, plain.URL))
	if a.Outcome != OutcomeRejected || a.Sent {
		t.Fatalf("without --allow-http: outcome %s, sent %v, want rejected", a.Outcome, a.Sent)
	}
	contains(t, "diagnosis", a.Diagnosis, "--allow-http")

	allowed := newTestDispatcher(t, nil, Options{AllowHTTP: true})
	a = allowed.Fire(context.Background(), testCall(t, plain.URL))
	if a.Outcome != OutcomeMessage {
		t.Fatalf("with --allow-http: outcome %s: %s", a.Outcome, a.Diagnosis)
	}
	contains(t, "production marks", strings.Join(a.ProductionWouldReject, "; "), "plaintext HTTP", "loopback")

	prod := newTestDispatcher(t, nil, Options{AllowHTTP: true, Policy: netpolicy.Production})
	if a := prod.Fire(context.Background(), testCall(t, plain.URL)); a.Outcome != OutcomeRejected {
		t.Errorf("production with --allow-http: outcome %s, want rejected", a.Outcome)
	}
}

func TestProductionRefusesLoopbackWithoutSending(t *testing.T) {
	e := newEndpoint(t, jsonReply(200, messageBody))
	d := newTestDispatcher(t, e, Options{Policy: netpolicy.Production})
	a := d.Fire(context.Background(), testCall(t, e.URL))
	if a.Outcome != OutcomeRejected || a.Sent || e.hits.Load() != 0 {
		t.Fatalf("outcome %s, sent %v, hits %d: want rejected, nothing sent", a.Outcome, a.Sent, e.hits.Load())
	}
	contains(t, "diagnosis", a.Diagnosis, "loopback", "127.0.0.1")
	if a.BotReply == "" {
		t.Error("no bot reply")
	}
	if s := d.Limiter().Status(a.ConversationID, testStart); s.Remaining != RateLimit {
		t.Errorf("remaining %d: a refused call must not count against the rate limit", s.Remaining)
	}
}

// mapResolver answers from a fixed table; it never touches the network.
type mapResolver map[string][]netip.Addr

func (m mapResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if addrs, ok := m[host]; ok {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// TestProductionRefusesPrivateNameAtDialTime resolves a name to 10.0.0.1 via
// an injected resolver: production refuses it at dial time and nothing is
// dialled (there is no server at 10.0.0.1, and no traffic goes there).
func TestProductionRefusesPrivateNameAtDialTime(t *testing.T) {
	d := newTestDispatcher(t, nil, Options{
		Policy:   netpolicy.Production,
		Resolver: mapResolver{"orders.internal.example": {netip.MustParseAddr("10.0.0.1")}},
	})
	a := d.Fire(context.Background(), testCall(t, "https://orders.internal.example/hook"))
	if a.Outcome != OutcomeRejected || a.Sent {
		t.Fatalf("outcome %s, sent %v: %s", a.Outcome, a.Sent, a.Diagnosis)
	}
	contains(t, "diagnosis", a.Diagnosis, "10.0.0.1")
}

func TestWorkbenchMarksLoopback(t *testing.T) {
	e := newEndpoint(t, jsonReply(200, messageBody))
	d := newTestDispatcher(t, e, Options{})
	for i := 0; i < 2; i++ { // the second call reuses the kept-alive connection
		a := d.Fire(context.Background(), testCall(t, e.URL))
		contains(t, "production marks", strings.Join(a.ProductionWouldReject, "; "), "loopback")
	}
}

func TestDNSFailure(t *testing.T) {
	d := newTestDispatcher(t, nil, Options{Resolver: mapResolver{}})
	a := d.Fire(context.Background(), testCall(t, "https://no-such-host.invalid/hook"))
	if a.Outcome != OutcomeTransportError {
		t.Fatalf("outcome %s: %s", a.Outcome, a.Diagnosis)
	}
	contains(t, "diagnosis", a.Diagnosis, "no-such-host.invalid")
}

func TestCredentialsInURLAreRefused(t *testing.T) {
	e := newEndpoint(t, jsonReply(200, messageBody))
	d := newTestDispatcher(t, e, Options{})
	a := d.Fire(context.Background(), testCall(t, strings.Replace(e.URL, "https://", "https://user:pass@", 1)))
	if a.Outcome != OutcomeRejected || e.hits.Load() != 0 {
		t.Fatalf("outcome %s, hits %d: want rejected", a.Outcome, e.hits.Load())
	}
	if strings.Contains(a.Diagnosis, "pass") && !strings.Contains(a.Diagnosis, "credentials") {
		t.Errorf("diagnosis %q", a.Diagnosis)
	}
}

// TestProxyEnvironmentIsIgnored points HTTPS_PROXY at a loopback listener
// and checks that it never sees a connection.
func TestProxyEnvironmentIsIgnored(t *testing.T) {
	proxy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	var proxied atomic.Int64
	go func() {
		for {
			c, err := proxy.Accept()
			if err != nil {
				return
			}
			proxied.Add(1)
			c.Close()
		}
	}()
	for _, v := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "ALL_PROXY"} {
		t.Setenv(v, "http://"+proxy.Addr().String())
	}
	t.Setenv("NO_PROXY", "")
	e := newEndpoint(t, jsonReply(200, messageBody))
	d := newTestDispatcher(t, e, Options{})
	if a := d.Fire(context.Background(), testCall(t, e.URL)); a.Outcome != OutcomeMessage {
		t.Errorf("outcome %s: %s", a.Outcome, a.Diagnosis)
	}
	if proxied.Load() != 0 || e.hits.Load() != 1 {
		t.Errorf("proxy saw %d connections, endpoint %d requests: want 0 and 1", proxied.Load(), e.hits.Load())
	}
}

func TestRateLimit(t *testing.T) {
	e := newEndpoint(t, jsonReply(200, messageBody))
	clock := newFakeClock(testStart)
	d := newTestDispatcher(t, e, Options{Clock: clock.Now})
	call := testCall(t, e.URL)
	for i := 1; i <= 3; i++ {
		a := d.Fire(context.Background(), call)
		if a.Outcome != OutcomeMessage || a.Limit.Remaining != 3-i {
			t.Fatalf("call %d: outcome %s, remaining %d", i, a.Outcome, a.Limit.Remaining)
		}
		clock.Advance(time.Minute)
	}
	a := d.Fire(context.Background(), call)
	if a.Outcome != OutcomeRateLimited || a.Sent {
		t.Fatalf("4th call: outcome %s, sent %v, want rate_limited and not sent", a.Outcome, a.Sent)
	}
	if want := testStart.Add(RateWindow); !a.Limit.FreesAt.Equal(want) {
		t.Errorf("frees at %v, want %v", a.Limit.FreesAt, want)
	}
	contains(t, "bot reply", a.BotReply, "temporarily unavailable")
	contains(t, "diagnosis", a.Diagnosis, "10:40:00", "7m0s")
	if e.hits.Load() != 3 {
		t.Errorf("endpoint hit %d times, want 3", e.hits.Load())
	}
	other := call
	other.ConversationID = "conv_other"
	if a := d.Fire(context.Background(), other); a.Outcome != OutcomeMessage {
		t.Errorf("another conversation: outcome %s, want message", a.Outcome)
	}
	clock.Advance(7 * time.Minute) // exactly the first call's edge
	if a := d.Fire(context.Background(), call); a.Outcome != OutcomeMessage {
		t.Errorf("at the window's edge: outcome %s, want message", a.Outcome)
	}
}

// TestRateLimitConcurrent fires 20 calls at once in one conversation:
// exactly 3 reach the endpoint.
func TestRateLimitConcurrent(t *testing.T) {
	e := newEndpoint(t, jsonReply(200, messageBody))
	d := newTestDispatcher(t, e, Options{Limiter: ratelimit.New(RateLimit, RateWindow)})
	start := make(chan struct{})
	var wg sync.WaitGroup
	var sent, limited atomic.Int64
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			switch a := d.Fire(context.Background(), testCall(t, e.URL)); a.Outcome {
			case OutcomeMessage:
				sent.Add(1)
			case OutcomeRateLimited:
				limited.Add(1)
			default:
				t.Errorf("outcome %s: %s", a.Outcome, a.Diagnosis)
			}
		}()
	}
	close(start)
	wg.Wait()
	if sent.Load() != 3 || limited.Load() != 17 || e.hits.Load() != 3 {
		t.Errorf("sent %d, limited %d, endpoint hits %d: want 3, 17, 3", sent.Load(), limited.Load(), e.hits.Load())
	}
}

// TestWithClock gives two conversations their own clocks: advancing one
// frees its rate-limit window without touching the other's, and both
// share the parent's connections.
func TestWithClock(t *testing.T) {
	e := newEndpoint(t, jsonReply(200, messageBody))
	parent := newTestDispatcher(t, e, Options{})
	a, b := newFakeClock(testStart), newFakeClock(testStart)
	da, db := parent.WithClock(a.Now), parent.WithClock(b.Now)
	call := testCall(t, e.URL)
	for i := 0; i < 3; i++ {
		da.Fire(context.Background(), call)
		db.Fire(context.Background(), call)
	}
	a.Advance(RateWindow)
	if got := da.Fire(context.Background(), call); got.Outcome != OutcomeMessage || !got.At.Equal(testStart.Add(RateWindow)) {
		t.Errorf("after advancing its clock: outcome %s at %v, want message at %v", got.Outcome, got.At, testStart.Add(RateWindow))
	}
	if got := db.Fire(context.Background(), call); got.Outcome != OutcomeRateLimited {
		t.Errorf("the other conversation's clock did not move: outcome %s, want rate_limited", got.Outcome)
	}
	if got := parent.Fire(context.Background(), call); got.Outcome != OutcomeMessage {
		t.Errorf("the parent keeps its own limiter: outcome %s", got.Outcome)
	}
}

// TestSendRefusesBrokenRequests checks that a request that cannot be sent
// as written (net/http refuses it before writing, and the engine then says
// which part) reaches no server, names the header but never its value, and
// records no latency.
func TestSendRefusesBrokenRequests(t *testing.T) {
	cases := []struct {
		name      string
		method    string
		header    http.Header
		diagnosis string
	}{
		{"method with a space", "PO ST", http.Header{}, `invalid method "PO ST"`},
		{"header name with a colon", http.MethodPost, http.Header{"X-Bad:Name": {"v"}}, `invalid header name "X-Bad:Name"`},
		{"value with a line break", http.MethodPost, http.Header{"X-Token": {"secret_value\r\nX-Injected: 1"}}, "the value of header X-Token holds a line break"},
		{"value with a NUL", http.MethodPost, http.Header{"X-Token": {"secret\x00value"}}, "the value of header X-Token holds a line break or another control character"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
				t.Error("a request that cannot be sent as written reached the server")
			})
			d := newTestDispatcher(t, e, Options{})
			a := d.Send(context.Background(), Request{Method: tc.method, URL: e.URL, Header: tc.header, Body: []byte(`{}`)})
			if a.Outcome != OutcomeTransportError || a.Sent || a.Latency != 0 {
				t.Fatalf("outcome %s, sent %v, latency %s (%q); want transport_error, nothing sent, no latency", a.Outcome, a.Sent, a.Latency, a.Diagnosis)
			}
			contains(t, "diagnosis", a.Diagnosis, tc.diagnosis, "nothing was sent")
			if strings.Contains(a.Diagnosis, "secret") {
				t.Errorf("the diagnosis shows the value: %q", a.Diagnosis)
			}
		})
	}
}

// TestOneCallConversationsAreNotKept: a load run's one-call conversations
// are sent and counted as a first call (2 left of 3), and the limiter
// keeps none of them, where it keeps every ordinary conversation for the
// 10-minute window.
func TestOneCallConversationsAreNotKept(t *testing.T) {
	e := newEndpoint(t, jsonReply(200, messageBody))
	d := newTestDispatcher(t, e, Options{})
	for _, tt := range []struct {
		oneCall bool
		kept    int
	}{{true, 0}, {false, 100}} {
		d := d.WithClock(d.Now) // a fresh limiter, the same connections
		for i := range 100 {
			call := testCall(t, e.URL)
			call.ConversationID, call.OneCall = fmt.Sprintf("load_%d", i), tt.oneCall
			a := d.Fire(context.Background(), call)
			if a.Outcome != OutcomeMessage || a.Limit.Remaining != RateLimit-1 {
				t.Fatalf("one-call %v, call %d: outcome %s, %d left", tt.oneCall, i, a.Outcome, a.Limit.Remaining)
			}
		}
		if n := d.Limiter().Len(); n != tt.kept {
			t.Errorf("one-call %v: the limiter keeps %d conversations, want %d", tt.oneCall, n, tt.kept)
		}
	}
}
