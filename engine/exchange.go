package engine

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/actionbench/actionbench/engine/netpolicy"
)

// exchange sends a.Request to t and reads the answer within the timeout.
// It reports true when a complete response within the body limit arrived,
// for the caller to classify; otherwise a's outcome is filled in.
func (d *Dispatcher) exchange(ctx context.Context, a *Attempt, t *target) bool {
	a.Started = time.Now()
	// One deadline for the whole exchange: connect, TLS, write, status line,
	// headers and body. A caller's earlier deadline holds.
	ctx, cancel := context.WithDeadline(ctx, a.Started.Add(d.timeout))
	defer cancel()

	st := &exchangeState{}
	st.trace.GotConn = func(info httptrace.GotConnInfo) { st.remote = info.Conn.RemoteAddr() }
	st.trace.TLSHandshakeDone = func(cs tls.ConnectionState, err error) {
		st.handshake = err == nil
		st.alpn = cs.NegotiatedProtocol
	}
	body := a.Request.Body
	req := (&http.Request{
		Method: a.Request.Method,
		URL:    t.url, // shared with the cache: a RoundTripper does not modify it
		Host:   t.url.Host,
		Header: outgoingHeader(a.Request.Header),
		// A NopCloser over a *bytes.Reader is what net/http knows to be in
		// memory: it then writes the headers and the body together.
		Body: io.NopCloser(bytes.NewReader(body)),
		// GetBody lets net/http send the request again on a fresh
		// connection when a kept-alive one turns out to have been closed
		// by the endpoint (see outgoingHeader and the package doc).
		GetBody:       func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil },
		ContentLength: int64(len(body)),
	}).WithContext(httptrace.WithClientTrace(ctx, &st.trace))

	resp, err := d.transport(t.client).RoundTrip(req)
	d.noteRemote(a, st.remote)
	if err != nil {
		a.Latency = time.Since(a.Started)
		// net/http refuses a method, header name or value that would not
		// survive the trip before it writes anything, by the rules
		// checkRequest applies; checking only then keeps that scan off
		// every dispatch, and checkRequest's diagnosis names the header.
		if cerr := checkRequest(a.Request.Method, a.Request.Header); cerr != nil && !a.Sent {
			a.Latency = 0
			err = cerr
		}
		d.transportFailure(ctx, a, err, nil)
		if a.Outcome == OutcomeTransportError && st.handshake && st.alpn == "" && closedUnanswered(err) {
			// A server that speaks only HTTP/2 but lets an HTTP/1.1 client
			// finish the handshake (Go's, for one) then hangs up at once.
			a.Diagnosis = "the endpoint closed the connection without sending a response, and its TLS handshake did not agree to HTTP/1.1: if it speaks only HTTP/2, enable HTTP/1.1 on the server (the platform calls over HTTP/1.1); otherwise check its logs for a crash"
		}
		return false
	}
	defer resp.Body.Close()
	if ctx.Err() != nil {
		// The deadline passed before net/http handed over the status line:
		// with both ready at once it may pick either. The platform has
		// given up by then, so this is no response, as it is when the
		// deadline wins.
		a.Latency = time.Since(a.Started)
		d.transportFailure(ctx, a, ctx.Err(), nil)
		return false
	}
	a.Response = &Response{Status: resp.StatusCode, Proto: resp.Proto, Header: resp.Header}

	respBody, problem, err := readBody(resp)
	a.Latency = time.Since(a.Started)
	a.Response.Body = respBody
	switch {
	case ctx.Err() != nil:
		// Past the deadline (or cancelled) while the body was read: what
		// arrived may be cut short, so none of it is trusted.
		d.transportFailure(ctx, a, ctx.Err(), respBody)
		return false
	case err != nil:
		d.transportFailure(ctx, a, err, respBody)
		return false
	case problem == errTooLarge:
		a.Response.Truncated = true
		a.fail(OutcomeTooLarge, tooLargeDiagnosis(resp))
		return false
	case problem != "":
		a.fail(OutcomeInvalidResponse, problem)
		return false
	}
	if a.Latency > SlowAfter {
		a.Warnings = append(a.Warnings, fmt.Sprintf("took %s: the platform gives up at %s; respond within %s", seconds(a.Latency), seconds(d.timeout), seconds(SlowAfter)))
	}
	return true
}

// exchangeState is the trace that sees an exchange's connection, and what
// it saw, in one allocation.
type exchangeState struct {
	trace     httptrace.ClientTrace
	remote    net.Addr // the connection the request (last) went out on
	handshake bool     // a TLS handshake completed during this exchange
	alpn      string   // the protocol it agreed on, if any
}

// replayable is the header key that makes net/http treat a POST as safe to
// send again; with no value it is not written on the wire.
const replayable = "X-Idempotency-Key"

