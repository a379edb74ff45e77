package main

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine"
)

type emitFlags struct {
	commonFlags
	db           dbFlag
	conversation string
	sets         []string
	json         bool
}

func newEmitCommand(e env) *cobra.Command {
	var f emitFlags
	cmd := &cobra.Command{
		Use:   "emit EVENT",
		Short: "Send one event webhook to the workspace's webhook URL, exactly as the platform would",
		Long: `emit sends one event webhook — on_message_received, on_ticket_created,
on_live_chat_requested or before_response_sent — to the workspace's webhook
with its Bearer token, under the same 8 s timeout, 100 KiB limits and
address policy as actions. It prints the outcome, the status, the latency
and what the answer asks of the conversation: override_response (and the
replacement text), skip, or nothing.

Without --set each event carries the reference's example values. --set
takes the payload's own field paths:

  visitor_id, message, type, intent             (on_message_received)
  ticket_number, ticket_data.name, ticket_data.email,
  ticket_data.description                       (on_ticket_created)
  session_status, message                       (on_live_chat_requested)
  response.response (or response), response.type, message,
  source_type, intent                           (before_response_sent)

Exit status: 0 when the webhook answered 2xx, 1 otherwise, 2 for bad input.`,
		Example: `  # the reference's greeting override
  actionbench emit on_message_received --set message=Hello! --set intent=greeting.hello

  # does the receiver skip error replies?
  actionbench emit before_response_sent --set response.type=error

  actionbench emit on_ticket_created --set ticket_data.email=jane@example.com --json`,
		Args: exactArgs(1, "one EVENT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd, e, args[0])
		},
	}
	f.register(cmd)
	f.db.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.conversation, "conversation", "c", "", "conversation id the event belongs to (default: a new id)")
	fl.StringArrayVarP(&f.sets, "set", "s", nil, "payload field as path=value, e.g. message=Hello (repeatable)")
	fl.BoolVar(&f.json, "json", false, "print the attempt as one JSON object")
	return cmd
}

func (f *emitFlags) run(cmd *cobra.Command, e env, name string) error {
	event, err := engine.ParseEvent(name)
	if err != nil {
		return badInput{err}
	}
	fields, err := eventFields(event, f.sets, time.Now())
	if err != nil {
		return err
	}
	ws, err := f.loadWorkspace(cmd.Context(), e)
	if err != nil {
		return err
	}
	defer ws.Close()
	if ws.Webhook == nil {
		return badInputf("%s has no webhook: add webhook: {url: https://…, token: ${WEBHOOK_TOKEN}}", ws.name())
	}
	if !ws.Webhook.Subscribes(event) {
		return badInputf("the webhook in %s does not subscribe to %s (events: %s), so the platform would not send it: add it to webhook.events", ws.name(), event, joinEvents(ws.Webhook.Events))
	}
	ctx := cmd.Context()
	opts, store, err := f.prepare(ctx, ws, &f.db)
	if err != nil {
		return err
	}
	defer store.Close()
	d := engine.New(opts)
	defer d.Close()
	conversation := f.conversation
	if conversation == "" {
		conversation = newConversationID()
	}
	attempt := d.Emit(ctx, engine.EventCall{
		Chatbot:        ws.Chatbot,
		Webhook:        *ws.Webhook,
		ConversationID: conversation,
		Event:          event,
		Fields:         fields,
	})
	id, err := record(ctx, store, attempt)
	if err != nil {
		return err
	}
	return report(e, attempt.Redacted(ws.Secrets()...), id, f.json)
}

// eventSetters maps each --set path to the field it fills.
var eventSetters = map[string]func(*engine.EventFields, string){
	"visitor_id":              func(f *engine.EventFields, v string) { f.VisitorID = v },
	"message":                 func(f *engine.EventFields, v string) { f.Message = v },
	"type":                    func(f *engine.EventFields, v string) { f.MessageType = v },
	"intent":                  func(f *engine.EventFields, v string) { f.Intent = v },
	"ticket_number":           func(f *engine.EventFields, v string) { f.TicketNumber = v },
	"ticket_data.name":        func(f *engine.EventFields, v string) { f.TicketName = v },
	"ticket_data.email":       func(f *engine.EventFields, v string) { f.TicketEmail = v },
	"ticket_data.description": func(f *engine.EventFields, v string) { f.TicketText = v },
	"session_status":          func(f *engine.EventFields, v string) { f.SessionStatus = v },
	"response":                func(f *engine.EventFields, v string) { f.Response = v },
	"response.response":       func(f *engine.EventFields, v string) { f.Response = v },
	"response.type":           func(f *engine.EventFields, v string) { f.ResponseType = v },
	"source_type":             func(f *engine.EventFields, v string) { f.SourceType = v },
}

// eventFields starts from the reference's example values for event and
// applies the --set flags.
func eventFields(event engine.Event, sets []string, now time.Time) (engine.EventFields, error) {
	f := engine.SampleFields(event, ticketNumber(now))
	for _, s := range sets {
		path, value, ok := strings.Cut(s, "=")
		if !ok {
			return f, badInputf("--set %q: expected path=value, e.g. message=Hello", s)
		}
		set, known := eventSetters[strings.TrimSpace(path)]
		if !known {
			paths := make([]string, 0, len(eventSetters))
			for p := range eventSetters {
				paths = append(paths, p)
			}
			sort.Strings(paths)
			return f, badInputf("--set %s: unknown field %q (fields: %s)", s, path, strings.Join(paths, ", "))
		}
		set(&f, value)
	}
	return f, nil
}

// ticketNumber makes a number in the platform's format, TIC-YYYYMMDD-NNNN.
func ticketNumber(now time.Time) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(10000))
	return fmt.Sprintf("TIC-%s-%04d", now.UTC().Format("20060102"), n.Int64())
}

func joinEvents(events []engine.Event) string {
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = string(e)
	}
	return strings.Join(names, ", ")
}
