package netpolicy

import (
	"fmt"
	"net/netip"
)

// block is one special-purpose address range production refuses. A reason
// reads "<kind> <address>" followed by " (<note>)" when note is set.
type block struct {
	prefix netip.Prefix
	kind   string
	note   string
}

func (b block) reason(shown string) string {
	if b.note == "" {
		return b.kind + " " + shown
	}
	return fmt.Sprintf("%s %s (%s)", b.kind, shown, b.note)
}

// v4Blocks are the IPv4 ranges of the IANA special-purpose registry that are
// not public unicast, plus multicast, reserved and broadcast. Narrower
// entries come first so the most specific name wins.
var v4Blocks = []block{
	{netip.MustParsePrefix("169.254.169.254/32"), "link-local address", "cloud metadata"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast address", ""},
	{netip.MustParsePrefix("0.0.0.0/32"), "unspecified address", ""},
	{netip.MustParsePrefix("0.0.0.0/8"), `"this network" address`, "0.0.0.0/8"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private address", "RFC 1918"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space", "CGNAT, RFC 6598"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback address", ""},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local address", ""},
	{netip.MustParsePrefix("172.16.0.0/12"), "private address", "RFC 1918"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment address", "192.0.0.0/24"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation address", "TEST-NET-1, RFC 5737"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast address", "deprecated, RFC 7526"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private address", "RFC 1918"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking address", "RFC 2544"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation address", "TEST-NET-2, RFC 5737"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation address", "TEST-NET-3, RFC 5737"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast address", ""},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved address", "240.0.0.0/4"},
}

// v6Blocks are the IPv6 ranges refused outright. Ranges that embed an IPv4
// address are not here: they are judged by the address they embed.
var v6Blocks = []block{
	{netip.MustParsePrefix("::/128"), "unspecified address", ""},
	{netip.MustParsePrefix("::1/128"), "loopback address", ""},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64 address", "64:ff9b:1::/48, RFC 8215"},
	{netip.MustParsePrefix("100::/64"), "discard-only address", "100::/64, RFC 6666"},
	{netip.MustParsePrefix("fc00::/7"), "unique-local address", "fc00::/7, RFC 4193"},
	{netip.MustParsePrefix("fe80::/10"), "link-local address", "fe80::/10"},
	{netip.MustParsePrefix("fec0::/10"), "site-local address", "deprecated, RFC 3879"},
	{netip.MustParsePrefix("ff00::/8"), "multicast address", ""},
	{netip.MustParsePrefix("2001:2::/48"), "benchmarking address", "RFC 5180"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation address", "RFC 3849"},
	{netip.MustParsePrefix("2001:10::/28"), "ORCHID address", "deprecated, RFC 4843"},
	{netip.MustParsePrefix("2001:20::/28"), "ORCHIDv2 address", "RFC 7343"},
	{netip.MustParsePrefix("3fff::/20"), "documentation address", "RFC 9637"},
	{netip.MustParsePrefix("5f00::/16"), "SRv6 SID address", "RFC 9602"},
}

var (
	v4Compatible = netip.MustParsePrefix("::/96")
	nat64        = netip.MustParsePrefix("64:ff9b::/96")
	globalV6     = netip.MustParsePrefix("2000::/3")
	sixToFour    = netip.MustParsePrefix("2002::/16")
	teredo       = netip.MustParsePrefix("2001::/32")
)

// ProductionReason reports why production refuses to dial ip, or "" when ip
// is a public unicast address production would dial.
func ProductionReason(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid address"
	}
	if ip.Zone() == "" {
		return reason(ip, ip.String())
	}
	// A zone only means something for a non-global address, so the range
	// usually names the problem better than the zone does.
	if r := reason(ip.WithZone(""), ip.String()); r != "" {
		return r
	}
	return fmt.Sprintf("zoned address %s (a zone scopes an address to one local interface)", ip)
}

// reason judges ip, which carries no zone; shown is how to print it.
func reason(ip netip.Addr, shown string) string {
	if ip.Is4() {
		return v4Reason(ip)
	}
	if ip.Is4In6() {
		return embedded("IPv4-mapped IPv6", shown, ip.Unmap())
	}
	for _, b := range v6Blocks {
		if b.prefix.Contains(ip) {
			return b.reason(shown)
		}
	}
	switch {
	case v4Compatible.Contains(ip):
		return fmt.Sprintf("IPv4-compatible IPv6 address %s (::/96, deprecated by RFC 4291)", shown)
	case nat64.Contains(ip):
		return embedded("NAT64 address", shown, v4At(ip, 12))
	case !globalV6.Contains(ip):
		return fmt.Sprintf("non-global address %s (outside 2000::/3 global unicast)", shown)
	case sixToFour.Contains(ip):
		return embedded("6to4 address", shown, v4At(ip, 2))
	case teredo.Contains(ip):
		return teredoReason(ip, shown)
	}
	return ""
}

func v4Reason(ip netip.Addr) string {
	for _, b := range v4Blocks {
		if b.prefix.Contains(ip) {
			return b.reason(ip.String())
		}
	}
	return ""
}

// embedded judges an IPv6 address by the IPv4 address it carries, since
// that is where a translator or tunnel would finally deliver the packets.
func embedded(kind, shown string, v4 netip.Addr) string {
	r := v4Reason(v4)
	if r == "" {
		return ""
	}
	return fmt.Sprintf("%s %s embeds %s", kind, shown, r)
}

// teredoReason checks both IPv4 addresses a Teredo address names: the
// server (bits 32–63) and the client (last 32 bits, stored inverted).
func teredoReason(ip netip.Addr, shown string) string {
	if r := v4Reason(v4At(ip, 4)); r != "" {
		return fmt.Sprintf("Teredo address %s embeds %s as its server", shown, r)
	}
	b := ip.As16()
	client := netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]})
	if r := v4Reason(client); r != "" {
		return fmt.Sprintf("Teredo address %s embeds %s as its client", shown, r)
	}
	return ""
}

// v4At returns the IPv4 address stored in bytes off..off+3 of ip.
func v4At(ip netip.Addr, off int) netip.Addr {
	b := ip.As16()
	return netip.AddrFrom4([4]byte(b[off : off+4]))
}
