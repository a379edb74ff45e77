package main

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/actionbench/actionbench/scenarios"
)

type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Suites   []struct {
		Cases []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, path string) junitDoc {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("JUnit file is not XML: %v\n%s", err, data)
	}
	return doc
}

// TestRunExamples runs the shipped examples as a new user would: they
// all pass against the embedded demo, and the JUnit file counts them.
func TestRunExamples(t *testing.T) {
	examples, err := filepath.Abs("../../scenarios/examples")
	if err != nil {
		t.Fatal(err)
	}
	list, errs := scenarios.LoadAll([]string{examples})
	if len(errs) > 0 || len(list) < 15 {
		t.Fatalf("examples: %d scenarios, errors %v", len(list), errs)
	}
	junit := filepath.Join(t.TempDir(), "report.xml")
	res := actionbench(t, runOptions{}, "run", examples, "--junit", junit)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, "\n"+strconv.Itoa(len(list))+" passed, 0 failed\n") {
		t.Errorf("no closing line %q:\n%s", strconv.Itoa(len(list))+" passed, 0 failed", res.stdout)
	}
	doc := readJUnit(t, junit)
	if doc.Tests != len(list) || doc.Failures != 0 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != len(list) {
		t.Errorf("JUnit: %d tests, %d failures, %d cases; want %d, 0, %d", doc.Tests, doc.Failures, len(doc.Suites[0].Cases), len(list), len(list))
	}
}

// TestRunFailingScenario checks a scenario that must fail does fail, and
// says what was expected, what happened and where.
func TestRunFailingScenario(t *testing.T) {
	dir := t.TempDir()
	writeFileIn(t, dir, "wrong.yaml", `name: expects the wrong answer
visitor: {email: jane@example.com}
steps:
  - say: where is my order 1042
  - expect:
      bot: {equals: "Your order was eaten by a dragon."}
      dispatch: {action: order_lookup, status: 201}
`)
	writeFileIn(t, dir, "right.yaml", `name: expects the right answer
visitor: {email: jane@example.com}
steps:
  - say: where is my order 1042
  - expect:
      bot: {contains: "#1042 is shipped"}
`)
	junit := filepath.Join(dir, "report.xml")
	res := actionbench(t, runOptions{}, "run", dir, "--junit", junit)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{
		"wrong.yaml:6:7: bot: expected a reply equal to \"Your order was eaten by a dragon.\", got \"Your latest order #1042 is shipped.\"",
		"wrong.yaml:7:7: dispatch: expected an action call with action order_lookup, status 201, got order_lookup (message): status 200",
		"1 passed, 1 failed",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
	doc := readJUnit(t, junit)
	if doc.Tests != 2 || doc.Failures != 1 {
		t.Errorf("JUnit: %d tests, %d failures; want 2, 1", doc.Tests, doc.Failures)
	}

	res = actionbench(t, runOptions{}, "run", filepath.Join(dir, "wrong.yaml"), "--json")
	var out struct {
		Passed, Failed int
		Scenarios      []struct {
			Failures []struct {
				Line     int    `json:"line"`
				Check    string `json:"check"`
				Expected string `json:"expected"`
			} `json:"failures"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || res.code != 1 {
		t.Fatalf("--json: exit %d, %v\n%s", res.code, err, res.stdout)
	}
	if out.Failed != 1 || len(out.Scenarios[0].Failures) != 2 || out.Scenarios[0].Failures[0].Line != 6 {
		t.Errorf("--json: %+v", out)
	}
}

func TestRunBadScenario(t *testing.T) {
	dir := t.TempDir()
	path := writeFileIn(t, dir, "bad.yaml", "name: typo\nsteps:\n  - sya: hello\n")
	res := actionbench(t, runOptions{}, "run", path)
	if res.code != 2 || res.stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 2 and nothing", res.code, res.stdout)
	}
	if !strings.Contains(res.stderr, "bad.yaml:3:5:") || !strings.Contains(res.stderr, `"say"`) {
		t.Errorf("stderr %q: want the file, line and column and the suggestion", res.stderr)
	}
}

// TestRunHonoursWorkspacePolicy runs a scenario whose workspace says
// policy: production against a loopback endpoint: the call is refused
// before dialling, and the endpoint hears nothing.
func TestRunHonoursWorkspacePolicy(t *testing.T) {
	ep := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		t.Error("the production policy let a call reach a loopback endpoint")
	})
	dir := t.TempDir()
	writeFileIn(t, dir, "prod.workspace.yaml", "chatbot: {id: b, name: B}\npolicy: production\nactions:\n  - id: hook\n    url: "+ep.server.URL+"/hook\n    secret: ${"+testSecretEnv+"}\n")
	writeFileIn(t, dir, "prod.yaml", "name: refused\nworkspace: prod.workspace.yaml\nsteps:\n  - trigger: hook\n  - expect:\n      dispatch: {action: hook, outcome: rejected}\n")
	res := actionbench(t, runOptions{}, "run", dir, "--ca-file", ep.caFile)
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if n := len(ep.requests()); n != 0 {
		t.Errorf("endpoint got %d requests", n)
	}
}

func writeFileIn(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A scenario naming an action or button its workspace lacks is bad input,
// found when the files are checked: exit 2 with the place and a "did you
// mean", and nothing runs.
func TestRunRefusesUnknownNamesBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	bad := writeFileIn(t, dir, "bad.yaml", "name: typo\nsteps:\n  - say: hello\n  - trigger: order_lokup\n")
	click := writeFileIn(t, dir, "click.yaml", "name: click\nsteps:\n  - click: track_ordr\n")
	expect := writeFileIn(t, dir, "expect.yaml", "name: expect\nsteps:\n  - say: where is my order 1042\n  - expect:\n      dispatch: {action: order_lookupp}\n")
	db := filepath.Join(dir, "h.db")
	res := actionbench(t, runOptions{}, "run", "--db", db, bad, click, expect)
	for _, want := range []string{
		bad + `:4:5: trigger names action "order_lokup", which the embedded demo does not define: did you mean "order_lookup"? actions: order_lookup, `,
		click + `:3:5: click names button "track_ordr", which the embedded demo does not define: did you mean "track_order"? buttons: `,
		expect + `:5:7: expect dispatch names action "order_lookupp", which the embedded demo does not define: did you mean "order_lookup"? actions: `,
		"actionbench: 3 scenario file(s) name what their workspace lacks: fix them and run again\n",
	} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks\n%s\ngot:\n%s", want, res.stderr)
		}
	}
	if res.code != exitBadUsage || res.stdout != "" {
		t.Errorf("exit %d, want 2 with nothing run; stdout:\n%s", res.code, res.stdout)
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("the history database was created: something ran")
	}
}
