package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/netpolicy"
	"github.com/actionbench/actionbench/engine/yamlsrc"
	"github.com/actionbench/actionbench/scenarios"
	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/sim/demo"
	"github.com/actionbench/actionbench/tui"
)

// workbenchFlags are the root command's flags: `actionbench` alone opens
// the workbench.
type workbenchFlags struct {
	commonFlags
	db           dbFlag
	visitorName  string
	visitorEmail string
}

func (f *workbenchFlags) register(cmd *cobra.Command) {
	f.commonFlags.register(cmd)
	f.db.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.visitorName, "visitor-name", "Jane Doe", "the simulated visitor's name")
	fl.StringVar(&f.visitorEmail, "visitor-email", "jane@example.com", "the simulated visitor's email")
}

// run opens the workbench on the terminal. Without a terminal (a pipe, a
// script) it checks the workspace file, if one is named, and prints the
// help instead.
func (f *workbenchFlags) run(cmd *cobra.Command, e env) error {
	out, ok := e.stdout.(*os.File)
	if !ok || !term.IsTerminal(out.Fd()) {
		if path := f.workspacePath(); path != "" {
			if _, err := bot.Load(path, f.workspaceOptions(e)); err != nil {
				return badInput{err}
			}
		}
		return cmd.Help()
	}
	ctx := cmd.Context()
	ws, err := f.loadWorkspace(ctx, e)
	if errors.Is(err, yamlsrc.ErrLimit) {
		// A file over the input limits is refused before the screen
		// opens: it is no workspace being edited, and the message says
		// which limit and flag.
		return err
	}
	var notice string
	if bad := (badInput{}); errors.As(err, &bad) {
		// A workspace file that does not load is shown in the workbench,
		// over the embedded demo, rather than closing it before it opens.
		notice = fmt.Sprintf("workspace %v; showing the embedded demo instead", bad.err)
		ws, err = startDemo(ctx)
	}
	if err != nil {
		return err
	}
	defer ws.Close()
	opts, store, err := f.prepare(ctx, ws, &f.db)
	if err != nil {
		return err
	}
	defer store.Close()
	d := engine.New(opts)
	defer d.Close()
	dispatchers := scenarios.NewDispatchers(opts, f.policy != "")
	defer dispatchers.Close()
	policy := opts.Policy
	if policy == "" {
		policy = netpolicy.Workbench
	}
	m := tui.New(tui.Options{
		Workspace:     ws.Workspace,
		WorkspaceName: ws.name(),
		Dispatcher:    d,
		Policy:        string(policy),
		// Scenarios run under their own workspaces' policies.
		ScenarioDispatcher: dispatchers.For,
		WatchScenarios:     true,
		Recorder:           store,
		History:            store,
		LoadHistory:        store,
		Visitor:            sim.Visitor{Name: f.visitorName, Email: f.visitorEmail},
		Secrets:            ws.Secrets(),
		Notice:             notice,
		Example:            ws.example(),
	})
	_, err = tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithOutput(out)).Run()
	if errors.Is(err, tea.ErrProgramKilled) {
		return nil // interrupted: the terminal is restored
	}
	return err
}

// startDemo starts the embedded demo, for a workbench whose workspace
// file did not load.
func startDemo(ctx context.Context) (*loaded, error) {
	d, err := demo.Start(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &loaded{Workspace: d.Workspace, demo: d}, nil
}
