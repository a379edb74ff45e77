package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/sign"
)

const (
	// testSecret and testToken are distinctive so that any leak is found.
	testSecret = "whsec_mock_3f9a27c1"
	testToken  = "tok_mock_b81d44e0"
)

var fixedNow = time.Date(2025, 5, 15, 10, 30, 0, 0, time.UTC)

// logBuffer collects log lines; handlers may write from other goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) lines() []string {
	s := strings.TrimSuffix(l.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func newTestHandler() (http.Handler, *logBuffer) {
	log := &logBuffer{}
	return NewHandler(Config{Secret: testSecret, Token: testToken, Log: log, Now: func() time.Time { return fixedNow }}), log
}

// platformBody is the platform's request schema around payload.
func platformBody(actionID, payload string) []byte {
	return []byte(`{"action_id":"` + actionID + `","conversation_id":"conv_test","chatbot_id":"bot_def456","trigger":"manual","payload":` +
		payload + `,"metadata":{"visitor_id":"visitor_111","timestamp":"2025-05-15T10:30:00Z","chatbot_name":"Support Bot"}}`)
}

// signedRequest is a POST to path carrying body and signature (sign.Header
// is left out when signature is "").
func signedRequest(path string, body []byte, signature string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if signature != "" {
		r.Header.Set(sign.Header, signature)
	}
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Errorf("body is not JSON (%v): %q", err, got)
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

func TestActions(t *testing.T) {
	const (
		good = iota
		missing
		wrongSecret
		otherBody // a valid signature, but of another body: the body was tampered with
		garbage
	)
	tests := []struct {
		name    string
		path    string
		payload string
		body    string // instead of the platform's body around payload
		sig     int
		status  int
		want    string
	}{
		{"lookup: known email", "/actions/order_lookup", `{"customer_email":"jane@example.com"}`, "", good, 200, `{"message":"Your latest order #1042 is shipped."}`},
		{"lookup: email in any case", "/actions/order_lookup", `{"customer_email":" JOHN@Example.com "}`, "", good, 200, `{"message":"Your latest order #1043 is processing."}`},
		{"lookup: unknown email", "/actions/order_lookup", `{"customer_email":"nobody@example.com"}`, "", good, 404, `{"error":"I couldn't find any orders for nobody@example.com."}`},
		{"lookup: empty email", "/actions/order_lookup", `{"customer_email":""}`, "", good, 404, `{"error":"I couldn't find any orders without an email address."}`},
		{"lookup: unresolved email", "/actions/order_lookup", `{"customer_email":null}`, "", good, 404, `{"error":"I couldn't find any orders without an email address."}`},
		{"lookup: no payload", "/actions/order_lookup", `{}`, "", good, 404, `{"error":"I couldn't find any orders without an email address."}`},
		{"lookup: order id when no email", "/actions/order_lookup", `{"customer_email":null,"order_id":1042}`, "", good, 200, `{"message":"Order #1042 is shipped."}`},
		{"lookup: unknown order id", "/actions/order_lookup", `{"order_id":"9999"}`, "", good, 404, `{"error":"I couldn't find order #9999."}`},
		{"lookup: bad signature", "/actions/order_lookup", `{"customer_email":"jane@example.com"}`, "", garbage, 401, `{"error":"invalid signature"}`},
		{"lookup: missing signature", "/actions/order_lookup", `{"customer_email":"jane@example.com"}`, "", missing, 401, `{"error":"invalid signature"}`},
		{"lookup: another secret", "/actions/order_lookup", `{"customer_email":"jane@example.com"}`, "", wrongSecret, 401, `{"error":"invalid signature"}`},
		{"lookup: tampered body", "/actions/order_lookup", `{"customer_email":"jane@example.com"}`, "", otherBody, 401, `{"error":"invalid signature"}`},
		{"lookup: signed, not JSON", "/actions/order_lookup", "", "customer_email=jane@example.com", good, 400, ""},

		{"status: by email", "/actions/order_status", `{"customer_email":"jane@example.com","order_id":null}`, "", good, 200,
			`{"data":{"order_id":"1042","status":"shipped","carrier":"UPS","tracking":"1Z999AA10123456784","estimated_delivery":"2025-05-17"}}`},
		{"status: by order id", "/actions/order_status", `{"order_id":"#1043"}`, "", good, 200,
			`{"data":{"order_id":"1043","status":"processing","estimated_delivery":"2025-05-21"}}`},
		{"status: unknown order id", "/actions/order_status", `{"order_id":"77"}`, "", good, 404, `{"error":"I couldn't find order #77."}`},
		{"status: unknown email", "/actions/order_status", `{"customer_email":"x@example.com"}`, "", good, 404, `{"error":"I couldn't find any orders for x@example.com."}`},
		{"status: neither", "/actions/order_status", `{"customer_email":"","order_id":null}`, "", good, 400, `{"error":"I need an order number or the email address the order was placed with."}`},
		{"status: bad signature", "/actions/order_status", `{"order_id":"1042"}`, "", garbage, 401, `{"error":"invalid signature"}`},

		{"refund: an error with 200", "/actions/refund", `{"reason":"broken"}`, "", good, 200, `{"error":"Refunds need a human agent: I've passed your request to the team."}`},
		{"refund: bad signature", "/actions/refund", `{}`, "", missing, 401, `{"error":"invalid signature"}`},

		{"echo", "/actions/echo", `{}`, "", good, 200, `{"message":"Received echo (manual) for conversation conv_test."}`},
		{"echo: bad signature", "/actions/echo", `{}`, "", wrongSecret, 401, `{"error":"invalid signature"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newTestHandler()
			body := []byte(tt.body)
			if tt.body == "" {
				body = platformBody(strings.TrimPrefix(tt.path, "/actions/"), tt.payload)
			}
			var sig string
			switch tt.sig {
			case good:
				sig = sign.Sign(testSecret, body)
			case wrongSecret:
				sig = sign.Sign("some-other-secret", body)
			case otherBody:
				sig = sign.Sign(testSecret, append(body, ' '))
			case garbage:
				sig = "sha256=00"
			}
			w := serve(h, signedRequest(tt.path, body, sig))
			if w.Code != tt.status {
				t.Errorf("status %d, want %d (body %s)", w.Code, tt.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.want == "" {
				if !strings.Contains(w.Body.String(), `"error":"the request body is not the platform's JSON schema`) {
					t.Errorf("body %s", w.Body)
				}
			} else if !sameJSON(t, w.Body.String(), tt.want) {
				t.Errorf("body %s, want %s", w.Body, tt.want)
			}
		})
	}
}

