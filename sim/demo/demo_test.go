package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/sim"
)

// TestDemoConversation talks to the demo as a visitor would, through the
// real engine and the in-process mock, and checks that the demo exercises
// every trigger and every event.
func TestDemoConversation(t *testing.T) {
	ctx := context.Background()
	d, err := Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dispatcher := engine.New(engine.Options{RootCAs: d.RootCAs})
	defer dispatcher.Close()
	c := sim.New(sim.Options{
		Workspace: d.Workspace, Dispatcher: dispatcher, Clock: sim.NewClock(time.Date(2025, 5, 7, 9, 0, 0, 0, time.UTC)),
		Visitor: sim.Visitor{Name: "Jane Doe", Email: "jane@example.com"}, TicketNumber: func() int { return 5320 },
	})
	triggers := map[engine.Trigger]bool{}
	events := map[engine.Event]bool{}
	var shown []string
	note := func(turn sim.Turn) {
		for _, a := range turn.Attempts {
			if a.Kind == engine.KindAction {
				triggers[a.Trigger] = true
			} else {
				events[a.Event] = true
			}
			if a.Outcome == engine.OutcomeTransportError || a.Outcome == engine.OutcomeRejected {
				t.Errorf("%s%s: %s: %s", a.ActionID, a.Event, a.Outcome, a.Diagnosis)
			}
		}
		shown = append(shown, strings.Join(turn.Shown(), " / "))
	}
	note(c.Greet(ctx))
	note(c.Say(ctx, "hi"))
	note(c.Say(ctx, "where is my order 1042?"))
	turn, err := c.Click(ctx, "track_order")
	if err != nil {
		t.Fatal(err)
	}
	note(turn)
	note(c.Say(ctx, "I have a problem"))
	note(c.Say(ctx, "The parcel arrived broken"))
	note(c.Say(ctx, "talk to a human"))
	note(c.SubmitLead(ctx, map[string]string{"name": "Jane Doe", "email": "jane@example.com", "phone": "+44 20 7946 0000"}))
	// That was the 3rd action call: a 4th is a limit hit, until the
	// window frees ten virtual minutes later.
	if turn, err = c.Trigger(ctx, "order_lookup"); err != nil || turn.Attempts[0].Outcome != engine.OutcomeRateLimited {
		t.Fatalf("4th call: %v, %v", err, turn.Attempts)
	}
	c.Wait(10 * time.Minute)
	if turn, err = c.Trigger(ctx, "order_lookup"); err != nil {
		t.Fatal(err)
	}
	note(turn)

	want := []string{
		"Hi! I'm Acme's assistant.",
		"Welcome! How can I assist you today?", // the webhook overrides the greeting intent
		"Your latest order #1042 is shipped.",
		"Here's what I found: order id 1042, status shipped",
		"Please describe the problem in a few words.",
		"Ticket TIC-20250507-5320 has been created successfully.",
		"Your live chat request has been received.",
		"Thanks! We'll be in touch soon.",
		"Your latest order #1042 is shipped.",
	}
	for i, w := range want {
		if i >= len(shown) || !strings.Contains(shown[i], w) {
			t.Errorf("turn %d: shown %q, want it to contain %q", i, at(shown, i), w)
		}
	}
	for _, tr := range engine.Triggers {
		if !triggers[tr] {
			t.Errorf("the demo conversation never fired a %s action", tr)
		}
	}
	for _, ev := range engine.Events {
		if !events[ev] {
			t.Errorf("the demo conversation never sent %s", ev)
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(no turn)"
}

// TestDemoLoads checks the embedded file against any base URL.
func TestDemoLoads(t *testing.T) {
	ws, err := Load("https://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.Actions) < 5 || ws.Webhook == nil || len(ws.Bot.Intents) < 5 {
		t.Errorf("demo workspace has %d actions, webhook %v, %d intents", len(ws.Actions), ws.Webhook != nil, len(ws.Bot.Intents))
	}
	if !strings.Contains(string(Source()), "${MOCK}") {
		t.Error("Source() should be the file as written, with its ${MOCK} references")
	}
}
