package tui

import (
	"regexp/syntax"
	"strings"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/sim/bot"
)

// exampleMessage is what the message box suggests typing: the first
// intent pattern that is plain text, preferring an intent that fires an
// action, since that is what a developer opens the workbench to see; ""
// when every pattern is a real regular expression.
func exampleMessage(ws *bot.Workspace) string {
	if ws == nil {
		return ""
	}
	fires := map[string]bool{}
	for _, a := range ws.Actions {
		for _, t := range a.Triggers {
			if t.Trigger == engine.TriggerIntent {
				fires[t.Name] = true
			}
		}
	}
	for _, pass := range []bool{true, false} {
		for _, in := range ws.Bot.Intents {
			if pass && !fires[in.Name] {
				continue
			}
			for _, p := range in.Patterns {
				if s, ok := literal(p.String()); ok {
					return s
				}
			}
		}
	}
	return ""
}

// literal reports the text a pattern matches when it matches only that
// text (case aside), as "is it down" does and "order (\d+)" does not.
func literal(pattern string) (string, bool) {
	// The bot matches case-insensitively; a case-folded parse would
	// report the text in capitals, so parse it as written.
	re, err := syntax.Parse(strings.TrimPrefix(pattern, "(?i)"), syntax.Perl)
	if err != nil {
		return "", false
	}
	re = re.Simplify()
	if re.Op != syntax.OpLiteral || strings.TrimSpace(string(re.Rune)) == "" {
		return "", false
	}
	return string(re.Rune), true
}

// placeholder is the message box's text while it is empty.
func placeholder(example string) string {
	if example == "" {
		return "say something"
	}
	return `say something, e.g. "` + example + `"`
}
