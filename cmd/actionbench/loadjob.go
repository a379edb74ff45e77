package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/load"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/scenarios"
	"github.com/actionbench/actionbench/sim/bot"
)

// traffic is what each arrival of a load run does, and how it is described.
type traffic struct {
	kind      string   // "calls" or "conversations"
	what      string   // for the heading
	targets   []string // actions and events, for calls
	workspace string
	job       load.Job
	redact    func(string) string
	secrets   []string // redacted from the history
	close     func()
}

// redactor removes a workspace's secrets from diagnosis texts.
func redactor(secrets []string) func(string) string {
	return func(s string) string {
		return (&engine.Attempt{Diagnosis: s}).Redacted(secrets...).Diagnosis
	}
}

// callTraffic fires the named actions and emits the named events in turn,
// one per arrival.
func (f *loadFlags) callTraffic(ctx context.Context, e env, names []string, shard, shards int) (*traffic, error) {
	vars, err := parseSets(f.sets)
	if err != nil {
		return nil, err
	}
	ws, err := f.loadWorkspace(ctx, e)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*traffic, error) {
		ws.Close()
		return nil, err
	}
	// Each name is resolved once; an arrival only picks one by number.
	targets := make([]load.Target, len(names))
	for i, name := range names {
		if a, ok := ws.Action(name); ok {
			targets[i].Action = a
			continue
		}
		ev, err := engine.ParseEvent(name)
		if err != nil {
			return fail(badInputf("%q is neither an action in %s (actions: %s) nor an event (%s)", name, ws.name(), actionList(ws.Workspace.Workspace), joinEvents(engine.Events)))
		}
		if ws.Webhook == nil {
			return fail(badInputf("%s has no webhook to send %s to: add webhook: {url: https://…, token: ${WEBHOOK_TOKEN}}", ws.name(), ev))
		}
		if !ws.Webhook.Subscribes(ev) {
			return fail(badInputf("the webhook in %s does not subscribe to %s (events: %s), so the platform would not send it: add it to webhook.events", ws.name(), ev, joinEvents(ws.Webhook.Events)))
		}
		fields, err := eventFields(ev, nil, time.Now())
		if err != nil {
			return fail(err)
		}
		targets[i].Event, targets[i].Fields = ev, fields
	}
	opts, err := f.dispatcherOptions(ws)
	if err != nil {
		return fail(err)
	}
	opts.MaxIdlePerHost = f.idleConnections()
	d := engine.New(opts)
	calls := load.Calls{Dispatcher: d, Chatbot: ws.Chatbot, Targets: targets, Vars: vars,
		Conversation: f.conversationNamer(shard, shards),
		// A new conversation per call makes one call: the limiter need
		// not keep it. A pool's conversations it must.
		OneCall: f.conversations == 0}
	if ws.Webhook != nil {
		calls.Webhook = *ws.Webhook
	}
	job := calls.Job()
	what := strings.Join(names, ", ")
	if f.conversations > 0 {
		what += fmt.Sprintf(" from a pool of %d conversations", f.conversations)
	} else {
		what += ", each call from a new conversation"
	}
	return &traffic{
		kind: "calls", what: what, targets: names, workspace: ws.name(), job: job,
		redact: redactor(ws.Secrets()), secrets: ws.Secrets(),
		close: func() { d.Close(); ws.Close() },
	}, nil
}

// idleConnections keeps a connection for each call of the closed model,
// so none churns. The open model's calls in flight follow the endpoint:
// after a stall thousands may be open at once, and keeping them all idle
// afterwards held about 100 KB each (a 10-minute run's RSS went from 59 MB
// to 672 MB), so it keeps at most 256.
func (f *loadFlags) idleConnections() int {
	if f.concurrency > 0 {
		return min(f.concurrency, 4096)
	}
	return min(f.maxInflight, 256)
}

// conversationNamer returns the conversation of each arrival: a new one per
// call, or one of a pool. Shards get disjoint pool members: arrival seq
// belongs to shard seq mod n, and so do its pool members.
func (f *loadFlags) conversationNamer(shard, shards int) func(seq int64) string {
	prefix := "load_" + f.runID + "_"
	if f.conversations == 0 {
		return func(seq int64) string { return prefix + strconv.FormatInt(seq, 10) }
	}
	n := int64(max(shards, 1))
	per := max(int64(f.conversations)/n, 1)
	return func(seq int64) string {
		member := int64(shard) + n*((seq/n)%per)
		return prefix + "p" + strconv.FormatInt(member, 10)
	}
}

func actionList(ws *workspace.Workspace) string {
	ids := make([]string, len(ws.Actions))
	for i, a := range ws.Actions {
		ids[i] = a.ID
	}
	return strings.Join(ids, ", ")
}

// scenarioTraffic plays the scenario file as a new conversation per arrival.
func (f *loadFlags) scenarioTraffic(ctx context.Context, e env) (*traffic, error) {
	sc, err := scenarios.Load(f.scenario)
	if err != nil {
		return nil, badInput{err}
	}
	var ws *loaded
	if sc.Workspace != "" {
		w, err := bot.Load(sc.Workspace, f.workspaceOptions(e))
		if err != nil {
			return nil, badInputf("%s: %v", sc.Path, err)
		}
		ws = &loaded{Workspace: w}
	} else if ws, err = f.loadWorkspace(ctx, e); err != nil {
		return nil, err
	}
	opts, err := f.dispatcherOptions(ws)
	if err != nil {
		ws.Close()
		return nil, err
	}
	opts.MaxIdlePerHost = f.idleConnections()
	dispatchers := scenarios.NewDispatchers(opts, f.policy != "")
	env := scenarios.Env{
		Dispatcher:    dispatchers.For,
		Demo:          ws.Workspace,
		LoadWorkspace: func(string) (*bot.Workspace, error) { return ws.Workspace, nil },
	}
	job := func(ctx context.Context, c load.Call) load.Result {
		res := scenarios.Run(ctx, sc, env)
		out := load.Result{Conversation: true, Failed: !res.Passed()}
		for _, s := range res.Steps {
			if s.Turn != nil {
				out.Attempts = append(out.Attempts, s.Turn.Attempts...)
			}
		}
		return out
	}
	name := sc.Name
	if name == "" {
		name = sc.Path
	}
	return &traffic{
		kind: "conversations", what: fmt.Sprintf("scenario %q, each arrival a new conversation", name), workspace: ws.name(), job: job,
		redact: redactor(ws.Secrets()), secrets: ws.Secrets(),
		close: func() { dispatchers.Close(); ws.Close() },
	}, nil
}