// outgoingHeader is h, as written on the wire, plus an empty
// X-Idempotency-Key, which net/http reads as "this request may be sent
// again" and does not send. net/http sends a request again only on a
// kept-alive connection that was reused, and only when that connection
// ended before the endpoint had written a single byte of an answer: either
// nothing of the request had been written yet, or it was written into a
// connection the endpoint had already closed (its keep-alive timeout
// racing our request). The second case needs the request to be replayable
// (transport.go, shouldRetryRequest and isReplayable): with GetBody alone,
// an endpoint that closes idle connections promptly would see every few
// calls fail in 0 ms. A fresh connection that fails is never sent again.
// The copy keeps the key out of the attempt's recorded headers.
func outgoingHeader(h http.Header) http.Header {
	// maps.Clone copies the map's memory as it is, without hashing each
	// key again as a copy loop does.
	out := maps.Clone(h)
	if out == nil {
		out = make(http.Header, 1)
	}
	if _, ok := out[replayable]; !ok {
		out[replayable] = nil
	}
	return out
}

// noteRemote records the connection the request went out on, and what
// production would make of its address (on reused keep-alive connections
// too, which are never dialled again).
func (d *Dispatcher) noteRemote(a *Attempt, remote net.Addr) {
	tcp, ok := remote.(*net.TCPAddr)
	if !ok {
		return
	}
	a.Sent = true
	a.RemoteAddr = tcp.AddrPort()
	if d.policy == netpolicy.Production {
		return
	}
	reason := d.productionReason(a.RemoteAddr.Addr().Unmap())
	if reason == "" || slices.Contains(a.ProductionWouldReject, reason) {
		return
	}
	a.ProductionWouldReject = append(a.ProductionWouldReject, reason)
}

const errTooLarge = "too large"

// readBody reads the decoded body, never past MaxBodyBytes+1 bytes. It
// returns errTooLarge as the problem when the body is over the limit, or a
// diagnosis when the encoding is unusable; err is a network failure.
func readBody(resp *http.Response) (body []byte, problem string, err error) {
	if resp.ContentLength > MaxBodyBytes {
		return nil, errTooLarge, nil
	}
	// The wire is capped too, so a compressed body cannot make us read an
	// unbounded stream either.
	wire := &wireReader{r: resp.Body, left: MaxBodyBytes + 1}
	var r io.Reader = wire
	size := 512
	switch enc := strings.ToLower(resp.Header.Get("Content-Encoding")); enc {
	case "", "identity":
		if resp.ContentLength >= 0 {
			size = int(resp.ContentLength) + 1
		}
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(wire)
		if err != nil {
			if wire.err != nil {
				return nil, "", wire.err
			}
			return nil, fmt.Sprintf("Content-Encoding is gzip but the body is not gzip data (%v): compress it correctly or send it uncompressed", err), nil
		}
		r = zr
	default:
		return nil, fmt.Sprintf("Content-Encoding %s is not supported: the platform asks for gzip or no encoding", enc), nil
	}
	body, err = readAtMost(r, MaxBodyBytes+1, size)
	switch {
	case len(body) > MaxBodyBytes:
		return body[:MaxBodyBytes], errTooLarge, nil
	case wire.err != nil:
		return body, "", wire.err
	case err != nil:
		return body, fmt.Sprintf("Content-Encoding is gzip but the body is not valid gzip data (%v): compress it correctly or send it uncompressed", err), nil
	}
	return body, "", nil
}

// wireReader reads at most left bytes off the connection and remembers the
// network error behind a read, so a failure of the connection can be told
// from a failure to decode what it carried.
type wireReader struct {
	r    io.Reader
	left int64
	err  error
}

func (w *wireReader) Read(p []byte) (int, error) {
	if w.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > w.left {
		p = p[:w.left]
	}
	n, err := w.r.Read(p)
	w.left -= int64(n)
	if err != nil && err != io.EOF {
		w.err = err
	}
	return n, err
}

// readAtMost reads until EOF or until limit bytes, starting with room for size.
func readAtMost(r io.Reader, limit, size int) ([]byte, error) {
	buf := make([]byte, 0, min(max(size, 64), limit))
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), limit-len(buf)))
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), limit)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func tooLargeDiagnosis(resp *http.Response) string {
	if resp.ContentLength > MaxBodyBytes {
		return fmt.Sprintf("response Content-Length is %s bytes, over the %s-byte limit: return a smaller body", Commas(resp.ContentLength), commas(MaxBodyBytes))
	}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return fmt.Sprintf("response body decodes (%s) to more than %s bytes: the limit applies to the decoded body; return a smaller body", enc, commas(MaxBodyBytes))
	}
	return fmt.Sprintf("response body is more than %s bytes (reading stopped there): return a smaller body", commas(MaxBodyBytes))
}

