package history

import (
	"bytes"
	"strings"

	"github.com/actionbench/actionbench/engine"
)

// minSecretLen mirrors engine's rule for the fields redacted here: a
// secret shorter than this would turn common letters into "[redacted]".
const minSecretLen = 4

// redactor replaces secrets while an attempt is encoded, so that Submit
// never copies an attempt to redact it: a field that holds no secret (most
// fields of most attempts) is stored as it is, and only one that does is
// rewritten. The result is engine.Attempt.Redacted's, with Override
// redacted too.
type redactor struct {
	secrets [][]byte // those of at least minSecretLen bytes, in the caller's order
}

func newRedactor(secrets []string) redactor {
	var r redactor
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			r.secrets = append(r.secrets, []byte(s))
		}
	}
	return r
}

// str redacts s; it allocates only when s holds a secret.
func (r *redactor) str(s string) string {
	for i, secret := range r.secrets {
		if strings.Contains(s, string(secret)) {
			// Replace in the engine's order, from the first secret found
			// on: the ones before it are not in s, and a replacement
			// cannot create them, since it only writes engine.Redacted.
			for _, secret := range r.secrets[i:] {
				s = strings.ReplaceAll(s, string(secret), engine.Redacted)
			}
			return s
		}
	}
	return s
}

// bytes redacts v; it returns v itself when v holds no secret.
func (r *redactor) bytes(v []byte) []byte {
	for i, secret := range r.secrets {
		if bytes.Contains(v, secret) {
			for _, secret := range r.secrets[i:] {
				v = bytes.ReplaceAll(v, secret, []byte(engine.Redacted))
			}
			return v
		}
	}
	return v
}

// maskAuthorization is engine's: it keeps the scheme ("Bearer") and hides
// the credentials.
func maskAuthorization(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok {
		return scheme + " " + engine.Redacted
	}
	return engine.Redacted
}
