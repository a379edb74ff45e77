package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// auditJSONContract is `audit --json` as scripts read it, spelled out
// here so that a renamed field fails the test.
type auditJSONContract struct {
	Passed   int `json:"passed"`
	Warnings int `json:"warnings"`
	Failed   int `json:"failed"`
	Reports  []struct {
		Target string `json:"target"`
		Kind   string `json:"kind"`
		URL    string `json:"url"`
		Checks []struct {
			ID, Name, Sends, Rule, Answer, Verdict, Why, Fix string
		} `json:"checks"`
	} `json:"reports"`
}

// failing lists "target/check" for every failed check.
func (j auditJSONContract) failing() []string {
	var out []string
	for _, r := range j.Reports {
		for _, c := range r.Checks {
			if c.Verdict == "fail" {
				out = append(out, r.Target+"/"+c.ID)
			}
		}
	}
	return out
}

// The demo's endpoints are careful: every check passes (the replay of an
// hour-old request is refused), the audit prints its plan before its results, writes one JUnit test case per check and
// records every request in the history as an audit attempt.
func TestAuditDemoPasses(t *testing.T) {
	dir := t.TempDir()
	junit := filepath.Join(dir, "audit.xml")
	db := filepath.Join(dir, "history.db")
	res := actionbench(t, runOptions{}, "audit", "order_lookup", "order_status", "--event", "on_message_received",
		"--set", "visitor.email=jane@example.com", "--junit", junit, "--db", db)
	if res.code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", res.code, res.stdout, res.stderr)
	}
	plan := strings.Index(res.stdout, "audit: 81 requests, each a real one, to:")
	first := strings.Index(res.stdout, "  pass  baseline")
	if plan < 0 || first < plan || !strings.Contains(res.stdout[:first], "  action order_lookup, 36 requests:\n    https://127.0.0.1:") {
		t.Errorf("the plan does not come first:\n%s", res.stdout)
	}
	if !strings.Contains(res.stdout, "36 passed, 0 warnings, 0 failed") {
		t.Errorf("summary missing:\n%s", res.stdout)
	}
	for _, line := range strings.Split(res.stdout, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("line wider than 80 columns: %q", line)
		}
	}

	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name      string    `xml:"name,attr"`
				Failure   *struct{} `xml:"failure"`
				SystemOut string    `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if doc.Tests != 16+16+10 || doc.Failures != 0 || len(doc.Suites) != 3 || doc.Suites[2].Name != "audit webhook" {
		t.Errorf("JUnit: %d tests, %d failures, %d suites\n%s", doc.Tests, doc.Failures, len(doc.Suites), data)
	}
	if c := doc.Suites[0].Cases[5]; c.Name != "replay" || c.Failure != nil || strings.HasPrefix(c.SystemOut, "warn: ") {
		t.Errorf("the replay is not a plain pass: %+v", c)
	}

	hist := actionbench(t, runOptions{}, "history", "--db", db, "--kind", "audit", "--json", "-n", "200")
	var kinds []struct {
		Kind           string `json:"kind"`
		ConversationID string `json:"conversation_id"`
	}
	if err := json.Unmarshal([]byte(hist.stdout), &kinds); err != nil {
		t.Fatalf("history --json: %v\n%s", err, hist.stdout)
	}
	if len(kinds) != 81 {
		t.Errorf("%d attempts in the history, want 81", len(kinds))
	}
	for _, k := range kinds {
		if k.Kind != "audit" || !strings.HasPrefix(k.ConversationID, "audit_") {
			t.Errorf("recorded as kind %q in %q, want audit", k.Kind, k.ConversationID)
		}
	}
}

// Against `mock --lax`, exactly the checks for its holes fail, and the
// exit status says so.
func TestAuditLaxMockFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	certOut := filepath.Join(t.TempDir(), "mock-cert.pem")
	m, url := startMock(t, ctx, "--lax", "--addr", "127.0.0.1:0", "--cert-out", certOut, "--secret", testSecret, "--token", testToken)
	defer m.stop(t)
	ws := writeFile(t, "actionbench.yaml", `chatbot: {id: "21", name: Support Bot}
actions:
  - id: echo
    url: `+url+`/actions/echo
    secret: ${`+testSecretEnv+`}
webhook:
  url: `+url+`/webhook
  token: `+testToken+`
  events: [on_message_received]
`)
	res := actionbench(t, runOptions{}, "audit", "--all", "-w", ws, "--ca-file", certOut, "--json")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stderr, "audit: 45 requests, each a real one, to:") {
		t.Errorf("with --json the plan goes to stderr:\n%s", res.stderr)
	}
	var j auditJSONContract
	if err := json.Unmarshal([]byte(res.stdout), &j); err != nil {
		t.Fatalf("%v\n%s", err, res.stdout)
	}
	want := []string{
		"echo/no_signature", "echo/wrong_secret", "echo/tampered", "echo/malformed_signature", "echo/oversize",
		"echo/malformed_json", "echo/schema",
		"webhook/no_authorization", "webhook/wrong_token", "webhook/basic_scheme", "webhook/token_case",
		"webhook/malformed_json", "webhook/oversize",
	}
	if got := j.failing(); !slices.Equal(got, want) {
		t.Errorf("failing checks\n got %v\nwant %v", got, want)
	}
	if j.Failed != len(want) || j.Passed+j.Warnings+j.Failed != 14+8 {
		t.Errorf("counts: %d passed, %d warnings, %d failed", j.Passed, j.Warnings, j.Failed)
	}
	for _, r := range j.Reports {
		for _, c := range r.Checks {
			if c.Verdict == "fail" && (c.Fix == "" || c.Why == "") {
				t.Errorf("%s/%s fails without a why and a fix", r.Target, c.ID)
			}
		}
	}
}

// --dry-run prints what would be sent and where, and sends nothing.
func TestAuditDryRun(t *testing.T) {
	ep := newEndpoint(t, replyJSON(200, `{"message":"ok"}`))
	res := actionbench(t, runOptions{}, "audit", "--all", "-w", writeWorkspace(t, ep.server.URL), "--ca-file", ep.caFile, "--dry-run")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"requests, each a real one, to:", ep.server.URL, "each action gets:", "  no signature: the request without X-DGbot-Signature"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, res.stdout)
		}
	}
	if n := len(ep.requests()); n != 0 {
		t.Errorf("the dry run sent %d requests", n)
	}
}

func TestAuditBadInputAndHelp(t *testing.T) {
	for _, args := range [][]string{
		{"audit"},
		{"audit", "no_such_action"},
		{"audit", "--event", "on_nothing"},
		{"audit", "--all", "order_lookup"},
		{"audit", "order_lookup", "--set", "nonsense"},
	} {
		if res := actionbench(t, runOptions{}, args...); res.code != 2 || !strings.Contains(res.stderr, "actionbench: ") {
			t.Errorf("%v: exit %d, want 2\n%s", args, res.code, res.stderr)
		}
	}
	res := actionbench(t, runOptions{}, "audit", "--help")
	if res.code != 0 || !strings.Contains(res.stdout, "side effects") || !strings.Contains(res.stdout, "that is your call") {
		t.Errorf("--help does not warn about side effects:\n%s", res.stdout)
	}
}
