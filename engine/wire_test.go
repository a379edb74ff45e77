package engine

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rawReply takes over the connection once the request has been read and
// writes raw onto it, a piece at a time with a pause before each piece
// after the first, then waits for the client to give up. It stops when
// the test ends.
func rawReply(t *testing.T, pause time.Duration, pieces ...string) http.HandlerFunc {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		for i, p := range pieces {
			if i > 0 {
				select {
				case <-time.After(pause):
				case <-stop:
					return
				}
			}
			if _, err := io.WriteString(conn, p); err != nil {
				return
			}
		}
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		io.Copy(io.Discard, conn) // until the client closes
	}
}

// bytewise splits s into one-byte pieces.
func bytewise(s string) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i : i+1]
	}
	return out
}

// TestDeadlineInsideTheAnswerIsATimeout trickles the status line or the
// headers so that the deadline falls inside them: that is the endpoint
// being slow, not a malformed answer.
func TestDeadlineInsideTheAnswerIsATimeout(t *testing.T) {
	const timeout = 500 * time.Millisecond
	cases := []struct {
		name   string
		pause  time.Duration
		pieces []string
	}{
		{"inside the status line", 100 * time.Millisecond, bytewise("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")},
		{"inside the headers", 100 * time.Millisecond, append([]string{"HTTP/1.1 200 OK\r\n"}, bytewise("Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")...)},
		{"between the headers and the body", 2 * time.Second, []string{"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(messageBody)) + "\r\n\r\n", messageBody}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEndpoint(t, rawReply(t, tc.pause, tc.pieces...))
			d := newTestDispatcher(t, e, Options{Timeout: timeout})
			a := d.Fire(context.Background(), testCall(t, e.URL))
			if a.Outcome != OutcomeTimeout {
				t.Fatalf("outcome %s (%s), want timeout", a.Outcome, a.Diagnosis)
			}
			if !a.Sent {
				t.Error("Sent = false for a request the endpoint received")
			}
			if a.Latency < timeout || a.Latency > timeout+time.Second {
				t.Errorf("latency %v, want the %v deadline", a.Latency, timeout)
			}
			if a.Response == nil {
				contains(t, "diagnosis", a.Diagnosis, "no response within 0.5 s")
			} else {
				contains(t, "diagnosis", a.Diagnosis, "did not finish within 0.5 s")
			}
		})
	}
}

// h2Frames is what a server that assumes HTTP/2 sends first: an empty
// SETTINGS frame, then GOAWAY when the client's preface is not HTTP/2's.
const h2Frames = "\x00\x00\x00\x04\x00\x00\x00\x00\x00" + "\x00\x00\x08\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"

// alertServer is a TLS endpoint that offers only ALPN "h2" and, as strict
// TLS stacks do (rustls, OpenSSL with an ALPN callback), refuses a client
// that asks for nothing else with a no_application_protocol alert. Go's
// own TLS server lets such a client in without ALPN instead.
func alertServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { l.Close(); <-done })
	go func() {
		defer close(done)
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 4096)
			conn.Read(buf) // the ClientHello
			// A fatal alert (level 2), no_application_protocol (120).
			conn.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 120})
			conn.Close()
		}
	}()
	return "https://" + l.Addr().String() + "/hook"
}

