package common

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Hang wraps text to w cells after prefix, indenting the lines that
// follow to the text's start, so a label, a speaker or a step stays a
// column of its own. When fewer than 10 cells would be left for the text,
// prefix and text wrap together instead.
func Hang(prefix, text string, w int) string {
	pw := lipgloss.Width(prefix)
	if w-pw < 10 {
		return lipgloss.NewStyle().Width(w).Render(prefix + text)
	}
	lines := strings.Split(lipgloss.NewStyle().Width(w-pw).Render(text), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = prefix + lines[i]
		} else {
			lines[i] = strings.Repeat(" ", pw) + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
