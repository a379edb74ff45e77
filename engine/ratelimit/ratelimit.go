// Package ratelimit counts calls per conversation in a rolling window, on a
// clock the caller supplies, so the platform's "3 calls per 10 minutes per
// conversation" can be enforced in real time and in virtual time alike.
//
// The limiter never reads the wall clock and starts no goroutines: every
// method takes the time from its caller, and idle conversations are
// forgotten by sweeps that those same calls drive.
//
// Hand-written because x/time/rate is a token bucket, not a rolling window: measured at 3 per
// 10 min it let calls through at 0, 1, 2, 200 and 400 s, 5 in one window where the platform stops at 3.
package ratelimit

import (
	"hash/maphash"
	"sync"
	"time"
)

// shardCount is a power of two so a hash picks a shard with a mask; 256
// keeps lock contention negligible on any realistic core count while the
// empty shards cost a few tens of kilobytes.
const shardCount = 256

// Limiter allows at most Limit calls per conversation in any rolling Window.
// It is safe for concurrent use; check-and-reserve is atomic. Create one
// with New; the zero value is not usable.
//
// A call made at t counts while now < t+window. Times are kept as Unix
// nanoseconds, so they must lie between the years 1678 and 2262, and one
// Limiter should be driven by one clock: a sweep at a far-future now forgets
// conversations that an earlier clock still counts.
type Limiter struct {
	limit  int
	window int64 // nanoseconds
	// interval is how long a shard goes between sweeps of its own; half a
	// window keeps an idle conversation at most 1.5 windows while the
	// sweep's cost, spread over the calls that drive it, stays constant.
	interval int64
	seed     maphash.Seed
	shards   [shardCount]shard
}

// shard holds the conversations whose ids hash to it. Their calls live in
// one flat slice rather than in per-conversation values, so a conversation
// costs a map slot with a small index, limit+1 words and the header of its
// id in owners, whatever the limit, and reserving never allocates once the
// conversation exists.
type shard struct {
	mu sync.Mutex
	// index maps a conversation to its record number in calls.
	index map[string]uint32
	// calls holds one record of limit+1 words per conversation: the count,
	// then that many call times in ascending order.
	calls []int64
	// owners[i] is the conversation of record i, so that a sweep compacts
	// the records in one pass, in place: conversations come and go all
	// the time, and a sweep that allocated would make each of them pay.
	owners []string
	// peak is the largest len(index) since the map was last built; Go maps
	// never shrink, so a map far below its peak is rebuilt to free memory.
	peak      int
	lastSweep int64
	// The padding keeps neighbouring shards' locks off one cache line.
	_ [64]byte
}

// New returns a Limiter allowing limit calls per window per conversation.
// It panics if limit is below 1 or window is not positive.
func New(limit int, window time.Duration) *Limiter {
	if limit < 1 {
		panic("ratelimit: limit must be at least 1")
	}
	if window <= 0 {
		panic("ratelimit: window must be positive")
	}
	return &Limiter{
		limit:    limit,
		window:   int64(window),
		interval: max(int64(window)/2, 1),
		seed:     maphash.MakeSeed(),
	}
}

// Decision is the result of Reserve or Status.
type Decision struct {
	// Allowed is true when the call was reserved.
	Allowed bool
	// Remaining is how many more calls the window has room for after this one.
	Remaining int
	// FreesAt is when the window next gains room: for a refused call, the
	// earliest time a retry can succeed. Zero when the window is not full.
	FreesAt time.Time
}

// Reserve atomically checks the conversation's window at now and, when it
// has room, records a call at now. FreesAt is in now's location.
func (l *Limiter) Reserve(conversation string, now time.Time) Decision {
	t := now.UnixNano()
	s := l.shardFor(conversation)
	s.mu.Lock()
	defer s.mu.Unlock()
	l.sweepIfDue(s, t)
	r := l.record(s, conversation, t)
	expire(r, t-l.window)
	if int(r[0]) == l.limit {
		return l.decision(r, false, now)
	}
	insert(r, t)
	return l.decision(r, true, now)
}

// Cancel removes a call reserved at at, for a call that was never sent.
// It does nothing when no call was recorded at exactly at.
func (l *Limiter) Cancel(conversation string, at time.Time) {
	t := at.UnixNano()
	s := l.shardFor(conversation)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index[conversation]; ok {
		remove(l.rec(s, i), t)
	}
}

// Record adds a past call without checking, e.g. to seed from history.
// When the conversation already holds Limit calls the oldest is dropped,
// which changes no later decision: the window stays full until the
// second-oldest call leaves it either way.
func (l *Limiter) Record(conversation string, at time.Time) {
	t := at.UnixNano()
	s := l.shardFor(conversation)
	s.mu.Lock()
	defer s.mu.Unlock()
	insert(l.record(s, conversation, t), t)
}

// Status reports the window at now without reserving: Allowed says whether
// a Reserve at now would succeed, and Remaining is the room left before it.
func (l *Limiter) Status(conversation string, now time.Time) Decision {
	t := now.UnixNano()
	s := l.shardFor(conversation)
	s.mu.Lock()
	defer s.mu.Unlock()
	l.sweepIfDue(s, t)
	i, ok := s.index[conversation]
	if !ok {
		return Decision{Allowed: true, Remaining: l.limit}
	}
	r := l.rec(s, i)
	expire(r, t-l.window)
	return l.decision(r, int(r[0]) < l.limit, now)
}

