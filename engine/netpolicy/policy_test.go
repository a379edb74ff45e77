package netpolicy

import (
	"strings"
	"testing"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		in      string
		want    Policy
		wantErr bool
	}{
		{"", Workbench, false},
		{"workbench", Workbench, false},
		{"production", Production, false},
		{"Production", "", true},
		{"prod", "", true},
	}
	for _, tt := range tests {
		got, err := ParsePolicy(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParsePolicy(%q) = %q, %v; want %q, error %t", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !(strings.Contains(err.Error(), "workbench") && strings.Contains(err.Error(), "production")) {
			t.Errorf("ParsePolicy(%q) error = %q, want it to list workbench and production", tt.in, err)
		}
	}
}

func TestRefusalError(t *testing.T) {
	tests := []struct {
		r    Refusal
		want string
	}{
		{Refusal{Production, "private address 10.0.0.1 (RFC 1918)"}, "production policy refuses private address 10.0.0.1 (RFC 1918)"},
		{Refusal{"", "credentials in the URL"}, "workbench policy refuses credentials in the URL"},
	}
	for _, tt := range tests {
		if got := tt.r.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
