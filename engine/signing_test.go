package engine

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/sign"
)

const testStandardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// standardReceiver verifies Standard Webhooks headers as an endpoint built
// for the scheme does, against its own clock (wall), and answers 401 when
// they do not verify. It keeps the headers it saw.
type standardReceiver struct {
	*endpoint
	mu      sync.Mutex
	headers []http.Header
}

func newStandardReceiver(t *testing.T, wall time.Time) *standardReceiver {
	s := &standardReceiver{}
	s.endpoint = newServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.headers = append(s.headers, r.Header.Clone())
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if err := sign.VerifyStandard(testStandardSecret, body, r.Header, wall); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error": "`+err.Error()+`"}`)
			return
		}
		io.WriteString(w, `{"message": "verified", "action": "override_response", "response": "verified"}`)
	})
	return s
}

func (s *standardReceiver) last() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers[len(s.headers)-1]
}

// TestStandardWebhooksAction: an action set to standard-webhooks carries
// the three headers, signed over the exact body with the delivery id and
// the wall clock — a conversation whose virtual clock has run an hour
// ahead still verifies — and no X-DGbot-Signature.
func TestStandardWebhooksAction(t *testing.T) {
	wall := time.Unix(1764806400, 0)
	rcv := newStandardReceiver(t, wall.Add(3*time.Second))
	d := newTestDispatcher(t, rcv.endpoint, Options{
		Clock: func() time.Time { return wall.Add(time.Hour) },
		Wall:  func() time.Time { return wall },
	})
	for _, c := range []struct {
		name    string
		signing Signing
		secret  string
		want    Outcome
		status  int
	}{
		{"standard-webhooks", SigningStandardWebhooks, testStandardSecret, OutcomeMessage, 200},
		{"another whsec secret", SigningStandardWebhooks, "whsec_c2VjcmV0", OutcomeError, 401},
		{"dgbot to a Standard Webhooks endpoint", SigningDefault, testStandardSecret, OutcomeError, 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			call := testCall(t, rcv.URL+"/hook")
			call.Action.Signing, call.Action.Secret = c.signing, c.secret
			a := d.Fire(context.Background(), call)
			if a.Outcome != c.want || a.Response.Status != c.status {
				t.Fatalf("outcome %s status %d (%s); want %s %d", a.Outcome, a.Response.Status, a.Diagnosis, c.want, c.status)
			}
			h := rcv.last()
			if c.signing == SigningDefault {
				if h.Get(sign.Header) == "" || h.Get(sign.StandardSignature) != "" {
					t.Errorf("dgbot signing sent %v", h)
				}
				return
			}
			if h.Get(sign.Header) != "" {
				t.Errorf("X-DGbot-Signature sent alongside Standard Webhooks: %q", h.Get(sign.Header))
			}
			if h.Get(sign.StandardID) != a.DeliveryID || h.Get(sign.StandardTimestamp) != strconv.FormatInt(wall.Unix(), 10) {
				t.Errorf("webhook-id %q (delivery %s), webhook-timestamp %q (wall %d)", h.Get(sign.StandardID), a.DeliveryID, h.Get(sign.StandardTimestamp), wall.Unix())
			}
			if a.Request.Header[sign.StandardSignature] == nil {
				t.Errorf("the attempt's recorded request lacks webhook-signature: %v", a.Request.Header)
			}
		})
	}
}

// TestStandardWebhooksStale: a receiver whose clock is more than five
// minutes past the signature refuses it; the engine reports the 401.
func TestStandardWebhooksStale(t *testing.T) {
	wall := time.Unix(1764806400, 0)
	rcv := newStandardReceiver(t, wall.Add(6*time.Minute))
	d := newTestDispatcher(t, rcv.endpoint, Options{Wall: func() time.Time { return wall }})
	call := testCall(t, rcv.URL+"/hook")
	call.Action.Signing, call.Action.Secret = SigningStandardWebhooks, testStandardSecret
	if a := d.Fire(context.Background(), call); a.Response.Status != 401 {
		t.Errorf("status %d, want 401 from a receiver 6 minutes ahead", a.Response.Status)
	}
}

