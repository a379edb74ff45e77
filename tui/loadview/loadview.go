// Package loadview is the workbench's load page: it puts an open-model
// load on one of the workspace's actions or events and shows the run as it
// goes — progress against the duration, the achieved against the target
// rate, p50 and p99, the outcomes, p99 over time and the latency
// percentiles drawn as bars — and stops on one key.
package loadview

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/load"
	"github.com/actionbench/actionbench/engine/load/loadhistory"
	"github.com/actionbench/actionbench/engine/template"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/tui/common"
)

// Runner runs a load on target at rate for duration, reporting progress
// about once a second; it returns when the run ends or ctx is cancelled,
// with the report and the run's id in the history (0: not recorded).
type Runner func(ctx context.Context, target string, rate float64, duration time.Duration, progress func(*load.Report)) (*load.Report, int64, error)

// Rates are the rates the page steps through with + and -.
var Rates = []float64{1, 5, 10, 20, 50, 100, 200, 500, 1000}

// Duration is how long a run from the page lasts.
const Duration = 30 * time.Second

// Messages the page sends itself, tagged with the run they belong to.
type (
	progressMsg struct {
		run int
		r   *load.Report
	}
	doneMsg struct {
		run     int
		r       *load.Report
		history int64
		err     error
	}
)

// Page is the load page.
type Page struct {
	c       *common.Common
	targets []string
	run     Runner
	keys    keys

	sel, rate int // indexes into targets and Rates
	runID     int
	running   bool
	cancel    context.CancelFunc
	updates   chan tea.Msg
	last      *load.Report
	history   int64 // the last run's id in the history; 0: none
	err       error
	bar       progress.Model
	w, h      int
}

type keys struct {
	Prev, Next, Faster, Slower, Start, Stop key.Binding
	common.KeyMap
}

// NewPage returns the page for the given targets (actions and events).
func NewPage(c *common.Common, targets []string, run Runner) *Page {
	k := *c.KeyMap
	return &Page{
		c: c, targets: targets, run: run, rate: 4,
		keys: keys{
			Prev:   key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "target")),
			Next:   key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "next target")),
			Faster: key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+/-", "rate")),
			Slower: key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "slower")),
			Start:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start")),
			Stop:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop")),
			KeyMap: k,
		},
		bar: progress.New(progress.WithSolidFill("6"), progress.WithoutPercentage()),
	}
}

// Targets lists what a workspace can be loaded with: its actions, then
// the events its webhook subscribes to.
func Targets(ws *workspace.Workspace) []string {
	var out []string
	if ws == nil {
		return nil
	}
	for _, a := range ws.Actions {
		out = append(out, a.ID)
	}
	if ws.Webhook != nil {
		for _, e := range ws.Webhook.Events {
			out = append(out, string(e))
		}
	}
	return out
}

// RunnerOptions are what a Runner sends with and records to.
type RunnerOptions struct {
	// Vars are the actions' template variables (the visitor's details).
	Vars template.Vars
	// History, when set, gets each run as actionbench load writes it: a
	// runs row and an attempt per call, compact but for the first ones.
	History *history.Store
}

// NewRunner returns a Runner that sends through d as ws's calls, each from
// a new conversation (so the per-conversation limit never bites). It runs
// on the page's goroutine, off the event loop: the history's run row is
// written there, and the calls' rows go through the history's writer.
func NewRunner(d *engine.Dispatcher, ws *workspace.Workspace, o RunnerOptions) Runner {
	return func(ctx context.Context, target string, rate float64, duration time.Duration, progress func(*load.Report)) (*load.Report, int64, error) {
		prefix := fmt.Sprintf("load_%d_", time.Now().UnixNano())
		calls := load.Calls{Dispatcher: d, Chatbot: ws.Chatbot, Vars: o.Vars, OneCall: true,
			Conversation: func(seq int64) string { return prefix + strconv.FormatInt(seq, 10) }}
		if a, ok := ws.Action(target); ok {
			calls.Targets = []load.Target{{Action: a}}
		} else {
			ev := engine.Event(target)
			calls.Targets = []load.Target{{Event: ev, Fields: engine.SampleFields(ev, "TIC-"+time.Now().UTC().Format("20060102")+"-0001")}}
			calls.Webhook = *ws.Webhook
		}
		job := calls.Job()
		var rec *loadhistory.Recorder
		if o.History != nil {
			// The label reads as the command that makes the same load.
			label := fmt.Sprintf("%s --rate %s --duration %s", target, formatRate(rate), duration)
			var err error
			if rec, err = loadhistory.Start(context.WithoutCancel(ctx), o.History, label); err != nil {
				return nil, 0, err
			}
			job = rec.Wrap(job)
			if inner := progress; inner != nil {
				progress = func(r *load.Report) {
					rec.Note(r)
					inner(r)
				}
			}
		}
		r, err := load.Run(ctx, job, load.Options{Rate: rate, Duration: duration, Progress: progress})
		if err != nil || rec == nil {
			return r, 0, err
		}
		r.Params.Traffic, r.Params.Targets = "calls", []string{target}
		return r, rec.Run(), rec.Finish(ctx, r)
	}
}

