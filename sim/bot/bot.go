// Package bot reads and holds the simulated chatbot: its greeting and
// fallback, the intents it recognises, its quick-reply buttons and its
// lead form. They are written in the workspace file, beside the actions,
// under the top-level keys greeting, fallback, intents, buttons and lead;
// package workspace reads the rest of the file and hands these keys to
// this one, so that every error still names the file, line and column.
package bot

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// Workspace is a workspace file with its simulated bot.
type Workspace struct {
	*workspace.Workspace
	Bot Bot
}

// Load reads the workspace file at path, bot included. o.Extension is
// replaced by the bot's.
func Load(path string, o workspace.Options) (*Workspace, error) {
	b := Default()
	o.Extension = extension(&b)
	w, err := workspace.LoadWith(path, o)
	if err != nil {
		return nil, err
	}
	return &Workspace{Workspace: w, Bot: b}, nil
}

// Parse parses a workspace held in memory, bot included, as
// workspace.ParseWith does.
func Parse(name string, data []byte, o workspace.Options) (*Workspace, error) {
	b := Default()
	o.Extension = extension(&b)
	w, err := workspace.ParseWith(name, data, o)
	if err != nil {
		return nil, err
	}
	return &Workspace{Workspace: w, Bot: b}, nil
}

// Keys are the workspace file's top-level keys that hold the bot.
var keys = []string{"greeting", "fallback", "intents", "buttons", "lead"}

// extension reads the bot's keys into b, over its defaults.
func extension(b *Bot) *workspace.Extension {
	return &workspace.Extension{
		Keys: keys,
		Read: func(r *yamlsrc.Reader, m map[string]*ast.MappingValueNode, triggers []workspace.TriggerRef) error {
			l := &loader{Reader: r}
			return l.bot(m, triggers, b)
		},
	}
}

// loader reads the bot's part of one workspace document.
type loader struct {
	*yamlsrc.Reader
	// buttonRefs are checked once the whole bot is read.
	buttonRefs []ref
}

// bot reads the bot's entries m into b, then checks what the intents and
// the action triggers name.
func (l *loader) bot(m map[string]*ast.MappingValueNode, triggers []workspace.TriggerRef, b *Bot) error {
	var err error
	for _, f := range []struct {
		key  string
		into *string
	}{{"greeting", &b.Greeting}, {"fallback", &b.Fallback}} {
		if e, ok := m[f.key]; ok {
			if *f.into, err = l.Str(e.Value, f.key); err != nil {
				return err
			}
		}
	}
	if e, ok := m["intents"]; ok {
		if b.Intents, err = l.intents(e.Value); err != nil {
			return err
		}
	}
	if e, ok := m["buttons"]; ok {
		if b.Buttons, err = l.buttons(e.Value); err != nil {
			return err
		}
	}
	if e, ok := m["lead"]; ok {
		if err = l.lead(e.Value, &b.Lead); err != nil {
			return err
		}
	}
	return l.checkRefs(b, triggers)
}

// Bot is the simulated chatbot: what it recognises and how it answers.
type Bot struct {
	Greeting string // said when a conversation starts; "" says nothing
	Fallback string // said when no intent matches
	Intents  []Intent
	Buttons  []Button
	Lead     Lead
}

// Intent is something a visitor can mean. Patterns are case-insensitive
// regular expressions; named groups ((?P<order_id>\d+)) become entities.
type Intent struct {
	Name     string
	Patterns []*regexp.Regexp
	Reply    string   // said when the intent matches, before any action's reply
	Buttons  []string // quick replies offered after the reply
	Starts   Flow     // a flow the intent opens, or ""
}

// Flow is a multi-step exchange an intent can open.
type Flow string

// The flows a bot knows.
const (
	FlowTicket   Flow = "ticket"    // collects name, email and description, creates a ticket
	FlowLiveChat Flow = "live_chat" // asks for a human agent
	FlowLead     Flow = "lead"      // shows the lead form
)

// Button is a quick reply. Clicking it fires the actions triggered by
// button_click:ID; Reply, if set, is what the bot says then.
type Button struct {
	ID    string
	Label string
	Reply string
}

// Lead is the lead form; submitting it fires lead_captured actions.
type Lead struct {
	Prompt string
	Fields []string // default name, email, phone
	Thanks string   // said after the form is submitted
}

// Intent returns the intent called name.
func (b *Bot) Intent(name string) (Intent, bool) {
	for _, in := range b.Intents {
		if in.Name == name {
			return in, true
		}
	}
	return Intent{}, false
}

