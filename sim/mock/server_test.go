package mock

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startServer starts the mock on a free loopback port for one test.
func startServer(t *testing.T) (*Server, *logBuffer) {
	t.Helper()
	log := &logBuffer{}
	s, err := Start(context.Background(), "127.0.0.1:0", Config{Secret: testSecret, Token: testToken, Log: log}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if !regexp.MustCompile(`^https://127\.0\.0\.1:\d+$`).MatchString(s.URL()) {
		t.Errorf("URL %q", s.URL())
	}
	return s, log
}

func trusting(t *testing.T, s *Server) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CertPEM()) {
		t.Fatalf("CertPEM holds no certificate: %q", s.CertPEM())
	}
	return pool
}

// Close ends everything: a request waiting in a slow fault is cancelled,
// Close returns at once, and no goroutine is left behind.
func TestCloseStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	log := &logBuffer{}
	s, err := Start(context.Background(), "127.0.0.1:0", Config{Secret: testSecret, Log: log}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: trusting(t, s)}}
	client := &http.Client{Transport: transport}
	failed := make(chan error)
	go func() {
		resp, err := client.Post(s.URL()+"/actions/echo?fault=slow", "application/json", strings.NewReader(`{}`))
		if err == nil {
			resp.Body.Close()
		}
		failed <- err
	}()
	time.Sleep(200 * time.Millisecond) // the request is now waiting in the handler
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %s", took)
	}
	if err := <-failed; err == nil {
		t.Error("the slow request got an answer from a closed server")
	}
	if !strings.Contains(log.String(), "POST /actions/echo fault=slow - client gone") {
		t.Errorf("log %q: the slow request was not cancelled", log)
	}
	if err := s.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	transport.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// The server also stops when the context it was started with ends.
func TestStartContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, "127.0.0.1:0", Config{}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	addr := strings.TrimPrefix(s.URL(), "https://")
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 5 s after the context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The generated certificate is what the design says, and clients reach the
// server through each name it covers.
func TestGeneratedCertificate(t *testing.T) {
	s, _ := startServer(t)
	block, rest := pem.Decode(s.CertPEM())
	if block == nil || block.Type != "CERTIFICATE" || len(rest) != 0 {
		t.Fatalf("CertPEM is not one PEM certificate: %q", s.CertPEM())
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if key, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || key.Curve != elliptic.P256() {
		t.Errorf("key %T, want ECDSA P-256", cert.PublicKey)
	}
	if life := cert.NotAfter.Sub(time.Now()); life < 364*24*time.Hour || life > 366*24*time.Hour {
		t.Errorf("valid for %s more, want a year", life)
	}
	var ips []string
	for _, ip := range cert.IPAddresses {
		ips = append(ips, ip.String())
	}
	if got := strings.Join(ips, " ") + " " + strings.Join(cert.DNSNames, " "); got != "127.0.0.1 ::1 localhost" {
		t.Errorf("names %q, want 127.0.0.1 ::1 localhost", got)
	}
	port := s.URL()[strings.LastIndex(s.URL(), ":")+1:]
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: trusting(t, s)}}}
	defer client.CloseIdleConnections()
	for _, host := range []string{"127.0.0.1", "localhost"} {
		resp, err := client.Post("https://"+net.JoinHostPort(host, port)+"/webhook", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Errorf("%s: %v", host, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", host, resp.StatusCode)
		}
	}
}

// With --cert and --key the mock serves the user's certificate.
func TestStartWithCertificateFiles(t *testing.T) {
	cert, certPEM, err := selfSigned(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(cert.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, certPEM, 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)

	s, err := Start(context.Background(), "127.0.0.1:0", Config{}, certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if string(s.CertPEM()) != string(certPEM) {
		t.Error("CertPEM is not the certificate file's")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: trusting(t, s)}}}
	defer client.CloseIdleConnections()
	resp, err := client.Post(s.URL()+"/webhook", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	for _, files := range [][2]string{{certFile, ""}, {"", keyFile}, {keyFile, keyFile}, {filepath.Join(dir, "none.pem"), keyFile}} {
		if s, err := Start(context.Background(), "127.0.0.1:0", Config{}, files[0], files[1]); err == nil {
			s.Close()
			t.Errorf("Start with cert %q and key %q succeeded", files[0], files[1])
		}
	}
}

func TestStartOnBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s, err := Start(context.Background(), ln.Addr().String(), Config{}, "", "")
	if err == nil {
		s.Close()
		t.Fatal("Start on a busy port succeeded")
	}
	if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("error %q: want EADDRINUSE naming %s", err, ln.Addr())
	}
}
