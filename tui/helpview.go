package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// helpView is the footer for the view shown, fitted to width.
//
// bubbles/help cuts a line that is too wide with "…", which at 80 columns
// took the help key itself off the footer and most columns off the full
// help. Instead the footer leaves out entries from its end but keeps its
// last, the help key, so it always says how to see the rest; and the full
// help (f1) puts its columns on as many rows as the width needs, so every
// key is on screen.
func helpView(h help.Model, keys help.KeyMap, width int) string {
	h.Width = 0 // fitted here, never cut
	if h.ShowAll {
		return fullHelp(h, keys.FullHelp(), width)
	}
	b := keys.ShortHelp()
	line := h.ShortHelpView(b)
	for len(b) > 1 && lipgloss.Width(line) > width {
		b = slices.Delete(b, len(b)-2, len(b)-1) // the entry before the help key
		line = h.ShortHelpView(b)
	}
	return lipgloss.NewStyle().MaxWidth(width).Render(line)
}

// fullHelp lays out the help's columns left to right, starting a new row
// of columns when the next one would not fit.
func fullHelp(h help.Model, groups [][]key.Binding, width int) string {
	var rows []string
	var row [][]key.Binding
	for _, g := range groups {
		if len(row) > 0 && lipgloss.Width(h.FullHelpView(append(row, g))) > width {
			rows = append(rows, h.FullHelpView(row))
			row = nil
		}
		row = append(row, g)
	}
	if len(row) > 0 {
		rows = append(rows, h.FullHelpView(row))
	}
	return lipgloss.NewStyle().MaxWidth(width).Render(strings.Join(rows, "\n"))
}

func (m Model) helpView() string { return helpView(m.help, m.cur, m.c.Width) }
