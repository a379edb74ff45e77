// Package statusbar draws the workbench's top line: the workspace, the
// policy, the virtual clock and the conversation's rate-limit budget.
package statusbar

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/tui/common"
)

// Info is what the status bar shows.
type Info struct {
	Workspace    string
	Policy       string
	Conversation string
	Now          time.Time // the virtual clock
	Limit        engine.LimitStatus
}

// minWorkspace is how few characters of the workspace's name are kept
// (ellipsis included) before the line is cut at the right edge instead.
const minWorkspace = 8

// View renders the bar at the common width.
//
// The budget is what a developer trying the rate limit watches, so it is
// the last thing to give way: a narrow terminal first loses the
// conversation id, then the clock's date and zone, then the budget's
// wording, then the end of the workspace's name, then the policy. At 80
// columns the demo's line keeps all but the id, the date and the zone.
func View(c *common.Common, in Info) string {
	line := fit(in, c.Width)
	return c.Styles.StatusBar.Width(c.Width).MaxWidth(c.Width).Render(line)
}

// fit returns the widest form of the line that is no wider than width.
func fit(in Info, width int) string {
	frees := !in.Limit.FreesAt.IsZero()
	left := in.Limit.Remaining

	budget := fmt.Sprintf("calls %d of %d left", left, engine.RateLimit)
	if frees {
		budget += fmt.Sprintf(", frees %s (in %s)", in.Limit.FreesAt.UTC().Format("15:04:05"), until(in.Now, in.Limit.FreesAt))
	}
	short := fmt.Sprintf("%d/%d calls left", left, engine.RateLimit)
	if frees {
		short += ", frees in " + until(in.Now, in.Limit.FreesAt)
	}
	policy := "policy " + in.Policy
	date := in.Now.UTC().Format("2006-01-02 15:04 UTC")
	clock := in.Now.UTC().Format("15:04 UTC")
	bare := in.Now.UTC().Format("15:04")

	forms := [][]string{
		{in.Workspace, policy, date, budget, in.Conversation},
		{in.Workspace, policy, date, budget},
		{in.Workspace, policy, clock, budget},
		{in.Workspace, policy, clock, short},
		{in.Workspace, policy, bare, short},
	}
	for _, parts := range forms {
		if line := join(parts); lipgloss.Width(line) <= width {
			return line
		}
	}
	// Shorten the workspace's name to what is left, and leave the policy
	// out if even that is not enough.
	rest := []string{policy, bare, short}
	if room(width, rest) < minWorkspace {
		rest = rest[1:]
	}
	return join(append([]string{ansi.Truncate(in.Workspace, max(room(width, rest), minWorkspace), "…")}, rest...))
}

// room is how many cells the workspace's name has beside rest.
func room(width int, rest []string) int {
	return width - lipgloss.Width(join(append([]string{""}, rest...)))
}

func join(parts []string) string { return " " + strings.Join(parts, " · ") }

func until(now, t time.Time) string {
	d := t.Sub(now).Round(time.Second)
	if d < 0 {
		d = 0
	}
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%dm", d/time.Minute) // "10m", not "10m0s"
	}
	return d.String()
}
