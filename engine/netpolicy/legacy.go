package netpolicy

import (
	"net/netip"
	"strings"
)

// literal is a host written as an IP address rather than a name.
type literal struct {
	addr netip.Addr
	// legacy is set when the host used an inet_aton form such as 127.1,
	// which reads nothing like the address it denotes.
	legacy bool
}

// parseLiteral reports whether host is an IP literal: IPv6 with or without
// brackets and with an optional zone, a dotted quad, or a legacy numeric
// IPv4 form.
func parseLiteral(host string) (literal, bool) {
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		return literal{addr: a}, err == nil && a.Is6()
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return literal{addr: a}, true
	}
	if a, ok := parseLegacyIPv4(host); ok {
		return literal{addr: a, legacy: true}, true
	}
	return literal{}, false
}

// parseLegacyIPv4 parses the numeric IPv4 forms inet_aton accepts: one to
// four parts separated by dots, each decimal, octal (leading 0) or hex
// (leading 0x); the last part fills all the remaining bytes, so "127.1" is
// 127.0.0.1 and "2130706433" is 127.0.0.1 too. Resolvers and browsers still
// read these forms as addresses, so treating them as names would let a
// loopback or private address pass for a host name.
func parseLegacyIPv4(s string) (netip.Addr, bool) {
	var parts [4]uint32
	n := 0
	for part := range strings.SplitSeq(s, ".") {
		if n == len(parts) {
			return netip.Addr{}, false
		}
		v, ok := parseLegacyPart(part)
		if !ok {
			return netip.Addr{}, false
		}
		parts[n] = v
		n++
	}
	// Every part but the last is one byte; the last fills the rest.
	for _, v := range parts[:n-1] {
		if v > 0xff {
			return netip.Addr{}, false
		}
	}
	shift := 8 * uint(4-n+1)
	if shift < 32 && parts[n-1]>>shift != 0 {
		return netip.Addr{}, false
	}
	v := parts[n-1]
	for i, p := range parts[:n-1] {
		v |= p << (24 - 8*uint(i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseLegacyPart parses one part of a legacy IPv4 form. Like inet_aton, a
// bare "0x" is zero.
func parseLegacyPart(s string) (uint32, bool) {
	if s == "" {
		return 0, false
	}
	base := uint64(10)
	switch {
	case len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		d, ok := digit(s[i])
		if !ok || d >= base {
			return 0, false
		}
		v = v*base + d
		if v > 0xffffffff {
			return 0, false
		}
	}
	return uint32(v), true
}

func digit(c byte) (uint64, bool) {
	switch {
	case '0' <= c && c <= '9':
		return uint64(c - '0'), true
	case 'a' <= c && c <= 'f':
		return uint64(c-'a') + 10, true
	case 'A' <= c && c <= 'F':
		return uint64(c-'A') + 10, true
	}
	return 0, false
}
