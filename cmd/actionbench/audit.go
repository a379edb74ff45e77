package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/audit"
)

type auditFlags struct {
	commonFlags
	db     dbFlag
	all    bool
	events []string
	sets   []string
	dryRun bool
	json   bool
	junit  string
}

func newAuditCommand(e env) *cobra.Command {
	var f auditFlags
	cmd := &cobra.Command{
		Use:   "audit [ACTION...|--all] [--event EVENT...]",
		Short: "Send each endpoint what the platform never would, and grade how it answers",
		Long: `audit asks the other half of the question fire answers: does your endpoint
reject what the platform would never send? For each action it sends a correct
request, then requests built on purpose to be wrong — no signature, another
secret, a tampered body, malformed signatures, an hour-old timestamp, the
same delivery twice, a body over 100 KiB, malformed JSON, schema violations,
hostile strings, GET and text/plain — times 10 baseline calls and checks the
TLS set-up. For the webhook: no Authorization, a wrong token, Basic instead of
Bearer, the token in another case, malformed JSON, an unknown event_type and
an oversize body. Each check is graded pass, warn (a recommendation the
protocol does not require) or fail (a hole), with a one-line fix.

Every request goes through the same transport, limits and address policy as
fire: audit never sends where fire would not. Audit requests are recorded in
the history as kind "audit" and take no call of any conversation's rate limit;
each goes out in a conversation of its own (audit_RUN_N).

WARNING: these are real requests. An endpoint with side effects (creating
tickets, sending mail, refunding) will perform them for every check that it
accepts — about 36 times per action. Audit such endpoints against a staging
copy, or accept the consequences: that is your call. audit prints what it will
send, and where, before it sends anything; --dry-run stops there.

Exit status: 0 when no check fails (warns allowed), 1 when a check fails,
2 for bad input (flags, workspace, an unknown action or event).`,
		Example: `  # what would be sent, and where, without sending it
  actionbench audit --all --dry-run

  # one action, with payload values that reach the happy path
  actionbench audit order_lookup --set visitor.email=jane@example.com

  # the webhook, for two events, and a JUnit report for CI
  actionbench audit --event on_message_received --event on_ticket_created --junit audit.xml

  # try it on an endpoint with holes
  actionbench mock --lax --addr 127.0.0.1:9443 &
  actionbench audit --all -w lax.yaml --ca-file /tmp/actionbench-mock-cert.pem`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd, e, args)
		},
	}
	f.register(cmd)
	f.db.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&f.all, "all", false, "audit every action and the webhook")
	fl.StringArrayVar(&f.events, "event", nil, "audit the webhook with this event (repeatable); --all uses the events it subscribes to")
	fl.StringArrayVarP(&f.sets, "set", "s", nil, "template variable for the payloads, as name=value (repeatable), as fire takes it")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print what would be sent and where, and send nothing")
	fl.BoolVar(&f.json, "json", false, "print the report as one JSON object (the plan goes to stderr)")
	fl.StringVar(&f.junit, "junit", "", "also write the report as JUnit XML to FILE, one test case per check")
	return cmd
}

// auditPlan is what an audit will send.
type auditPlan struct {
	actions []engine.Action
	webhook *engine.Webhook
	events  []engine.Event
}

func (f *auditFlags) plan(ws *loaded, args []string) (auditPlan, error) {
	var p auditPlan
	if len(args) == 0 && !f.all && len(f.events) == 0 {
		return p, badInputf("name the actions to audit, --all, or --event EVENT for the webhook (see --help)")
	}
	if f.all && len(args) > 0 {
		return p, badInputf("--all audits every action: name actions or pass --all, not both")
	}
	if f.all {
		p.actions = ws.Actions
	}
	for _, id := range args {
		act, ok := ws.Action(id)
		if !ok {
			ids := make([]string, len(ws.Actions))
			for i, a := range ws.Actions {
				ids[i] = a.ID
			}
			return p, badInputf("no action %q in %s (actions: %s)", id, ws.name(), strings.Join(ids, ", "))
		}
		p.actions = append(p.actions, act)
	}
	for _, name := range f.events {
		ev, err := engine.ParseEvent(name)
		if err != nil {
			return p, badInputf("--event: %v", err)
		}
		p.events = append(p.events, ev)
	}
	if len(p.events) > 0 || f.all {
		if ws.Webhook == nil {
			if len(p.events) > 0 {
				return p, badInputf("--event: %s has no webhook to audit", ws.name())
			}
		} else {
			p.webhook = ws.Webhook
			if len(p.events) == 0 {
				p.events = ws.Webhook.Events
			}
			if len(p.events) == 0 {
				p.events = []engine.Event{engine.EventMessageReceived}
			}
		}
	}
	return p, nil
}