// TestHTTP2OnlyEndpoint: an endpoint that speaks only HTTP/2 is told apart
// at once, with what to change, whether it refuses HTTP/1.1 in the TLS
// handshake or answers the HTTP/1.1 request with HTTP/2 frames.
func TestHTTP2OnlyEndpoint(t *testing.T) {
	cases := []struct {
		name  string
		start func(t *testing.T) (url string, d *Dispatcher)
	}{
		{"refused in the handshake (ALPN h2 only)", func(t *testing.T) (string, *Dispatcher) {
			return alertServer(t), newTestDispatcher(t, nil, Options{})
		}},
		{"lets HTTP/1.1 in, then hangs up (Go's HTTP/2-only server)", func(t *testing.T) (string, *Dispatcher) {
			s := httptest.NewUnstartedServer(jsonReply(200, messageBody))
			s.Config.Protocols = new(http.Protocols)
			s.Config.Protocols.SetHTTP2(true)
			s.EnableHTTP2 = true
			s.StartTLS()
			t.Cleanup(s.Close)
			return s.URL, newTestDispatcher(t, &endpoint{Server: s}, Options{})
		}},
		{"HTTP/2 frames in answer", func(t *testing.T) (string, *Dispatcher) {
			s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					io.WriteString(conn, h2Frames)
					conn.Close()
				}
			}))
			s.TLS = &tls.Config{NextProtos: []string{}} // no ALPN at all
			s.StartTLS()
			t.Cleanup(s.Close)
			return s.URL, newTestDispatcher(t, &endpoint{Server: s}, Options{})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, d := tc.start(t)
			start := time.Now()
			a := d.Fire(context.Background(), testCall(t, url))
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("took %v, want under 1 s", elapsed)
			}
			if a.Outcome != OutcomeTransportError {
				t.Fatalf("outcome %s (%s), want transport_error", a.Outcome, a.Diagnosis)
			}
			contains(t, "diagnosis", a.Diagnosis, "only HTTP/2", "HTTP/1.1", "enable HTTP/1.1 on the server")
		})
	}
}

// closingServer answers every request with keep-alive headers (HTTP/1.1,
// a Content-Length, no "Connection: close") and closes the connection at
// once, as a server with a very short keep-alive timeout does.
func newClosingServer(t *testing.T) *endpoint {
	return newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(messageBody)))
		io.WriteString(w, messageBody)
		w.(http.Flusher).Flush()
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	})
}

// TestKeepAliveClosedByTheEndpoint: the next call after the endpoint
// closed a kept-alive connection succeeds, is one attempt, reaches the
// endpoint once and takes one call of the rate limit.
func TestKeepAliveClosedByTheEndpoint(t *testing.T) {
	e := newClosingServer(t)
	d := newTestDispatcher(t, e, Options{})
	const calls = 200
	for i := range calls {
		call := testCall(t, e.URL)
		call.ConversationID = fmt.Sprintf("conv_%d", i/3)
		a := d.Fire(context.Background(), call)
		if a.Outcome != OutcomeMessage {
			t.Fatalf("call %d: outcome %s (%s), want message", i+1, a.Outcome, a.Diagnosis)
		}
		if want := 2 - i%3; a.Limit.Remaining != want {
			t.Fatalf("call %d: %d calls left in its conversation, want %d: each call counts once", i+1, a.Limit.Remaining, want)
		}
	}
	if got := e.hits.Load(); got != calls {
		t.Errorf("endpoint received %d requests, want %d: a request is sent again only when it never arrived", got, calls)
	}
}

