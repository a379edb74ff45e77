package h1

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// server is an httptest server that counts the connections it accepted
// and the ones it saw closed.
type server struct {
	*httptest.Server
	opened, closed atomic.Int32
	endpoint       *Endpoint
}

func newServer(t *testing.T, secure bool, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{Server: httptest.NewUnstartedServer(h)}
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		switch state {
		case http.StateNew:
			s.opened.Add(1)
		case http.StateClosed, http.StateHijacked:
			s.closed.Add(1)
		}
	}
	if secure {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	s.endpoint = mustEndpoint(t, s.URL+"/hook?x=1")
	return s
}

func (s *server) client(t *testing.T, opts Options) *Client {
	t.Helper()
	if s.TLS != nil {
		opts.TLS = &tls.Config{RootCAs: s.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	}
	c := New(opts)
	t.Cleanup(c.CloseIdle)
	return c
}

func mustEndpoint(t testing.TB, raw string) *Endpoint {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEndpoint(u)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func post(e *Endpoint, body string) *Request {
	return &Request{
		Method:   http.MethodPost,
		Endpoint: e,
		Header:   http.Header{"Content-Type": {"application/json"}},
		Body:     []byte(body),
		Deadline: time.Now().Add(5 * time.Second),
	}
}

// roundTrip sends req and reads the whole body.
func roundTrip(t *testing.T, c *Client, req *Request) (*http.Response, string) {
	t.Helper()
	resp, _, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// A kept-alive connection carries request after request, over TLS and
// plain HTTP, whatever the framing of the response.
func TestKeepAliveReusesOneConnection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		secure  bool
		handler http.HandlerFunc
	}{
		{"tls, content-length", true, echo},
		{"plain, content-length", false, echo},
		{"tls, chunked", true, func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.Write(b)
			w.(http.Flusher).Flush() // headers and first chunk out before the end: chunked
			w.Write([]byte("!"))
		}},
		{"plain, 204", false, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, tc.secure, tc.handler)
			c := s.client(t, Options{})
			var remotes []string
			for i, body := range []string{`{"n":1}`, `{"n":2}`, `{"n":3}`} {
				resp, remote, err := c.Do(context.Background(), post(s.endpoint, body))
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK && !strings.HasPrefix(string(got), body) {
					t.Errorf("request %d: body %q, want %q echoed", i, got, body)
				}
				remotes = append(remotes, remote.String())
			}
			if n := s.opened.Load(); n != 1 {
				t.Errorf("server accepted %d connections for 3 requests, want 1", n)
			}
			if remotes[0] != remotes[1] || remotes[1] != remotes[2] || !strings.HasPrefix(remotes[0], "127.0.0.1:") {
				t.Errorf("remote addresses %v, want the server's, three times", remotes)
			}
		})
	}
}

// What the client writes is a plain HTTP/1.1 request: the request line,
// Host, the caller's headers in sorted order (the framing headers are the
// client's own), Content-Length and the body, in one write.
func TestRequestBytes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(conn)
		var head bytes.Buffer
		for {
			line, err := br.ReadString('\n')
			head.WriteString(line)
			if err != nil || line == "\r\n" {
				break
			}
		}
		body := make([]byte, 5)
		io.ReadFull(br, body)
		got <- head.String() + string(body)
		io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	}()
	e := mustEndpoint(t, "http://"+ln.Addr().String()+"/hooks/act?id=7&x=%20y")
	c := New(Options{})
	defer c.CloseIdle()
	req := &Request{Method: http.MethodPost, Endpoint: e, Body: []byte("hello"), Deadline: time.Now().Add(5 * time.Second),
		Header: http.Header{
			"X-DGbot-Signature": {"sha256=ab"},
			"Content-Type":      {"application/json"},
			"Accept":            {"a", "b"},
			"Content-Length":    {"999"},
			"host":              {"evil.example"},
			"Connection":        {"close"},
		}}
	resp, body := roundTrip(t, c, req)
	if resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("response %d %q", resp.StatusCode, body)
	}
	want := "POST /hooks/act?id=7&x=%20y HTTP/1.1\r\n" +
		"Host: " + ln.Addr().String() + "\r\n" +
		"Accept: a\r\nAccept: b\r\n" +
		"Content-Type: application/json\r\n" +
		"X-DGbot-Signature: sha256=ab\r\n" +
		"Content-Length: 5\r\n\r\nhello"
	if g := <-got; g != want {
		t.Errorf("request bytes:\n%q\nwant\n%q", g, want)
	}
}

