package ratelimit_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/ratelimit"
)

const window = 10 * time.Minute

// t0 is the fake clock's origin; every step names its time as an offset.
var t0 = time.Date(2025, 5, 7, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// step is one call on a limiter. Reserve and Status steps are checked
// against allowed, remaining and frees (an offset from t0; 0 means zero).
type step struct {
	op        string // "reserve", "status", "cancel" or "record"
	conv      string
	at        time.Duration
	allowed   bool
	remaining int
	frees     time.Duration
}

func reserve(conv string, d time.Duration, allowed bool, remaining int, frees time.Duration) step {
	return step{"reserve", conv, d, allowed, remaining, frees}
}

func status(conv string, d time.Duration, allowed bool, remaining int, frees time.Duration) step {
	return step{"status", conv, d, allowed, remaining, frees}
}

func cancel(conv string, d time.Duration) step { return step{op: "cancel", conv: conv, at: d} }
func record(conv string, d time.Duration) step { return step{op: "record", conv: conv, at: d} }

func TestSequences(t *testing.T) {
	const m = time.Minute
	tests := []struct {
		name  string
		limit int
		steps []step
	}{
		{"three allowed, the fourth refused until the first frees", 3, []step{
			reserve("c", 0, true, 2, 0),
			reserve("c", 1*m, true, 1, 0),
			reserve("c", 2*m, true, 0, 10*m),
			reserve("c", 3*m, false, 0, 10*m),
			reserve("c", 10*m-time.Second, false, 0, 10*m),
			reserve("c", 10*m-time.Nanosecond, false, 0, 10*m),
			reserve("c", 10*m, true, 0, 11*m),
			reserve("c", 10*m, false, 0, 11*m),
		}},
		{"rolling window", 3, []step{
			reserve("c", 0, true, 2, 0),
			reserve("c", 4*m, true, 1, 0),
			reserve("c", 8*m, true, 0, 10*m),
			reserve("c", 9*m, false, 0, 10*m),
			reserve("c", 10*m, true, 0, 14*m),
			reserve("c", 13*m, false, 0, 14*m),
			reserve("c", 14*m, true, 0, 18*m),
			reserve("c", 18*m, true, 0, 20*m),
			status("c", 19*m, false, 0, 20*m),
			status("c", 20*m, true, 1, 0),
			status("c", 40*m, true, 3, 0),
		}},
		{"conversations are independent", 3, []step{
			reserve("a", 0, true, 2, 0),
			reserve("a", 0, true, 1, 0),
			reserve("a", 0, true, 0, 10*m),
			reserve("a", 0, false, 0, 10*m),
			reserve("b", 0, true, 2, 0),
			status("b", 0, true, 2, 0),
			reserve("a", m, false, 0, 10*m),
		}},
		{"cancel gives the slot back", 3, []step{
			reserve("c", 0, true, 2, 0),
			reserve("c", 1*m, true, 1, 0),
			reserve("c", 2*m, true, 0, 10*m),
			cancel("c", 5*m), // no call then: nothing changes
			cancel("other", 1*m),
			reserve("c", 3*m, false, 0, 10*m),
			cancel("c", 1*m),
			status("c", 3*m, true, 1, 0),
			reserve("c", 3*m, true, 0, 10*m),
			cancel("c", 0),
			reserve("c", 4*m, true, 0, 12*m),
		}},
		{"record seeds history", 3, []step{
			record("c", -7*m), // out of order on purpose
			record("c", -9*m),
			record("c", -8*m),
			reserve("c", 0, false, 0, 1*m),
			reserve("c", 1*m, true, 0, 2*m),
			record("d", -20*m), // long gone
			reserve("d", 0, true, 2, 0),
		}},
		{"record beyond the limit keeps decisions exact", 3, []step{
			record("c", -9*m),
			record("c", -8*m),
			record("c", -7*m),
			record("c", -6*m),
			record("c", -10*m), // older than all, adds nothing
			// Four calls in the window: it has room once two have left.
			reserve("c", 1*m, false, 0, 2*m),
			reserve("c", 2*m, true, 0, 3*m),
		}},
		{"status does not consume", 3, []step{
			status("c", 0, true, 3, 0),
			status("c", 0, true, 3, 0),
			reserve("c", 0, true, 2, 0),
			status("c", 0, true, 2, 0),
			reserve("c", 0, true, 1, 0),
			reserve("c", 0, true, 0, 10*m),
			status("c", 0, false, 0, 10*m),
			status("c", 0, false, 0, 10*m),
		}},
		{"limit one", 1, []step{
			reserve("c", 0, true, 0, 10*m),
			reserve("c", 9*m, false, 0, 10*m),
			reserve("c", 10*m, true, 0, 20*m),
		}},
		{"limit five", 5, []step{
			reserve("c", 0, true, 4, 0),
			reserve("c", 1*m, true, 3, 0),
			reserve("c", 2*m, true, 2, 0),
			reserve("c", 3*m, true, 1, 0),
			reserve("c", 4*m, true, 0, 10*m),
			reserve("c", 5*m, false, 0, 10*m),
			cancel("c", 2*m),
			reserve("c", 6*m, true, 0, 10*m),
			reserve("c", 11*m, true, 1, 0),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := ratelimit.New(tt.limit, window)
			for i, s := range tt.steps {
				var got ratelimit.Decision
				switch s.op {
				case "reserve":
					got = l.Reserve(s.conv, at(s.at))
				case "status":
					got = l.Status(s.conv, at(s.at))
				case "cancel":
					l.Cancel(s.conv, at(s.at))
					continue
				case "record":
					l.Record(s.conv, at(s.at))
					continue
				}
				var frees time.Time
				if s.frees != 0 {
					frees = at(s.frees)
				}
				if got.Allowed != s.allowed || got.Remaining != s.remaining || !got.FreesAt.Equal(frees) {
					t.Errorf("step %d: %s(%q, t0%+v) = {%v %d %v}, want {%v %d %v}",
						i, s.op, s.conv, s.at, got.Allowed, got.Remaining, got.FreesAt,
						s.allowed, s.remaining, frees)
				}
			}
		})
	}
}

func TestFreesAtUsesCallersLocation(t *testing.T) {
	loc := time.FixedZone("UTC+2", 2*60*60)
	l := ratelimit.New(1, window)
	now := t0.In(loc)
	if d := l.Reserve("c", now); d.FreesAt.Location() != loc || !d.FreesAt.Equal(now.Add(window)) {
		t.Errorf("FreesAt = %v, want %v", d.FreesAt, now.Add(window))
	}
}

func TestNewPanicsOnBadArguments(t *testing.T) {
	for _, tt := range []struct {
		limit  int
		window time.Duration
	}{{0, window}, {-1, window}, {3, 0}, {3, -time.Second}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%d, %v) did not panic", tt.limit, tt.window)
				}
			}()
			ratelimit.New(tt.limit, tt.window)
		}()
	}
}

