package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes shared by every command.
const (
	exitOK       = 0
	exitFailed   = 1 // the endpoint's answer was not a success, or a scenario failed
	exitBadUsage = 2 // bad flags, a bad workspace or scenario file
)

// env is what a run of the program gets from its surroundings, injected so
// tests can run commands in-process.
type env struct {
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
}

// badInput marks an error as the user's input being wrong (exit 2).
type badInput struct{ err error }

func (e badInput) Error() string { return e.err.Error() }
func (e badInput) Unwrap() error { return e.err }

func badInputf(format string, args ...any) error { return badInput{fmt.Errorf(format, args...)} }

// failed marks a run whose result was reported but is a failure (exit 1).
var errFailed = errors.New("failed")

func run(ctx context.Context, args []string, e env) int {
	root := newRootCommand(e)
	root.SetArgs(args)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFailed):
		return exitFailed
	}
	fmt.Fprintf(e.stderr, "actionbench: %v\n", err)
	var bad badInput
	if errors.As(err, &bad) || isUsageError(err) {
		return exitBadUsage
	}
	return exitFailed
}

// isUsageError recognises cobra's and pflag's complaints about the command line.
func isUsageError(err error) bool {
	var usage usageError
	return errors.As(err, &usage)
}

type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() + " (see --help)" }
func (e usageError) Unwrap() error { return e.err }

func newRootCommand(e env) *cobra.Command {
	root := &cobra.Command{
		Use:   "actionbench",
		Short: "Test chatbot custom-action and webhook endpoints the way the platform calls them",
		Long: `actionbench plays the chatbot platform's side of custom actions and event
webhooks: the exact request bodies and signatures, the 8 s timeout, the
100 KiB limits, HTTPS only, no retries, 3 calls per 10 minutes per
conversation. It tells you what your endpoint did and what production
would make of it.

With no command it opens the workbench, a terminal UI: chat with the
simulated bot as a visitor (the embedded demo unless ./actionbench.yaml or
--workspace names one), watch every action call and webhook it fires, and
inspect each request and response. Press ? in it for the keys.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := cobra.NoArgs(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var wb workbenchFlags
	wb.register(root)
	root.RunE = func(cmd *cobra.Command, _ []string) error { return wb.run(cmd, e) }
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newFireCommand(e), newEmitCommand(e), newHistoryCommand(e), newDemoCommand(e), newMockCommand(e), newRunCommand(e), newInitCommand(e), newLoadCommand(e))
	addCompletions(root, e)
	return root
}

// exactArgs is cobra.ExactArgs with an error that counts as bad usage.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s takes %s, got %d arguments", cmd.CommandPath(), what, len(args))}
		}
		return nil
	}
}
