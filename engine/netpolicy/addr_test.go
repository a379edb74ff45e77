package netpolicy

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// TestProductionReason checks each address both through ProductionReason
// and through Decide, which must agree with it under Production.
func TestProductionReason(t *testing.T) {
	tests := []struct {
		host string
		want string // substring of the reason; "" means the address passes
	}{
		{"127.0.0.1", "loopback address 127.0.0.1"},
		{"127.1", "127.1 denotes loopback address 127.0.0.1"},
		{"2130706433", "loopback address 127.0.0.1"},
		{"0x7f.1", "loopback address 127.0.0.1"},
		{"0177.0.0.1", "loopback address 127.0.0.1"},
		{"10.0.0.1", "private address 10.0.0.1 (RFC 1918)"},
		{"172.16.5.4", "private address 172.16.5.4 (RFC 1918)"},
		{"192.168.1.1", "private address 192.168.1.1 (RFC 1918)"},
		{"169.254.169.254", "link-local address 169.254.169.254 (cloud metadata)"},
		{"169.254.1.1", "link-local address 169.254.1.1"},
		{"100.64.0.1", "shared address space 100.64.0.1 (CGNAT, RFC 6598)"},
		{"0.0.0.0", "unspecified address 0.0.0.0"},
		{"0.1.2.3", `"this network" address 0.1.2.3`},
		{"192.0.0.8", "IETF protocol assignment address"},
		{"192.0.2.1", "documentation address 192.0.2.1"},
		{"192.88.99.1", "6to4 relay anycast address"},
		{"198.18.0.1", "benchmarking address 198.18.0.1"},
		{"198.51.100.7", "documentation address 198.51.100.7"},
		{"203.0.113.9", "documentation address 203.0.113.9"},
		{"224.0.0.1", "multicast address 224.0.0.1"},
		{"240.0.0.1", "reserved address 240.0.0.1"},
		{"255.255.255.255", "broadcast address 255.255.255.255"},
		{"::", "unspecified address ::"},
		{"::1", "loopback address ::1"},
		{"[::1]", "loopback address ::1"},
		{"::a00:1", "IPv4-compatible IPv6 address ::a00:1"},
		{"fc00::1", "unique-local address fc00::1"},
		{"fd12:3456::1", "unique-local address fd12:3456::1"},
		{"fe80::1", "link-local address fe80::1"},
		{"fe80::1%eth0", "link-local address fe80::1%eth0"},
		{"2606:4700:4700::1111%eth0", "zoned address 2606:4700:4700::1111%eth0"},
		{"fec0::1", "site-local address fec0::1"},
		{"ff02::1", "multicast address ff02::1"},
		{"100::1", "discard-only address 100::1"},
		{"4000::1", "non-global address 4000::1 (outside 2000::/3"},
		{"::ffff:127.0.0.1", "IPv4-mapped IPv6 ::ffff:127.0.0.1 embeds loopback address 127.0.0.1"},
		{"::ffff:169.254.169.254", "IPv4-mapped IPv6 ::ffff:169.254.169.254 embeds link-local address 169.254.169.254 (cloud metadata)"},
		{"64:ff9b::a9fe:a9fe", "NAT64 address 64:ff9b::a9fe:a9fe embeds link-local address 169.254.169.254 (cloud metadata)"},
		{"64:ff9b:1::1", "local-use NAT64 address"},
		{"2002:a9fe:a9fe::1", "6to4 address 2002:a9fe:a9fe::1 embeds link-local address 169.254.169.254 (cloud metadata)"},
		// Teredo: server 10.0.0.1, client 8.8.8.8 (stored inverted).
		{"2001:0:a00:1:8000:63bf:f7f7:f7f7", "embeds private address 10.0.0.1 (RFC 1918) as its server"},
		// Teredo: server 65.54.227.120, client 192.168.1.1.
		{"2001:0:4136:e378:8000:63bf:3f57:fefe", "embeds private address 192.168.1.1 (RFC 1918) as its client"},
		{"2001:db8::1", "documentation address 2001:db8::1"},
		{"2001:10::1", "ORCHID address"},
		{"2001:20::1", "ORCHIDv2 address"},
		{"2001:2::1", "benchmarking address"},
		{"3fff::1", "documentation address 3fff::1"},

		{"8.8.8.8", ""},
		{"93.184.215.14", ""},
		{"1.1.1.1", ""},
		{"172.32.0.1", ""},
		{"2606:4700:4700::1111", ""},
		{"64:ff9b::808:808", ""},
		{"::ffff:8.8.8.8", ""},
		{"2002:808:808::1", ""},
		{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", ""},
	}
	for _, tt := range tests {
		lit, ok := parseLiteral(tt.host)
		if !ok {
			t.Errorf("parseLiteral(%q) failed", tt.host)
			continue
		}
		// ProductionReason sees only the address, not how it was written.
		got := ProductionReason(lit.addr)
		wantAddr := strings.TrimPrefix(tt.want, tt.host+" denotes ")
		if !matches(got, wantAddr) {
			t.Errorf("ProductionReason(%s) = %q, want %s", lit.addr, got, describe(wantAddr))
		}

		g := &Guard{Policy: Production, Resolver: fakeResolver{}}
		addrs, err := g.Decide(context.Background(), tt.host)
		var ref *Refusal
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Decide(%q) error = %v, want allowed", tt.host, err)
		case tt.want == "" && (len(addrs) != 1 || addrs[0] != lit.addr.Unmap()):
			t.Errorf("Decide(%q) = %v, want [%s]", tt.host, addrs, lit.addr.Unmap())
		case tt.want != "" && !errors.As(err, &ref):
			t.Errorf("Decide(%q) = %v, %v; want *Refusal containing %q", tt.host, addrs, err, tt.want)
		case tt.want != "" && !strings.Contains(ref.Reason, tt.want):
			t.Errorf("Decide(%q) reason = %q, want it to contain %q", tt.host, ref.Reason, tt.want)
		}
	}
}

func TestProductionReasonInvalid(t *testing.T) {
	if got := ProductionReason(netip.Addr{}); got == "" {
		t.Errorf("ProductionReason(zero Addr) = %q, want a refusal", got)
	}
}

// matches reports whether got is "" when want is "", or contains want.
func matches(got, want string) bool {
	if want == "" {
		return got == ""
	}
	return strings.Contains(got, want)
}

func describe(want string) string {
	if want == "" {
		return `"" (public)`
	}
	return "one containing " + want
}
