package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

// TestInitStarterRuns writes the starter in an empty folder and runs its
// scenario, unchanged, against `actionbench mock`, with ENDPOINT_URL and
// the credentials in the environment as the starter's comments say: it
// passes. A second init writes nothing and says which files are in the
// way; the CI workflow is YAML that runs the scenarios.
func TestInitStarterRuns(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGINT")
	}
	dir := t.TempDir()
	res := actionbench(t, runOptions{dir: dir}, "init")
	if res.code != 0 {
		t.Fatalf("init: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, f := range starterFiles {
		if !strings.Contains(res.stdout, "wrote "+f.path+"\n") {
			t.Errorf("init did not say it wrote %s:\n%s", f.path, res.stdout)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	certOut := filepath.Join(t.TempDir(), "mock-cert.pem")
	m, url := startMock(t, ctx, "--addr", "127.0.0.1:0", "--cert-out", certOut, "--secret", testSecret, "--token", testToken)
	env := []string{"ENDPOINT_URL=" + url, "ORDER_LOOKUP_SECRET=" + testSecret, "WEBHOOK_TOKEN=" + testToken}
	res = actionbench(t, runOptions{dir: dir, env: env}, "run", "scenarios/", "--ca-file", certOut)
	if res.code != 0 || !strings.Contains(res.stdout, "1 passed, 0 failed") {
		t.Fatalf("run on the starter: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	log, _ := m.stop(t)
	for _, want := range []string{"POST /webhook 200 OK", "POST /actions/order_lookup 200 OK"} {
		if !strings.Contains(log, want) {
			t.Errorf("the mock's log lacks %q:\n%s", want, log)
		}
	}
	// The workspace is the one the commands pick up by default.
	res = actionbench(t, runOptions{dir: dir, env: env}, "__complete", "fire", "")
	if !strings.HasPrefix(res.stdout, "order_lookup\tOrder lookup\n") {
		t.Errorf("completion in the starter folder: %q", res.stdout)
	}

	before, _ := os.ReadFile(filepath.Join(dir, "actionbench.yaml"))
	os.Remove(filepath.Join(dir, "scenarios", "order_lookup.yaml"))
	res = actionbench(t, runOptions{dir: dir}, "init")
	if res.code != 2 || !strings.Contains(res.stderr, "actionbench.yaml, .github/workflows/actionbench.yml already exist") {
		t.Errorf("second init: exit %d, stderr %q", res.code, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "scenarios", "order_lookup.yaml")); err == nil {
		t.Error("a refused init still wrote the scenario")
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "actionbench.yaml")); string(after) != string(before) {
		t.Error("a refused init changed actionbench.yaml")
	}

	var workflow struct {
		Jobs map[string]struct {
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	data, err := os.ReadFile(filepath.Join(dir, ".github", "workflows", "actionbench.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &workflow); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	var runs []string
	for _, s := range workflow.Jobs["scenarios"].Steps {
		runs = append(runs, s.Run)
	}
	if !strings.Contains(strings.Join(runs, "\n"), "actionbench run scenarios/ --junit") {
		t.Errorf("workflow steps run %q", runs)
	}
}
