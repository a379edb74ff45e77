package engine

import (
	"bytes"
	"net/http"
	"strings"
)

// Redacted is what replaces a secret wherever an attempt is shown or stored.
const Redacted = "[redacted]"

// minSecretLen keeps a very short secret from turning every occurrence of
// a common letter into Redacted; the workspace loader rejects none, so a
// secret this short is shown as it is (and is no secret).
const minSecretLen = 4

// Redacted returns a copy of a in which every secret, wherever it appears
// (URL, headers, bodies, reply, override, diagnosis, warnings), is replaced by
// Redacted, and Authorization header values are masked. Endpoints can echo
// anything, so everything is searched. a itself is left untouched.
func (a *Attempt) Redacted(secrets ...string) *Attempt {
	var keep []string
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			keep = append(keep, s)
		}
	}
	r := *a
	str := func(s string) string {
		for _, secret := range keep {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
		return s
	}
	byt := func(b []byte) []byte {
		for _, secret := range keep {
			b = bytes.ReplaceAll(b, []byte(secret), []byte(Redacted))
		}
		return b
	}
	hdr := func(h http.Header) http.Header {
		if h == nil {
			return nil
		}
		out := make(http.Header, len(h))
		for k, vs := range h {
			masked := make([]string, len(vs))
			for i, v := range vs {
				if strings.EqualFold(k, "Authorization") {
					v = maskAuthorization(v)
				}
				masked[i] = str(v)
			}
			out[str(k)] = masked
		}
		return out
	}
	r.Request.URL = str(a.Request.URL)
	r.Request.Header = hdr(a.Request.Header)
	r.Request.Body = byt(bytes.Clone(a.Request.Body))
	if a.Response != nil {
		resp := *a.Response
		resp.Header = hdr(a.Response.Header)
		resp.Body = byt(bytes.Clone(a.Response.Body))
		r.Response = &resp
	}
	r.BotReply = str(a.BotReply)
	r.Override = str(a.Override)
	r.Diagnosis = str(a.Diagnosis)
	r.Warnings = mapStrings(a.Warnings, str)
	r.ProductionWouldReject = mapStrings(a.ProductionWouldReject, str)
	return &r
}

// maskAuthorization keeps the scheme ("Bearer") and hides the credentials.
func maskAuthorization(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok {
		return scheme + " " + Redacted
	}
	return Redacted
}

func mapStrings(in []string, f func(string) string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}
