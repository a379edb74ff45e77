// Package historyview is the workbench's table of the history: every
// attempt, newest first, a page at a time, filtered by outcome, action,
// conversation and text. Every read runs in a tea.Cmd; pages are fetched by
// keyset (ids below the last one seen), so a page costs the same on a
// table of a hundred rows or a million. Text is served by the history's
// text index; text without a word is read a window at a time
// (history.SearchWindow attempts, ~0.1 s each), and the view asks for the
// next window itself until the page is full, showing how far it has read;
// any key that changes the page or the filter leaves the rest unread.
package historyview

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/history/export"
	"github.com/actionbench/actionbench/tui/common"
)

// Store is what the view reads; *history.Store is one.
type Store interface {
	Search(ctx context.Context, f history.Filter, window int64) (history.Page, error)
	Get(ctx context.Context, id int64) (*history.Entry, error)
	Transcript(ctx context.Context, conversation string) ([]history.Turn, error)
}

// Resender sends a stored attempt again and returns the new attempt and
// its id in the history.
type Resender func(ctx context.Context, a *engine.Attempt) (*engine.Attempt, int64, error)

// Options configures the view.
type Options struct {
	Store  Store
	Resend Resender // nil: r does nothing
	// Dir is where x writes attempt-<id>.sh; "" means the current folder.
	Dir string
}

// pageMsg is a page of the table, or one more window of a text search's
// page (more); cursors is the page stack it belongs to.
type pageMsg struct {
	req     int
	cursors []int64
	more    bool
	page    history.Page
	err     error
}

// OpenedMsg is an attempt fetched whole for the inspector.
type OpenedMsg struct {
	req   int
	Entry *history.Entry
	err   error
	// notice replaces the status line once the attempt is open: a resend
	// is reported when the inspector shows it, not before.
	notice string
}

// TranscriptMsg is the selected attempt's conversation, read for the
// inspector.
type TranscriptMsg struct {
	req          int
	Conversation string
	Turns        []history.Turn
	err          error
}

// ResentMsg is an attempt resent from the table and recorded, for the
// conversation it belongs to.
type ResentMsg struct{ Entry *history.Entry }

// statusMsg ends an export or a resend with a line to show. A resend's
// also carries the new attempt, which the table selects once reloaded and
// the inspector opens.
type statusMsg struct {
	line   string
	err    error
	resent *history.Entry
	from   int64 // the attempt resent
}

// Model is the history table.
type Model struct {
	c    *common.Common
	opts Options

	w, h int
	// cursors is the stack of pages: each is the Before of a page shown,
	// 0 for the newest; the last one is the current page.
	cursors []int64
	rows    []history.Summary // the current page
	next    int64             // the Before of the page after it; 0 on the last page
	read    int64             // how many ids the current text search has read
	sel     int
	// resent is a resend's new attempt, to select and open once the table
	// is read again; from is the row it was resent from, selected instead
	// when the filter leaves the new one out; resentLine reports it once
	// it is open.
	resent     *history.Entry
	from       int64
	resentLine string
	query      Query

	pageReq, openReq int // the latest request of each kind; others are stale
	loading          bool

	filtering bool
	input     textinput.Model

	// Latency formats the latency column; tests fix it, as wall-clock
	// latencies would make every screen different.
	Latency func(time.Duration) string
	errLine string
	status  string
}

// New returns the view; Load fetches its first page.
func New(c *common.Common, opts Options) *Model {
	in := textinput.New()
	in.Prompt = "filter: "
	in.Placeholder = "outcome:timeout action:order_lookup conv:conv_1 any text"
	return &Model{c: c, opts: opts, cursors: []int64{0}, input: in, Latency: engine.FormatLatency}
}

// SetSize sets the view's inner size.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.input.Width = max(w-len(m.input.Prompt)-1, 1)
}

// PageSize is how many rows fit: the height less the header and the
// status line.
func (m *Model) PageSize() int { return max(m.h-2, 1) }

// Filtering reports whether the filter input has the keys.
func (m *Model) Filtering() bool { return m.filtering }

// Query is the filter in force.
func (m *Model) Query() Query { return m.query }

// Cursors is the page stack (for tests).
func (m *Model) Cursors() []int64 { return append([]int64(nil), m.cursors...) }

// Rows is the page shown.
func (m *Model) Rows() []history.Summary { return m.rows }

// Selected is the selected row, or nil.
func (m *Model) Selected() *history.Summary {
	rows := m.Rows()
	if m.sel < 0 || m.sel >= len(rows) {
		return nil
	}
	return &rows[m.sel]
}

// Load fetches the newest page again, keeping the filter.
func (m *Model) Load() tea.Cmd {
	return m.fetch([]int64{0})
}

// fetch asks for the page whose Before is the top of cursors.
func (m *Model) fetch(cursors []int64) tea.Cmd {
	if m.opts.Store == nil {
		m.errLine = "no history: the workbench runs without a database"
		return nil
	}
	m.pageReq++
	m.loading = true
	return m.search(m.pageReq, cursors, cursors[len(cursors)-1], m.PageSize(), false)
}

