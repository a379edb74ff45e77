package scenarioview

import (
	"context"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/scenarios/watch"
)

// ChangedMsg says a scenario or workspace file under the listed folder
// changed (saved, added, removed).
type ChangedMsg struct{ id int }

// SetWatch turns watching the listed files on or off (off by default, as
// for a caller that runs commands to completion one by one).
func (m *Model) SetWatch(on bool) {
	m.watching = on
	if !on {
		m.unwatch()
	}
}

// watchPath watches the folder of path (the folder itself, or a file's
// folder) until the first batch of changes, in a command, so no file
// system work runs in Update. The list is read again on ChangedMsg, which
// starts the next watch: a "wait for the next change" command, re-armed.
func (m *Model) watchPath(path string) tea.Cmd {
	m.unwatch()
	if !m.watching {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.watchCancel = cancel
	id := m.watchID
	return func() tea.Msg {
		w, err := watch.New()
		if err != nil {
			return nil // no watching: the list is read afresh on every open anyway
		}
		defer w.Close()
		if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
			err = w.Add(filepath.Dir(path))
		} else {
			err = w.AddTree(path)
		}
		if err != nil {
			return nil
		}
		if _, err := w.Next(ctx); err != nil {
			return nil
		}
		return ChangedMsg{id: id}
	}
}

// unwatch stops the watch, and makes a ChangedMsg already sent stale.
func (m *Model) unwatch() {
	m.watchID++
	if m.watchCancel != nil {
		m.watchCancel()
		m.watchCancel = nil
	}
}

// changed reads the list again, unless the view is busy — a run, its
// result or the path line on screen — in which case it asks again shortly,
// so the list is fresh once the user is back on it.
func (m *Model) changed(msg ChangedMsg) tea.Cmd {
	if msg.id != m.watchID {
		return nil
	}
	if m.loading || m.running != "" || m.result != nil || m.typingPath {
		return tea.Tick(time.Second/2, func(time.Time) tea.Msg { return msg })
	}
	return m.load(m.listed, m.listedOwn)
}
