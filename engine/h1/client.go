// Package h1 sends HTTP/1.1 requests over kept-alive connections, writing
// each request and reading its response on the caller's goroutine.
//
// The dispatcher sends one request at a time per connection and uses none
// of what net/http's Transport builds on HTTP/1.1: no HTTP/2, proxies,
// redirects, cookies, retries or transparent decompression. What the
// Transport would still cost is its two goroutines per connection, with a
// hand-off to each on every request; measured on loopback TLS, sending on
// the caller's goroutine makes an exchange 10–35 % faster. Responses are
// parsed by net/http's ReadResponse, so the framing (Content-Length,
// chunked, read-to-close, trailers) is the standard library's; only the
// plain case most endpoints send takes a faster path (readSimple), held by
// a differential fuzz test to what ReadResponse reads.
//
// A Client starts no goroutines. A request is bounded by its Deadline,
// which is set on the connection, and by its context's cancellation.
package h1

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Dialer dials a TCP connection to address ("host:port").
type Dialer func(ctx context.Context, network, address string) (net.Conn, error)

// Options configures a Client.
type Options struct {
	// Dial opens connections; nil means a plain net.Dialer.
	Dial Dialer
	// TLS makes the client speak HTTPS with this configuration (its
	// ServerName defaults to the URL's host); nil means plain HTTP.
	TLS *tls.Config
	// MaxIdlePerHost is how many idle connections are kept per host:port;
	// 0 means 64.
	MaxIdlePerHost int
	// IdleTimeout is how long an idle connection is kept; 0 means 90 s.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a response's status line and headers; 0 means 64 KiB.
	MaxHeaderBytes int
	// Now tells how long connections have been idle; nil means time.Now.
	// Deadlines are always on real time.
	Now func() time.Time
}

// Request is one request to send.
type Request struct {
	Method   string
	Endpoint *Endpoint
	// Header is written in sorted key order, keys spelled as given. Host,
	// Content-Length, Transfer-Encoding and Connection are the client's to
	// write and are skipped here.
	Header http.Header
	Body   []byte
	// Deadline bounds the whole exchange: connecting, the TLS handshake,
	// writing, and reading the response and its body. Zero means none.
	Deadline time.Time
}

// Client sends requests over kept-alive connections. It is safe for
// concurrent use; make one and reuse it.
type Client struct {
	dial        Dialer
	tls         *tls.Config
	maxIdle     int
	idleTimeout time.Duration
	maxHeader   int64
	now         func() time.Time

	mu     sync.Mutex
	idle   map[string][]*conn // by host:port, most recently used last
	closed bool
}