// Init shows the page.
func (p *Page) Init() tea.Cmd { return nil }

// SetSize is the body's size.
func (p *Page) SetSize(w, h int) { p.w, p.h = w, h }

// Running reports whether a load runs.
func (p *Page) Running() bool { return p.running }

// Stop stops a running load. Leaving the page does not: the run goes on
// and is there to see on coming back.
func (p *Page) Stop() {
	if p.cancel != nil {
		p.cancel()
	}
}

// Update handles keys and the run's reports.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case progressMsg:
		if msg.run != p.runID {
			return nil
		}
		p.last = msg.r
		return p.wait()
	case doneMsg:
		if msg.run != p.runID {
			return nil
		}
		p.running, p.cancel = false, nil
		p.last, p.history, p.err = msg.r, msg.history, msg.err
		return nil
	case tea.KeyMsg:
		return p.key(msg)
	}
	return nil
}

func (p *Page) key(msg tea.KeyMsg) tea.Cmd {
	k := p.keys
	switch {
	case key.Matches(msg, k.Stop):
		p.Stop()
	case p.running:
	case key.Matches(msg, k.Prev):
		p.sel = max(p.sel-1, 0)
	case key.Matches(msg, k.Next):
		p.sel = min(p.sel+1, max(len(p.targets)-1, 0))
	case key.Matches(msg, k.Faster):
		p.rate = min(p.rate+1, len(Rates)-1)
	case key.Matches(msg, k.Slower):
		p.rate = max(p.rate-1, 0)
	case key.Matches(msg, k.Start):
		return p.start()
	}
	return nil
}

// start begins a run; its reports come back through updates.
func (p *Page) start() tea.Cmd {
	if len(p.targets) == 0 || p.run == nil {
		return nil
	}
	p.runID++
	run, target, rate := p.runID, p.targets[p.sel], Rates[p.rate]
	ctx, cancel := context.WithCancel(context.Background())
	p.running, p.cancel, p.last, p.history, p.err = true, cancel, nil, 0, nil
	updates := make(chan tea.Msg, 1)
	p.updates = updates
	go func() {
		r, hist, err := p.run(ctx, target, rate, Duration, func(r *load.Report) {
			// The page shows the latest report; one it has not read yet
			// is replaced, so a slow screen never holds the run up.
			select {
			case <-updates:
			default:
			}
			select {
			case updates <- progressMsg{run, r}:
			default:
			}
		})
		for {
			select {
			case <-updates:
				continue
			case updates <- doneMsg{run, r, hist, err}:
			}
			return
		}
	}()
	return p.wait()
}

// wait reads the run's next report (the realtime example's re-armed command).
func (p *Page) wait() tea.Cmd {
	ch := p.updates
	return func() tea.Msg { return <-ch }
}

