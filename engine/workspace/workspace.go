package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/netpolicy"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// Workspace is a loaded workspace file.
type Workspace struct {
	Path    string // the file it was loaded from ("" for in-memory)
	Chatbot engine.Chatbot
	Policy  netpolicy.Policy // "workbench" unless the file says otherwise
	CAFile  string           // ca_file, resolved relative to the workspace file's directory; "" if absent
	Actions []engine.Action
	Webhook *engine.Webhook // nil when the workspace has no webhook

	// caLine and caColumn are where ca_file was written, for Load's check
	// that the file exists.
	caLine, caColumn int
}

// LookupEnv is os.LookupEnv's signature; injected so tests need no real
// environment.
type LookupEnv func(string) (string, bool)

// Options say how a workspace file is read; the zero value reads it with
// os.LookupEnv, DefaultLimits and no extension.
type Options struct {
	Env       LookupEnv      // nil means os.LookupEnv
	Limits    yamlsrc.Limits // the zero value means DefaultLimits
	Extension *Extension     // top-level keys another package reads; nil for none
}

// DefaultLimits are the input limits of a workspace file: 1 MiB, 64 levels
// of nesting, 131,072 values. --max-workspace-size raises the size, and the
// number of values with it.
func DefaultLimits() yamlsrc.Limits {
	return yamlsrc.Limits{Bytes: yamlsrc.MiB, Flag: "--max-workspace-size"}
}

// Extension reads the top-level keys of a workspace file that another
// package owns: the simulated bot is written in the same file as the
// actions, but it is no part of what the engine dispatches.
type Extension struct {
	Keys []string
	// Read is called once the rest of the file is read, with the entries
	// of those Keys that the file has (maybe none), the reader to place
	// errors with, and every action trigger with where it was written.
	Read func(r *yamlsrc.Reader, entries map[string]*ast.MappingValueNode, triggers []TriggerRef) error
}

// TriggerRef is an action's trigger and the node it was written at, for
// an Extension to check what the trigger names.
type TriggerRef struct {
	Rule engine.TriggerRule
	Node ast.Node
}

// Load reads and parses the workspace file at path, and checks that its
// ca_file exists. A nil env means os.LookupEnv.
func Load(path string, env LookupEnv) (*Workspace, error) {
	return LoadWith(path, Options{Env: env})
}

// LoadWith is Load with options. A file over the size limit is refused
// after reading no more than the limit.
func LoadWith(path string, o Options) (*Workspace, error) {
	data, err := yamlsrc.ReadFile(path, kind(o.limits()))
	if err != nil {
		var ye *Error
		if errors.As(err, &ye) {
			return nil, err
		}
		return nil, &Error{File: path, Msg: "cannot read workspace: " + reason(err)}
	}
	w, err := ParseWith(path, data, o)
	if err != nil {
		return nil, err
	}
	w.Path = path
	if w.CAFile != "" {
		msg := ""
		if fi, err := os.Stat(w.CAFile); err != nil {
			msg = reason(err)
		} else if fi.IsDir() {
			msg = "it is a directory"
		}
		if msg != "" {
			return nil, &Error{File: path, Line: w.caLine, Column: w.caColumn,
				Msg: fmt.Sprintf("ca_file %s cannot be used: %s; give the path of a PEM file, relative to the workspace file", w.CAFile, msg)}
		}
	}
	return w, nil
}

// reason returns the cause of a file system error without the path, which
// the *Error already names.
func reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse parses a workspace held in memory; name is used in error messages
// and ca_file is resolved against its directory. It does not touch the
// file system. A nil env means os.LookupEnv.
func Parse(name string, data []byte, env LookupEnv) (*Workspace, error) {
	return ParseWith(name, data, Options{Env: env})
}

// ParseWith is Parse with options.
func ParseWith(name string, data []byte, o Options) (*Workspace, error) {
	env := o.Env
	if env == nil {
		env = os.LookupEnv
	}
	l := &loader{Reader: yamlsrc.NewReader(name, kind(o.limits())), env: env, ext: o.Extension}
	body, err := l.Document(data)
	if err != nil {
		return nil, err
	}
	return l.workspace(body)
}

func (o Options) limits() yamlsrc.Limits {
	if o.Limits == (yamlsrc.Limits{}) {
		return DefaultLimits()
	}
	return o.Limits
}

