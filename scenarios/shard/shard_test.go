package shard

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("suite/%02d/case_%03d.yaml", i%7, i)
	}
	return out
}

func stable(keys []string) []Item {
	items := make([]Item, len(keys))
	for i, k := range keys {
		items[i] = Item{Key: k, Duration: -1}
	}
	return items
}

// timed gives most files a duration from a skewed distribution, as real
// suites have (a few slow scenarios, many quick ones), and leaves some
// without, as a suite that grew since the last report does.
func timed(keys []string, seed uint64) []Item {
	r := rand.New(rand.NewPCG(seed, 1))
	items := make([]Item, len(keys))
	for i, k := range keys {
		d := time.Duration(r.ExpFloat64() * float64(300*time.Millisecond))
		if r.IntN(10) == 0 {
			d = -1
		}
		items[i] = Item{Key: k, Duration: d}
	}
	return items
}

// TestUnionWithoutOverlap: for every n from 1 to 8, each shard's share,
// computed on its own as a runner would, together make the whole set and
// no file is in two shares — for the stable split and for balanced ones.
func TestUnionWithoutOverlap(t *testing.T) {
	keys := names(203)
	cases := []struct {
		name  string
		items []Item
	}{
		{"stable", stable(keys)},
		{"balanced", timed(keys, 1)},
		{"balanced, all timed", timed(keys, 2)},
		{"three files", stable(keys[:3])},
		{"no files", nil},
	}
	for _, c := range cases {
		for n := 1; n <= 8; n++ {
			t.Run(fmt.Sprintf("%s/n=%d", c.name, n), func(t *testing.T) {
				owner := map[string]int{}
				for i := 1; i <= n; i++ {
					// Each runner computes the assignment itself.
					got := Assign(c.items, n)
					for j, s := range got {
						if s < 1 || s > n {
							t.Fatalf("%s on shard %d of %d", c.items[j].Key, s, n)
						}
						if s != i {
							continue
						}
						if prev, dup := owner[c.items[j].Key]; dup {
							t.Errorf("%s on shards %d and %d", c.items[j].Key, prev, i)
						}
						owner[c.items[j].Key] = i
					}
				}
				if len(owner) != len(c.items) {
					t.Errorf("the shards hold %d files, the set has %d", len(owner), len(c.items))
				}
			})
		}
	}
}

// TestStableWhenFilesAreAdded: adding files to the suite never moves a
// file that was already there.
func TestStableWhenFilesAreAdded(t *testing.T) {
	all := names(300)
	for n := 1; n <= 8; n++ {
		before := Assign(stable(all[:200]), n)
		after := Assign(stable(all), n)
		for i := range before {
			if before[i] != after[i] {
				t.Errorf("n=%d: %s moved from shard %d to %d when files were added", n, all[i], before[i], after[i])
			}
		}
	}
}

// TestGrowingShardCount: from n to n+1 shards, a file either stays or
// moves to the new shard; never from one old shard to another.
func TestGrowingShardCount(t *testing.T) {
	keys := names(500)
	for n := 1; n < 8; n++ {
		moved := 0
		for _, k := range keys {
			a, b := Of(k, n), Of(k, n+1)
			if a != b {
				moved++
				if b != n+1 {
					t.Errorf("%s moved from shard %d to old shard %d going from %d to %d shards", k, a, b, n, n+1)
				}
			}
		}
		// About 1/(n+1) move; a modulo split would move most.
		if want := len(keys) / (n + 1); moved > 2*want {
			t.Errorf("n=%d→%d: %d of %d files moved, expected about %d", n, n+1, moved, len(keys), want)
		}
	}
}

// TestStableSpread: the hash spreads a suite roughly evenly.
func TestStableSpread(t *testing.T) {
	keys := names(1000)
	for _, n := range []int{2, 4, 8} {
		count := make([]int, n+1)
		for _, s := range Assign(stable(keys), n) {
			count[s]++
		}
		want := len(keys) / n
		for s := 1; s <= n; s++ {
			if count[s] < want*3/4 || count[s] > want*5/4 {
				t.Errorf("n=%d: shard %d has %d files, expected about %d: %v", n, s, count[s], want, count[1:])
			}
		}
	}
}