// TestStandardWebhooksEvent: the webhook signed with Standard Webhooks
// keeps its Bearer token when it has one and sends none when it has not.
func TestStandardWebhooksEvent(t *testing.T) {
	wall := time.Unix(1764806400, 0)
	rcv := newStandardReceiver(t, wall)
	d := newTestDispatcher(t, rcv.endpoint, Options{Wall: func() time.Time { return wall }})
	for _, token := range []string{testToken, ""} {
		call := testEvent(rcv.URL+"/webhook", EventMessageReceived)
		call.Webhook.Token, call.Webhook.Signing, call.Webhook.Secret = token, SigningStandardWebhooks, testStandardSecret
		a := d.Emit(context.Background(), call)
		if a.Response.Status != 200 || a.BotReply != "verified" {
			t.Errorf("token %q: status %d, reply %q (%s)", token, a.Response.Status, a.BotReply, a.Diagnosis)
		}
		auth, has := rcv.last()["Authorization"]
		if token != "" && (len(auth) != 1 || auth[0] != "Bearer "+token) || token == "" && has {
			t.Errorf("token %q: Authorization %q", token, auth)
		}
	}
}

// TestStandardWebhooksBadSecret: a secret that is not whsec_ is refused
// before sending, with a diagnosis that says what to write and does not
// quote the secret.
func TestStandardWebhooksBadSecret(t *testing.T) {
	rcv := newStandardReceiver(t, time.Now())
	d := newTestDispatcher(t, rcv.endpoint, Options{})
	call := testCall(t, rcv.URL+"/hook")
	call.Action.Signing = SigningStandardWebhooks // with testSecret, not whsec_ base64
	a := d.Fire(context.Background(), call)
	if a.Outcome != OutcomeRejected || a.Sent || rcv.hits.Load() != 0 {
		t.Fatalf("outcome %s, sent %v, hits %d", a.Outcome, a.Sent, rcv.hits.Load())
	}
	contains(t, "diagnosis", a.Diagnosis, "whsec_ followed by")
	ev := testEvent(rcv.URL+"/webhook", EventMessageReceived)
	ev.Webhook.Signing, ev.Webhook.Secret = SigningStandardWebhooks, "whsec_!!"
	if a := d.Emit(context.Background(), ev); a.Outcome != OutcomeRejected || a.BotReply != "" {
		t.Errorf("event: outcome %s, reply %q", a.Outcome, a.BotReply)
	}
}

func TestParseSigning(t *testing.T) {
	for in, want := range map[string]Signing{"": SigningDefault, "dgbot": SigningDefault, "standard-webhooks": SigningStandardWebhooks} {
		if got, err := ParseSigning(in); err != nil || got != want {
			t.Errorf("ParseSigning(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseSigning("svix"); err == nil {
		t.Error("ParseSigning accepted svix")
	}
}

// TestStandardWebhooksRedeliver: a resend signs again with the scheme the
// workspace has now, a new id and the wall clock of now.
func TestStandardWebhooksRedeliver(t *testing.T) {
	wall := time.Unix(1764806400, 0)
	rcv := newStandardReceiver(t, wall)
	d := newTestDispatcher(t, rcv.endpoint, Options{Wall: func() time.Time { return wall }})
	first := d.Fire(context.Background(), testCall(t, rcv.URL+"/hook")) // dgbot: the receiver refuses
	if first.Response.Status != 401 {
		t.Fatalf("dgbot-signed call: status %d", first.Response.Status)
	}
	a := d.Redeliver(context.Background(), Redelivery{Previous: first, URL: rcv.URL + "/hook", Secret: testStandardSecret, Signing: SigningStandardWebhooks})
	if a.Response.Status != 200 || rcv.last().Get(sign.StandardID) != a.DeliveryID || a.DeliveryID == first.DeliveryID {
		t.Errorf("redelivery: status %d, webhook-id %q, delivery %s (first %s)", a.Response.Status, rcv.last().Get(sign.StandardID), a.DeliveryID, first.DeliveryID)
	}
}