// New returns a Client.
func New(opts Options) *Client {
	c := &Client{
		dial:        opts.Dial,
		tls:         opts.TLS,
		maxIdle:     opts.MaxIdlePerHost,
		idleTimeout: opts.IdleTimeout,
		maxHeader:   int64(opts.MaxHeaderBytes),
		now:         opts.Now,
		idle:        make(map[string][]*conn),
	}
	if c.dial == nil {
		c.dial = (&net.Dialer{}).DialContext
	}
	if c.maxIdle <= 0 {
		c.maxIdle = 64
	}
	if c.idleTimeout <= 0 {
		c.idleTimeout = 90 * time.Second
	}
	if c.maxHeader <= 0 {
		c.maxHeader = 64 << 10
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// ErrHeadersTooLarge is returned when a response's status line and headers
// exceed MaxHeaderBytes.
var ErrHeadersTooLarge = errors.New("the response headers are too large")

// Do sends req and reads the response's status line and headers. remote is
// the address of the connection the request went out on, whenever one was
// obtained, errors included. The caller must close resp.Body; a body read
// to its end and then closed leaves the connection for the next request.
func (c *Client) Do(ctx context.Context, req *Request) (resp *http.Response, remote net.Addr, err error) {
	// The request is written out before dialling, so a request that cannot
	// be written never opens a connection.
	buf := getBuffer(len(req.Body))
	defer putBuffer(buf)
	*buf, err = appendRequest((*buf)[:0], req)
	if err != nil {
		return nil, nil, err
	}
	addr := req.Endpoint.addr
	cn, err := c.conn(ctx, addr, req.Deadline)
	if err != nil {
		return nil, nil, err
	}
	stop := cn.watch(ctx)
	// One write, so that headers and body go out in one TLS record.
	_, werr := cn.nc.Write(*buf)

	resp, err = cn.readResponse(c.maxHeader)
	if err != nil {
		stop()
		cn.close()
		if werr != nil {
			// The write failed before any answer: that is the cause.
			err = werr
		}
		return nil, cn.remote, err
	}
	// An answer that arrived although the request was not all written
	// (the endpoint replied early, then closed) is still its answer; the
	// connection is not reused.
	resp.Body = &body{src: resp.Body, cn: cn, c: c, addr: addr, stop: stop, keep: werr == nil && !resp.Close}
	return resp, cn.remote, nil
}

// CloseIdle closes the idle connections, and makes the client close every
// connection in use once its response is done.
func (c *Client) CloseIdle() {
	c.mu.Lock()
	idle := c.idle
	c.idle = make(map[string][]*conn)
	c.closed = true
	c.mu.Unlock()
	for _, list := range idle {
		for _, cn := range list {
			cn.close()
		}
	}
}

// checkAfter is how long a connection must have been idle before it is
// checked for having been closed by the endpoint. Endpoints close idle
// connections after seconds (Node's default is 5 s), or when they restart;
// a connection back from its last exchange a moment ago is in use, and
// checking it would cost a system call per request under load. (Apache
// HttpClient's validateAfterInactivity is the same idea, at 2 s.)
const checkAfter = 100 * time.Millisecond

// conn returns an idle connection to addr that is still open, or dials one.
// Its deadline is set to deadline either way.
func (c *Client) conn(ctx context.Context, addr string, deadline time.Time) (*conn, error) {
	now := c.now()
	for {
		c.mu.Lock()
		list := c.idle[addr]
		if len(list) == 0 {
			c.mu.Unlock()
			break
		}
		cn := list[len(list)-1]
		list[len(list)-1] = nil
		c.idle[addr] = list[:len(list)-1]
		c.mu.Unlock()
		// The deadline goes first: a connection past its old deadline
		// would fail the liveness check.
		idle := now.Sub(cn.idleSince)
		if idle < c.idleTimeout && cn.nc.SetDeadline(deadline) == nil && (idle < checkAfter || cn.alive()) {
			return cn, nil
		}
		cn.close()
	}
	return c.dialConn(ctx, addr, deadline)
}

func (c *Client) dialConn(ctx context.Context, addr string, deadline time.Time) (*conn, error) {
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	raw, err := c.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	cn := &conn{raw: raw, nc: raw, remote: raw.RemoteAddr()}
	if err := raw.SetDeadline(deadline); err != nil {
		raw.Close()
		return nil, err
	}
	if c.tls != nil {
		cfg := c.tls
		if cfg.ServerName == "" {
			cfg = cfg.Clone()
			cfg.ServerName, _, _ = net.SplitHostPort(addr)
		}
		tc := tls.Client(raw, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, err
		}
		cn.nc = tc
	}
	cn.in = meter{r: cn.nc, left: math.MaxInt64}
	cn.br = bufio.NewReaderSize(&cn.in, 4<<10)
	return cn, nil
}

// put keeps cn for the next request to addr, or closes it.
func (c *Client) put(addr string, cn *conn) {
	cn.idleSince = c.now()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		cn.close()
		return
	}
	list := c.idle[addr]
	// The oldest are first: drop those idle too long, and any over the cap.
	drop := 0
	for drop < len(list) && (len(list)-drop >= c.maxIdle || cn.idleSince.Sub(list[drop].idleSince) >= c.idleTimeout) {
		drop++
	}
	stale := append([]*conn(nil), list[:drop]...)
	list = append(list[:copy(list, list[drop:])], cn)
	c.idle[addr] = list
	c.mu.Unlock()
	for _, s := range stale {
		s.close()
	}
}

// conn is one connection and its buffered reader.
type conn struct {
	raw       net.Conn // the TCP connection, for the liveness check
	nc        net.Conn // raw, or the TLS connection over it
	remote    net.Addr
	in        meter
	br        *bufio.Reader
	idleSince time.Time
}

func (cn *conn) close() { cn.nc.Close() }

// watch ends the exchange on cn when ctx is cancelled, by moving the
// connection's deadline into the past. The returned func stops watching.
func (cn *conn) watch(ctx context.Context) (stop func() bool) {
	if ctx.Done() == nil {
		return neverStarted
	}
	return context.AfterFunc(ctx, func() { cn.nc.SetDeadline(time.Unix(1, 0)) })
}

func neverStarted() bool { return true }

// readResponse reads a final response's status line and headers, skipping
// informational (1xx) responses as net/http does. While it reads, at most
// maxHeader bytes come off the connection per response.
func (cn *conn) readResponse(maxHeader int64) (*http.Response, error) {
	defer func() { cn.in.left = math.MaxInt64 }() // the body is not limited here
	cn.in.left = maxHeader
	if resp, ok := readSimple(cn.br); ok {
		return resp, nil
	}
	for interim := 0; ; interim++ {
		resp, err := http.ReadResponse(cn.br, postRequest)
		if err != nil {
			// The limit may cut a header line short, which then reads as
			// malformed: the exhausted allowance is the cause.
			if cn.in.left <= 0 {
				return nil, fmt.Errorf("%w (over %d bytes)", ErrHeadersTooLarge, maxHeader)
			}
			return nil, err
		}
		if resp.StatusCode < 100 || resp.StatusCode > 199 || resp.StatusCode == http.StatusSwitchingProtocols {
			return resp, nil
		}
		if interim == 4 {
			return nil, errors.New("too many 1xx informational responses")
		}
		cn.in.left = maxHeader
	}
}

// postRequest is what ReadResponse is told the response answers: it reads
// only the method, to know whether a body follows.
var postRequest = &http.Request{Method: http.MethodPost}

// body is a response body that returns its connection to the client when
// it has been read to its end and closed, and closes it otherwise.
type body struct {
	src    io.ReadCloser
	cn     *conn
	c      *Client
	addr   string
	stop   func() bool
	keep   bool // the response allows the connection to be reused
	sawEOF bool
	failed bool
	done   bool
}

func (b *body) Read(p []byte) (int, error) {
	if b.done {
		return 0, errors.New("h1: read on a closed body")
	}
	n, err := b.src.Read(p)
	switch {
	case err == io.EOF:
		b.sawEOF = true
	case err != nil:
		b.failed = true
	}
	return n, err
}

func (b *body) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	// stop reports false when the cancellation has already fired (or is
	// firing): the connection's deadline is then in the past.
	watched := b.stop()
	// Closing net/http's body before its end would read the rest of it, so
	// an unfinished body is left alone and its connection closed.
	if b.keep && b.sawEOF && !b.failed && watched && b.cn.br.Buffered() == 0 {
		b.src.Close()
		b.c.put(b.addr, b.cn)
		return nil
	}
	b.cn.close()
	return nil
}

