package audit

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/netpolicy"
	"github.com/actionbench/actionbench/engine/sign"
)

const (
	secret = "audit-test-secret"
	token  = "Audit-Test-Token"
)

// endpoint is a careful action endpoint, with knobs to make it careless
// in one way at a time.
type endpoint struct {
	crashOnOddSignature bool // 500 when the signature is not sha256= and 64 hex digits
	echoMarkup          bool // the payload's text goes into "message" as it is
	counter             atomic.Int64
	countReplies        bool          // each answer differs: "call N"
	hangOnBigBody       bool          // reads a large body, then never answers
	sleep               time.Duration // before each answer
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "JSON only", http.StatusUnsupportedMediaType)
		return
	}
	sig := r.Header.Get(sign.Header)
	if e.crashOnOddSignature && (len(sig) != sign.Len || !strings.HasPrefix(sig, "sha256=")) {
		http.Error(w, "Traceback: ValueError: not enough values to unpack", http.StatusInternalServerError)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	if e.hangOnBigBody && len(body) > engine.MaxBodyBytes {
		<-r.Context().Done()
		return
	}
	if len(body) > engine.MaxBodyBytes {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	if !sign.Verify(secret, body, sig) {
		http.Error(w, `{"error":"bad signature"}`, http.StatusUnauthorized)
		return
	}
	var req struct {
		Payload map[string]any `json:"payload"`
	}
	if json.Unmarshal(body, &req) != nil {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	time.Sleep(e.sleep)
	msg := "done"
	if e.echoMarkup {
		for _, v := range req.Payload {
			msg = fmt.Sprintf("You said %v", v)
		}
	}
	if e.countReplies {
		msg = fmt.Sprintf("call %d", e.counter.Add(1))
	}
	w.Header().Set("Content-Type", "application/json")
	b, _ := json.Marshal(map[string]string{"message": msg})
	w.Write(b)
}

// start serves h over TLS (cfg may set versions and a certificate) and
// returns an auditor that trusts it.
func start(t *testing.T, h http.Handler, cfg *tls.Config, timeout time.Duration, policy netpolicy.Policy) (*httptest.Server, *Auditor) {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	if cfg != nil {
		s.TLS = cfg
	}
	s.StartTLS()
	t.Cleanup(s.Close)
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	if cfg != nil && len(cfg.Certificates) > 0 {
		pool.AddCert(cfg.Certificates[0].Leaf)
	}
	d := engine.New(engine.Options{RootCAs: pool, Timeout: timeout, Policy: policy})
	t.Cleanup(d.Close)
	return s, &Auditor{Dispatcher: d, Chatbot: engine.Chatbot{ID: "7", Name: "Test"}, RunID: "t"}
}

func action(url string) engine.Action {
	return engine.Action{ID: "probe", URL: url + "/act", Secret: secret}
}

// runCheck runs one of the action checks by id.
func runCheck(t *testing.T, au *Auditor, url, id string) Result {
	t.Helper()
	r := &actionRun{au: au, act: action(url), conv: conversations{run: "t"}}
	for _, c := range actionChecks {
		if c.ID == id {
			res := Result{Check: c.Check}
			if c.run == nil {
				tlsCheck(context.Background(), au, url, &res)
			} else {
				c.run(context.Background(), r, &res)
			}
			return res
		}
	}
	t.Fatalf("no check %q", id)
	return Result{}
}

// Each check's verdict against a real local server that is careless in
// the way the check looks for (the mock covers the others).
func TestActionChecksAgainstCarelessServers(t *testing.T) {
	tests := []struct {
		name    string
		ep      *endpoint
		check   string
		verdict Verdict
		why     string
	}{
		{"careful endpoint refuses odd signatures", &endpoint{}, "malformed_signature", Pass, ""},
		{"a signature parse that raises", &endpoint{crashOnOddSignature: true}, "malformed_signature", Fail, "crashes"},
		{"markup echoed into message", &endpoint{echoMarkup: true}, "hostile_strings", Warn, `echoed <script> unescaped into "message"`},
		{"answers that differ on a repeat", &endpoint{countReplies: true}, "idempotency", Warn, "differ"},
		{"the same answer on a repeat", &endpoint{}, "idempotency", Pass, ""},
		{"a body over the limit refused", &endpoint{}, "oversize", Pass, ""},
		{"a body over the limit hangs", &endpoint{hangOnBigBody: true}, "oversize", Fail, "hangs"},
		{"p95 over 4 s", &endpoint{sleep: SlowP95 + 200*time.Millisecond}, "latency", Warn, "p95 over"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			timeout := time.Duration(0)
			if tt.ep.hangOnBigBody {
				timeout = 500 * time.Millisecond // the deadline's length is not what is tested
			}
			s, au := start(t, tt.ep, nil, timeout, "")
			au.LatencyCalls = 1
			res := runCheck(t, au, s.URL, tt.check)
			if res.Verdict != tt.verdict || !strings.Contains(res.Why, tt.why) {
				t.Errorf("%s: %s (%q; answer %s), want %s (%q)", tt.check, res.Verdict, res.Why, res.Answer, tt.verdict, tt.why)
			}
			if res.Verdict != Pass && res.Fix == "" {
				t.Errorf("a %s without a fix", res.Verdict)
			}
		})
	}
}

// certificate makes a self-signed certificate for 127.0.0.1 valid until notAfter.
func certificate(t *testing.T, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// The TLS check reads the certificate's expiry and offers TLS 1.0–1.1
// in a handshake of its own.
func TestTLSCheck(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name     string
		expires  time.Duration
		minTLS   uint16
		verdict  Verdict
		why, ans string
	}{
		{"a year left, TLS 1.2+", 365 * 24 * time.Hour, tls.VersionTLS12, Pass, "", "refuses TLS 1.0–1.1"},
		{"a week left", 7 * 24 * time.Hour, tls.VersionTLS12, Warn, "expires in under 14 days", "(6 days)"},
		{"TLS 1.0 accepted", 365 * 24 * time.Hour, tls.VersionTLS10, Warn, "TLS 1.1 is accepted", "accepts TLS 1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert := certificate(t, now.Add(tt.expires))
			s, au := start(t, &endpoint{}, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tt.minTLS}, 0, "")
			au.Now = func() time.Time { return now }
			res := runCheck(t, au, s.URL, "tls")
			if res.Verdict != tt.verdict || !strings.Contains(res.Why, tt.why) || !strings.Contains(res.Answer, tt.ans) {
				t.Errorf("%s (%q; %q), want %s (%q; %q)", res.Verdict, res.Why, res.Answer, tt.verdict, tt.why, tt.ans)
			}
		})
	}
}

