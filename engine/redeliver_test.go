package engine

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"
)

// TestRedeliverAction sends a recorded action again: the same bytes to the
// URL given, a new delivery id, signed afresh (the endpoint verifies it),
// and counted against the conversation's rate limit.
func TestRedeliverAction(t *testing.T) {
	ctx := context.Background()
	ep := newEndpoint(t, jsonReply(200, `{"message":"Order 1042 shipped."}`))
	clock := newFakeClock(testStart)
	d := newTestDispatcher(t, ep, Options{Clock: clock.Now})
	first := d.Fire(ctx, testCall(t, ep.URL+"/old"))
	sent := bytes.Clone(*ep.lastBody.Load())

	// As the history gives it back: the signature's secret never stored.
	recorded := *first
	recorded.Request.Header = http.Header{"X-DGbot-Signature": {"sha256=[REDACTED]"}}
	clock.Advance(time.Minute)
	again := d.Redeliver(ctx, Redelivery{Previous: &recorded, URL: ep.URL + "/new", Secret: testSecret})
	if again.Outcome != OutcomeMessage || again.BotReply != "Order 1042 shipped." {
		t.Fatalf("redelivery: %s %q (%s)", again.Outcome, again.BotReply, again.Diagnosis)
	}
	if got := *ep.lastBody.Load(); !bytes.Equal(got, sent) {
		t.Errorf("the endpoint received\n%s\nwant the first delivery's bytes\n%s", got, sent)
	}
	if again.DeliveryID == first.DeliveryID || again.Request.Header[DeliveryHeader][0] != again.DeliveryID {
		t.Errorf("delivery ids: first %s, again %s (header %v), want a new one", first.DeliveryID, again.DeliveryID, again.Request.Header[DeliveryHeader])
	}
	if again.Request.URL != ep.URL+"/new" || again.Trigger != first.Trigger || again.ConversationID != first.ConversationID || again.ActionID != first.ActionID {
		t.Errorf("redelivery %+v, want the first's action, trigger and conversation, to the new URL", again)
	}
	if !again.At.Equal(testStart.Add(time.Minute)) {
		t.Errorf("At = %v, want the clock's now", again.At)
	}
	if again.Limit.Remaining != 1 {
		t.Errorf("calls left after two = %d, want 1", again.Limit.Remaining)
	}
	d.Redeliver(ctx, Redelivery{Previous: &recorded, URL: ep.URL, Secret: testSecret})
	if limited := d.Redeliver(ctx, Redelivery{Previous: &recorded, URL: ep.URL, Secret: testSecret}); limited.Outcome != OutcomeRateLimited {
		t.Errorf("a 4th call in the window: %s, want rate_limited", limited.Outcome)
	}
	if n := ep.hits.Load(); n != 3 {
		t.Errorf("endpoint hits %d, want 3", n)
	}
}

func TestRedeliverEvent(t *testing.T) {
	ctx := context.Background()
	rcv := newReceiver(t, jsonReply(200, `{"action":"override_response","response":"Let me get a human."}`))
	d := newTestDispatcher(t, rcv, Options{})
	first := d.Emit(ctx, testEvent(rcv.URL, EventBeforeResponseSent))
	sent := bytes.Clone(*rcv.lastBody.Load())
	recorded := *first
	recorded.Request.Header = http.Header{"Authorization": {"Bearer [REDACTED]"}}

	for _, tc := range []struct {
		token   string
		outcome Outcome
	}{
		{testToken, OutcomeAcknowledged},
		{"tok_rotated", OutcomeError}, // the receiver answers 401
	} {
		again := d.Redeliver(ctx, Redelivery{Previous: &recorded, URL: rcv.URL, Token: tc.token})
		if again.Outcome != tc.outcome || again.Event != EventBeforeResponseSent || again.Kind != KindEvent {
			t.Errorf("token %s: %s %s %s (%s), want %s", tc.token, again.Kind, again.Event, again.Outcome, again.Diagnosis, tc.outcome)
		}
		if got := *rcv.lastBody.Load(); !bytes.Equal(got, sent) {
			t.Errorf("token %s: the receiver got other bytes than the first delivery's", tc.token)
		}
		if tc.outcome == OutcomeAcknowledged && (again.ReplyAction != ReplyOverride || again.BotReply != "Let me get a human.") {
			t.Errorf("override: %s %q", again.ReplyAction, again.BotReply)
		}
	}
}