// View draws the page.
func (p *Page) View() string {
	s := p.c.Styles
	iw, ih := common.PaneInner(p.w, p.h)
	var b strings.Builder
	label := lipgloss.NewStyle().Bold(true)
	line := func(name, text string) { fmt.Fprintf(&b, "%s %s\n", label.Render(fmt.Sprintf("%-9s", name)), text) }

	if len(p.targets) == 0 {
		b.WriteString("The workspace has no actions and no webhook events to load.\n")
		return common.Pane(s, "Load", b.String(), p.w, p.h, true)
	}
	var names []string
	for i, t := range p.targets {
		if i == p.sel {
			names = append(names, "["+t+"]")
		} else {
			names = append(names, t)
		}
	}
	line("target", strings.Join(names, " "))
	line("rate", fmt.Sprintf("%s for %s, each call from a new conversation", formatRate(Rates[p.rate]), Duration))
	r := p.last
	switch {
	case p.err != nil:
		line("error", p.err.Error())
	case r == nil && p.running:
		line("status", "starting…")
	case r == nil:
		line("status", "enter starts; s stops a run")
	}
	if r != nil {
		frac := r.MeasuredSeconds / Duration.Seconds()
		p.bar.Width = max(iw-28, 10)
		state := "running"
		if !p.running {
			state = "done"
			if r.Stopped != "" {
				state = "stopped"
			}
		}
		line("progress", fmt.Sprintf("%s %3.0fs/%s %s", p.bar.ViewAs(min(frac, 1)), r.MeasuredSeconds, Duration, state))
		o := r.Overall
		rate := fmt.Sprintf("%.1f/s achieved of %s", o.Rate, formatRate(Rates[p.rate]))
		if r.NotStarted > 0 {
			rate += fmt.Sprintf(", %d not started", r.NotStarted)
		}
		line("rate", rate)
		line("latency", fmt.Sprintf("p50 %s  p99 %s  max %s", load.FormatMillis(o.Latency.P50), load.FormatMillis(o.Latency.P99), load.FormatMillis(o.Latency.Max)))
		line("outcomes", fmt.Sprintf("%s  past 8 s: %d", outcomes(o.Outcomes), o.Late))
		switch {
		case r.HistoryHeld > 0:
			line("history", fmt.Sprintf("%d calls waited %s for the history writer", r.HistoryHeld, load.FormatMillis(r.HistoryWaitSeconds*1000)))
		case p.history != 0:
			line("history", fmt.Sprintf("run %d: f2 lists its calls, or actionbench history --run %d", p.history, p.history))
		}
		line("p99/s", sparkline(r.Series, max(iw-10, 10)))
		b.WriteString("\n")
		b.WriteString(ladder(o.Latency, iw))
	}
	body := strings.Join(strings.Split(strings.TrimRight(b.String(), "\n"), "\n")[:min(ih, strings.Count(b.String(), "\n"))], "\n")
	return common.Pane(s, "Load — an open-model run against the workspace", body, p.w, p.h, true)
}

func formatRate(r float64) string { return strconv.FormatFloat(r, 'f', -1, 64) + "/s" }

func outcomes(m map[string]int64) string {
	var parts []string
	for _, o := range engine.Outcomes {
		if n := m[string(o)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", o, n))
		}
	}
	if len(parts) == 0 {
		return "none yet"
	}
	return strings.Join(parts, ", ")
}

// sparkline draws each second's p99 (the last width seconds), scaled to
// the largest.
func sparkline(series []load.Second, width int) string {
	if len(series) > width {
		series = series[len(series)-width:]
	}
	top := 0.0
	for _, s := range series {
		top = math.Max(top, s.P99)
	}
	if top == 0 {
		return "—"
	}
	const blocks = "▁▂▃▄▅▆▇█"
	var b strings.Builder
	for _, s := range series {
		i := int(s.P99 / top * 7)
		b.WriteString(string([]rune(blocks)[min(max(i, 0), 7)]))
	}
	return b.String() + " " + load.FormatMillis(top)
}

// ladder draws the percentiles as bars on a log scale, so 1 ms and 8 s fit
// on one screen.
func ladder(l load.Latency, width int) string {
	rows := []struct {
		name string
		v    float64
	}{{"p50", l.P50}, {"p90", l.P90}, {"p95", l.P95}, {"p99", l.P99}, {"p99.9", l.P999}, {"max", l.Max}}
	barW := max(width-18, 5)
	top := math.Log10(math.Max(l.Max, 1) * 10)
	var b strings.Builder
	for _, r := range rows {
		n := 0
		if r.v > 0 && top > 0 {
			n = int(math.Log10(math.Max(r.v, 0.1)*10) / top * float64(barW))
		}
		fmt.Fprintf(&b, "%-6s %s %s\n", r.name, strings.Repeat("█", min(max(n, 1), barW)), load.FormatMillis(r.v))
	}
	return b.String()
}

// ShortHelp is the page's footer.
func (p *Page) ShortHelp() []key.Binding {
	k := p.keys
	return []key.Binding{k.Prev, k.Faster, k.Start, k.Stop, k.Back, k.Help}
}

// FullHelp is the page's help.
func (p *Page) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{{k.Prev, k.Faster, k.Start, k.Stop}, {k.Load, k.Back, k.Help, k.ForceQuit}}
}
