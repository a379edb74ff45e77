package workspace

import (
	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// loader reads one workspace document, turning every problem into an
// *Error in its file.
type loader struct {
	*yamlsrc.Reader
	env LookupEnv
	// buttonRefs and triggerRefs are checked once the whole file is read.
	buttonRefs  []ref
	triggerRefs []triggerRef
}

// triggerRef is an action trigger and where it was written.
type triggerRef struct {
	rule engine.TriggerRule
	node ast.Node
}

// kind describes a workspace file for the reader's messages.
func kind() yamlsrc.Kind {
	return yamlsrc.Kind{
		Name:       "workspace",
		Expect:     "chatbot and actions",
		SyntaxHint: variableHint,
	}
}
