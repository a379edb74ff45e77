package main

import (
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
)

// commonFlags are the flags every command that talks to endpoints shares.
type commonFlags struct {
	workspace string
	policy    string
	caFile    string
	allowHTTP bool
}

func (f *commonFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.workspace, "workspace", "w", "", "workspace file (default ./actionbench.yaml)")
	fl.StringVar(&f.policy, "policy", "", "address policy: workbench (any address, the default) or production (public HTTPS only, as the platform)")
	fl.StringVar(&f.caFile, "ca-file", "", "PEM file of extra CAs to trust, e.g. your dev endpoint's self-signed certificate")
	fl.BoolVar(&f.allowHTTP, "allow-http", false, "allow plain http:// to a loopback endpoint (workbench only; production would reject it)")
}

const defaultWorkspace = "actionbench.yaml"

// loadWorkspace reads the workspace named by the flags.
func (f *commonFlags) loadWorkspace(e env) (*workspace.Workspace, error) {
	path := f.workspace
	if path == "" {
		path = defaultWorkspace
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, badInputf("no workspace: pass --workspace FILE, or create %s in this folder", defaultWorkspace)
		}
	}
	ws, err := workspace.Load(path, e.lookupEnv)
	if err != nil {
		return nil, badInput{err}
	}
	return ws, nil
}

// dispatcherOptions combines the workspace's settings with the flags, which win.
func (f *commonFlags) dispatcherOptions(ws *workspace.Workspace) (engine.Options, error) {
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
	if len(caFiles) > 0 {
		pool, err := certPool(caFiles)
		if err != nil {
			return opts, badInput{err}
		}
		opts.RootCAs = pool
	}
	return opts, nil
}

// certPool is the system trust store plus the CAs in files.
func certPool(files []string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
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

func newConversationID() string {
	var b [6]byte
	rand.Read(b[:])
	return "conv_" + hex.EncodeToString(b[:])
}

const userAgent = "actionbench/0.1 (+custom-action workbench)"