// A request that cannot be written as given is refused before any
// connection is made: a line break in a value would smuggle a header.
func TestInvalidRequestsNeverDial(t *testing.T) {
	s := newServer(t, false, echo)
	c := s.client(t, Options{})
	for _, tc := range []struct {
		name   string
		change func(*Request)
		want   string
	}{
		{"CRLF in a value", func(r *Request) { r.Header.Set("X-Token", "a\r\nX-Admin: 1") }, "the value of header X-Token holds a line break"},
		{"NUL in a value", func(r *Request) { r.Header.Set("X-Token", "a\x00b") }, "the value of header X-Token holds"},
		{"space in a name", func(r *Request) { r.Header["X Token"] = []string{"1"} }, `invalid header name "X Token"`},
		{"empty name", func(r *Request) { r.Header[""] = []string{"1"} }, "invalid header name"},
		{"bad method", func(r *Request) { r.Method = "PO ST" }, "invalid method"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := post(s.endpoint, "{}")
			tc.change(req)
			_, remote, err := c.Do(context.Background(), req)
			if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrInvalidRequest containing %q", err, tc.want)
			}
			if remote != nil {
				t.Errorf("remote %v: a refused request must not connect", remote)
			}
		})
	}
	if n := s.opened.Load(); n != 0 {
		t.Errorf("server accepted %d connections, want 0", n)
	}
	// A tab is allowed in a value.
	req := post(s.endpoint, "{}")
	req.Header.Set("X-Note", "a\tb")
	roundTrip(t, c, req)
}

func TestNewEndpoint(t *testing.T) {
	for _, tc := range []struct {
		url, addr, host, target, err string
	}{
		{url: "https://example.com/a/b?c=d", addr: "example.com:443", host: "example.com", target: "/a/b?c=d"},
		{url: "http://example.com", addr: "example.com:80", host: "example.com", target: "/"},
		{url: "https://127.0.0.1:8443/x", addr: "127.0.0.1:8443", host: "127.0.0.1:8443", target: "/x"},
		{url: "https://[::1]:8443/", addr: "[::1]:8443", host: "[::1]:8443", target: "/"},
		{url: "https://[fe80::1%25eth0]:8443/", addr: "[fe80::1%eth0]:8443", host: "[fe80::1]:8443", target: "/"},
		{url: "https://b\u00fccher.example/", err: "punycode"},
		{url: "/relative", err: "no host"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		e, err := NewEndpoint(u)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.url, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if e.addr != tc.addr || e.host != tc.host || e.target != tc.target {
			t.Errorf("%s: addr %q host %q target %q, want %q %q %q", tc.url, e.addr, e.host, e.target, tc.addr, tc.host, tc.target)
		}
	}
}

// A connection is not reused when the response says so, when its body was
// not read to the end, or when bytes follow the response.
func TestConnectionsNotReused(t *testing.T) {
	for _, tc := range []struct {
		name     string
		handler  http.HandlerFunc
		readBody bool
	}{
		{"Connection: close", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		}, true},
		{"body left unread", func(w http.ResponseWriter, r *http.Request) {
			w.Write(bytes.Repeat([]byte("x"), 64<<10))
		}, false},
		{"body closed before it arrived", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "4")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			time.Sleep(50 * time.Millisecond)
			w.Write([]byte("late"))
		}, false},
		{"bytes after the response", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, _ := w.(http.Hijacker).Hijack()
			defer conn.Close()
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n")
			buf.Flush()
			time.Sleep(50 * time.Millisecond) // let the stray bytes arrive with the body
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, false, tc.handler)
			c := s.client(t, Options{})
			for range 2 {
				resp, _, err := c.Do(context.Background(), post(s.endpoint, "{}"))
				if err != nil {
					t.Fatal(err)
				}
				if tc.readBody {
					io.ReadAll(resp.Body)
				}
				resp.Body.Close()
			}
			if n := s.opened.Load(); n != 2 {
				t.Errorf("server accepted %d connections for 2 requests, want 2", n)
			}
		})
	}
}

