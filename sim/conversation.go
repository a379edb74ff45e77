package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/template"
	"github.com/actionbench/actionbench/sim/bot"
)

// Recorder keeps what happens in a conversation. *history.Store (engine/history) is one.
type Recorder interface {
	Record(ctx context.Context, a *engine.Attempt) (int64, error)
	AddTurn(ctx context.Context, t engine.Turn) error
}

// DeferringRecorder is a Recorder that also takes writes without waiting
// for them to be stored (Options.Defer). A turn can name the attempt it
// came from by that attempt's pending write, before its id is known.
// *history.Store is one.
type DeferringRecorder interface {
	Recorder
	SubmitAttempt(ctx context.Context, a *engine.Attempt) engine.Stored
	SubmitTurn(ctx context.Context, t engine.Turn, from engine.Stored) engine.Stored
}

// Visitor is who the simulated visitor is. Lead-form answers fill in what
// is missing.
type Visitor struct {
	ID, Name, Email, Phone string
}

// Options configures a conversation.
type Options struct {
	Workspace *bot.Workspace
	// Dispatcher sends the actions and events. The conversation uses it
	// through WithClock, so many conversations share its connections.
	Dispatcher *engine.Dispatcher
	// Clock is the conversation's virtual clock; nil starts one at the
	// current time.
	Clock          *Clock
	ConversationID string // "" makes one up
	Visitor        Visitor
	// Recorder, when set, receives every attempt and turn.
	Recorder Recorder
	// Defer, with a DeferringRecorder, hands the recorder each write
	// without waiting for the disk: the conversation goes on while the
	// store commits, and Flush waits for everything handed over. Without
	// it each turn returns once its writes are stored.
	Defer bool
	// TicketNumber returns the NNNN of TIC-YYYYMMDD-NNNN; nil draws it at random.
	TicketNumber func() int
}

// Conversation is one simulated conversation. It is not safe for
// concurrent use: a visitor does one thing at a time.
type Conversation struct {
	id       string
	ws       *bot.Workspace
	d        *engine.Dispatcher
	clock    *Clock
	visitor  Visitor
	recorder Recorder
	deferred DeferringRecorder // set when writes are not waited for
	pending  []engine.Stored   // writes handed over and not yet flushed
	ticketNo func() int

	buttons []bot.Button      // quick replies offered by the last turn
	ticket  *ticketDraft      // an open ticket flow
	lead    map[string]string // lead answers so far
	last    string            // the visitor's last message
}

// New starts a conversation.
func New(opts Options) *Conversation {
	c := &Conversation{
		id:       opts.ConversationID,
		ws:       opts.Workspace,
		clock:    opts.Clock,
		visitor:  opts.Visitor,
		recorder: opts.Recorder,
		ticketNo: opts.TicketNumber,
	}
	if d, ok := opts.Recorder.(DeferringRecorder); ok && opts.Defer {
		c.deferred = d
	}
	if c.id == "" {
		c.id = newID("conv_")
	}
	if c.visitor.ID == "" {
		c.visitor.ID = newID("visitor_")
	}
	if c.clock == nil {
		c.clock = NewClock(time.Now())
	}
	if c.ticketNo == nil {
		c.ticketNo = func() int {
			n, _ := rand.Int(rand.Reader, big.NewInt(10000))
			return int(n.Int64())
		}
	}
	c.d = opts.Dispatcher.WithClock(c.clock.Now)
	return c
}

// ID is the conversation id sent to endpoints.
func (c *Conversation) ID() string { return c.id }

// Clock is the conversation's virtual clock.
func (c *Conversation) Clock() *Clock { return c.clock }

// Visitor is who the visitor is now (lead answers included).
func (c *Conversation) Visitor() Visitor { return c.visitor }

// Buttons are the quick replies the last turn offered.
func (c *Conversation) Buttons() []bot.Button { return c.buttons }

// Awaiting says what the bot is waiting for: "ticket.name",
// "ticket.email", "ticket.description", or "" when nothing.
func (c *Conversation) Awaiting() string {
	if c.ticket != nil {
		return "ticket." + c.ticket.next()
	}
	return ""
}

// Limit reports the conversation's rate-limit window now.
func (c *Conversation) Limit() engine.LimitStatus {
	s := c.d.Limiter().Status(c.id, c.clock.Now())
	return engine.LimitStatus{Remaining: s.Remaining, FreesAt: s.FreesAt}
}

