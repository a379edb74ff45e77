// Package auditview is the workbench's audit page: choose an action or
// the webhook, run the endpoint audit on it (engine/audit) and watch each
// check graded as it ends, with the why and the fix of the one selected.
package auditview

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/audit"
	"github.com/actionbench/actionbench/engine/template"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/tui/common"
)

// Options are what the page audits with.
type Options struct {
	Workspace  *workspace.Workspace
	Dispatcher *engine.Dispatcher
	// Record, when set, stores each audit attempt (the history); it is
	// called from the audit's goroutine.
	Record func(ctx context.Context, a *engine.Attempt)
	// Vars fill the actions' payload templates (the visitor's details).
	Vars template.Vars
}

// target is an action, or the webhook when action is nil.
type target struct {
	name, url string
	action    *engine.Action
}

// Page is the audit page.
type Page struct {
	c    *common.Common
	opts Options

	targets []target
	chosen  int

	run      int // the current run's id; messages of others are dropped
	running  bool
	stop     context.CancelFunc
	ch       chan tea.Msg // the run's results, then doneMsg
	shown    target       // what the results are of
	results  []audit.Result
	selected int
	w, h     int
}

// New returns the audit page for opts' workspace.
func New(c *common.Common, opts Options) *Page {
	p := &Page{c: c, opts: opts}
	if ws := opts.Workspace; ws != nil {
		for i := range ws.Actions {
			a := &ws.Actions[i]
			p.targets = append(p.targets, target{name: a.ID, url: a.URL, action: a})
		}
		if ws.Webhook != nil {
			p.targets = append(p.targets, target{name: "webhook", url: ws.Webhook.URL})
		}
	}
	return p
}

// resultMsg is one graded check of run; doneMsg ends run.
type (
	resultMsg struct {
		run int
		res audit.Result
	}
	doneMsg struct{ run int }
)

var (
	endpointKey = key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "endpoint"))
	runKey      = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run audit"))
	checkKey    = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "check"))

	prevEndpoint = key.NewBinding(key.WithKeys("left"))
	nextEndpoint = key.NewBinding(key.WithKeys("right"))
	prevCheck    = key.NewBinding(key.WithKeys("up"))
	nextCheck    = key.NewBinding(key.WithKeys("down"))
)

// Init shows the page as it was left: a run goes on while it is away.
func (p *Page) Init() tea.Cmd { return nil }

// Update moves the choice, starts a run, and takes its results.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case resultMsg:
		if msg.run == p.run {
			p.results = append(p.results, msg.res)
			return next(p.ch)
		}
	case doneMsg:
		if msg.run == p.run {
			p.running = false
		}
	case tea.KeyMsg:
		n := len(p.targets)
		switch {
		case key.Matches(msg, prevEndpoint) && n > 0 && !p.running:
			p.chosen = (p.chosen + n - 1) % n
		case key.Matches(msg, nextEndpoint) && n > 0 && !p.running:
			p.chosen = (p.chosen + 1) % n
		case key.Matches(msg, prevCheck):
			p.selected = max(p.selected-1, 0)
		case key.Matches(msg, nextCheck):
			p.selected = min(p.selected+1, max(len(p.results)-1, 0))
		case key.Matches(msg, runKey):
			return p.start()
		}
	}
	return nil
}

// start runs the audit of the chosen endpoint in a command of its own;
// its results come back one message at a time through a channel, read by
// a re-armed wait, and the run's id drops any that come too late.
func (p *Page) start() tea.Cmd {
	if p.running || len(p.targets) == 0 || p.opts.Dispatcher == nil {
		return nil
	}
	p.run++
	p.running, p.results, p.selected = true, nil, 0
	p.shown = p.targets[p.chosen]
	ctx, cancel := context.WithCancel(context.Background())
	p.stop = cancel
	// Room for every result, so the audit never waits on the page.
	ch := make(chan tea.Msg, len(audit.ActionChecks())+len(audit.WebhookChecks())+1)
	p.ch = ch
	run, t, opts := p.run, p.shown, p.opts
	au := &audit.Auditor{
		Dispatcher: opts.Dispatcher, Chatbot: opts.Workspace.Chatbot,
		OnResult: func(r audit.Result) { ch <- resultMsg{run, r} },
	}
	if opts.Record != nil {
		au.OnAttempt = func(a *engine.Attempt) { opts.Record(ctx, a) }
	}
	runAudit := func() tea.Msg {
		defer close(ch)
		defer cancel()
		if t.action != nil {
			au.Action(ctx, *t.action, opts.Vars)
		} else {
			au.Webhook(ctx, *opts.Workspace.Webhook, nil)
		}
		ch <- doneMsg{run}
		return nil
	}
	return tea.Batch(runAudit, next(ch))
}

