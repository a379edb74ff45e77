// Package shard splits a suite of scenario files over CI runners.
//
// The split is rendezvous (highest-random-weight) hashing of each file's
// name relative to the folder given: a file goes to the shard whose weight
// hash(name, shard) is highest. Two properties follow, and the tests hold
// them: a file's shard depends only on its own name and the shard count, so
// adding or removing other files never moves it; and going from n to n+1
// shards moves only the files that land on the new shard (about 1/(n+1) of
// them), never a file from one old shard to another. With timings from
// earlier JUnit reports the split is instead greedy longest-first, which
// balances durations at the price of that stability.
package shard

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Spec is one shard of a split: Index of Count, both counted from 1.
type Spec struct {
	Index, Count int
}

func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ParseSpec reads "i/n", as in --shard 2/4.
func ParseSpec(s string) (Spec, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil {
		return Spec{}, fmt.Errorf("shard %q: write INDEX/COUNT, such as 2/4 for the second of four shards", s)
	}
	if count < 1 || index < 1 || index > count {
		return Spec{}, fmt.Errorf("shard %q: the index counts from 1 to the shard count, such as 1/%d to %d/%d", s, max(count, 1), max(count, 1), max(count, 1))
	}
	return Spec{Index: index, Count: count}, nil
}

// Of returns the shard, from 1 to n, that the stable split gives the file
// named key.
func Of(key string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(key))
	base := h.Sum64()
	best, bestWeight := 1, uint64(0)
	for i := 1; i <= n; i++ {
		if w := mix(base ^ mix(uint64(i))); i == 1 || w > bestWeight {
			best, bestWeight = i, w
		}
	}
	return best
}

// mix is splitmix64's finaliser: FNV's low bits are weak on their own, and
// the weights of one name for different shards must look independent.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Item is one file to place: Key names it for the stable split; Duration
// is its time from an earlier run, or negative when there is none.
type Item struct {
	Key      string
	Duration time.Duration
}

// Assign returns the shard, from 1 to n, of each item. Items with a
// duration are placed longest first, each on the shard with the least
// time so far (the lowest-numbered on a tie); items without one fall back
// to the stable split. Every shard computes the same answer from the same
// items, so each runner can compute its own share.
func Assign(items []Item, n int) []int {
	out := make([]int, len(items))
	var timed []int
	for i, it := range items {
		if it.Duration < 0 {
			out[i] = Of(it.Key, n)
			continue
		}
		timed = append(timed, i)
	}
	slices.SortStableFunc(timed, func(a, b int) int {
		if c := cmp.Compare(items[b].Duration, items[a].Duration); c != 0 {
			return c
		}
		return cmp.Compare(items[a].Key, items[b].Key)
	})
	load := make([]time.Duration, n)
	for _, i := range timed {
		least := 0
		for s := 1; s < n; s++ {
			if load[s] < load[least] {
				least = s
			}
		}
		load[least] += items[i].Duration
		out[i] = least + 1
	}
	return out
}
