package load

import (
	"context"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/template"
)

// Target is what an arrival of a calls load sends: an action, or an event
// (when Event is set) with its fields.
type Target struct {
	Action engine.Action
	Event  engine.Event
	Fields engine.EventFields
}

// Calls is a load of calls: each arrival sends one of Targets, in turn,
// from the conversation Conversation names for it.
type Calls struct {
	Dispatcher *engine.Dispatcher
	Chatbot    engine.Chatbot
	Webhook    engine.Webhook // where events go
	Targets    []Target
	// Conversation names arrival seq's conversation: a new one per call,
	// or one of a pool.
	Conversation func(seq int64) string
	Vars         template.Vars // the actions' template variables
	// OneCall says each conversation makes one call (a new one per
	// arrival), so the rate limiter need not remember it
	// (engine.ActionCall.OneCall).
	OneCall bool
}

// Job is the load's Job. The workbench's load page and the load command
// both send through it.
func (l Calls) Job() Job {
	return func(ctx context.Context, c Call) Result {
		t := &l.Targets[int(c.Seq%int64(len(l.Targets)))]
		conv := l.Conversation(c.Seq)
		var a *engine.Attempt
		if t.Event != "" {
			fields := t.Fields
			fields.VisitorID = "v_" + conv
			a = l.Dispatcher.Emit(ctx, engine.EventCall{Chatbot: l.Chatbot, Webhook: l.Webhook, ConversationID: conv, Event: t.Event, Fields: fields})
		} else {
			a = l.Dispatcher.Fire(ctx, engine.ActionCall{Chatbot: l.Chatbot, Action: t.Action, ConversationID: conv,
				VisitorID: "v_" + conv, Trigger: engine.TriggerManual, Vars: l.Vars, OneCall: l.OneCall})
		}
		return Result{Attempts: []*engine.Attempt{a}}
	}
}
