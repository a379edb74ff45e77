package netpolicy

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		policy      Policy
		allowHTTP   bool
		url         string
		wantMarks   []string
		wantPlain   bool
		wantRefusal string // substring of the reason
	}{
		{Production, false, "https://api.example.com/hook", nil, false, ""},
		{Workbench, false, "https://api.example.com/hook", nil, false, ""},
		{Workbench, true, "HTTPS://api.example.com/hook", nil, false, ""},
		{Production, false, "https://8.8.8.8/hook", nil, false, ""},
		{Workbench, false, "http://127.0.0.1:8080/hook", nil, false,
			"plaintext HTTP (http://127.0.0.1:8080): the platform only calls HTTPS endpoints; use https, or --allow-http"},
		{Workbench, true, "http://127.0.0.1:8080/hook", []string{"plaintext HTTP"}, true, ""},
		{Workbench, true, "http://localhost:8080/hook", []string{"plaintext HTTP"}, true, ""},
		{Workbench, true, "http://[::1]:8080/hook", []string{"plaintext HTTP"}, true, ""},
		{"", true, "http://127.0.0.1/", []string{"plaintext HTTP"}, true, ""},
		{Workbench, true, "http://api.example.com/hook", nil, false,
			"plaintext HTTP to non-loopback host api.example.com"},
		{Workbench, true, "http://10.0.0.1/hook", nil, false, "non-loopback host 10.0.0.1"},
		{Production, true, "http://127.0.0.1/hook", nil, false, "plaintext HTTP (http://127.0.0.1)"},
		{Production, false, "http://api.example.com/hook", nil, false, "plaintext HTTP"},
		{Workbench, false, "ftp://api.example.com/hook", nil, false, `scheme "ftp"`},
		{Production, false, "ws://api.example.com/hook", nil, false, `scheme "ws"`},
		{Workbench, false, "api.example.com/hook", nil, false, "without a scheme"},
		{Workbench, false, "https://user:pass@api.example.com/hook", nil, false, "credentials in the URL"},
		{Production, false, "https://user:pass@api.example.com/hook", nil, false, "credentials in the URL"},
		{Workbench, true, "http://user@127.0.0.1/hook", nil, false, "credentials in the URL"},
		{Workbench, false, "https:///hook", nil, false, "without a host"},
		{Workbench, false, "https:opaque", nil, false, "without a host"},
		{Workbench, false, "https://127.0.0.1/hook", []string{"loopback address 127.0.0.1"}, false, ""},
		{Workbench, false, "https://127.1/hook", []string{"127.1 denotes loopback address 127.0.0.1"}, false, ""},
		{Workbench, false, "https://localhost:8443/hook", []string{"loopback host localhost"}, false, ""},
		{Workbench, false, "https://[fe80::1%25eth0]/hook", []string{"link-local address fe80::1%eth0 (fe80::/10)"}, false, ""},
		{Workbench, false, "https://192.168.1.1/hook", []string{"private address 192.168.1.1 (RFC 1918)"}, false, ""},
		{Production, false, "https://10.0.0.1/hook", nil, false, "private address 10.0.0.1 (RFC 1918)"},
		{Production, false, "https://169.254.169.254/latest/meta-data", nil, false, "(cloud metadata)"},
		{Production, false, "https://2130706433/hook", nil, false, "2130706433 denotes loopback address 127.0.0.1"},
		{Production, false, "https://[::ffff:10.0.0.1]/hook", nil, false, "embeds private address 10.0.0.1"},
		{Production, false, "https://localhost/hook", nil, false, "loopback host localhost"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatalf("url.Parse(%q): %v", tt.url, err)
		}
		got, err := CheckURL(tt.policy, tt.allowHTTP, u)
		var ref *Refusal
		if tt.wantRefusal != "" {
			if !errors.As(err, &ref) || !strings.Contains(ref.Reason, tt.wantRefusal) {
				t.Errorf("CheckURL(%s, %t, %s) = %+v, %v; want a refusal containing %q",
					tt.policy, tt.allowHTTP, tt.url, got, err, tt.wantRefusal)
			}
			continue
		}
		if err != nil {
			t.Errorf("CheckURL(%s, %t, %s) error = %v, want nil", tt.policy, tt.allowHTTP, tt.url, err)
			continue
		}
		if !slices.Equal(got.Marks, tt.wantMarks) || got.Plaintext != tt.wantPlain {
			t.Errorf("CheckURL(%s, %t, %s) = %+v, want {Marks:%q Plaintext:%t}",
				tt.policy, tt.allowHTTP, tt.url, got, tt.wantMarks, tt.wantPlain)
		}
	}
}

// TestCheckURLHidesSecrets makes sure a refusal never echoes the user info,
// path or query, which may hold tokens.
func TestCheckURLHidesSecrets(t *testing.T) {
	for _, raw := range []string{
		"https://tok3n:s3cret@api.example.com/hook?key=s3cret",
		"http://api.example.com/s3cret?key=s3cret",
		"ftp://api.example.com/s3cret",
	} {
		u, _ := url.Parse(raw)
		_, err := CheckURL(Production, false, u)
		if err == nil || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "tok3n") {
			t.Errorf("CheckURL(%s) error = %v, want a refusal without the secrets", raw, err)
		}
	}
}

func TestCheckURLUnknownPolicy(t *testing.T) {
	u, _ := url.Parse("https://api.example.com/")
	_, err := CheckURL("prod", false, u)
	var ref *Refusal
	if err == nil || errors.As(err, &ref) {
		t.Errorf("CheckURL with unknown policy error = %v, want a non-refusal error", err)
	}
}