// TestBalanced: with every file timed, greedy longest-first leaves no
// shard longer than another by more than the longest file, and the
// slowest shard is within 4/3 of the ideal share.
func TestBalanced(t *testing.T) {
	keys := names(120)
	for seed := uint64(1); seed <= 20; seed++ {
		items := timed(keys, seed)
		for i := range items {
			if items[i].Duration < 0 {
				items[i].Duration = 50 * time.Millisecond
			}
		}
		for n := 2; n <= 8; n++ {
			load := make([]time.Duration, n+1)
			var total, longest time.Duration
			for i, s := range Assign(items, n) {
				load[s] += items[i].Duration
				total += items[i].Duration
				longest = max(longest, items[i].Duration)
			}
			lo, hi := load[1], load[1]
			for _, l := range load[1:] {
				lo, hi = min(lo, l), max(hi, l)
			}
			if hi-lo > longest {
				t.Errorf("seed %d n=%d: shards from %v to %v, more apart than the longest file %v", seed, n, lo, hi, longest)
			}
			ideal := max(total/time.Duration(n), longest)
			if hi > ideal*4/3+time.Millisecond {
				t.Errorf("seed %d n=%d: slowest shard %v, ideal %v", seed, n, hi, ideal)
			}
		}
	}
}

// TestBalancedBeatsStable: on a skewed suite the balanced split's slowest
// shard is faster than the stable split's.
func TestBalancedBeatsStable(t *testing.T) {
	keys := names(40)
	items := timed(keys, 7)
	for i := range items {
		items[i].Duration = time.Duration(i*i) * time.Millisecond
	}
	slowest := func(shards []int) time.Duration {
		load := make([]time.Duration, 5)
		for i, s := range shards {
			load[s] += items[i].Duration
		}
		return max(load[1], load[2], load[3], load[4])
	}
	b, s := slowest(Assign(items, 4)), slowest(Assign(stable(keys), 4))
	if b >= s {
		t.Errorf("balanced slowest shard %v, stable %v", b, s)
	}
}

func TestParseSpec(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Spec
		err  string
	}{
		{in: "1/1", want: Spec{1, 1}},
		{in: "2/4", want: Spec{2, 4}},
		{in: " 4/4 ", want: Spec{4, 4}},
		{in: "0/4", err: "counts from 1"},
		{in: "5/4", err: "counts from 1"},
		{in: "1/0", err: "counts from 1"},
		{in: "2", err: "write INDEX/COUNT"},
		{in: "a/b", err: "write INDEX/COUNT"},
		{in: "", err: "write INDEX/COUNT"},
	} {
		got, err := ParseSpec(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseSpec(%q) = %v, %v; want an error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseSpec(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestReadJUnit(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.xml")
	os.WriteFile(a, []byte(`<?xml version="1.0"?>
<testsuites><testsuite name="actionbench shard 1/2">
  <testcase name="x" classname="suite/./x.yaml" time="1.250"></testcase>
  <testcase name="y" classname="suite/y.yaml" time="0.010"><failure message="m">t</failure></testcase>
</testsuite></testsuites>`), 0o600)
	b := filepath.Join(dir, "b.xml")
	os.WriteFile(b, []byte(`<testsuite><testcase classname="suite/y.yaml" time="2"/><testcase classname="z.yaml" time="bad"/></testsuite>`), 0o600)
	tm, err := ReadJUnit(a, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		names []string
		want  time.Duration
		ok    bool
	}{
		{[]string{"suite/x.yaml"}, 1250 * time.Millisecond, true},
		{[]string{"elsewhere/y.yaml", "suite/y.yaml"}, 2 * time.Second, true},
		{[]string{"z.yaml"}, 0, false},
	} {
		if d, ok := tm.Lookup(c.names...); d != c.want || ok != c.ok {
			t.Errorf("Lookup(%v) = %v, %v; want %v, %v", c.names, d, ok, c.want, c.ok)
		}
	}
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(bad, []byte("<testsuite><testcase"), 0o600)
	if _, err := ReadJUnit(bad); err == nil || !strings.Contains(err.Error(), "bad.xml") {
		t.Errorf("broken XML: %v", err)
	}
	empty := filepath.Join(dir, "empty.xml")
	os.WriteFile(empty, []byte("<testsuites/>"), 0o600)
	if _, err := ReadJUnit(empty); err == nil || !strings.Contains(err.Error(), "no testcase") {
		t.Errorf("no testcases: %v", err)
	}
}
