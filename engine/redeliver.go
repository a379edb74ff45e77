package engine

import (
	"context"
	"fmt"
	"slices"
)

// Redelivery is a recorded attempt to send again.
type Redelivery struct {
	// Previous is the attempt as recorded: its kind, action or event,
	// trigger, conversation and request body are sent again.
	Previous *Attempt
	// URL is where to send it: the action's or the webhook's URL as the
	// workspace has it now, which may differ from the recorded one (the
	// demo's mock listens on a new port every run).
	URL string
	// Secret signs an action's body, or an event's under Standard
	// Webhooks; Token authorises an event. The recorded ones were
	// redacted before they were stored.
	Secret, Token string
	// Signing is the action's or the webhook's scheme as the workspace
	// has it now.
	Signing Signing
}

// Redeliver sends a recorded attempt's body again, byte for byte, as a
// platform's "redeliver" does: a new delivery id, and the signature or
// Bearer token of now. The body keeps its original metadata.timestamp, so
// an endpoint that rejects old timestamps says so. An action counts
// against its conversation's rate limit like any call. Like Fire it never
// returns an error.
func (d *Dispatcher) Redeliver(ctx context.Context, r Redelivery) *Attempt {
	p := r.Previous
	now := d.clock().UTC()
	a := &Attempt{
		Kind:           p.Kind,
		DeliveryID:     d.newID(),
		ConversationID: p.ConversationID,
		ActionID:       p.ActionID,
		Trigger:        p.Trigger,
		Event:          p.Event,
		At:             now,
	}
	body := slices.Clone(p.Request.Body)
	switch p.Kind {
	case KindAction:
		a.Request = d.actionRequest(r.URL, r.Secret, a.DeliveryID, body)
	case KindEvent:
		a.Request = d.eventRequest(r.URL, r.Token, body)
	default:
		a.fail(OutcomeRejected, fmt.Sprintf("attempt of unknown kind %q: nothing to redeliver", p.Kind))
		return a
	}
	if err := d.applySigning(&a.Request, r.Signing, r.Secret, a.DeliveryID); err != nil {
		a.fail(OutcomeRejected, err.Error())
		if p.Kind == KindEvent {
			a.BotReply = ""
		}
		return a
	}
	if len(body) > MaxBodyBytes {
		a.fail(OutcomeTooLarge, fmt.Sprintf("request body is %s bytes, over the %s-byte limit: the platform never sends it", commas(len(body)), commas(MaxBodyBytes)))
		if p.Kind == KindEvent {
			a.BotReply = "" // as Emit: a failed webhook says nothing
		}
		return a
	}
	if p.Kind == KindAction {
		d.sendAction(ctx, a, now, false)
	} else {
		d.sendEvent(ctx, a)
	}
	return a
}
