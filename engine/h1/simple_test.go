package h1

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

// The common response takes the fast path; everything with framing or
// semantics of its own is left to ReadResponse, untouched.
func TestReadSimpleTakesOnlyThePlainCase(t *testing.T) {
	const body = `{"message":"hi"}`
	for _, tc := range []struct {
		name, head string
		taken      bool
	}{
		{"json with a length", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n", true},
		{"404 with a length", "HTTP/1.1 404 Not Found\r\ncontent-length: 16\r\n", true},
		{"no reason phrase", "HTTP/1.1 500\r\nContent-Length: 16\r\n", true},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n", false},
		{"no length: read to close", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", false},
		{"Connection: close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 16\r\n", false},
		{"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 16\r\nContent-Length: 16\r\n", false},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 16\r\n", false},
		{"informational", "HTTP/1.1 103 Early Hints\r\nContent-Length: 16\r\n", false},
		{"204", "HTTP/1.1 204 No Content\r\nContent-Length: 16\r\n", false},
		{"folded header", "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\nContent-Length: 16\r\n", false},
		{"Pragma", "HTTP/1.1 200 OK\r\nPragma: no-cache\r\nContent-Length: 16\r\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.head + "\r\n" + body
			br := bufio.NewReader(strings.NewReader(raw))
			resp, ok := readSimple(br)
			if ok != tc.taken {
				t.Fatalf("taken = %v, want %v", ok, tc.taken)
			}
			if !ok {
				if rest, _ := io.ReadAll(br); string(rest) != raw {
					t.Fatal("declined but consumed bytes")
				}
				return
			}
			got, err := io.ReadAll(resp.Body)
			if err != nil || string(got) != body || resp.ContentLength != 16 {
				t.Fatalf("body %q (%v), length %d", got, err, resp.ContentLength)
			}
		})
	}
}

// A connection that ends before the declared length is an unexpected EOF,
// never a short body that looks complete.
func TestReadSimpleShortBody(t *testing.T) {
	br := bufio.NewReader(strings.NewReader("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"))
	resp, ok := readSimple(br)
	if !ok {
		t.Fatal("not taken")
	}
	got, err := io.ReadAll(resp.Body)
	if err != io.ErrUnexpectedEOF || string(got) != "short" {
		t.Fatalf("read %q, %v; want what came and io.ErrUnexpectedEOF", got, err)
	}
}
