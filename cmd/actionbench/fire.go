package main

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/template"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

type fireFlags struct {
	commonFlags
	db           dbFlag
	conversation string
	trigger      string
	sets         []string
	json         bool
}

func newFireCommand(e env) *cobra.Command {
	var f fireFlags
	cmd := &cobra.Command{
		Use:   "fire ACTION_ID",
		Short: "Send one custom action to its endpoint, exactly as the platform would",
		Long: `fire sends one custom action from the workspace to its endpoint: the
platform's JSON body with the payload template resolved, signed with the
action's secret (X-DGbot-Signature), under the 8 s timeout and 100 KiB limits.
It prints the outcome, the status, the latency, what the bot would tell the
visitor and, when something is wrong, a diagnosis for you.

Exit status: 0 when the endpoint answered with a message or data, 1 for any
other outcome, 2 for bad input (flags, workspace).`,
		Example: `  # fire the order lookup with a visitor email
  actionbench fire order_lookup --set visitor.email=jane@example.com

  # as production would: public HTTPS addresses only
  actionbench fire order_lookup --policy production

  # trust your dev endpoint's self-signed certificate
  actionbench fire order_lookup --ca-file ./dev-cert.pem

  # machine-readable result
  actionbench fire order_lookup --json | jq .outcome`,
		Args: exactArgs(1, "one ACTION_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd, e, args[0])
		},
	}
	f.register(cmd)
	f.db.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.conversation, "conversation", "c", "", "conversation id; the rate limit counts per conversation, across runs (default: a new id)")
	fl.StringVarP(&f.trigger, "trigger", "t", string(engine.TriggerManual), "trigger to send: ai_intent, button_click, lead_captured or manual")
	fl.StringArrayVarP(&f.sets, "set", "s", nil, "template variable as name=value, e.g. visitor.email=jane@example.com (repeatable)")
	fl.BoolVar(&f.json, "json", false, "print the attempt as one JSON object")
	return cmd
}

func (f *fireFlags) run(cmd *cobra.Command, e env, actionID string) error {
	trigger, err := engine.ParseTrigger(f.trigger)
	if err != nil {
		return badInputf("--trigger: %v", err)
	}
	vars, err := parseSets(f.sets)
	if err != nil {
		return err
	}
	ws, err := f.loadWorkspace(cmd.Context(), e)
	if err != nil {
		return err
	}
	defer ws.Close()
	action, ok := ws.Action(actionID)
	if !ok {
		ids := make([]string, len(ws.Actions))
		for i, a := range ws.Actions {
			ids[i] = a.ID
		}
		return badInputf("no action %q in %s: %sactions: %s", actionID, ws.name(), yamlsrc.DidYouMean(actionID, ids), yamlsrc.List(ids))
	}
	conversation := f.conversation
	if conversation == "" {
		conversation = newConversationID()
	}
	ctx := cmd.Context()
	opts, store, err := f.prepare(ctx, ws, &f.db)
	if err != nil {
		return err
	}
	defer store.Close()
	if opts.Limiter, err = seededLimiter(ctx, store, conversation, time.Now()); err != nil {
		return err
	}
	d := engine.New(opts)
	defer d.Close()

	visitor, ok := vars["visitor.id"]
	if !ok {
		visitor = "visitor_cli"
	}
	attempt := d.Fire(ctx, engine.ActionCall{
		Chatbot:        ws.Chatbot,
		Action:         action,
		ConversationID: conversation,
		VisitorID:      visitor,
		Trigger:        trigger,
		Vars:           vars,
	})
	id, err := record(ctx, store, attempt)
	if err != nil {
		return err
	}
	return report(e, attempt.Redacted(ws.Secrets()...), id, f.json)
}

// report prints a redacted attempt and turns its outcome into the exit
// status: a success is 0, anything else 1.
func report(e env, shown *engine.Attempt, id int64, asJSON bool) error {
	var err error
	if asJSON {
		err = writeAttemptJSON(e.stdout, shown, id)
	} else {
		err = writeAttemptText(e.stdout, shown, id)
	}
	if err != nil {
		return err
	}
	if !shown.Outcome.Succeeded() {
		return errFailed
	}
	return nil
}

// parseSets reads --set name=value flags into template variables.
func parseSets(sets []string) (template.Vars, error) {
	vars := template.Vars{}
	for _, s := range sets {
		name, value, ok := strings.Cut(s, "=")
		if !ok {
			return nil, badInputf("--set %q: expected name=value, e.g. visitor.email=jane@example.com", s)
		}
		name = strings.TrimSpace(name)
		if !template.Known(name) {
			return nil, badInputf("--set %s: unknown variable %q (known: %s)", s, name, strings.Join(knownVariables, ", "))
		}
		vars[name] = value
	}
	return vars, nil
}

// knownVariables is shown when --set names a variable templates do not have.
var knownVariables = []string{
	"visitor.id", "visitor.name", "visitor.email", "visitor.phone", "conversation.id",
	"chatbot.id", "chatbot.name", "message", "intent.name", "entities.NAME", "lead.FIELD", "button.id",
}
