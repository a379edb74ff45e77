// Package workspace loads the workspace file: the chatbot, the policy, an
// optional extra CA and the custom actions that actionbench dispatches.
// The simulated bot (greeting, fallback, intents, buttons, lead) is
// written in the same file but read by package sim/bot, through an
// Extension: the engine holds only what dispatches.
//
// Before parsing, a file is checked against input limits (DefaultLimits):
// 1 MiB, 64 levels of nesting, 131,072 values, UTF-8 only.
//
// A workspace is one YAML document:
//
//	chatbot:
//	  id: bot_def456
//	  name: Support Bot
//	policy: workbench          # or production; optional, default workbench
//	ca_file: certs/dev-ca.pem  # optional, relative to this file
//	actions:
//	  - id: order_lookup
//	    name: Order lookup                     # optional, defaults to id
//	    url: https://127.0.0.1:8443/dgbot/action
//	    secret: ${ORDER_LOOKUP_SECRET}
//	    triggers: [ai_intent:order_status, button_click:track_order, lead_captured, manual]
//	    payload:                               # optional, defaults to {}
//	      customer_email: "{{visitor.email}}"
//	      order_id: "{{entities.order_id}}"
//	webhook:                                   # optional
//	  url: https://127.0.0.1:8443/webhook
//	  token: ${WEBHOOK_TOKEN}
//	  events: [on_message_received, before_response_sent]   # optional: all four
//	greeting: Hi! Ask me about your order.      # optional: the bot's first words
//	fallback: Sorry, I didn't get that.         # optional: when no intent matches
//	intents:
//	  - name: order_status
//	    patterns: ["where is my order(?: (?P<order_id>\d+))?"]   # named groups become entities
//	    reply: Let me look that up.              # optional
//	    buttons: [track_order]                   # optional quick replies
//	  - name: support.ticket
//	    patterns: [ticket, problem]
//	    starts: ticket                           # or live_chat, or lead
//	buttons:
//	  - id: track_order
//	    label: Track my order
//	lead:                                        # optional; these are the defaults' keys
//	  prompt: Leave your details and we'll get back to you.
//	  fields: [name, email, phone]
//	  thanks: Thanks! We'll be in touch soon.
//
// The rules:
//
//   - chatbot.id and chatbot.name are required; actions is a list, possibly
//     empty.
//   - An action needs id, url and secret. Ids are letters, digits, "_", "."
//     and "-", and are unique in the workspace.
//   - url is an absolute https:// (or http://) URL with a host and no
//     user:password@. The file may say http; the dispatcher refuses it
//     unless plaintext is explicitly allowed.
//   - secret and url may refer to environment variables as ${NAME}, for the
//     whole value or part of it; $${ writes a literal ${. A variable that is
//     not set is an error, and so is a secret that ends up empty. Secrets
//     are never part of an error message.
//   - triggers lists ai_intent:NAME, button_click:ID, lead_captured and
//     manual; an action with no triggers can still be fired by hand.
//   - payload is a mapping compiled by package template: strings may hold
//     {{variables}}, and key order is kept.
//   - webhook needs url and token (sent as Authorization: Bearer <token>);
//     token takes ${NAME} references like a secret. events lists
//     on_message_received, on_ticket_created, on_live_chat_requested and
//     before_response_sent, each once; without it the webhook gets all four.
//   - the bot's keys are sim/bot's: intents need a name and
//     case-insensitive regular expressions in patterns; their buttons must
//     be defined under buttons. When the file defines intents (or buttons),
//     every ai_intent:NAME (button_click:ID) trigger must name one of them.
//   - Unknown keys, wrong types, anchors, aliases and tags are errors.
//
// Every error is an *Error naming the file, line and column, what was
// expected and how to fix it.
package workspace
