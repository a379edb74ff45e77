package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A saved demo names ${MOCK}, ${DEMO_SECRET} and ${DEMO_TOKEN}; its own
// comment says what to export to run it against `actionbench mock`, and
// doing just that works (a user who saved it got only "MOCK is not set").
func TestSavedDemoAgainstMock(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGINT")
	}
	dir := t.TempDir()
	res := actionbench(t, runOptions{dir: dir}, "demo")
	if res.code != 0 {
		t.Fatalf("demo: exit %d: %s", res.code, res.stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "actionbench.yaml"), []byte(res.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := actionbench(t, runOptions{dir: dir}, "fire", "order_lookup"); res.code != 2 || !strings.Contains(res.stderr, "MOCK") {
		t.Fatalf("saved demo without its variables: exit %d, stderr %q", res.code, res.stderr)
	}
	var exports []string
	for _, line := range strings.Split(res.stdout, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "#   export "); ok {
			exports = strings.Fields(rest)
		}
	}
	if len(exports) != 3 {
		t.Fatalf("the saved demo's comment has no export line of three variables:\n%s", res.stdout)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	certOut := filepath.Join(t.TempDir(), "mock-cert.pem")
	m, url := startMock(t, ctx, "--addr", "127.0.0.1:0", "--cert-out", certOut)
	defer m.stop(t)
	env := make([]string, 0, len(exports))
	for _, e := range exports {
		// The comment names the mock's default address; this one picked a free port.
		env = append(env, strings.Replace(e, "https://127.0.0.1:8443", url, 1))
	}
	res = actionbench(t, runOptions{dir: dir, env: env}, "fire", "order_lookup", "--ca-file", certOut, "--set", "visitor.email=jane@example.com")
	if res.code != 0 || !strings.Contains(res.stdout, "#1042 is shipped") {
		t.Errorf("fire with the comment's exports: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = actionbench(t, runOptions{dir: dir, env: env}, "emit", "on_message_received", "--ca-file", certOut)
	if res.code != 0 {
		t.Errorf("emit with the comment's exports: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}