// transportFailure classifies an error from sending or from reading the body.
func (d *Dispatcher) transportFailure(ctx context.Context, a *Attempt, err error, partial []byte) {
	var refusal *netpolicy.Refusal
	if errors.As(err, &refusal) {
		a.Sent = false
		a.fail(OutcomeRejected, refusalDiagnosis(refusal))
		return
	}
	// The caller's cancellation first: a cancelled exchange can fail with
	// any error of the connection torn down under it.
	if errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled) {
		a.fail(OutcomeTransportError, "cancelled before the endpoint answered")
		return
	}
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		if a.Response != nil {
			a.fail(OutcomeTimeout, fmt.Sprintf("the response body did not finish within %s (status %d, %s bytes received, took %s): respond within %s",
				seconds(d.timeout), a.Response.Status, commas(len(partial)), seconds(a.Latency), seconds(SlowAfter)))
		} else {
			a.fail(OutcomeTimeout, fmt.Sprintf("no response within %s (took %s): respond within %s", seconds(d.timeout), seconds(a.Latency), seconds(SlowAfter)))
		}
		return
	}
	a.fail(OutcomeTransportError, transportDiagnosis(a, err))
}

func transportDiagnosis(a *Attempt, err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	var (
		verify    *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
		alert     tls.AlertError
		dnsErr    *net.DNSError
	)
	switch {
	case errors.Is(err, errInvalidRequest):
		return fmt.Sprintf("%v; nothing was sent: fix the value where it comes from (the workspace's token or headers)", err)
	case onlyHTTP2(err):
		return "the endpoint speaks only HTTP/2, and the platform calls over HTTP/1.1: enable HTTP/1.1 on the server (or on the proxy in front of it), beside HTTP/2 if you like"
	case strings.Contains(err.Error(), "server response headers exceeded"):
		return fmt.Sprintf("the response's status line and headers are over %s bytes: send fewer or smaller headers", commas(maxHeaderBytes))
	case errors.As(err, &unknownCA):
		return "TLS: the endpoint's certificate is signed by an unknown authority (self-signed?): pass its CA with --ca-file (or ca_file in the workspace); the platform only trusts public CAs"
	case errors.As(err, &hostname):
		return fmt.Sprintf("TLS: the certificate is not valid for this host (%v): serve a certificate for the URL's host name", hostname)
	case errors.As(err, &invalid):
		return fmt.Sprintf("TLS: the certificate is not valid (%v): renew or replace it", invalid)
	case errors.As(err, &verify):
		return fmt.Sprintf("TLS: certificate verification failed (%v)", verify.Err)
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "TLS: the endpoint did not answer with TLS (plain HTTP on an HTTPS port?): serve HTTPS, or use an http:// URL with --allow-http for a loopback endpoint"
	case errors.As(err, &alert), strings.Contains(err.Error(), "remote error: tls:"):
		return fmt.Sprintf("TLS handshake failed (%v): the platform needs TLS 1.2 or later with a certificate it trusts", err)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("DNS lookup of %s failed (%s): check the endpoint's host name", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("connection refused by %s: is the endpoint running and listening on that port?", hostPort(a.Request.URL))
	case errors.Is(err, syscall.ECONNRESET):
		return "the endpoint reset the connection: check its logs for a crash"
	case closedUnanswered(err), errors.Is(err, io.ErrUnexpectedEOF):
		if a.Response != nil {
			return fmt.Sprintf("the connection closed before the body was complete (status %d): send the whole body it declared", a.Response.Status)
		}
		return "the endpoint closed the connection without sending a response: check its logs for a crash"
	}
	return fmt.Sprintf("connection failed: %v", err)
}

// closedUnanswered reports whether the endpoint closed the connection
// without a byte of an answer. net/http says so as io.EOF, or, when the
// close reached it before the request was handed to the connection's
// reader, as "server closed idle connection" (an unexported error); on a
// fresh connection both mean the same to the endpoint's developer.
func closedUnanswered(err error) bool {
	return errors.Is(err, io.EOF) || strings.Contains(err.Error(), "server closed idle connection")
}

// onlyHTTP2 reports whether err shows an endpoint that speaks only HTTP/2:
// it refused the handshake because it offers no protocol the platform
// asked for (ALPN "http/1.1"), chose HTTP/2 regardless, or, without ALPN,
// answered the HTTP/1.1 request with HTTP/2 frames (binary, led by the
// zero high bytes of a frame's length).
func onlyHTTP2(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "tls: no application protocol") ||
		strings.Contains(msg, "server selected unadvertised ALPN protocol") ||
		strings.Contains(msg, `malformed HTTP response "\x00\x00`)
}

func hostPort(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if u.Port() != "" {
		return u.Host
	}
	port := "443"
	if u.Scheme == "http" {
		port = "80"
	}
	return net.JoinHostPort(u.Hostname(), port)
}
