package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// Files that would cost gigabytes to parse are refused where a user meets
// them — fire, run, and the workbench — with exit 2 and the place and the
// limit. A deep file of a million "[" would take go-yaml minutes and many
// GB, so each case finishing within the helper's 20 s shows the refusal
// came before parsing.
func TestInputLimits(t *testing.T) {
	dir := t.TempDir()
	const ws = "chatbot: {id: b, name: B}\nactions:\n  - id: a\n    url: https://127.0.0.1:1/\n    secret: s\n"
	deep := writeFileIn(t, dir, "deep.yaml", "chatbot: {id: b, name: B}\nactions: "+strings.Repeat("[", 1_000_000)+"\n")
	big := writeFileIn(t, dir, "big.yaml", ws+"    payload:\n      list:\n"+strings.Repeat("        - 0123456789\n", 60_000))
	utf := writeFileIn(t, dir, "utf.yaml", ws+"    payload:\n      note: \"caf\xe9\"\n")
	many := writeFileIn(t, dir, "many.yaml", ws+"    payload:\n      list: ["+strings.Repeat("1,", 140_000)+"1]\n")
	scenario := writeFileIn(t, dir, "deep-scenario.yaml", "name: deep\nsteps:\n  - trigger: order_lookup\n    payload: "+strings.Repeat("{a: ", 200_000)+"\n")
	bigScenario := writeFileIn(t, dir, "big-scenario.yaml", "name: big\nsteps:\n"+strings.Repeat("  - say: "+strings.Repeat("x", 90)+"\n", 50_000))

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"fire, too deep", []string{"fire", "a", "--workspace", deep},
			deep + ":2:73: lists and mappings nest deeper than 64 levels here: a workspace needs far fewer; look for a runaway [ or {"},
		{"fire, too large", []string{"fire", "a", "--workspace", big},
			big + ":49934:17: the workspace is 1.2 MiB, over the 1 MiB limit for a workspace, which ends here: split it, or raise the limit with --max-workspace-size 2MiB"},
		{"fire, too many values", []string{"fire", "a", "--workspace", many},
			many + ":7:262120: the workspace holds more than 131072 values (keys, scalars, lists and mappings) by here, the limit for a workspace of at most 1 MiB: split it, or raise the limit with --max-workspace-size 2MiB"},
		{"fire, not UTF-8", []string{"fire", "a", "--workspace", utf},
			utf + ":7:17: invalid UTF-8 (byte 0xE9): a workspace is UTF-8 text; save it as UTF-8, or write the character as a \\u escape in a double-quoted string"},
		{"run, deep scenario", []string{"run", scenario},
			scenario + ":4:258: lists and mappings nest deeper than 64 levels here: a scenario needs far fewer; look for a runaway [ or {"},
		{"run, scenario too large", []string{"run", bigScenario, "--max-scenario-size", "4KiB"},
			bigScenario + ":43:80: the scenario is 4.8 MiB, over the 4 KiB limit for a scenario, which ends here: split it, or raise the limit with --max-scenario-size 8MiB"},
		{"run, deep workspace of a scenario", []string{"run", writeFileIn(t, dir, "s.yaml", "name: s\nworkspace: deep.yaml\nsteps:\n  - say: hi\n")},
			deep + ":2:73: lists and mappings nest deeper than 64 levels"},
		{"workbench without a terminal", []string{"--workspace", deep},
			deep + ":2:73: lists and mappings nest deeper than 64 levels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := actionbench(t, runOptions{}, tc.args...)
			if res.code != exitBadUsage {
				t.Errorf("exit %d, want 2; stderr:\n%.2000s", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, tc.want) {
				t.Errorf("stderr:\n%.2000s\nwant it to hold\n%s", res.stderr, tc.want)
			}
			if len(res.stderr) > 2000 {
				t.Errorf("stderr is %d bytes: a refusal is a line or two", len(res.stderr))
			}
		})
	}

	// The flag raises the limit: the same file then loads, and fire goes
	// on to say the action is missing.
	res := actionbench(t, runOptions{}, "fire", "nope", "--workspace", big, "--max-workspace-size", "2MiB")
	if res.code != exitBadUsage || !strings.Contains(res.stderr, `no action "nope" in `+big+`: actions: a`) {
		t.Errorf("with --max-workspace-size 2MiB: exit %d, stderr:\n%.2000s", res.code, res.stderr)
	}
	res = actionbench(t, runOptions{}, "fire", "a", "--workspace", big, "--max-workspace-size", "lots")
	if res.code != exitBadUsage || !strings.Contains(res.stderr, `"lots" is not a size`) {
		t.Errorf("--max-workspace-size lots: exit %d, stderr:\n%s", res.code, res.stderr)
	}
}

// A "did you mean" lists at most ten of a workspace's actions, however
// many it has.
func TestMissingActionListsTen(t *testing.T) {
	var b strings.Builder
	b.WriteString("chatbot: {id: b, name: B}\nactions:\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "  - {id: order_%d, url: 'https://127.0.0.1:1/', secret: s}\n", i)
	}
	path := writeFileIn(t, t.TempDir(), "ws.yaml", b.String())
	res := actionbench(t, runOptions{}, "fire", "order_4999x", "--workspace", path)
	want := fmt.Sprintf(`actionbench: no action "order_4999x" in %s: did you mean "order_4999"? actions: order_0, order_1, order_2, order_3, order_4, order_5, order_6, order_7, order_8, order_9 and 4990 more`+"\n", path)
	if res.code != exitBadUsage || res.stderr != want {
		t.Errorf("exit %d, stderr:\n%s\nwant\n%s", res.code, res.stderr, want)
	}
}

// Opening the workbench on a workspace over the limits ends at once, with
// exit 2 and the positioned refusal, rather than showing the demo.
func TestWorkbenchRefusesDeepWorkspaceInTmux(t *testing.T) {
	dir := t.TempDir()
	writeFileIn(t, dir, "deep.yaml", "chatbot: {id: b, name: B}\nactions: "+strings.Repeat("[", 100_000)+"\n")
	term := startTerminal(t, 120, 30, dir, fmt.Sprintf(`%s --db %s --workspace deep.yaml; echo "workbench exited $?"; sleep 60`, shellQuote(binary), shellQuote(filepath.Join(dir, "h.db"))))
	term.waitFor("deep.yaml:2:73: lists and mappings nest deeper than 64 levels", "workbench exited 2")
}