// meter is the reader under a connection's bufio.Reader. While headers are
// read it lets through at most left bytes, so an endless header section
// ends in an error rather than in memory.
type meter struct {
	r    io.Reader
	left int64
}

var errMeterExhausted = errors.New("the read limit was reached")

func (m *meter) Read(p []byte) (int, error) {
	if m.left <= 0 {
		return 0, errMeterExhausted
	}
	if int64(len(p)) > m.left {
		p = p[:m.left]
	}
	n, err := m.r.Read(p)
	m.left -= int64(n)
	return n, err
}

// Endpoint is where requests go, worked out once from a URL: the address
// to dial, the Host header and the request target.
type Endpoint struct {
	addr, host, target string
}

// NewEndpoint returns u's endpoint. The port defaults to 443 for https and
// to 80 otherwise.
func NewEndpoint(u *url.URL) (*Endpoint, error) {
	if u == nil || u.Host == "" {
		return nil, errors.New("the URL has no host")
	}
	if !validHost(u.Host) {
		return nil, fmt.Errorf("the host %q is not ASCII: write an internationalised name in punycode (xn--…)", u.Host)
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return &Endpoint{
		addr:   net.JoinHostPort(u.Hostname(), port),
		host:   removeZone(u.Host),
		target: u.RequestURI(),
	}, nil
}

// removeZone drops an IPv6 zone ("%eth0") from a Host header: it names an
// interface of the sender, which means nothing to the server.
func removeZone(host string) string {
	if len(host) == 0 || host[0] != '[' {
		return host
	}
	for i := 1; i < len(host); i++ {
		switch host[i] {
		case ']':
			return host
		case '%':
			j := i
			for j < len(host) && host[j] != ']' {
				j++
			}
			return host[:i] + host[j:]
		}
	}
	return host
}

var buffers = sync.Pool{New: func() any { return new([]byte) }}

// getBuffer returns a buffer with room for a request with a body of n bytes.
func getBuffer(n int) *[]byte {
	b := buffers.Get().(*[]byte)
	if cap(*b) < n+1024 {
		*b = make([]byte, 0, n+1024)
	}
	return b
}

// putBuffer keeps b for another request unless it is large.
func putBuffer(b *[]byte) {
	if cap(*b) > 64<<10 {
		return
	}
	buffers.Put(b)
}
