package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestExportHAR exports the fixture's attempts through the binary as HAR
// and checks the HAR 1.2 structure a browser's network panel needs, and
// that the history filters apply.
func TestExportHAR(t *testing.T) {
	_, _, db := historyFixture(t)
	res := actionbench(t, runOptions{}, "history", "export", "--format", "har", "--db", db)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var har struct {
		Log struct {
			Version string `json:"version"`
			Creator struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"creator"`
			Entries []struct {
				StartedDateTime string   `json:"startedDateTime"`
				Time            *float64 `json:"time"`
				Request         *struct {
					Method      string `json:"method"`
					URL         string `json:"url"`
					HTTPVersion string `json:"httpVersion"`
					Headers     []struct {
						Name  string `json:"name"`
						Value string `json:"value"`
					} `json:"headers"`
					Cookies     []any `json:"cookies"`
					QueryString []any `json:"queryString"`
					HeadersSize *int  `json:"headersSize"`
					BodySize    *int  `json:"bodySize"`
					PostData    *struct {
						MimeType string `json:"mimeType"`
						Text     string `json:"text"`
					} `json:"postData"`
				} `json:"request"`
				Response *struct {
					Status      int    `json:"status"`
					StatusText  string `json:"statusText"`
					HTTPVersion string `json:"httpVersion"`
					Headers     []any  `json:"headers"`
					Cookies     []any  `json:"cookies"`
					Content     *struct {
						Size     *int   `json:"size"`
						MimeType string `json:"mimeType"`
						Text     string `json:"text"`
					} `json:"content"`
					RedirectURL *string `json:"redirectURL"`
					HeadersSize *int    `json:"headersSize"`
					BodySize    *int    `json:"bodySize"`
				} `json:"response"`
				Cache   *struct{} `json:"cache"`
				Timings *struct {
					Send    *float64 `json:"send"`
					Wait    *float64 `json:"wait"`
					Receive *float64 `json:"receive"`
				} `json:"timings"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &har); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, res.stdout)
	}
	l := har.Log
	if l.Version != "1.2" || l.Creator.Name != "actionbench" || l.Creator.Version == "" {
		t.Errorf("log.version %q, creator %+v; want 1.2 and actionbench with a version", l.Version, l.Creator)
	}
	if len(l.Entries) != 3 {
		t.Fatalf("%d entries, want the fixture's 3", len(l.Entries))
	}
	for i, e := range l.Entries {
		if _, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err != nil {
			t.Errorf("entry %d: startedDateTime %q: %v", i, e.StartedDateTime, err)
		}
		if e.Time == nil || e.Request == nil || e.Response == nil || e.Cache == nil || e.Timings == nil ||
			e.Timings.Send == nil || e.Timings.Wait == nil || e.Timings.Receive == nil {
			t.Fatalf("entry %d lacks a field HAR 1.2 requires: %+v", i, e)
		}
		rq, rs := e.Request, e.Response
		if rq.Method != "POST" || !strings.HasPrefix(rq.URL, "https://127.0.0.1:") || rq.HTTPVersion == "" ||
			rq.Cookies == nil || rq.QueryString == nil || rq.HeadersSize == nil || rq.BodySize == nil || rq.PostData == nil {
			t.Errorf("entry %d: request %+v", i, rq)
		}
		if rs.Content == nil || rs.Content.Size == nil || rs.Cookies == nil || rs.Headers == nil || rs.RedirectURL == nil || rs.HeadersSize == nil || rs.BodySize == nil {
			t.Errorf("entry %d: response %+v", i, rs)
		}
		var signed bool
		for _, h := range rq.Headers {
			signed = signed || strings.EqualFold(h.Name, "X-DGbot-Signature")
		}
		if !signed {
			t.Errorf("entry %d: no X-DGbot-Signature among the request headers %+v", i, rq.Headers)
		}
	}
	// Newest first: #3 (conv_b, 200), #2 (ping, 404), #1.
	if rs := l.Entries[1].Response; rs.Status != 404 || rs.StatusText != "Not Found" || !strings.Contains(rs.Content.Text, "No such order") {
		t.Errorf("entry for #2: response %d %q, body %q; want 404 Not Found and its body", rs.Status, rs.StatusText, rs.Content.Text)
	}
	if pd := l.Entries[2].Request.PostData; pd.MimeType != "application/json" || !strings.Contains(pd.Text, "jane@example.com") {
		t.Errorf("entry for #1: postData %+v; want the JSON request body", pd)
	}

	res = actionbench(t, runOptions{}, "history", "export", "--format", "har", "--db", db, "--conversation", "conv_a", "--outcome", "error")
	if err := json.Unmarshal([]byte(res.stdout), &har); err != nil || len(har.Log.Entries) != 1 || har.Log.Entries[0].Response.Status != 404 {
		t.Errorf("filtered export: exit %d, %v, %d entries; want the one 404 of conv_a\n%s", res.code, err, len(har.Log.Entries), res.stderr)
	}
}

