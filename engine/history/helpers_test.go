package history

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// testDB is a fresh database path in the test's temporary folder.
func testDB(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "state", "history.db")
}

// openTest opens path and closes it when the test ends (a Close the test
// already did makes that second Close fail, which is ignored).
func openTest(t testing.TB, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// rawDB opens path the way another program (or the sqlite3 shell) would,
// for tests that hold locks or look under the API.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", dsn(abs, time.Second, "_txlock=immediate"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// lockDB takes the database's write lock on a connection of its own, the
// way another actionbench mid-transaction would, and returns its release.
func lockDB(t testing.TB, path string) (release func()) {
	t.Helper()
	conn, err := rawDB(t, path).Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatalf("BEGIN EXCLUSIVE: %v", err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
				t.Errorf("ROLLBACK: %v", err)
			}
			_ = conn.Close()
		})
	}
	t.Cleanup(release)
	return release
}

func countRows(t testing.TB, path, table string) int {
	t.Helper()
	var n int
	if err := rawDB(t, path).QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// attemptValues is a's insert arguments (unredacted) as database/sql takes
// them, recorded at recordedAt, for tests that write rows under the API.
func attemptValues(a *engine.Attempt, recordedAt time.Time) []any {
	var (
		r   redactor
		row attemptRow
	)
	r.encodeAttempt(&row, a)
	row.args[0].Value = isoTime(recordedAt)
	values := make([]any, len(row.args))
	for i, arg := range row.args {
		values[i] = arg.Value
	}
	return values
}

// fakeClock is Options.Now for tests: each call moves one second on,
// unless set.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

var t0 = time.Date(2025, 5, 7, 12, 0, 0, 123456789, time.UTC)

// richAction is an action call with every field set, bodies that are not
// UTF-8 included.
func richAction() *engine.Attempt {
	return &engine.Attempt{
		Kind:           engine.KindAction,
		DeliveryID:     "dlv_01HXAMPLE",
		ConversationID: "conv_42",
		ActionID:       "order_lookup",
		Trigger:        engine.Trigger("ai_intent"),
		At:             t0,
		Started:        time.Date(2026, 1, 2, 3, 4, 5, 987654321, time.FixedZone("CET", 3600)),
		Latency:        42*time.Millisecond + 17,
		Request: engine.Request{
			Method: "POST",
			URL:    "https://127.0.0.1:8443/orders?q=1&r=<x>",
			Header: http.Header{
				"Content-Type":      {"application/json"},
				"X-Dgbot-Signature": {"sha256=0123abcd"},
				"X-Multi":           {"one", "two", ""},
			},
			Body: append([]byte(`{"action_id":"order_lookup","payload":{"n":"`), 0xff, 0xfe, 0x00, '"', '}', '}'),
		},
		Response: &engine.Response{
			Status:    200,
			Proto:     "HTTP/1.1",
			Header:    http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-Empty": {}},
			Body:      []byte{'{', 0xc3, 0x28, 0x00, '}'},
			Truncated: true,
		},
		Sent:                  true,
		RemoteAddr:            netip.MustParseAddrPort("[::ffff:127.0.0.1]:8443"),
		Outcome:               engine.OutcomeMessage,
		BotReply:              "Your order ships tomorrow. \xff",
		Diagnosis:             "",
		Warnings:              []string{"template variable {{lead.email}} is unresolved", "both message and data"},
		ProductionWouldReject: []string{"loopback address 127.0.0.1"},
		Limit:                 engine.LimitStatus{Remaining: 1, FreesAt: t0.Add(10 * time.Minute)},
	}
}

// overrideEvent is a webhook that overrode the bot's reply.
func overrideEvent() *engine.Attempt {
	return &engine.Attempt{
		Kind:           engine.KindEvent,
		DeliveryID:     "dlv_evt_1",
		ConversationID: "conv_42",
		Event:          engine.EventBeforeResponseSent,
		At:             t0.Add(time.Second),
		Started:        t0.Add(2 * time.Second),
		Latency:        3 * time.Millisecond,
		Request: engine.Request{
			Method: "POST",
			URL:    "https://hooks.example.com/digireply",
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   []byte(`{"event_type":"before_response_sent"}`),
		},
		Response: &engine.Response{
			Status: 200,
			Proto:  "HTTP/2.0",
			Header: http.Header{},
			Body:   []byte(`{"action":"override_response","response":"Hi from the hook"}`),
		},
		Sent:        true,
		RemoteAddr:  netip.MustParseAddrPort("203.0.113.7:443"),
		Outcome:     engine.OutcomeMessage,
		BotReply:    "Hi from the hook",
		ReplyAction: engine.ReplyOverride,
		Override:    "Hi from the hook",
		Limit:       engine.LimitStatus{Remaining: 3},
	}
}

// rateLimited is an action call refused before sending: no response, no
// address, no latency.
func rateLimited() *engine.Attempt {
	return &engine.Attempt{
		Kind:           engine.KindAction,
		DeliveryID:     "dlv_rl",
		ConversationID: "conv_42",
		ActionID:       "order_lookup",
		Trigger:        engine.Trigger("button_click"),
		At:             t0.Add(time.Minute),
		Request: engine.Request{
			Method: "POST",
			URL:    "https://127.0.0.1:8443/orders",
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   []byte{},
		},
		Outcome:   engine.OutcomeRateLimited,
		BotReply:  "That action is temporarily unavailable.",
		Diagnosis: "rate limit: 3 calls per conversation per 10 minutes",
		Limit:     engine.LimitStatus{Remaining: 0, FreesAt: t0.Add(9 * time.Minute)},
	}
}

// diffAttempt reports every field of got that differs from want; times
// are compared with Equal, since the zone and monotonic reading are not
// stored.
func diffAttempt(t *testing.T, name string, want, got *engine.Attempt) {
	t.Helper()
	check := func(field string, ok bool, w, g any) {
		t.Helper()
		if !ok {
			t.Errorf("%s: %s = %#v, want %#v", name, field, g, w)
		}
	}
	eq := func(field string, w, g any) { t.Helper(); check(field, reflect.DeepEqual(w, g), w, g) }
	tm := func(field string, w, g time.Time) { t.Helper(); check(field, w.Equal(g), w, g) }
	eq("Kind", want.Kind, got.Kind)
	eq("DeliveryID", want.DeliveryID, got.DeliveryID)
	eq("ConversationID", want.ConversationID, got.ConversationID)
	eq("ActionID", want.ActionID, got.ActionID)
	eq("Trigger", want.Trigger, got.Trigger)
	eq("Event", want.Event, got.Event)
	tm("At", want.At, got.At)
	tm("Started", want.Started, got.Started)
	eq("Latency", want.Latency, got.Latency)
	eq("Request.Method", want.Request.Method, got.Request.Method)
	eq("Request.URL", want.Request.URL, got.Request.URL)
	eq("Request.Header", want.Request.Header, got.Request.Header)
	check("Request.Body", bytes.Equal(want.Request.Body, got.Request.Body) &&
		(want.Request.Body == nil) == (got.Request.Body == nil), want.Request.Body, got.Request.Body)
	switch {
	case (want.Response == nil) != (got.Response == nil):
		t.Errorf("%s: Response = %+v, want %+v", name, got.Response, want.Response)
	case want.Response != nil:
		w, g := want.Response, got.Response
		eq("Response.Status", w.Status, g.Status)
		eq("Response.Proto", w.Proto, g.Proto)
		eq("Response.Header", w.Header, g.Header)
		check("Response.Body", bytes.Equal(w.Body, g.Body) && (w.Body == nil) == (g.Body == nil), w.Body, g.Body)
		eq("Response.Truncated", w.Truncated, g.Truncated)
	}
	eq("Sent", want.Sent, got.Sent)
	eq("RemoteAddr", want.RemoteAddr, got.RemoteAddr)
	eq("Outcome", want.Outcome, got.Outcome)
	eq("BotReply", want.BotReply, got.BotReply)
	eq("Diagnosis", want.Diagnosis, got.Diagnosis)
	eq("Warnings", want.Warnings, got.Warnings)
	eq("ProductionWouldReject", want.ProductionWouldReject, got.ProductionWouldReject)
	eq("ReplyAction", want.ReplyAction, got.ReplyAction)
	eq("Override", want.Override, got.Override)
	eq("Limit.Remaining", want.Limit.Remaining, got.Limit.Remaining)
	tm("Limit.FreesAt", want.Limit.FreesAt, got.Limit.FreesAt)
}

// checkOneLine checks that err names the database and fits on one line.
func checkOneLine(t *testing.T, err error, path string) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if !strings.Contains(msg, path) {
		t.Errorf("error %q does not name the database %s", msg, path)
	}
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error %q is more than one line", msg)
	}
}

// queuedWrites is how many writes wait for the writer to take their batch.
func (w *writer) queuedWrites() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, b := range w.full {
		n += len(b.reqs)
	}
	if w.open != nil {
		n += len(w.open.reqs)
	}
	return n
}
