package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine/sign"
	"github.com/actionbench/actionbench/sim/mock"
)

type mockFlags struct {
	addr, secret, token string
	standardSecret      string
	cert, key, certOut  string
	lax                 bool
}

func newMockCommand(e env) *cobra.Command {
	var f mockFlags
	cmd := &cobra.Command{
		Use:   "mock",
		Short: "Serve an HTTPS mock endpoint: order actions, a webhook receiver and fault modes",
		Long: `mock serves an HTTPS endpoint that answers as a developer's backend would,
so you can try actionbench (or your own client) with nothing else running:

  POST /actions/order_lookup   the reference's example: a message for a known
                               customer_email (jane@example.com, john@example.com),
                               404 with an error otherwise; 401 on a bad signature
  POST /actions/order_status   a data reply for payload.order_id or customer_email
  POST /actions/refund         an error reply with status 200
  POST /actions/echo           a message naming the action, trigger and conversation
  POST /webhook                the reference's PHP receiver: Bearer token, the four
                               events, override_response and skip

An action request signed correctly but stamped more than 5 minutes behind
the newest metadata.timestamp its conversation has sent is refused (401) as
a replay; the mock keeps no wall-clock check, since scenarios run on virtual
clocks.

Any route misbehaves on request, with ?fault=… in its URL or an X-Mock-Fault
header: slow (9 s, past the platform's 8 s), slow=6s, 5xx, oversized,
notjson, redirect, empty.

--lax turns the mock into the endpoint actionbench audit is meant to catch:
it accepts unsigned, forged and replayed requests and wrong webhook tokens,
answers 500 to malformed JSON and reads bodies of any size and Content-Type.
By default it refuses them as a careful endpoint does (401, 400, 413, 415).

Unless --cert and --key are given, a self-signed certificate is made at
start and written to --cert-out: pass that file to fire and emit with
--ca-file. Each request is logged as one line on stdout (never the secret
or the token) until Ctrl-C.`,
		Example: `  actionbench mock
  actionbench fire order_lookup --ca-file /tmp/actionbench-mock-cert.pem --set visitor.email=jane@example.com

  # an endpoint with holes, for trying the audit
  actionbench mock --lax

  # your own secret and token, any free port
  actionbench mock --addr 127.0.0.1:0 --secret "$ORDER_SECRET" --token "$WEBHOOK_TOKEN"`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.run(cmd, e)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8443", "address to listen on; port 0 picks a free one")
	fl.StringVar(&f.secret, "secret", mock.DemoSecret, "signing secret the action routes verify X-DGbot-Signature with")
	fl.StringVar(&f.token, "token", mock.DemoToken, "Bearer token the webhook route expects")
	fl.StringVar(&f.standardSecret, "standard-secret", mock.DemoStandardSecret, "whsec_ secret that requests signed with Standard Webhooks are verified with")
	fl.StringVar(&f.cert, "cert", "", "PEM certificate to serve instead of a generated one (with --key)")
	fl.StringVar(&f.key, "key", "", "PEM private key of --cert")
	fl.BoolVar(&f.lax, "lax", false, "accept unsigned, forged and replayed requests, 500 on malformed JSON, read unbounded bodies (an endpoint for the audit to catch)")
	fl.StringVar(&f.certOut, "cert-out", filepath.Join(os.TempDir(), "actionbench-mock-cert.pem"), "where to write the generated certificate, for --ca-file")
	return cmd
}

func (f *mockFlags) run(cmd *cobra.Command, e env) error {
	if (f.cert == "") != (f.key == "") {
		return badInputf("--cert and --key go together: pass both, or neither for a generated certificate")
	}
	// An empty value is most likely an unset variable ("$ORDER_SECRET"):
	// quietly serving the demo credentials instead would only puzzle.
	if f.secret == "" || f.token == "" {
		return badInputf("--secret and --token cannot be empty (an unset variable?): pass a value, or leave the flag out for the demo one")
	}
	if err := sign.CheckStandardSecret(f.standardSecret); err != nil {
		return badInputf("--standard-secret: %v", err)
	}
	// SIGTERM too, so that a service manager's stop is a clean exit.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := &lockedWriter{w: e.stdout}
	srv, err := mock.Start(ctx, f.addr, mock.Config{Secret: f.secret, Token: f.token, StandardSecret: f.standardSecret, Log: out, Lax: f.lax}, f.cert, f.key)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return badInputf("%s is already in use: stop what listens there, or pick another address with --addr", f.addr)
		}
		var listen *net.OpError
		if errors.As(err, &listen) {
			return badInputf("--addr: %v", err)
		}
		return badInput{err}
	}
	defer srv.Close()
	certPath := f.cert
	if certPath == "" {
		certPath = f.certOut
		if err := os.WriteFile(certPath, srv.CertPEM(), 0o644); err != nil {
			return badInputf("--cert-out: cannot write the certificate: %v", err)
		}
	}
	fmt.Fprintf(out, "actionbench mock listening on %s\n", srv.URL())
	fmt.Fprintf(out, "certificate: %s   (trust it with --ca-file)\n", certPath)
	fmt.Fprintf(out, "routes: %s\n", strings.Join(mock.Routes(), " "))
	fmt.Fprintf(out, "faults: ?fault=%s\n", mock.FaultHelp)
	if f.lax {
		fmt.Fprintln(out, "lax: unsigned, forged and replayed requests accepted, malformed JSON answered 500, bodies read unbounded")
	}
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		return err
	}
	fmt.Fprintln(out, "actionbench mock stopped")
	return nil
}

// lockedWriter lets the startup lines and the request log share stdout
// without interleaving.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
