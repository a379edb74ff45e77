package netpolicy

import (
	"net/netip"
	"testing"
)

func TestParseLegacyIPv4(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means not an address
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"0X7F.1", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"017700000001", "127.0.0.1"},
		{"10.0x10.0300", "10.16.0.192"},
		{"0", "0.0.0.0"},
		{"0x", "0.0.0.0"},
		{"4294967295", "255.255.255.255"},
		{"192.168.65535", "192.168.255.255"},
		{"10.16777215", "10.255.255.255"},

		{"", ""},
		{".", ""},
		{"1.", ""},
		{".1", ""},
		{"1..1", ""},
		{"1.2.3.4.5", ""},
		{"4294967296", ""},
		{"256.0.0.1", ""},
		{"1.2.3.256", ""},
		{"1.2.65536", ""},
		{"1.16777216", ""},
		{"08.0.0.1", ""},
		{"0x1g", ""},
		{"1e3", ""},
		{"-1", ""},
		{"+1", ""},
		{" 1", ""},
		{"example.com", ""},
		{"1.2.3.4x", ""},
		{"99999999999999999999999", ""},
	}
	for _, tt := range tests {
		got, ok := parseLegacyIPv4(tt.in)
		switch {
		case tt.want == "" && ok:
			t.Errorf("parseLegacyIPv4(%q) = %s, want not an address", tt.in, got)
		case tt.want != "" && (!ok || got.String() != tt.want):
			t.Errorf("parseLegacyIPv4(%q) = %s, %t; want %s", tt.in, got, ok, tt.want)
		}
	}
}

func FuzzParseLegacyIPv4(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "127.1", "2130706433", "0x7f.1", "0177.0.0.1", "1.2.3.4.5", "0x", "08", "255.255.255.255"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseLegacyIPv4(s)
		want, err := netip.ParseAddr(s)
		if err == nil && want.Is4() {
			if !ok || got != want {
				t.Errorf("parseLegacyIPv4(%q) = %s, %t; netip.ParseAddr says %s", s, got, ok, want)
			}
		}
		if !ok {
			return
		}
		if !got.Is4() {
			t.Errorf("parseLegacyIPv4(%q) = %s, want an IPv4 address", s, got)
		}
		if got.String() == s && (err != nil || want != got) {
			t.Errorf("parseLegacyIPv4(%q) = canonical %s, but netip.ParseAddr = %s, %v", s, got, want, err)
		}
	})
}
