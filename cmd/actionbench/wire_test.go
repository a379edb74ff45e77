package main

// The three ways an ordinary server used to be misread, met as a user
// meets them: `fire` and `run` against a real server on loopback.

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFireSlowStatusLineIsATimeout: a server that sends its status line a
// byte a second is slow, not malformed. The 8 s deadline falls inside it.
func TestFireSlowStatusLineIsATimeout(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	ep := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		for _, c := range []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}") {
			if _, err := conn.Write([]byte{c}); err != nil {
				return
			}
			select {
			case <-time.After(time.Second):
			case <-stop:
				return
			}
		}
	})
	ws := writeWorkspace(t, ep.server.URL)
	res := actionbench(t, runOptions{}, "fire", "ping", "--workspace", ws, "--ca-file", ep.caFile, "--json")
	j := decodeFire(t, res.stdout)
	if res.code != 1 || j.Outcome != "timeout" || !j.Sent {
		t.Fatalf("exit %d, outcome %q, sent %v (%s): want 1, timeout, sent", res.code, j.Outcome, j.Sent, j.Diagnosis)
	}
	if !strings.Contains(j.Diagnosis, "no response within 8 s") {
		t.Errorf("diagnosis %q, want it to say no response came within 8 s", j.Diagnosis)
	}
}

// http2OnlyServer refuses, in the TLS handshake, a client that does not
// offer HTTP/2, as strict TLS stacks do with ALPN "h2" alone: a fatal
// no_application_protocol alert.
func http2OnlyServer(t *testing.T) string {
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
			conn.Read(make([]byte, 4096)) // the ClientHello
			conn.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 120})
			conn.Close()
		}
	}()
	return "https://" + l.Addr().String()
}

// TestFireHTTP2OnlyEndpoint: the developer reads at once that the endpoint
// speaks only HTTP/2 and what to change.
func TestFireHTTP2OnlyEndpoint(t *testing.T) {
	t.Parallel()
	ws := writeWorkspace(t, http2OnlyServer(t))
	start := time.Now()
	res := actionbench(t, runOptions{}, "fire", "ping", "--workspace", ws)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("took %v: the handshake refusal is immediate", elapsed)
	}
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"transport_error", "only HTTP/2", "HTTP/1.1", "enable HTTP/1.1 on the server"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "malformed") {
		t.Errorf("output calls the answer malformed:\n%s", res.stdout)
	}
	res = actionbench(t, runOptions{}, "fire", "ping", "--workspace", ws, "--json")
	if j := decodeFire(t, res.stdout); j.Outcome != "transport_error" || j.LatencyMS >= 1000 || !strings.Contains(j.Diagnosis, "HTTP/2") {
		t.Errorf("--json: outcome %q after %.0f ms (%s): want transport_error naming HTTP/2 within 1 s", j.Outcome, j.LatencyMS, j.Diagnosis)
	}
}

// TestRunKeepAliveClosedByTheEndpoint runs three calls in one process
// against a server that answers each with keep-alive headers and then
// closes the connection at once: every call succeeds, and the endpoint
// sees each request once.
func TestRunKeepAliveClosedByTheEndpoint(t *testing.T) {
	t.Parallel()
	ep := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		body := `{"message":"` + orderMessage + `"}`
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body)
		w.(http.Flusher).Flush()
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	})
	dir := t.TempDir()
	writeFileIn(t, dir, "closing.workspace.yaml", "chatbot: {id: b, name: B}\nactions:\n  - id: hook\n    url: "+ep.server.URL+"/hook\n    secret: ${"+testSecretEnv+"}\n")
	var steps strings.Builder
	for range 3 {
		steps.WriteString("  - trigger: hook\n  - expect:\n      dispatch: {action: hook, outcome: message, status: 200}\n")
	}
	writeFileIn(t, dir, "closing.yaml", "name: keep-alive closed by the endpoint\nworkspace: closing.workspace.yaml\nsteps:\n"+steps.String())
	res := actionbench(t, runOptions{}, "run", dir, "--ca-file", ep.caFile)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if n := len(ep.requests()); n != 3 {
		t.Errorf("endpoint got %d requests, want 3: one per call", n)
	}

	// And one call through fire, the command a developer tries first.
	res = actionbench(t, runOptions{}, "fire", "hook", "--workspace", dir+"/closing.workspace.yaml", "--ca-file", ep.caFile, "--json")
	if j := decodeFire(t, res.stdout); res.code != 0 || j.Outcome != "message" {
		t.Errorf("fire: exit %d, outcome %q (%s)", res.code, j.Outcome, j.Diagnosis)
	}
}
