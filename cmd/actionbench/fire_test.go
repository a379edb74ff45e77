package main

// These tests run `actionbench fire` as a user would: the real binary, built
// once by TestMain, against an HTTPS endpoint on loopback that checks every
// request's signature.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/sign"
)

const (
	// testSecret is distinctive so that any leak into the output is found.
	testSecret    = "whsec_cli_7d1e4aa9"
	testSecretEnv = "TEST_ACTION_SECRET"
	actionPath    = "/dgbot/action"
	pingPath      = "/ping"
)

// binary is the actionbench executable built by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "actionbench-cli-test-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "temp dir: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "actionbench")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout = os.Stderr
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building actionbench: %v\n", err)
		return 1
	}
	return m.Run()
}

// received is one request as the endpoint saw it.
type received struct {
	method string
	path   string
	header http.Header
	body   []byte
}

// endpoint is a developer's HTTPS endpoint on loopback. It checks what every
// request must carry (method, content type, a valid signature, a delivery
// id), records it, and answers with reply.
type endpoint struct {
	server *httptest.Server
	caFile string

	mu  sync.Mutex
	got []received
}

func newEndpoint(t *testing.T, reply http.HandlerFunc) *endpoint {
	t.Helper()
	ep := &endpoint{}
	ep.server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("endpoint: reading the body: %v", err)
		}
		if r.Method != http.MethodPost {
			t.Errorf("endpoint: method %s, want POST", r.Method)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("endpoint: Content-Type %q, want application/json", ct)
		}
		if sig := r.Header.Get(sign.Header); !sign.Verify(testSecret, body, sig) {
			t.Errorf("endpoint: %s %q does not verify over the %d-byte body with the action's secret", sign.Header, sig, len(body))
		}
		if id := r.Header.Get("X-DGbot-Delivery"); !strings.HasPrefix(id, "dlv_") {
			t.Errorf("endpoint: X-DGbot-Delivery %q, want a dlv_ id", id)
		}
		if !json.Valid(body) {
			t.Errorf("endpoint: the body is not JSON: %q", body)
		}
		ep.mu.Lock()
		ep.got = append(ep.got, received{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body})
		ep.mu.Unlock()
		reply(w, r)
	}))
	t.Cleanup(ep.server.Close)

	ep.caFile = certFile(t, ep.server)
	return ep
}

