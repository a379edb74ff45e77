package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/sim/demo"
)

// BenchmarkHistoryPage (ACTIONBENCH_BENCH_ROWS sets the size) measures what a user waits for on a history of
// 100,000 attempts: opening the history view (its first page read and
// drawn) and moving one page down. Keyset paging reads an index range
// below an id, so the figure does not grow with the table.
func BenchmarkHistoryPage(b *testing.B) {
	rows := 100_000
	if n, err := strconv.Atoi(os.Getenv("ACTIONBENCH_BENCH_ROWS")); err == nil && n > 0 {
		rows = n // e.g. 1000000, to see that the figure does not grow
	}
	ctx := context.Background()
	store, err := history.Open(ctx, filepath.Join(b.TempDir(), "h.db"), history.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	outcomes := engine.Outcomes
	pending := make([]*history.Pending, 0, rows)
	for i := range rows {
		a := &engine.Attempt{
			Kind: engine.KindAction, ActionID: fmt.Sprintf("action_%d", i%7), ConversationID: fmt.Sprintf("conv_%d", i/10),
			DeliveryID: fmt.Sprintf("dlv_%d", i), Trigger: engine.TriggerIntent, Outcome: outcomes[i%len(outcomes)],
			At: start.Add(time.Duration(i) * time.Second), Latency: time.Duration(i%900) * time.Millisecond,
		}
		pending = append(pending, store.Submit(ctx, a))
	}
	for _, p := range pending {
		if _, err := p.Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
	ws, err := demo.Load("https://127.0.0.1:1")
	if err != nil {
		b.Fatal(err)
	}
	d := engine.New(engine.Options{})
	b.Cleanup(d.Close)
	var m tea.Model = New(Options{Workspace: ws, Dispatcher: d, History: store, Start: start})
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	step := func(msg tea.Msg) {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		for _, r := range drain(cmd) {
			m, _ = m.Update(r)
		}
		_ = m.View()
	}
	b.ResetTimer()
	for range b.N {
		step(tea.KeyMsg{Type: tea.KeyF2})     // open: the newest page
		step(tea.KeyMsg{Type: tea.KeyPgDown}) // one page down
		b.StopTimer()
		if got := m.(Model).hist.Table.Rows(); len(got) == 0 || got[0].ID >= int64(rows) {
			b.Fatalf("after pgdn the first row is %+v", got)
		}
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyF2}) // back to the conversation
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}
