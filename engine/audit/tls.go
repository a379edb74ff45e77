package audit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/actionbench/actionbench/engine/netpolicy"
)

// CertWarning is how close to its expiry a certificate earns a warn.
const CertWarning = 14 * 24 * time.Hour

const (
	fixCert   = "renew the endpoint's certificate (and automate the renewal) before it expires"
	fixOldTLS = "set the server's minimum TLS version to 1.2: TLS 1.0 and 1.1 are broken and the platform never uses them"
)

// tlsCheck makes two handshakes of its own with the endpoint, dialled
// through the dispatcher's address policy (engine's ProbeTLS): one as the platform makes it,
// to read the certificate's expiry, and one offering only TLS 1.0 and 1.1.
func tlsCheck(ctx context.Context, au *Auditor, raw string, res *Result) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" {
		res.Verdict, res.Answer = Warn, "not an https:// URL: no TLS"
		res.Why = "the endpoint is plain HTTP, which production refuses"
		res.Fix = "serve the endpoint over HTTPS with a certificate from a public CA"
		return
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	state, err := au.Dispatcher.ProbeTLS(ctx, addr, &tls.Config{
		ServerName: u.Hostname(), MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"},
	})
	var refusal *netpolicy.Refusal
	if errors.As(err, &refusal) {
		res.Verdict, res.Answer, res.Why = Skip, "not dialled: "+err.Error(), skippedByPolicy
		return
	}
	if err != nil {
		res.Verdict, res.Answer = Fail, "handshake failed: "+err.Error()
		res.Why = "the platform cannot connect"
		res.Fix = "serve TLS 1.2 or later with a certificate from a CA the platform trusts"
		return
	}
	res.Verdict = Pass
	notAfter := state.PeerCertificates[0].NotAfter
	left := notAfter.Sub(au.now())
	res.Answer = fmt.Sprintf("%s, certificate valid until %s (%d days)", tls.VersionName(state.Version), notAfter.UTC().Format("2006-01-02"), int(left.Hours()/24))
	if left < CertWarning {
		res.Verdict, res.Why, res.Fix = Warn, fmt.Sprintf("the certificate expires in under %d days", int(CertWarning.Hours()/24)), fixCert
	}

	old, err := au.Dispatcher.ProbeTLS(ctx, addr, &tls.Config{
		ServerName: u.Hostname(),
		// Only whether the old versions are accepted matters here; the
		// certificate was verified above.
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS10,
		MaxVersion:         tls.VersionTLS11,
	})
	if err == nil {
		res.Answer += "; accepts " + tls.VersionName(old.Version)
		why := tls.VersionName(old.Version) + " is accepted"
		if res.Why != "" {
			why = res.Why + "; " + why
			res.Fix += "; " + fixOldTLS
		} else {
			res.Fix = fixOldTLS
		}
		res.Verdict, res.Why = Warn, why
	} else {
		res.Answer += "; refuses TLS 1.0–1.1"
	}
}
