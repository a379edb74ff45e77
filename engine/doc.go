// Package engine plays the platform's side of custom actions and event
// webhooks: it renders a dispatch's body, signs it, applies the
// per-conversation rate limit, sends it, and turns whatever comes back into
// exactly one outcome with a diagnosis for the endpoint's developer.
//
// # On the wire
//
// A Dispatcher sends with net/http: one configured http.Transport, as an
// ordinary HTTP/1.1 client. Every connection is dialled through the address
// policy's guard (netpolicy), which resolves the host once, checks every
// address and dials only a checked one; proxy settings in the environment
// are ignored. The TLS handshake asks for HTTP/1.1 alone (ALPN
// "http/1.1"), so an endpoint that speaks only HTTP/2 refuses it there and
// is diagnosed at once. TLS 1.2 is the minimum and certificates are always
// verified. Redirects are returned for classification, never followed; no
// cookies are kept. The engine asks for gzip and decodes it itself, so the
// 100 KiB limit applies to the decoded bytes, and never reads past it.
// Response headers are capped at 64 KiB. One deadline, 8 s from the start,
// covers the whole exchange: connect, TLS, write, status line, headers and
// body.
//
// # One attempt, even when net/http sends twice
//
// Connections are kept alive between dispatches. An endpoint may close a
// kept-alive connection at any moment (its keep-alive timeout, a restart),
// and a dispatch can pick that connection a moment before its close arrives.
// net/http then sends the same request — same bytes, same delivery id, same
// signature — once more on a fresh connection, and only when the reused
// connection ended before the endpoint had answered a single byte. In the
// design's terms that is no retry: the platform's HTTP client does the same,
// the dispatch is one attempt with one outcome, and it takes one call of
// its conversation's rate limit, which is reserved before sending. A fresh
// connection that fails is never sent again. Because an endpoint that read
// the request and then dropped a reused connection without a word cannot
// be told from one that never saw it, such an endpoint may see the delivery
// id twice — which is what the delivery id is for.
package engine
