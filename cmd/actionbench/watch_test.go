package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects a running program's output for a test to read.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// watching is a running `actionbench run --watch`.
type watching struct {
	t      *testing.T
	cmd    *exec.Cmd
	out    *lockedBuffer
	offset int
}

// waitFor waits until the output after the last thing waited for holds
// all of want, and returns that output.
func (w *watching) waitFor(want ...string) string {
	w.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		out := w.out.String()[w.offset:]
		all := true
		for _, s := range want {
			if !strings.Contains(out, s) {
				all = false
			}
		}
		if all && strings.Contains(out, "(ctrl-c to stop)\n") {
			w.offset += strings.Index(out, "(ctrl-c to stop)\n") + len("(ctrl-c to stop)\n")
			return out
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("waited for %q; output since the last pass:\n%s", want, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRunWatch edits files under a running `run --watch` through the real
// binary and the real file system: a changed scenario reruns alone, a
// scenario that stops parsing is reported with its line while the rest is
// still watched, a changed workspace reruns everything, and ctrl-c stops
// the loop cleanly.
func TestRunWatch(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("stops the program with an interrupt signal")
	}
	ep := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message": "done"}`)
	})
	dir := t.TempDir()
	ws := writeFileIn(t, dir, "shop.workspace.yaml", "chatbot: {id: b, name: Shop}\nactions:\n  - id: hook\n    url: "+ep.server.URL+"/hook\n    secret: ${"+testSecretEnv+"}\n")
	good := "name: NAME\nworkspace: shop.workspace.yaml\nsteps:\n  - trigger: hook\n  - expect:\n      dispatch: {action: hook, status: 200}\n"
	writeFileIn(t, dir, "a.yaml", strings.ReplaceAll(good, "NAME", "first"))
	writeFileIn(t, dir, "b.yaml", strings.ReplaceAll(good, "NAME", "second"))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "run", "--watch", dir, "--ca-file", ep.caFile)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "NO_COLOR=1", "XDG_STATE_HOME=" + t.TempDir(), testSecretEnv + "=" + testSecret}
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &watching{t: t, cmd: cmd, out: out}
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()

	first := w.waitFor("2 passed, 0 failed", "ran 2; watching 2 file(s)")
	if strings.Count(first, "PASS") != 2 {
		t.Errorf("first pass:\n%s", first)
	}
	calls := len(ep.requests())

	// A scenario edited to expect another status fails, alone.
	writeFileIn(t, dir, "b.yaml", strings.ReplaceAll(strings.ReplaceAll(good, "NAME", "second"), "200", "201"))
	pass := w.waitFor("1 passed, 1 failed", "ran 1;", "b.yaml:6:7: dispatch: expected")
	if strings.Contains(pass, "a.yaml") {
		t.Errorf("a.yaml reran though only b.yaml changed:\n%s", pass)
	}
	if got := len(ep.requests()) - calls; got != 1 {
		t.Errorf("the endpoint got %d calls for one changed scenario", got)
	}

	// A file that no longer parses is shown with its line; the other keeps its result.
	writeFileIn(t, dir, "b.yaml", "name: broken\nsteps:\n  - sya: hello\n")
	w.waitFor("b.yaml:3:5:", "1 passed, 0 failed", "1 file(s) did not load")

	// Fixed again, then the workspace changes: everything reruns.
	writeFileIn(t, dir, "b.yaml", strings.ReplaceAll(good, "NAME", "second"))
	w.waitFor("2 passed, 0 failed", "ran 1;")
	calls = len(ep.requests())
	data, _ := os.ReadFile(ws)
	os.WriteFile(ws, bytes.Replace(data, []byte("name: Shop"), []byte("name: Shop Two"), 1), 0o600)
	w.waitFor("2 passed, 0 failed", "ran 2;")
	if got := len(ep.requests()) - calls; got != 2 {
		t.Errorf("the endpoint got %d calls after the workspace changed, want 2", got)
	}
	// Files the scan leaves out, and other files, cause no pass.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600)

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err != nil {
		t.Fatalf("after ctrl-c: %v\n%s", err, out.String()[w.offset:])
	}
	if rest := out.String()[w.offset:]; strings.TrimSpace(rest) != "stopped watching" {
		t.Errorf("after the last pass:\n%s", rest)
	}
}