// write prints what the audit will send and where; with details, each
// check's request too.
func (p auditPlan) write(w io.Writer, details bool) {
	total := 0
	for _, a := range p.actions {
		total += audit.ActionRequests(a.Signing)
	}
	if p.webhook != nil {
		total += audit.WebhookRequests(len(p.events), p.webhook.Signing)
	}
	fmt.Fprintf(w, "audit: %d requests, each a real one, to:\n", total)
	for _, a := range p.actions {
		fmt.Fprintf(w, "  action %s, %d requests:\n    %s\n", a.ID, audit.ActionRequests(a.Signing), a.URL)
	}
	if p.webhook != nil {
		evs := make([]string, len(p.events))
		for i, e := range p.events {
			evs[i] = string(e)
		}
		fmt.Fprintf(w, "  webhook, %d requests (%s):\n    %s\n", audit.WebhookRequests(len(p.events), p.webhook.Signing), strings.Join(evs, ", "), p.webhook.URL)
	}
	if !details {
		return
	}
	list := func(title string, checks []audit.Check) {
		fmt.Fprintf(w, "\n%s\n", title)
		for _, c := range checks {
			fmt.Fprint(w, hang("  "+c.Name+": ", c.Sends, 80))
		}
	}
	if len(p.actions) > 0 {
		list("each action gets:", audit.ActionChecks())
	}
	if p.webhook != nil {
		list("the webhook gets:", audit.WebhookChecks())
	}
}

// hang writes head then text wrapped to width, its later lines indented
// to line up under the text.
func hang(head, text string, width int) string {
	wrapped := ansi.Wordwrap(text, width-len(head), "")
	return head + strings.ReplaceAll(wrapped, "\n", "\n"+strings.Repeat(" ", len(head))) + "\n"
}

func (f *auditFlags) run(cmd *cobra.Command, e env, args []string) error {
	vars, err := parseSets(f.sets)
	if err != nil {
		return err
	}
	ws, err := f.loadWorkspace(cmd.Context(), e)
	if err != nil {
		return err
	}
	defer ws.Close()
	p, err := f.plan(ws, args)
	if err != nil {
		return err
	}
	planOut := e.stdout
	if f.json {
		planOut = e.stderr
	}
	p.write(planOut, f.dryRun)
	if f.dryRun {
		return nil
	}
	fmt.Fprintln(planOut)

	// Ctrl-C ends the audit after the check under way; what ran is reported.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts, store, err := f.prepare(ctx, ws, &f.db)
	if err != nil {
		return err
	}
	defer store.Close()
	d := engine.New(opts)
	defer d.Close()

	var recordErr error
	st := newStyles(e.stdout)
	au := &audit.Auditor{
		Dispatcher: d, Chatbot: ws.Chatbot,
		OnAttempt: func(a *engine.Attempt) {
			if _, err := record(ctx, store, a); err != nil && recordErr == nil {
				recordErr = err
			}
		},
	}
	if !f.json {
		au.OnResult = func(r audit.Result) { writeResult(e.stdout, st, r) }
	}
	var reports []*audit.Report
	start := time.Now()
	for _, act := range p.actions {
		if !f.json {
			fmt.Fprintf(e.stdout, "%s\n", st.label.Render("action "+act.ID+"  "+act.URL))
		}
		reports = append(reports, au.Action(ctx, act, vars))
	}
	if p.webhook != nil && ctx.Err() == nil {
		if !f.json {
			fmt.Fprintf(e.stdout, "%s\n", st.label.Render("webhook  "+p.webhook.URL))
		}
		reports = append(reports, au.Webhook(ctx, *p.webhook, p.events))
	}
	elapsed := time.Since(start)
	if recordErr != nil {
		fmt.Fprintf(e.stderr, "actionbench: %v (the audit went on)\n", recordErr)
	}
	if f.json {
		err = writeAuditJSON(e.stdout, reports)
	} else {
		writeAuditSummary(e.stdout, st, reports)
	}
	if err != nil {
		return err
	}
	if f.junit != "" {
		if err := writeAuditJUnit(f.junit, reports, elapsed); err != nil {
			return err
		}
	}
	if errors.Is(ctx.Err(), context.Canceled) && cmd.Context().Err() == nil {
		fmt.Fprintln(e.stderr, "actionbench: audit interrupted; the report holds the checks that ran")
		return errFailed
	}
	for _, r := range reports {
		if r.Verdict() == audit.Fail {
			return errFailed
		}
	}
	return nil
}