// The data reply keeps the keys in the order a reader expects, since the
// bot composes its sentence in that order.
func TestOrderStatusKeyOrder(t *testing.T) {
	h, _ := newTestHandler()
	body := platformBody("order_status", `{"order_id":"1042"}`)
	w := serve(h, signedRequest("/actions/order_status", body, sign.Sign(testSecret, body)))
	want := `{"data":{"order_id":"1042","status":"shipped","carrier":"UPS","tracking":"1Z999AA10123456784","estimated_delivery":"2025-05-17"}}` + "\n"
	if w.Body.String() != want {
		t.Errorf("body %q, want %q", w.Body, want)
	}
}

func TestRoutesAndMethods(t *testing.T) {
	h, _ := newTestHandler()
	for _, path := range Routes() {
		w := serve(h, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "POST" {
			t.Errorf("GET %s: status %d, Allow %q; want 405 and POST", path, w.Code, w.Header().Get("Allow"))
		}
		if !sameJSON(t, w.Body.String(), `{"error":"method GET not allowed: send a POST"}`) {
			t.Errorf("GET %s: body %s", path, w.Body)
		}
	}
	w := serve(h, signedRequest("/dgbot/action", []byte(`{}`), ""))
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), `"error":"no route /dgbot/action: the mock answers POST on /actions/order_lookup, `) {
		t.Errorf("unknown route: %d %s", w.Code, w.Body)
	}
	big := bytes.Repeat([]byte("x"), maxRequestBody+1)
	if w := serve(h, signedRequest("/actions/echo", big, "")); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over 100 KiB: status %d, want 413", w.Code)
	}
}

// A zero Config uses the demo credentials, so "Bearer " alone never passes.
func TestZeroConfigUsesDemoCredentials(t *testing.T) {
	h := NewHandler(Config{})
	body := platformBody("echo", `{}`)
	if w := serve(h, signedRequest("/actions/echo", body, sign.Sign(DemoSecret, body))); w.Code != 200 {
		t.Errorf("signed with DemoSecret: status %d", w.Code)
	}
	for auth, want := range map[string]int{"Bearer ": 401, "Bearer " + DemoToken: 200} {
		r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(`{"event_type":"on_message_received"}`))
		r.Header.Set("Authorization", auth)
		if w := serve(h, r); w.Code != want {
			t.Errorf("Authorization %q: status %d, want %d", auth, w.Code, want)
		}
	}
}
