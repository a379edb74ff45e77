package mock

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// redacted replaces the secret and the token wherever a request carried them.
const redacted = "[redacted]"

// minSecretLen keeps a very short secret from turning every occurrence of a
// common letter into redacted (the engine's rule too).
const minSecretLen = 4

// maxLogValue bounds what one request can put in its log line.
const maxLogValue = 80

// logRequest writes the request's line: time, method, path, fault, status,
// duration, then whether the credentials were right and the ids the body
// named. Everything the client chose is cleaned first, so a line stays one
// line and never holds the secret or the token, whatever was sent.
func (h *handler) logRequest(start time.Time, rec *recorder, x *exchange) {
	if h.log == nil {
		return
	}
	var b strings.Builder
	b.WriteString(h.now().Format(time.DateTime))
	b.WriteString(" " + h.clean(x.r.Method) + " " + h.clean(x.r.URL.Path))
	if x.fault != "" {
		b.WriteString(" fault=" + h.clean(x.fault))
	}
	if rec.status == 0 {
		b.WriteString(" - client gone")
	} else {
		fmt.Fprintf(&b, " %d %s", rec.status, http.StatusText(rec.status))
	}
	b.WriteString(" " + duration(time.Since(start)))
	if x.checked {
		field := func(name, value string) {
			if value != "" {
				b.WriteString(" " + name + "=" + h.clean(value))
			}
		}
		ok := "bad"
		if x.authOK {
			ok = "ok"
		}
		if x.standard {
			b.WriteString(" signing=standard-webhooks")
		}
		if x.webhook {
			b.WriteString(" auth=" + ok)
			field("event_type", x.eventType)
		} else {
			b.WriteString(" sig=" + ok)
			if x.stale != "" {
				b.WriteString(" replay=refused") // signed, but far behind its conversation
			}
			field("action_id", x.actionID)
			field("conversation_id", x.conversationID)
		}
	}
	b.WriteByte('\n')
	h.writeLog(b.String())
}

// writeLog writes whole lines, one writer at a time.
func (h *handler) writeLog(line string) {
	h.logMu.Lock()
	defer h.logMu.Unlock()
	io.WriteString(h.log, line)
}

// clean makes a client-chosen value safe for a log line: the secret and
// the token redacted, at most maxLogValue bytes, quoted when it holds
// anything but plain identifier characters.
func (h *handler) clean(s string) string {
	for _, secret := range []string{h.secret, h.token, h.standardSecret} {
		if len(secret) >= minSecretLen {
			s = strings.ReplaceAll(s, secret, redacted)
		}
	}
	if len(s) > maxLogValue {
		cut := maxLogValue
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	for _, r := range s {
		if !plain(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

func plain(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("._-/:@+=[]…", r)
}

// duration is short and readable: "3ms", "9.0s".
func duration(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}