// search reads rows below before for request req; more marks the next
// window of a text search's page.
func (m *Model) search(req int, cursors []int64, before int64, limit int, more bool) tea.Cmd {
	store := m.opts.Store
	f := history.Filter{
		Conversation: m.query.Conversation,
		Action:       m.query.Action,
		Outcome:      m.query.Outcome,
		Text:         m.query.Text,
		Before:       before,
		Limit:        limit,
	}
	return func() tea.Msg {
		page, err := store.Search(context.Background(), f, history.SearchWindow)
		return pageMsg{req: req, cursors: cursors, more: more, page: page, err: err}
	}
}

// Stop leaves the text search under way unread, so that it does not go on
// reading while the view is closed.
func (m *Model) Stop() {
	if m.loading {
		m.pageReq++
		m.loading = false
	}
}

// Opened returns the attempt of an OpenedMsg that answers the latest
// enter, with the error line set when it failed.
func (m *Model) Opened(msg OpenedMsg) (*engine.Attempt, bool) {
	if msg.req != m.openReq {
		return nil, false
	}
	if msg.err != nil {
		m.errLine = msg.err.Error()
		return nil, false
	}
	if msg.notice != "" {
		m.status = msg.notice
	}
	return msg.Entry.Attempt, true
}

// Transcript returns the turns of a TranscriptMsg that answers the latest
// enter or transcript key, with the error line set when it failed.
func (m *Model) Transcript(msg TranscriptMsg) ([]history.Turn, bool) {
	if msg.req != m.openReq {
		return nil, false
	}
	if msg.err != nil {
		m.errLine = msg.err.Error()
		return nil, false
	}
	return msg.Turns, true
}

// Update handles the view's keys and results.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pageMsg:
		if msg.req != m.pageReq {
			return nil // a filter or page since asked for
		}
		m.loading = false
		if msg.err != nil {
			m.errLine = msg.err.Error()
			return nil
		}
		m.errLine = ""
		if !msg.more {
			m.cursors, m.rows, m.read = msg.cursors, nil, 0
		}
		m.rows = append(m.rows, msg.page.Rows...)
		m.next, m.read = msg.page.Next, m.read+msg.page.Searched
		m.sel = min(m.sel, max(len(m.rows)-1, 0))
		more := m.query.Text != "" && m.next > 0 && len(m.rows) < m.PageSize()
		var opened tea.Cmd
		if m.resent != nil && (!more || m.index(m.resent.ID) >= 0) {
			opened = m.settleResend()
		}
		if more {
			// The window ended before the page filled: read the next one.
			m.loading = true
			return tea.Batch(opened, m.search(msg.req, msg.cursors, m.next, m.PageSize()-len(m.rows), true))
		}
		return opened
	case statusMsg:
		if msg.err != nil {
			m.errLine = msg.err.Error()
			return nil
		}
		m.errLine = ""
		if e := msg.resent; e != nil {
			// The new attempt is the newest: back to the first page, where
			// settleResend selects and opens it and then reports it.
			m.resent, m.from, m.resentLine = e, msg.from, msg.line
			return tea.Batch(m.Load(), func() tea.Msg { return ResentMsg{Entry: e} })
		}
		m.status = msg.line
		return nil
	case tea.KeyMsg:
		if m.filtering {
			return m.filterKey(msg)
		}
		return m.key(msg)
	}
	if m.filtering { // the cursor's blink
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return cmd
	}
	return nil
}

// settleResend selects the resent attempt's row and opens it in the
// inspector, so that the marker and the inspector show the same attempt;
// when the filter leaves it out, the row it was resent from stays
// selected and the status line says where the new one went.
func (m *Model) settleResend() tea.Cmd {
	e, from, line := m.resent, m.from, m.resentLine
	m.resent, m.from, m.resentLine = nil, 0, ""
	if i := m.index(e.ID); i >= 0 {
		m.sel = i
		m.openReq++
		opened := OpenedMsg{req: m.openReq, Entry: e, notice: line}
		return func() tea.Msg { return opened }
	}
	if i := m.index(from); i >= 0 {
		m.sel = i
	}
	m.status = line + " (the filter leaves it out of the table)"
	return nil
}

// index is the row of attempt id on the page, or -1.
func (m *Model) index(id int64) int {
	for i, r := range m.rows {
		if r.ID == id {
			return i
		}
	}
	return -1
}

func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.c.KeyMap
	switch {
	case key.Matches(msg, k.Prev):
		m.sel = max(m.sel-1, 0)
	case key.Matches(msg, k.Next):
		m.sel = min(m.sel+1, max(len(m.Rows())-1, 0))
	case key.Matches(msg, k.PageDown):
		if m.next == 0 || m.loading {
			return nil // the last page, or this one is still being read
		}
		m.sel = 0
		return m.fetch(append(m.Cursors(), m.next))
	case key.Matches(msg, k.PageUp):
		if len(m.cursors) < 2 {
			return nil
		}
		m.sel = 0
		return m.fetch(m.cursors[: len(m.cursors)-1 : len(m.cursors)-1])
	case key.Matches(msg, k.Outcome):
		m.query.Outcome = nextOutcome(m.query.Outcome)
		m.sel = 0
		return m.Load()
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.input.SetValue(m.query.String())
		m.input.CursorEnd()
		return m.input.Focus()
	case key.Matches(msg, k.Open):
		return m.open()
	case key.Matches(msg, k.Transcript):
		return m.transcript()
	case key.Matches(msg, k.Resend):
		return m.resend()
	case key.Matches(msg, k.Export):
		return m.export()
	}
	return nil
}