// next waits for a run's next message; nil once the run has ended.
func next(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// Stop cancels a run under way: what it has graded stays.
func (p *Page) Stop() {
	if p.stop != nil {
		p.stop()
	}
}

// Running reports whether an audit is under way.
func (p *Page) Running() bool { return p.running }

// SetSize sets the pane's size.
func (p *Page) SetSize(w, h int) { p.w, p.h = w, h }

// View draws the page in one pane: the endpoint, the checks graded so
// far, and the selected check's why and fix.
func (p *Page) View() string {
	s := p.c.Styles
	title := s.Title.Render("Audit") + s.Faint.Render(" ←→ endpoint · enter run · ↑↓ check · esc back")
	iw, ih := common.PaneInner(p.w, p.h)
	var lines []string
	if len(p.targets) == 0 {
		lines = append(lines, "The workspace has no action or webhook to audit.")
		return common.Pane(s, title, strings.Join(lines, "\n"), p.w, p.h, true)
	}
	t := p.targets[p.chosen]
	lines = append(lines, s.Label.Render("endpoint ")+"‹ "+t.name+" › "+s.Faint.Render(t.url))
	var n int
	if t.action != nil {
		n = audit.ActionRequests(t.action.Signing)
	} else {
		n = audit.WebhookRequests(len(p.opts.Workspace.Webhook.Events), p.opts.Workspace.Webhook.Signing)
	}
	lines = append(lines, s.Warn.Render(fmt.Sprintf("enter sends %d real requests: an endpoint with side effects performs them", n)))
	switch {
	case p.running:
		lines = append(lines, s.Info.Render(fmt.Sprintf("auditing %s… %d checks done", p.shown.name, len(p.results))))
	case p.results != nil:
		lines = append(lines, p.summary())
	default:
		lines = append(lines, s.Faint.Render("press enter to audit it"))
	}
	var rows []string
	for i, r := range p.results {
		row := common.Cursor(i == p.selected) + verdict(s, r.Verdict) + "  " + fmt.Sprintf("%-20s ", r.Name) + r.Answer
		row = ansi.Truncate(row, iw, "…")
		if i == p.selected {
			row = s.Selected.Render(row)
		}
		rows = append(rows, row)
	}
	// The selected check's why and fix go under the list, which scrolls
	// to keep the selected row in the room left.
	var detail []string
	if p.selected < len(p.results) {
		r := p.results[p.selected]
		if r.Why != "" {
			detail = append(detail, strings.Split(common.Hang("why   ", r.Why, iw), "\n")...)
		}
		if r.Fix != "" {
			detail = append(detail, strings.Split(common.Hang("fix   ", r.Fix, iw), "\n")...)
		}
		sent := strings.Split(common.Hang("sent  ", r.Sends, iw), "\n")
		if ih-len(lines)-len(detail)-len(sent)-1 >= 3 {
			detail = append(sent, detail...)
		}
		if len(detail) > 0 {
			detail = append([]string{""}, detail...)
		}
	}
	room := max(ih-len(lines)-len(detail), 1)
	if len(rows) > room {
		start := min(max(p.selected-room/2, 0), len(rows)-room)
		rows = rows[start : start+room]
	}
	body := append(append(lines, rows...), detail...)
	if len(body) > ih {
		body = body[:ih]
	}
	return common.Pane(s, title, strings.Join(body, "\n"), p.w, p.h, true)
}

func (p *Page) summary() string {
	var pass, warn, fail int
	for _, r := range p.results {
		switch r.Verdict {
		case audit.Pass:
			pass++
		case audit.Warn:
			warn++
		case audit.Fail:
			fail++
		}
	}
	line := fmt.Sprintf("%s: %d passed, %d warnings, %d failed", p.shown.name, pass, warn, fail)
	if fail > 0 {
		return p.c.Styles.Failed.Render(line)
	}
	return p.c.Styles.OK.Render(line)
}

func verdict(s *common.Styles, v audit.Verdict) string {
	text := fmt.Sprintf("%-4s", v)
	switch v {
	case audit.Pass:
		return s.OK.Render(text)
	case audit.Warn:
		return s.Warn.Render(strings.ToUpper(text))
	case audit.Fail:
		return s.Failed.Render(strings.ToUpper(text))
	}
	return s.Faint.Render(text)
}

// ShortHelp is the page's footer.
func (p *Page) ShortHelp() []key.Binding {
	k := p.c.KeyMap
	return []key.Binding{endpointKey, runKey, checkKey, k.Back, k.ForceQuit, k.Help}
}

// FullHelp is the page's help shown on f1.
func (p *Page) FullHelp() [][]key.Binding {
	k := p.c.KeyMap
	return [][]key.Binding{{endpointKey, runKey, checkKey}, {k.Back, k.Audit}, {k.Help, k.ForceQuit}}
}
