package scenarios

import (
	"context"
	"fmt"
	"strings"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/audit"
	"github.com/actionbench/actionbench/engine/template"
	"github.com/actionbench/actionbench/sim/bot"
)

// runAudit runs the endpoint audit an audit step names, with the
// scenario's visitor in the payloads, records its attempts (kind audit)
// and turns each failed check into a failure; a warn passes.
func runAudit(ctx context.Context, st Step, bws *bot.Workspace, env Env, v Visitor) []Failure {
	ws := bws.Workspace
	au := &audit.Auditor{Dispatcher: env.Dispatcher(bws), Chatbot: ws.Chatbot}
	if env.Recorder != nil {
		au.OnAttempt = func(a *engine.Attempt) { env.Recorder.Record(ctx, a) }
	}
	var rep *audit.Report
	if st.Text == "webhook" {
		if ws.Webhook == nil {
			return []Failure{{Pos: st.Pos, Check: string(StepAudit), Expected: "a webhook to audit", Actual: "the workspace has no webhook"}}
		}
		rep = au.Webhook(ctx, *ws.Webhook, nil)
	} else {
		act, ok := ws.Action(st.Text)
		if !ok {
			ids := make([]string, len(ws.Actions))
			for i, a := range ws.Actions {
				ids[i] = a.ID
			}
			return []Failure{{Pos: st.Pos, Check: string(StepAudit), Expected: "an action of the workspace or webhook",
				Actual: fmt.Sprintf("%q (actions: %s)", st.Text, strings.Join(ids, ", "))}}
		}
		vars := template.Vars{}
		for k, val := range map[string]string{"visitor.id": v.ID, "visitor.name": v.Name, "visitor.email": v.Email, "visitor.phone": v.Phone} {
			if val != "" {
				vars[k] = val
			}
		}
		rep = au.Action(ctx, act, vars)
	}
	var out []Failure
	for _, r := range rep.Results {
		if r.Verdict == audit.Fail {
			out = append(out, Failure{Pos: st.Pos, Check: string(StepAudit), Expected: r.Name + ": " + r.Rule,
				Actual: r.Answer, Diagnosis: r.Why + "; fix: " + r.Fix})
		}
	}
	return out
}
