// Package tui is actionbench's workbench: chat with the simulated bot as
// a visitor, watch every action call and webhook it fires, and inspect
// each request and response.
//
// The workbench shows one page at a time (common.Page) between its status
// bar and its activity, input and help lines: the conversation (chat.go),
// the history (package historyview), the scenarios (package
// scenarioview) and the endpoint audit (package auditview). The Model keeps only what is global: ctrl+c, q, the help
// and the keys that switch pages; everything else goes to the current page.
//
// To add a page:
//
//  1. Write a package under tui/ with a type that implements common.Page
//     (Init, Update, View, SetSize, ShortHelp, FullHelp) and, as it needs,
//     common.Backer (esc steps back inside it), common.Typer (a text field
//     has the keys), common.Closer (stop work when left) and
//     common.Noticer (a line for the activity line). It gets the shared
//     *common.Common in its constructor; its messages and their request
//     ids live beside it, and its I/O runs in tea.Cmds.
//  2. Give it a key in common.KeyMap (DefaultKeyMap, and the last column
//     of KeyMap.FullHelp so the conversation's help lists it), and add one
//     line to the pages New registers: {k.YourKey, yourpkg.New(c, …)}.
//     The key opens the page and, pressed again, goes back to the
//     conversation.
//
// The page's help is its ShortHelp and FullHelp; its size is the body
// between the status bar and the activity line (common.Pane draws a
// bordered pane in it, common.WideWidth is where two panes fit side by
// side).
package tui

import (
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/tui/auditview"
	"github.com/actionbench/actionbench/tui/common"
	"github.com/actionbench/actionbench/tui/historyview"
	"github.com/actionbench/actionbench/tui/loadview"
	"github.com/actionbench/actionbench/tui/scenarioview"
)

// Options configures the workbench.
type Options struct {
	Workspace     *bot.Workspace
	WorkspaceName string // how the status bar names it
	Dispatcher    *engine.Dispatcher
	// ScenarioDispatcher picks the dispatcher for a scenario's workspace,
	// one per address policy (scenarios.Dispatchers.For). Without it the
	// scenario view runs only workspaces with the workbench's own policy.
	ScenarioDispatcher func(*bot.Workspace) *engine.Dispatcher
	Policy             string // the dispatcher's address policy, for the status bar
	// Recorder, when set, receives every attempt and turn.
	Recorder sim.Recorder
	// Example is the message the empty message box suggests; "" takes
	// the first plain-text pattern of the workspace's intents.
	Example string
	// Visitor is who the simulated visitor is.
	Visitor sim.Visitor
	// Secrets are masked wherever the inspector shows them.
	Secrets []string
	// History, when set, is what the history view (f2) reads.
	History historyview.Store
	// LoadHistory, when set, is where the load page (f4) records its runs
	// as actionbench load does: a runs row, and an attempt per call.
	LoadHistory *history.Store
	// ExportDir is where the history view writes attempt-<id>.sh; "" is
	// the current folder.
	ExportDir string
	// ScenarioDir is the folder the scenario view (f3) lists; "" is
	// ./scenarios.
	ScenarioDir string
	// WatchScenarios reads the scenario view's list again when its files
	// change (a command that waits for the change, re-armed).
	WatchScenarios bool
	// Notice, when set, is shown as a banner above the workbench: a
	// workspace that did not load, say.
	Notice string
	// Start is where each conversation's virtual clock starts; zero means now.
	Start time.Time
	// NewConversationID names each new conversation; nil makes ids up.
	NewConversationID func() string
}

// page is a registered page and the key that opens it.
type page struct {
	key  key.Binding
	page common.Page
}

// Model is the workbench's Bubble Tea model.
type Model struct {
	c    *common.Common
	opts *Options
	help help.Model

	*chat // the conversation, the home page
	hist  *historyview.Page
	scen  *scenarioview.Page

	pages []page
	cur   common.Page // the page shown: chat or one of pages

	initCmd tea.Cmd // the greeting, started by New so its id is known
}

