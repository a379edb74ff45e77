package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/history"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/sim/demo"
)

// addCompletions teaches the shell (`actionbench completion bash|zsh|fish|powershell`)
// the arguments of each command, from the workspace and the history in use:
// action ids for fire, event names for emit, scenario files for run, and
// attempt ids for history show and export.
func addCompletions(root *cobra.Command, e env) {
	yaml := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		switch c.CommandPath() {
		case "actionbench fire":
			c.ValidArgsFunction = first(func(cmd *cobra.Command) []string { return actionIDs(cmd, e) })
		case "actionbench emit":
			c.ValidArgsFunction = first(func(cmd *cobra.Command) []string { return eventNames(cmd, e) })
		case "actionbench run":
			c.ValidArgsFunction = yaml
		case "actionbench load":
			// Any number of actions and events, each once.
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				var out []string
				for _, name := range append(actionIDs(cmd, e), eventNames(cmd, e)...) {
					id, _, _ := strings.Cut(name, "\t") // the id, without its description
					if strings.HasPrefix(id, toComplete) && !slices.Contains(args, id) {
						out = append(out, name)
					}
				}
				return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
			}
			c.RegisterFlagCompletionFunc("scenario", yaml)
		case "actionbench history show", "actionbench history export":
			c.ValidArgsFunction = first(attemptIDs)
		}
		if c.Flags().Lookup("workspace") != nil {
			c.RegisterFlagCompletionFunc("workspace", yaml)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// first completes a command's only argument from list, keeping the
// list's order (newest attempts first) and offering no file names.
func first(list func(*cobra.Command) []string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		const none = cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
		if len(args) > 0 {
			return nil, none
		}
		var out []string
		for _, c := range list(cmd) {
			if strings.HasPrefix(c, toComplete) {
				out = append(out, c)
			}
		}
		return out, none
	}
}

// completionWorkspace reads the workspace a command would use, without
// starting the demo's endpoint. Unset variables get a stand-in: their
// values do not matter for ids and names, and the shell that completes
// may not have the secrets exported.
func completionWorkspace(cmd *cobra.Command, e env) *bot.Workspace {
	path, _ := cmd.Flags().GetString("workspace")
	if path == "" {
		if _, err := os.Stat(defaultWorkspace); errors.Is(err, os.ErrNotExist) {
			ws, err := demo.Load("https://127.0.0.1:8443")
			if err != nil {
				return nil
			}
			return ws
		}
		path = defaultWorkspace
	}
	lookup := func(name string) (string, bool) {
		if v, ok := e.lookupEnv(name); ok && v != "" {
			return v, true
		}
		return "whsec_Y29tcGxldGlvbg==", true // also a valid Standard Webhooks secret
	}
	ws, err := bot.Load(path, workspace.Options{Env: lookup})
	if err != nil {
		return nil
	}
	return ws
}

func actionIDs(cmd *cobra.Command, e env) []string {
	ws := completionWorkspace(cmd, e)
	if ws == nil {
		return nil
	}
	var out []string
	for _, a := range ws.Actions {
		out = append(out, a.ID+"\t"+a.Name)
	}
	return out
}

// eventNames lists the events, those the workspace's webhook subscribes
// to first.
func eventNames(cmd *cobra.Command, e env) []string {
	var subscribed, others []string
	ws := completionWorkspace(cmd, e)
	for _, ev := range engine.Events {
		if ws != nil && ws.Webhook != nil && ws.Webhook.Subscribes(ev) {
			subscribed = append(subscribed, string(ev)+"\tsubscribed")
		} else {
			others = append(others, string(ev))
		}
	}
	return append(subscribed, others...)
}

// attemptIDs lists the newest attempts of the history in use, described
// as the history table shows them. A history that does not exist yet is
// not created.
func attemptIDs(cmd *cobra.Command) []string {
	path, _ := cmd.Flags().GetString("db")
	if path == "" {
		var err error
		if path, err = history.DefaultPath(); err != nil {
			return nil
		}
	}
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	store, err := history.Open(cmd.Context(), path, history.Options{})
	if err != nil {
		return nil
	}
	defer store.Close()
	rows, err := store.List(cmd.Context(), history.Filter{Limit: 30})
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%d\t%s %s %s, %s", r.ID, r.Target(), r.Outcome, r.StatusText(), r.ConversationID))
	}
	return out
}
