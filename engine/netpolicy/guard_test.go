package netpolicy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeResolver answers from a map; a name that is absent is "no such host".
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if addrs, ok := f[host]; ok {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// fakeDialer records what it is asked to dial and never connects: it
// answers from ok (a pipe end) or fails.
type fakeDialer struct {
	mu    sync.Mutex
	ok    map[string]bool
	calls []string
	conns []net.Conn
}

var errFakeDial = errors.New("fake dial refused")

func (d *fakeDialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, address)
	if !d.ok[address] {
		return nil, fmt.Errorf("dial %s %s: %w", network, address, errFakeDial)
	}
	c1, c2 := net.Pipe()
	d.conns = append(d.conns, c1, c2)
	return c1, nil
}

func (d *fakeDialer) close() {
	for _, c := range d.conns {
		c.Close()
	}
}

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

var testNames = fakeResolver{
	"db.internal":      addrs("10.0.0.1"),
	"mixed.example":    addrs("93.184.215.14", "10.0.0.1"),
	"public.example":   addrs("93.184.215.14", "2606:4700:4700::1111"),
	"mapped.example":   addrs("::ffff:8.8.8.8", "8.8.8.8"),
	"loop.example":     addrs("127.0.0.1", "::1"),
	"rebind.example":   addrs("::ffff:169.254.169.254"),
	"empty.example":    nil,
	"metadata.example": addrs("169.254.169.254"),
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name         string
		policy       Policy
		loopbackOnly bool
		host         string
		want         []netip.Addr
		wantRefusal  string // substring of the refusal reason
		wantErr      string // substring of another error
	}{
		{name: "private name", policy: Production, host: "db.internal",
			wantRefusal: "db.internal resolves to private address 10.0.0.1 (RFC 1918)"},
		{name: "one private record", policy: Production, host: "mixed.example",
			wantRefusal: "mixed.example resolves to private address 10.0.0.1"},
		{name: "mapped metadata", policy: Production, host: "rebind.example",
			wantRefusal: "rebind.example resolves to IPv4-mapped IPv6 ::ffff:169.254.169.254 embeds link-local address 169.254.169.254 (cloud metadata)"},
		{name: "public records", policy: Production, host: "public.example",
			want: addrs("93.184.215.14", "2606:4700:4700::1111")},
		{name: "unmapped and deduplicated", policy: Production, host: "mapped.example",
			want: addrs("8.8.8.8")},
		{name: "resolver error", policy: Production, host: "nowhere.example",
			wantErr: "resolve nowhere.example: lookup nowhere.example: no such host"},
		{name: "no records", policy: Workbench, host: "empty.example",
			wantErr: "resolve empty.example: no addresses"},
		{name: "empty host", policy: Workbench, host: "", wantErr: "empty host"},
		{name: "unknown policy", policy: "prod", host: "8.8.8.8", wantErr: `unknown policy "prod"`},
		{name: "workbench private name", policy: Workbench, host: "db.internal",
			want: addrs("10.0.0.1")},
		{name: "workbench default policy", policy: "", host: "metadata.example",
			want: addrs("169.254.169.254")},
		{name: "workbench mapped loopback", policy: Workbench, host: "::ffff:127.0.0.1",
			want: addrs("127.0.0.1")},
		{name: "loopback-only public literal", policy: Workbench, loopbackOnly: true, host: "8.8.8.8",
			wantRefusal: "non-loopback address 8.8.8.8: plaintext HTTP goes only to a loopback address"},
		{name: "loopback-only private name", policy: Workbench, loopbackOnly: true, host: "db.internal",
			wantRefusal: "db.internal resolves to non-loopback address 10.0.0.1"},
		{name: "loopback-only v4", policy: Workbench, loopbackOnly: true, host: "127.0.0.1",
			want: addrs("127.0.0.1")},
		{name: "loopback-only v6", policy: Workbench, loopbackOnly: true, host: "::1",
			want: addrs("::1")},
		{name: "loopback-only bracketed v6", policy: Workbench, loopbackOnly: true, host: "[::1]",
			want: addrs("::1")},
		{name: "loopback-only name", policy: Workbench, loopbackOnly: true, host: "loop.example",
			want: addrs("127.0.0.1", "::1")},
		{name: "loopback-only under production", policy: Production, loopbackOnly: true, host: "127.0.0.1",
			wantRefusal: "loopback address 127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &Guard{Policy: tt.policy, LoopbackOnly: tt.loopbackOnly, Resolver: testNames}
			got, err := g.Decide(context.Background(), tt.host)
			var ref *Refusal
			switch {
			case tt.wantRefusal != "":
				if !errors.As(err, &ref) || !strings.Contains(ref.Reason, tt.wantRefusal) {
					t.Errorf("Decide(%q) = %v, %v; want a refusal containing %q", tt.host, got, err, tt.wantRefusal)
				}
			case tt.wantErr != "":
				if err == nil || errors.As(err, &ref) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Decide(%q) = %v, %v; want a non-refusal error containing %q", tt.host, got, err, tt.wantErr)
				}
			case err != nil:
				t.Errorf("Decide(%q) error = %v, want %v", tt.host, err, tt.want)
			case !slices.Equal(got, tt.want):
				t.Errorf("Decide(%q) = %v, want %v", tt.host, got, tt.want)
			}
		})
	}
}

