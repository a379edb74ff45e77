package common

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Page is one screen of the workbench: the conversation, the history, the
// scenarios. The workbench shows one page at a time between its status bar
// and its activity line, gives it the keys it does not keep for itself
// (ctrl+c, q, f1/?, the pages' own keys), and every other message, shown
// or not, so that results come home to a page that has been left (pages
// tag their requests and drop stale answers).
type Page interface {
	// Init is called each time the page is shown; it returns the page's
	// first reads (a fresh page of the history, say).
	Init() tea.Cmd
	Update(msg tea.Msg) tea.Cmd
	// View draws the page's whole body, borders included, at its size.
	View() string
	// SetSize is the body's size: the screen less the status bar, the
	// activity and input lines and the help.
	SetSize(width, height int)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// A Page may also implement these; the workbench asks with a type
// assertion.
type (
	// Backer steps back inside the page on esc (a filter line, an
	// attempt opened) and reports whether it did; when it did not, esc
	// leaves the page for the conversation.
	Backer interface{ Back() bool }
	// Typer reports whether a text field of the page has the keys: then q
	// and ? are text, not quit and help.
	Typer interface{ Typing() bool }
	// Closer is told that the page was left, to stop what it runs.
	Closer interface{ Close() }
	// Noticer has a line for the workbench's full-width activity line: an
	// error, or what the last command did.
	Noticer interface {
		Notice() (line string, isErr bool)
	}
)

// WideWidth is the width from which a page puts its inspector beside its
// list; below it, a key swaps one for the other.
const WideWidth = 100

// Pane draws content in a bordered box w wide and h high, title on its
// first line; the focused pane's border is the accent colour.
func Pane(s *Styles, title, content string, w, h int, focused bool) string {
	st := s.Pane
	if focused {
		st = s.PaneFocused
	}
	inner := max(h-2, 1)
	title = lipgloss.NewStyle().MaxWidth(max(w-2, 1)).Render(title)
	return st.Width(max(w-2, 1)).Height(inner).MaxHeight(inner + 2).Render(title + "\n" + content)
}

// PaneInner is the content's size inside a pane of w×h: the borders and
// the title taken off.
func PaneInner(w, h int) (int, int) { return max(w-2, 1), max(h-3, 1) }
