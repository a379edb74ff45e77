package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/tui/common"
)

// notePage is the least a page can be: common.Page and nothing optional.
type notePage struct {
	c      *common.Common
	opened int
	got    []tea.Msg
	w, h   int
}

type noteMsg string

func (p *notePage) Init() tea.Cmd              { p.opened++; return nil }
func (p *notePage) Update(msg tea.Msg) tea.Cmd { p.got = append(p.got, msg); return nil }
func (p *notePage) SetSize(w, h int)           { p.w, p.h = w, h }
func (p *notePage) ShortHelp() []key.Binding   { return []key.Binding{noteKey, p.c.KeyMap.Help} }
func (p *notePage) FullHelp() [][]key.Binding  { return [][]key.Binding{p.ShortHelp()} }
func (p *notePage) View() string {
	return common.Pane(p.c.Styles, "Notes", "a note page", p.w, p.h, true)
}

var noteKey = key.NewBinding(key.WithKeys("f8"), key.WithHelp("f8", "notes"))

// A page is one registration line: its key opens it, it draws in the body
// with its own footer, gets the keys and every message, and esc (it has
// no Back) or its key again goes back to the conversation, whose input
// has the keys.
func TestARegisteredPageIsShownAndLeft(t *testing.T) {
	m := offline(t)
	p := &notePage{c: m.c}
	m.pages = append(m.pages, page{noteKey, p})
	m.layout()

	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyF8})
	v := m.View()
	if m.cur != common.Page(p) || p.opened != 1 || !strings.Contains(v, "a note page") || !strings.Contains(v, "f8 notes") {
		t.Fatalf("f8: page %T, opened %d; view:\n%s", m.cur, p.opened, v)
	}
	fits(t, v, 80, 24)
	m, _ = update(t, m, runes("x"), noteMsg("a result"))
	if len(p.got) != 2 {
		t.Errorf("the page got %v, want the key and the message", p.got)
	}
	m, _ = update(t, m, tea.KeyMsg{Type: tea.KeyEsc})
	if m.cur != common.Page(m.chat) || m.focus != focusInput {
		t.Errorf("esc: page %T, focus %v; want the conversation's input", m.cur, m.focus)
	}
	m, _ = update(t, m, noteMsg("while away"), tea.KeyMsg{Type: tea.KeyF8}, tea.KeyMsg{Type: tea.KeyF8})
	if m.cur != common.Page(m.chat) || p.opened != 2 || len(p.got) != 3 {
		t.Errorf("f8 twice: page %T, opened %d, messages %d; want back home, opened twice, the message delivered", m.cur, p.opened, len(p.got))
	}
}
