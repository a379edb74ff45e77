package netpolicy

import (
	"fmt"
	"net/url"
	"strings"
)

// URLCheck is the outcome of the static checks on an action or webhook URL.
type URLCheck struct {
	// Marks are the things production would reject that this policy lets
	// through, e.g. "plaintext HTTP".
	Marks []string
	// Plaintext is true for an http:// URL the policy allowed.
	Plaintext bool
}

// CheckURL applies the static rules to u: the scheme (https; http only when
// allowHTTP under Workbench and only to a loopback host), no credentials, a
// host present. A refusal is returned as *Refusal.
func CheckURL(p Policy, allowHTTP bool, u *url.URL) (URLCheck, error) {
	p, err := p.effective()
	if err != nil {
		return URLCheck{}, err
	}
	refuse := func(format string, args ...any) (URLCheck, error) {
		return URLCheck{}, &Refusal{Policy: p, Reason: fmt.Sprintf(format, args...)}
	}
	if u == nil {
		return refuse("an empty URL")
	}
	// Only scheme and host are echoed back: user info, path and query may
	// carry tokens, and diagnoses end up on screen and in the history.
	shown := u.Scheme + "://" + u.Host
	host := u.Hostname()
	lit, isLit := parseLiteral(host)
	loopback := isLoopbackName(host) || isLit && lit.addr.Unmap().IsLoopback()

	var check URLCheck
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "https":
	case "http":
		switch {
		case p == Production:
			return refuse("plaintext HTTP (%s): the platform only calls HTTPS endpoints; use https", shown)
		case !allowHTTP:
			return refuse("plaintext HTTP (%s): the platform only calls HTTPS endpoints; use https, or --allow-http for a loopback endpoint under the workbench policy", shown)
		case !loopback:
			return refuse("plaintext HTTP to non-loopback host %s (%s): --allow-http covers only loopback endpoints (127.0.0.1, ::1, localhost); use https", host, shown)
		}
		check.Plaintext = true
		check.Marks = append(check.Marks, "plaintext HTTP")
	case "":
		return refuse("a URL without a scheme: the platform only calls https:// URLs")
	default:
		return refuse("scheme %q (%s): the platform only calls HTTPS endpoints", scheme, shown)
	}
	if u.User != nil {
		return refuse("credentials in the URL (%s://xxxxx@%s): put secrets in the action's signing secret or the webhook token, not in the URL", u.Scheme, u.Host)
	}
	if host == "" {
		return refuse("a URL without a host (%s)", shown)
	}
	if check.Plaintext {
		return check, nil
	}

	// What production would refuse and can be seen without resolving: an
	// address literal, or the name that always means loopback.
	var why string
	switch {
	case isLit:
		why = literalReason(host, lit)
	case isLoopbackName(host):
		why = "loopback host " + host
	}
	if why == "" {
		return check, nil
	}
	if p == Production {
		return refuse("%s: %s", why, publicOnly)
	}
	check.Marks = append(check.Marks, why)
	return check, nil
}

// isLoopbackName reports whether host is localhost, which RFC 6761 reserves
// for loopback.
func isLoopbackName(host string) bool {
	return strings.EqualFold(strings.TrimSuffix(host, "."), "localhost")
}

// literalReason is ProductionReason for a host written as an address,
// naming the host as written when a legacy form hides the address.
func literalReason(host string, lit literal) string {
	r := ProductionReason(lit.addr)
	if r != "" && lit.legacy {
		return host + " denotes " + r
	}
	return r
}