// Closing an endless body does not read it: it closes the connection.
func TestCloseDoesNotDrainEndlessBody(t *testing.T) {
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 4096)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	c := s.client(t, Options{})
	resp, _, err := c.Do(context.Background(), post(s.endpoint, "{}"))
	if err != nil {
		t.Fatal(err)
	}
	io.ReadFull(resp.Body, make([]byte, 100))
	done := make(chan struct{})
	go func() { resp.Body.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Close is reading the endless body")
	}
}

// An endpoint that closed an idle connection (its keep-alive timeout, or a
// restart) is noticed before the next request goes out on it.
func TestClosedIdleConnectionIsReplaced(t *testing.T) {
	s := newServer(t, true, echo)
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC).UnixNano())
	c := s.client(t, Options{Now: func() time.Time { return time.Unix(0, now.Load()) }})
	roundTrip(t, c, post(s.endpoint, "{}"))

	s.CloseClientConnections()
	idle := c.idle[s.endpoint.addr][0]
	waitFor(t, "the client's side to see the close", func() bool { return !idle.alive() })

	now.Add(int64(checkAfter)) // idle long enough to be checked
	resp, body := roundTrip(t, c, post(s.endpoint, `{"again":true}`))
	if resp.StatusCode != 200 || body != `{"again":true}` {
		t.Fatalf("after the endpoint closed the idle connection: %d %q", resp.StatusCode, body)
	}
	if n := s.opened.Load(); n != 2 {
		t.Errorf("server accepted %d connections, want 2", n)
	}
}

// An idle connection past the idle timeout is closed, not used.
func TestIdleTimeout(t *testing.T) {
	s := newServer(t, false, echo)
	var now atomic.Int64
	c := s.client(t, Options{IdleTimeout: time.Minute, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	roundTrip(t, c, post(s.endpoint, "{}"))
	now.Add(int64(time.Minute))
	roundTrip(t, c, post(s.endpoint, "{}"))
	if n := s.opened.Load(); n != 2 {
		t.Errorf("server accepted %d connections, want 2", n)
	}
	waitFor(t, "the expired connection to close", func() bool { return s.closed.Load() == 1 })
}

func TestAliveSeesUnsolicitedBytes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			accepted <- conn
		}
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	peer := <-accepted
	defer peer.Close()
	cn := &conn{raw: raw, nc: raw}
	if !cn.alive() {
		t.Fatal("a quiet open connection is not alive")
	}
	io.WriteString(peer, "HTTP/1.1 408 Request Timeout\r\n\r\n")
	waitFor(t, "the 408 to arrive", func() bool { return !cn.alive() })
	// The peek took nothing off the socket.
	raw.SetReadDeadline(time.Now().Add(time.Second))
	line, _ := bufio.NewReader(raw).ReadString('\n')
	if line != "HTTP/1.1 408 Request Timeout\r\n" {
		t.Errorf("read %q after the peek", line)
	}
}

// The deadline bounds the wait for the response and for its body.
func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("body") != "" {
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := s.client(t, Options{})

	req := post(s.endpoint, "{}")
	req.Deadline = time.Now().Add(200 * time.Millisecond)
	start := time.Now()
	_, _, err := c.Do(context.Background(), req)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("waiting for headers: err = %v, want a deadline error", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v with a 200 ms deadline", took)
	}

	req = post(mustEndpoint(t, s.URL+"/?body=1"), "{}")
	req.Deadline = time.Now().Add(200 * time.Millisecond)
	resp, _, err := c.Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, os.ErrDeadlineExceeded) || string(b) != "partial" {
		t.Errorf("reading the body: %q, %v; want what came and a deadline error", b, err)
	}
}

