package sim

import (
	"context"

	"github.com/actionbench/actionbench/engine"
)

// Redeliver sends a recorded attempt of this conversation again
// (engine.Dispatcher.Redeliver) on the conversation's clock and within its
// rate limit: the platform counts a redelivered action as one of the
// conversation's calls. It touches only the conversation's dispatcher and
// clock, so it may run while a turn is in flight.
func (c *Conversation) Redeliver(ctx context.Context, r engine.Redelivery) *engine.Attempt {
	return c.d.Redeliver(ctx, r)
}
