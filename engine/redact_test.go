package engine

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestRedacted has an endpoint echo the secret everywhere it can; the
// redacted attempt must not carry it anywhere, and the original is untouched.
func TestRedacted(t *testing.T) {
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Debug-Key", testSecret)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		w.Write([]byte(`{"error":"bad key ` + testSecret + `"}`))
	})
	d := newTestDispatcher(t, e, Options{})
	call := testCall(t, e.URL+"?k="+testSecret)
	call.Vars["visitor.email"] = testSecret
	a := d.Fire(context.Background(), call)
	a.Request.Header["Authorization"] = []string{"Bearer tok_live_abcdef"}
	a.Warnings = append(a.Warnings, "echo "+testSecret)
	a.Override = "override " + testSecret

	r := a.Redacted(testSecret, "tok_live_abcdef", "ab")
	all, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{testSecret, "tok_live_abcdef"} {
		if strings.Contains(string(all), secret) {
			t.Errorf("redacted attempt still holds %q:\n%s", secret, all)
		}
	}
	if got := r.Request.Header["Authorization"][0]; got != "Bearer "+Redacted {
		t.Errorf("Authorization = %q, want the scheme kept and the token masked", got)
	}
	contains(t, "redacted bot reply", r.BotReply, "bad key "+Redacted)
	if !strings.Contains(string(a.Response.Body), testSecret) || !strings.Contains(a.Request.URL, testSecret) {
		t.Error("Redacted modified the original attempt")
	}
	if strings.Contains(string(all), Redacted+"c") || !strings.Contains(r.Request.URL, "127.0.0.1") {
		t.Errorf("a secret shorter than %d bytes must not be redacted: URL %q", minSecretLen, r.Request.URL)
	}
}
