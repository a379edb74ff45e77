package ratelimit_test

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/ratelimit"
)

// convIDs returns n distinct ids shaped like the platform's, "conv_" and 12
// base32 characters, from a fixed seed so runs are comparable.
func convIDs(n int) []string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	r := rand.New(rand.NewPCG(1, 2))
	seen := make(map[string]bool, n)
	ids := make([]string, 0, n)
	buf := []byte("conv_............")
	for len(ids) < n {
		for i := 5; i < len(buf); i++ {
			buf[i] = alphabet[r.IntN(len(alphabet))]
		}
		if id := string(buf); !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// BenchmarkReserve advances the clock a millisecond per call over 100,000
// conversations, so each sees six calls a window: half allowed, half
// refused, with the shards' amortised sweeps included.
func BenchmarkReserve(b *testing.B) {
	ids := convIDs(100_000)
	l := ratelimit.New(3, window)
	now, i := t0, 0
	for b.Loop() {
		l.Reserve(ids[i%len(ids)], now)
		now = now.Add(time.Millisecond)
		i++
	}
}

// BenchmarkReserveChurn is conversations that come and go, as real ones
// do: 10,000 in rotation a second apart, so each is forgotten by a sweep
// before its next call and comes back as new.
func BenchmarkReserveChurn(b *testing.B) {
	ids := convIDs(10_000)
	l := ratelimit.New(3, window)
	now, i := t0, 0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		l.Reserve(ids[i%len(ids)], now)
		i++
	}
}

func BenchmarkReserveParallel(b *testing.B) {
	ids := convIDs(100_000)
	l := ratelimit.New(3, window)
	var start atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		i := int(start.Add(7919))
		now := t0
		for pb.Next() {
			l.Reserve(ids[i%len(ids)], now)
			now = now.Add(time.Millisecond)
			i++
		}
	})
}

// BenchmarkMapBaseline is the floor Reserve is compared with: one lookup and
// one store in a plain map under a mutex, over the same ids.
func BenchmarkMapBaseline(b *testing.B) {
	ids := convIDs(100_000)
	var mu sync.Mutex
	m := make(map[string]int64)
	i := 0
	for b.Loop() {
		id := ids[i%len(ids)]
		mu.Lock()
		m[id] = m[id] + 1
		mu.Unlock()
		i++
	}
}

func BenchmarkMapBaselineParallel(b *testing.B) {
	ids := convIDs(100_000)
	var mu sync.Mutex
	m := make(map[string]int64)
	var start atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		i := int(start.Add(7919))
		for pb.Next() {
			id := ids[i%len(ids)]
			mu.Lock()
			m[id] = m[id] + 1
			mu.Unlock()
			i++
		}
	})
}

// BenchmarkMemory1M fills a limiter with a million conversations and
// reports the heap it holds, not counting the ids, which exist before the
// baseline is taken and which the limiter's map shares rather than copies.
func BenchmarkMemory1M(b *testing.B) {
	const n = 1_000_000
	ids := convIDs(n)
	var used uint64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		base := heapAlloc()
		b.StartTimer()
		l := ratelimit.New(3, window)
		for _, id := range ids {
			l.Reserve(id, t0)
		}
		b.StopTimer()
		used = heapAlloc() - base
		runtime.KeepAlive(l)
		b.StartTimer()
	}
	b.ReportMetric(float64(used)/n, "B/conv")
	b.ReportMetric(float64(used)/1e6, "MB/1M")
	runtime.KeepAlive(ids)
}
