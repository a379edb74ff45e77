package workspace

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/sign"
	"github.com/actionbench/actionbench/engine/template"
	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// IDHint says what an id is made of, for messages.
const IDHint = "letters, digits, _ . and -, e.g. order_lookup"

// actions reads the action list; an absent or empty list is allowed.
func (l *loader) actions(n ast.Node) ([]engine.Action, error) {
	if yamlsrc.IsNil(n) {
		return nil, nil
	}
	if _, ok := n.(*ast.NullNode); ok {
		return nil, nil
	}
	items, err := l.List(n, "actions", `a list of actions, each starting with "- id:"`)
	if err != nil {
		return nil, err
	}
	firstLine := map[string]int{}
	out := make([]engine.Action, 0, len(items))
	for i, item := range items {
		a, err := l.action(i, item, firstLine)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// action parses actions[i]. firstLine maps the ids seen so far to the line
// that defined them, for the duplicate-id message.
func (l *loader) action(i int, n ast.Node, firstLine map[string]int) (engine.Action, error) {
	var a engine.Action
	what := fmt.Sprintf("actions[%d]", i)
	entries, err := l.Mapping(n, what, "a mapping with id, url and secret")
	if err != nil {
		return a, err
	}
	m, err := l.Fields(entries, "an action", []string{
		"id",
		"name",
		"url",
		"secret",
		"triggers",
		"payload",
		"signing",
	}, nil)
	if err != nil {
		return a, err
	}
	// A missing key is reported where the action starts.
	at := n
	if a.ID, err = l.Required(m, at, what, "id", "id", "an id of "+IDHint); err != nil {
		return a, err
	}
	idNode := m["id"].Value
	if !IsID(a.ID) {
		return a, l.ErrAt(idNode, "action id %q has characters that are not allowed: use %s", yamlsrc.Shorten(a.ID), IDHint)
	}
	line, _ := yamlsrc.Position(idNode)
	if first, dup := firstLine[a.ID]; dup {
		return a, l.ErrAt(idNode, "duplicate action id %q, first defined at line %d: give each action its own id", yamlsrc.Shorten(a.ID), first)
	}
	firstLine[a.ID] = line
	what = fmt.Sprintf("action %q", a.ID)

	a.Name = a.ID
	if e, ok := m["name"]; ok {
		name, err := l.Str(e.Value, "name")
		if err != nil {
			return a, err
		}
		if name != "" {
			a.Name = name
		}
	}
	if a.URL, err = l.url(m, at, what); err != nil {
		return a, err
	}
	if a.Secret, err = l.secret(m, at, what); err != nil {
		return a, err
	}
	if a.Signing, err = l.signing(m); err != nil {
		return a, err
	}
	if a.Signing == engine.SigningStandardWebhooks {
		if err := l.standardSecret(m, "secret", a.Secret); err != nil {
			return a, err
		}
	}
	if e, ok := m["triggers"]; ok {
		if a.Triggers, err = l.triggers(e.Value); err != nil {
			return a, err
		}
	}
	if e, ok := m["payload"]; ok {
		if a.Payload, err = l.payload(e.Value); err != nil {
			return a, err
		}
	}
	return a, nil
}

// IsID reports whether s is a valid action, intent or button id.
func IsID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && c != '.' && c != '-' && (c < '0' || c > '9') && (c|0x20 < 'a' || c|0x20 > 'z') {
			return false
		}
	}
	return true
}

// url reads an action's url, expanding ${NAME} references before checking
// it, so the check sees what will be dialled.
func (l *loader) url(m map[string]*ast.MappingValueNode, at ast.Node, what string) (string, error) {
	return l.urlWithHint(m, at, what, "the endpoint's address, e.g. url: https://127.0.0.1:8443/dgbot/action")
}

// urlWithHint reads and checks a url field; hint says what to write.
func (l *loader) urlWithHint(m map[string]*ast.MappingValueNode, at ast.Node, what, hint string) (string, error) {
	raw, err := l.Required(m, at, what, "url", "url", hint)
	if err != nil {
		return "", err
	}
	n := m["url"].Value
	s, err := l.expand(n, raw, "url")
	if err != nil {
		return "", err
	}
	if msg := checkURL(s); msg != "" {
		return "", l.ErrAt(n, "%s", msg)
	}
	return s, nil
}