// certFile writes the server's self-signed certificate as PEM, for --ca-file.
func certFile(t *testing.T, server *httptest.Server) string {
	t.Helper()
	var pemBytes bytes.Buffer
	if err := pem.Encode(&pemBytes, &pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw}); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "endpoint-cert.pem")
	if err := os.WriteFile(name, pemBytes.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// requests returns what the endpoint has received so far.
func (ep *endpoint) requests() []received {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return append([]received(nil), ep.got...)
}

// workspaceYAML is the workspace every test fires from; ENDPOINT is replaced
// by the test server's URL.
const workspaceYAML = `# written by fire_test.go
chatbot:
  id: bot_cli_test
  name: CLI Test Bot
actions:
  - id: order_lookup
    name: Order lookup
    url: ENDPOINT` + actionPath + `
    secret: ${` + testSecretEnv + `}
    triggers: [ai_intent:order_status, manual]
    payload:
      customer_email: "{{visitor.email}}"
      conversation: "{{conversation.id}}"
      note: "lookup for {{visitor.name}}"
  - id: ping
    url: ENDPOINT` + pingPath + `
    secret: ${` + testSecretEnv + `}
`

// writeWorkspace writes the workspace pointing at baseURL and returns its path.
func writeWorkspace(t *testing.T, baseURL string) string {
	t.Helper()
	return writeFile(t, "actionbench.yaml", strings.ReplaceAll(workspaceYAML, "ENDPOINT", baseURL))
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// result is what one run of the binary produced.
type result struct {
	stdout, stderr string
	code           int
}

// runOptions adjust the child's surroundings.
type runOptions struct {
	dir      string   // working directory; default a fresh empty one
	noSecret bool     // leave the secret's variable out of the environment
	env      []string // extra NAME=value
}

// actionbench runs the binary with a clean environment: PATH, HOME, NO_COLOR
// and the secret. Whatever the case, the secret must not be printed.
func actionbench(t *testing.T, o runOptions, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	// The history goes to a fresh state folder, never the real one.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "NO_COLOR=1", "XDG_STATE_HOME=" + t.TempDir()}
	if !o.noSecret {
		cmd.Env = append(cmd.Env, testSecretEnv+"="+testSecret)
	}
	cmd.Env = append(cmd.Env, o.env...)
	cmd.Dir = o.dir
	if cmd.Dir == "" {
		cmd.Dir = t.TempDir()
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	default:
		t.Fatalf("running actionbench %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("actionbench %s did not finish in time", strings.Join(args, " "))
	}
	if strings.Contains(res.stdout, testSecret) {
		t.Errorf("the secret is on stdout:\n%s", res.stdout)
	}
	if strings.Contains(res.stderr, testSecret) {
		t.Errorf("the secret is on stderr:\n%s", res.stderr)
	}
	return res
}

// fireJSON is the contract of `fire --json` that scripts rely on, spelled
// out here rather than borrowed from the command so that a renamed field
// fails the test.
type fireJSON struct {
	Outcome        string    `json:"outcome"`
	Status         int       `json:"status"`
	LatencyMS      float64   `json:"latency_ms"`
	BotReply       string    `json:"bot_reply"`
	Diagnosis      string    `json:"diagnosis"`
	Warnings       []string  `json:"warnings"`
	DeliveryID     string    `json:"delivery_id"`
	Kind           string    `json:"kind"`
	ActionID       string    `json:"action_id"`
	ConversationID string    `json:"conversation_id"`
	Trigger        string    `json:"trigger"`
	At             time.Time `json:"at"`
	Sent           bool      `json:"sent"`
	Request        struct {
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	} `json:"request"`
	Response *struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    *string           `json:"body"`
	} `json:"response"`
}

// decodeFire reads stdout as exactly one JSON object.
func decodeFire(t *testing.T, stdout string) fireJSON {
	t.Helper()
	var j fireJSON
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("stdout is not a JSON object (%v):\n%s", err, stdout)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Errorf("stdout has more than one JSON value:\n%s", stdout)
	}
	return j
}

// actionBody is the request body the platform sends.
type actionBody struct {
	ActionID       string         `json:"action_id"`
	ConversationID string         `json:"conversation_id"`
	ChatbotID      string         `json:"chatbot_id"`
	Trigger        string         `json:"trigger"`
	Payload        map[string]any `json:"payload"`
	Metadata       struct {
		VisitorID   string `json:"visitor_id"`
		Timestamp   string `json:"timestamp"`
		ChatbotName string `json:"chatbot_name"`
	} `json:"metadata"`
}

func decodeBody(t *testing.T, what string, body []byte) actionBody {
	t.Helper()
	var b actionBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("%s is not the platform's request schema (%v): %s", what, err, body)
	}
	return b
}

// The endpoint's replies.

func replyJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func replyTyped(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

const (
	orderMessage = "Your order #12345 shipped on May 7 and arrives Friday."
	stackTrace   = `panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]

goroutine 42 [running]:
main.lookupOrder(0x0)
	/srv/orders/handler.go:87 +0x1d
main.handleAction({0x7f2c, 0xc000120000}, 0xc000132000)
	/srv/orders/handler.go:41 +0x2a5
`
)

func TestFireOutcomes(t *testing.T) {
	tests := []struct {
		name  string
		reply http.HandlerFunc
		// args follow `fire order_lookup --workspace WS --json`.
		args         []string
		noCA         bool
		wantCode     int
		wantOutcome  string
		wantStatus   int
		wantRequests int
		check        func(t *testing.T, ep *endpoint, j fireJSON)
	}{
		{
			name:         "message reply",
			reply:        replyJSON(200, `{"message": "`+orderMessage+`"}`),
			args:         []string{"--set", "visitor.email=jane@example.com", "--set", "visitor.name=Jane Doe"},
			wantCode:     0,
			wantOutcome:  "message",
			wantStatus:   200,
			wantRequests: 1,
			check: func(t *testing.T, ep *endpoint, j fireJSON) {
				if j.BotReply != orderMessage {
					t.Errorf("bot_reply = %q, want the endpoint's message %q", j.BotReply, orderMessage)
				}
				if j.Diagnosis != "" {
					t.Errorf("diagnosis = %q, want none on success", j.Diagnosis)
				}
				if len(j.Warnings) != 0 {
					t.Errorf("warnings = %q, want none", j.Warnings)
				}
				if !j.Sent {
					t.Error("sent = false, want true")
				}
				if j.Kind != "action" || j.ActionID != "order_lookup" || j.Trigger != "manual" {
					t.Errorf("kind, action_id, trigger = %q, %q, %q; want action, order_lookup, manual", j.Kind, j.ActionID, j.Trigger)
				}
				if !strings.HasPrefix(j.ConversationID, "conv_") {
					t.Errorf("conversation_id = %q, want a new conv_ id", j.ConversationID)
				}
				if j.Request.Method != http.MethodPost {
					t.Errorf("request.method = %q, want POST", j.Request.Method)
				}
				if got := j.Request.Headers["Content-Type"]; got != "application/json" {
					t.Errorf(`request.headers["Content-Type"] = %q, want application/json`, got)
				}
				sig := j.Request.Headers[sign.Header]
				if !sign.Verify(testSecret, []byte(j.Request.Body), sig) {
					t.Errorf(`request.headers[%q] = %q does not verify over request.body with the secret`, sign.Header, sig)
				}
				if !strings.Contains(j.Request.Body, "jane@example.com") {
					t.Errorf("request.body lacks the --set value: %s", j.Request.Body)
				}
				if j.Response == nil {
					t.Fatal("response is null")
				}
				if j.Response.Status != 200 {
					t.Errorf("response.status = %d, want 200", j.Response.Status)
				}
				if got := j.Response.Headers["Content-Type"]; got != "application/json" {
					t.Errorf(`response.headers["Content-Type"] = %q, want application/json`, got)
				}
				if j.Response.Body == nil || !strings.Contains(*j.Response.Body, orderMessage) {
					t.Errorf("response.body = %v, want the endpoint's body", j.Response.Body)
				}

				// What was reported is what was sent.
				got := ep.requests()[0]
				if got.path != actionPath {
					t.Errorf("endpoint got path %q, want %q", got.path, actionPath)
				}
				if string(got.body) != j.Request.Body {
					t.Errorf("request.body differs from the bytes the endpoint received:\nreported %s\nreceived %s", j.Request.Body, got.body)
				}
				if h := got.header.Get(sign.Header); h != sig {
					t.Errorf("endpoint got signature %q, request.headers has %q", h, sig)
				}
				if h := got.header.Get("X-DGbot-Delivery"); h != j.DeliveryID {
					t.Errorf("endpoint got delivery id %q, delivery_id is %q", h, j.DeliveryID)
				}
				reported := decodeBody(t, "request.body", []byte(j.Request.Body))
				sent := decodeBody(t, "the received body", got.body)
				if !reflect.DeepEqual(reported.Payload, sent.Payload) {
					t.Errorf("request.body payload %v, endpoint received %v", reported.Payload, sent.Payload)
				}
				if reported.Metadata != sent.Metadata {
					t.Errorf("request.body metadata %+v, endpoint received %+v", reported.Metadata, sent.Metadata)
				}
				wantPayload := map[string]any{
					"customer_email": "jane@example.com",
					"conversation":   j.ConversationID,
					"note":           "lookup for Jane Doe",
				}
				if !reflect.DeepEqual(sent.Payload, wantPayload) {
					t.Errorf("payload = %v, want %v", sent.Payload, wantPayload)
				}
				if sent.ActionID != "order_lookup" || sent.ChatbotID != "bot_cli_test" || sent.Trigger != "manual" || sent.ConversationID != j.ConversationID {
					t.Errorf("body action_id, chatbot_id, trigger, conversation_id = %q, %q, %q, %q", sent.ActionID, sent.ChatbotID, sent.Trigger, sent.ConversationID)
				}
				if sent.Metadata.ChatbotName != "CLI Test Bot" || sent.Metadata.VisitorID == "" {
					t.Errorf("metadata = %+v, want chatbot_name CLI Test Bot and a visitor id", sent.Metadata)
				}
				ts, err := time.Parse(time.RFC3339, sent.Metadata.Timestamp)
				if err != nil || !strings.HasSuffix(sent.Metadata.Timestamp, "Z") {
					t.Errorf("metadata.timestamp = %q, want RFC 3339 in UTC with Z", sent.Metadata.Timestamp)
				} else if d := time.Since(ts); d < -time.Minute || d > time.Minute {
					t.Errorf("metadata.timestamp = %q, not now", sent.Metadata.Timestamp)
				}
			},
		},
		{
			name:         "data reply",
			reply:        replyJSON(200, `{"data": {"order_id": "12345", "status": "shipped"}}`),
			wantCode:     0,
			wantOutcome:  "data",
			wantStatus:   200,
			wantRequests: 1,
			check: func(t *testing.T, _ *endpoint, j fireJSON) {
				const want = "Here's what I found: order id 12345, status shipped."
				if j.BotReply != want {
					t.Errorf("bot_reply = %q, want %q", j.BotReply, want)
				}
				if j.Diagnosis != "" {
					t.Errorf("diagnosis = %q, want none on success", j.Diagnosis)
				}
			},
		},
		{
			name:         "404 with an error",
			reply:        replyJSON(404, `{"error": "No order found for that email address"}`),
			wantCode:     1,
			wantOutcome:  "error",
			wantStatus:   404,
			wantRequests: 1,
			check: func(t *testing.T, _ *endpoint, j fireJSON) {
				if !strings.Contains(j.BotReply, "No order found for that email address") {
					t.Errorf("bot_reply = %q, want it to relay the endpoint's error", j.BotReply)
				}
				if !strings.Contains(j.Diagnosis, "404") {
					t.Errorf("diagnosis = %q, want it to name the 404", j.Diagnosis)
				}
			},
		},
		{
			name:         "500 with a stack trace",
			reply:        replyTyped(500, "text/plain; charset=utf-8", stackTrace),
			wantCode:     1,
			wantOutcome:  "error",
			wantStatus:   500,
			wantRequests: 1,
			check: func(t *testing.T, _ *endpoint, j fireJSON) {
				for _, leak := range []string{"panic", "goroutine", "handler.go", "SIGSEGV", "nil pointer"} {
					if strings.Contains(j.BotReply, leak) {
						t.Errorf("bot_reply shows the trace (%q) to the visitor: %q", leak, j.BotReply)
					}
				}
				if j.BotReply == "" {
					t.Error("bot_reply is empty, want an apology")
				}
				if !strings.Contains(j.Diagnosis, "500") {
					t.Errorf("diagnosis = %q, want it to name the 500", j.Diagnosis)
				}
				if j.Response == nil || j.Response.Body == nil || !strings.Contains(*j.Response.Body, "goroutine 42") {
					t.Errorf("response.body should keep the trace for the developer, got %v", j.Response)
				}
			},
		},
		{
			name:         "HTML 200",
			reply:        replyTyped(200, "text/html; charset=utf-8", "<!doctype html>\n<html><body><h1>Welcome to nginx!</h1></body></html>\n"),
			wantCode:     1,
			wantOutcome:  "invalid_response",
			wantStatus:   200,
			wantRequests: 1,
			check: func(t *testing.T, _ *endpoint, j fireJSON) {
				if !strings.Contains(j.Diagnosis, "text/html") {
					t.Errorf("diagnosis = %q, want it to mention text/html", j.Diagnosis)
				}
				if strings.Contains(j.BotReply, "<html>") || strings.Contains(j.BotReply, "nginx") {
					t.Errorf("bot_reply shows the HTML: %q", j.BotReply)
				}
			},
		},
		{
			name:         "self-signed certificate without --ca-file",
			reply:        replyJSON(200, `{"message": "unreachable"}`),
			noCA:         true,
			wantCode:     1,
			wantOutcome:  "transport_error",
			wantStatus:   0,
			wantRequests: 0,
			check: func(t *testing.T, _ *endpoint, j fireJSON) {
				if !strings.Contains(j.Diagnosis, "--ca-file") {
					t.Errorf("diagnosis = %q, want it to point at --ca-file", j.Diagnosis)
				}
				if j.Response != nil {
					t.Errorf("response = %+v, want null", *j.Response)
				}
			},
		},
		{
			name:         "production policy refuses loopback",
			reply:        replyJSON(200, `{"message": "unreachable"}`),
			args:         []string{"--policy", "production"},
			wantCode:     1,
			wantOutcome:  "rejected",
			wantStatus:   0,
			wantRequests: 0,
			check: func(t *testing.T, _ *endpoint, j fireJSON) {
				if j.Sent {
					t.Error("sent = true, want false")
				}
				if j.Diagnosis == "" {
					t.Error("diagnosis is empty, want why production refused")
				}
				if j.Response != nil {
					t.Errorf("response = %+v, want null", *j.Response)
				}
			},
		},
		{
			name:         "ai_intent trigger",
			reply:        replyJSON(200, `{"message": "ok"}`),
			args:         []string{"--trigger", "ai_intent"},
			wantCode:     0,
			wantOutcome:  "message",
			wantStatus:   200,
			wantRequests: 1,
			check: func(t *testing.T, ep *endpoint, j fireJSON) {
				body := decodeBody(t, "the received body", ep.requests()[0].body)
				if body.Trigger != "ai_intent" {
					t.Errorf("body trigger = %q, want ai_intent", body.Trigger)
				}
				if j.Trigger != "ai_intent" {
					t.Errorf("trigger = %q, want ai_intent", j.Trigger)
				}
			},
		},
		{
			name:         "conversation id",
			reply:        replyJSON(200, `{"message": "ok"}`),
			args:         []string{"--conversation", "conv_abc"},
			wantCode:     0,
			wantOutcome:  "message",
			wantStatus:   200,
			wantRequests: 1,
			check: func(t *testing.T, ep *endpoint, j fireJSON) {
				body := decodeBody(t, "the received body", ep.requests()[0].body)
				if body.ConversationID != "conv_abc" {
					t.Errorf("body conversation_id = %q, want conv_abc", body.ConversationID)
				}
				if body.Payload["conversation"] != "conv_abc" {
					t.Errorf("payload {{conversation.id}} = %v, want conv_abc", body.Payload["conversation"])
				}
				if j.ConversationID != "conv_abc" {
					t.Errorf("conversation_id = %q, want conv_abc", j.ConversationID)
				}
			},
		},
		{
			// An endpoint that echoes the secret (a debugging aid gone
			// wrong) must not get it printed.
			name:         "endpoint echoes the secret",
			reply:        replyJSON(200, `{"message": "expected key `+testSecret+`"}`),
			wantCode:     0,
			wantOutcome:  "message",
			wantStatus:   200,
			wantRequests: 1,
			check: func(t *testing.T, _ *endpoint, j fireJSON) {
				if !strings.HasPrefix(j.BotReply, "expected key ") {
					t.Errorf("bot_reply = %q, want the message with the secret redacted", j.BotReply)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ep := newEndpoint(t, tt.reply)
			ws := writeWorkspace(t, ep.server.URL)
			args := []string{"fire", "order_lookup", "--workspace", ws, "--json"}
			if !tt.noCA {
				args = append(args, "--ca-file", ep.caFile)
			}
			args = append(args, tt.args...)
			res := actionbench(t, runOptions{}, args...)

			if res.code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			if res.stderr != "" {
				t.Errorf("stderr = %q, want nothing (the result is on stdout)", res.stderr)
			}
			if n := len(ep.requests()); n != tt.wantRequests {
				t.Fatalf("endpoint got %d requests, want %d", n, tt.wantRequests)
			}
			j := decodeFire(t, res.stdout)
			var keys map[string]json.RawMessage
			if err := json.Unmarshal([]byte(res.stdout), &keys); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"reply_action", "override", "event"} {
				if v, ok := keys[k]; ok {
					t.Errorf("%q: %s is printed for an action; only event webhooks have it", k, v)
				}
			}
			if j.Outcome != tt.wantOutcome {
				t.Errorf("outcome = %q, want %q (diagnosis %q)", j.Outcome, tt.wantOutcome, j.Diagnosis)
			}
			if j.Status != tt.wantStatus {
				t.Errorf("status = %d, want %d", j.Status, tt.wantStatus)
			}
			if tt.wantOutcome != "message" && tt.wantOutcome != "data" && j.Diagnosis == "" {
				t.Error("diagnosis is empty on a failure")
			}
			if !strings.HasPrefix(j.DeliveryID, "dlv_") {
				t.Errorf("delivery_id = %q, want a dlv_ id", j.DeliveryID)
			}
			if want := ep.server.URL + actionPath; j.Request.URL != want {
				t.Errorf("request.url = %q, want %q", j.Request.URL, want)
			}
			if tt.wantRequests > 0 && !(j.LatencyMS > 0) {
				t.Errorf("latency_ms = %v, want > 0", j.LatencyMS)
			}
			if tt.check != nil {
				tt.check(t, ep, j)
			}
		})
	}
}

func TestFireText(t *testing.T) {
	tests := []struct {
		name     string
		reply    http.HandlerFunc
		noCA     bool
		wantCode int
		want     []string
	}{
		{
			name:     "message",
			reply:    replyJSON(200, `{"message": "`+orderMessage+`"}`),
			wantCode: 0,
			want:     []string{"message", "200 OK", orderMessage, "order_lookup (manual)"},
		},
		{
			name:     "data",
			reply:    replyJSON(200, `{"data": {"order_id": "12345"}}`),
			wantCode: 0,
			want:     []string{"data", "200 OK", "Here's what I found: order id 12345."},
		},
		{
			name:     "404",
			reply:    replyJSON(404, `{"error": "No order found"}`),
			wantCode: 1,
			want:     []string{"error", "404 Not Found", "No order found", "diagnosis:"},
		},
		{
			name:     "transport error",
			reply:    replyJSON(200, `{"message": "unreachable"}`),
			noCA:     true,
			wantCode: 1,
			want:     []string{"transport_error", "no response", "diagnosis:", "--ca-file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ep := newEndpoint(t, tt.reply)
			ws := writeWorkspace(t, ep.server.URL)
			args := []string{"fire", "order_lookup", "--workspace", ws}
			if !tt.noCA {
				args = append(args, "--ca-file", ep.caFile)
			}
			res := actionbench(t, runOptions{}, args...)
			if res.code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			if res.stderr != "" {
				t.Errorf("stderr = %q, want nothing", res.stderr)
			}
			firstWord, _, _ := strings.Cut(res.stdout, " ")
			if want := tt.want[0]; firstWord != want {
				t.Errorf("output starts with %q, want the outcome %q:\n%s", firstWord, want, res.stdout)
			}
			for _, want := range tt.want {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
				}
			}
			if strings.Contains(res.stdout, "\x1b") {
				t.Errorf("stdout has ANSI escapes with NO_COLOR=1 and no terminal: %q", res.stdout)
			}
			if tt.wantCode == 0 && strings.Contains(res.stdout, "diagnosis:") {
				t.Errorf("stdout has a diagnosis on success:\n%s", res.stdout)
			}
		})
	}
}

