package engine

import (
	"fmt"

	"github.com/actionbench/actionbench/engine/template"
	"github.com/actionbench/actionbench/engine/wire"
)

// Trigger is what fired an action, as the platform names it on the wire.
type Trigger string

// The four triggers of the custom-action protocol.
const (
	TriggerIntent Trigger = wire.TriggerIntent
	TriggerButton Trigger = wire.TriggerButton
	TriggerLead   Trigger = wire.TriggerLead
	TriggerManual Trigger = wire.TriggerManual
)

// Triggers lists every trigger, in the reference's order.
var Triggers = []Trigger{TriggerIntent, TriggerButton, TriggerLead, TriggerManual}

// ParseTrigger accepts a trigger's wire name.
func ParseTrigger(s string) (Trigger, error) {
	for _, t := range Triggers {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown trigger %q (want ai_intent, button_click, lead_captured or manual)", s)
}

// Chatbot identifies the bot on whose behalf requests are sent.
type Chatbot struct {
	ID   string
	Name string
}

// TriggerRule says when an action fires: Trigger, and for ai_intent the
// intent name or for button_click the button id in Name.
type TriggerRule struct {
	Trigger Trigger
	Name    string
}

// Action is one configured custom action.
type Action struct {
	ID       string
	Name     string
	URL      string
	Secret   string // never printed, logged or stored
	Signing  Signing
	Triggers []TriggerRule
	Payload  *template.Template // nil sends an empty object
}
