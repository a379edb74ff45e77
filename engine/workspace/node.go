package workspace

import (
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// loader reads one workspace document, turning every problem into an
// *Error in its file.
type loader struct {
	*yamlsrc.Reader
	env LookupEnv
	ext *Extension
	// triggerRefs are handed to the extension once the file is read.
	triggerRefs []TriggerRef
}

// kind describes a workspace file for the reader's messages.
func kind(lim yamlsrc.Limits) yamlsrc.Kind {
	return yamlsrc.Kind{
		Name:       "workspace",
		Expect:     "chatbot and actions",
		SyntaxHint: variableHint,
		Limits:     lim,
	}
}