func TestSimultaneousReservesAreAtomic(t *testing.T) {
	const goroutines, rounds = 20, 50
	l := ratelimit.New(3, window)
	for round := range rounds {
		conv := fmt.Sprintf("conv-%d", round)
		start := make(chan struct{})
		results := make(chan ratelimit.Decision, goroutines)
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				<-start
				results <- l.Reserve(conv, t0)
			})
		}
		close(start)
		wg.Wait()
		close(results)

		allowed, seen := 0, map[int]bool{}
		for d := range results {
			switch {
			case d.Allowed:
				allowed++
				if seen[d.Remaining] {
					t.Errorf("round %d: two reservations left %d remaining", round, d.Remaining)
				}
				seen[d.Remaining] = true
			case !d.FreesAt.Equal(t0.Add(window)):
				t.Errorf("round %d: refused with FreesAt %v, want %v", round, d.FreesAt, t0.Add(window))
			}
		}
		if allowed != 3 {
			t.Errorf("round %d: %d reservations succeeded, want 3", round, allowed)
		}
	}
}

func heapAlloc() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func TestSweepReleasesMemory(t *testing.T) {
	const n = 100_000
	ids := convIDs(n)
	base := heapAlloc()

	l := ratelimit.New(3, window)
	for _, id := range ids {
		l.Reserve(id, t0)
	}
	if got := l.Len(); got != n {
		t.Fatalf("Len() = %d after %d conversations, want %d", got, n, n)
	}
	full := heapAlloc() - base
	if perConv := full / n; perConv > 200 {
		t.Errorf("%d bytes per conversation, want at most 200 (200 MB per million)", perConv)
	}

	if got := l.Sweep(at(window - time.Nanosecond)); got != 0 {
		t.Errorf("Sweep one nanosecond before the window's edge forgot %d, want 0", got)
	}
	if got := l.Sweep(at(window)); got != n {
		t.Errorf("Sweep at the window's edge forgot %d, want %d", got, n)
	}
	if got := l.Len(); got != 0 {
		t.Errorf("Len() = %d after Sweep, want 0", got)
	}
	// Freeing the call records alone leaves about half the heap: the maps'
	// emptied slots. Only rebuilt maps bring it under a tenth.
	released := heapAlloc() - base
	if released >= full/10 {
		t.Errorf("heap after Sweep is %d bytes, want under a tenth of %d while full", released, full)
	}
	t.Logf("%d conversations: %d bytes (%d per conversation), %d bytes after Sweep", n, full, full/n, released)
	runtime.KeepAlive(l)
	runtime.KeepAlive(ids)

	// The limiter still works after its shards were rebuilt.
	if d := l.Reserve(ids[0], at(window)); !d.Allowed || d.Remaining != 2 {
		t.Errorf("Reserve after Sweep = %+v, want allowed with 2 remaining", d)
	}
}

func TestStatusSweepsItsShard(t *testing.T) {
	l := ratelimit.New(3, window)
	l.Reserve("c", t0)
	l.Status("c", at(window))
	if got := l.Len(); got != 0 {
		t.Errorf("Len() = %d after the shard's own sweep, want 0", got)
	}
}

// TestIdleConversationsForgottenWithoutSweep runs a long-lived process that
// only ever calls Reserve, with ten new conversations a second for three
// hours of virtual time, and checks that memory follows the traffic of the
// last window rather than the total.
func TestIdleConversationsForgottenWithoutSweep(t *testing.T) {
	const perSecond, seconds = 10, 3 * 60 * 60
	l := ratelimit.New(3, window)
	ids := convIDs(perSecond * seconds)
	bound := perSecond * int(2*window/time.Second)
	for s := range seconds {
		now := at(time.Duration(s) * time.Second)
		for _, id := range ids[s*perSecond : (s+1)*perSecond] {
			l.Reserve(id, now)
		}
		if s%60 == 0 {
			if got := l.Len(); got > bound {
				t.Fatalf("after %v: Len() = %d, want at most %d", now.Sub(t0), got, bound)
			}
		}
	}
	t.Logf("%d conversations created, %d remembered", len(ids), l.Len())
}
