package mock

import (
	"sync"
	"time"

	"github.com/actionbench/actionbench/engine/sign"
)

// maxRemembered bounds the message ids the mock keeps, whatever is sent.
const maxRemembered = 100_000

// replays remembers the webhook-ids of Standard Webhooks requests that
// verified, for as long as their timestamps stay acceptable, so a request
// sent again is refused as a replay, as the specification asks of
// receivers. An id older than the window needs no memory: its timestamp
// already fails.
type replays struct {
	mu   sync.Mutex
	seen map[string]time.Time // id → when it stops mattering
}

// fresh records id at now and reports whether it was not seen before.
func (r *replays) fresh(id string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]time.Time{}
	}
	if until, ok := r.seen[id]; ok && now.Before(until) {
		return false
	}
	if len(r.seen) >= maxRemembered {
		for k, until := range r.seen {
			if !now.Before(until) {
				delete(r.seen, k)
			}
		}
		if len(r.seen) >= maxRemembered {
			clear(r.seen) // a flood of fresh ids: forget rather than grow
		}
	}
	r.seen[id] = now.Add(2 * sign.StandardTolerance)
	return true
}
