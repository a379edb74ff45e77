package history

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/actionbench/actionbench/engine"
)

// An attempt's columns that no query filters or sorts on travel in one
// BLOB, the detail column, in this package's own encoding rather than as a
// dozen columns with JSON in some: every bound value costs the writer a
// cgo call, and encoding/json cost the dispatching goroutine several
// microseconds per attempt. The encoding is a format byte, then these
// fields in this order:
//
//	started time, sent bool, limit remaining int, limit frees-at time,
//	remote address string, method string, URL string, response proto
//	string, response truncated bool, bot reply string, diagnosis string,
//	override string, warnings list, production-would-reject list,
//	request headers header, response headers header, request body bytes,
//	response body bytes
//
// where each kind is written as
//
//	time    0 for the zero time, else 1 and the unix nanoseconds as a varint
//	bool    one byte, 0 or 1
//	int     a varint
//	string  its length as a uvarint, then its bytes
//	bytes   0 for nil, else 1 + its length as a uvarint, then its bytes
//	list    0 for nil, else 1 + its length as a uvarint, then each string
//	header  0 for nil, else 1 + its number of keys as a uvarint, then each
//	        key as a string and its values as a list (never nil: an empty
//	        list stays an empty list)
//
// Nil and empty are told apart wherever the engine tells them apart.
// A change of fields is a new format byte, so that the rows written
// before it still decode.
const detailFormat = 1

// redactor replaces secrets while an attempt is encoded, so that Submit
// never copies an attempt to redact it: a field that holds no secret (most
// fields of most attempts) is appended as it is, and only one that does is
// rewritten. The result is byte for byte engine.Attempt.Redacted's, with
// Override redacted too.
type redactor struct {
	secrets [][]byte // those of at least minSecretLen bytes, in the caller's order
}

func newRedactor(secrets []string) redactor {
	var r redactor
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			r.secrets = append(r.secrets, []byte(s))
		}
	}
	return r
}

// str redacts s; it allocates only when s holds a secret.
func (r *redactor) str(s string) string {
	for i, secret := range r.secrets {
		if strings.Contains(s, string(secret)) {
			// Replace in the engine's order, from the first secret found
			// on: the ones before it are not in s, and a replacement
			// cannot create them, since it only writes engine.Redacted.
			for _, secret := range r.secrets[i:] {
				s = strings.ReplaceAll(s, string(secret), engine.Redacted)
			}
			return s
		}
	}
	return s
}

// appendStr appends s redacted, as a string field.
func (r *redactor) appendStr(b []byte, s string) []byte {
	return appendString(b, r.str(s))
}

// appendBytes appends v redacted, as a bytes field.
func (r *redactor) appendBytes(b, v []byte) []byte {
	if v == nil {
		return append(b, 0)
	}
	for i, secret := range r.secrets {
		if bytes.Contains(v, secret) {
			for _, secret := range r.secrets[i:] {
				v = bytes.ReplaceAll(v, secret, []byte(engine.Redacted))
			}
			break
		}
	}
	b = binary.AppendUvarint(b, uint64(len(v))+1)
	return append(b, v...)
}

// appendList appends l with every item redacted, as a list field.
func (r *redactor) appendList(b []byte, l []string) []byte {
	if l == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(l))+1)
	for _, s := range l {
		b = r.appendStr(b, s)
	}
	return b
}

// appendHeader appends h redacted, as a header field: keys and values are
// searched for secrets, and Authorization values keep only their scheme.
func (r *redactor) appendHeader(b []byte, h http.Header) []byte {
	if h == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(h))+1)
	for k, vs := range h {
		b = r.appendStr(b, k)
		auth := strings.EqualFold(k, "Authorization")
		b = binary.AppendUvarint(b, uint64(len(vs))+1)
		for _, v := range vs {
			if auth {
				v = maskAuthorization(v)
			}
			b = r.appendStr(b, v)
		}
	}
	return b
}

// maskAuthorization is engine's: it keeps the scheme ("Bearer") and hides
// the credentials.
func maskAuthorization(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok {
		return scheme + " " + engine.Redacted
	}
	return engine.Redacted
}

