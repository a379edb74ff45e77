package engine

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// FuzzAnswer: whatever bytes an endpoint answers with, a dispatch ends
// within its deadline in exactly one outcome, keeps at most the body
// limit, and diagnoses any failure in one line.
func FuzzAnswer(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 39\r\n\r\n" + messageBody))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"))
	f.Add([]byte("HTTP/1.0 200 OK\r\n\r\n{\"message\":\"read until close\"}"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n\x1f\x8b\x08\x00"))
	f.Add([]byte("HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("\x00\x00\x00\x04\x00\x00\x00\x00\x00"))
	f.Add([]byte("garbage\r\n\r\n"))

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	var reply atomic.Pointer[[]byte]
	done := make(chan struct{})
	f.Cleanup(func() { l.Close(); <-done })
	go func() {
		defer close(done)
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(5 * time.Second))
				if _, err := http.ReadRequest(bufio.NewReader(conn)); err != nil {
					return
				}
				conn.Write(*reply.Load())
			}()
		}
	}()
	const timeout = time.Second
	d := New(Options{AllowHTTP: true, Timeout: timeout, Clock: func() time.Time { return testStart }})
	f.Cleanup(d.Close)
	url := "http://" + l.Addr().String() + "/hook"

	f.Fuzz(func(t *testing.T, answer []byte) {
		reply.Store(&answer)
		start := time.Now()
		a := d.Send(context.Background(), Request{Method: http.MethodPost, URL: url, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte("{}")})
		if elapsed := time.Since(start); elapsed > timeout+time.Second {
			t.Fatalf("took %v, past the %v deadline", elapsed, timeout)
		}
		if a.Outcome == "" {
			if a.Response == nil {
				t.Fatal("no outcome and no response")
			}
			classifyAction(a)
		}
		if !slices.Contains(Outcomes, a.Outcome) {
			t.Fatalf("outcome %q is not one of the outcomes", a.Outcome)
		}
		if a.Response != nil && len(a.Response.Body) > MaxBodyBytes {
			t.Fatalf("kept %d bytes of body, over the limit", len(a.Response.Body))
		}
		if a.Outcome.Succeeded() != (a.Diagnosis == "") || strings.Contains(a.Diagnosis, "\n") {
			t.Fatalf("outcome %s with diagnosis %q: want one line exactly when it failed", a.Outcome, a.Diagnosis)
		}
	})
}
