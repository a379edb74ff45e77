package scenarios

import (
	"fmt"

	"github.com/actionbench/actionbench/engine/yamlsrc"
	"github.com/actionbench/actionbench/sim/bot"
)

// Check reports the first step of s that names an action or a button that
// ws lacks, as an *Error at the step, so that a run can refuse the file
// before anything is sent rather than fail on it halfway.
func (s *Scenario) Check(ws *bot.Workspace) error {
	actions := make([]string, len(ws.Actions))
	for i, a := range ws.Actions {
		actions[i] = a.ID
	}
	buttons := make([]string, len(ws.Bot.Buttons))
	for i, b := range ws.Bot.Buttons {
		buttons[i] = b.ID
	}
	name := ws.Path
	if name == "" {
		name = "the embedded demo"
	}
	missing := func(pos Pos, what, id, kind string, valid []string) error {
		return &Error{File: s.Path, Line: pos.Line, Column: pos.Column, Msg: fmt.Sprintf(
			"%s names %s %q, which %s does not define: %s%ss: %s",
			what, kind, yamlsrc.Shorten(id), name, yamlsrc.DidYouMean(id, valid), kind, yamlsrc.List(valid))}
	}
	for _, st := range s.Steps {
		switch {
		case st.Kind == StepTrigger:
			if _, ok := ws.Action(st.Text); !ok {
				return missing(st.Pos, "trigger", st.Text, "action", actions)
			}
		case st.Kind == StepClick:
			if _, ok := ws.Bot.Button(st.Text); !ok {
				return missing(st.Pos, "click", st.Text, "button", buttons)
			}
		case st.Kind == StepExpect && st.Expect.Dispatch != nil && st.Expect.Dispatch.Action != "":
			if _, ok := ws.Action(st.Expect.Dispatch.Action); !ok {
				return missing(st.Expect.Dispatch.Pos, "expect dispatch", st.Expect.Dispatch.Action, "action", actions)
			}
		}
	}
	return nil
}
