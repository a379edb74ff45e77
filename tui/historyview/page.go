package historyview

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/tui/common"
	"github.com/actionbench/actionbench/tui/inspector"
)

// Page is the history page: the table, and the inspector of the attempt
// opened from it, beside the table from wideWidth columns, in its place
// below.
type Page struct {
	c         *common.Common
	Table     *Model
	Inspector *inspector.Model
	secrets   []string
	// inspecting: below wideWidth, the inspector is shown in place of
	// the table.
	inspecting bool
	w, h       int
}

// NewPage returns the history page; secrets are masked in the inspector.
func NewPage(c *common.Common, opts Options, secrets []string) *Page {
	insp := inspector.New(c)
	insp.Empty = "No attempt opened. Press enter to inspect the selected row."
	return &Page{c: c, Table: New(c, opts), Inspector: insp, secrets: secrets}
}

// Init opens the table on its newest page, read afresh.
func (p *Page) Init() tea.Cmd {
	p.inspecting = false
	p.Inspector.CloseTranscript()
	return p.Table.Load()
}

// Close stops a text search under way.
func (p *Page) Close() {
	p.Table.Stop()
	p.Inspector.CloseTranscript()
}

// Typing reports whether the filter line has the keys.
func (p *Page) Typing() bool { return p.Table.Filtering() }

// Notice is the table's last error or status line.
func (p *Page) Notice() (string, bool) { return p.Table.Notice() }

// Back steps back: the filter line, the transcript, then (below
// wideWidth) the inspector.
func (p *Page) Back() bool {
	switch {
	case p.Table.Filtering():
		p.Table.CancelFilter()
	case p.Inspector.ShowingTranscript():
		p.Inspector.CloseTranscript() // back to the attempt
	case p.inspecting && !p.wide():
		p.inspecting = false
	default:
		return false
	}
	return true
}

// wideWidth is where the inspector goes beside the table: a row with a
// real conversation id and event name takes about 77 cells, and the
// inspector wants 40. Below, the table has the whole width, its columns
// whole from 80 columns.
const wideWidth = 120

func (p *Page) wide() bool { return p.w >= wideWidth }

// left is the table's width beside the inspector: two thirds, so that a
// row fits at 120 columns.
func (p *Page) left() int { return p.w * 2 / 3 }

// SetSize lays out the table and the inspector.
func (p *Page) SetSize(w, h int) {
	p.w, p.h = w, h
	if p.wide() {
		p.Table.SetSize(common.PaneInner(p.left(), h))
		p.Inspector.SetSize(common.PaneInner(w-p.left(), h))
		return
	}
	p.Table.SetSize(common.PaneInner(w, h))
	p.Inspector.SetSize(common.PaneInner(w, h))
}

// Update handles the table's keys and every result it asked for.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	k := p.c.KeyMap
	switch msg := msg.(type) {
	case OpenedMsg:
		if a, ok := p.Table.Opened(msg); ok {
			if len(p.secrets) > 0 {
				a = a.Redacted(p.secrets...)
			}
			p.Inspector.SetAttempt(a)
			p.inspecting = true
		}
		return nil
	case TranscriptMsg:
		if turns, ok := p.Table.Transcript(msg); ok {
			p.Inspector.SetTranscript(msg.Conversation, turns)
			p.inspecting = true
		}
		return nil
	case tea.KeyMsg:
		switch {
		case p.Table.Filtering():
		case key.Matches(msg, k.Focus) && !p.wide():
			p.inspecting = !p.inspecting
			return nil
		case p.inspecting && !p.wide() && key.Matches(msg, k.PageUp):
			p.Inspector.PageUp()
			return nil
		case p.inspecting && !p.wide() && key.Matches(msg, k.PageDown):
			p.Inspector.PageDown()
			return nil
		}
	}
	return p.Table.Update(msg)
}

// View draws the table beside the inspector or, below wideWidth, one of
// the two.
func (p *Page) View() string {
	s := p.c.Styles
	title := s.Title.Render("History") + s.Faint.Render(" newest first · enter inspect · esc back")
	inspTitle := s.Title.Render("Inspector")
	if p.Inspector.ShowingTranscript() {
		inspTitle = s.Title.Render("Transcript") + s.Faint.Render(" · esc attempt")
	}
	if p.wide() {
		return lipgloss.JoinHorizontal(lipgloss.Top,
			common.Pane(s, title, p.Table.View(), p.left(), p.h, true),
			common.Pane(s, inspTitle, p.Inspector.View(), p.w-p.left(), p.h, false))
	}
	if p.inspecting {
		return common.Pane(s, inspTitle+s.Faint.Render(" · esc table"), p.Inspector.View(), p.w, p.h, true)
	}
	return common.Pane(s, title, p.Table.View(), p.w, p.h, true)
}

// ShortHelp is the page's footer.
func (p *Page) ShortHelp() []key.Binding { return common.HistoryKeys{KeyMap: *p.c.KeyMap}.ShortHelp() }

// FullHelp is the page's help shown on f1.
func (p *Page) FullHelp() [][]key.Binding { return common.HistoryKeys{KeyMap: *p.c.KeyMap}.FullHelp() }
