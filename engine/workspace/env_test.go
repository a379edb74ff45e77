package workspace

import (
	"strings"
	"testing"
)

// secretWorkspace is a workspace whose one action has the given url and
// secret values, written as YAML double-quoted strings.
func secretWorkspace(url, secret string) string {
	return head + "actions:\n  - id: a1\n    url: \"" + url + "\"\n    secret: \"" + secret + "\"\n"
}

func TestEnvExpansion(t *testing.T) {
	env := fakeEnv(map[string]string{
		"S":     "s3cret",
		"HOST":  "api.example.com",
		"PORT":  "8443",
		"EMPTY": "",
	})
	tests := []struct {
		name, url, secret string
		wantURL, wantSec  string
	}{
		{"whole value", "https://h/", "${S}", "https://h/", "s3cret"},
		{"part of a value", "https://${HOST}:${PORT}/x", "pre-${S}-post", "https://api.example.com:8443/x", "pre-s3cret-post"},
		{"empty variable inside a longer value", "https://h${EMPTY}/", "x${EMPTY}", "https://h/", "x"},
		{"escaped reference", "https://h/$${S}", "$${S}", "https://h/${S}", "${S}"},
		{"escape next to a reference", "https://h/", "$${S}${S}", "https://h/", "${S}s3cret"},
		{"dollar signs without braces", "https://h/$x", "a$b$$c$", "https://h/$x", "a$b$$c$"},
		{"braces without a dollar", "https://h/", "{S}", "https://h/", "{S}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Parse("ws.yaml", []byte(secretWorkspace(tt.url, tt.secret)), env)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			a := w.Actions[0]
			if a.URL != tt.wantURL || a.Secret != tt.wantSec {
				t.Errorf("want url %q secret %q, got url %q secret %q", tt.wantURL, tt.wantSec, a.URL, a.Secret)
			}
		})
	}
}

func TestEnvExpansionErrors(t *testing.T) {
	env := fakeEnv(map[string]string{"EMPTY": ""})
	tests := []struct {
		name, url, secret, want string
	}{
		{"missing in secret", "https://h/", "${NOPE}", "ws.yaml:7:14: secret refers to ${NOPE}, which is not set: export NOPE or change the workspace"},
		{"missing in url", "https://${NOPE}/", "s", "ws.yaml:6:19: url refers to ${NOPE}, which is not set: export NOPE or change the workspace"},
		{"empty secret", "https://h/", "${EMPTY}", "ws.yaml:7:13: secret is empty: the environment variables it refers to are set to empty strings"},
		{"empty secret from two", "https://h/", "${EMPTY}${EMPTY}", "ws.yaml:7:13: secret is empty"},
		{"empty url", "${EMPTY}", "s", "ws.yaml:6:10: url is empty after expanding ${...}"},
		{"unclosed", "https://h/", "${S", `ws.yaml:7:14: secret has "${" without a closing "}"`},
		{"empty name", "https://h/", "${}", "ws.yaml:7:14: secret has a malformed ${...} reference"},
		{"name with a dash", "https://h/", "${A-B}", "ws.yaml:7:14: secret has a malformed ${...} reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("ws.yaml", []byte(secretWorkspace(tt.url, tt.secret)), env)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("want prefix %s\ngot         %v", tt.want, err)
			}
		})
	}
}

func TestNilEnvUsesProcessEnvironment(t *testing.T) {
	t.Setenv("ACTIONBENCH_TEST_SECRET", "from-the-process")
	w, err := Parse("ws.yaml", []byte(secretWorkspace("https://h/", "${ACTIONBENCH_TEST_SECRET}")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Actions[0].Secret; got != "from-the-process" {
		t.Errorf("secret: want the process environment's value, got %q", got)
	}
}

// TestSecretsNeverInErrors drives a secret value through every error path
// that could see it: expanded from the environment, written literally, or
// hidden in a URL. No message may contain it.
func TestSecretsNeverInErrors(t *testing.T) {
	s := "s3cret-" + distinctive
	env := secretEnv()
	workspaces := map[string]string{
		"secret type error":            head + "actions:\n  - id: a1\n    url: https://h/\n    secret: [" + s + "]\n",
		"secret malformed reference":   secretWorkspace("https://h/", s+"${"+distinctive+"}"),
		"secret unclosed reference":    secretWorkspace("https://h/", s+"${ORDER_LOOKUP_SECRET"),
		"secret then missing variable": secretWorkspace("https://h/", "${ORDER_LOOKUP_SECRET}${NOPE}"),
		"secret then later error":      head + "actions:\n  - id: a1\n    url: https://h/\n    secret: ${ORDER_LOOKUP_SECRET}\n    triggers: [nope]\n",
		"literal secret, duplicate id": secretWorkspace("https://h/", s) + "  - id: a1\n    url: https://h/\n    secret: " + s + "\n",
		"credentials in url":           secretWorkspace("https://user:"+s+"@h/", "x"),
		"credentials from env":         secretWorkspace("https://${BAD_HOST}/", "x"),
		"secret host from env":         secretWorkspace("https://${API_HOST}:bad/", "x"),
		"secret in unparsable url":     secretWorkspace("https://h:"+s+"/", "x"),
		"secret in url scheme":         secretWorkspace(distinctive+"://h/", "x"),
		"url env in a bad scheme":      secretWorkspace("${ORDER_LOOKUP_SECRET}://h/", "x"),
		"url is the secret":            secretWorkspace("${ORDER_LOOKUP_SECRET}", "x"),
		"url malformed reference":      secretWorkspace("https://h/${"+distinctive, "x"),
		"secret in a trigger list":     head + "actions:\n  - id: a1\n    url: https://h/\n    secret: ${ORDER_LOOKUP_SECRET}\n    triggers: [[" + s + "]]\n",
		"policy after secret":          secretWorkspace("https://h/", "${ORDER_LOOKUP_SECRET}") + "policy: {a: b}\n",
	}
	for name, src := range workspaces {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("ws.yaml", []byte(src), env)
			if err == nil {
				t.Fatalf("want an error for\n%s", src)
			}
			if strings.Contains(err.Error(), distinctive) {
				t.Errorf("error reveals a secret: %s", err)
			}
		})
	}
}
