package scenarioview

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/tui/common"
)

// Page is the scenario view as a page of the workbench, in one pane.
type Page struct {
	*Model
	w, h int
}

// NewPage returns the page of the scenarios under dir.
func NewPage(c *common.Common, dir string, run RunFunc) *Page {
	return &Page{Model: New(c, dir, run)}
}

// Init lists the folder's scenarios, read afresh.
func (p *Page) Init() tea.Cmd { return p.Load() }

// SetSize sets the pane's size.
func (p *Page) SetSize(w, h int) {
	p.w, p.h = w, h
	p.Model.SetSize(common.PaneInner(w, h))
}

// View draws the view in its pane.
func (p *Page) View() string {
	s := p.c.Styles
	title := s.Title.Render("Scenarios") + s.Faint.Render(" ↑↓ choose · enter run · / path · esc back")
	return common.Pane(s, title, p.Model.View(), p.w, p.h, true)
}

// ShortHelp is the page's footer.
func (p *Page) ShortHelp() []key.Binding {
	return common.ScenarioKeys{KeyMap: *p.c.KeyMap}.ShortHelp()
}

// FullHelp is the page's help shown on f1.
func (p *Page) FullHelp() [][]key.Binding {
	return common.ScenarioKeys{KeyMap: *p.c.KeyMap}.FullHelp()
}