func TestDecideWrapsResolverError(t *testing.T) {
	g := &Guard{Policy: Production, Resolver: testNames}
	_, err := g.Decide(context.Background(), "nowhere.example")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("Decide error = %v, want it to wrap the resolver's *net.DNSError", err)
	}
}

func TestDialContext(t *testing.T) {
	tests := []struct {
		name        string
		policy      Policy
		address     string
		ok          []string // addresses the fake dialer connects to
		wantCalls   []string
		wantRefusal bool
		wantErr     error
	}{
		{name: "refused literal", policy: Production, address: "10.0.0.1:443", wantRefusal: true},
		{name: "refused legacy literal", policy: Production, address: "127.1:443", wantRefusal: true},
		{name: "refused mixed name", policy: Production, address: "mixed.example:443",
			ok: []string{"93.184.215.14:443"}, wantRefusal: true},
		{name: "stops at first success", policy: Production, address: "public.example:443",
			ok:        []string{"93.184.215.14:443", "[2606:4700:4700::1111]:443"},
			wantCalls: []string{"93.184.215.14:443"}},
		{name: "falls through to next address", policy: Production, address: "public.example:8443",
			ok:        []string{"[2606:4700:4700::1111]:8443"},
			wantCalls: []string{"93.184.215.14:8443", "[2606:4700:4700::1111]:8443"}},
		{name: "last error returned", policy: Production, address: "public.example:443",
			wantCalls: []string{"93.184.215.14:443", "[2606:4700:4700::1111]:443"},
			wantErr:   errFakeDial},
		{name: "workbench dials private", policy: Workbench, address: "db.internal:443",
			ok: []string{"10.0.0.1:443"}, wantCalls: []string{"10.0.0.1:443"}},
		{name: "workbench legacy literal", policy: Workbench, address: "0x7f.1:8080",
			ok: []string{"127.0.0.1:8080"}, wantCalls: []string{"127.0.0.1:8080"}},
		{name: "zoned literal keeps zone", policy: Workbench, address: "[fe80::1%eth0]:443",
			ok: []string{"[fe80::1%eth0]:443"}, wantCalls: []string{"[fe80::1%eth0]:443"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &fakeDialer{ok: map[string]bool{}}
			defer d.close()
			for _, a := range tt.ok {
				d.ok[a] = true
			}
			g := &Guard{Policy: tt.policy, Resolver: testNames, Dial: d.dial}
			conn, err := g.DialContext(context.Background(), "tcp", tt.address)
			if conn != nil {
				defer conn.Close()
			}
			var ref *Refusal
			switch {
			case tt.wantRefusal && !errors.As(err, &ref):
				t.Errorf("DialContext(%q) error = %v, want *Refusal", tt.address, err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("DialContext(%q) error = %v, want %v", tt.address, err, tt.wantErr)
			case !tt.wantRefusal && tt.wantErr == nil && (err != nil || conn == nil):
				t.Errorf("DialContext(%q) = %v, %v; want a connection", tt.address, conn, err)
			}
			if !slices.Equal(d.calls, tt.wantCalls) {
				t.Errorf("DialContext(%q) dialled %q, want %q", tt.address, d.calls, tt.wantCalls)
			}
		})
	}
}

func TestDialContextLastErrorIsLastAddress(t *testing.T) {
	d := &fakeDialer{}
	g := &Guard{Policy: Production, Resolver: testNames, Dial: d.dial}
	_, err := g.DialContext(context.Background(), "tcp", "public.example:443")
	if err == nil || !strings.Contains(err.Error(), "[2606:4700:4700::1111]:443") {
		t.Errorf("DialContext error = %v, want the error from the last address", err)
	}
}

func TestDialContextNetworkFamily(t *testing.T) {
	var got []string
	r := resolverFunc(func(ctx context.Context, network, host string) ([]netip.Addr, error) {
		got = append(got, network)
		return addrs("93.184.215.14"), nil
	})
	d := &fakeDialer{}
	g := &Guard{Policy: Production, Resolver: r, Dial: d.dial}
	for _, network := range []string{"tcp", "tcp4", "tcp6"} {
		g.DialContext(context.Background(), network, "public.example:443")
	}
	if want := []string{"ip", "ip4", "ip6"}; !slices.Equal(got, want) {
		t.Errorf("resolver networks = %q, want %q", got, want)
	}
}

type resolverFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

func (f resolverFunc) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return f(ctx, network, host)
}

