package engine

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"time"

	"github.com/actionbench/actionbench/engine/netpolicy"
	"github.com/actionbench/actionbench/engine/ratelimit"
	"github.com/actionbench/actionbench/engine/sign"
)

// The platform's fixed limits (reference: "DGbot waits up to 8 seconds",
// "Request and response bodies are limited to 100 KB", "3 per 10 minutes per
// conversation").
const (
	Timeout      = 8 * time.Second
	MaxBodyBytes = 100 * 1024
	RateLimit    = 3
	RateWindow   = 10 * time.Minute
	// SlowAfter is the reference's advice: "respond within 5 seconds".
	SlowAfter = 5 * time.Second
)

// Options configures a Dispatcher. The zero value sends exactly as the
// platform does under the workbench policy.
type Options struct {
	Policy    netpolicy.Policy
	AllowHTTP bool // plain http:// to loopback, marked as production would reject
	// RootCAs are the trusted CAs; nil means the system pool. Certificates are
	// always verified.
	RootCAs *x509.CertPool
	// Resolver resolves endpoint host names; nil means the system resolver.
	Resolver netpolicy.Resolver
	// Clock is the virtual clock for timestamps and the rate limit; nil means
	// time.Now. Network timeouts always run on real time.
	Clock func() time.Time
	// Wall is the real clock, for what a receiver checks against its own
	// clock (a Standard Webhooks timestamp); nil means time.Now.
	Wall func() time.Time
	// NewID returns a fresh delivery id; nil means random ids.
	NewID func() string
	// Limiter enforces the per-conversation rate limit; nil means a new
	// in-memory limiter of RateLimit calls per RateWindow.
	Limiter *ratelimit.Limiter
	// Timeout overrides the 8 s budget; only tests of the engine itself
	// should set it.
	Timeout time.Duration
	// UserAgent is sent with every request.
	UserAgent string
	// MaxIdlePerHost is how many idle connections are kept per endpoint;
	// 0 means 64. A load generator sizes it to its calls in flight, or
	// every burst past it pays for new TLS handshakes.
	MaxIdlePerHost int
}

// Dispatcher sends custom actions (and event webhooks) as the platform does.
// Build one with New and reuse it: it keeps connections alive between calls.
// It is safe for concurrent use.
type Dispatcher struct {
	policy    netpolicy.Policy
	allowHTTP bool
	clock     func() time.Time
	wall      func() time.Time
	newID     func() string
	limiter   *ratelimit.Limiter
	timeout   time.Duration
	userAgent string
	// userAgentValue is the shared header value for userAgent.
	userAgentValue []string
	// actionHeader is the header of every action's request, to copy.
	actionHeader http.Header

	// The platform follows no redirects, keeps no cookies and speaks
	// HTTP/1.1: requests go straight to these transports (see
	// newTransport), with no http.Client around them, so a redirect is
	// the answer and nothing copies the request's headers for one.
	secure *http.Transport // https, dialled through the policy guard
	plain  *http.Transport // http to loopback only; nil unless AllowHTTP

	// The caches are shared by dispatchers made with WithClock.
	signers *cache[string, *sign.Signer]
	targets *cache[string, *target]
	reasons *cache[netip.Addr, string] // production's verdict per remote address
}

