package engine

import (
	"fmt"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/actionbench/actionbench/engine/netpolicy"
)

// target is what the dispatcher knows about one endpoint URL before
// sending anything to it: the static policy verdict and the client to use.
// URLs repeat on every call, so targets are computed once and cached.
type target struct {
	url     *url.URL // shared: nothing may modify it
	client  clientKind
	marks   []string // what production would reject, seen from the URL alone
	refusal string   // non-empty: the policy refuses the URL; the diagnosis
}

type clientKind uint8

const (
	secureClient clientKind = iota
	plainClient
)

func (d *Dispatcher) target(raw string) *target {
	return d.targets.get(raw, d.newTarget)
}

func (d *Dispatcher) newTarget(raw string) *target {
	u, err := url.Parse(raw)
	if err != nil {
		return &target{refusal: fmt.Sprintf("the URL does not parse (%v): fix the endpoint URL", err)}
	}
	check, err := netpolicy.CheckURL(d.policy, d.allowHTTP, u)
	if err != nil {
		return &target{refusal: refusalDiagnosis(err)}
	}
	if u.Host == "" {
		return &target{refusal: "the URL has no host: fix the endpoint URL"}
	}
	t := &target{url: u, marks: check.Marks}
	if check.Plaintext {
		t.client = plainClient
	}
	return t
}

// productionReason caches netpolicy.ProductionReason per remote address:
// the same few addresses answer every call.
func (d *Dispatcher) productionReason(addr netip.Addr) string {
	return d.reasons.get(addr, netpolicy.ProductionReason)
}

// cache memoises a pure function of a comparable key. Reads are one atomic
// load of an immutable map: no lock word is written, so concurrent
// dispatches on different cores don't contend. Writes (a new URL, secret or
// address: rare) copy the map.
type cache[K comparable, V any] struct {
	mu sync.Mutex // serialises writers
	m  atomic.Pointer[map[K]V]
}

func (c *cache[K, V]) get(k K, compute func(K) V) V {
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	v := compute(k)
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	next := make(map[K]V, 1+lenOf(old))
	if old != nil {
		if existing, ok := (*old)[k]; ok {
			return existing
		}
		for ok, ov := range *old {
			next[ok] = ov
		}
	}
	next[k] = v
	c.m.Store(&next)
	return v
}

func lenOf[K comparable, V any](m *map[K]V) int {
	if m == nil {
		return 0
	}
	return len(*m)
}
