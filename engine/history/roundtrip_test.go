package history

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"testing"

	"github.com/actionbench/actionbench/engine"
)

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: t0}
	s := openTest(t, testDB(t), Options{Now: clock.Now})

	noBodies := rateLimited()
	noBodies.Request.Body = nil // nil and empty bodies are told apart
	noBodies.Request.Header = nil
	cases := []struct {
		name string
		a    *engine.Attempt
	}{
		{"action", richAction()},
		{"override event", overrideEvent()},
		{"rate limited", rateLimited()},
		{"nil bodies and headers", noBodies},
		{"zero attempt", &engine.Attempt{}},
	}
	for _, c := range cases {
		id, err := s.Record(ctx, c.a)
		if err != nil {
			t.Fatalf("%s: Record: %v", c.name, err)
		}
		e, err := s.Get(ctx, id)
		if err != nil {
			t.Fatalf("%s: Get(%d): %v", c.name, id, err)
		}
		if e.ID != id {
			t.Errorf("%s: ID = %d, want %d", c.name, e.ID, id)
		}
		if e.RecordedAt.IsZero() || e.RecordedAt.After(clock.now) {
			t.Errorf("%s: RecordedAt = %v, want a time from the store's clock (now %v)", c.name, e.RecordedAt, clock.now)
		}
		diffAttempt(t, c.name, c.a, e.Attempt)
	}
}

func TestGetNotFound(t *testing.T) {
	path := testDB(t)
	s := openTest(t, path, Options{})
	_, err := s.Get(context.Background(), 12345)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
	checkOneLine(t, err, path)
}

// TestRedactionOnDisk looks for secrets in the raw bytes of every file
// SQLite writes, while the store is open (the rows may be only in the WAL)
// and after Close (checkpointed into the main file).
func TestRedactionOnDisk(t *testing.T) {
	const (
		secret = "whsec_7Qm2s9KfXvL3"       // the action's signing secret
		token  = "tok_b4d9e1f0a7c3e2d1f00d" // the webhook's bearer token, not in Secrets
		marker = "conv_redaction_marker"
	)
	ctx := context.Background()
	path := testDB(t)
	s := openTest(t, path, Options{Secrets: []string{secret, "abc"}})

	action := richAction()
	action.ConversationID = marker
	action.Request.URL = "https://example.com/hook?key=" + secret
	action.Request.Body = []byte(`{"secret":"` + secret + `"}`)
	action.Request.Header.Set("X-Echo", "sig "+secret)
	action.Response.Body = []byte(`{"message":"your key is ` + secret + `"}`)
	action.Response.Header.Set("X-Leak", secret)
	action.BotReply = "your key is " + secret
	action.Warnings = []string{"saw " + secret}

	event := overrideEvent()
	event.ConversationID = marker
	event.Request.Header.Set("Authorization", "Bearer "+token)
	event.Response.Body = []byte(`{"action":"override_response","response":"` + secret + `"}`)
	event.Override = "the secret is " + secret // engine's Redacted leaves Override alone
	event.BotReply = event.Override

	for _, a := range []*engine.Attempt{action, event} {
		id, err := s.Record(ctx, a)
		if err != nil {
			t.Fatalf("Record: %v", err)
		}
		if err := s.AddTurn(ctx, Turn{ConversationID: marker, At: a.At, Speaker: SpeakerBot, Text: a.BotReply, AttemptID: id}); err != nil {
			t.Fatalf("AddTurn: %v", err)
		}
		e, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Attempt.Request.Header.Get("Authorization"); got != "" && got != "Bearer "+engine.Redacted {
			t.Errorf("stored Authorization has %d bytes, want %q", len(got), "Bearer "+engine.Redacted)
		}
	}
	if a := action.Request.URL; !bytes.Contains([]byte(a), []byte(secret)) {
		t.Fatal("Record changed the caller's attempt")
	}

	assertClean := func(when string) {
		t.Helper()
		sawMarker := false
		for _, name := range []string{path, path + "-wal", path + "-shm"} {
			b, err := os.ReadFile(name)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			sawMarker = sawMarker || bytes.Contains(b, []byte(marker))
			for _, s := range []struct{ what, value string }{{"secret", secret}, {"token", token}} {
				if i := bytes.Index(b, []byte(s.value)); i >= 0 {
					t.Errorf("%s: %s holds the %s (%d bytes) at offset %d", when, name, s.what, len(s.value), i)
				}
			}
		}
		if !sawMarker {
			t.Errorf("%s: no file holds the attempts at all; the search proves nothing", when)
		}
	}
	assertClean("while open")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertClean("after Close")
}

// TestRedactionShortSecret checks the engine's rule is kept: a secret of
// under four bytes is not hunted for (it would mangle every text).
func TestRedactionShortSecret(t *testing.T) {
	s := openTest(t, testDB(t), Options{Secrets: []string{"ab"}})
	a := overrideEvent()
	a.Override = "about abacus"
	id, err := s.Record(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if e.Attempt.Override != a.Override {
		t.Errorf("Override = %q, want %q", e.Attempt.Override, a.Override)
	}
}

func TestHeadersKeepEmptyAndNil(t *testing.T) {
	s := openTest(t, testDB(t), Options{})
	a := rateLimited()
	a.Request.Header = http.Header{}
	id, err := s.Record(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if h := e.Attempt.Request.Header; h == nil || len(h) != 0 {
		t.Errorf("Request.Header = %#v, want an empty, non-nil header", h)
	}
}

// TestRedactionMatchesEngine holds the redaction done while encoding to
// engine's Attempt.Redacted (plus Override, which the store redacts too):
// secrets in every field, overlapping secrets, a secret in a header name,
// an Authorization header, and a secret too short to redact.
func TestRedactionMatchesEngine(t *testing.T) {
	secrets := []string{"s3cr3t-one", "one-two", "t-on", "ab"}
	s := openTest(t, testDB(t), Options{Secrets: secrets})
	a := richAction()
	a.Request.URL = "https://example.com/?k=s3cr3t-one&x=one-two"
	a.Request.Header.Set("X-s3cr3t-one", "v")
	a.Request.Header.Set("Authorization", "Bearer tok")
	a.Request.Header["X-Multi"] = []string{"s3cr3t-one-two", "", "ab"}
	a.Request.Body = []byte(`{"k":"s3cr3t-one-two","b":"\xff"}`)
	a.Response.Header.Set("X-Leak", "one-two")
	a.Response.Body = []byte("s3cr3t-ones3cr3t-one")
	a.BotReply = "your key s3cr3t-one"
	a.Diagnosis = "saw one-two"
	a.Override = "t-on and s3cr3t-one"
	a.Warnings = []string{"s3cr3t-one", "plain"}
	a.ProductionWouldReject = []string{"one-two"}

	id, err := s.Record(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	want := a.Redacted(secrets...)
	want.Override = engine.Redacted + " and " + engine.Redacted
	diffAttempt(t, "redacted", want, e.Attempt)
	if got := a.Request.Header.Get("Authorization"); got != "Bearer tok" {
		t.Errorf("Record changed the caller's Authorization header to %q", got)
	}
}