// New builds a Dispatcher.
func New(opts Options) *Dispatcher {
	d := &Dispatcher{
		policy:    opts.Policy,
		allowHTTP: opts.AllowHTTP,
		clock:     opts.Clock,
		wall:      opts.Wall,
		newID:     opts.NewID,
		limiter:   opts.Limiter,
		timeout:   opts.Timeout,
		userAgent: opts.UserAgent,
		signers:   new(cache[string, *sign.Signer]),
		targets:   new(cache[string, *target]),
		reasons:   new(cache[netip.Addr, string]),
	}
	if d.policy == "" {
		d.policy = netpolicy.Workbench
	}
	if d.clock == nil {
		d.clock = time.Now
	}
	if d.wall == nil {
		d.wall = time.Now
	}
	if d.newID == nil {
		d.newID = randomDeliveryID
	}
	if d.limiter == nil {
		d.limiter = ratelimit.New(RateLimit, RateWindow)
	}
	if d.timeout == 0 {
		d.timeout = Timeout
	}
	if d.userAgent == "" {
		d.userAgent = "actionbench"
	}
	d.userAgentValue = []string{d.userAgent}
	d.actionHeader = actionHeader(d.userAgentValue)
	tlsConfig := &tls.Config{
		MinVersion: tls.VersionTLS12,
		RootCAs:    opts.RootCAs,
		// The platform is an HTTP/1.1 client and says so in the handshake,
		// so a server that speaks only HTTP/2 refuses it there, at once.
		NextProtos: []string{"http/1.1"},
	}
	idle := opts.MaxIdlePerHost
	if idle <= 0 {
		idle = maxIdlePerHost
	}
	d.secure = newTransport(&netpolicy.Guard{Policy: d.policy, Resolver: opts.Resolver}, tlsConfig, idle)
	if d.allowHTTP && d.policy == netpolicy.Workbench {
		d.plain = newTransport(&netpolicy.Guard{Policy: d.policy, LoopbackOnly: true, Resolver: opts.Resolver}, nil, idle)
	}
	return d
}

// maxIdlePerHost is how many idle connections are kept per endpoint unless
// Options say otherwise: as
// many as the concurrency the engine is driven at (the workbench's many
// simulated conversations, load runs at c=32), or connections churn.
const maxIdlePerHost = 64

// newTransport makes a transport whose every connection is dialled
// through guard (the policy's check at dial time: resolve once, dial the
// checked address), keeping up to maxIdle idle connections per endpoint.
// It reads no proxy settings from the environment (the platform calls
// endpoints directly), speaks HTTP/1.1 only, and leaves compression to the
// engine, so the body limit applies to the decoded bytes. A transport
// follows no redirects and keeps no cookies: those are http.Client's,
// which the engine does not use. Timeouts come from each request's
// context: one deadline for the whole exchange.
func newTransport(guard *netpolicy.Guard, tlsConfig *tls.Config, maxIdle int) *http.Transport {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	return &http.Transport{
		Proxy:           nil,
		DialContext:     guard.DialContext,
		TLSClientConfig: tlsConfig,
		// HTTP/1.1 only, however the Transport's defaults change.
		Protocols:              protocols,
		ForceAttemptHTTP2:      false,
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
		MaxIdleConns:           4 * maxIdle,
		MaxIdleConnsPerHost:    maxIdle,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
		DisableCompression:     true,
	}
}

// maxHeaderBytes bounds a response's status line and headers.
const maxHeaderBytes = 64 << 10

// WithClock returns a dispatcher that shares d's connections and caches
// but runs on its own clock with its own rate limiter: one per simulated
// conversation, so that one conversation's virtual "wait 10m" moves no
// other conversation's time. Close only d.
func (d *Dispatcher) WithClock(clock func() time.Time) *Dispatcher {
	c := *d
	c.clock = clock
	c.limiter = ratelimit.New(RateLimit, RateWindow)
	return &c
}

// Close releases idle connections.
func (d *Dispatcher) Close() {
	d.secure.CloseIdleConnections()
	if d.plain != nil {
		d.plain.CloseIdleConnections()
	}
}

// Limiter returns the rate limiter, so callers can show a conversation's budget.
func (d *Dispatcher) Limiter() *ratelimit.Limiter { return d.limiter }

// Now returns the dispatcher's virtual time.
func (d *Dispatcher) Now() time.Time { return d.clock() }

// transport returns the transport for a target's scheme.
func (d *Dispatcher) transport(k clientKind) *http.Transport {
	if k == plainClient {
		return d.plain
	}
	return d.secure
}

func (d *Dispatcher) signer(secret string) *sign.Signer {
	return d.signers.get(secret, sign.NewSigner)
}

// randomDeliveryID returns "dlv_" and 96 random bits in hex. The bits come
// from math/rand/v2's runtime generator (ChaCha8, seeded by the OS): a
// delivery id must be unique, not secret, and this costs a tenth of
// crypto/rand on every dispatch.
func randomDeliveryID() string {
	b := make([]byte, 0, 4+24)
	b = append(b, "dlv_"...)
	b = hex.AppendEncode(b, binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, rand.Uint64()), rand.Uint32()))
	return string(b)
}
