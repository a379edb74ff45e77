package main

import (
	"strings"
	"testing"
)

// Without a terminal the workbench cannot open: the root command teaches
// instead, and still refuses what is not a command.
func TestRootWithoutTerminal(t *testing.T) {
	res := actionbench(t, runOptions{})
	if res.code != exitOK || !strings.Contains(res.stdout, "With no command it opens the workbench") || !strings.Contains(res.stdout, "--visitor-email") {
		t.Errorf("actionbench with no terminal: exit %d, stdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	res = actionbench(t, runOptions{}, "nonsense")
	if res.code != exitBadUsage || !strings.Contains(res.stderr, `unknown command "nonsense"`) {
		t.Errorf("actionbench nonsense: exit %d, stderr:\n%s", res.code, res.stderr)
	}
}

// A mistyped command names the one meant.
func TestUnknownCommandSuggests(t *testing.T) {
	for _, c := range []struct{ arg, want string }{
		{"fier", `did you mean "fire"?`},
		{"histroy", `did you mean "history"?`},
		{"moc", `did you mean "mock"?`},
	} {
		res := actionbench(t, runOptions{}, c.arg)
		if res.code != exitBadUsage || !strings.Contains(res.stderr, c.want) {
			t.Errorf("actionbench %s: exit %d, stderr %q; want %d and %s", c.arg, res.code, res.stderr, exitBadUsage, c.want)
		}
	}
}
