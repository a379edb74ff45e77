package workspace

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

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

// defaultBot is what a workspace without a bot section gets.
func defaultBot() Bot {
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
	if in.Name, err = l.required(m, n, what, "name", "name", "a name such as order_status"); err != nil {
		return in, err
	}
	nameNode := m["name"].Value
	if !isID(in.Name) {
		return in, l.ErrAt(nameNode, "intent name %q has characters that are not allowed: use %s", yamlsrc.Shorten(in.Name), idHint)
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
		if !isID(id) {
			return nil, l.ErrAt(item, "%q is not an id: use %s", yamlsrc.Shorten(id), idHint)
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
		if b.ID, err = l.required(m, item, what, "id", "id", "an id such as track_order"); err != nil {
			return nil, err
		}
		idNode := m["id"].Value
		if !isID(b.ID) {
			return nil, l.ErrAt(idNode, "button id %q has characters that are not allowed: use %s", yamlsrc.Shorten(b.ID), idHint)
		}
		line, _ := yamlsrc.Position(idNode)
		if prev, dup := first[b.ID]; dup {
			return nil, l.ErrAt(idNode, "duplicate button %q, first defined at line %d: give each button its own id", b.ID, prev)
		}
		first[b.ID] = line
		if b.Label, err = l.required(m, item, fmt.Sprintf("button %q", b.ID), "label", "label", "the text the visitor sees, e.g. label: Track my order"); err != nil {
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
func (l *loader) checkRefs(w *Workspace) error {
	for _, r := range l.buttonRefs {
		for _, id := range r.ids {
			if _, ok := w.Bot.Button(id); !ok {
				return l.ErrAt(r.node, "%s offers button %q, which is not defined: add it under buttons (defined: %s)", r.owner, id, buttonIDs(w.Bot.Buttons))
			}
		}
	}
	for _, t := range l.triggerRefs {
		switch t.rule.Trigger {
		case engine.TriggerIntent:
			if len(w.Bot.Intents) > 0 {
				if _, ok := w.Bot.Intent(t.rule.Name); !ok {
					return l.ErrAt(t.node, "trigger ai_intent:%s names no intent: define it under intents, or use one of %s", t.rule.Name, intentNames(w.Bot.Intents))
				}
			}
		case engine.TriggerButton:
			if len(w.Bot.Buttons) > 0 {
				if _, ok := w.Bot.Button(t.rule.Name); !ok {
					return l.ErrAt(t.node, "trigger button_click:%s names no button: define it under buttons, or use one of %s", t.rule.Name, buttonIDs(w.Bot.Buttons))
				}
			}
		}
	}
	return nil
}

func buttonIDs(bs []Button) string {
	if len(bs) == 0 {
		return "none"
	}
	ids := make([]string, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	return strings.Join(ids, ", ")
}

func intentNames(ins []Intent) string {
	names := make([]string, len(ins))
	for i, in := range ins {
		names[i] = in.Name
	}
	return strings.Join(names, ", ")
}