// encodeDetail appends a's detail column, redacted, to b.
func (r *redactor) encodeDetail(b []byte, a *engine.Attempt) []byte {
	var (
		proto       string
		truncated   bool
		respHeaders http.Header
		respBody    []byte
	)
	if resp := a.Response; resp != nil {
		proto, truncated, respHeaders, respBody = resp.Proto, resp.Truncated, resp.Header, resp.Body
	}
	b = append(b, detailFormat)
	b = appendTime(b, a.Started)
	b = appendBool(b, a.Sent)
	b = binary.AppendVarint(b, int64(a.Limit.Remaining))
	b = appendTime(b, a.Limit.FreesAt)
	var remote []byte
	if a.RemoteAddr.IsValid() {
		var buf [64]byte
		remote = a.RemoteAddr.AppendTo(buf[:0])
	}
	b = binary.AppendUvarint(b, uint64(len(remote)))
	b = append(b, remote...)
	b = appendString(b, a.Request.Method)
	b = r.appendStr(b, a.Request.URL)
	b = appendString(b, proto)
	b = appendBool(b, truncated)
	b = r.appendStr(b, a.BotReply)
	b = r.appendStr(b, a.Diagnosis)
	b = r.appendStr(b, a.Override)
	b = r.appendList(b, a.Warnings)
	b = r.appendList(b, a.ProductionWouldReject)
	b = r.appendHeader(b, a.Request.Header)
	b = r.appendHeader(b, respHeaders)
	b = r.appendBytes(b, a.Request.Body)
	b = r.appendBytes(b, respBody)
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	return binary.AppendVarint(append(b, 1), t.UnixNano())
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// errDetail is what a detail column this build cannot read comes back as.
var errDetail = errors.New("malformed detail column")

// detailReader decodes a detail column; the first malformed field sets err
// and every later read returns a zero value.
type detailReader struct {
	b   []byte
	err error
}

func (d *detailReader) fail() {
	if d.err == nil {
		d.err = errDetail
	}
	d.b = nil
}

func (d *detailReader) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *detailReader) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *detailReader) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *detailReader) bool() bool { return d.byte() == 1 }

func (d *detailReader) time() time.Time {
	if d.byte() == 0 {
		return time.Time{}
	}
	return time.Unix(0, d.varint()).UTC()
}

// raw returns the next n bytes, aliasing the column (which Scan copied
// out of SQLite, so it is the caller's to keep).
func (d *detailReader) raw(n uint64) []byte {
	if uint64(len(d.b)) < n {
		d.fail()
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *detailReader) string() string { return string(d.raw(d.uvarint())) }

func (d *detailReader) bytes() []byte {
	n := d.uvarint()
	if n == 0 {
		return nil
	}
	return d.raw(n - 1)
}

func (d *detailReader) list() []string {
	n := d.uvarint()
	if n == 0 {
		return nil
	}
	if n-1 > uint64(len(d.b)) { // every item takes a byte at least
		d.fail()
		return nil
	}
	l := make([]string, n-1)
	for i := range l {
		l[i] = d.string()
	}
	return l
}

func (d *detailReader) header() http.Header {
	n := d.uvarint()
	if n == 0 {
		return nil
	}
	if n-1 > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	h := make(http.Header, n-1)
	for range n - 1 {
		k := d.string()
		vs := d.list()
		if vs == nil {
			d.fail()
		}
		h[k] = vs
	}
	return h
}

// decodeDetail fills a's fields from its detail column. resp is the
// response the row's status says there was, or nil.
func decodeDetail(b []byte, a *engine.Attempt, resp *engine.Response) error {
	d := detailReader{b: b}
	if f := d.byte(); f != detailFormat && d.err == nil {
		return fmt.Errorf("detail column in format %d; this build reads format %d", f, detailFormat)
	}
	a.Started = d.time()
	a.Sent = d.bool()
	a.Limit.Remaining = int(d.varint())
	a.Limit.FreesAt = d.time()
	if remote := d.raw(d.uvarint()); len(remote) > 0 {
		addr, err := netip.ParseAddrPort(string(remote))
		if err != nil {
			return fmt.Errorf("decode remote address: %w", err)
		}
		a.RemoteAddr = addr
	}
	a.Request.Method = d.string()
	a.Request.URL = d.string()
	proto := d.string()
	truncated := d.bool()
	a.BotReply = d.string()
	a.Diagnosis = d.string()
	a.Override = d.string()
	a.Warnings = d.list()
	a.ProductionWouldReject = d.list()
	a.Request.Header = d.header()
	respHeaders := d.header()
	a.Request.Body = d.bytes()
	respBody := d.bytes()
	if d.err == nil && len(d.b) != 0 {
		d.fail()
	}
	if d.err != nil {
		return d.err
	}
	if resp != nil {
		resp.Proto, resp.Truncated, resp.Header, resp.Body = proto, truncated, respHeaders, respBody
		a.Response = resp
	}
	return nil
}

// nanos stores a time as unix nanoseconds; the zero time is NULL because
// its UnixNano is undefined, and NULL says "never" better than a number.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// fromNanos reads a time back in UTC, the zone the engine works in.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}
