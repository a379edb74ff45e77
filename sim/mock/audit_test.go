package mock

import (
	"context"
	"strings"
	"testing"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/audit"
	"github.com/actionbench/actionbench/engine/template"
)

// The mock proves the audit: against the strict mock every check passes
// (but the two only a Standard Webhooks target can take, which are not
// sent), and against the lax one exactly the checks for its holes fail.
func TestAuditAgainstStrictAndLaxMock(t *testing.T) {
	allPass := func(checks []audit.Check) map[string]audit.Verdict {
		out := map[string]audit.Verdict{}
		for _, c := range checks {
			out[c.ID] = audit.Pass
		}
		out["stale_timestamp"], out["reused_id"] = audit.Skip, audit.Skip // Standard Webhooks only
		return out
	}
	strictAction, strictWebhook := allPass(audit.ActionChecks()), allPass(audit.WebhookChecks())
	// The lax mock keeps no memory of a conversation's timestamps, so the
	// replay is accepted: a warn, as the protocol does not require the check.
	laxAction := map[string]audit.Verdict{
		"baseline": audit.Pass, "no_signature": audit.Fail, "wrong_secret": audit.Fail, "tampered": audit.Fail,
		"malformed_signature": audit.Fail, "replay": audit.Warn, "stale_timestamp": audit.Skip, "reused_id": audit.Skip, "idempotency": audit.Pass, "oversize": audit.Fail,
		"malformed_json": audit.Fail, "schema": audit.Fail, "hostile_strings": audit.Pass, "method": audit.Warn,
		"latency": audit.Pass, "tls": audit.Pass,
	}
	laxWebhook := map[string]audit.Verdict{
		"baseline": audit.Pass, "no_authorization": audit.Fail, "wrong_token": audit.Fail, "basic_scheme": audit.Fail,
		"token_case": audit.Fail, "malformed_json": audit.Fail, "unknown_event": audit.Pass, "oversize": audit.Fail,
		"stale_timestamp": audit.Skip, "reused_id": audit.Skip,
	}
	for _, tc := range []struct {
		name            string
		lax             bool
		action, webhook map[string]audit.Verdict
	}{
		{"strict", false, strictAction, strictWebhook},
		{"lax", true, laxAction, laxWebhook},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Start(context.Background(), "127.0.0.1:0", Config{Secret: testSecret, Token: testToken, Lax: tc.lax}, "", "")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ws := mockWorkspace(t, s.URL())
			d := engine.New(engine.Options{RootCAs: trusting(t, s)})
			defer d.Close()
			var recorded []*engine.Attempt
			au := &audit.Auditor{Dispatcher: d, Chatbot: ws.Chatbot, RunID: "t",
				OnAttempt: func(a *engine.Attempt) { recorded = append(recorded, a) }}

			for _, id := range []string{"echo", "order_lookup"} {
				act, _ := ws.Action(id)
				rep := au.Action(context.Background(), act, template.Vars{"visitor.email": "jane@example.com"})
				expectVerdicts(t, id, rep, tc.action)
				// The replay follows the baseline in its conversation, which
				// is what lets the strict mock tell it is an hour behind.
				base, replay := rep.Results[0], rep.Results[5]
				if replay.ID != "replay" || len(replay.Attempts) != 1 || replay.Attempts[0].ConversationID != base.Attempts[0].ConversationID {
					t.Errorf("%s: the replay is not sent in the baseline's conversation: %+v", id, replay)
				} else if !tc.lax && !strings.Contains(replay.Answer, "401 Unauthorized") || !tc.lax && !strings.Contains(replay.Answer, "stale request refused as a replay") {
					t.Errorf("%s: the strict mock's refusal does not say why: %s", id, replay.Answer)
				}
			}
			rep := au.Webhook(context.Background(), *ws.Webhook, []engine.Event{engine.EventMessageReceived, engine.EventTicketCreated})
			expectVerdicts(t, "webhook", rep, tc.webhook)

			// Every audit request is marked, and none takes a call of a
			// conversation's rate limit.
			for _, a := range recorded {
				if a.Kind != engine.KindAudit || a.CountsAgainstLimit() || !strings.HasPrefix(a.ConversationID, "audit_t_") {
					t.Errorf("attempt %s %s: kind %q, counts %v", a.ConversationID, a.Request.Method, a.Kind, a.CountsAgainstLimit())
				}
				if a.BotReply != "" {
					t.Errorf("an audit attempt has a bot reply %q", a.BotReply)
				}
			}
			if d.Limiter().Status("audit_t_1", d.Now()).Remaining != engine.RateLimit {
				t.Error("the audit used a rate-limit call")
			}
		})
	}
}

