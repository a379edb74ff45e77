package tui

import (
	"context"
	"fmt"
	"os"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/scenarios"
	"github.com/actionbench/actionbench/sim/bot"
)

// runScenario runs a scenario against the workbench's workspace (for a
// scenario that names none) or its own, each under its own workspace's
// address policy, recording to the history. onStep, when not nil, gets
// each step's result as it is done.
func (m Model) runScenario(ctx context.Context, sc *scenarios.Scenario, onStep func(scenarios.StepResult)) scenarios.Result {
	dispatcher := m.opts.ScenarioDispatcher
	if dispatcher == nil {
		d := m.opts.Dispatcher
		dispatcher = func(*bot.Workspace) *engine.Dispatcher { return d }
	}
	return scenarios.Run(ctx, sc, scenarios.Env{
		Dispatcher: dispatcher,
		Demo:       m.opts.Workspace,
		LoadWorkspace: func(path string) (*bot.Workspace, error) {
			ws, err := bot.Load(path, workspace.Options{Env: os.LookupEnv})
			if err == nil && m.opts.ScenarioDispatcher == nil && ws.Policy != m.opts.Workspace.Policy {
				// Without a dispatcher per policy this workspace would be
				// dialled under the wrong rules: refuse rather than risk it.
				return nil, fmt.Errorf("%s uses the %s policy, and this workbench dispatches under %s only: run it with actionbench run", path, ws.Policy, m.opts.Workspace.Policy)
			}
			return ws, err
		},
		Recorder: m.opts.Recorder,
		Start:    m.opts.Start,
		OnStep:   onStep,
	})
}
