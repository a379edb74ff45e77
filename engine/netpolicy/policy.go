// Package netpolicy decides where a dispatch may connect: which URL schemes
// are acceptable and which IP addresses may be dialled under each policy.
// The address decision is made at dial time on the addresses actually being
// dialled, so a hostname that resolves (or rebinds) to a private address
// cannot slip past a check made earlier on the name.
package netpolicy

import (
	"context"
	"fmt"
	"net"
	"net/netip"
)

// Policy names a set of rules for where dispatches may go.
type Policy string

const (
	// Workbench allows HTTPS to any address, loopback included: the
	// developer's own machine is the usual target.
	Workbench Policy = "workbench"
	// Production enforces what the platform enforces: HTTPS only, public
	// unicast addresses only.
	Production Policy = "production"
)

// ParsePolicy accepts "workbench" or "production"; "" means Workbench.
func ParsePolicy(s string) (Policy, error) {
	switch Policy(s) {
	case "", Workbench:
		return Workbench, nil
	case Production:
		return Production, nil
	}
	return "", fmt.Errorf("unknown policy %q: want %q or %q", s, Workbench, Production)
}

// effective is p with "" read as Workbench. An unknown value is an error
// rather than a silent Workbench, so a typo in a Policy literal fails closed.
func (p Policy) effective() (Policy, error) {
	return ParsePolicy(string(p))
}

// publicOnly is the platform's rule that an address refusal applies.
const publicOnly = "the platform only calls HTTPS endpoints on public addresses"

// Refusal is the error returned when a policy refuses a URL or an address.
// Reason is a phrase for a diagnosis that says what was refused and the
// rule or the fix, once, e.g. "private address 10.0.0.1 (RFC 1918): the
// platform only calls HTTPS endpoints on public addresses".
type Refusal struct {
	Policy Policy
	Reason string
}

// Error reads as a diagnosis line, e.g. "production policy refuses private
// address 10.0.0.1 (RFC 1918)".
func (r *Refusal) Error() string {
	p := r.Policy
	if p == "" {
		p = Workbench
	}
	return fmt.Sprintf("%s policy refuses %s", p, r.Reason)
}

// Resolver looks up the addresses of a host. *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DialFunc dials one address, as net.Dialer.DialContext does.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Guard dials connections for an http.Transport, refusing any address the
// policy does not allow.
type Guard struct {
	Policy Policy
	// LoopbackOnly refuses every non-loopback address whatever the policy;
	// it guards the plaintext-HTTP transport.
	LoopbackOnly bool
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver Resolver
	// Dial connects to an already-checked IP:port; nil means a net.Dialer.
	Dial DialFunc
}
