// Package statusbar draws the workbench's top line: the workspace, the
// policy, the virtual clock and the conversation's rate-limit budget.
package statusbar

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

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

// View renders the bar at the common width.
func View(c *common.Common, in Info) string {
	s := c.Styles
	budget := fmt.Sprintf("calls %d of %d left", in.Limit.Remaining, engine.RateLimit)
	if !in.Limit.FreesAt.IsZero() {
		budget += fmt.Sprintf(", frees %s (in %s)", in.Limit.FreesAt.UTC().Format("15:04:05"), until(in.Now, in.Limit.FreesAt))
	}
	parts := []string{
		" " + in.Workspace,
		"policy " + in.Policy,
		in.Now.UTC().Format("2006-01-02 15:04 UTC"),
		budget,
		in.Conversation,
	}
	line := strings.Join(parts, " · ")
	// Drop from the right what does not fit: the conversation id first.
	for len(parts) > 1 && lipgloss.Width(line) > c.Width {
		parts = parts[:len(parts)-1]
		line = strings.Join(parts, " · ")
	}
	return s.StatusBar.Width(c.Width).MaxWidth(c.Width).Render(line)
}

func until(now, t time.Time) string {
	d := t.Sub(now).Round(time.Second)
	if d < 0 {
		d = 0
	}
	return d.String()
}