func TestFireBadInput(t *testing.T) {
	// Workspaces that fail to load; ENDPOINT is replaced by the server's URL.
	const (
		syntaxError = `chatbot:
  id: bot_cli_test
  name: CLI Test Bot
actions:
  - id: order_lookup
    url: ENDPOINT/dgbot/action
    secret: ${TEST_ACTION_SECRET}
    triggers: [manual
`
		unknownKey = `chatbot:
  id: bot_cli_test
  name: CLI Test Bot
actions:
  - id: order_lookup
    url: ENDPOINT/dgbot/action
    secret: ${TEST_ACTION_SECRET}
    colour: red
`
		unsetVar = `chatbot:
  id: bot_cli_test
  name: CLI Test Bot
actions:
  - id: order_lookup
    url: ENDPOINT/dgbot/action
    secret: ${TEST_UNSET_SECRET}
`
	)
	tests := []struct {
		name string
		// args follow "fire"; WS is replaced by the workspace's path, CA by
		// the endpoint's certificate file.
		args      []string
		workspace string // the workspace's content; default workspaceYAML
		noSecret  bool
		want      []string // on stderr; WS is replaced by the workspace's path
		wantMatch string   // a regular expression stderr must match; WS as above
	}{
		{
			name: "unknown action",
			args: []string{"nope", "--workspace", "WS", "--ca-file", "CA"},
			want: []string{`no action "nope"`, "WS", "order_lookup", "ping"},
		},
		{
			name: "bogus trigger",
			args: []string{"order_lookup", "--workspace", "WS", "--ca-file", "CA", "--trigger", "bogus"},
			want: []string{"--trigger", `"bogus"`, "ai_intent"},
		},
		{
			name: "--set without =",
			args: []string{"order_lookup", "--workspace", "WS", "--ca-file", "CA", "--set", "visitor.email"},
			want: []string{"--set", "visitor.email", "name=value"},
		},
		{
			name: "--set unknown variable",
			args: []string{"order_lookup", "--workspace", "WS", "--ca-file", "CA", "--set", "unknown.var=x"},
			want: []string{"--set", `unknown variable "unknown.var"`, "visitor.email"},
		},
		{
			name: "bogus policy",
			args: []string{"order_lookup", "--workspace", "WS", "--ca-file", "CA", "--policy", "bogus"},
			want: []string{"--policy", `"bogus"`, "production"},
		},
		{
			name: "missing workspace file",
			args: []string{"order_lookup", "--workspace", "WS.missing", "--ca-file", "CA"},
			want: []string{"WS.missing", "no such file"},
		},
		{
			name: "an action the embedded demo does not have",
			args: []string{"nope", "--ca-file", "CA"},
			want: []string{`no action "nope" in the embedded demo`, "order_lookup"},
		},
		{
			name:      "workspace YAML syntax error",
			args:      []string{"order_lookup", "--workspace", "WS", "--ca-file", "CA"},
			workspace: syntaxError,
			wantMatch: `^actionbench: WS:8:\d+: `,
			want:      []string{"YAML"},
		},
		{
			name:      "workspace unknown key",
			args:      []string{"order_lookup", "--workspace", "WS", "--ca-file", "CA"},
			workspace: unknownKey,
			wantMatch: `^actionbench: WS:8:5: `,
			want:      []string{`"colour"`},
		},
		{
			name:      "workspace variable not set",
			args:      []string{"order_lookup", "--workspace", "WS", "--ca-file", "CA"},
			workspace: unsetVar,
			wantMatch: `^actionbench: WS:7:\d+: `,
			want:      []string{"TEST_UNSET_SECRET", "not set"},
		},
		{
			name:     "secret variable not set",
			args:     []string{"order_lookup", "--workspace", "WS", "--ca-file", "CA"},
			noSecret: true,
			want:     []string{testSecretEnv, "not set"},
		},
		{
			name: "no ACTION_ID",
			args: []string{"--workspace", "WS", "--ca-file", "CA"},
			want: []string{"ACTION_ID", "got 0"},
		},
		{
			name: "two ACTION_IDs",
			args: []string{"order_lookup", "ping", "--workspace", "WS", "--ca-file", "CA"},
			want: []string{"ACTION_ID", "got 2"},
		},
		{
			name: "unknown flag",
			args: []string{"order_lookup", "--workspace", "WS", "--ca-file", "CA", "--bogus"},
			want: []string{"unknown flag", "--bogus"},
		},
		{
			name: "CA file is not PEM",
			args: []string{"order_lookup", "--workspace", "WS", "--ca-file", "WS"},
			want: []string{"CA file", "PEM"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ep := newEndpoint(t, replyJSON(200, `{"message": "should not be called"}`))
			content := tt.workspace
			if content == "" {
				content = workspaceYAML
			}
			ws := writeFile(t, "actionbench.yaml", strings.ReplaceAll(content, "ENDPOINT", ep.server.URL))
			subst := strings.NewReplacer("WS", ws, "CA", ep.caFile)
			args := []string{"fire"}
			for _, a := range tt.args {
				args = append(args, subst.Replace(a))
			}
			res := actionbench(t, runOptions{noSecret: tt.noSecret}, args...)

			if res.code != 2 {
				t.Errorf("exit code %d, want 2\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			if res.stdout != "" {
				t.Errorf("stdout = %q, want nothing", res.stdout)
			}
			if !strings.HasPrefix(res.stderr, "actionbench: ") || !strings.HasSuffix(res.stderr, "\n") || strings.Count(res.stderr, "\n") != 1 {
				t.Errorf("stderr = %q, want one line starting %q", res.stderr, "actionbench: ")
			}
			for _, want := range tt.want {
				if want = strings.ReplaceAll(want, "WS", ws); !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q: %q", want, res.stderr)
				}
			}
			if tt.wantMatch != "" {
				re := regexp.MustCompile(strings.ReplaceAll(tt.wantMatch, "WS", regexp.QuoteMeta(ws)))
				if !re.MatchString(res.stderr) {
					t.Errorf("stderr does not match %s: %q", re, res.stderr)
				}
			}
			if n := len(ep.requests()); n != 0 {
				t.Errorf("endpoint got %d requests on bad input, want none", n)
			}
		})
	}
}

