package common

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/engine"
)

// Styles are every style the workbench draws with. Colours are adaptive
// and go through lipgloss, so NO_COLOR and dumb terminals get plain text.
type Styles struct {
	StatusBar lipgloss.Style
	StatusKey lipgloss.Style

	Pane        lipgloss.Style // an unfocused pane's border
	PaneFocused lipgloss.Style
	Title       lipgloss.Style

	Visitor  lipgloss.Style
	Bot      lipgloss.Style
	Skipped  lipgloss.Style
	Info     lipgloss.Style
	Error    lipgloss.Style
	Selected lipgloss.Style

	OK      lipgloss.Style // an attempt that succeeded
	Failed  lipgloss.Style // an attempt that failed
	Limited lipgloss.Style // rate limited or rejected: never sent
	Warn    lipgloss.Style

	Section lipgloss.Style
	Label   lipgloss.Style
	Faint   lipgloss.Style
	BarFull lipgloss.Style
	BarOver lipgloss.Style
	Button  lipgloss.Style
	Prompt  lipgloss.Style
}

// Cursor is the gutter of a list row: "▸ " on the selected row, two
// spaces on the others. The selected row is reversed as well, but reverse
// video is a style, and NO_COLOR or a dumb terminal drops every style: the
// mark is what still shows the selection there.
func Cursor(selected bool) string {
	if selected {
		return "▸ "
	}
	return "  "
}

// DefaultStyles returns the workbench's styles.
func DefaultStyles() Styles {
	green := lipgloss.AdaptiveColor{Light: "#1A7F37", Dark: "#3FB950"}
	red := lipgloss.AdaptiveColor{Light: "#CF222E", Dark: "#F85149"}
	yellow := lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#D29922"}
	accent := lipgloss.AdaptiveColor{Light: "#0969DA", Dark: "#58A6FF"}
	faint := lipgloss.AdaptiveColor{Light: "#6E7781", Dark: "#8B949E"}
	border := lipgloss.RoundedBorder()
	return Styles{
		StatusBar:   lipgloss.NewStyle().Reverse(true),
		StatusKey:   lipgloss.NewStyle().Reverse(true).Bold(true),
		Pane:        lipgloss.NewStyle().Border(border).BorderForeground(faint),
		PaneFocused: lipgloss.NewStyle().Border(border).BorderForeground(accent),
		Title:       lipgloss.NewStyle().Bold(true),
		Visitor:     lipgloss.NewStyle().Bold(true),
		Bot:         lipgloss.NewStyle().Foreground(accent),
		Skipped:     lipgloss.NewStyle().Foreground(faint).Strikethrough(true),
		Info:        lipgloss.NewStyle().Foreground(faint),
		Error:       lipgloss.NewStyle().Foreground(red).Bold(true),
		Selected:    lipgloss.NewStyle().Reverse(true),
		OK:          lipgloss.NewStyle().Foreground(green),
		Failed:      lipgloss.NewStyle().Foreground(red),
		Limited:     lipgloss.NewStyle().Foreground(yellow),
		Warn:        lipgloss.NewStyle().Foreground(yellow),
		Section:     lipgloss.NewStyle().Bold(true).Underline(true),
		Label:       lipgloss.NewStyle().Foreground(faint),
		Faint:       lipgloss.NewStyle().Foreground(faint),
		BarFull:     lipgloss.NewStyle().Foreground(green),
		BarOver:     lipgloss.NewStyle().Foreground(red),
		Button:      lipgloss.NewStyle().Foreground(accent),
		Prompt:      lipgloss.NewStyle().Foreground(accent).Bold(true),
	}
}

// Outcome is the style of an attempt that ended in o: succeeded, never
// sent (rate limited or rejected), or failed.
func (s *Styles) Outcome(o engine.Outcome) lipgloss.Style {
	switch {
	case o.Succeeded():
		return s.OK
	case o == engine.OutcomeRateLimited || o == engine.OutcomeRejected:
		return s.Limited
	}
	return s.Failed
}