// workspace reads the top-level mapping. Keys are checked before values,
// so a misspelt key is reported before what its absence causes.
func (l *loader) workspace(body ast.Node) (*Workspace, error) {
	entries, err := l.Mapping(body, "a workspace", "a mapping with chatbot and actions at the top level")
	if err != nil {
		return nil, err
	}
	valid := []string{"chatbot", "policy", "ca_file", "actions", "webhook"}
	if l.ext != nil {
		valid = append(valid, l.ext.Keys...)
	}
	m, err := l.Fields(entries, "the workspace", valid, nil)
	if err != nil {
		return nil, err
	}
	w := &Workspace{Policy: netpolicy.Workbench}
	c, ok := m["chatbot"]
	if !ok {
		return nil, l.ErrAt(body, "missing chatbot: add a chatbot mapping with id and name, e.g. chatbot: {id: bot_def456, name: Support Bot}")
	}
	if w.Chatbot, err = l.chatbot(c); err != nil {
		return nil, err
	}
	if e, ok := m["policy"]; ok {
		if w.Policy, err = l.policy(e.Value); err != nil {
			return nil, err
		}
	}
	if e, ok := m["ca_file"]; ok {
		if w.CAFile, err = l.caFile(e.Value); err != nil {
			return nil, err
		}
		w.caLine, w.caColumn = yamlsrc.Position(e.Value)
	}
	if e, ok := m["actions"]; ok {
		if w.Actions, err = l.actions(e.Value); err != nil {
			return nil, err
		}
	}
	if e, ok := m["webhook"]; ok {
		if w.Webhook, err = l.webhook(e); err != nil {
			return nil, err
		}
	}
	if l.ext != nil {
		own := map[string]*ast.MappingValueNode{}
		for _, k := range l.ext.Keys {
			if e, ok := m[k]; ok {
				own[k] = e
			}
		}
		if err := l.ext.Read(l.Reader, own, l.triggerRefs); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// chatbot reads the chatbot mapping, e being its entry in the top level.
func (l *loader) chatbot(e *ast.MappingValueNode) (engine.Chatbot, error) {
	entries, err := l.Mapping(e.Value, "chatbot", "a mapping with id and name")
	if err != nil {
		return engine.Chatbot{}, err
	}
	m, err := l.Fields(entries, "chatbot", []string{
		"id",
		"name",
	}, nil)
	if err != nil {
		return engine.Chatbot{}, err
	}
	var c engine.Chatbot
	if c.ID, err = l.Required(m, e.Key, "chatbot", "id", "chatbot.id", "the bot's id, e.g. id: bot_def456"); err != nil {
		return c, err
	}
	if c.Name, err = l.Required(m, e.Key, "chatbot", "name", "chatbot.name", "the bot's display name, e.g. name: Support Bot"); err != nil {
		return c, err
	}
	return c, nil
}

// policy reads policy, checked here rather than by netpolicy.ParsePolicy
// so that the message can point at the value and say how to fix it.
func (l *loader) policy(n ast.Node) (netpolicy.Policy, error) {
	s, err := l.Str(n, "policy")
	if err != nil {
		return "", err
	}
	switch p := netpolicy.Policy(s); p {
	case netpolicy.Workbench, netpolicy.Production:
		return p, nil
	}
	got := yamlsrc.Describe(n)
	if s != "" {
		got = fmt.Sprintf("%q", s)
	}
	return "", l.ErrAt(n, "policy must be workbench or production, got %s: use workbench to reach your own machine, production to apply the platform's rules", got)
}

// caFile reads ca_file and resolves it against the workspace's directory.
func (l *loader) caFile(n ast.Node) (string, error) {
	s, err := l.Str(n, "ca_file")
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", l.ErrAt(n, "ca_file is empty: give the path of a PEM file with extra CA certificates, or remove ca_file")
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(filepath.Dir(l.File()), s)
	}
	return s, nil
}

// Action returns the action with the given id.
func (w *Workspace) Action(id string) (engine.Action, bool) {
	for _, a := range w.Actions {
		if a.ID == id {
			return a, true
		}
	}
	return engine.Action{}, false
}

// Secrets returns every secret value in the workspace, without duplicates,
// so callers can redact them from any output.
func (w *Workspace) Secrets() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, a := range w.Actions {
		add(a.Secret)
	}
	if w.Webhook != nil {
		add(w.Webhook.Token)
		add(w.Webhook.Secret)
	}
	return out
}
