// Package common holds what every widget of the workbench shares: the
// screen size, the styles and the key map.
package common

// Common is passed to every widget's constructor.
type Common struct {
	Width, Height int
	Styles        *Styles
	KeyMap        *KeyMap
}

// New returns a Common with the default styles and keys.
func New() *Common {
	s := DefaultStyles()
	k := DefaultKeyMap()
	return &Common{Styles: &s, KeyMap: &k}
}