// Wait advances the conversation's virtual clock.
func (c *Conversation) Wait(d time.Duration) { c.clock.Advance(d) }

// Turn is what one visitor move led to.
type Turn struct {
	At       time.Time
	Visitor  string            // what the visitor said or did
	Intent   string            // the intent the bot recognised, if any
	Entities map[string]string // captured by the intent's pattern
	// Replies are what the visitor saw, after the webhook had its say.
	Replies []Reply
	// Attempts are every action call and event webhook, in the order sent.
	Attempts []*engine.Attempt
	Buttons  []bot.Button // quick replies offered now
	Ticket   string       // the ticket created by this turn, if any
	// Err is set when the history could not record the turn; the
	// conversation itself went on.
	Err error
}

// Reply is one thing the bot said, or would have said.
type Reply struct {
	Text string
	// Skipped is true when before_response_sent asked to skip it: the
	// visitor did not see it.
	Skipped bool
	// Overridden holds the text the webhook replaced, if it did.
	Overridden string
	// From is the attempt that produced the text, if any.
	From *engine.Attempt
}

// Shown returns the replies the visitor saw.
func (t Turn) Shown() []string {
	var out []string
	for _, r := range t.Replies {
		if !r.Skipped {
			out = append(out, r.Text)
		}
	}
	return out
}

// Greet opens the conversation with the workspace's greeting, if it has one.
func (c *Conversation) Greet(ctx context.Context) Turn {
	t := c.begin("")
	if g := c.ws.Bot.Greeting; g != "" {
		t.say(g, nil)
	}
	return c.finish(ctx, t, "")
}

// Say is the visitor typing text.
func (c *Conversation) Say(ctx context.Context, text string) Turn {
	c.last = text
	t := c.begin(text)
	intent, entities := c.match(text)
	if c.ticket == nil && intent != nil {
		t.Intent, t.Entities = intent.Name, entities
	}
	// The platform hears of the message first; an override answers the
	// turn and the bot's own handling is skipped.
	if a := c.emit(ctx, &t, engine.EventMessageReceived, engine.EventFields{
		Message: text, MessageType: "text", Intent: t.Intent,
	}); a != nil && a.ReplyAction == engine.ReplyOverride {
		t.say(a.Override, a)
		return c.finish(ctx, t, text)
	}
	switch {
	case c.ticket != nil:
		c.continueTicket(ctx, &t, text)
	case intent != nil:
		c.handleIntent(ctx, &t, *intent)
	default:
		t.say(c.ws.Bot.Fallback, nil)
	}
	return c.finish(ctx, t, text)
}

// Click is the visitor choosing a quick reply.
func (c *Conversation) Click(ctx context.Context, buttonID string) (Turn, error) {
	b, ok := c.ws.Bot.Button(buttonID)
	if !ok {
		return Turn{}, fmt.Errorf("no button %q in the workspace", buttonID)
	}
	t := c.begin(b.Label)
	if b.Reply != "" {
		t.say(b.Reply, nil)
	}
	c.fireAll(ctx, &t, engine.TriggerButton, b.ID, template.Vars{"button.id": b.ID})
	return c.finish(ctx, t, "clicked "+b.Label), nil
}

// SubmitLead is the visitor sending the lead form.
func (c *Conversation) SubmitLead(ctx context.Context, fields map[string]string) Turn {
	c.lead = map[string]string{}
	vars := template.Vars{}
	var parts []string
	for _, f := range c.ws.Bot.Lead.Fields {
		if v, ok := fields[f]; ok {
			c.lead[f] = v
			parts = append(parts, f+": "+v)
		}
	}
	for f, v := range fields {
		c.lead[f] = v
		vars["lead."+f] = v
	}
	c.learn(fields)
	t := c.begin("")
	if th := c.ws.Bot.Lead.Thanks; th != "" {
		t.say(th, nil)
	}
	c.fireAll(ctx, &t, engine.TriggerLead, "", vars)
	return c.finish(ctx, t, "submitted the lead form ("+strings.Join(parts, ", ")+")")
}