// Cancelling the context ends an exchange at once.
func TestCancel(t *testing.T) {
	s := newServer(t, true, func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // then the server watches the connection for its close
		<-r.Context().Done()
	})
	c := s.client(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	req := post(s.endpoint, "{}")
	req.Deadline = time.Now().Add(10 * time.Second)
	start := time.Now()
	_, _, err := c.Do(ctx, req)
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("err = %v after %v, want an early error", err, time.Since(start))
	}
	if ctx.Err() == nil {
		t.Fatal("the context was not cancelled")
	}
}

// Informational responses are skipped; the final one is returned.
func TestInformationalResponsesSkipped(t *testing.T) {
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusEarlyHints)
		w.Write([]byte("final"))
	})
	c := s.client(t, Options{})
	resp, body := roundTrip(t, c, post(s.endpoint, "{}"))
	if resp.StatusCode != 200 || body != "final" {
		t.Fatalf("got %d %q, want 200 final", resp.StatusCode, body)
	}
}

func TestHeadersTooLarge(t *testing.T) {
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		for i := range 100 {
			w.Header().Set("X-Filler-"+strings.Repeat("a", i%10)+string(rune('a'+i%26))+string(rune('a'+i/26)), strings.Repeat("v", 1000))
		}
		w.Write([]byte("{}"))
	})
	c := s.client(t, Options{MaxHeaderBytes: 16 << 10})
	_, _, err := c.Do(context.Background(), post(s.endpoint, "{}"))
	if !errors.Is(err, ErrHeadersTooLarge) {
		t.Fatalf("err = %v, want ErrHeadersTooLarge", err)
	}
}

// An endpoint that answers before reading the whole request, then closes,
// still has its answer read.
func TestEarlyResponse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		io.WriteString(conn, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbig!")
		time.Sleep(50 * time.Millisecond)
		conn.Close()
	}()
	c := New(Options{})
	defer c.CloseIdle()
	req := post(mustEndpoint(t, "http://"+ln.Addr().String()+"/"), strings.Repeat("x", 100<<10))
	resp, body := roundTrip(t, c, req)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || body != "big!" {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
}

// CloseIdle closes the idle connections at once and the busy ones when
// their response is done.
func TestCloseIdle(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("wait") != "" {
			<-release
		}
		w.Write([]byte("ok"))
	})
	c := s.client(t, Options{})
	busy := make(chan error, 1)
	go func() {
		resp, _, err := c.Do(context.Background(), post(mustEndpoint(t, s.URL+"/?wait=1"), "{}"))
		if err == nil {
			io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		busy <- err
	}()
	waitFor(t, "the busy connection", func() bool { return s.opened.Load() == 1 })
	roundTrip(t, c, post(s.endpoint, "{}")) // a second connection, left idle
	c.CloseIdle()
	waitFor(t, "the idle connection to close", func() bool { return s.closed.Load() == 1 })
	close(release)
	if err := <-busy; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the busy connection to close after its response", func() bool { return s.closed.Load() == 2 })
}

// Concurrent requests each get a connection of their own; none is shared.
func TestConcurrentRequests(t *testing.T) {
	s := newServer(t, true, echo)
	c := s.client(t, Options{MaxIdlePerHost: 4})
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				want := strings.Repeat(string(rune('a'+g)), 100+i)
				resp, _, err := c.Do(context.Background(), post(s.endpoint, want))
				if err != nil {
					t.Error(err)
					return
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(got) != want {
					t.Errorf("goroutine %d got another's answer", g)
					return
				}
			}
		}()
	}
	wg.Wait()
	c.mu.Lock()
	idle := len(c.idle[s.endpoint.addr])
	c.mu.Unlock()
	if idle > 4 {
		t.Errorf("%d idle connections kept, want at most 4", idle)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
