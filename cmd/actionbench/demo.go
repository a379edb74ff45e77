package main

import (
	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/sim/demo"
)

func newDemoCommand(e env) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Print the embedded demo workspace, a starting point for your own",
		Long: `demo prints the embedded demo workspace: Acme's support bot with an action
for each trigger, a webhook for each event, and actions that misbehave on
purpose. Every command uses it when there is no --workspace and no
./actionbench.yaml, with its endpoints served by an in-process mock.

Save it and point its URLs at your endpoint:

  actionbench demo > actionbench.yaml`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := e.stdout.Write(demo.Source())
			return err
		},
	}
}