// TestFireNeverPrintsTheSecret puts the secret where an endpoint or a
// workspace might: in the URL's query and in a response header and body.
// actionbench() fails the test if the secret reaches stdout or stderr.
func TestFireNeverPrintsTheSecret(t *testing.T) {
	ep := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Debug-Key", testSecret)
		replyJSON(200, `{"message": "key `+testSecret+`"}`)(w, r)
	})
	ws := writeFile(t, "actionbench.yaml", strings.ReplaceAll(
		strings.ReplaceAll(workspaceYAML, "ENDPOINT"+actionPath, "ENDPOINT"+actionPath+"?k=${"+testSecretEnv+"}"),
		"ENDPOINT", ep.server.URL))
	for _, format := range [][]string{{"--json"}, nil} {
		args := append([]string{"fire", "order_lookup", "--workspace", ws, "--ca-file", ep.caFile}, format...)
		res := actionbench(t, runOptions{}, args...)
		if res.code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", format, res.code, res.stdout, res.stderr)
		}
		if !strings.Contains(res.stdout, "[redacted]") {
			t.Errorf("%v: output shows no [redacted] mark:\n%s", format, res.stdout)
		}
	}
}

// TestFireUsesTheDemo fires with no workspace anywhere: the embedded demo
// and its in-process mock answer.
func TestFireUsesTheDemo(t *testing.T) {
	res := actionbench(t, runOptions{}, "fire", "order_lookup", "--set", "visitor.email=jane@example.com", "--json")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if j := decodeFire(t, res.stdout); j.BotReply != "Your latest order #1042 is shipped." {
		t.Errorf("bot_reply %q, want the demo's order answer", j.BotReply)
	}
}
