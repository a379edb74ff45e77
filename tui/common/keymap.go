package common

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every key the workbench answers. Keys that could be typed
// into the message box (q, ?) only act when the box is not focused.
type KeyMap struct {
	Send       key.Binding
	QuickReply key.Binding // alt+1 … alt+9
	Prev, Next key.Binding // select an attempt
	Focus      key.Binding
	Blur       key.Binding
	PageUp     key.Binding
	PageDown   key.Binding
	Wait1m     key.Binding
	Wait10m    key.Binding
	New        key.Binding
	Help       key.Binding
	Quit       key.Binding
	ForceQuit  key.Binding

	// The history view's keys; up/down, pgup/pgdn and esc are shared.
	History     key.Binding // switch between the conversation and the history
	Filter      key.Binding
	Outcome     key.Binding
	Open        key.Binding
	Transcript  key.Binding // the selected attempt's conversation
	Resend      key.Binding
	Export      key.Binding
	Back        key.Binding
	TriggerPick key.Binding // fire an action by hand

	// The forms' and the scenario view's keys.
	LeadForm   key.Binding
	TicketForm key.Binding
	NextField  key.Binding
	PrevField  key.Binding
	Scenarios  key.Binding // switch between the conversation and the scenarios
	Load       key.Binding // switch between the conversation and the load page
}

// DefaultKeyMap returns the workbench's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Send:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send")),
		QuickReply: key.NewBinding(key.WithKeys("alt+1", "alt+2", "alt+3", "alt+4", "alt+5", "alt+6", "alt+7", "alt+8", "alt+9"), key.WithHelp("alt+1…9", "quick reply")),
		Prev:       key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "attempt")),
		Next:       key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "next attempt")),
		Focus:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "input/inspector")),
		Blur:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave input")),
		PageUp:     key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll inspector")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "scroll inspector")),
		Wait1m:     key.NewBinding(key.WithKeys("f5"), key.WithHelp("f5", "+1 min")),
		Wait10m:    key.NewBinding(key.WithKeys("f6"), key.WithHelp("f6", "+10 min")),
		New:        key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "new")),
		Help:       key.NewBinding(key.WithKeys("f1", "?"), key.WithHelp("f1/?", "help")),
		Quit:       key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit (out of input)")),
		ForceQuit:  key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),

		History:     key.NewBinding(key.WithKeys("f2"), key.WithHelp("f2", "history")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Outcome:     key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "outcome")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "inspect")),
		Transcript:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "transcript")),
		Resend:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "resend")),
		Export:      key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export cURL")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		TriggerPick: key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "fire action")),

		LeadForm:   key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "lead form")),
		TicketForm: key.NewBinding(key.WithKeys("ctrl+k"), key.WithHelp("ctrl+k", "ticket form")),
		NextField:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Scenarios:  key.NewBinding(key.WithKeys("f3"), key.WithHelp("f3", "scenarios")),
		Load:       key.NewBinding(key.WithKeys("f4"), key.WithHelp("f4", "load")),
	}
}

// ShortHelp is the footer line. Each view's footer ends with the help
// key, which a narrow footer keeps while it leaves out the entries just
// before it.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Send, k.Prev, k.History, waitKeys, k.New, k.ForceQuit, k.Help}
}

// waitKeys documents f5 and f6 in one footer entry, so that the footer
// fits 100 columns.
var waitKeys = key.NewBinding(key.WithKeys("f5", "f6"), key.WithHelp("f5/f6", "+1/+10 min"))

// FullHelp is the help shown on ?.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Send, k.QuickReply, k.Prev},
		{k.Focus, k.Blur, k.PageUp, k.PageDown},
		{k.Wait1m, k.Wait10m, k.New},
		{k.LeadForm, k.TicketForm, k.TriggerPick},
		{k.History, k.Scenarios, k.Load, k.Help, k.Quit, k.ForceQuit},
	}
}

// pageKeys only documents pgup/pgdn in the history view, where they page.
var pageKeys = key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "page"))

// HistoryKeys is the help shown while the history view is open.
type HistoryKeys struct{ KeyMap }

// ShortHelp is the history view's footer line.
func (k HistoryKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Prev, pageKeys, k.Open, k.Filter, k.Back, k.Outcome, k.Transcript, k.Resend, k.Export, k.Help}
}

// FullHelp is the history view's help shown on f1.
func (k HistoryKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Prev, pageKeys, k.Open, k.Transcript},
		{k.Filter, k.Outcome, k.Back},
		{k.Resend, k.Export},
		{k.History, k.Help, k.ForceQuit},
	}
}

// FormKeys is the help shown while a form is open.
type FormKeys struct{ KeyMap }

// ShortHelp is a form's footer line.
func (k FormKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.NextField, submitKey, k.Back, k.PrevField, k.ForceQuit, k.Help}
}

// FullHelp is a form's help shown on f1.
func (k FormKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.NextField, k.PrevField}, {submitKey, k.Back}, {k.Help, k.ForceQuit}}
}

var submitKey = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "submit"))

// ScenarioKeys is the help shown while the scenario view is open.
type ScenarioKeys struct{ KeyMap }

// ShortHelp is the scenario view's footer line.
func (k ScenarioKeys) ShortHelp() []key.Binding {
	return []key.Binding{chooseKey, runKey, PathKey, k.Back, k.ForceQuit, k.Help}
}

// FullHelp is the scenario view's help shown on f1.
func (k ScenarioKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{chooseKey, runKey, PathKey}, {k.Back, k.Scenarios}, {k.Help, k.ForceQuit}}
}

var runKey = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run"))

// PickerKeys is the help shown while the action picker is open.
type PickerKeys struct{ KeyMap }

// ShortHelp is the picker's footer line.
func (k PickerKeys) ShortHelp() []key.Binding {
	return []key.Binding{chooseKey, fireKey, cancelKey, k.ForceQuit, k.Help}
}

// FullHelp is the picker's help shown on f1.
func (k PickerKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{chooseKey, fireKey, cancelKey}, {k.Focus, k.Help, k.ForceQuit}}
}

var (
	chooseKey = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose"))
	fireKey   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "fire (trigger manual)"))
	cancelKey = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
)

// PathKey, in the scenario view, opens a line to type a scenario's path.
var PathKey = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "type a path"))
