package sim

import (
	"context"
	"fmt"
	"strings"

	"github.com/actionbench/actionbench/engine"
)

// ticketDraft collects a support ticket's fields over several turns.
type ticketDraft struct {
	name, email, description string
}

// next is the field the draft still lacks, or "".
func (d *ticketDraft) next() string {
	switch {
	case d.name == "":
		return "name"
	case d.email == "":
		return "email"
	case d.description == "":
		return "description"
	}
	return ""
}

func (d *ticketDraft) question() string {
	switch d.next() {
	case "name":
		return "I'll open a support ticket for you. What's your name?"
	case "email":
		return "Which email address should we reply to?"
	}
	return "Please describe the problem in a few words."
}

// continueTicket takes the visitor's answer to the ticket's next question,
// and creates the ticket once it has everything.
func (c *Conversation) continueTicket(ctx context.Context, t *Turn, answer string) {
	answer = strings.TrimSpace(answer)
	switch c.ticket.next() {
	case "name":
		c.ticket.name = answer
	case "email":
		if !strings.Contains(answer, "@") {
			t.say("That doesn't look like an email address. Which email address should we reply to?", nil)
			return
		}
		c.ticket.email = answer
	case "description":
		c.ticket.description = answer
	}
	if c.ticket.next() != "" {
		t.say(c.ticket.question(), nil)
		return
	}
	c.createTicket(ctx, t)
}

// CreateTicket opens a ticket with all its fields at once, as a form does.
func (c *Conversation) CreateTicket(ctx context.Context, name, email, description string) Turn {
	c.ticket = &ticketDraft{name: name, email: email, description: description}
	t := c.begin("")
	c.createTicket(ctx, &t)
	return c.finish(ctx, t, fmt.Sprintf("submitted a ticket (%s, %s): %s", name, email, description))
}

// createTicket numbers the ticket TIC-YYYYMMDD-NNNN on the virtual date,
// tells the webhook (on_ticket_created) and confirms it to the visitor.
func (c *Conversation) createTicket(ctx context.Context, t *Turn) {
	d := c.ticket
	c.ticket = nil
	c.learn(map[string]string{"name": d.name, "email": d.email})
	t.Ticket = fmt.Sprintf("TIC-%s-%04d", c.clock.Now().Format("20060102"), c.ticketNo()%10000)
	a := c.emit(ctx, t, engine.EventTicketCreated, engine.EventFields{
		TicketNumber: t.Ticket, TicketName: d.name, TicketEmail: d.email, TicketText: d.description,
	})
	if a != nil && a.ReplyAction == engine.ReplyOverride {
		t.say(a.Override, a)
		return
	}
	t.say(fmt.Sprintf("I've created ticket %s. We'll reply to %s.", t.Ticket, d.email), nil)
}
