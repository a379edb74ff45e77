package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// mockProcess is `actionbench mock` running as a real process.
type mockProcess struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, line by line; closed at EOF
	stderr bytes.Buffer
}

// startMock starts the mock with args and reads stdout until it says where
// it listens. ctx bounds the whole test, so a hang fails instead of blocking.
func startMock(t *testing.T, ctx context.Context, args ...string) (*mockProcess, string) {
	t.Helper()
	m := &mockProcess{lines: make(chan string, 100)}
	m.cmd = exec.CommandContext(ctx, binary, append([]string{"mock"}, args...)...)
	m.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "XDG_STATE_HOME=" + t.TempDir()}
	m.cmd.Stderr = &m.stderr
	stdout, err := m.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.cmd.Process.Kill() })
	go func() {
		defer close(m.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			m.lines <- sc.Text()
		}
	}()
	const prefix = "actionbench mock listening on "
	for {
		line := m.next(t, ctx)
		if url, ok := strings.CutPrefix(line, prefix); ok {
			return m, url
		}
	}
}

// next returns the next line of stdout.
func (m *mockProcess) next(t *testing.T, ctx context.Context) string {
	t.Helper()
	select {
	case line, ok := <-m.lines:
		if !ok {
			t.Fatalf("the mock's stdout ended early; stderr: %s", m.stderr.String())
		}
		return line
	case <-ctx.Done():
		t.Fatal("the mock did not print in time")
	}
	return ""
}

// stop interrupts the mock and returns the rest of its stdout and its exit code.
func (m *mockProcess) stop(t *testing.T) (string, int) {
	t.Helper()
	if err := m.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for line := range m.lines {
		rest = append(rest, line)
	}
	err := m.cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return strings.Join(rest, "\n"), m.cmd.ProcessState.ExitCode()
}

func TestMockCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGINT")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	certOut := filepath.Join(t.TempDir(), "mock-cert.pem")
	m, url := startMock(t, ctx, "--addr", "127.0.0.1:0", "--cert-out", certOut, "--secret", testSecret, "--token", testToken)
	if !strings.HasPrefix(url, "https://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Fatalf("listening on %q, want the real port", url)
	}
	header := []string{
		"certificate: " + certOut + "   (trust it with --ca-file)",
		"routes: /actions/order_lookup /actions/order_status /actions/refund /actions/echo /webhook",
		"faults: ?fault=slow|slow=6s|5xx|oversized|notjson|redirect|empty",
	}
	for _, want := range header {
		if got := m.next(t, ctx); got != want {
			t.Errorf("stdout line %q, want %q", got, want)
		}
	}

	// fire, as a developer would, against the mock.
	ws := writeFile(t, "actionbench.yaml", `chatbot: {id: bot_def456, name: Support Bot}
actions:
  - id: order_lookup
    url: `+url+`/actions/order_lookup
    secret: ${`+testSecretEnv+`}
    payload:
      customer_email: "{{visitor.email}}"
`)
	res := actionbench(t, runOptions{}, "fire", "order_lookup", "-w", ws, "--ca-file", certOut, "--set", "visitor.email=jane@example.com", "-c", "conv_mock")
	if res.code != 0 || !strings.Contains(res.stdout, "bot:       Your latest order #1042 is shipped.") {
		t.Errorf("fire: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	// A request whose signature is not the secret's is refused.
	pem, err := os.ReadFile(certOut)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", certOut)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/actions/order_lookup",
		strings.NewReader(`{"action_id":"order_lookup","conversation_id":"conv_tampered","payload":{"customer_email":"jane@example.com"}}`))
	req.Header.Set("X-DGbot-Signature", "sha256=0000000000000000000000000000000000000000000000000000000000000000")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || strings.TrimSpace(body.String()) != `{"error":"invalid signature"}` {
		t.Errorf("tampered request: %d %s, want 401 invalid signature", resp.StatusCode, body.String())
	}

	rest, code := m.stop(t)
	if code != 0 {
		t.Errorf("exit %d after SIGINT, want 0; stderr: %s", code, m.stderr.String())
	}
	log := strings.Split(rest, "\n")
	if len(log) != 3 ||
		!strings.HasSuffix(log[0], " sig=ok action_id=order_lookup conversation_id=conv_mock") || !strings.Contains(log[0], " POST /actions/order_lookup 200 OK ") ||
		!strings.HasSuffix(log[1], " sig=bad action_id=order_lookup conversation_id=conv_tampered") || !strings.Contains(log[1], " 401 Unauthorized ") ||
		log[2] != "actionbench mock stopped" {
		t.Errorf("stdout after the header:\n%s\nwant a line per request, then stopped", rest)
	}
	all := strings.Join(header, "\n") + rest + m.stderr.String()
	for _, s := range []string{testSecret, testToken} {
		if strings.Contains(all, s) {
			t.Errorf("the mock printed %q:\n%s", s, all)
		}
	}
}

func TestMockBadInput(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"--addr", addr}, "actionbench: " + addr + " is already in use: stop what listens there, or pick another address with --addr\n"},
		{[]string{"--addr", "127.0.0.1"}, "actionbench: --addr: listen on 127.0.0.1: "},
		{[]string{"--addr", "127.0.0.1:0", "--cert", "cert.pem"}, "actionbench: --cert and --key go together"},
		{[]string{"--addr", "127.0.0.1:0", "--secret", ""}, "actionbench: --secret and --token cannot be empty"},
		{[]string{"--addr", "127.0.0.1:0", "--standard-secret", "not-whsec"}, "actionbench: --standard-secret: a Standard Webhooks secret starts with whsec_"},
		{[]string{"--addr", "127.0.0.1:0", "--standard-secret", ""}, "actionbench: --standard-secret: a Standard Webhooks secret starts with whsec_"},
		{[]string{"--addr", "127.0.0.1:0", "--cert", "none.pem", "--key", "none.pem"}, "actionbench: loading the certificate none.pem and key none.pem: "},
		{[]string{"--addr", "127.0.0.1:0", "--cert-out", filepath.Join(t.TempDir(), "no", "such", "dir.pem")}, "actionbench: --cert-out: cannot write the certificate: "},
	}
	for _, tt := range tests {
		res := actionbench(t, runOptions{}, append([]string{"mock"}, tt.args...)...)
		if res.code != 2 || res.stdout != "" || !strings.HasPrefix(res.stderr, tt.stderr) || strings.Count(res.stderr, "\n") != 1 {
			t.Errorf("mock %s: exit %d, stdout %q, stderr %q; want 2 and one line starting %q", strings.Join(tt.args, " "), res.code, res.stdout, res.stderr, tt.stderr)
		}
	}
}
