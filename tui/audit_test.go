package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/tui/auditview"
)

// f7 opens the audit page; enter audits the chosen endpoint against the
// demo's mock, which is careful (every check passes, the replay of an
// hour-old request included), each check shown as it is graded; the
// selected check shows what was sent; every request lands in the history
// as kind audit.
func TestAuditPage(t *testing.T) {
	m, store, _ := bench(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "Hi! I'm Acme's")
	tm.Send(tea.KeyMsg{Type: tea.KeyF7})
	waitFor(t, tm, "Audit", "‹ order_lookup ›", "enter sends 36 real requests")
	tm.Send(tea.KeyMsg{Type: tea.KeyRight})
	waitFor(t, tm, "‹ order_status ›")
	tm.Send(tea.KeyMsg{Type: tea.KeyLeft})
	waitFor(t, tm, "‹ order_lookup ›")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "order_lookup: 14 passed, 0 warnings, 0 failed")
	for range 5 {
		tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	}
	waitFor(t, tm, "sent  a correctly signed request whose")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t).(Model)
	var page *auditview.Page
	for _, p := range final.pages {
		if a, ok := p.page.(*auditview.Page); ok {
			page = a
		}
	}
	if page == nil || page.Running() {
		t.Fatalf("audit page %v, still running", page)
	}
	v := final.View()
	fits(t, v, 80, 24)
	if !strings.Contains(v, "▸ pass  replay") || !strings.Contains(v, "401 Unauthorized") || strings.Contains(v, "fix   ") {
		t.Errorf("the selected replay check is not shown refused, without a fix:\n%s", v)
	}

	rows, err := store.List(context.Background(), history.Filter{Kind: engine.KindAudit, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 36 {
		t.Errorf("%d audit attempts in the history, want 36", len(rows))
	}
}