// Button returns the button with id.
func (b *Bot) Button(id string) (Button, bool) {
	for _, btn := range b.Buttons {
		if btn.ID == id {
			return btn, true
		}
	}
	return Button{}, false
}

// Default is the bot of a workspace that defines none.
func Default() Bot {
	return Bot{
		Fallback: "Sorry, I didn't understand that. Could you rephrase it?",
		Lead: Lead{
			Prompt: "Leave your details and we'll get back to you.",
			Fields: []string{"name", "email", "phone"},
			Thanks: "Thanks! We'll be in touch soon.",
		},
	}
}

// intents reads the intent list.
func (l *loader) intents(n ast.Node) ([]Intent, error) {
	if yamlsrc.IsNil(n) {
		return nil, nil
	}
	items, err := l.List(n, "intents", `a list of intents, each starting with "- name:"`)
	if err != nil {
		return nil, err
	}
	first := map[string]int{}
	out := make([]Intent, 0, len(items))
	for i, item := range items {
		in, err := l.intent(i, item, first)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

func (l *loader) intent(i int, n ast.Node, first map[string]int) (Intent, error) {
	var in Intent
	what := fmt.Sprintf("intents[%d]", i)
	entries, err := l.Mapping(n, what, "a mapping with name and patterns")
	if err != nil {
		return in, err
	}
	m, err := l.Fields(entries, "an intent", []string{
		"name",
		"patterns",
		"reply",
		"buttons",
		"starts",
	}, nil)
	if err != nil {
		return in, err
	}
	if in.Name, err = l.Required(m, n, what, "name", "name", "a name such as order_status"); err != nil {
		return in, err
	}
	nameNode := m["name"].Value
	if !workspace.IsID(in.Name) {
		return in, l.ErrAt(nameNode, "intent name %q has characters that are not allowed: use %s", yamlsrc.Shorten(in.Name), workspace.IDHint)
	}
	line, _ := yamlsrc.Position(nameNode)
	if prev, dup := first[in.Name]; dup {
		return in, l.ErrAt(nameNode, "duplicate intent %q, first defined at line %d: give each intent its own name", in.Name, prev)
	}
	first[in.Name] = line
	what = fmt.Sprintf("intent %q", in.Name)

	pe, ok := m["patterns"]
	if !ok {
		return in, l.ErrAt(n, `%s has no patterns: add patterns: ["where is my order"], case-insensitive regular expressions`, what)
	}
	items, err := l.List(pe.Value, "patterns", "a list of regular expressions")
	if err != nil {
		return in, err
	}
	if len(items) == 0 {
		return in, l.ErrAt(pe.Value, "%s has an empty patterns list: add at least one regular expression", what)
	}
	for _, item := range items {
		src, err := l.Str(item, "a pattern")
		if err != nil {
			return in, err
		}
		re, err := regexp.Compile("(?i)" + src)
		if err != nil {
			return in, l.ErrAt(item, "pattern %q is not a valid regular expression: %s", yamlsrc.Shorten(src), strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		in.Patterns = append(in.Patterns, re)
	}
	if e, ok := m["reply"]; ok {
		if in.Reply, err = l.Str(e.Value, "reply"); err != nil {
			return in, err
		}
	}
	if e, ok := m["buttons"]; ok {
		if in.Buttons, err = l.idList(e.Value, "buttons", "a list of button ids, e.g. [track_order]"); err != nil {
			return in, err
		}
		l.buttonRefs = append(l.buttonRefs, ref{owner: what, node: e.Value, ids: in.Buttons})
	}
	if e, ok := m["starts"]; ok {
		s, err := l.Str(e.Value, "starts")
		if err != nil {
			return in, err
		}
		switch f := Flow(s); f {
		case FlowTicket, FlowLiveChat, FlowLead:
			in.Starts = f
		default:
			return in, l.ErrAt(e.Value, "starts %q: an intent can start ticket, live_chat or lead", yamlsrc.Shorten(s))
		}
	}
	return in, nil
}

// idList reads a list of ids.
func (l *loader) idList(n ast.Node, what, expect string) ([]string, error) {
	if yamlsrc.IsNil(n) {
		return nil, nil
	}
	items, err := l.List(n, what, expect)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, item := range items {
		id, err := l.Str(item, "an id")
		if err != nil {
			return nil, err
		}
		if !workspace.IsID(id) {
			return nil, l.ErrAt(item, "%q is not an id: use %s", yamlsrc.Shorten(id), workspace.IDHint)
		}
		out = append(out, id)
	}
	return out, nil
}

// buttons reads the quick-reply buttons.
func (l *loader) buttons(n ast.Node) ([]Button, error) {
	if yamlsrc.IsNil(n) {
		return nil, nil
	}
	items, err := l.List(n, "buttons", `a list of buttons, each starting with "- id:"`)
	if err != nil {
		return nil, err
	}
	first := map[string]int{}
	var out []Button
	for i, item := range items {
		what := fmt.Sprintf("buttons[%d]", i)
		entries, err := l.Mapping(item, what, "a mapping with id and label")
		if err != nil {
			return nil, err
		}
		m, err := l.Fields(entries, "a button", []string{"id", "label", "reply"}, nil)
		if err != nil {
			return nil, err
		}
		var b Button
		if b.ID, err = l.Required(m, item, what, "id", "id", "an id such as track_order"); err != nil {
			return nil, err
		}
		idNode := m["id"].Value
		if !workspace.IsID(b.ID) {
			return nil, l.ErrAt(idNode, "button id %q has characters that are not allowed: use %s", yamlsrc.Shorten(b.ID), workspace.IDHint)
		}
		line, _ := yamlsrc.Position(idNode)
		if prev, dup := first[b.ID]; dup {
			return nil, l.ErrAt(idNode, "duplicate button %q, first defined at line %d: give each button its own id", b.ID, prev)
		}
		first[b.ID] = line
		if b.Label, err = l.Required(m, item, fmt.Sprintf("button %q", b.ID), "label", "label", "the text the visitor sees, e.g. label: Track my order"); err != nil {
			return nil, err
		}
		if e, ok := m["reply"]; ok {
			if b.Reply, err = l.Str(e.Value, "reply"); err != nil {
				return nil, err
			}
		}
		out = append(out, b)
	}
	return out, nil
}

// lead reads the lead form, over the defaults.
func (l *loader) lead(n ast.Node, into *Lead) error {
	entries, err := l.Mapping(n, "lead", "a mapping with prompt, fields and thanks")
	if err != nil {
		return err
	}
	m, err := l.Fields(entries, "lead", []string{"prompt", "fields", "thanks"}, nil)
	if err != nil {
		return err
	}
	if e, ok := m["prompt"]; ok {
		if into.Prompt, err = l.Str(e.Value, "prompt"); err != nil {
			return err
		}
	}
	if e, ok := m["thanks"]; ok {
		if into.Thanks, err = l.Str(e.Value, "thanks"); err != nil {
			return err
		}
	}
	if e, ok := m["fields"]; ok {
		fields, err := l.idList(e.Value, "fields", "a list of field names, e.g. [name, email, phone]")
		if err != nil {
			return err
		}
		if len(fields) == 0 {
			return l.ErrAt(e.Value, "lead.fields is empty: list the fields the form asks for, e.g. [name, email, phone]")
		}
		into.Fields = fields
	}
	return nil
}

// ref is a list of ids written somewhere that must name things defined
// elsewhere in the file; it is checked once the whole file is read.
type ref struct {
	owner string
	node  ast.Node
	ids   []string
}

// checkRefs reports an intent naming a missing button, or an action
// trigger naming a missing intent or button, once both lists are known.
// A workspace that defines no intents (or no buttons) is not checked for
// them: it may be used for fire and emit only.
func (l *loader) checkRefs(b *Bot, triggers []workspace.TriggerRef) error {
	buttons := make([]string, len(b.Buttons))
	for i, btn := range b.Buttons {
		buttons[i] = btn.ID
	}
	intents := make([]string, len(b.Intents))
	for i, in := range b.Intents {
		intents[i] = in.Name
	}
	for _, r := range l.buttonRefs {
		for _, id := range r.ids {
			if _, ok := b.Button(id); !ok {
				return l.ErrAt(r.node, "%s offers button %q, which is not defined: add it under buttons; %sdefined: %s", r.owner, id, yamlsrc.DidYouMean(id, buttons), yamlsrc.List(buttons))
			}
		}
	}
	for _, t := range triggers {
		switch t.Rule.Trigger {
		case engine.TriggerIntent:
			if _, ok := b.Intent(t.Rule.Name); !ok && len(b.Intents) > 0 {
				return l.ErrAt(t.Node, "trigger ai_intent:%s names no intent: define it under intents; %sdefined: %s", t.Rule.Name, yamlsrc.DidYouMean(t.Rule.Name, intents), yamlsrc.List(intents))
			}
		case engine.TriggerButton:
			if _, ok := b.Button(t.Rule.Name); !ok && len(b.Buttons) > 0 {
				return l.ErrAt(t.Node, "trigger button_click:%s names no button: define it under buttons; %sdefined: %s", t.Rule.Name, yamlsrc.DidYouMean(t.Rule.Name, buttons), yamlsrc.List(buttons))
			}
		}
	}
	return nil
}
