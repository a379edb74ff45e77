// Package scenarioview lists the scenario files in a folder, runs the one
// chosen and shows each step's result: ✓, or ✗ with what was expected
// against what happened and the diagnosis.
package scenarioview

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/actionbench/actionbench/scenarios"
	"github.com/actionbench/actionbench/tui/common"
)

// RunFunc runs one scenario against the workbench's endpoints, calling
// onStep (when not nil) with each step's result as the step is done.
type RunFunc func(ctx context.Context, sc *scenarios.Scenario, onStep func(scenarios.StepResult)) scenarios.Result

// LoadedMsg is the folder's scenarios, read in the background.
type LoadedMsg struct {
	id      int
	list    []*scenarios.Scenario
	errs    []error
	missing string // the view's folder, absolute, when it does not exist
	typed   bool   // the path came from the path line
}

// RanMsg is one run's result.
type RanMsg struct {
	id  int
	res scenarios.Result
}

// StepMsg is one step's result from the run in flight; the view reads the
// next one when it has handled this one.
type StepMsg struct {
	id   int
	step scenarios.StepResult
	next <-chan progress
}

// progress is what a run sends on its channel: a step's result, or the
// run's result last.
type progress struct {
	step *scenarios.StepResult
	res  *scenarios.Result
}

// Model is the scenario view.
type Model struct {
	c   *common.Common
	dir string
	run RunFunc

	reqID  int // tags the load or run in flight; other ids are stale
	cancel context.CancelFunc

	loading bool
	list    []*scenarios.Scenario
	errs    []error
	missing string // see LoadedMsg
	sel     int

	path       textinput.Model
	typingPath bool

	running string                 // the scenario running, "" when none
	steps   []scenarios.StepResult // the run in flight's steps so far
	result  *scenarios.Result      // the last run, shown in place of the list
	scroll  int

	// The listed path is watched; a change reads it again (watch.go).
	watching    bool
	listed      string
	listedOwn   bool
	watchID     int
	watchCancel context.CancelFunc

	w, h int
}

// New returns the view of the scenarios under dir.
func New(c *common.Common, dir string, run RunFunc) *Model {
	in := textinput.New()
	in.Prompt = "path › "
	in.Placeholder = "a scenario file or folder"
	return &Model{c: c, dir: dir, run: run, path: in}
}

// SetSize sets the view's inner size.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.path.Width = max(w-lipgloss.Width(m.path.Prompt)-1, 1)
}

// SetDir changes the folder Load lists.
func (m *Model) SetDir(dir string) { m.dir = dir }

// Load reads the folder's scenarios afresh, off the Update loop.
func (m *Model) Load() tea.Cmd {
	return m.load(m.dir, true)
}

// load reads the scenarios at path. The view's own folder missing is not
// an error: the workbench is often started outside a project, and the
// view then says how to open scenarios from elsewhere.
func (m *Model) load(path string, own bool) tea.Cmd {
	m.stop()
	m.reqID++
	m.loading, m.result, m.running = true, nil, ""
	m.listed, m.listedOwn = path, own
	id := m.reqID
	return tea.Batch(m.watchPath(path), func() tea.Msg {
		if _, err := os.Stat(path); own && errors.Is(err, fs.ErrNotExist) {
			abs, _ := filepath.Abs(path)
			return LoadedMsg{id: id, missing: abs}
		}
		list, errs := scenarios.LoadAll([]string{path})
		return LoadedMsg{id: id, list: list, errs: errs, typed: !own}
	})
}

func (m *Model) stop() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// Close stops a run in flight and the watch on the listed files.
func (m *Model) Close() {
	m.stopRun()
	m.unwatch()
}

// stopRun stops a run in flight.
func (m *Model) stopRun() {
	m.stop()
	m.reqID++
	m.running = ""
}

func (m *Model) closePath() {
	m.typingPath = false
	m.path.Blur()
}

// Typing reports whether the path line has the keys.
func (m *Model) Typing() bool { return m.typingPath }

