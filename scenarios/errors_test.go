package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// head starts every case below, so that the first step is on line 3 and
// line numbers in the cases are easy to check.
const head = "name: t\nsteps:\n"

// expect opens an expect step on line 3, its checks from line 4 at
// column 7.
const expect = head + "  - expect:\n"

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		// The file as a whole.
		{"empty file", "", "t.yaml:1:1: empty scenario: expected name and steps"},
		{"only comments", "# nothing yet\n\n", "t.yaml:1:1: empty scenario: expected name and steps"},
		{"only a document marker", "---\n", "t.yaml:1:1: empty scenario: expected name and steps"},
		{"two documents", head + "  - say: hi\n---\nname: u\n", "t.yaml:5:1: a scenario is a single YAML document"},
		{"top level is a list", "- say: hi\n", "t.yaml:1:1: a scenario must be a mapping with name and steps at the top level, got a list"},
		{"top level is a string", "hello\n", "t.yaml:1:1: a scenario must be a mapping with name and steps at the top level, got a string"},

		// YAML syntax.
		{"syntax error", head + "  - say: [hi\n", "t.yaml:3:10: invalid YAML: "},
		{"tab indentation", "name: t\nsteps:\n\t- say: hi\n", `t.yaml:3:1: invalid YAML: found character '\t' that cannot start any token`},
		{"duplicate top-level key", "name: t\nname: u\nsteps: [{say: hi}]\n", `t.yaml:2:1: invalid YAML: mapping key "name" already defined at [1:1]`},
		{"duplicate nested key", expect + "      dispatch: {action: a, action: b}\n", `t.yaml:4:29: invalid YAML: mapping key "action" already defined at [4:18]`},
		{"anchor", "name: &n t\nsteps: [{say: hi}]\n", "t.yaml:1:7: an anchor (&name) is not supported in a scenario: write the value out in full"},
		{"alias after its anchor", "name: &n t\nsteps: [{say: *n}]\n", "t.yaml:1:7: an anchor (&name) is not supported in a scenario"},
		{"alias", head + "  - say: *n\n", "t.yaml:3:10: an alias (*name) is not supported in a scenario: write the value out in full"},
		{"tag", head + "  - say: !!str hi\n", "t.yaml:3:10: a tagged value (!!type) is not supported in a scenario"},
		{"merge key", head + "  - <<: {say: hi}\n", "t.yaml:3:5: a merge key (<<) is not supported in a scenario"},

		// The top level.
		{"unknown top-level key", "name: t\nstpes: []\n", `t.yaml:2:1: unknown key "stpes" in the scenario: valid keys are name, workspace, visitor, steps; did you mean "steps"?`},
		{"step at the top level", "name: t\nsay: hi\n", `t.yaml:2:1: unknown key "say" in the scenario: valid keys are name, workspace, visitor, steps; say is a step: write it in the steps list, as - say: …`},
		{"missing name", "steps: [{say: hi}]\n", "t.yaml:1:1: missing name: add a name that says what the scenario checks, e.g. name: Order lookup by intent"},
		{"empty name", "name: ''\nsteps: [{say: hi}]\n", "t.yaml:1:7: name is empty: say what the scenario checks"},
		{"null name", "name:\nsteps: [{say: hi}]\n", "t.yaml:1:1: name is empty: say what the scenario checks"},
		{"name is a list", "name: [a]\nsteps: [{say: hi}]\n", "t.yaml:1:7: name must be a string, got a list"},
		{"missing steps", "name: t\n", "t.yaml:1:1: missing steps: add a steps list with at least one step, such as - say: Hello"},
		{"steps is an empty list", "name: t\nsteps: []\n", "t.yaml:2:8: steps is empty: add at least one step, such as - say: Hello"},
		{"steps is null", "name: t\nsteps:\n", "t.yaml:2:1: steps is empty: add at least one step"},
		{"steps is a string", "name: t\nsteps: say hi\n", `t.yaml:2:8: steps must be a list of steps, each starting with "- ", such as - say: Hello, got a string`},
		{"empty workspace", "name: t\nworkspace: ''\nsteps: [{say: hi}]\n", "t.yaml:2:12: workspace is empty: give the workspace file's path relative to this scenario, or remove workspace to use the embedded demo"},
		{"workspace is a mapping", "name: t\nworkspace: {path: w.yaml}\nsteps: [{say: hi}]\n", "t.yaml:2:12: workspace must be a string, got a mapping"},

		// The visitor.
		{"visitor is a string", "name: t\nvisitor: Jane\nsteps: [{say: hi}]\n", "t.yaml:2:10: visitor must be a mapping with any of id, name, email and phone, got a string"},
		{"unknown visitor key", "name: t\nvisitor:\n  mail: j@example.com\nsteps: [{say: hi}]\n", `t.yaml:3:3: unknown key "mail" in visitor: valid keys are id, name, email, phone; did you mean "email"?`},
		{"empty visitor email", "name: t\nvisitor:\n  email:\nsteps: [{say: hi}]\n", "t.yaml:3:3: visitor.email is empty: give the visitor's email, or remove the key"},

		// Steps.
		{"step is a string", head + "  - hello\n", "t.yaml:3:5: steps[0] must be a mapping with one of say, click, lead, trigger, wait, expect, audit, such as - say: Hello, got a string"},
		{"step is null", head + "  - say: hi\n  -\n", "t.yaml:4:3: steps[1] is empty: a step is a mapping with one of say, click, lead, trigger, wait, expect"},
		{"step is an empty mapping", head + "  - {}\n", "t.yaml:3:5: steps[0] is empty: a step is a mapping with one of say, click, lead, trigger, wait, expect"},
		{"step with two kinds", head + "  - say: hi\n    expect: {bot: hello}\n", `t.yaml:4:5: a step does one thing, but this one has both say and expect: start expect as a step of its own, with "- " before it`},
		{"unknown step kind", head + "  - sya: hi\n", `t.yaml:3:5: unknown key "sya" in a step: valid keys are say, click, lead, trigger, wait, expect, audit; did you mean "say"?`},
		{"check beside expect", head + "  - expect:\n    bot: hi\n", `t.yaml:4:5: unknown key "bot" in a step: valid keys are say, click, lead, trigger, wait, expect, audit; bot belongs under expect: indent it below expect:`},

		// say, click, trigger.
		{"empty say", head + "  - say: ''\n", "t.yaml:3:10: say is empty: give the visitor's message, e.g. say: Where is my order 1042?"},
		{"say is a mapping", head + "  - say: {text: hi}\n", "t.yaml:3:10: say must be a string, got a mapping"},
		{"empty click", head + "  - click:\n", "t.yaml:3:5: click is empty: give a quick-reply button id, e.g. click: track_order"},
		{"click with a space", head + "  - click: track order\n", `t.yaml:3:12: click "track order" is not a quick-reply button id: use letters, digits, _ . and -, e.g. click: track_order`},
		{"trigger with a space", head + "  - trigger: order lookup\n", `t.yaml:3:14: trigger "order lookup" is not an action id: use letters, digits, _ . and -, e.g. trigger: order_lookup`},

		// lead.
		{"lead is null", head + "  - lead:\n", "t.yaml:3:5: lead is empty: give the lead form's fields, e.g. lead: {name: Jane Doe, email: jane@example.com}"},
		{"lead is an empty mapping", head + "  - lead: {}\n", "t.yaml:3:11: lead is empty: give the lead form's fields"},
		{"lead is a string", head + "  - lead: Jane\n", "t.yaml:3:11: lead must be a mapping of lead fields to values, e.g. lead: {name: Jane Doe, email: jane@example.com}, got a string"},
		{"lead field name", head + "  - lead:\n      first name: Jane\n", `t.yaml:4:7: lead field "first name" is not a valid field name: use letters, digits and _, e.g. name, email, phone or company_name`},
		{"lead value is a list", head + "  - lead: {name: [Jane]}\n", "t.yaml:3:18: lead.name must be a string, got a list"},
		{"comma in a lead value", head + "  - lead: {name: Doe, Jane}\n", `t.yaml:3:23: lead.Jane is empty: give the value the visitor enters, or remove Jane; a comma inside {…} starts a new key`},
		{"lead value is empty", head + "  - lead:\n      email:\n", "t.yaml:4:7: lead.email is empty: give the value the visitor enters, or remove email"},

		// wait.
		{"wait without a unit", head + "  - wait: 10\n", "t.yaml:3:11: wait 10 has no unit: write 10s or 10m"},
		{"wait not a duration", head + "  - wait: ten minutes\n", `t.yaml:3:11: wait must be a Go duration such as 90s, 10m or 1h30m, got "ten minutes"`},
		{"wait zero", head + "  - wait: 0s\n", "t.yaml:3:11: wait must be a positive duration, got 0s"},
		{"wait negative", head + "  - wait: -5m\n", "t.yaml:3:11: wait must be a positive duration, got -5m"},
		{"wait in days", head + "  - wait: 2d\n", "t.yaml:3:11: wait 2d: Go durations have no d unit: write 48h"},
		{"wait is empty", head + "  - wait:\n", "t.yaml:3:5: wait is empty: give how long the visitor waits, as a Go duration such as 90s, 10m or 1h30m"},

		// expect.
		{"expect is null", head + "  - expect:\n", "t.yaml:3:5: expect is empty: check at least one of bot, dispatch, event, rate_limited"},
		{"expect is an empty mapping", head + "  - expect: {}\n", "t.yaml:3:13: expect is empty: check at least one of bot, dispatch, event, rate_limited"},
		{"expect is a list", head + "  - expect: [bot]\n", "t.yaml:3:13: expect must be a mapping with at least one of bot, dispatch, event, rate_limited, got a list"},
		{"unknown expect key", expect + "      bots: hi\n", `t.yaml:4:7: unknown key "bots" in expect: valid keys are bot, dispatch, event, rate_limited; did you mean "bot"?`},
		{"matcher beside bot", expect + "      bot:\n      contains: hi\n", `t.yaml:5:7: unknown key "contains" in expect: valid keys are bot, dispatch, event, rate_limited; contains belongs under bot: indent it below bot:`},

		// bot.
		{"bot is null", expect + "      bot:\n", "t.yaml:4:7: bot is empty: give the reply text, or a mapping with one of equals, contains, matches or absent"},
		{"bot is a list", expect + "      bot: [hi]\n", "t.yaml:4:12: bot must be a string or a mapping, got a list"},
		{"bot is a boolean", expect + "      bot: false\n", `t.yaml:4:12: bot must be a string or a mapping, got a boolean: write bot: {absent: true} to check that there was no bot text, or quote "false" to check for that text`},
		{"bot without a matcher", expect + "      bot: {}\n", "t.yaml:4:12: bot needs one of equals, contains, matches or absent, e.g. bot: {contains: on the way}"},
		{"bot with two matchers", expect + "      bot:\n        contains: on the way\n        matches: way$\n", "t.yaml:6:9: bot has both contains and matches: keep one; a bot check uses one of equals, contains, matches or absent"},
		{"comma in flow text", expect + "      bot: {equals: Thanks, Jane!}\n", `t.yaml:4:29: unknown key "Jane!" in bot: valid keys are equals, contains, matches, absent; a comma inside {…} starts a new key: quote text that contains a comma, e.g. {equals: "Thanks, Jane!"}`},
		{"unknown matcher", expect + "      bot: {contain: way}\n", `t.yaml:4:13: unknown key "contain" in bot: valid keys are equals, contains, matches, absent; did you mean "contains"?`},
		{"empty equals", expect + "      bot: {equals: ''}\n", "t.yaml:4:21: equals is empty: give the reply text, or remove equals"},
		{"bad regexp", expect + "      bot: {matches: '(on the'}\n", "t.yaml:4:22: matches is not a valid Go regular expression: missing closing ) in \"(on the\""},
		{"absent false", expect + "      bot: {absent: false}\n", "t.yaml:4:21: absent must be true, meaning there was no bot text; to check that there was some, use matches: ."},
		{"absent is a string", expect + "      bot: {absent: 'yes'}\n", `t.yaml:4:21: absent must be true (to check that there was no bot text), got "yes"`},

		// dispatch.
		{"dispatch is a string", expect + "      dispatch: order_lookup\n", "t.yaml:4:17: dispatch must be a mapping with any of action, trigger, outcome, status and payload, got a string"},
		{"unknown dispatch key", expect + "      dispatch: {payloads: {}}\n", `t.yaml:4:18: unknown key "payloads" in dispatch: valid keys are action, trigger, outcome, status, payload; did you mean "payload"?`},
		{"bad action id", expect + "      dispatch: {action: order lookup}\n", `t.yaml:4:26: action "order lookup" is not an action id: use letters, digits, _ . and -, e.g. action: order_lookup`},
		{"misspelt trigger", expect + "      dispatch: {trigger: ai-intent}\n", `t.yaml:4:27: trigger must be one of ai_intent, button_click, lead_captured, manual, got "ai-intent"; did you mean "ai_intent"?`},
		{"trigger with a name", expect + "      dispatch: {trigger: 'ai_intent:order_status'}\n", `t.yaml:4:27: trigger "ai_intent:order_status": write the trigger alone, trigger: ai_intent`},
		{"misspelt outcome", expect + "      dispatch: {outcome: mesage}\n", `t.yaml:4:27: outcome must be one of message, data, error, invalid_response, timeout, too_large, transport_error, rejected, rate_limited, got "mesage"; did you mean "message"?`},
		{"event outcome on a dispatch", expect + "      dispatch: {outcome: acknowledged}\n", "t.yaml:4:27: outcome acknowledged is only an event webhook's outcome: an action call ends in message, data, error"},
		{"status out of range", expect + "      dispatch: {status: 42}\n", "t.yaml:4:26: status must be an HTTP status code from 100 to 599, e.g. status: 200, got 42"},
		{"status quoted", expect + "      dispatch: {status: '200'}\n", `t.yaml:4:26: status must be an HTTP status code from 100 to 599, e.g. status: 200, got the string "200": write the number without quotes`},
		{"payload is null", expect + "      dispatch:\n        payload:\n", "t.yaml:5:9: payload is empty: list the payload fields to check"},
		{"payload is a list", expect + "      dispatch:\n        payload: [order_id]\n", "t.yaml:5:18: payload must be a mapping of payload fields to the values expected"},
		{"payload infinity", expect + "      dispatch:\n        payload: {total: .inf}\n", `t.yaml:5:26: .inf is not a number JSON can carry: quote it (".inf") to check for text`},
		{"payload alias", "name: &n t\nsteps:\n  - expect:\n      dispatch:\n        payload: {a: *n}\n", "t.yaml:1:7: an anchor (&name) is not supported"},
		{"payload tag", expect + "      dispatch:\n        payload: {a: !!str 1}\n", "t.yaml:5:22: a tagged value (!!type) is not supported in a scenario"},

		// event.
		{"misspelt event", expect + "      event: {name: before_response_snt}\n", `t.yaml:4:21: event name must be one of on_message_received, on_ticket_created, on_live_chat_requested, before_response_sent, got "before_response_snt"; did you mean "before_response_sent"?`},
		{"event without on_", expect + "      event: {name: message_received}\n", `t.yaml:4:21: event name must be one of on_message_received, on_ticket_created, on_live_chat_requested, before_response_sent, got "message_received"; did you mean "on_message_received"?`},
		{"action outcome on an event", expect + "      event: {outcome: message}\n", "t.yaml:4:24: outcome message is only an action call's outcome: an event webhook ends in error, invalid_response, timeout, too_large, transport_error, rejected, acknowledged"},
		{"misspelt reply", expect + "      event: {reply: skp}\n", `t.yaml:4:22: reply must be one of override_response, skip, none, got "skp"; did you mean "skip"?`},
		{"override with skip", expect + "      event: {reply: skip, override: hi}\n", "t.yaml:4:28: override checks the text of an override_response, but reply is skip: remove override, or expect reply: override_response"},
		{"empty override", expect + "      event: {override: ''}\n", "t.yaml:4:25: override is empty: give the replacement reply text"},
		{"unknown event key", expect + "      event: {replay: skip}\n", `t.yaml:4:15: unknown key "replay" in event: valid keys are name, outcome, reply, override; did you mean "reply"?`},

		// rate_limited.
		{"rate_limited is a string", expect + "      rate_limited: 'yes'\n", `t.yaml:4:21: rate_limited must be true to expect a rate-limit hit, false to expect none, got "yes"`},
		{"rate_limited is a number", expect + "      rate_limited: 1\n", "t.yaml:4:21: rate_limited must be true to expect a rate-limit hit, false to expect none, got a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse:\n%s\nwant error %s, got scenario %+v", tt.src, tt.want, s)
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("want *Error, got %T: %v", err, err)
			}
			if se.File != "t.yaml" || se.Line < 1 || se.Column < 1 {
				t.Errorf("want a position in t.yaml, got %q %d:%d", se.File, se.Line, se.Column)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Parse:\n%s\nwant prefix %s\ngot         %s", tt.src, tt.want, err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}
