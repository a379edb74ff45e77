package mock

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/actionbench/actionbench/engine/sign"
)

// Each request is one line; whatever a client sends — the secret as an id,
// the token with something after it, a newline in a field — the log holds
// neither the secret nor the token and stays one line per request.
func TestLog(t *testing.T) {
	h, log := newTestHandler()
	good := platformBody("order_lookup", `{"customer_email":"jane@example.com"}`)
	leaky := []byte(`{"action_id":"order_lookup","conversation_id":"conv_` + testSecret + `","payload":{}}`)
	multiline := []byte(`{"action_id":"echo\nFAKE LINE","conversation_id":"conv_test","trigger":"manual","payload":{}}`)
	webhookReq := func(auth, body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body))
		r.Header.Set("Authorization", auth)
		return r
	}
	requests := []struct {
		req  *http.Request
		line string // a regular expression for the whole line
	}{
		{signedRequest("/actions/order_lookup", good, sign.Sign(testSecret, good)),
			`POST /actions/order_lookup 200 OK \d+ms sig=ok action_id=order_lookup conversation_id=conv_test`},
		{signedRequest("/actions/order_lookup", leaky, "sha256="+testSecret),
			`POST /actions/order_lookup 401 Unauthorized \d+ms sig=bad action_id=order_lookup conversation_id=conv_\[redacted\]`},
		{signedRequest("/actions/echo", multiline, sign.Sign(testSecret, multiline)),
			`POST /actions/echo 200 OK \d+ms sig=ok action_id="echo\\nFAKE LINE" conversation_id=conv_test`},
		{signedRequest("/actions/refund?fault=5xx", good, ""),
			`POST /actions/refund fault=5xx 500 Internal Server Error \d+ms sig=bad action_id=order_lookup conversation_id=conv_test`},
		{webhookReq("Bearer "+testToken, `{"event_type":"on_message_received","intent":"greeting.hello"}`),
			`POST /webhook 200 OK \d+ms auth=ok event_type=on_message_received`},
		{webhookReq("Bearer "+testToken+"-and-more", `{"event_type":"on_ticket_created"}`),
			`POST /webhook 401 Unauthorized \d+ms auth=bad event_type=on_ticket_created`},
		{webhookReq("Bearer "+testToken, `{"event_type":"`+testToken+`"}`),
			`POST /webhook 400 Bad Request \d+ms auth=ok event_type=\[redacted\]`},
		{httptest.NewRequest(http.MethodGet, "/actions/"+testSecret, nil),
			`GET /actions/\[redacted\] 404 Not Found \d+ms`},
		{httptest.NewRequest(http.MethodGet, "/webhook", nil),
			`GET /webhook 405 Method Not Allowed \d+ms`},
	}
	for _, r := range requests {
		serve(h, r.req)
	}
	lines := log.lines()
	if len(lines) != len(requests) {
		t.Fatalf("%d log lines for %d requests:\n%s", len(lines), len(requests), log)
	}
	for i, r := range requests {
		want := "^2025-05-15 10:30:00 " + r.line + "$"
		if !regexp.MustCompile(want).MatchString(lines[i]) {
			t.Errorf("line %d:\n%s\nwant %s", i+1, lines[i], want)
		}
	}
	for _, s := range []string{testSecret, testToken} {
		if strings.Contains(log.String(), s) {
			t.Errorf("the log holds %q:\n%s", s, log)
		}
	}
}

func TestNoLog(t *testing.T) {
	h := NewHandler(Config{Secret: testSecret})
	body := platformBody("echo", `{}`)
	if w := serve(h, signedRequest("/actions/echo", body, sign.Sign(testSecret, body))); w.Code != 200 {
		t.Errorf("status %d", w.Code)
	}
}
