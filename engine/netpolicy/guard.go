package netpolicy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
)

// Decide resolves host (an IP literal, a legacy numeric IPv4 form such as
// 127.1, or a name) and returns the addresses the policy allows dialling, in
// order. It refuses with *Refusal when any resolved address is refused:
// a name with one public and one private record is refused whole.
func (g *Guard) Decide(ctx context.Context, host string) ([]netip.Addr, error) {
	return g.decide(ctx, "ip", host)
}

// DialContext is an http.Transport DialContext: Decide, then dial the
// allowed addresses in order until one connects.
func (g *Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	lookup := "ip"
	switch network {
	case "tcp4", "udp4":
		lookup = "ip4"
	case "tcp6", "udp6":
		lookup = "ip6"
	}
	addrs, err := g.decide(ctx, lookup, host)
	if err != nil {
		return nil, err
	}
	dial := g.Dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	for _, a := range addrs {
		var conn net.Conn
		conn, err = dial(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

// decide is Decide with the resolver's network ("ip", "ip4" or "ip6").
func (g *Guard) decide(ctx context.Context, network, host string) ([]netip.Addr, error) {
	p, err := g.Policy.effective()
	if err != nil {
		return nil, err
	}
	if host == "" {
		return nil, errors.New("empty host")
	}
	var addrs []netip.Addr
	// subject prefixes a reason with how the host was written whenever the
	// address alone would not show it.
	subject := ""
	if lit, ok := parseLiteral(host); ok {
		addrs = []netip.Addr{lit.addr}
		if lit.legacy {
			subject = host + " denotes "
		}
	} else {
		r := g.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		addrs, err = r.LookupNetIP(ctx, network, host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolve %s: no addresses", host)
		}
		subject = host + " resolves to "
	}

	allowed := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		// Judge the address as given, so an IPv4-mapped one is named as
		// such, but dial and report the plain IPv4 form.
		if p == Production {
			if r := ProductionReason(a); r != "" {
				return nil, &Refusal{Policy: p, Reason: subject + r + ": " + publicOnly}
			}
		}
		a = a.Unmap()
		if g.LoopbackOnly && !a.IsLoopback() {
			return nil, &Refusal{Policy: p, Reason: fmt.Sprintf(
				"%snon-loopback address %s: plaintext HTTP goes only to a loopback address", subject, a)}
		}
		if !slices.Contains(allowed, a) {
			allowed = append(allowed, a)
		}
	}
	return allowed, nil
}
