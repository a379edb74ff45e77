package sim

import (
	"context"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// A redelivery is one of the conversation's calls: after two calls and
// one redelivery, a second redelivery is refused by the rate limit, and
// both are dated on the conversation's clock.
func TestRedeliverCountsAgainstTheConversation(t *testing.T) {
	c, _, _ := newConversation(t)
	ctx := context.Background()
	var first *engine.Attempt
	for range 2 {
		turn, err := c.Trigger(ctx, "order_lookup")
		if err != nil || turn.Attempts[0].Outcome == engine.OutcomeRateLimited {
			t.Fatalf("call: %v, %+v", err, turn.Attempts)
		}
		first = turn.Attempts[0]
	}
	c.Wait(time.Minute)
	act, _ := c.ws.Action("order_lookup")
	r := engine.Redelivery{Previous: first, URL: act.URL, Secret: act.Secret}
	tests := []struct {
		limited bool
		left    int
	}{
		{false, 0}, // the third call
		{true, 0},
	}
	for i, tt := range tests {
		a := c.Redeliver(ctx, r)
		if limited := a.Outcome == engine.OutcomeRateLimited; limited != tt.limited {
			t.Errorf("redelivery %d: %s (%s), want rate limited %v", i+1, a.Outcome, a.Diagnosis, tt.limited)
		}
		if !a.At.Equal(start.Add(time.Minute)) {
			t.Errorf("redelivery %d at %v, want the conversation's clock, %v", i+1, a.At, start.Add(time.Minute))
		}
		if got := c.Limit().Remaining; got != tt.left {
			t.Errorf("redelivery %d: %d calls left, want %d", i+1, got, tt.left)
		}
	}
}
