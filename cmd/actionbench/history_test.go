package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/sign"
)

// TestRateLimitAcrossRuns fires one conversation four times from four
// processes sharing a history: the fourth is a limit hit.
func TestRateLimitAcrossRuns(t *testing.T) {
	ep := newEndpoint(t, replyJSON(200, `{"message":"ok"}`))
	ws := writeWorkspace(t, ep.server.URL)
	db := filepath.Join(t.TempDir(), "history.db")
	fire := func(conversation string) result {
		return actionbench(t, runOptions{}, "fire", "order_lookup", "-w", ws, "--ca-file", ep.caFile, "--db", db, "-c", conversation, "--json")
	}
	for i := 1; i <= 3; i++ {
		if res := fire("conv_limit"); res.code != 0 {
			t.Fatalf("call %d: exit %d\n%s%s", i, res.code, res.stdout, res.stderr)
		}
	}
	res := fire("conv_limit")
	j := decodeFire(t, res.stdout)
	if res.code != 1 || j.Outcome != "rate_limited" {
		t.Fatalf("4th call: exit %d, outcome %q; want 1 and rate_limited", res.code, j.Outcome)
	}
	if !strings.Contains(j.Diagnosis, "window frees at") {
		t.Errorf("diagnosis %q does not say when the window frees", j.Diagnosis)
	}
	if n := len(ep.requests()); n != 3 {
		t.Errorf("endpoint got %d requests, want 3", n)
	}
	if res := fire("conv_other"); res.code != 0 {
		t.Errorf("another conversation: exit %d", res.code)
	}
}

// historyFixture fires a few attempts into a fresh database.
func historyFixture(t *testing.T) (ep *endpoint, ws, db string) {
	ep = newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, pingPath) {
			replyJSON(404, `{"error":"No such order"}`)(w, r)
			return
		}
		replyJSON(200, `{"message":"Your order is on the way."}`)(w, r)
	})
	ws = writeWorkspace(t, ep.server.URL)
	db = filepath.Join(t.TempDir(), "history.db")
	for _, args := range [][]string{
		{"fire", "order_lookup", "-c", "conv_a", "--set", "visitor.email=jane@example.com"},
		{"fire", "ping", "-c", "conv_a"},
		{"fire", "order_lookup", "-c", "conv_b"},
	} {
		res := actionbench(t, runOptions{}, append(args, "-w", ws, "--ca-file", ep.caFile, "--db", db)...)
		if res.code > 1 {
			t.Fatalf("%v: exit %d\n%s", args, res.code, res.stderr)
		}
	}
	return ep, ws, db
}

func TestHistoryList(t *testing.T) {
	_, _, db := historyFixture(t)
	res := actionbench(t, runOptions{}, "history", "--db", db)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("want a header and 3 rows, newest first:\n%s", res.stdout)
	}
	for i, want := range []string{`^3\s.*conv_b\s+order_lookup\s+message\s+200\s`, `^2\s.*conv_a\s+ping\s+error\s+404\s`, `^1\s.*conv_a\s+order_lookup\s+message\s+200\s`} {
		if !regexp.MustCompile(want).MatchString(lines[i+1]) {
			t.Errorf("row %d = %q, want it to match %s", i+1, lines[i+1], want)
		}
	}

	filters := []struct {
		args []string
		ids  []int64
	}{
		{[]string{"--conversation", "conv_a"}, []int64{2, 1}},
		{[]string{"--outcome", "error"}, []int64{2}},
		{[]string{"--action", "order_lookup", "--limit", "1"}, []int64{3}},
		{[]string{"--before", "3", "--limit", "1"}, []int64{2}},
		{[]string{"--since", "1h"}, []int64{3, 2, 1}},
		{[]string{"--event", "on_ticket_created"}, nil},
		{[]string{"--text", "NO SUCH ORDER"}, []int64{2}},    // the response body, any case
		{[]string{"--text", "jane@example.com"}, []int64{1}}, // the request body
		{[]string{"--text", "on the way", "--conversation", "conv_b"}, []int64{3}},
		{[]string{"--text", "x-dgbot-signature: sha256="}, []int64{3, 2, 1}}, // a header's name, then its value: words side by side
		{[]string{"--text", "signature jane"}, nil},                          // words side by side, not anywhere
		{[]string{"--text", "sha256="}, []int64{3, 2, 1}},                    // a header value
		{[]string{"--text", testSecret}, nil},                                // never stored
	}
	for _, f := range filters {
		res := actionbench(t, runOptions{}, append([]string{"history", "--db", db, "--json"}, f.args...)...)
		var rows []struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal([]byte(res.stdout), &rows); err != nil || res.code != 0 {
			t.Fatalf("%v: exit %d, %v\n%s%s", f.args, res.code, err, res.stdout, res.stderr)
		}
		var ids []int64
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(f.ids) {
			t.Errorf("%v: ids %v, want %v", f.args, ids, f.ids)
		}
	}

	for _, bad := range [][]string{{"--outcome", "mesage"}, {"--since", "yesterday"}, {"--event", "nope"}, {"--limit", "0"}} {
		if res := actionbench(t, runOptions{}, append([]string{"history", "--db", db}, bad...)...); res.code != 2 || res.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing", bad, res.code, res.stdout)
		}
	}
}

func TestHistoryShow(t *testing.T) {
	_, _, db := historyFixture(t)
	res := actionbench(t, runOptions{}, "history", "show", "2", "--db", db)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{"error  404 Not Found", "diagnosis:", "request: POST https://127.0.0.1:", "X-DGbot-Signature: sha256=", `"action_id": "ping"`, "response: 404", `"error": "No such order"`} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, res.stdout)
		}
	}
	if res := actionbench(t, runOptions{}, "history", "show", "99", "--db", db); res.code != 2 || !strings.Contains(res.stderr, "no attempt 99") {
		t.Errorf("missing id: exit %d, stderr %q", res.code, res.stderr)
	}
	if res := actionbench(t, runOptions{}, "history", "show", "abc", "--db", db); res.code != 2 {
		t.Errorf("bad id: exit %d", res.code)
	}
}

