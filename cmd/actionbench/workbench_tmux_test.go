package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// terminal is the real binary in a real terminal: tmux, on a server of
// its own so that no one's sessions are touched.
type terminal struct {
	t       *testing.T
	socket  string
	session string
}

// startTerminal runs command (a shell command line) in dir on a cols×rows
// tmux screen, and ends the server with the test. It skips the test where
// tmux is missing (.ci/run installs it).
func startTerminal(t *testing.T, cols, rows int, dir, command string) *terminal {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	socket := fmt.Sprintf("actionbench-test-%d", time.Now().UnixNano())
	term := &terminal{t: t, socket: socket, session: socket}
	if out, err := term.run("new-session", "-d", "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows), "-s", term.session, "-c", dir, command); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { term.run("kill-server") })
	return term
}

func (term *terminal) run(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", term.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// keys sends tmux key names or text.
func (term *terminal) keys(keys ...string) {
	term.t.Helper()
	if out, err := term.run(append([]string{"send-keys", "-t", term.session}, keys...)...); err != nil {
		term.t.Fatalf("send-keys: %v\n%s", err, out)
	}
}

// screen is what the terminal shows; with escapes, its SGR sequences too.
func (term *terminal) screen(escapes bool) string {
	args := []string{"capture-pane", "-p", "-t", term.session}
	if escapes {
		args = append(args, "-e")
	}
	out, _ := term.run(args...)
	return out
}

// waitFor waits up to 10 s for the screen to show every string.
func (term *terminal) waitFor(want ...string) string {
	term.t.Helper()
	var screen string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		screen = term.screen(false)
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(screen, w)
		}
		if ok {
			return screen
		}
	}
	term.t.Fatalf("the screen never showed %q:\n%s", want, screen)
	return ""
}

func TestWorkbenchInTmux(t *testing.T) {
	dir := t.TempDir()
	// The shell reports how the workbench ended and the terminal's modes
	// after it, then waits to be read.
	command := fmt.Sprintf(`%s --db %s; echo "workbench exited $?"; stty -a; sleep 60`, shellQuote(binary), shellQuote(filepath.Join(dir, "h.db")))
	term := startTerminal(t, 100, 30, dir, "sh -c "+shellQuote(command))
	term.waitFor("Hi! I'm Acme's")
	// tmux sends the text in one burst, which the program reads at once:
	// the words that name keys must still be typed.
	term.keys("where is my order 1042, up or down?", "Enter")
	term.waitFor("you  where is my order 1042, up or down?", "Your latest order #1042 is shipped.")

	// f2 opens the history, newest first.
	term.keys("F2")
	term.waitFor("History", "order_lookup", "on_message_received")

	// ctrl+c ends it, restoring the terminal: the main screen is back
	// (no pane borders) and the line discipline echoes and edits again.
	term.keys("C-c")
	screen := term.waitFor("workbench exited 0", "speed")
	if strings.Contains(screen, "╭") {
		t.Errorf("the workbench's screen is still shown after it ended:\n%s", screen)
	}
	if off := regexp.MustCompile(`(?m)(?:^|\s)-(icanon|echo)(?:\s|$)`).FindString(screen); off != "" {
		t.Errorf("the terminal was left with %s:\n%s", strings.TrimSpace(off), screen)
	}
}

// A workspace file that does not load opens the workbench on the demo,
// with the positioned error on a banner.
func TestWorkbenchBadWorkspaceInTmux(t *testing.T) {
	dir := t.TempDir()
	bad := "chatbot: {id: bot_x, name: X}\nactions:\n  - id: a\n    url: 42\n    secret: s\n    nonsense: [\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	term := startTerminal(t, 120, 30, dir, fmt.Sprintf("%s --db %s --workspace bad.yaml", shellQuote(binary), shellQuote(filepath.Join(dir, "h.db"))))
	term.waitFor("✗ workspace bad.yaml:", "showing the embedded demo instead", "Hi! I'm Acme's")
	term.keys("C-c")
}

// colourSGR matches an SGR sequence that sets a foreground or background
// colour (30–37, 38;…, 40–47, 48;…, 90–97, 100–107), not one that resets it.
var colourSGR = regexp.MustCompile(`\x1b\[(?:[0-9]+;)*(?:3[0-7]|38|4[0-7]|48|9[0-7]|10[0-7])[;m]`)

// Under NO_COLOR the workbench draws no colour, on a terminal that has
// every colour, and the selected attempt still shows, by its ▸.
func TestWorkbenchNoColorInTmux(t *testing.T) {
	for _, tc := range []struct {
		env    string
		colour bool
	}{
		{"", true}, // the control: the same terminal shows colour without NO_COLOR
		{"NO_COLOR=1", false},
	} {
		t.Run(fmt.Sprintf("NO_COLOR=%v", !tc.colour), func(t *testing.T) {
			dir := t.TempDir()
			// termenv, under lipgloss, also takes CI (set by most CI
			// systems) to mean "not a terminal" and CLICOLOR=0 to mean no
			// colour: clear them too, or the control fails on a CI runner.
			command := fmt.Sprintf("env -u NO_COLOR -u CI -u CLICOLOR -u CLICOLOR_FORCE TERM=xterm-256color COLORTERM=truecolor %s %s --db %s", tc.env, shellQuote(binary), shellQuote(filepath.Join(dir, "h.db")))
			term := startTerminal(t, 80, 24, dir, command)
			term.waitFor("Hi! I'm Acme's")
			term.keys("where is my order 1042", "Enter")
			term.waitFor("Your latest order #1042 is shipped.")
			term.keys("Up", "Up")
			term.waitFor("▸ order_lookup (ai_intent) message 200")
			screen := term.screen(true)
			if got := colourSGR.FindString(screen); (got != "") != tc.colour {
				t.Errorf("colour sequences: found %q, want colour %v; the screen:\n%q", got, tc.colour, screen)
			}
			term.keys("C-c")
		})
	}
}
