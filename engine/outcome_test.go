package engine

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// budget is how long any exchange may take end to end: the 8 s timeout plus
// a second of slack for a loaded machine.
const budget = Timeout + time.Second

// outcomeCase is one endpoint behaviour and what the platform makes of it.
type outcomeCase struct {
	name      string
	handler   http.HandlerFunc
	outcome   Outcome
	status    int      // 0: no response expected
	reply     []string // substrings of the bot's reply
	notReply  []string // must not appear in the bot's reply
	diagnosis []string // substrings of the diagnosis
	warnings  []string // substrings, one per expected warning
	check     func(t *testing.T, a *Attempt)
}

const (
	messageBody = `{"message":"Your order is on the way."}`
	stackTrace  = "Traceback (most recent call last):\n  File \"app.py\", line 12, in handle\nKeyError: 'customer_email'\n"
)

func outcomeCases() []outcomeCase {
	return []outcomeCase{
		{
			name: "message", handler: jsonReply(200, messageBody),
			outcome: OutcomeMessage, status: 200, reply: []string{"Your order is on the way."},
			check: func(t *testing.T, a *Attempt) {
				if a.BotReply != "Your order is on the way." || a.Diagnosis != "" || len(a.Warnings) != 0 {
					t.Errorf("reply %q, diagnosis %q, warnings %q: want the message verbatim and nothing else", a.BotReply, a.Diagnosis, a.Warnings)
				}
			},
		},
		{
			name:    "data",
			handler: jsonReply(200, `{"data":{"order_id":"12345","status":"shipped","tracking":"UPS 1Z999AA10123456784"}}`),
			outcome: OutcomeData, status: 200,
			reply: []string{"Here's what I found: order id 12345, status shipped, tracking UPS 1Z999AA10123456784."},
		},
		{
			name: "error with 200", handler: jsonReply(200, `{"error":"Order not found for that email address."}`),
			outcome: OutcomeError, status: 200,
			reply: []string{"Order not found for that email address."}, diagnosis: []string{"200 OK", "Order not found"},
		},
		{
			name: "404 with an error text", handler: jsonReply(404, `{"error":"No orders for jane@example.com"}`),
			outcome: OutcomeError, status: 404,
			reply: []string{"No orders for jane@example.com"}, diagnosis: []string{"404 Not Found", "No orders"},
		},
		{
			name: "404 without JSON", handler: reply(404, "text/plain", "not found"),
			outcome: OutcomeError, status: 404,
			reply: []string{"couldn't complete that request"}, notReply: []string{"not found"},
			diagnosis: []string{"404 Not Found", `{"error"`},
		},
		{
			name: "401 signature refused", handler: jsonReply(401, `{"error":"bad signature"}`),
			outcome: OutcomeError, status: 401, diagnosis: []string{"401", "X-DGbot-Signature"},
		},
		{
			name: "429", handler: jsonReply(429, `{"error":"Slow down"}`),
			outcome: OutcomeError, status: 429, reply: []string{"Slow down"}, diagnosis: []string{"429 Too Many Requests", "does not retry"},
		},
		{
			name: "500 with a stack trace", handler: reply(500, "text/plain", stackTrace),
			outcome: OutcomeError, status: 500, reply: []string{"Sorry, something went wrong"},
			notReply: []string{"Traceback", "KeyError", "customer_email"}, diagnosis: []string{"500 Internal Server Error", "Traceback"},
		},
		{
			name: "500 with a JSON error is still not shown", handler: jsonReply(500, `{"error":"db password wrong for user admin"}`),
			outcome: OutcomeError, status: 500, notReply: []string{"password"}, diagnosis: []string{"500"},
		},
		{
			name: "503 with text", handler: reply(503, "text/plain", "upstream overloaded"),
			outcome: OutcomeError, status: 503, notReply: []string{"overloaded"}, diagnosis: []string{"503 Service Unavailable", "upstream overloaded"},
		},
		{
			name: "302 to plain HTTP is not followed",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://example.com/dgbot/action", http.StatusFound)
			},
			outcome: OutcomeInvalidResponse, status: 302, diagnosis: []string{"302 Found", "http://example.com/dgbot/action", "not followed"},
		},
		{
			name: "307 to the metadata address is not followed",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusTemporaryRedirect)
			},
			outcome: OutcomeInvalidResponse, status: 307, diagnosis: []string{"307", "169.254.169.254", "not followed"},
		},
		{
			name: "HTML", handler: reply(200, "text/html; charset=utf-8", "<html><body>Welcome</body></html>"),
			outcome: OutcomeInvalidResponse, status: 200, notReply: []string{"Welcome"},
			diagnosis: []string{"response is text/html, not JSON", `{"message"`},
		},
		{
			name: "empty 200", handler: reply(200, "application/json", ""),
			outcome: OutcomeInvalidResponse, status: 200, diagnosis: []string{"empty body"},
		},
		{
			name: "204", handler: reply(204, "", ""),
			outcome: OutcomeInvalidResponse, status: 204, diagnosis: []string{"204 No Content"},
		},
		{
			name: "JSON array", handler: jsonReply(200, `[{"message":"hi"}]`),
			outcome: OutcomeInvalidResponse, status: 200, diagnosis: []string{"JSON array, not an object"},
		},
		{
			name: "only unknown keys", handler: jsonReply(200, `{"status":"success","result":"ok"}`),
			outcome: OutcomeInvalidResponse, status: 200, diagnosis: []string{`none of "message", "data", "error"`, "status, result"},
		},
		{
			name: "unknown keys beside a message", handler: jsonReply(200, `{"status":"success","message":"Done."}`),
			outcome: OutcomeMessage, status: 200, reply: []string{"Done."}, warnings: []string{"unknown keys ignored: status"},
		},
		{
			name: "message of the wrong type", handler: jsonReply(200, `{"message":42}`),
			outcome: OutcomeInvalidResponse, status: 200, diagnosis: []string{`"message" is a number, not a string`},
		},
		{
			name: "data of the wrong type", handler: jsonReply(200, `{"data":["a","b"]}`),
			outcome: OutcomeInvalidResponse, status: 200, diagnosis: []string{`"data" is an array, not an object`},
		},
		{
			name: "both message and data", handler: jsonReply(200, `{"data":{"a":"b"},"message":"Message wins."}`),
			outcome: OutcomeMessage, status: 200, reply: []string{"Message wins."}, warnings: []string{`"message" wins`},
		},
		{
			name: "error beside message", handler: jsonReply(200, `{"message":"fine","error":"Card declined"}`),
			outcome: OutcomeError, status: 200, reply: []string{"Card declined"}, warnings: []string{`"error" wins`},
		},
		{
			name: "JSON message with a text/plain type", handler: reply(200, "text/plain", messageBody),
			outcome: OutcomeMessage, status: 200, warnings: []string{"Content-Type is text/plain"},
		},
		{
			name: "invalid UTF-8", handler: jsonReply(200, "{\"message\":\"caf\xe9\"}"),
			outcome: OutcomeInvalidResponse, status: 200, diagnosis: []string{"not valid UTF-8", "offset 15"},
		},
		{
			name: "JSON nested 50,000 deep", handler: jsonReply(200, `{"message":`+strings.Repeat("[", 50000)+strings.Repeat("]", 50000)+"}"),
			outcome: OutcomeInvalidResponse, status: 200, diagnosis: []string{"not valid JSON", "depth"},
		},
		{
			name: "exactly 102,400 bytes is accepted", handler: jsonReply(200, paddedMessage(MaxBodyBytes)),
			outcome: OutcomeMessage, status: 200,
			check: func(t *testing.T, a *Attempt) {
				if len(a.Response.Body) != MaxBodyBytes || a.Response.Truncated {
					t.Errorf("body %d bytes, truncated %v: want all %d bytes", len(a.Response.Body), a.Response.Truncated, MaxBodyBytes)
				}
			},
		},
		{
			name: "102,401 bytes is too large", handler: jsonReply(200, paddedMessage(MaxBodyBytes+1)),
			outcome: OutcomeTooLarge, status: 200, reply: []string{"Sorry"}, diagnosis: []string{"102,400"},
		},
		{
			name: "102,401 bytes chunked (no Content-Length) is too large",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				body := paddedMessage(MaxBodyBytes + 1)
				io.WriteString(w, body[:1000])
				w.(http.Flusher).Flush()
				io.WriteString(w, body[1000:])
			},
			outcome: OutcomeTooLarge, status: 200, diagnosis: []string{"more than 102,400 bytes"},
			check: func(t *testing.T, a *Attempt) { atMostCap(t, a) },
		},
		{
			name:    "endless chunked body",
			handler: endless,
			outcome: OutcomeTooLarge, status: 200, diagnosis: []string{"102,400"},
			check: func(t *testing.T, a *Attempt) { atMostCap(t, a) },
		},
		{
			name:    "gzip body that expands past the cap",
			handler: gzipBomb,
			outcome: OutcomeTooLarge, status: 200, diagnosis: []string{"decodes (gzip)", "decoded body"},
			check: func(t *testing.T, a *Attempt) { atMostCap(t, a) },
		},
		{
			name: "small gzip body is decoded",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Seen-Accept-Encoding", r.Header.Get("Accept-Encoding"))
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", "gzip")
				zw := gzip.NewWriter(w)
				io.WriteString(zw, messageBody)
				zw.Close()
			},
			outcome: OutcomeMessage, status: 200, reply: []string{"Your order is on the way."},
			check: func(t *testing.T, a *Attempt) {
				if got := a.Response.Header.Get("X-Seen-Accept-Encoding"); got != "gzip" {
					t.Errorf("endpoint saw Accept-Encoding %q, want gzip", got)
				}
			},
		},
		{
			name: "slow, 9 s: timeout",
			handler: func(w http.ResponseWriter, r *http.Request) {
				sleepOrDone(r.Context(), 9*time.Second)
				jsonReply(200, messageBody)(w, r)
			},
			outcome: OutcomeTimeout, reply: []string{"Sorry"}, diagnosis: []string{"no response within 8 s (took 8.0 s): respond within 5 s"},
			check: func(t *testing.T, a *Attempt) {
				if a.Latency < Timeout || a.Latency > budget {
					t.Errorf("latency %v, want 8 s to %v", a.Latency, budget)
				}
			},
		},
		{
			name: "slow, 6 s: message with a warning",
			handler: func(w http.ResponseWriter, r *http.Request) {
				sleepOrDone(r.Context(), 6*time.Second)
				jsonReply(200, messageBody)(w, r)
			},
			outcome: OutcomeMessage, status: 200, warnings: []string{"respond within 5 s"},
		},
		{
			name:    "body trickled a byte at a time",
			handler: trickle,
			outcome: OutcomeTimeout, status: 200, diagnosis: []string{"did not finish within 8 s", "status 200"},
		},
		{
			name: "connection closed without reply",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					conn.Close()
				}
			},
			outcome: OutcomeTransportError, diagnosis: []string{"closed the connection without sending a response"},
			check: func(t *testing.T, a *Attempt) {
				if !a.Sent {
					t.Error("Sent = false: the request went out and must count")
				}
			},
		},
		{
			name: "body shorter than its Content-Length",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "100")
				w.WriteHeader(200)
				io.WriteString(w, `{"message"`)
				w.(http.Flusher).Flush()
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
			},
			outcome: OutcomeTransportError, status: 200, diagnosis: []string{"closed before the body was complete"},
		},
	}
}

