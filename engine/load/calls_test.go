package load

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/actionbench/actionbench/engine"
)

// TestCallsJob: a calls load sends its targets in turn, each arrival from
// the conversation its namer gives, the action with the load's variables
// and the event with its fields, the visitor following the conversation.
func TestCallsJob(t *testing.T) {
	type seen struct{ path, visitor, message string }
	var (
		mu  sync.Mutex
		got []seen
	)
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		mu.Lock()
		got = append(got, seen{path: r.URL.Path, visitor: findString(m, "visitor_id"), message: findString(m, "message")})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message":"ok"}`)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	d := engine.New(engine.Options{RootCAs: pool})
	defer d.Close()

	calls := Calls{
		Dispatcher: d,
		Webhook:    engine.Webhook{URL: s.URL + "/webhook", Token: "tok_load_test", Events: []engine.Event{engine.EventMessageReceived}},
		Targets: []Target{
			{Action: engine.Action{ID: "lookup", URL: s.URL + "/action", Secret: "whsec_load_test_1234"}},
			{Event: engine.EventMessageReceived, Fields: engine.SampleFields(engine.EventMessageReceived, "TIC-1")},
		},
		Conversation: func(seq int64) string { return "conv_" + strconv.FormatInt(seq, 10) },
		OneCall:      true,
	}
	job := calls.Job()
	for seq := int64(0); seq < 4; seq++ {
		res := job(context.Background(), Call{Seq: seq})
		if len(res.Attempts) != 1 {
			t.Fatalf("arrival %d: %d attempts", seq, len(res.Attempts))
		}
		a := res.Attempts[0]
		wantKind := []engine.Kind{engine.KindAction, engine.KindEvent}[seq%2]
		if a.Kind != wantKind || a.ConversationID != "conv_"+strconv.FormatInt(seq, 10) || !a.Outcome.Succeeded() {
			t.Errorf("arrival %d: %s in %q, outcome %s (%s); want a %s in conv_%d that succeeded", seq, a.Kind, a.ConversationID, a.Outcome, a.Diagnosis, wantKind, seq)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 4 {
		t.Fatalf("the endpoint got %d requests, want 4", len(got))
	}
	for i, g := range got {
		wantPath := []string{"/action", "/webhook"}[i%2]
		if g.path != wantPath {
			t.Errorf("request %d went to %s, want %s", i, g.path, wantPath)
		}
		if i%2 == 1 && (g.visitor != "v_conv_"+strconv.Itoa(i) || g.message != "Hello, I need help with billing.") {
			t.Errorf("event %d: visitor %q, message %q; want v_conv_%d and the sample message", i, g.visitor, g.message, i)
		}
	}
}

// findString is the first string value under any of keys, anywhere in v.
func findString(v any, keys ...string) string {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range keys {
			if s, ok := v[k].(string); ok {
				return s
			}
		}
		for _, x := range v {
			if s := findString(x, keys...); s != "" {
				return s
			}
		}
	case []any:
		for _, x := range v {
			if s := findString(x, keys...); s != "" {
				return s
			}
		}
	}
	return ""
}
