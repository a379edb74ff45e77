package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/actionbench/actionbench/sim"
	"github.com/actionbench/actionbench/tui/form"
)

// formKind says which form is open.
type formKind int

const (
	leadForm formKind = iota + 1
	ticketForm
)

// openForm shows the lead form (one field per workspace lead field) or
// the ticket form (name, email and description, the first two filled in
// with what the conversation knows of the visitor) in place of the
// conversation.
func (m *chat) openForm(kind formKind) {
	var fields []form.Field
	switch kind {
	case leadForm:
		for _, f := range m.opts.Workspace.Bot.Lead.Fields {
			fields = append(fields, form.Field{Name: f})
		}
	case ticketForm:
		v := m.conv.Visitor()
		fields = []form.Field{{Name: "name", Value: v.Name}, {Name: "email", Value: v.Email}, {Name: "description"}}
	}
	m.pick = nil
	m.form, m.formKind = form.New(m.c, fields), kind
	m.focus = focusInput // the form sits where the conversation does
	m.input.Blur()
	m.SetSize(m.w, m.h)
}

func (m *chat) closeForm() {
	m.form, m.formKind = nil, 0
	m.setFocus(focusInput)
}

// formKey handles a key while a form is open: enter submits it through
// the conversation, esc cancels it, the rest goes to the fields.
func (m *chat) formKey(msg tea.KeyMsg) tea.Cmd {
	k := m.c.KeyMap
	switch {
	case key.Matches(msg, k.Back):
		m.closeForm()
		return nil
	case key.Matches(msg, k.Send):
		if m.busy {
			return nil // the turn in flight first
		}
		vals, kind := m.form.Values(), m.formKind
		m.closeForm()
		// The turn has no visitor line of its own: say what was sent.
		if kind == ticketForm {
			m.tr.AddInfo(fmt.Sprintf("you sent the ticket form (%s, %s): %s", vals["name"], vals["email"], vals["description"]))
			return m.ticket(vals["name"], vals["email"], vals["description"])
		}
		var parts []string
		for _, f := range m.opts.Workspace.Bot.Lead.Fields {
			if v := vals[f]; v != "" {
				parts = append(parts, f+": "+v)
			}
		}
		m.tr.AddInfo("you sent the lead form (" + strings.Join(parts, ", ") + ")")
		return m.lead(vals)
	}
	return m.form.Update(msg)
}

// lead submits the lead form; empty fields are left out, as a visitor
// skipping them.
func (m *chat) lead(vals map[string]string) tea.Cmd {
	fields := map[string]string{}
	for f, v := range vals {
		if v != "" {
			fields[f] = v
		}
	}
	return m.start(func(ctx context.Context, c *sim.Conversation) (sim.Turn, error) {
		return c.SubmitLead(ctx, fields), nil
	})
}

func (m *chat) ticket(name, email, description string) tea.Cmd {
	return m.start(func(ctx context.Context, c *sim.Conversation) (sim.Turn, error) {
		return c.CreateTicket(ctx, name, email, description), nil
	})
}