// Len is the number of conversations currently remembered.
func (l *Limiter) Len() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.index)
		s.mu.Unlock()
	}
	return n
}

// Sweep forgets every conversation whose newest call is at least a window
// old at now, and returns how many it forgot. Reserve and Status already
// sweep each shard as time passes, so calling Sweep is never required; it
// lets a caller release memory at a moment of its choosing.
func (l *Limiter) Sweep(now time.Time) int {
	t := now.UnixNano()
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		if s.index != nil {
			n += l.sweep(s, t)
		}
		s.mu.Unlock()
	}
	return n
}

func (l *Limiter) shardFor(conversation string) *shard {
	return &l.shards[maphash.String(l.seed, conversation)&(shardCount-1)]
}

// rec returns record i of s; it aliases s.calls, so writes go to the shard.
func (l *Limiter) rec(s *shard, i uint32) []int64 {
	o := int(i) * (l.limit + 1)
	return s.calls[o : o+l.limit+1 : o+l.limit+1]
}

// record returns the conversation's record, creating an empty one.
func (l *Limiter) record(s *shard, conversation string, t int64) []int64 {
	if s.index == nil {
		s.index = make(map[string]uint32)
		s.lastSweep = t
	}
	i, ok := s.index[conversation]
	if !ok {
		i = uint32(len(s.owners))
		s.calls = append(s.calls, make([]int64, l.limit+1)...)
		s.owners = append(s.owners, conversation)
		s.index[conversation] = i
		s.peak = max(s.peak, len(s.index))
	}
	return l.rec(s, i)
}

func (l *Limiter) decision(r []int64, allowed bool, now time.Time) Decision {
	d := Decision{Allowed: allowed, Remaining: l.limit - int(r[0])}
	if d.Remaining == 0 {
		d.FreesAt = time.Unix(0, r[1]+l.window).In(now.Location())
	}
	return d
}

func (l *Limiter) sweepIfDue(s *shard, t int64) {
	if s.index != nil && t-s.lastSweep >= l.interval {
		l.sweep(s, t)
	}
}

// sweep forgets s's conversations with no call still counting at t and
// compacts the records that remain, in place. When the shard has fallen
// far below its peak it also gives memory back: it rebuilds the map
// (deleting from a Go map frees nothing) and shrinks the slices.
func (l *Limiter) sweep(s *shard, t int64) int {
	s.lastSweep = max(s.lastSweep, t)
	cutoff := t - l.window
	size := l.limit + 1
	kept := 0
	for i, conv := range s.owners {
		r := l.rec(s, uint32(i))
		if r[0] == 0 || r[r[0]] <= cutoff {
			delete(s.index, conv)
			continue
		}
		if kept != i { // records only move down, so none is overwritten unread
			copy(s.calls[kept*size:(kept+1)*size], r)
			s.owners[kept] = conv
			s.index[conv] = uint32(kept)
		}
		kept++
	}
	forgotten := len(s.owners) - kept
	clear(s.owners[kept:]) // let the forgotten ids be collected
	s.owners, s.calls = s.owners[:kept], s.calls[:kept*size]
	if s.peak >= minRebuild && kept < s.peak/4 {
		index := make(map[string]uint32, kept)
		for conv, i := range s.index {
			index[conv] = i
		}
		s.index, s.peak = index, kept
		s.owners = append(make([]string, 0, kept), s.owners...)
		s.calls = append(make([]int64, 0, kept*size), s.calls...)
	}
	return forgotten
}

// minRebuild is the peak below which a shard keeps its map and slices
// whatever it holds: a few dozen conversations' worth of memory is not
// worth rebuilding for, and conversations that come and go would rebuild
// them on every sweep.
const minRebuild = 256

// expire drops the calls at or before cutoff: a call at t stops counting
// exactly at t+window.
func expire(r []int64, cutoff int64) {
	n := int(r[0])
	k := 0
	for k < n && r[1+k] <= cutoff {
		k++
	}
	if k > 0 {
		copy(r[1:], r[1+k:1+n])
		r[0] = int64(n - k)
	}
}

// insert adds t in order. Callers' clocks may interleave and Record seeds
// the past, so t is not always the newest. A full record drops its oldest.
func insert(r []int64, t int64) {
	n := int(r[0])
	if n == len(r)-1 {
		if t <= r[1] {
			return
		}
		copy(r[1:], r[2:1+n])
		n--
	}
	j := n
	for j >= 1 && r[j] > t {
		r[j+1] = r[j]
		j--
	}
	r[j+1] = t
	r[0] = int64(n + 1)
}

// remove deletes one call at exactly t, if there is one.
func remove(r []int64, t int64) {
	n := int(r[0])
	for j := 1; j <= n; j++ {
		if r[j] == t {
			copy(r[j:], r[j+1:1+n])
			r[0] = int64(n - 1)
			return
		}
	}
}