// paddedMessage is a {"message": "xxx…"} body of exactly n bytes.
func paddedMessage(n int) string {
	const shell = `{"message":""}`
	return `{"message":"` + strings.Repeat("x", n-len(shell)) + `"}`
}

// atMostCap checks the engine kept no more than the limit.
func atMostCap(t *testing.T, a *Attempt) {
	t.Helper()
	if a.Response == nil || len(a.Response.Body) > MaxBodyBytes || !a.Response.Truncated {
		t.Errorf("response %+v: want a truncated body of at most %d bytes", a.Response, MaxBodyBytes)
	}
}

func sleepOrDone(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// endless streams chunks until the client goes away (or a minute passes, so
// a broken engine cannot hang the test run forever).
func endless(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	chunk := bytes.Repeat([]byte("x"), 4096)
	io.WriteString(w, `{"message":"`)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
		w.(http.Flusher).Flush()
	}
}

// gzipBomb sends 50 MB of JSON compressed to about 50 KB.
func gzipBomb(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Encoding", "gzip")
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	io.WriteString(zw, `{"message":"`)
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for i := 0; i < 50; i++ {
		if _, err := zw.Write(chunk); err != nil {
			return
		}
	}
	io.WriteString(zw, `"}`)
	zw.Close()
}

// trickle sends a valid body a byte every 50 ms: 3 KB would take 150 s.
func trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	body := paddedMessage(3000)
	for i := 0; i < len(body); i++ {
		if _, err := w.Write([]byte{body[i]}); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-time.After(50 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
}

func TestOutcomes(t *testing.T) {
	for _, tc := range outcomeCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEndpoint(t, tc.handler)
			d := newTestDispatcher(t, e, Options{})
			start := time.Now()
			a := d.Fire(context.Background(), testCall(t, e.URL))
			if elapsed := time.Since(start); elapsed > budget {
				t.Errorf("took %v, want under %v", elapsed, budget)
			}
			if a.Outcome != tc.outcome {
				t.Fatalf("outcome %s (diagnosis %q), want %s", a.Outcome, a.Diagnosis, tc.outcome)
			}
			status := 0
			if a.Response != nil {
				status = a.Response.Status
			}
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			if a.BotReply == "" {
				t.Error("empty bot reply: the visitor must always be told something")
			}
			contains(t, "bot reply", a.BotReply, tc.reply...)
			for _, secret := range tc.notReply {
				if strings.Contains(a.BotReply, secret) {
					t.Errorf("bot reply %q leaks %q to the visitor", a.BotReply, secret)
				}
			}
			if tc.outcome.Succeeded() != (a.Diagnosis == "") {
				t.Errorf("diagnosis %q: every non-success outcome, and only those, carries one", a.Diagnosis)
			}
			if strings.Contains(a.Diagnosis, "\n") {
				t.Errorf("diagnosis %q spans lines; it must be one line", a.Diagnosis)
			}
			contains(t, "diagnosis", a.Diagnosis, tc.diagnosis...)
			contains(t, "warnings", strings.Join(a.Warnings, "\n"), tc.warnings...)
			if e.hits.Load() != 1 {
				t.Errorf("endpoint hit %d times, want exactly 1: no retries, no redirects followed", e.hits.Load())
			}
			if !a.Sent {
				t.Error("Sent = false for a request the endpoint received")
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
}

func TestOutcomeTableIsCovered(t *testing.T) {
	seen := map[Outcome]bool{}
	for _, tc := range outcomeCases() {
		seen[tc.outcome] = true
	}
	// transport_error beyond these, rejected and rate_limited are covered
	// by transport_test.go and ratelimit_test.go.
	for _, o := range []Outcome{OutcomeMessage, OutcomeData, OutcomeError, OutcomeInvalidResponse, OutcomeTimeout, OutcomeTooLarge, OutcomeTransportError} {
		if !seen[o] {
			t.Errorf("no endpoint case ends in %s", o)
		}
	}
}
