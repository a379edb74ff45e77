package yamlsrc

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

func limited(lim Limits) Kind {
	k := recipe()
	k.Limits = lim
	return k
}

func TestLimits(t *testing.T) {
	lim := Limits{Bytes: 64, Flag: "--max-recipe-size"}
	for _, tc := range []struct {
		name, src string
		lim       Limits
		want      string
	}{
		{"too large", "title: a\nsteps:\n" + strings.Repeat("  - stir\n", 10), lim,
			"r.yaml:8:4: the recipe is 106 bytes, over the 64 bytes limit for a recipe, which ends here: split it, or raise the limit with --max-recipe-size 1MiB"},
		{"too deep, flow", "title: " + strings.Repeat("[", 70), Limits{},
			"r.yaml:1:71: lists and mappings nest deeper than 64 levels here: a recipe needs far fewer; look for a runaway [ or {"},
		{"too deep, blocks", "a:\n" + strings.Repeat("- ", 70) + "x\n", Limits{Depth: 8},
			"r.yaml:2:13: lists and mappings nest deeper than 8 levels here"},
		{"too deep, indentation", nested(12), Limits{Depth: 10},
			"r.yaml:11:11: lists and mappings nest deeper than 10 levels here"},
		{"too deep, after lone CRs", "title: a\rsteps: " + strings.Repeat("[", 70), Limits{},
			"r.yaml:2:71: lists and mappings nest deeper than 64 levels here"},
		{"too deep, after a block scalar", "title: |\n    text\n  steps: " + strings.Repeat("[", 70), Limits{},
			"r.yaml:3:72: lists and mappings nest deeper than 64 levels here"},
		{"too deep, after a block scalar with an indicator", "title: |4\n    text\n  " + strings.Repeat("[", 70), Limits{},
			"r.yaml:3:65: lists and mappings nest deeper than 64 levels here"},
		{"too many values", "steps: [" + strings.Repeat("a, ", 20) + "]\n", Limits{Bytes: 100, Nodes: 10},
			"r.yaml:1:30: the recipe holds more than 10 values (keys, scalars, lists and mappings) by here, the limit for a recipe of at most 100 bytes: split it"},
		{"invalid UTF-8", "title: ok\nsteps: [\"d\xe9j\xe0\"]\n", Limits{},
			"r.yaml:2:11: invalid UTF-8 (byte 0xE9): a recipe is UTF-8 text; save it as UTF-8"},
		{"control character", "title: a\x00b\n", Limits{},
			"r.yaml:1:9: control character 0x00: a recipe is UTF-8 text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReader("r.yaml", limited(tc.lim)).Document([]byte(tc.src))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
			if limit := !strings.Contains(tc.name, "UTF-8") && !strings.Contains(tc.name, "control"); errors.Is(err, ErrLimit) != limit {
				t.Errorf("errors.Is(err, ErrLimit) = %v, want %v", !limit, limit)
			}
		})
	}
	// Quoted text, block scalars and comments hold no structure.
	for _, src := range []string{
		"title: \"" + strings.Repeat("[", 100) + "\"\nsteps: []\n",
		"title: |\n  " + strings.Repeat("{", 100) + "\nsteps: []\n",
		"title: a # " + strings.Repeat("[", 100) + "\nsteps: []\n",
		"title: see " + strings.Repeat("[", 100) + "\nsteps: []\n",
		nested(60),
	} {
		if _, err := NewReader("r.yaml", recipe()).Document([]byte(src)); err != nil {
			t.Errorf("%.50q: %v", src, err)
		}
	}
}

// nested returns n mappings, each indented inside the one before.
func nested(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	b.WriteString(strings.Repeat(" ", n) + "v: 1\n")
	return b.String()
}

// A refusal costs what reading to the limit costs: ten million "[" are
// refused at the 65th, before go-yaml, which would need many GB for them.
func TestRefusalBeforeParsing(t *testing.T) {
	src := []byte("title: " + strings.Repeat("[", 10_000_000))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := NewReader("r.yaml", recipe()).Document(src)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("got %v, want a refusal", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("the refusal allocated %d bytes: it must come before parsing", grew)
	}
}

// ReadFile stops at the limit: /dev/zero never ends, and is refused.
func TestReadFileStopsAtTheLimit(t *testing.T) {
	_, err := ReadFile("/dev/zero", limited(Limits{Bytes: MiB, Flag: "--max"}))
	if !errors.Is(err, ErrLimit) || !strings.HasPrefix(err.Error(), "/dev/zero:1:1048577: the recipe is over the 1 MiB limit") {
		t.Errorf("got %v", err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{300: "300 bytes", 4096: "4 KiB", 1536: "1.5 KiB", MiB: "1 MiB", 23 * MiB / 2: "11.5 MiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
