// Package scenarios reads scenario files: scripted conversations with the
// simulated bot, replayed from the command line and in CI, with checks on
// what the bot said and which action calls and webhook events it made.
//
// A scenario is one YAML document:
//
//	name: Order lookup by intent           # required
//	workspace: ../my-workspace.yaml        # optional; default: the embedded demo
//	visitor:                               # optional: id, name, email, phone
//	  name: Jane Doe
//	  email: jane@example.com
//	steps:                                 # required, at least one
//	  - say: Where is my order 1042?
//	  - expect:
//	      dispatch:
//	        action: order_lookup
//	        trigger: ai_intent
//	        outcome: message
//	        status: 200
//	        payload:
//	          customer_email: jane@example.com
//	          order_id: "1042"
//	      bot:
//	        contains: on the way           # or equals: / matches: (regexp) / absent: true
//	  - click: track_order                 # a quick-reply button id
//	  - lead: {name: Jane Doe, email: jane@example.com, phone: "+44 20 7946 0000"}
//	  - trigger: order_lookup              # fire an action manually
//	  - wait: 10m                          # Go duration; virtual time, costs nothing
//	  - expect:
//	      rate_limited: true
//	  - expect:
//	      event: {name: before_response_sent, outcome: acknowledged, reply: skip}
//	      bot: {absent: true}
//
// The rules:
//
//   - The top level has name, workspace, visitor and steps; visitor has id,
//     name, email and phone. workspace is relative to the scenario's folder;
//     whether it exists is checked when the scenario runs.
//   - Each step is a mapping with exactly one of say, click, lead, trigger,
//     wait and expect.
//   - say is the visitor's message. click is a quick-reply button id and
//     trigger an action id, both of letters, digits, "_", "." and "-". A
//     number is taken as the text written (say: 1042, click: 7).
//   - lead maps lead form fields (name, email, phone and any other name of
//     letters, digits and "_") to the values entered.
//   - wait is a positive Go duration (90s, 10m, 1h30m) on the virtual clock.
//   - expect checks what happened since the previous step. It holds at
//     least one of bot, dispatch, event and rate_limited, each described
//     below; a check left out is not made.
//   - bot checks the bot's reply with exactly one of equals, contains,
//     matches (a Go regular expression) or absent: true (no reply). A plain
//     string is short for equals.
//   - dispatch checks an action call, with any of action, trigger
//     (ai_intent, button_click, lead_captured, manual), outcome, status
//     (100 to 599) and payload; dispatch: {} matches any call. Each value
//     under payload is checked on its own, at a path such as
//     order.items[0].sku, and keeps its YAML type: "1042" is text, 1042 a
//     number.
//   - event checks a webhook event, with any of name, outcome, reply
//     (override_response, skip, or none for an answer that asked for
//     nothing) and override, the override_response text, checked like bot.
//   - rate_limited is true when a call was refused by the rate limit since
//     the previous step, false when none was.
//   - An outcome must be one the check's protocol can end in: acknowledged
//     is for events only; message, data and rate_limited for actions only.
//   - Unknown keys, duplicate keys, wrong types, anchors, aliases, tags and
//     more than one document are errors.
//
// Every error is an *Error naming the file, line and column, what was
// expected and how to fix it; LoadAll reports one per bad file.
package scenarios
