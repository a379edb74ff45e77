package main

import (
	"strings"
	"testing"
)

// A refused call's diagnosis says what was refused and the platform's
// rule or the fix once, never the same sentence twice.
func TestRefusalDiagnosisText(t *testing.T) {
	dir := t.TempDir()
	ws := writeFileIn(t, dir, "ws.yaml", "chatbot: {id: a, name: b}\nactions:\n"+
		"  - {id: local, url: 'http://127.0.0.1:1/', secret: s}\n"+
		"  - {id: remote, url: 'http://example.com/', secret: s}\n"+
		"  - {id: loop, url: 'https://127.0.0.1:1/', secret: s}\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"local"}, "workbench policy refuses plaintext HTTP (http://127.0.0.1:1): the platform only calls HTTPS endpoints; use https, or --allow-http for a loopback endpoint under the workbench policy"},
		{[]string{"remote", "--allow-http"}, "workbench policy refuses plaintext HTTP to non-loopback host example.com (http://example.com): --allow-http covers only loopback endpoints (127.0.0.1, ::1, localhost); use https"},
		{[]string{"local", "--policy", "production"}, "production policy refuses plaintext HTTP (http://127.0.0.1:1): the platform only calls HTTPS endpoints; use https"},
		{[]string{"loop", "--policy", "production"}, "production policy refuses loopback address 127.0.0.1: the platform only calls HTTPS endpoints on public addresses"},
	} {
		args := append([]string{"fire", "--workspace", ws, "--db", dir + "/h.db"}, tc.args...)
		res := actionbench(t, runOptions{}, args...)
		var diagnosis string
		for _, line := range strings.Split(res.stdout, "\n") {
			if d, ok := strings.CutPrefix(line, "diagnosis: "); ok {
				diagnosis = d
			}
		}
		if res.code != exitFailed || diagnosis != tc.want {
			t.Errorf("fire %s: exit %d, diagnosis\n%q\nwant\n%q", strings.Join(tc.args, " "), res.code, diagnosis, tc.want)
		}
	}
}
