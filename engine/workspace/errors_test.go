package workspace

import (
	"errors"
	"strings"
	"testing"
)

// distinctive is part of every secret the tests' environment holds; no
// error message may ever contain it.
const distinctive = "SUPERSECRET-7f3a"

func secretEnv() LookupEnv {
	return fakeEnv(map[string]string{
		"ORDER_LOOKUP_SECRET": "s3cret-" + distinctive,
		"API_HOST":            "api-" + distinctive + ".example.com",
		"BAD_HOST":            "user:" + distinctive + "@host",
		"EMPTY":               "",
	})
}

// head is the chatbot every case below starts with, so that actions begin
// on line 4 and line numbers in the cases are easy to check.
const head = "chatbot:\n  id: bot_1\n  name: Bot\n"

// action is one good action, lines 4–8 after head.
const action = "actions:\n  - id: a1\n    url: https://127.0.0.1:8443/x\n    secret: ${ORDER_LOOKUP_SECRET}\n    triggers: [manual]\n"

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		// The file as a whole.
		{"empty file", "", "ws.yaml:1:1: empty workspace: expected chatbot and actions"},
		{"only comments", "# nothing yet\n\n", "ws.yaml:1:1: empty workspace: expected chatbot and actions"},
		{"only a document marker", "---\n", "ws.yaml:1:1: empty workspace: expected chatbot and actions"},
		{"two documents", head + "---\nchatbot: {id: b, name: B}\n", "ws.yaml:5:1: a workspace is a single YAML document"},
		{"top level is a list", "- chatbot\n", "ws.yaml:1:1: a workspace must be a mapping with chatbot and actions at the top level, got a list"},
		{"top level is a string", "hello\n", "ws.yaml:1:1: a workspace must be a mapping with chatbot and actions at the top level, got a string"},

		// YAML syntax.
		{"syntax error", head + "actions: [\n", "ws.yaml:4:10: invalid YAML: sequence end token ']' not found"},
		{"tab indentation", "chatbot:\n\tid: x\n", `ws.yaml:2:1: invalid YAML: found character '\t' that cannot start any token`},
		{"duplicate key", head + "policy: workbench\npolicy: production\n", `ws.yaml:5:1: invalid YAML: mapping key "policy" already defined at [4:1]`},
		{"unquoted variable", head + action + "    payload:\n      email: {{visitor.email}}\n",
			`ws.yaml:10:15: invalid YAML: could not find flow map content; quote strings that contain {{variables}}, e.g. email: "{{visitor.email}}"`},

		// Unknown keys, everywhere.
		{"unknown top-level key", head + "actionz: []\n", `ws.yaml:4:1: unknown key "actionz" in the workspace: valid keys are chatbot, policy, ca_file, actions, webhook; did you mean "actions"?`},
		{"unknown chatbot key", "chatbot:\n  id: b\n  nmae: B\n", `ws.yaml:3:3: unknown key "nmae" in chatbot: valid keys are id, name; did you mean "name"?`},
		{"unknown action key", head + action + "    retries: 3\n", `ws.yaml:9:5: unknown key "retries" in an action: valid keys are id, name, url, secret, triggers, payload, signing`},
		{"merge key", head + "<<: {policy: workbench}\n", "ws.yaml:4:1: a merge key (<<) is not supported in a workspace"},

		// Wrong types.
		{"actions is a string", head + "actions: foo\n", `ws.yaml:4:10: actions must be a list of actions, each starting with "- id:", got a string`},
		{"actions is a mapping", head + "actions: {id: a}\n", `ws.yaml:4:10: actions must be a list of actions, each starting with "- id:", got a mapping`},
		{"action is a string", head + "actions:\n  - a1\n", "ws.yaml:5:5: actions[0] must be a mapping with id, url and secret, got a string"},
		{"chatbot is a string", "chatbot: bot_1\n", "ws.yaml:1:10: chatbot must be a mapping with id and name, got a string"},
		{"chatbot is empty", "chatbot:\n", "ws.yaml:1:1: chatbot must be a mapping with id and name, got nothing (null)"},
		{"id is a list", head + "actions:\n  - id: [1]\n", "ws.yaml:5:9: id must be a string, got a list"},
		{"chatbot id is a mapping", "chatbot:\n  id: {a: 1}\n  name: B\n", "ws.yaml:2:7: chatbot.id must be a string, got a mapping"},
		{"triggers is a number", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: s\n    triggers: 3\n",
			"ws.yaml:8:15: triggers must be a list such as [ai_intent:order_status, manual], got a number"},
		{"triggers is a string", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: s\n    triggers: manual\n",
			"ws.yaml:8:15: triggers must be a list such as [ai_intent:order_status, manual], got a string"},
		{"trigger is a list", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: s\n    triggers: [[manual]]\n",
			"ws.yaml:8:16: a trigger must be a string, got a list"},
		{"trigger with a space", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: s\n    triggers:\n      - ai_intent: x\n",
			"ws.yaml:9:9: a trigger must be a string such as ai_intent:order_status, got a mapping: remove the space after the colon"},
		{"payload is a list", head + action + "    payload: [1]\n", "ws.yaml:9:14: payload must be a mapping of keys to values (it is sent as a JSON object), got a list"},
		{"payload is a string", head + action + "    payload: x\n", "ws.yaml:9:14: payload must be a mapping of keys to values (it is sent as a JSON object), got a string"},
		{"policy is a list", head + "policy: [a]\n", "ws.yaml:4:9: policy must be a string, got a list"},
		{"ca_file is a mapping", head + "ca_file: {a: b}\n", "ws.yaml:4:10: ca_file must be a string, got a mapping"},
		{"anchor", head + "policy: &p workbench\n", "ws.yaml:4:9: an anchor (&name) is not supported in a workspace"},
		{"alias", "policy: &p workbench\nchatbot: {id: *p, name: B}\n", "ws.yaml:2:15: an alias (*name) is not supported in a workspace"},
		{"anchored mapping", "chatbot: &c {id: b, name: B}\n", "ws.yaml:1:10: an anchor (&name) is not supported in a workspace"},
		{"tag", head + "policy: !!str workbench\n", "ws.yaml:4:9: a tagged value (!!type) is not supported in a workspace"},

		// Required fields.
		{"missing chatbot", "actions: []\n", "ws.yaml:1:1: missing chatbot: add a chatbot mapping with id and name"},
		{"missing chatbot id", "chatbot:\n  name: Bot\n", "ws.yaml:1:1: chatbot has no id: add the bot's id, e.g. id: bot_def456"},
		{"missing chatbot name", "chatbot:\n  id: b\n", "ws.yaml:1:1: chatbot has no name: add the bot's display name"},
		{"empty chatbot name", "chatbot:\n  id: b\n  name: \"\"\n", "ws.yaml:3:9: chatbot.name is empty: give the bot's display name"},
		{"null chatbot id", "chatbot:\n  id:\n  name: B\n", "ws.yaml:2:3: chatbot.id is empty: give the bot's id"},
		{"missing action id", head + "actions:\n  - url: https://h/\n    secret: s\n", "ws.yaml:5:5: actions[0] has no id: add an id of letters, digits"},
		{"missing url", head + "actions:\n  - id: a1\n    secret: s\n", `ws.yaml:5:5: action "a1" has no url: add the endpoint's address, e.g. url: https://127.0.0.1:8443/dgbot/action`},
		{"missing secret", head + "actions:\n  - id: a1\n    url: https://h/\n", `ws.yaml:5:5: action "a1" has no secret: add a reference to an environment variable`},
		{"empty secret", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: ''\n", "ws.yaml:7:13: secret is empty: give a reference to an environment variable"},
		{"second action missing url", head + action + "  - id: a2\n    secret: s\n", `ws.yaml:9:5: action "a2" has no url`},

		// Ids.
		{"bad id", head + "actions:\n  - id: order lookup\n", `ws.yaml:5:9: action id "order lookup" has characters that are not allowed: use letters, digits, _ . and -, e.g. order_lookup`},
		{"duplicate id", head + action + "  - id: a1\n    url: https://h/\n    secret: s\n", `ws.yaml:9:9: duplicate action id "a1", first defined at line 5: give each action its own id`},

		// URLs.
		{"relative url", head + "actions:\n  - id: a1\n    url: /dgbot/action\n", "ws.yaml:6:10: url has no scheme: expected an absolute URL such as https://host:8443/path"},
		{"ftp url", head + "actions:\n  - id: a1\n    url: ftp://h/x\n", `ws.yaml:6:10: url scheme must be https (or http for local testing), got "ftp"`},
		{"url without host", head + "actions:\n  - id: a1\n    url: https:///x\n", "ws.yaml:6:10: url has no host"},
		{"opaque url", head + "actions:\n  - id: a1\n    url: https:h\n", "ws.yaml:6:10: url has no host"},
		{"url with credentials", head + "actions:\n  - id: a1\n    url: https://u:p@h/x\n", "ws.yaml:6:10: url must not contain credentials (user:password@)"},
		{"unparsable url", head + "actions:\n  - id: a1\n    url: \"https://h:x/\"\n", "ws.yaml:6:10: url has an invalid port (a number from 1 to 65535 is expected)"},
		{"url with a space in the host", head + "actions:\n  - id: a1\n    url: https://exa mple.com/\n", "ws.yaml:6:10: url has an invalid character in its host"},
		{"url from env with credentials", head + "actions:\n  - id: a1\n    url: https://${BAD_HOST}/x\n", "ws.yaml:6:10: url must not contain credentials"},
		{"url env missing", head + "actions:\n  - id: a1\n    url: https://${NOPE_HOST}/x\n", "ws.yaml:6:18: url refers to ${NOPE_HOST}, which is not set: export NOPE_HOST or change the workspace"},

		// Environment references.
		{"secret env missing", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: ${MISSING_SECRET}\n",
			"ws.yaml:7:13: secret refers to ${MISSING_SECRET}, which is not set: export MISSING_SECRET or change the workspace"},
		{"secret env missing mid-value", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: \"pre-${ORDER_LOOKUP_SECRET}-${MISSING}\"\n",
			"ws.yaml:7:41: secret refers to ${MISSING}, which is not set"},
		{"secret env empty", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: ${EMPTY}\n", "ws.yaml:7:13: secret is empty: the environment variables it refers to are set to empty strings"},
		{"secret unclosed reference", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: abc${ORDER\n", `ws.yaml:7:16: secret has "${" without a closing "}"`},
		{"secret malformed reference", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: ${1BAD-NAME}\n", "ws.yaml:7:13: secret has a malformed ${...} reference"},

		// Triggers.
		{"unknown trigger", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: s\n    triggers: [manual, on_click:x]\n",
			`ws.yaml:8:24: unknown trigger "on_click:x": use ai_intent:NAME, button_click:ID, lead_captured or manual`},
		{"intent without name", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: s\n    triggers: [ai_intent]\n",
			"ws.yaml:8:16: trigger ai_intent needs an intent name, e.g. ai_intent:order_status"},
		{"button with empty name", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: s\n    triggers: [\"button_click:\"]\n",
			"ws.yaml:8:16: trigger button_click needs a button id, e.g. button_click:track_order"},
		{"intent with bad name", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: s\n    triggers: [\"ai_intent:a b\"]\n",
			`ws.yaml:8:16: trigger "ai_intent:a b": the name after ai_intent: is letters, digits, _ . and -`},
		{"manual with a name", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: s\n    triggers: [manual:x]\n",
			`ws.yaml:8:16: trigger manual takes no name: write manual without ":x"`},
		{"lead with a name", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: s\n    triggers:\n      - lead_captured:form\n",
			`ws.yaml:9:9: trigger lead_captured takes no name: write lead_captured without ":form"`},
		{"duplicate trigger", head + "actions:\n  - id: a1\n    url: https://h/\n    secret: s\n    triggers: [manual, manual]\n",
			`ws.yaml:8:24: trigger "manual" is listed twice (first at line 8): list it once`},

		// Policy and CA file.
		{"bad policy", head + "policy: strict\n", `ws.yaml:4:9: policy must be workbench or production, got "strict"`},
		{"empty policy", head + "policy:\n", "ws.yaml:4:1: policy must be workbench or production, got nothing (null)"},
		{"empty ca_file", head + "ca_file: ''\n", "ws.yaml:4:10: ca_file is empty: give the path of a PEM file"},

		// Payload templates.
		{"payload unknown variable", head + action + "    payload:\n      email: \"{{visitor.mail}}\"\n",
			"ws.yaml:10:15: payload: unknown variable {{visitor.mail}}: known variables are visitor.id"},
		{"payload malformed variable", head + action + "    payload:\n      greeting: \"Hi {{visitor.name\"\n",
			`ws.yaml:10:21: payload: unclosed variable: "{{" has no closing "}}"`},
		{"payload alias", head + action + "    payload:\n      a: &x 1\n      b: *x\n", "ws.yaml:10:10: payload: anchors (&name) are not supported"},
		{"bot keys without the bot", head + "intents: []\n", `ws.yaml:4:1: unknown key "intents" in the workspace: valid keys are chatbot, policy, ca_file, actions, webhook`},

		// The webhook.
		{"webhook is a string", head + "webhook: https://h/\n", "ws.yaml:4:10: webhook must be a mapping with url, token and events, got a string"},
		{"webhook without url", head + "webhook:\n  token: t\n", "ws.yaml:4:1: webhook has no url: add the receiver's address"},
		{"webhook without token", head + "webhook:\n  url: https://h/hook\n", "ws.yaml:4:1: webhook has no token: add a reference to an environment variable holding the Bearer token"},
		{"webhook token not set", head + "webhook:\n  url: https://h/hook\n  token: ${WEBHOOK_TOKEN}\n", "ws.yaml:6:10: token refers to ${WEBHOOK_TOKEN}, which is not set: export WEBHOOK_TOKEN or change the workspace"},
		{"webhook token empty", head + "webhook:\n  url: https://h/hook\n  token: ${EMPTY}\n", "ws.yaml:6:10: token is empty"},
		{"webhook bad url", head + "webhook:\n  url: ftp://h/hook\n  token: t\n", "ws.yaml:5:8: "},
		{"webhook unknown key", head + "webhook:\n  url: https://h/hook\n  token: t\n  retries: 3\n", `ws.yaml:7:3: unknown key "retries" in webhook: valid keys are url, token, events, signing, secret`},
		{"webhook secret without signing", head + "webhook:\n  url: https://h/hook\n  token: t\n  secret: x\n", `ws.yaml:7:3: the webhook's secret is used only with signing: standard-webhooks`},
		{"webhook unknown signing", head + "webhook:\n  url: https://h/hook\n  token: t\n  signing: svix\n", `ws.yaml:7:12: unknown signing "svix" (want dgbot, the default, or standard-webhooks)`},
		{"webhook standard-webhooks without secret", head + "webhook:\n  url: https://h/hook\n  signing: standard-webhooks\n", "ws.yaml:4:1: webhook has no secret: add for signing: standard-webhooks a reference"},
		{"webhook standard-webhooks secret not whsec", head + "webhook:\n  url: https://h/hook\n  signing: standard-webhooks\n  secret: ${ORDER_LOOKUP_SECRET}\n", "ws.yaml:7:11: secret for signing: standard-webhooks: a Standard Webhooks secret starts with whsec_"},
		{"action standard-webhooks secret not whsec", head + action + "    signing: standard-webhooks\n", "ws.yaml:7:13: secret for signing: standard-webhooks: a Standard Webhooks secret starts with whsec_"},
		{"unknown event", head + "webhook:\n  url: https://h/hook\n  token: t\n  events: [on_message_recieved]\n", `ws.yaml:7:12: unknown event "on_message_recieved" (want on_message_received, on_ticket_created, on_live_chat_requested or before_response_sent)`},
		{"event twice", head + "webhook:\n  url: https://h/hook\n  token: t\n  events: [on_ticket_created, on_ticket_created]\n", `ws.yaml:7:31: event on_ticket_created is listed twice: list each event once`},
		{"events is a string", head + "webhook:\n  url: https://h/hook\n  token: t\n  events: on_ticket_created\n", "ws.yaml:7:11: events must be a list of event names"},
		{"payload infinity", head + action + "    payload:\n      n: .inf\n", "ws.yaml:10:10: payload: .inf is not a number JSON can carry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Parse("ws.yaml", []byte(tt.src), secretEnv())
			if err == nil {
				t.Fatalf("Parse:\n%s\nwant error %s, got workspace %+v", tt.src, tt.want, w)
			}
			var we *Error
			if !errors.As(err, &we) {
				t.Fatalf("want *Error, got %T: %v", err, err)
			}
			if we.File != "ws.yaml" || we.Line < 1 || we.Column < 1 {
				t.Errorf("want a position in ws.yaml, got %q %d:%d", we.File, we.Line, we.Column)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Parse:\n%s\nwant prefix %s\ngot         %s", tt.src, tt.want, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if strings.Contains(err.Error(), distinctive) {
				t.Errorf("error reveals a secret: %s", err)
			}
		})
	}
}
