package engine

import (
	"errors"
	"fmt"
	"net/http"
)

// errInvalidRequest wraps the reasons a request cannot be sent as written;
// nothing was sent.
var errInvalidRequest = errors.New("the request cannot be sent as written")

// checkRequest refuses a method, header name or header value that would not
// survive the trip as written (a line break in a value would start a
// header of its own). net/http refuses them too; checking first gives the
// diagnosis a header's name, never its value, which may be a secret.
func checkRequest(method string, h http.Header) error {
	if !validToken(method) {
		return fmt.Errorf("%w: invalid method %q", errInvalidRequest, method)
	}
	for k, vs := range h {
		if !validToken(k) {
			return fmt.Errorf("%w: invalid header name %q", errInvalidRequest, k)
		}
		for _, v := range vs {
			if !validValue(v) {
				return fmt.Errorf("%w: the value of header %s holds a line break or another control character", errInvalidRequest, k)
			}
		}
	}
	return nil
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
