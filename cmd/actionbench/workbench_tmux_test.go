package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWorkbenchInTmux runs the real binary in a real terminal: tmux, on a
// server of its own so that no one's sessions are touched.
func TestWorkbenchInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	dir := t.TempDir()
	socket := fmt.Sprintf("actionbench-test-%d", time.Now().UnixNano())
	session := socket
	tmux := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
		return string(out), err
	}
	command := fmt.Sprintf("%s --db %s", shellQuote(binary), shellQuote(filepath.Join(dir, "h.db")))
	if out, err := tmux("new-session", "-d", "-x", "100", "-y", "30", "-s", session, "-c", dir, command); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { tmux("kill-server") })

	waitScreen := func(want ...string) string {
		t.Helper()
		var screen string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			screen, _ = tmux("capture-pane", "-p", "-t", session)
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(screen, w)
			}
			if ok {
				return screen
			}
		}
		t.Fatalf("the screen never showed %q:\n%s", want, screen)
		return ""
	}
	waitScreen("Hi! I'm Acme's")
	if out, err := tmux("send-keys", "-t", session, "where is my order 1042", "Enter"); err != nil {
		t.Fatalf("send-keys: %v\n%s", err, out)
	}
	waitScreen("Your latest order #1042 is shipped.")

	// f2 opens the history, newest first.
	if out, err := tmux("send-keys", "-t", session, "F2"); err != nil {
		t.Fatalf("send-keys: %v\n%s", err, out)
	}
	waitScreen("History", "order_lookup", "on_message_received")

	if out, err := tmux("send-keys", "-t", session, "C-c"); err != nil {
		t.Fatalf("send-keys: %v\n%s", err, out)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := tmux("has-session", "-t", session); err != nil {
			break // the program ended, and its session with it
		}
		if time.Now().After(deadline) {
			screen, _ := tmux("capture-pane", "-p", "-t", session)
			t.Fatalf("ctrl+c did not end the workbench:\n%s", screen)
		}
	}
}

// A workspace file that does not load opens the workbench on the demo,
// with the positioned error on a banner.
func TestWorkbenchBadWorkspaceInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	dir := t.TempDir()
	bad := "chatbot: {id: bot_x, name: X}\nactions:\n  - id: a\n    url: 42\n    secret: s\n    nonsense: [\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	socket := fmt.Sprintf("actionbench-test-%d", time.Now().UnixNano())
	tmux := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
		return string(out), err
	}
	command := fmt.Sprintf("%s --db %s --workspace bad.yaml", shellQuote(binary), shellQuote(filepath.Join(dir, "h.db")))
	if out, err := tmux("new-session", "-d", "-x", "120", "-y", "30", "-s", socket, "-c", dir, command); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { tmux("kill-server") })
	var screen string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		screen, _ = tmux("capture-pane", "-p", "-t", socket)
		if strings.Contains(screen, "✗ workspace bad.yaml:") && strings.Contains(screen, "showing the embedded demo instead") && strings.Contains(screen, "Hi! I'm Acme's") {
			tmux("send-keys", "-t", socket, "C-c")
			return
		}
	}
	t.Fatalf("the screen never showed the banner over the demo:\n%s", screen)
}
