package main

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

//go:embed starter
var starter embed.FS

// starterFiles are what init writes: where, from which template.
var starterFiles = []struct{ path, from string }{
	{"actionbench.yaml", "starter/actionbench.yaml"},
	{filepath.Join("scenarios", "order_lookup.yaml"), "starter/scenario.yaml"},
	{filepath.Join(".github", "workflows", "actionbench.yml"), "starter/workflow.yml"},
}

func newInitCommand(e env) *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter workspace, a scenario and a CI workflow",
		Long: `init writes, in DIR (default the current folder):

  actionbench.yaml                     a workspace: one action, the webhook, the greeting
  scenarios/order_lookup.yaml          a scenario that checks them
  .github/workflows/actionbench.yml    a GitHub Actions workflow that runs the scenarios

It never overwrites: if any of these exists, it writes nothing and says which.
The workspace's URLs start with ${ENDPOINT_URL}; its comments show how to try
everything against actionbench mock first.`,
		Example: `  actionbench init
  actionbench init my-bot && cd my-bot`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{fmt.Errorf("init takes at most one folder, got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return writeStarter(e, dir)
		},
	}
}

func writeStarter(e env, dir string) error {
	var exist []string
	for _, f := range starterFiles {
		if _, err := os.Lstat(filepath.Join(dir, f.path)); !errors.Is(err, fs.ErrNotExist) {
			exist = append(exist, filepath.Join(dir, f.path))
		}
	}
	if len(exist) > 0 {
		return badInputf("%s already exist(s): init writes only new files and wrote nothing; move them aside or run init in another folder", strings.Join(exist, ", "))
	}
	for _, f := range starterFiles {
		data, err := starter.ReadFile(f.from)
		if err != nil {
			return err // embedded: cannot happen in a built binary
		}
		path := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return badInputf("cannot create %s: %v", filepath.Dir(path), err)
		}
		// O_EXCL: a file created since the check above is not overwritten either.
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return badInputf("cannot write %s: %v", path, err)
		}
		_, err = out.Write(data)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return badInputf("cannot write %s: %v", path, err)
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", path)
	}
	fmt.Fprintf(e.stdout, `
Next: try it against the mock endpoint (the workspace's comments say more):
  actionbench mock                     # in another terminal
  export ENDPOINT_URL=https://127.0.0.1:8443 ORDER_LOOKUP_SECRET=demo-signing-secret WEBHOOK_TOKEN=demo-webhook-token
  actionbench run %s --ca-file %s
`, filepath.Join(dir, "scenarios"), filepath.Join(os.TempDir(), "actionbench-mock-cert.pem"))
	return nil
}
