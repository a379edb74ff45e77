package h1

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// ErrInvalidRequest wraps the errors of a request that cannot be written
// as given; nothing was sent.
var ErrInvalidRequest = errors.New("the request cannot be sent as written")

// skipped are the headers the client writes itself: the framing of the
// message and the connection are not the caller's to set.
func skipped(key string) bool {
	switch len(key) {
	case 4:
		return equalFold(key, "Host")
	case 10:
		return equalFold(key, "Connection")
	case 14:
		return equalFold(key, "Content-Length")
	case 17:
		return equalFold(key, "Transfer-Encoding")
	}
	return false
}

// appendRequest appends req's request line, headers and body to b. It refuses a method, header name or header value
// that would not survive the trip as written (a line break in a value would
// start a header of its own).
func appendRequest(b []byte, req *Request) ([]byte, error) {
	if !validToken(req.Method) {
		return b, fmt.Errorf("%w: invalid method %q", ErrInvalidRequest, req.Method)
	}
	b = append(b, req.Method...)
	b = append(b, ' ')
	b = append(b, req.Endpoint.target...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, req.Endpoint.host...)
	b = append(b, "\r\n"...)

	// Sorted, so that the same request is the same bytes every time.
	var stack [16]string
	keys := stack[:0]
	for k := range req.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if skipped(k) {
			continue
		}
		if !validToken(k) {
			return b, fmt.Errorf("%w: invalid header name %q", ErrInvalidRequest, k)
		}
		for _, v := range req.Header[k] {
			if !validValue(v) {
				return b, fmt.Errorf("%w: the value of header %s holds a line break or another control character", ErrInvalidRequest, k)
			}
			b = append(b, k...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(req.Body)), 10)
	b = append(b, "\r\n\r\n"...)
	return append(b, req.Body...), nil
}

// validToken reports whether s is an RFC 9110 token: a method or a header name.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// validValue reports whether s may be sent as a header value: no control
// characters but the horizontal tab (RFC 9110, field-value).
func validValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// validHost reports whether host can be written as a Host header: printable
// ASCII without spaces. Internationalised names must come as punycode.
func validHost(host string) bool {
	for i := 0; i < len(host); i++ {
		if c := host[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// equalFold is ASCII case-insensitive equality.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
