package tui

import (
	"context"
	"fmt"
	"sync"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/sim"
)

// conversations are the conversations started in this workbench, by id,
// so that a resend from the history counts against its conversation's
// rate limit, on its clock. Resends run in commands, off the Update loop,
// hence the lock.
type conversations struct {
	mu   sync.Mutex
	byID map[string]*sim.Conversation
}

func newConversations() *conversations {
	return &conversations{byID: map[string]*sim.Conversation{}}
}

func (c *conversations) add(conv *sim.Conversation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byID[conv.ID()] = conv
}

func (c *conversations) get(id string) *sim.Conversation {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byID[id]
}

// resend sends a stored attempt again (engine.Redeliver): its body byte
// for byte, with a new delivery id, signed or authorised with the
// workspace's secret or token, to the action's or webhook's URL as the
// workspace has it now; the result is recorded as a new attempt. An
// attempt of a conversation started in this workbench goes through that
// conversation, within its 3 calls per 10 minutes and on its clock; one
// of an earlier run's conversation goes through the workbench's
// dispatcher, whose limit counts that conversation's resends.
func (m *chat) resend(ctx context.Context, a *engine.Attempt) (*engine.Attempt, int64, error) {
	ws := m.opts.Workspace
	r := engine.Redelivery{Previous: a}
	switch a.Kind {
	case engine.KindAction:
		act, ok := ws.Action(a.ActionID)
		if !ok {
			return nil, 0, fmt.Errorf("no action %q in the workspace", a.ActionID)
		}
		r.URL, r.Secret, r.Signing = act.URL, act.Secret, act.Signing
	case engine.KindEvent:
		if ws.Webhook == nil {
			return nil, 0, fmt.Errorf("the workspace has no webhook")
		}
		r.URL, r.Token, r.Secret, r.Signing = ws.Webhook.URL, ws.Webhook.Token, ws.Webhook.Secret, ws.Webhook.Signing
	default:
		return nil, 0, fmt.Errorf("attempt of unknown kind %q", a.Kind)
	}
	var out *engine.Attempt
	if conv := m.convs.get(a.ConversationID); conv != nil {
		out = conv.Redeliver(ctx, r)
	} else {
		out = m.opts.Dispatcher.Redeliver(ctx, r)
	}
	if m.opts.Recorder == nil {
		return out, 0, nil
	}
	id, err := m.opts.Recorder.Record(ctx, out)
	return out, id, err
}