// TestDialLoopback is the one test that really connects, and only to a
// listener on 127.0.0.1.
func TestDialLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tcp := ln.(*net.TCPListener)
	ctx := context.Background()

	wb := &Guard{Policy: Workbench}
	conn, err := wb.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("workbench DialContext(%s) error = %v, want a connection", ln.Addr(), err)
	}
	conn.Close()
	tcp.SetDeadline(time.Now().Add(2 * time.Second))
	in, err := tcp.Accept()
	if err != nil {
		t.Fatalf("Accept after workbench dial: %v", err)
	}
	in.Close()

	prod := &Guard{Policy: Production}
	conn, err = prod.DialContext(ctx, "tcp", ln.Addr().String())
	var ref *Refusal
	if !errors.As(err, &ref) || !strings.Contains(ref.Reason, "loopback address 127.0.0.1") {
		t.Errorf("production DialContext(%s) = %v, %v; want a loopback refusal", ln.Addr(), conn, err)
	}
	if conn != nil {
		conn.Close()
	}
	tcp.SetDeadline(time.Now().Add(100 * time.Millisecond))
	if in, err := tcp.Accept(); err == nil {
		in.Close()
		t.Errorf("listener accepted a connection after a production refusal")
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Errorf("Accept error = %v, want a timeout", err)
	}
}

// TestTransportRefusal checks that a refusal survives http.Transport, so
// the dispatcher can classify it with errors.As.
func TestTransportRefusal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("server reached by %s %s under production", r.Method, r.URL)
	}))
	defer srv.Close()
	tr := &http.Transport{DialContext: (&Guard{Policy: Production}).DialContext}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if err == nil {
		resp.Body.Close()
	}
	var ref *Refusal
	if !errors.As(err, &ref) {
		t.Errorf("Get(%s) error = %v, want a *Refusal in the chain", srv.URL, err)
	}
}
