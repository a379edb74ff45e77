package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/tui/common"
)

// Every key of every view must be on screen in the full help, and the
// footer must name the help key, at 80 columns as at 120.
func TestHelpFitsAndShowsEveryKey(t *testing.T) {
	km := common.DefaultKeyMap()
	views := []struct {
		name string
		keys help.KeyMap
	}{
		{"conversation", km},
		{"history", common.HistoryKeys{KeyMap: km}},
		{"form", common.FormKeys{KeyMap: km}},
		{"scenarios", common.ScenarioKeys{KeyMap: km}},
		{"picker", common.PickerKeys{KeyMap: km}},
	}
	for _, v := range views {
		for _, width := range []int{80, 120} {
			h := help.New()
			short := helpView(h, v.keys, width)
			if w := lipgloss.Width(short); w > width {
				t.Errorf("%s at %d: footer is %d wide: %q", v.name, width, w, short)
			}
			if !strings.HasSuffix(short, "f1/? help") || strings.Contains(short, "…") {
				t.Errorf("%s at %d: footer %q should end with the help key, uncut", v.name, width, short)
			}

			h.ShowAll = true
			full := helpView(h, v.keys, width)
			if w := lipgloss.Width(full); w > width {
				t.Errorf("%s at %d: full help is %d wide:\n%s", v.name, width, w, full)
			}
			for _, g := range v.keys.FullHelp() {
				for _, b := range g {
					if !strings.Contains(full, b.Help().Key) || !strings.Contains(full, b.Help().Desc) {
						t.Errorf("%s at %d: full help lacks %q %q:\n%s", v.name, width, b.Help().Key, b.Help().Desc, full)
					}
				}
			}
		}
	}
}
