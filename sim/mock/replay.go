package mock

import (
	"slices"
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

// StaleAfter is how far a signed action request's metadata.timestamp may
// trail the newest its conversation has sent before the strict mock
// refuses it as a replay: the platform's 5 minutes of clock tolerance.
const StaleAfter = 5 * time.Minute

// maxConversations bounds the conversations newest remembers; past it,
// the half least recently heard from are forgotten.
const maxConversations = 100_000

// newest remembers, per conversation, the newest metadata.timestamp of a
// correctly signed action request. Scenarios run on virtual clocks with
// fixed dates, so the mock cannot compare a timestamp with its own clock;
// each conversation's clock only moves forward, though, so a request far
// behind what its conversation already sent is a captured one sent again.
type newest struct {
	mu    sync.Mutex
	max   int // 0 means maxConversations
	convs map[string]mark
}

// mark is a conversation's newest timestamp and when (on the mock's own
// clock) it was last heard from, which decides what is forgotten first.
type mark struct {
	at, heard time.Time
}

// admit reports whether a request of conv stamped at is fresh: not more
// than StaleAfter behind the newest conv has sent. A fresh one may raise
// the mark; a stale one leaves it, and mark is the newest it trails.
func (n *newest) admit(conv string, at, now time.Time) (newest time.Time, fresh bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.convs == nil {
		n.convs = map[string]mark{}
	}
	m, ok := n.convs[conv]
	if ok && m.at.Sub(at) > StaleAfter {
		return m.at, false
	}
	if !ok {
		n.makeRoom()
	}
	if !ok || at.After(m.at) {
		m.at = at
	}
	m.heard = now
	n.convs[conv] = m
	return m.at, true
}

// makeRoom forgets the half of the conversations heard from longest ago
// when the map is full, so a long load test cannot make it grow.
func (n *newest) makeRoom() {
	limit := n.max
	if limit <= 0 {
		limit = maxConversations
	}
	if len(n.convs) < limit {
		return
	}
	heard := make([]time.Time, 0, len(n.convs))
	for _, m := range n.convs {
		heard = append(heard, m.heard)
	}
	slices.SortFunc(heard, time.Time.Compare)
	cut := heard[len(heard)/2]
	for k, m := range n.convs {
		if m.heard.Before(cut) {
			delete(n.convs, k)
		}
	}
	for k, m := range n.convs { // ties at the cut (a clock that stood still)
		if len(n.convs) <= limit/2 {
			break
		}
		if !m.heard.After(cut) {
			delete(n.convs, k)
		}
	}
}