// Back steps back inside the view: from the path line, then from a
// result to the list. It reports false when there is nothing to step
// back from, and the view should close.
func (m *Model) Back() bool {
	switch {
	case m.typingPath:
		m.closePath()
		return true
	case m.result != nil || m.running != "":
		m.stopRun()
		m.result = nil
		return true
	}
	return false
}

// Update handles the view's keys and messages.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	k := m.c.KeyMap
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.id != m.reqID {
			return nil
		}
		m.loading = false
		m.list, m.errs, m.missing = msg.list, msg.errs, msg.missing
		m.sel = 0
		if msg.typed && m.typingPath {
			// The path is read: the list has the keys again, and a path to
			// one file runs straight away.
			m.closePath()
			if len(m.list) == 1 {
				return m.start(m.list[0])
			}
		}
		return nil
	case ChangedMsg:
		return m.changed(msg)
	case StepMsg:
		if msg.id != m.reqID {
			return nil // a run since stopped: drop it and read no more
		}
		m.steps = append(m.steps, msg.step)
		return wait(msg.id, msg.next)
	case RanMsg:
		if msg.id != m.reqID {
			return nil
		}
		m.stop()
		m.running, m.steps = "", nil
		m.result, m.scroll = &msg.res, 0
		return nil
	case tea.KeyMsg:
		if m.typingPath {
			switch {
			case key.Matches(msg, k.Send):
				if p := strings.TrimSpace(m.path.Value()); p != "" {
					return m.load(p, false)
				}
				m.closePath() // nothing typed: enter runs the selection
			case key.Matches(msg, k.Prev), key.Matches(msg, k.Next):
				m.closePath() // the arrows are the list's
			default:
				var cmd tea.Cmd
				m.path, cmd = m.path.Update(msg)
				return cmd
			}
		}
		switch {
		case key.Matches(msg, k.Prev):
			if m.result != nil {
				m.scroll = max(m.scroll-1, 0)
			} else {
				m.sel = max(m.sel-1, 0)
			}
		case key.Matches(msg, k.Next):
			if m.result != nil {
				m.scroll++
			} else {
				m.sel = min(m.sel+1, max(len(m.list)-1, 0))
			}
		case key.Matches(msg, k.PageUp):
			m.scroll = max(m.scroll-max(m.h-1, 1), 0)
		case key.Matches(msg, k.PageDown):
			m.scroll += max(m.h-1, 1)
		case key.Matches(msg, common.PathKey):
			m.typingPath = true
			m.path.SetValue("")
			return m.path.Focus()
		case key.Matches(msg, k.Send):
			if m.running != "" || m.loading {
				return nil
			}
			if m.result != nil { // enter again runs it again
				return m.start(m.result.Scenario)
			}
			if m.sel < len(m.list) {
				return m.start(m.list[m.sel])
			}
		}
	}
	return nil
}

// start runs sc in a goroutine that sends each step's result on a
// channel, read by a re-armed wait command: the steps arrive one by one as
// StepMsgs, then the result as a RanMsg. The channel holds every step and
// the result, so the run never blocks on a reader that has gone.
func (m *Model) start(sc *scenarios.Scenario) tea.Cmd {
	m.stop()
	m.reqID++
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.running, m.result, m.steps, m.scroll = name(sc), nil, nil, 0
	id, run := m.reqID, m.run
	ch := make(chan progress, len(sc.Steps)+1)
	go func() {
		res := run(ctx, sc, func(sr scenarios.StepResult) {
			select {
			case ch <- progress{step: &sr}:
			case <-ctx.Done():
			}
		})
		ch <- progress{res: &res}
	}()
	return wait(id, ch)
}

// wait reads the next step or the result of run id.
func wait(id int, ch <-chan progress) tea.Cmd {
	return func() tea.Msg {
		p := <-ch
		if p.res != nil {
			return RanMsg{id: id, res: *p.res}
		}
		return StepMsg{id: id, step: *p.step, next: ch}
	}
}

func name(sc *scenarios.Scenario) string {
	if sc.Name != "" {
		return sc.Name
	}
	return sc.Path
}

