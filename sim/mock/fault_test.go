package mock

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/sign"
)

func TestFaults(t *testing.T) {
	tests := []struct {
		name        string
		path        string // with the query
		header      string // X-Mock-Fault
		unsigned    bool
		status      int
		contentType string
		check       func(t *testing.T, w *httptest.ResponseRecorder)
	}{
		{name: "slow, then the normal answer", path: "/actions/order_lookup?fault=slow=50ms", status: 200, contentType: "application/json",
			check: bodyIs(`{"message":"Your latest order #1042 is shipped."}`)},
		{name: "slow from the header", path: "/actions/order_lookup", header: "slow=50ms", status: 200, contentType: "application/json",
			check: bodyIs(`{"message":"Your latest order #1042 is shipped."}`)},
		{name: "5xx", path: "/actions/order_lookup?fault=5xx", status: 500, contentType: "text/plain; charset=utf-8",
			check: bodyStarts("Traceback (most recent call last):\n")},
		{name: "5xx whatever the signature", path: "/actions/order_lookup?fault=5xx", unsigned: true, status: 500, contentType: "text/plain; charset=utf-8",
			check: bodyStarts("Traceback (most recent call last):\n")},
		{name: "5xx on the webhook", path: "/webhook?fault=5xx", status: 500, contentType: "text/plain; charset=utf-8",
			check: bodyStarts("Traceback")},
		{name: "oversized", path: "/actions/order_status?fault=oversized", status: 200, contentType: "application/json",
			check: func(t *testing.T, w *httptest.ResponseRecorder) {
				if n := w.Body.Len(); n < 195_000 || n > 210_000 {
					t.Errorf("body is %d bytes, want about 200 KB", n)
				}
				var v struct {
					Data struct{ Orders []map[string]string } `json:"data"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || len(v.Data.Orders) < 100 {
					t.Errorf("body is not the JSON of many orders: %v", err)
				}
			}},
		{name: "notjson", path: "/actions/echo?fault=notjson", status: 200, contentType: "text/html; charset=utf-8",
			check: bodyStarts("<!DOCTYPE html>")},
		{name: "redirect", path: "/actions/echo?fault=redirect", status: 302,
			check: func(t *testing.T, w *httptest.ResponseRecorder) {
				if loc := w.Header().Get("Location"); loc != "http://example.com/elsewhere" {
					t.Errorf("Location %q", loc)
				}
			}},
		{name: "empty", path: "/actions/echo?fault=empty", status: 200, contentType: "application/json",
			check: func(t *testing.T, w *httptest.ResponseRecorder) {
				if w.Body.Len() != 0 {
					t.Errorf("body %q, want none", w.Body)
				}
			}},
		{name: "the query wins over the header", path: "/actions/echo?fault=empty", header: "5xx", status: 200},
		{name: "unknown fault", path: "/actions/echo?fault=explode", status: 400, contentType: "application/json",
			check: bodyContains(`unknown fault \"explode\": the faults are slow (9s, then the normal answer), slow=DURATION (e.g. slow=6s), 5xx`)},
		{name: "unknown fault in the header", path: "/actions/echo", header: "teapot", status: 400, check: bodyContains(`unknown fault \"teapot\"`)},
		{name: "slow without a duration", path: "/actions/echo?fault=slow=soon", status: 400, check: bodyContains(`slow takes a duration up to 5m0s, e.g. slow=6s`)},
		{name: "slow, negative", path: "/actions/echo?fault=slow=-1s", status: 400},
		{name: "slow, too long", path: "/actions/echo?fault=slow=1h", status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, log := newTestHandler()
			route, _, _ := strings.Cut(tt.path, "?")
			body := platformBody(strings.TrimPrefix(route, "/actions/"), `{"customer_email":"jane@example.com","order_id":"1042"}`)
			r := signedRequest(tt.path, body, sign.Sign(testSecret, body))
			if tt.unsigned {
				r.Header.Del(sign.Header)
			}
			if route == "/webhook" {
				r.Header.Set("Authorization", "Bearer "+testToken)
			}
			if tt.header != "" {
				r.Header.Set(FaultHeader, tt.header)
			}
			start := time.Now()
			w := serve(h, r)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d (body %.200s)", w.Code, tt.status, w.Body)
			}
			if tt.contentType != "" && w.Header().Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type %q, want %q", w.Header().Get("Content-Type"), tt.contentType)
			}
			if tt.check != nil {
				tt.check(t, w)
			}
			if strings.Contains(tt.path+tt.header, "slow=50ms") && time.Since(start) < 50*time.Millisecond {
				t.Errorf("answered after %s, want at least 50ms", time.Since(start))
			}
			if tt.status != 400 && !strings.Contains(log.String(), " fault=") {
				t.Errorf("log %q does not name the fault", log)
			}
		})
	}
}

func bodyIs(want string) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, w *httptest.ResponseRecorder) {
		if !sameJSON(t, w.Body.String(), want) {
			t.Errorf("body %s, want %s", w.Body, want)
		}
	}
}

func bodyStarts(prefix string) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, w *httptest.ResponseRecorder) {
		if !strings.HasPrefix(w.Body.String(), prefix) {
			t.Errorf("body %.100q does not start with %q", w.Body, prefix)
		}
	}
}

func bodyContains(part string) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, w *httptest.ResponseRecorder) {
		if !strings.Contains(w.Body.String(), part) {
			t.Errorf("body %s lacks %s", w.Body, part)
		}
	}
}

// A slow request ends as soon as its client goes away, not when the 9 s
// are up, and its log line says so.
func TestSlowEndsWhenClientGoes(t *testing.T) {
	h, log := newTestHandler()
	ctx, cancel := context.WithCancel(context.Background())
	body := platformBody("order_lookup", `{"customer_email":"jane@example.com"}`)
	r := signedRequest("/actions/order_lookup?fault=slow", body, sign.Sign(testSecret, body)).WithContext(ctx)
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- serve(h, r) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case w := <-done:
		if w.Body.Len() != 0 {
			t.Errorf("answered %q to a client that left", w.Body)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the handler still runs 2 s after its client went away")
	}
	want := "2025-05-15 10:30:00 POST /actions/order_lookup fault=slow - client gone "
	if !strings.HasPrefix(log.String(), want) {
		t.Errorf("log %q, want it to start %q", log, want)
	}
}