// TestExportJSONL exports through the binary as JSON lines: one object per
// line per attempt, with every column of the attempts table.
func TestExportJSONL(t *testing.T) {
	_, _, db := historyFixture(t)
	columns := tableColumns(t, db, "attempts")
	for _, tc := range []struct {
		args []string
		ids  []float64
	}{
		{nil, []float64{3, 2, 1}},
		{[]string{"--text", "no such order"}, []float64{2}},
		{[]string{"--action", "order_lookup", "--since", "1h"}, []float64{3, 1}},
		{[]string{"--event", "on_ticket_created"}, nil},
	} {
		res := actionbench(t, runOptions{}, append([]string{"history", "export", "--format", "jsonl", "--db", db}, tc.args...)...)
		if res.code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, res.code, res.stderr)
		}
		var ids []float64
		sc := bufio.NewScanner(strings.NewReader(res.stdout))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var row map[string]any
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				t.Fatalf("%v: line %q is not a JSON object: %v", tc.args, sc.Text(), err)
			}
			for _, c := range columns {
				if _, ok := row[c]; !ok {
					t.Errorf("%v: line has no %q (every column of attempts): %s", tc.args, c, sc.Text())
				}
			}
			if _, ok := row["request_headers"].(map[string]any); !ok {
				t.Errorf("request_headers is %T, want a JSON object", row["request_headers"])
			}
			ids = append(ids, row["id"].(float64))
		}
		if !slices.Equal(ids, tc.ids) {
			t.Errorf("%v: ids %v, want %v", tc.args, ids, tc.ids)
		}
	}
	if res := actionbench(t, runOptions{}, "history", "export", "1", "--format", "jsonl", "--db", db); res.code != 2 || res.stdout != "" {
		t.Errorf("jsonl with an ID: exit %d, stdout %q; want 2 and nothing", res.code, res.stdout)
	}
}

func tableColumns(t *testing.T, db, table string) []string {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query("SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		t.Fatalf("no table %s in %s", table, db)
	}
	return out
}

// oldHistory copies testdata/history-schema4.db, a file the release before
// the plain schema wrote (fire, emit and run of the example scenarios:
// 53 attempts, 43 turns), to a temporary place.
func oldHistory(t *testing.T) string {
	t.Helper()
	src, err := os.Open(filepath.Join("testdata", "history-schema4.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), "history.db")
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestUpgradeOldHistory opens a file today's release wrote with this
// build: it is upgraded in place, once, and every command reads it.
func TestUpgradeOldHistory(t *testing.T) {
	db := oldHistory(t)
	res := actionbench(t, runOptions{}, "history", "--db", db, "--json", "--limit", "100")
	if res.code != 0 || res.stderr != "" {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
	var rows []struct {
		ID      int64  `json:"id"`
		Outcome string `json:"outcome"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rows); err != nil || len(rows) != 53 || rows[0].ID != 53 {
		t.Fatalf("%d rows, %v; want the file's 53, newest first\n%s", len(rows), err, res.stdout)
	}
	outcomes := map[string]bool{}
	for _, r := range rows {
		outcomes[r.Outcome] = true
	}
	if len(outcomes) != 9 {
		t.Errorf("outcomes %v, want the 9 the file holds", outcomes)
	}
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var version, turns int
	if err := conn.QueryRow("SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM turns)").Scan(&version, &turns); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if version != 5 || turns != 43 {
		t.Errorf("after the upgrade: schema %d, %d turns; want 5 and the file's 43", version, turns)
	}

	show := actionbench(t, runOptions{}, "history", "show", "1", "--db", db)
	if show.code != 0 || !strings.Contains(show.stdout, "order_lookup") || !strings.Contains(show.stdout, "jane@example.com") {
		t.Errorf("show 1 after the upgrade: exit %d\n%s%s", show.code, show.stdout, show.stderr)
	}
	search := actionbench(t, runOptions{}, "history", "--db", db, "--json", "--text", "jane example", "--limit", "100")
	if search.code != 0 || !strings.Contains(search.stdout, `"id": 1,`) && !strings.Contains(search.stdout, `"id":1,`) {
		t.Errorf("--text after the upgrade: exit %d\n%s%s", search.code, search.stdout, search.stderr)
	}
	transcript := actionbench(t, runOptions{}, "history", "export", "--conversation", "conv_tour", "--format", "transcript", "--db", db)
	if transcript.code != 0 || !strings.Contains(transcript.stdout, "**bot**") {
		t.Errorf("transcript after the upgrade: exit %d\n%s%s", transcript.code, transcript.stdout, transcript.stderr)
	}
	jsonl := actionbench(t, runOptions{}, "history", "export", "--format", "jsonl", "--db", db)
	if n := strings.Count(jsonl.stdout, "\n"); jsonl.code != 0 || n != 53 {
		t.Errorf("jsonl after the upgrade: exit %d, %d lines; want 53", jsonl.code, n)
	}
}

// TestNewerHistoryUntouched: a file a newer actionbench wrote is refused
// with a message that says so, and not one byte of it changes.
func TestNewerHistoryUntouched(t *testing.T) {
	db := oldHistory(t)
	conn, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	sum := func() [32]byte {
		data, err := os.ReadFile(db)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(data)
	}
	before := sum()
	for _, args := range [][]string{{"history"}, {"history", "export", "--format", "jsonl"}, {"fire", "order_lookup"}} {
		res := actionbench(t, runOptions{}, append(args, "--db", db)...)
		if res.code != 2 || res.stdout != "" || !strings.Contains(res.stderr, "written by a newer actionbench (schema 99, this build knows 5): upgrade actionbench or use another --db") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and the newer-schema message", args, res.code, res.stdout, res.stderr)
		}
	}
	if after := sum(); !bytes.Equal(before[:], after[:]) {
		t.Error("the newer file changed")
	}
}