// writeResult prints one graded check: the verdict, the check and the
// answer on a line, then why and the fix under a warn or a fail.
func writeResult(w io.Writer, st styles, r audit.Result) {
	verdict := fmt.Sprintf("%-4s", r.Verdict)
	switch r.Verdict {
	case audit.Pass:
		verdict = st.ok.Render(verdict)
	case audit.Warn:
		verdict = st.warn.Render(strings.ToUpper(verdict))
	case audit.Fail:
		verdict = st.bad.Render(strings.ToUpper(verdict))
	default:
		verdict = st.dim.Render(verdict)
	}
	line := fmt.Sprintf("  %s  %-20s %s", verdict, r.Name, r.Answer)
	fmt.Fprintln(w, ansi.Truncate(line, 80, "…"))
	if r.Why != "" && r.Verdict != audit.Skip {
		fmt.Fprint(w, hang("        why: ", r.Why, 80))
	}
	if r.Fix != "" {
		fmt.Fprint(w, hang("        fix: ", r.Fix, 80))
	}
}

func writeAuditSummary(w io.Writer, st styles, reports []*audit.Report) {
	var pass, warn, fail, skip int
	for _, r := range reports {
		pass += r.Count(audit.Pass)
		warn += r.Count(audit.Warn)
		fail += r.Count(audit.Fail)
		skip += r.Count(audit.Skip)
	}
	text := fmt.Sprintf("%d passed, %d warnings, %d failed", pass, warn, fail)
	if skip > 0 {
		text += fmt.Sprintf(", %d skipped", skip)
	}
	if fail > 0 {
		text = st.bad.Render(text)
	}
	fmt.Fprintln(w, "\n"+text)
}

type auditJSON struct {
	Passed   int             `json:"passed"`
	Warnings int             `json:"warnings"`
	Failed   int             `json:"failed"`
	Skipped  int             `json:"skipped"`
	Reports  []*audit.Report `json:"reports"`
}

func writeAuditJSON(w io.Writer, reports []*audit.Report) error {
	out := auditJSON{Reports: reports}
	if out.Reports == nil {
		out.Reports = []*audit.Report{}
	}
	for _, r := range reports {
		out.Passed += r.Count(audit.Pass)
		out.Warnings += r.Count(audit.Warn)
		out.Failed += r.Count(audit.Fail)
		out.Skipped += r.Count(audit.Skip)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeAuditJUnit writes one test suite per endpoint and one test case
// per check: a fail is a failure, a skip skipped, and a warn passes with
// its reason and fix in system-out, so CI gates on holes only.
func writeAuditJUnit(path string, reports []*audit.Report, elapsed time.Duration) error {
	doc := junitSuites{Time: seconds3(elapsed)}
	for _, r := range reports {
		suite := junitSuite{Name: "audit " + r.Kind + " " + r.Target, Time: "0"}
		if r.Kind == "webhook" {
			suite.Name = "audit webhook"
		}
		for _, res := range r.Results {
			var took time.Duration
			for _, a := range res.Attempts {
				took += a.Latency
			}
			c := junitCase{Name: res.Name, Classname: suite.Name, Time: seconds3(took)}
			detail := res.Answer
			if res.Why != "" {
				detail += "\nwhy: " + res.Why
			}
			if res.Fix != "" {
				detail += "\nfix: " + res.Fix
			}
			switch res.Verdict {
			case audit.Fail:
				suite.Failures++
				c.Failure = &junitFailure{Message: res.Why, Text: detail}
			case audit.Skip:
				c.Skipped = &junitSkipped{Message: res.Answer}
			case audit.Warn:
				c.SystemOut = "warn: " + detail
			}
			suite.Cases = append(suite.Cases, c)
		}
		suite.Tests = len(suite.Cases)
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Suites = append(doc.Suites, suite)
	}
	return saveJUnit(path, doc)
}
