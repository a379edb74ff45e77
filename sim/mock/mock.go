// Package mock is an HTTPS endpoint that answers custom actions and event
// webhooks the way a developer's backend would: the reference's order
// lookup, a data action, an error action, an echo, and a webhook receiver
// that behaves like the reference's PHP script. Every route can also be
// told to misbehave (slow, 5xx, oversized, not JSON, redirect, empty), so
// each outcome of the platform can be seen without writing an endpoint.
//
// The embedded demo workspace points at it, and `actionbench mock` serves
// it. Known orders: jane@example.com has order 1042 (shipped, UPS) and
// john@example.com has order 1043 (processing).
package mock

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/sign"
)

// The credentials of the demo workspace. They are public on purpose: the
// demo must work with no set-up, and nothing real is behind them.
const (
	DemoSecret = "demo-signing-secret"
	DemoToken  = "demo-webhook-token"
	// DemoStandardSecret verifies Standard Webhooks signatures, on every
	// route, when a request carries webhook-signature.
	DemoStandardSecret = "whsec_YWN0aW9uYmVuY2gtZGVtby1zdGFuZGFyZC13ZWJob29rcw=="
)

// Config configures the mock's handler.
type Config struct {
	// Secret verifies X-DGbot-Signature on the action routes; empty means
	// DemoSecret.
	Secret string
	// Token is the webhook's Bearer token; empty means DemoToken, so that a
	// zero Config never accepts "Authorization: Bearer " with nothing after it.
	Token string
	// StandardSecret verifies a request signed with Standard Webhooks
	// (one that carries webhook-signature), action or webhook; empty
	// means DemoStandardSecret.
	StandardSecret string
	// Log gets one line per request; nil means no log. Writes are
	// serialised, so a shared writer is safe.
	Log io.Writer
	// Now stamps log lines; nil means time.Now. Durations are always
	// measured on the real clock.
	Now func() time.Time
	// Lax makes the mock the endpoint the audit is meant to catch: it
	// accepts unsigned and forged requests and wrong tokens, answers 500 to
	// malformed JSON, reads bodies of any size and any Content-Type, and
	// accepts a replayed (stale) action request.
	Lax bool
}

// maxRequestBody is the platform's limit: the strict mock answers 413 to
// a body the platform would never send, as a careful endpoint does.
const maxRequestBody = engine.MaxBodyBytes

// laxBodyLimit only keeps the lax mock, which reads "unbounded" bodies,
// from being made to hold gigabytes.
const laxBodyLimit = 64 << 20

// handler routes requests and writes one log line for each.
type handler struct {
	secret, token  string
	standardSecret string
	lax            bool
	replays        replays
	newest         newest // per conversation, for the strict mock's replay check
	now            func() time.Time
	routes         map[string]route

	logMu sync.Mutex
	log   io.Writer
}

// route is one path the mock answers: an action (signed with the secret)
// or the webhook (Bearer token).
type route struct {
	webhook bool
	serve   func(w http.ResponseWriter, x *exchange)
}

// NewHandler returns the mock's routes (see Routes), each answering POST
// only, each able to misbehave on request (?fault= or X-Mock-Fault), and
// each logging one line per request to cfg.Log.
func NewHandler(cfg Config) http.Handler {
	return newHandler(cfg)
}

func newHandler(cfg Config) *handler {
	h := &handler{secret: cfg.Secret, token: cfg.Token, standardSecret: cfg.StandardSecret, lax: cfg.Lax, now: cfg.Now, log: cfg.Log}
	if h.standardSecret == "" {
		h.standardSecret = DemoStandardSecret
	}
	if h.secret == "" {
		h.secret = DemoSecret
	}
	if h.token == "" {
		h.token = DemoToken
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.routes = map[string]route{
		"/actions/order_lookup": {serve: orderLookup},
		"/actions/order_status": {serve: orderStatus},
		"/actions/refund":       {serve: refund},
		"/actions/echo":         {serve: echo},
		"/webhook":              {webhook: true, serve: receiveWebhook},
	}
	return h
}

// Routes lists the mock's paths in the order the command prints them.
func Routes() []string {
	return []string{"/actions/order_lookup", "/actions/order_status", "/actions/refund", "/actions/echo", "/webhook"}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	x := &exchange{r: r}
	h.serve(rec, x)
	h.logRequest(start, rec, x)
}

// serve runs the checks every route shares, then the fault (if any), then
// the route itself.
func (h *handler) serve(w http.ResponseWriter, x *exchange) {
	r := x.r
	rt, ok := h.routes[r.URL.Path]
	if !ok {
		writeError(w, http.StatusNotFound, "no route "+r.URL.Path+": the mock answers POST on "+strings.Join(Routes(), ", "))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: send a POST")
		return
	}
	limit := int64(maxRequestBody)
	if h.lax {
		limit = laxBodyLimit
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", limit))
		}
		return // otherwise the client went away mid-body: no one to answer
	}
	x.body, x.lax = body, h.lax
	// Credentials are checked before the fault so the log says whether they
	// were right, but enforced by the route after it: a fault shows what it
	// was asked to show whatever the signature.
	if rt.webhook {
		x.checkToken(h.token)
	} else {
		x.checkSignature(h.secret)
	}
	if x.r.Header.Get(sign.StandardSignature) != "" {
		x.checkStandard(h.standardSecret, h.now(), &h.replays)
	}
	if !rt.webhook && !h.lax {
		x.checkFresh(&h.newest, h.now())
	}
	f, err := requestFault(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	x.fault = f.spec
	if !f.apply(w, r) {
		return
	}
	rt.serve(w, x)
}

// recorder remembers the status a route wrote, for the log line.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// jsonContent reports whether a Content-Type is JSON.
func jsonContent(v string) bool {
	mt, _, err := mime.ParseMediaType(v)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
