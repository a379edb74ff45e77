// Package export renders stored attempts for use outside actionbench.
package export

import (
	"fmt"
	"sort"
	"strings"

	"github.com/actionbench/actionbench/engine"
)

// Curl renders a shell command that sends a's request again, byte for
// byte. Everything is single-quoted, so the shell changes nothing, except
// a masked Authorization, which reads $WEBHOOK_TOKEN.
func Curl(a *engine.Attempt) string {
	var b strings.Builder
	if strings.Contains(a.Request.URL, engine.Redacted) || strings.Contains(string(a.Request.Body), engine.Redacted) {
		b.WriteString("# A secret was redacted from this request: replace " + engine.Redacted + " before running it.\n")
	}
	keys := make([]string, 0, len(a.Request.Header))
	for k := range a.Request.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var token bool
	fmt.Fprintf(&b, "curl -sS -X %s %s", a.Request.Method, ShellQuote(a.Request.URL))
	for _, k := range keys {
		for _, v := range a.Request.Header[k] {
			if strings.EqualFold(k, "Authorization") && strings.HasSuffix(v, engine.Redacted) {
				scheme := strings.TrimSuffix(v, engine.Redacted)
				fmt.Fprintf(&b, " \\\n  -H \"%s: %s$WEBHOOK_TOKEN\"", k, scheme)
				token = true
				continue
			}
			fmt.Fprintf(&b, " \\\n  -H %s", ShellQuote(k+": "+v))
		}
	}
	if strings.EqualFold(a.Request.Header.Get("Accept-Encoding"), "gzip") {
		b.WriteString(" \\\n  --compressed")
	}
	fmt.Fprintf(&b, " \\\n  --data-binary %s\n", ShellQuote(string(a.Request.Body)))
	out := b.String()
	if token {
		out = "# The webhook's token is never stored: set WEBHOOK_TOKEN first.\n" + out
	}
	return out
}

// ShellQuote single-quotes s for a POSIX shell.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
