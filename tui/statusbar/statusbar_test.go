package statusbar

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/engine"
)

func TestFitKeepsTheBudget(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)
	spent := engine.LimitStatus{Remaining: 0, FreesAt: now.Add(9*time.Minute + 50*time.Second)}
	fresh := engine.LimitStatus{Remaining: 3}
	demo := Info{Workspace: "the embedded demo", Policy: "workbench", Conversation: "conv_109badd715c5", Now: now}
	long := demo
	long.Workspace = "acme-support-bot-staging (./workspaces/acme.yaml)"

	tests := []struct {
		name  string
		info  Info
		limit engine.LimitStatus
		width int
		want  []string // each must be on the line
	}{
		{"wide, spent", demo, spent, 120, []string{"the embedded demo", "policy workbench", "2026-11-21 10:15 UTC", "calls 0 of 3 left, frees 10:24:50 (in 9m50s)"}},
		{"wide, fresh", demo, fresh, 120, []string{"2026-11-21 10:15 UTC", "calls 3 of 3 left", "conv_109badd715c5"}},
		{"80 columns, fresh", demo, fresh, 80, []string{"the embedded demo", "policy workbench", "calls 3 of 3 left"}},
		{"80 columns, spent", demo, spent, 80, []string{"the embedded demo", "policy workbench", "10:15", "0/3 calls left, frees in 9m50s"}},
		{"80 columns, long name, spent", long, spent, 80, []string{"acme-support", "…", "policy workbench", "0/3 calls left, frees in 9m50s"}},
		{"whole minutes", demo, engine.LimitStatus{FreesAt: now.Add(10 * time.Minute)}, 80, []string{"frees in 10m"}},
		{"seconds", demo, engine.LimitStatus{FreesAt: now.Add(40 * time.Second)}, 80, []string{"frees in 40s"}},
		{"60 columns, spent", demo, spent, 60, []string{"the emb", "10:15", "0/3 calls left, frees in 9m50s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.info
			in.Limit = tt.limit
			line := fit(in, tt.width)
			if w := lipgloss.Width(line); w > tt.width {
				t.Errorf("line is %d cells wide, wider than %d: %q", w, tt.width, line)
			}
			for _, s := range tt.want {
				if !strings.Contains(line, s) {
					t.Errorf("line %q lacks %q", line, s)
				}
			}
		})
	}
}
