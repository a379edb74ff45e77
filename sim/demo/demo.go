// Package demo is actionbench's embedded demo: Acme's support bot, whose
// actions and webhook point at an in-process mock endpoint, so that every
// face of the tool works on a fresh machine with no set-up.
package demo

import (
	"context"
	"crypto/x509"
	_ "embed"
	"errors"
	"fmt"
	"io"

	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/sim/mock"
)

// Name is what the demo workspace is called in messages and the UI.
const Name = "embedded demo"

// Example is a first message to try on the demo: it fires an action.
const Example = "where is my order 1042"

//go:embed workspace.yaml
var source []byte

// Source returns the demo workspace's YAML, a starting point for your own.
func Source() []byte { return append([]byte(nil), source...) }

// Demo is a running demo: the mock endpoint and the workspace aimed at it.
type Demo struct {
	Workspace *bot.Workspace
	Mock      *mock.Server
	// RootCAs trusts the mock's self-signed certificate.
	RootCAs *x509.CertPool
}

// Start starts the mock endpoint on a free loopback port and loads the
// demo workspace against it. log, when not nil, gets a line per request
// the mock receives.
func Start(ctx context.Context, log io.Writer) (*Demo, error) {
	server, err := mock.Start(ctx, "127.0.0.1:0", mock.Config{Secret: mock.DemoSecret, Token: mock.DemoToken, Log: log}, "", "")
	if err != nil {
		return nil, fmt.Errorf("starting the demo's mock endpoint: %w", err)
	}
	ws, err := Load(server.URL())
	if err != nil {
		server.Close()
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(server.CertPEM()) {
		server.Close()
		return nil, errors.New("the demo's mock endpoint has no usable certificate")
	}
	return &Demo{Workspace: ws, Mock: server, RootCAs: pool}, nil
}

// Load parses the demo workspace with its endpoints at baseURL.
func Load(baseURL string) (*bot.Workspace, error) {
	env := map[string]string{"MOCK": baseURL, "DEMO_SECRET": mock.DemoSecret, "DEMO_TOKEN": mock.DemoToken}
	return bot.Parse(Name, source, workspace.Options{Env: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
}

// Close stops the mock endpoint.
func (d *Demo) Close() error { return d.Mock.Close() }