// TestKeepAliveClosedWhileIdle is the common case: the endpoint's
// keep-alive timeout closed the connection while it sat idle.
func TestKeepAliveClosedWhileIdle(t *testing.T) {
	e := newClosingServer(t)
	d := newTestDispatcher(t, e, Options{})
	for i := range 3 {
		if a := d.Fire(context.Background(), testCall(t, e.URL)); a.Outcome != OutcomeMessage {
			t.Fatalf("call %d: outcome %s (%s)", i+1, a.Outcome, a.Diagnosis)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSend sends requests the platform never would — a wrong signature, a
// body over the limit, another method — unsigned and outside the rate
// limit, through the same transport, policy and limits.
func TestSend(t *testing.T) {
	var got atomic.Pointer[http.Request]
	var gotLen atomic.Int64
	e := newServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		got.Store(r)
		body, _ := io.ReadAll(r.Body)
		gotLen.Store(int64(len(body)))
		switch r.URL.Path {
		case "/big":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, paddedMessage(MaxBodyBytes+10))
		case "/slow":
			sleepOrDone(r.Context(), 2*time.Second)
		default:
			jsonReply(401, `{"error":"bad signature"}`)(w, r)
		}
	})
	d := newTestDispatcher(t, e, Options{Timeout: 500 * time.Millisecond})
	big := []byte(`{"x":"` + strings.Repeat("y", MaxBodyBytes) + `"}`)
	cases := []struct {
		name    string
		req     Request
		status  int
		outcome Outcome
	}{
		{"wrong signature, over-limit body", Request{Method: http.MethodPost, URL: e.URL + "/hook", Header: http.Header{
			"Content-Type": {"application/json"}, "X-DGbot-Signature": {"sha256=00"},
		}, Body: big}, 401, ""},
		{"answer over the limit", Request{Method: http.MethodPost, URL: e.URL + "/big", Header: http.Header{"Content-Type": {"application/json"}}}, 200, OutcomeTooLarge},
		{"silent endpoint", Request{Method: http.MethodPost, URL: e.URL + "/slow", Header: http.Header{"Content-Type": {"application/json"}}}, 0, OutcomeTimeout},
		{"refused by the policy", Request{Method: http.MethodPost, URL: "https://user:pw@" + strings.TrimPrefix(e.URL, "https://")}, 0, OutcomeRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := d.Send(context.Background(), tc.req)
			if a.Outcome != tc.outcome {
				t.Fatalf("outcome %q (%s), want %q", a.Outcome, a.Diagnosis, tc.outcome)
			}
			status := 0
			if a.Response != nil {
				status = a.Response.Status
			}
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			if tc.outcome == OutcomeRejected {
				if a.Sent {
					t.Error("a refused request was sent")
				}
				return
			}
			if !a.Sent || !a.RemoteAddr.IsValid() || a.Latency <= 0 {
				t.Errorf("sent %v, remote %v, latency %v: want all recorded", a.Sent, a.RemoteAddr, a.Latency)
			}
			if tc.name == "wrong signature, over-limit body" {
				r := got.Load()
				if gotLen.Load() != int64(len(big)) || r.Header.Get("X-DGbot-Signature") != "sha256=00" || r.Header.Get(DeliveryHeader) != "" {
					t.Errorf("endpoint got %d bytes, signature %q, delivery %q: want the request exactly as given",
						gotLen.Load(), r.Header.Get("X-DGbot-Signature"), r.Header.Get(DeliveryHeader))
				}
				if string(a.Response.Body) != `{"error":"bad signature"}` || a.BotReply != "" {
					t.Errorf("body %q, bot reply %q: want the raw answer, unclassified", a.Response.Body, a.BotReply)
				}
			}
		})
	}
}

// TestHandshakeOffersHTTP11Only: the TLS handshake asks for HTTP/1.1 and
// nothing else, and the exchange is HTTP/1.1, as the platform's client is.
func TestHandshakeOffersHTTP11Only(t *testing.T) {
	offered := make(chan []string, 1)
	s := httptest.NewUnstartedServer(jsonReply(200, messageBody))
	s.EnableHTTP2 = true // the server would speak HTTP/2 if asked
	s.TLS = &tls.Config{GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		select {
		case offered <- hello.SupportedProtos:
		default:
		}
		return nil, nil
	}}
	s.StartTLS()
	t.Cleanup(s.Close)
	d := newTestDispatcher(t, &endpoint{Server: s}, Options{})
	a := d.Fire(context.Background(), testCall(t, s.URL))
	if a.Outcome != OutcomeMessage || a.Response.Proto != "HTTP/1.1" {
		t.Fatalf("outcome %s (%s), proto %v: want message over HTTP/1.1", a.Outcome, a.Diagnosis, a.Response)
	}
	if got := <-offered; len(got) != 1 || got[0] != "http/1.1" {
		t.Errorf("ALPN offered %q, want exactly [http/1.1]", got)
	}
}
