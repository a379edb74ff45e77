package mock

import (
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is the mock serving HTTPS on a local address.
type Server struct {
	url     string
	certPEM []byte
	srv     *http.Server
	served  chan struct{} // closed when Serve has returned
	cancel  context.CancelFunc
	stop    func() bool // unregisters the close on the start context

	mu      sync.Mutex
	closing bool
	active  sync.WaitGroup // requests being handled

	closeOnce sync.Once
	closeErr  error
}

// Start listens on addr ("127.0.0.1:8443", or port 0 for any free port) and
// serves the mock's routes over TLS until Close is called or ctx ends. With
// certFile and keyFile empty it makes a self-signed certificate for
// 127.0.0.1, ::1 and localhost, valid for a year, held only in memory;
// CertPEM returns it for clients to trust. A listen error wraps the
// system's, so errors.Is(err, syscall.EADDRINUSE) tells a busy port.
func Start(ctx context.Context, addr string, cfg Config, certFile, keyFile string) (*Server, error) {
	var cert tls.Certificate
	var certPEM []byte
	if certFile != "" || keyFile != "" {
		var err error
		if cert, certPEM, err = loadCertificate(certFile, keyFile); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	tcp := ln.Addr().(*net.TCPAddr)
	if certPEM == nil {
		if cert, certPEM, err = selfSigned(tcp.IP, time.Now()); err != nil {
			ln.Close()
			return nil, err
		}
	}
	h := newHandler(cfg)
	base, cancel := context.WithCancel(context.Background())
	s := &Server{
		url:     "https://" + net.JoinHostPort(urlHost(tcp.IP), strconv.Itoa(tcp.Port)),
		certPEM: certPEM,
		served:  make(chan struct{}),
		cancel:  cancel,
	}
	s.srv = &http.Server{
		Handler:           s.track(h),
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}},
		ReadHeaderTimeout: 10 * time.Second,
		// Closing cancels every request's context, so a slow fault ends at
		// once rather than when its timer fires.
		BaseContext: func(net.Listener) context.Context { return base },
		// TLS handshake failures (a client that does not trust the
		// certificate) go to the same log as requests.
		ErrorLog: log.New(logWriter{h}, "", 0),
	}
	go func() {
		defer close(s.served)
		s.srv.ServeTLS(ln, "", "")
	}()
	// Under the lock, because an ended ctx runs the close at once, on
	// another goroutine, which reads stop.
	s.mu.Lock()
	s.stop = context.AfterFunc(ctx, func() { s.Close() })
	s.mu.Unlock()
	return s, nil
}

// urlHost is the host clients should dial: a wildcard listen address is
// reached on loopback.
func urlHost(ip net.IP) string {
	if ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return ip.String()
}

// URL is the server's base URL, e.g. https://127.0.0.1:8443.
func (s *Server) URL() string { return s.url }

// CertPEM is the certificate clients must trust, in PEM form: the generated
// one, or the chain of the certificate file Start was given.
func (s *Server) CertPEM() []byte { return append([]byte(nil), s.certPEM...) }

// Close stops the server: it closes the listener and every connection,
// cancels the requests in progress and waits until their handlers have
// returned. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		stop := s.stop
		s.mu.Unlock()
		stop()
		// Connections first, then the requests' contexts: a cancelled
		// handler must find its connection gone, or net/http would still
		// send its client an empty 200.
		s.closeErr = s.srv.Close()
		s.cancel()
		<-s.served
		s.active.Wait()
	})
	return s.closeErr
}

// track counts the requests being handled so Close can wait for them. A
// request that arrives while closing is dropped: its connection is going.
func (s *Server) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			return
		}
		s.active.Add(1)
		s.mu.Unlock()
		defer s.active.Done()
		next.ServeHTTP(w, r)
	})
}

// logWriter puts the http.Server's own complaints in the request log,
// stamped like the request lines.
type logWriter struct{ h *handler }

func (l logWriter) Write(p []byte) (int, error) {
	if l.h.log != nil {
		l.h.writeLog(l.h.now().Format(time.DateTime) + " " + strings.TrimRight(string(p), "\r\n") + "\n")
	}
	return len(p), nil
}
