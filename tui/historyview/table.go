package historyview

import (
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/tui/common"
)

// The table's columns, in order.
const (
	colCursor = iota
	colTime
	colConversation
	colWhat
	colOutcome
	colStatus
	colLatency
	numCols
)

var headers = [numCols]string{"", "TIME", "CONVERSATION", "ACTION/EVENT", "OUTCOME", "HTTP", "LATENCY"}

// minFlexible is how narrow a shrunk column may get: room for a few
// characters and the ellipsis.
const minFlexible = 6

// table draws the header and the page's rows w cells wide, with
// lipgloss/table, which measures and cuts cells by display width, so a
// conversation or action named in wide characters stays in its column.
func (m *Model) table(w int) string {
	rows := m.Rows()
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = summaryCells(r, i == m.sel, m.Latency)
	}
	widths := columnWidths(cells, w)
	s := m.c.Styles
	t := table.New().
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderHeader(false).BorderColumn(false).BorderRow(false).
		Wrap(false). // one line a row: cut with an ellipsis
		Headers(headers[:]...).
		Rows(cells...).
		Width(sum(widths)).
		StyleFunc(func(row, col int) lipgloss.Style {
			st := lipgloss.NewStyle()
			switch {
			case row == table.HeaderRow:
				st = s.Label
			case row == m.sel:
				st = s.Selected
			case row >= 0 && row < len(rows):
				st = s.Outcome(rows[row].Outcome)
			}
			if col != colCursor && col != colLatency {
				st = st.PaddingRight(1) // the gap between columns
			}
			return st.Width(widths[col])
		})
	return t.String()
}

// columnWidths gives each column its widest cell (header included, a
// space of gap after it) and, when they do not fit w, shrinks the widest
// of the conversation, action and outcome columns a cell at a time: the
// time, status and latency are short and always whole.
func columnWidths(cells [][]string, w int) []int {
	widths := make([]int, numCols)
	for c, h := range headers {
		widths[c] = lipgloss.Width(h)
	}
	for _, row := range cells {
		for c, cell := range row {
			widths[c] = max(widths[c], lipgloss.Width(cell))
		}
	}
	for c := range widths {
		if c != colCursor && c != colLatency {
			widths[c]++
		}
	}
	flexible := []int{colConversation, colWhat, colOutcome}
	for sum(widths) > w {
		widest := flexible[0]
		for _, c := range flexible {
			if widths[c] > widths[widest] {
				widest = c
			}
		}
		if widths[widest] <= minFlexible {
			break // too narrow for any table: the pane cuts the rest
		}
		widths[widest]--
	}
	return widths
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func summaryCells(r history.Summary, selected bool, formatLatency func(time.Duration) string) []string {
	what := r.Target()
	if r.Kind == engine.KindEvent {
		what = "→ " + what
	}
	latency := "-"
	if r.Latency > 0 {
		latency = formatLatency(r.Latency)
	}
	return []string{common.Cursor(selected), r.RecordedAt.Local().Format("15:04:05"), r.ConversationID, what, string(r.Outcome), r.StatusText(), latency}
}