// New returns the workbench; Init greets the visitor.
func New(opts Options) Model {
	c := common.New()
	o := &opts
	ch := newChat(c, o)
	dir := opts.ScenarioDir
	if dir == "" {
		dir = "scenarios"
	}
	m := Model{c: c, opts: o, help: help.New(), chat: ch}
	m.hist = historyview.NewPage(c, historyview.Options{Store: opts.History, Resend: ch.resend, Dir: opts.ExportDir}, opts.Secrets)
	m.scen = scenarioview.NewPage(c, dir, m.runScenario)
	m.scen.SetWatch(opts.WatchScenarios)
	k := c.KeyMap
	// The pages besides the conversation, each opened by its key.
	m.pages = []page{
		{k.History, m.hist},
		{k.Scenarios, m.scen},
		{k.Load, loadview.NewPage(c, loadview.Targets(opts.Workspace.Workspace), loadview.NewRunner(opts.Dispatcher, opts.Workspace.Workspace, loadview.RunnerOptions{Vars: o.visitorVars(), History: o.LoadHistory}))},
		{k.Audit, auditview.New(c, auditview.Options{Workspace: o.Workspace.Workspace, Dispatcher: o.Dispatcher, Record: o.record, Vars: o.visitorVars()})},
	}
	m.cur = ch
	m.initCmd = ch.greet()
	return m
}

// Init greets the visitor.
func (m Model) Init() tea.Cmd {
	return tea.Batch(textinput.Blink, m.initCmd)
}

// Update handles a message: window sizes and keys here, the rest to every
// page, shown or not, since results come back to the page that asked.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.Width, m.c.Height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.KeyMsg:
		return m.typed(msg)
	}
	cmds := []tea.Cmd{m.chat.Update(msg)}
	for _, p := range m.pages {
		cmds = append(cmds, p.page.Update(msg))
	}
	return m, tea.Batch(cmds...)
}

// typed handles a key message. Bubble Tea delivers the characters of one
// read as one message: text typed faster than the terminal is read (a
// burst over SSH, tmux send-keys, an input method) arrives as a single
// "down" or "enter", which would match those keys' bindings and vanish
// from the message typed. So a message of several characters is handled
// one character at a time, as if typed one by one. A bracketed paste is
// different: its String() is "[…]", which matches no binding, and it goes
// to the input whole.
//
// An esc followed at once by text arrives the same way, as one "alt+"
// message (the terminal's sign for alt is a leading esc): no alt+letter is
// bound, so such a message is an esc, then the text. Two escs in one read
// are one esc: the second would land on the page the first one opened.
func (m Model) typed(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.Alt && msg.Type == tea.KeyEsc {
		msg.Alt = false
	}
	if msg.Alt && msg.Type == tea.KeyRunes && !msg.Paste && !key.Matches(msg, m.c.KeyMap.QuickReply) {
		esc, rest := tea.KeyMsg{Type: tea.KeyEsc}, msg
		rest.Alt = false
		model, cmd := m.handleKey(esc)
		model, cmd2 := model.(Model).typed(rest)
		return model, tea.Batch(cmd, cmd2)
	}
	if msg.Type != tea.KeyRunes || msg.Paste || len(msg.Runes) < 2 {
		return m.handleKey(msg)
	}
	var cmds []tea.Cmd
	var model tea.Model = m
	for _, r := range msg.Runes {
		var cmd tea.Cmd
		model, cmd = model.(Model).handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		cmds = append(cmds, cmd)
	}
	return model, tea.Batch(cmds...)
}

// handleKey handles the keys every page shares, and gives the page shown
// the rest.
func (m Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.c.KeyMap
	typing := false
	if t, ok := m.cur.(common.Typer); ok {
		typing = t.Typing()
	}
	switch {
	case key.Matches(msg, k.ForceQuit), key.Matches(msg, k.Quit) && !typing:
		m.chat.stop()
		return m, tea.Quit
	case key.Matches(msg, k.Help) && (msg.Type == tea.KeyF1 || !typing):
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
		return m, nil
	}
	for _, p := range m.pages {
		if key.Matches(msg, p.key) {
			if m.cur == p.page {
				return m, m.show(m.chat)
			}
			return m, m.show(p.page)
		}
	}
	if m.cur != common.Page(m.chat) && key.Matches(msg, k.Back) {
		if b, ok := m.cur.(common.Backer); !ok || !b.Back() {
			return m, m.show(m.chat)
		}
		m.layout()
		return m, nil
	}
	cmd := m.cur.Update(msg)
	if m.bodyHeight() != m.chat.h {
		m.layout() // the page's help took more or fewer lines
	}
	return m, cmd
}

// show makes p the page shown: the page left is told so, p is laid out
// and started.
func (m *Model) show(p common.Page) tea.Cmd {
	if c, ok := m.cur.(common.Closer); ok && m.cur != p {
		c.Close()
	}
	m.cur = p
	m.layout()
	return p.Init()
}
