package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/netpolicy"
	"github.com/actionbench/actionbench/engine/workspace"
	"github.com/actionbench/actionbench/sim/bot"
	"github.com/actionbench/actionbench/sim/demo"
)

// commonFlags are the flags every command that talks to endpoints shares.
type commonFlags struct {
	workspace    string
	policy       string
	caFile       string
	allowHTTP    bool
	maxWorkspace byteSize
}

func (f *commonFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.workspace, "workspace", "w", "", "workspace file (default ./actionbench.yaml, else the embedded demo)")
	fl.StringVar(&f.policy, "policy", "", "address policy: workbench (any address, the default) or production (public HTTPS only, as the platform)")
	fl.StringVar(&f.caFile, "ca-file", "", "PEM file of extra CAs to trust, e.g. your dev endpoint's self-signed certificate")
	fl.BoolVar(&f.allowHTTP, "allow-http", false, "allow plain http:// to a loopback endpoint (workbench only; production would reject it)")
	f.maxWorkspace = byteSize(workspace.DefaultLimits().Bytes)
	fl.Var(&f.maxWorkspace, "max-workspace-size", "largest workspace file to read, e.g. 4MiB (nesting is capped at 64 levels)")
}

// workspaceOptions are how workspace files are read: the environment for
// ${NAME} references and the input limits.
func (f *commonFlags) workspaceOptions(e env) workspace.Options {
	return workspace.Options{Env: e.lookupEnv, Limits: f.maxWorkspace.limits(workspace.DefaultLimits())}
}

const defaultWorkspace = "actionbench.yaml"

// loaded is a workspace ready to dispatch from: a file, or the embedded
// demo with its mock endpoint running in this process.
type loaded struct {
	*bot.Workspace
	demo *demo.Demo // nil for a file
}

// name is how messages refer to the workspace.
func (l *loaded) name() string {
	if l.demo != nil {
		return "the " + demo.Name
	}
	return l.Path
}

// example is the demo's suggested first message; "" lets the workbench
// find one in a workspace file.
func (l *loaded) example() string {
	if l.demo != nil {
		return demo.Example
	}
	return ""
}

// Close stops the demo's mock endpoint, if one runs.
func (l *loaded) Close() {
	if l.demo != nil {
		l.demo.Close()
	}
}

// loadWorkspace reads the workspace named by --workspace, else
// ./actionbench.yaml, else starts the embedded demo.
func (f *commonFlags) loadWorkspace(ctx context.Context, e env) (*loaded, error) {
	path := f.workspacePath()
	if path == "" {
		d, err := demo.Start(ctx, nil)
		if err != nil {
			return nil, err
		}
		return &loaded{Workspace: d.Workspace, demo: d}, nil
	}
	ws, err := bot.Load(path, f.workspaceOptions(e))
	if err != nil {
		return nil, badInput{err}
	}
	return &loaded{Workspace: ws}, nil
}

// workspacePath is the workspace file to read: --workspace, else
// ./actionbench.yaml when it exists, else "" for the embedded demo.
func (f *commonFlags) workspacePath() string {
	if f.workspace != "" {
		return f.workspace
	}
	if _, err := os.Stat(defaultWorkspace); errors.Is(err, os.ErrNotExist) {
		return ""
	}
	return defaultWorkspace
}

// dispatcherOptions combines the workspace's settings with the flags, which win.
func (f *commonFlags) dispatcherOptions(ws *loaded) (engine.Options, error) {
	opts := engine.Options{Policy: ws.Policy, AllowHTTP: f.allowHTTP, UserAgent: userAgent}
	if f.policy != "" {
		p, err := netpolicy.ParsePolicy(f.policy)
		if err != nil {
			return opts, badInputf("--policy: %v", err)
		}
		opts.Policy = p
	}
	var caFiles []string
	if ws.CAFile != "" {
		caFiles = append(caFiles, ws.CAFile)
	}
	if f.caFile != "" {
		caFiles = append(caFiles, f.caFile)
	}
	if len(caFiles) > 0 || ws.demo != nil {
		pool, err := certPool(caFiles)
		if err != nil {
			return opts, badInput{err}
		}
		if ws.demo != nil {
			pool.AppendCertsFromPEM(ws.demo.Mock.CertPEM())
		}
		opts.RootCAs = pool
	}
	return opts, nil
}

// addCAFiles adds the certificates in files to pool (the system pool
// when pool is nil).
func addCAFiles(pool *x509.CertPool, files []string) (*x509.CertPool, error) {
	if pool == nil {
		return certPool(files)
	}
	for _, name := range files {
		pem, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate in it: pass the endpoint's certificate (or its CA) in PEM form", name)
		}
	}
	return pool, nil
}

// certPool is the system trust store plus the CAs in files.
func certPool(files []string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	return addCAFiles(pool, files)
}

func newConversationID() string {
	var b [6]byte
	rand.Read(b[:])
	return "conv_" + hex.EncodeToString(b[:])
}

// version is actionbench's, as the User-Agent and exports name it.
const version = "0.1"

const userAgent = "actionbench/" + version + " (+custom-action workbench)"