// The audit sends nowhere the address policy forbids, its TLS handshakes
// included: under production a loopback endpoint gets nothing, the
// baseline fails and every other check is skipped.
func TestAuditKeepsToThePolicy(t *testing.T) {
	ep := &countingHandler{}
	s, au := start(t, ep, nil, 0, netpolicy.Production)
	rep := au.Action(context.Background(), action(s.URL), nil)
	for _, r := range rep.Results {
		want := Skip
		if r.ID == "baseline" {
			want = Fail
		}
		// The Standard Webhooks checks skip first: the action signs with X-DGbot-Signature.
		if r.Verdict != want || r.Verdict == Skip && (r.Fix != "" || !strings.Contains(r.Why+r.Answer, "polic") && !standardOnly[r.ID]) {
			t.Errorf("%s: %s (%s; %s), want %s", r.ID, r.Verdict, r.Why, r.Answer, want)
		}
	}
	if n := ep.n.Load(); n != 0 {
		t.Errorf("the endpoint got %d requests", n)
	}
}

// An action signed with X-DGbot-Signature skips the Standard Webhooks
// checks, and no request of its audit carries a webhook-id.
func TestStandardChecksSkipDGbotAction(t *testing.T) {
	var standard atomic.Int64
	ep := &endpoint{}
	s, au := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(sign.StandardID) != "" || r.Header.Get(sign.StandardTimestamp) != "" {
			standard.Add(1)
		}
		ep.ServeHTTP(w, r)
	}), nil, 0, "")
	rep := au.Action(context.Background(), action(s.URL), nil)
	n := 0
	for _, r := range rep.Results {
		if !standardOnly[r.ID] {
			continue
		}
		n++
		if r.Verdict != Skip || r.Answer != skipNotStandard || r.Fix != "" {
			t.Errorf("%s: %s (%s; %s), want skip", r.ID, r.Verdict, r.Why, r.Answer)
		}
	}
	if n != 2 {
		t.Errorf("%d Standard Webhooks checks in the report, want 2", n)
	}
	if c := standard.Load(); c != 0 {
		t.Errorf("%d requests carried Standard Webhooks headers", c)
	}
}

// countingHandler counts the requests that reach it.
type countingHandler struct{ n atomic.Int64 }

func (c *countingHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) { c.n.Add(1) }

// webhookEndpoint checks the token as configured.
type webhookEndpoint struct {
	forbid      bool // 403 instead of 401
	acceptBasic bool // takes the token under any scheme
}

func (e *webhookEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	_, tok, _ := strings.Cut(auth, " ")
	ok := auth == "Bearer "+token || e.acceptBasic && tok == token
	if !ok {
		status := http.StatusUnauthorized
		if e.forbid {
			status = http.StatusForbidden
		}
		http.Error(w, "no", status)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, engine.MaxBodyBytes))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	var p struct {
		EventType string `json:"event_type"`
	}
	if json.Unmarshal(body, &p) != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	w.Write([]byte(`{"status":"ok"}`))
}

func TestWebhookChecksAgainstRealServers(t *testing.T) {
	tests := []struct {
		name string
		ep   *webhookEndpoint
		want map[string]Verdict
	}{
		{"careful", &webhookEndpoint{}, map[string]Verdict{"no_authorization": Pass, "wrong_token": Pass, "basic_scheme": Pass, "token_case": Pass, "malformed_json": Pass, "unknown_event": Pass, "oversize": Pass}},
		{"403 for a wrong token", &webhookEndpoint{forbid: true}, map[string]Verdict{"no_authorization": Warn, "wrong_token": Warn, "basic_scheme": Warn, "token_case": Warn}},
		{"any scheme", &webhookEndpoint{acceptBasic: true}, map[string]Verdict{"basic_scheme": Fail, "wrong_token": Pass}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, au := start(t, tt.ep, nil, 0, "")
			rep := au.Webhook(context.Background(), engine.Webhook{URL: s.URL + "/hook", Token: token}, nil)
			for _, r := range rep.Results {
				if want, ok := tt.want[r.ID]; ok && r.Verdict != want {
					t.Errorf("%s: %s (%s; %s), want %s", r.ID, r.Verdict, r.Why, r.Answer, want)
				}
			}
			if rep.Results[0].ID != "baseline" || rep.Results[0].Verdict != Pass {
				t.Errorf("baseline: %+v", rep.Results[0])
			}
		})
	}
}