// View draws the path line when open, then the list, the run in progress
// or the last result.
func (m *Model) View() string {
	s := m.c.Styles
	h := max(m.h, 1)
	var head []string
	if m.typingPath {
		head = append(head, m.path.View())
		h = max(h-1, 1)
	}
	var lines []string
	switch {
	case m.loading:
		lines = []string{s.Info.Render("reading the scenarios…")}
	case m.running != "":
		lines = append([]string{s.Info.Render("running " + m.running + "…")}, m.stepLines(m.steps)...)
		lines = lines[max(len(lines)-h, 0):] // the latest steps
	case m.result != nil:
		lines = m.resultLines()
		top := min(m.scroll, max(len(lines)-h, 0))
		lines = lines[top:]
	default:
		lines = m.listLines(h)
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(append(head, lines...), "\n")
}

func (m *Model) listLines(h int) []string {
	s := m.c.Styles
	cut := lipgloss.NewStyle().MaxWidth(max(m.w, 1))
	var lines []string
	switch {
	case m.missing != "":
		return m.wrap(s.Info.Render("No scenario folder here: " + m.missing + " does not exist. " +
			"Press / and type a scenario file or folder, for example the actionbench repository's scenarios/examples."))
	case len(m.list) == 0 && len(m.errs) == 0:
		lines = append(lines, s.Info.Render("no scenarios in "+m.dir+"; / types a path"))
	}
	first := max(m.sel-(h-len(m.errs))+1, 0)
	for i := first; i < len(m.list); i++ {
		sc := m.list[i]
		line := cut.Render(common.Cursor(false) + name(sc) + "  " + s.Faint.Render(sc.Path))
		if i == m.sel {
			line = s.Selected.Render(cut.Render(common.Cursor(true) + name(sc) + "  " + sc.Path))
		}
		lines = append(lines, line)
	}
	for _, err := range m.errs {
		lines = append(lines, m.wrap(s.Error.Render("✗ "+err.Error()))...)
	}
	return lines
}

// resultLines is one line per step, ✓ or ✗, each failure below its step,
// then PASS or FAIL.
func (m *Model) resultLines() []string {
	s, r := m.c.Styles, m.result
	lines := []string{s.Section.Render(name(r.Scenario)) + s.Faint.Render("  "+r.Scenario.Path+" · "+r.ConversationID)}
	if r.Err != nil {
		lines = append(lines, m.wrap(s.Failed.Render("✗ could not run: "+r.Err.Error()))...)
	}
	lines = append(lines, m.stepLines(r.Steps)...)
	verdict := s.OK.Render("PASS")
	if !r.Passed() {
		verdict = s.Failed.Render("FAIL")
	}
	return append(lines, verdict+s.Faint.Render(fmt.Sprintf(" %d steps · enter runs it again · esc back", len(r.Steps))))
}

// stepLines is one line per step, ✓ or ✗, each failure below its step.
func (m *Model) stepLines(steps []scenarios.StepResult) []string {
	s := m.c.Styles
	var lines []string
	for _, st := range steps {
		mark := s.OK.Render("✓")
		if !st.Passed() {
			mark = s.Failed.Render("✗")
		}
		lines = append(lines, m.wrap(fmt.Sprintf("%s %d:%d %s", mark, st.Step.Pos.Line, st.Step.Pos.Column, describe(st.Step)))...)
		for _, f := range st.Failures {
			lines = append(lines, strings.Split(common.Hang("    ", s.Error.Render(f.String()), max(m.w, 1)), "\n")...)
		}
	}
	return lines
}

func (m *Model) wrap(line string) []string {
	return strings.Split(lipgloss.NewStyle().Width(max(m.w, 1)).Render(line), "\n")
}

// describe is a step as a line.
func describe(st scenarios.Step) string {
	switch st.Kind {
	case scenarios.StepSay, scenarios.StepClick, scenarios.StepTrigger:
		return string(st.Kind) + " " + st.Text
	case scenarios.StepWait:
		return "wait " + st.Wait.String()
	case scenarios.StepLead:
		var parts []string
		for _, f := range slices.Sorted(maps.Keys(st.Lead)) {
			parts = append(parts, f+": "+st.Lead[f])
		}
		return "lead " + strings.Join(parts, ", ")
	}
	return string(st.Kind)
}