// Trigger fires an action by hand, as an agent or an automation would.
func (c *Conversation) Trigger(ctx context.Context, actionID string) (Turn, error) {
	a, ok := c.ws.Action(actionID)
	if !ok {
		return Turn{}, fmt.Errorf("no action %q in the workspace", actionID)
	}
	t := c.begin("")
	c.fire(ctx, &t, a, engine.TriggerManual, nil)
	return c.finish(ctx, t, "triggered "+actionID), nil
}

// match finds the first intent, in workspace order, one of whose patterns
// matches text, with the named groups it captured.
func (c *Conversation) match(text string) (*bot.Intent, map[string]string) {
	for i := range c.ws.Bot.Intents {
		in := &c.ws.Bot.Intents[i]
		for _, re := range in.Patterns {
			m := re.FindStringSubmatch(text)
			if m == nil {
				continue
			}
			entities := map[string]string{}
			for j, name := range re.SubexpNames() {
				if name != "" && m[j] != "" {
					entities[name] = m[j]
				}
			}
			return in, entities
		}
	}
	return nil, nil
}

func (c *Conversation) handleIntent(ctx context.Context, t *Turn, in bot.Intent) {
	if in.Reply != "" {
		t.say(in.Reply, nil)
	}
	vars := template.Vars{"intent.name": in.Name}
	for k, v := range t.Entities {
		vars["entities."+k] = v
	}
	c.fireAll(ctx, t, engine.TriggerIntent, in.Name, vars)
	switch in.Starts {
	case bot.FlowTicket:
		c.ticket = &ticketDraft{name: c.visitor.Name, email: c.visitor.Email}
		t.say(c.ticket.question(), nil)
	case bot.FlowLiveChat:
		c.requestLiveChat(ctx, t)
	case bot.FlowLead:
		t.say(c.ws.Bot.Lead.Prompt, nil)
	}
	if len(in.Buttons) > 0 {
		for _, id := range in.Buttons {
			if b, ok := c.ws.Bot.Button(id); ok {
				t.Buttons = append(t.Buttons, b)
			}
		}
	}
}

// fireAll fires every action whose triggers include (trigger, name).
func (c *Conversation) fireAll(ctx context.Context, t *Turn, trigger engine.Trigger, name string, vars template.Vars) {
	for _, a := range c.ws.Actions {
		for _, rule := range a.Triggers {
			if rule.Trigger == trigger && rule.Name == name {
				c.fire(ctx, t, a, trigger, vars)
				break
			}
		}
	}
}

func (c *Conversation) fire(ctx context.Context, t *Turn, a engine.Action, trigger engine.Trigger, extra template.Vars) {
	vars := c.vars()
	for k, v := range extra {
		vars[k] = v
	}
	attempt := c.d.Fire(ctx, engine.ActionCall{
		Chatbot:        c.ws.Chatbot,
		Action:         a,
		ConversationID: c.id,
		VisitorID:      c.visitor.ID,
		Trigger:        trigger,
		Vars:           vars,
	})
	t.Attempts = append(t.Attempts, attempt)
	if attempt.BotReply != "" {
		t.say(attempt.BotReply, attempt)
	}
}

// vars are the template variables the conversation knows.
func (c *Conversation) vars() template.Vars {
	v := template.Vars{
		"visitor.id":      c.visitor.ID,
		"conversation.id": c.id,
		"chatbot.id":      c.ws.Chatbot.ID,
		"chatbot.name":    c.ws.Chatbot.Name,
		"message":         c.last,
	}
	for k, val := range map[string]string{"visitor.name": c.visitor.Name, "visitor.email": c.visitor.Email, "visitor.phone": c.visitor.Phone} {
		if val != "" {
			v[k] = val
		}
	}
	for f, val := range c.lead {
		v["lead."+f] = val
	}
	return v
}

// learn fills in what the visitor has told about themselves.
func (c *Conversation) learn(fields map[string]string) {
	for key, into := range map[string]*string{"name": &c.visitor.Name, "email": &c.visitor.Email, "phone": &c.visitor.Phone} {
		if v := fields[key]; v != "" {
			*into = v
		}
	}
}

// emit sends an event if the workspace's webhook subscribes to it.
func (c *Conversation) emit(ctx context.Context, t *Turn, event engine.Event, f engine.EventFields) *engine.Attempt {
	w := c.ws.Webhook
	if w == nil || !w.Subscribes(event) {
		return nil
	}
	f.VisitorID = c.visitor.ID
	a := c.d.Emit(ctx, engine.EventCall{Chatbot: c.ws.Chatbot, Webhook: *w, ConversationID: c.id, Event: event, Fields: f})
	t.Attempts = append(t.Attempts, a)
	return a
}

