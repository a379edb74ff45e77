package h1

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"maps"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzRequestRoundTrip: whatever header names and values a caller passes,
// appendRequest either refuses them or writes a request that an HTTP
// server parses back to exactly the method, target, headers and body given.
func FuzzRequestRoundTrip(f *testing.F) {
	f.Add("POST", "X-DGbot-Signature", "sha256=ab", "Content-Type", "application/json", []byte(`{"a":1}`))
	f.Add("POST", "Authorization", "Bearer tok en", "X-Note", "a\tb", []byte{})
	f.Add("POST", "X-Evil", "a\r\nX-Admin: 1", "Host", "evil", []byte("x"))
	f.Add("GET", "Accept", " padded ", "A", "\x7f", []byte("\r\n\r\n"))
	e := &Endpoint{addr: "example.com:443", host: "example.com", target: "/hook?x=1"}
	f.Fuzz(func(t *testing.T, method, k1, v1, k2, v2 string, body []byte) {
		header := http.Header{k1: {v1}}
		header[k2] = append(header[k2], v2)
		req := &Request{Method: method, Endpoint: e, Header: header, Body: body}
		out, err := appendRequest(nil, req)
		if err != nil {
			return
		}
		parsed, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(out)))
		if err != nil {
			t.Fatalf("written request does not parse: %v\n%q", err, out)
		}
		if parsed.Method != method || parsed.RequestURI != e.target || parsed.Host != e.host {
			t.Fatalf("request line read back as %s %s (Host %s)", parsed.Method, parsed.RequestURI, parsed.Host)
		}
		got, err := io.ReadAll(parsed.Body)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("body read back as %q (%v), want %q", got, err, body)
		}
		// Keys differing only in case are one header on the wire, its
		// values in the order of the sorted keys.
		want := http.Header{}
		for _, k := range slices.Sorted(maps.Keys(header)) {
			if skipped(k) {
				continue
			}
			for _, v := range header[k] {
				want.Add(k, strings.Trim(v, " \t")) // a server trims a value's surrounding whitespace
			}
		}
		for k, vs := range want {
			if g := parsed.Header.Values(k); strings.Join(g, "\x00") != strings.Join(vs, "\x00") {
				t.Fatalf("header %q read back as %q, want %q", k, g, vs)
			}
		}
	})
}

// FuzzResponse: whatever an endpoint sends back, Do returns an error or a
// response whose body ends, and neither panics nor waits past the deadline.
func FuzzResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"))
	f.Add([]byte("HTTP/1.0 200 OK\r\n\r\nread until close"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n"))
	f.Add([]byte("garbage\r\n\r\n"))
	f.Fuzz(func(t *testing.T, reply []byte) {
		c := New(Options{
			MaxHeaderBytes: 4 << 10,
			Dial: func(context.Context, string, string) (net.Conn, error) {
				client, server := net.Pipe()
				go func() {
					defer server.Close()
					go io.Copy(io.Discard, server)
					server.Write(reply)
				}()
				return client, nil
			},
		})
		defer c.CloseIdle()
		e := &Endpoint{addr: "fuzz.invalid:80", host: "fuzz.invalid", target: "/"}
		deadline := time.Now().Add(2 * time.Second)
		resp, _, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Endpoint: e, Body: []byte("{}"), Deadline: deadline})
		if err != nil {
			return
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if time.Now().After(deadline.Add(time.Second)) {
			t.Fatal("the exchange outlived its deadline")
		}
	})
}

// FuzzSimpleMatchesReadResponse: whenever readSimple takes a response, it
// reads what net/http's ReadResponse reads from the same bytes — status,
// protocol, headers, length, body and the end of it — and when it declines,
// it has consumed nothing.
func FuzzSimpleMatchesReadResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"))
	f.Add([]byte("HTTP/1.1 404 Not Found\r\ncontent-length: 5\r\nx-a:  b \t\r\nX-A: c\r\n\r\nnope!"))
	f.Add([]byte("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 007\r\nPragma: no-cache\r\n\r\nabcdefg"))
	f.Add([]byte("HTTP/1.1 200 OK\r\n Folded: x\r\nContent-Length: 1\r\n\r\nx"))
	f.Add([]byte("HTTP/1.1 999 Odd\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx"))
	f.Add([]byte("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx"))
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReader(bytes.NewReader(data))
		resp, ok := readSimple(br)
		if !ok {
			if rest, _ := io.ReadAll(br); !bytes.Equal(rest, data) {
				t.Fatalf("declined, but consumed %d bytes", len(data)-len(rest))
			}
			return
		}
		want, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(data)), postRequest)
		if err != nil {
			t.Fatalf("readSimple took what ReadResponse refuses (%v):\n%q", err, data)
		}
		if resp.Status != want.Status || resp.StatusCode != want.StatusCode || resp.Proto != want.Proto ||
			resp.ProtoMajor != want.ProtoMajor || resp.ProtoMinor != want.ProtoMinor ||
			resp.ContentLength != want.ContentLength || resp.Close != want.Close ||
			!reflect.DeepEqual(resp.Header, want.Header) || len(want.TransferEncoding) != 0 {
			t.Fatalf("readSimple read\n%+v\nReadResponse read\n%+v\nfrom %q", resp, want, data)
		}
		got, gotErr := io.ReadAll(resp.Body)
		wantBody, wantErr := io.ReadAll(want.Body)
		if !bytes.Equal(got, wantBody) || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("body %q (%v), ReadResponse's %q (%v)", got, gotErr, wantBody, wantErr)
		}
	})
}
