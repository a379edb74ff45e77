package main

import (
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration // 0: an error
	}{
		{"90s", 90 * time.Second},
		{"30m", 30 * time.Minute},
		{"1h", time.Hour},
		{"1.5h", 90 * time.Minute},
		{"2d", 48 * time.Hour},
		{"0.5d", 12 * time.Hour},
		{"1w", 7 * 24 * time.Hour},
		{"", 0},
		{"d", 0},
		{"0d", 0},
		{"-1d", 0},
		{"-5m", 0},
		{"yesterday", 0},
		{"NaNd", 0},
		{"Infw", 0},
		{"1e300d", 0}, // past what a duration holds
		{"100000000w", 0},
	}
	for _, tt := range tests {
		got, err := parseSpan(tt.in)
		if tt.want == 0 {
			if err == nil {
				t.Errorf("parseSpan(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseSpan(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParseSpan: whatever --since is given, the span is positive or an
// error, never a negative or wrapped duration that would put the bound in
// the future.
func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"90s", "2d", "1w", "1e300d", "NaNd", "-1h", "1.5h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseSpan(s)
		if err == nil && d <= 0 {
			t.Fatalf("parseSpan(%q) = %v without an error", s, d)
		}
	})
}
