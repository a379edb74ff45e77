package scenarios

import (
	"sync"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/netpolicy"
	"github.com/actionbench/actionbench/sim/bot"
)

// Dispatchers keeps one dispatcher per address policy. A scenario runs
// under its own workspace's policy, and the policy is enforced by the
// dispatcher's dialer, so workspaces with different policies must never
// share one: a production workspace dialled under workbench rules could
// reach a private address. Its For method is an Env.Dispatcher.
type Dispatchers struct {
	mu       sync.Mutex
	opts     engine.Options
	override bool
	byPolicy map[netpolicy.Policy]*engine.Dispatcher
}

// NewDispatchers makes dispatchers from opts. When override is set (the
// user passed --policy), opts.Policy applies to every workspace.
func NewDispatchers(opts engine.Options, override bool) *Dispatchers {
	return &Dispatchers{opts: opts, override: override, byPolicy: map[netpolicy.Policy]*engine.Dispatcher{}}
}

// For returns the dispatcher for ws's policy, making it on first use.
func (p *Dispatchers) For(ws *bot.Workspace) *engine.Dispatcher {
	policy := p.opts.Policy
	if !p.override {
		policy = ws.Policy
	}
	if policy == "" {
		policy = netpolicy.Workbench
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	d, ok := p.byPolicy[policy]
	if !ok {
		opts := p.opts
		opts.Policy = policy
		d = engine.New(opts)
		p.byPolicy[policy] = d
	}
	return d
}

// Close releases every dispatcher's connections.
func (p *Dispatchers) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range p.byPolicy {
		d.Close()
	}
}