// checkURL returns what is wrong with an action URL, or "". Neither the URL
// nor any part of it is quoted: it may hold expanded environment values
// or credentials.
func checkURL(s string) string {
	const want = "expected an absolute URL such as https://host:8443/path"
	if s == "" {
		return "url is empty after expanding ${...}: " + want
	}
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse's messages quote the offending part; say which part
		// without quoting it.
		what := "is not a valid URL"
		switch msg := err.Error(); {
		case strings.Contains(msg, "invalid port"):
			what = "has an invalid port (a number from 1 to 65535 is expected)"
		case strings.Contains(msg, "in host name"):
			what = "has an invalid character in its host"
		case strings.Contains(msg, "invalid URL escape"):
			what = "has an invalid %-escape"
		case strings.Contains(msg, "control character"):
			what = "contains a control character"
		case strings.Contains(msg, "missing protocol scheme"):
			what = "has no scheme"
		}
		return "url " + what + ": " + want
	}
	switch {
	case u.Scheme == "":
		return "url has no scheme: " + want
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Sprintf("url scheme must be https (or http for local testing), got %q: %s", u.Scheme, want)
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return "url has no host: " + want
	case u.User != nil:
		return "url must not contain credentials (user:password@): the platform refuses them; endpoints authenticate requests by the signature"
	}
	return ""
}

// secret reads an action's signing secret, which must not end up empty.
func (l *loader) secret(m map[string]*ast.MappingValueNode, at ast.Node, what string) (string, error) {
	return l.credential(m, at, what, "secret", "a reference to an environment variable holding the signing secret, e.g. secret: ${ORDER_LOOKUP_SECRET}")
}

// signing reads the optional signing key of an action or the webhook.
func (l *loader) signing(m map[string]*ast.MappingValueNode) (engine.Signing, error) {
	e, ok := m["signing"]
	if !ok {
		return engine.SigningDefault, nil
	}
	s, err := l.Str(e.Value, "signing")
	if err != nil {
		return "", err
	}
	signing, err := engine.ParseSigning(s)
	if err != nil {
		return "", l.ErrAt(e.Value, "%v", err)
	}
	return signing, nil
}

// standardSecret checks a secret meant for Standard Webhooks, saying
// where it is wrong without quoting it.
func (l *loader) standardSecret(m map[string]*ast.MappingValueNode, key, value string) error {
	if err := sign.CheckStandardSecret(value); err != nil {
		return l.ErrAt(m[key].Value, "%s for signing: standard-webhooks: %v (the secret as given, after ${...} references, is not shown)", key, err)
	}
	return nil
}

// credential reads a secret-bearing field (an action's secret, the
// webhook's token), which must not end up empty. Its value is never quoted
// in an error.
func (l *loader) credential(m map[string]*ast.MappingValueNode, at ast.Node, what, key, hint string) (string, error) {
	raw, err := l.Required(m, at, what, key, key, hint)
	if err != nil {
		return "", err
	}
	n := m[key].Value
	s, err := l.expand(n, raw, key)
	if err != nil {
		return "", err
	}
	if s == "" {
		// raw was not empty, so only references can have emptied it.
		return "", l.ErrAt(n, "%s is empty: the environment variables it refers to are set to empty strings; export a non-empty %s", key, key)
	}
	return s, nil
}

// payload compiles an action's payload template. It must be a mapping: the
// platform sends payload as a JSON object, and endpoints index into it.
func (l *loader) payload(n ast.Node) (*template.Template, error) {
	if yamlsrc.IsNil(n) {
		return nil, nil
	}
	if _, ok := n.(*ast.NullNode); ok {
		return nil, nil
	}
	if err := l.Plain(n); err != nil {
		return nil, err
	}
	if _, ok := yamlsrc.AsMapping(n); !ok {
		return nil, l.ErrAt(n, "payload must be a mapping of keys to values (it is sent as a JSON object), got %s", yamlsrc.Describe(n))
	}
	t, err := template.FromYAML(n)
	if err != nil {
		return nil, fromTemplate(l.File(), err)
	}
	return t, nil
}
