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
	}
}

// ShortHelp is the footer line.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Send, k.Prev, k.Wait1m, k.Wait10m, k.New, k.Help, k.ForceQuit}
}

// FullHelp is the help shown on ?.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Send, k.QuickReply, k.Prev},
		{k.Focus, k.Blur, k.PageUp, k.PageDown},
		{k.Wait1m, k.Wait10m, k.New},
		{k.Help, k.Quit, k.ForceQuit},
	}
}