func expectVerdicts(t *testing.T, target string, rep *audit.Report, want map[string]audit.Verdict) {
	t.Helper()
	if len(rep.Results) != len(want) {
		t.Errorf("%s: %d checks, want %d", target, len(rep.Results), len(want))
	}
	for _, r := range rep.Results {
		if r.Verdict != want[r.ID] {
			t.Errorf("%s %s: %s (%s; answer %s), want %s", target, r.ID, r.Verdict, r.Why, r.Answer, want[r.ID])
		}
		if r.Verdict != audit.Pass && r.Verdict != audit.Skip && r.Fix == "" {
			t.Errorf("%s %s: %s without a fix", target, r.ID, r.Verdict)
		}
		if r.Answer == "" || r.Sends == "" || r.Rule == "" {
			t.Errorf("%s %s: empty answer, sends or rule: %+v", target, r.ID, r)
		}
	}
}

// An action signed with Standard Webhooks is audited with its own
// signatures: the X-DGbot-Signature checks are skipped, the rest re-signed
// bodies the strict mock refuses or handles.
func TestAuditStandardWebhooksAction(t *testing.T) {
	s, err := Start(context.Background(), "127.0.0.1:0", Config{Secret: testSecret, Token: testToken}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := engine.New(engine.Options{RootCAs: trusting(t, s)})
	defer d.Close()
	act := engine.Action{ID: "echo", URL: s.URL() + "/actions/echo", Secret: DemoStandardSecret, Signing: engine.SigningStandardWebhooks}
	rep := (&audit.Auditor{Dispatcher: d, Chatbot: engine.Chatbot{ID: "21", Name: "Bot"}, RunID: "sw"}).Action(context.Background(), act, nil)
	for _, r := range rep.Results {
		if strings.Contains(r.Answer, "401") && r.Verdict != audit.Skip && r.ID != "idempotency" && r.ID != "stale_timestamp" && r.ID != "reused_id" { // refused as replays, rightly
			t.Errorf("%s: refused by its signature (%s): the body was not re-signed", r.ID, r.Answer)
		}
	}
	expectVerdicts(t, "echo (Standard Webhooks)", rep, map[string]audit.Verdict{
		"baseline": audit.Pass, "no_signature": audit.Skip, "wrong_secret": audit.Skip, "tampered": audit.Skip,
		"malformed_signature": audit.Skip, "replay": audit.Skip, "stale_timestamp": audit.Pass, "reused_id": audit.Pass,
		"idempotency": audit.Pass, "oversize": audit.Pass,
		"malformed_json": audit.Pass, "schema": audit.Pass, "hostile_strings": audit.Pass, "method": audit.Pass,
		"latency": audit.Pass, "tls": audit.Pass,
	})
}

// The Standard Webhooks checks against real receivers: the strict mock
// refuses a stale webhook-timestamp and a reused webhook-id, for an action
// and for the webhook; the lax mock accepts both, and both checks fail.
func TestAuditStandardWebhooksReplays(t *testing.T) {
	for _, tc := range []struct {
		name string
		lax  bool
		want audit.Verdict
		why  map[string]string
	}{
		{"strict", false, audit.Pass, nil},
		{"lax", true, audit.Fail, map[string]string{
			"stale_timestamp": "accepted a stale timestamp",
			"reused_id":       "accepted a reused webhook-id",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Start(context.Background(), "127.0.0.1:0", Config{Secret: testSecret, Token: testToken, Lax: tc.lax}, "", "")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			d := engine.New(engine.Options{RootCAs: trusting(t, s)})
			defer d.Close()
			au := &audit.Auditor{Dispatcher: d, Chatbot: engine.Chatbot{ID: "21", Name: "Bot"}, RunID: "sw"}
			act := engine.Action{ID: "echo", URL: s.URL() + "/actions/echo", Secret: DemoStandardSecret, Signing: engine.SigningStandardWebhooks}
			wh := engine.Webhook{URL: s.URL() + "/webhook", Token: testToken, Signing: engine.SigningStandardWebhooks, Secret: DemoStandardSecret}
			reports := []*audit.Report{
				au.Action(context.Background(), act, nil),
				au.Webhook(context.Background(), wh, nil),
			}
			for _, rep := range reports {
				seen := 0
				for _, r := range rep.Results {
					if r.ID != "stale_timestamp" && r.ID != "reused_id" {
						continue
					}
					seen++
					if r.Verdict != tc.want {
						t.Errorf("%s %s: %s (%s; answer %s), want %s", rep.Target, r.ID, r.Verdict, r.Why, r.Answer, tc.want)
					}
					if tc.want == audit.Fail && (!strings.Contains(r.Why, tc.why[r.ID]) || r.Fix == "") {
						t.Errorf("%s %s: why %q, fix %q", rep.Target, r.ID, r.Why, r.Fix)
					}
					if strings.Contains(r.Answer, DemoStandardSecret) || strings.Contains(r.Why, DemoStandardSecret) {
						t.Errorf("%s %s: the secret is in the result", rep.Target, r.ID)
					}
				}
				if seen != 2 {
					t.Errorf("%s: %d Standard Webhooks checks, want 2", rep.Target, seen)
				}
			}
		})
	}
}