// TestExportCurlReplays runs the exported command with the real curl
// against the endpoint: the request it sends verifies with the secret and
// has the same body.
func TestExportCurlReplays(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	ep, _, db := historyFixture(t)
	res := actionbench(t, runOptions{}, "history", "export", "1", "--format", "curl", "--db", db)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	command := strings.Replace(res.stdout, "curl -sS", curl+" -sS --cacert "+shellQuote(ep.caFile), 1)
	before := len(ep.requests())
	out, err := exec.Command("sh", "-c", command).CombinedOutput()
	if err != nil {
		t.Fatalf("running the export: %v\n%s\ncommand:\n%s", err, out, res.stdout)
	}
	reqs := ep.requests()
	if len(reqs) != before+1 {
		t.Fatalf("the endpoint got %d new requests, want 1", len(reqs)-before)
	}
	replay, original := reqs[len(reqs)-1], reqs[0]
	if string(replay.body) != string(original.body) {
		t.Errorf("replayed body differs:\n%s\nwant\n%s", replay.body, original.body)
	}
	if !sign.Verify(testSecret, replay.body, replay.header.Get(sign.Header)) {
		t.Error("the replayed signature does not verify")
	}
	if replay.header.Get("X-DGbot-Delivery") != original.header.Get("X-DGbot-Delivery") {
		t.Error("the replay carries another delivery id")
	}
	if !strings.Contains(string(out), "Your order is on the way.") {
		t.Errorf("curl printed %q, want the endpoint's answer", out)
	}
}

func TestExportTranscript(t *testing.T) {
	_, _, db := historyFixture(t)
	res := actionbench(t, runOptions{}, "history", "export", "--conversation", "conv_a", "--format", "transcript", "--db", db)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	want := []string{"# Conversation conv_a", "action `order_lookup` (manual): message, 200", "**bot**: Your order is on the way.", "action `ping` (manual): error, 404", "**bot**: Sorry, I couldn't complete that: No such order"}
	last := -1
	for _, w := range want {
		i := strings.Index(res.stdout, w)
		if i < 0 || i < last {
			t.Errorf("transcript lacks %q in order:\n%s", w, res.stdout)
		}
		last = i
	}
	if strings.Contains(res.stdout, "conv_b") {
		t.Error("the transcript shows another conversation")
	}
}

// TestBadDatabase checks each unusable --db gives exit 2 and one line that
// says what to do.
func TestBadDatabase(t *testing.T) {
	dir := t.TempDir()
	notSQLite := filepath.Join(dir, "notes.txt")
	os.WriteFile(notSQLite, []byte("these are my notes, not a database\n"), 0o600)
	newer := filepath.Join(dir, "newer.db")
	if conn, err := sql.Open("sqlite3", newer); err == nil {
		conn.Exec("PRAGMA user_version = 999")
		conn.Close()
	}
	parentIsFile := filepath.Join(notSQLite, "history.db")
	cases := []struct{ name, db, want string }{
		{"not SQLite", notSQLite, "not"},
		{"newer schema", newer, "newer"},
		{"parent is a file", parentIsFile, parentIsFile},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := actionbench(t, runOptions{}, "history", "--db", tc.db)
			if res.code != 2 || res.stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", res.code, res.stdout)
			}
			if lines := strings.Count(strings.TrimSpace(res.stderr), "\n"); lines != 0 || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("stderr %q: want one line mentioning %q", res.stderr, tc.want)
			}
		})
	}
	if data, _ := os.ReadFile(notSQLite); !strings.HasPrefix(string(data), "these are my notes") {
		t.Error("opening a non-database file changed it")
	}
}

// TestSearchRowsWindowByWindow: history --text with text the index cannot
// serve reads window after window until it has its rows or the history
// ends, counting the attempts read after each window that left it short.
func TestSearchRowsWindowByWindow(t *testing.T) {
	ctx := context.Background()
	store, err := history.Open(ctx, filepath.Join(t.TempDir(), "h.db"), history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for id := 1; id <= 30; id++ {
		a := &engine.Attempt{Kind: engine.KindAction, ConversationID: "conv_s", ActionID: "order_lookup", Outcome: engine.OutcomeMessage, BotReply: "Your order ships soon."}
		if id == 3 || id == 14 || id == 26 {
			a.BotReply = "Your REFUND is on its way :-)"
		}
		if _, err := store.Record(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		text     string
		limit    int
		ids      string
		progress string
	}{
		// Text without a word is read window by window.
		{":-)", 10, "[26 14 3]", "[10 20]"}, // windows 21–30, 11–20, 1–10; short after the first two
		{":-)", 2, "[26 14]", "[10]"},       // full after the second window
		{":-)", 1, "[26]", "[]"},            // full after the first
		// A word is served by the text index whole: no window, no progress.
		{"refund", 10, "[26 14 3]", "[]"},
	} {
		var progress []int64
		rows, err := searchRows(ctx, store, history.Filter{Text: tc.text, Limit: tc.limit}, 10, func(read int64) { progress = append(progress, read) })
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if fmt.Sprint(ids) != tc.ids || fmt.Sprint(progress) != tc.progress {
			t.Errorf("%q, limit %d: ids %v, progress %v; want %s and %s", tc.text, tc.limit, ids, progress, tc.ids, tc.progress)
		}
	}
}