func (c *Conversation) requestLiveChat(ctx context.Context, t *Turn) {
	a := c.emit(ctx, t, engine.EventLiveChatRequested, engine.EventFields{Message: c.last, SessionStatus: "pending"})
	if a != nil && a.ReplyAction == engine.ReplyOverride {
		t.say(a.Override, a)
		return
	}
	t.say("I've asked a member of our team to join. Please stay with me.", nil)
}

// begin starts a turn at the current virtual time.
func (c *Conversation) begin(visitor string) Turn {
	return Turn{At: c.clock.Now(), Visitor: visitor}
}

// finish runs before_response_sent on each reply, records the turn, and
// remembers the quick replies it offered.
func (c *Conversation) finish(ctx context.Context, t Turn, visitorLine string) Turn {
	for i := range t.Replies {
		r := &t.Replies[i]
		kind := "text"
		if r.From != nil && r.From.Kind == engine.KindAction && !r.From.Outcome.Succeeded() {
			kind = "error"
		}
		a := c.emit(ctx, &t, engine.EventBeforeResponseSent, engine.EventFields{
			Message: c.last, Response: r.Text, ResponseType: kind, SourceType: "bot", Intent: t.Intent,
		})
		if a == nil {
			continue
		}
		switch a.ReplyAction {
		case engine.ReplySkip:
			r.Skipped = true
		case engine.ReplyOverride:
			r.Overridden, r.Text, r.From = r.Text, a.Override, a
		}
	}
	c.buttons = t.Buttons
	t.Err = c.record(ctx, t, visitorLine)
	return t
}

// record hands the turn's attempts and lines to the recorder.
func (c *Conversation) record(ctx context.Context, t Turn, visitorLine string) error {
	if c.recorder == nil {
		return nil
	}
	if c.deferred != nil {
		c.submit(ctx, t, visitorLine)
		return nil
	}
	var errs []error
	if visitorLine != "" {
		errs = append(errs, c.recorder.AddTurn(ctx, engine.Turn{ConversationID: c.id, At: t.At, Speaker: engine.SpeakerVisitor, Text: visitorLine}))
	}
	ids := map[*engine.Attempt]int64{}
	for _, a := range t.Attempts {
		id, err := c.recorder.Record(ctx, a)
		errs = append(errs, err)
		ids[a] = id
	}
	for _, r := range t.Replies {
		if r.Skipped {
			continue
		}
		errs = append(errs, c.recorder.AddTurn(ctx, engine.Turn{ConversationID: c.id, At: t.At, Speaker: engine.SpeakerBot, Text: r.Text, AttemptID: ids[r.From]}))
	}
	return errors.Join(errs...)
}

// submit is record without waiting: the turn's writes join c.pending.
func (c *Conversation) submit(ctx context.Context, t Turn, visitorLine string) {
	r := c.deferred
	if visitorLine != "" {
		c.pending = append(c.pending, r.SubmitTurn(ctx, engine.Turn{ConversationID: c.id, At: t.At, Speaker: engine.SpeakerVisitor, Text: visitorLine}, nil))
	}
	stored := map[*engine.Attempt]engine.Stored{}
	for _, a := range t.Attempts {
		stored[a] = r.SubmitAttempt(ctx, a)
		c.pending = append(c.pending, stored[a])
	}
	for _, reply := range t.Replies {
		if reply.Skipped {
			continue
		}
		c.pending = append(c.pending, r.SubmitTurn(ctx, engine.Turn{ConversationID: c.id, At: t.At, Speaker: engine.SpeakerBot, Text: reply.Text}, stored[reply.From]))
	}
}

// Flush waits until every write the conversation handed its recorder is
// stored, and says which failed. Without Options.Defer there is nothing
// to wait for: each turn waited for its own.
func (c *Conversation) Flush(ctx context.Context) error {
	var errs []error
	for _, p := range c.pending {
		if _, err := p.Wait(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	c.pending = c.pending[:0]
	return errors.Join(errs...)
}

func (t *Turn) say(text string, from *engine.Attempt) {
	t.Replies = append(t.Replies, Reply{Text: text, From: from})
}

func newID(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