// CancelFilter closes the filter line, leaving the filter in force.
func (m *Model) CancelFilter() {
	m.filtering = false
	m.input.Blur()
}

func (m *Model) filterKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.c.KeyMap.Back):
		m.CancelFilter()
		return nil
	case key.Matches(msg, m.c.KeyMap.Open):
		q, err := ParseQuery(m.input.Value())
		if err != nil {
			m.errLine = err.Error() // the input stays open to fix it
			return nil
		}
		m.filtering = false
		m.input.Blur()
		m.query, m.sel = q, 0
		return m.Load()
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd
}

// get fetches the selected attempt whole, then hands it to then, off the
// Update loop.
func (m *Model) get(then func(context.Context, *history.Entry) tea.Msg) tea.Cmd {
	sel := m.Selected()
	if sel == nil || m.opts.Store == nil {
		return nil
	}
	id, store := sel.ID, m.opts.Store
	return func() tea.Msg {
		ctx := context.Background()
		e, err := store.Get(ctx, id)
		if err != nil {
			return statusMsg{err: err}
		}
		return then(ctx, e)
	}
}

func (m *Model) open() tea.Cmd {
	m.openReq++
	req := m.openReq
	return m.get(func(_ context.Context, e *history.Entry) tea.Msg {
		return OpenedMsg{req: req, Entry: e}
	})
}

// transcript reads the selected attempt's conversation; it answers as a
// TranscriptMsg, and shares open's request id: the later of the two wins.
func (m *Model) transcript() tea.Cmd {
	sel := m.Selected()
	if sel == nil || m.opts.Store == nil {
		return nil
	}
	m.openReq++
	req, conv, store := m.openReq, sel.ConversationID, m.opts.Store
	return func() tea.Msg {
		turns, err := store.Transcript(context.Background(), conv)
		if err != nil {
			err = fmt.Errorf("transcript of %s: %w", conv, err)
		}
		return TranscriptMsg{req: req, Conversation: conv, Turns: turns, err: err}
	}
}

func (m *Model) resend() tea.Cmd {
	resend := m.opts.Resend
	if resend == nil {
		return nil
	}
	m.status = "resending…"
	return m.get(func(ctx context.Context, e *history.Entry) tea.Msg {
		a, id, err := resend(ctx, e.Attempt)
		if err != nil {
			return statusMsg{err: fmt.Errorf("resend attempt %d: %w", e.ID, err)}
		}
		return statusMsg{line: fmt.Sprintf("resent attempt %d as %d: %s", e.ID, id, a.Outcome), resent: &history.Entry{ID: id, Attempt: a}, from: e.ID}
	})
}

func (m *Model) export() tea.Cmd {
	dir := m.opts.Dir
	return m.get(func(_ context.Context, e *history.Entry) tea.Msg {
		path := filepath.Join(dir, fmt.Sprintf("attempt-%d.sh", e.ID))
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"+export.Curl(e.Attempt)), 0o755); err != nil {
			return statusMsg{err: fmt.Errorf("export attempt %d: %w", e.ID, err)}
		}
		return statusMsg{line: fmt.Sprintf("exported attempt %d as cURL to %s", e.ID, path)}
	})
}

// View draws the table: a header, a page of rows and a status line.
func (m *Model) View() string {
	w := max(m.w, 1)
	cut := lipgloss.NewStyle().MaxWidth(w)
	lines := strings.Split(m.table(w), "\n")
	if len(m.Rows()) == 0 && !m.loading {
		lines = append(lines, m.c.Styles.Info.Render(cut.Render("no attempts match")))
	}
	for len(lines) < max(m.h-1, 1) {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n") + "\n" + cut.Render(m.footer())
}

// Notice is the last error, or the last export's or resend's line; the
// workbench shows it on its full-width activity line, where a long path
// or error is not cut at the table's width.
func (m *Model) Notice() (line string, isErr bool) {
	if m.errLine != "" {
		return m.errLine, true
	}
	return m.status, false
}

func (m *Model) footer() string {
	s := m.c.Styles
	if m.filtering {
		return m.input.View()
	}
	parts := []string{fmt.Sprintf("page %d", len(m.cursors))}
	if m.next > 0 && !m.loading {
		parts[0] += " · more"
	}
	if q := m.query.String(); q != "" {
		parts = append(parts, q)
	}
	switch {
	case m.loading && m.query.Text != "":
		parts = append(parts, fmt.Sprintf("searching… %s attempts read", engine.Commas(m.read)))
	case m.loading:
		parts = append(parts, "loading…")
	case m.query.Text != "":
		parts = append(parts, fmt.Sprintf("%s attempts read", engine.Commas(m.read)))
	}
	return s.Faint.Render(strings.Join(parts, " · "))
}
