package historyview

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/tui/common"
)

// page is a full page of the table at 120x40: 33 rows in a 76-cell pane.
func page() *Model {
	m := New(common.New(), Options{})
	m.SetSize(76, 35)
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i := range m.PageSize() {
		m.rows = append(m.rows, history.Summary{
			ID: int64(1000 - i), Kind: engine.KindAction, ActionID: "order_lookup", ConversationID: fmt.Sprintf("conv_%012d", i/3),
			Outcome: engine.Outcomes[i%len(engine.Outcomes)], Status: 200, Latency: time.Duration(i) * time.Millisecond, RecordedAt: at,
		})
	}
	return m
}

// BenchmarkTable draws a page with lipgloss/table, measured against
// BenchmarkSprintfRows, the fixed-width rows it replaced (cut and padded
// by rune count), in the same run: the ratio is what display widths cost
// per frame.
func BenchmarkTable(b *testing.B) {
	m := page()
	for b.Loop() {
		_ = m.View()
	}
}

func BenchmarkSprintfRows(b *testing.B) {
	m := page()
	s := m.c.Styles
	cut := lipgloss.NewStyle().MaxWidth(m.w)
	for b.Loop() {
		lines := make([]string, 0, len(m.rows)+1)
		for i, r := range m.rows {
			line := cut.Render(common.Cursor(i == m.sel) + fmt.Sprintf("%-8s %-16.16s %-21.21s %-15.15s %-4s %s",
				r.RecordedAt.Format("15:04:05"), r.ConversationID, r.Target(), r.Outcome, r.StatusText(), m.Latency(r.Latency)))
			lines = append(lines, s.Outcome(r.Outcome).Render(line))
		}
		_ = strings.Join(lines, "\n") + "\n" + cut.Render(m.footer())
	}
}
