package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/sim/demo"
)

// BenchmarkStartup measures what actionbench does before its first frame
// (goal: under 300 ms): start the demo's in-process mock, build the
// dispatcher, open the history, build the model, size it and draw it.
// "existing-history" reopens a database; "first-run" creates and migrates
// one. Process start and flag parsing are not included.
func BenchmarkStartup(b *testing.B) {
	for _, firstRun := range []bool{false, true} {
		name := "existing-history"
		if firstRun {
			name = "first-run"
		}
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				path := filepath.Join(dir, "history.db")
				if firstRun {
					path = filepath.Join(dir, fmt.Sprintf("h%d", i), "history.db")
				}
				d, err := demo.Start(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				disp := engine.New(engine.Options{RootCAs: d.RootCAs})
				store, err := history.Open(ctx, path, history.Options{Secrets: d.Workspace.Secrets()})
				if err != nil {
					b.Fatal(err)
				}
				m := New(Options{
					Workspace: d.Workspace, WorkspaceName: demo.Name, Dispatcher: disp, Policy: "workbench",
					Recorder: store, History: store, Visitor: sim.Visitor{Name: "Jane Doe", Email: "jane@example.com"},
				})
				m.Init()
				next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
				if frame := next.View(); len(frame) == 0 {
					b.Fatal("empty first frame")
				}
				b.StopTimer()
				store.Close()
				disp.Close()
				d.Close()
				b.StartTimer()
			}
		})
	}
}
