package tui

import (
	"context"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/template"
)

// record stores an audit attempt in the history, when there is one.
func (o *Options) record(ctx context.Context, a *engine.Attempt) {
	if o.Recorder != nil {
		o.Recorder.Record(ctx, a)
	}
}

// visitorVars are the visitor's details for the audit's payloads.
func (o *Options) visitorVars() template.Vars {
	v := template.Vars{}
	for k, val := range map[string]string{"visitor.id": o.Visitor.ID, "visitor.name": o.Visitor.Name, "visitor.email": o.Visitor.Email, "visitor.phone": o.Visitor.Phone} {
		if val != "" {
			v[k] = val
		}
	}
	return v
}
