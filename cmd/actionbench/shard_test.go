package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shardSuite writes n quick scenarios in two folders and returns the folder.
func shardSuite(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		sub := filepath.Join(dir, []string{"orders", "returns"}[i%2])
		os.MkdirAll(sub, 0o755)
		writeFileIn(t, sub, fmt.Sprintf("case_%02d.yaml", i), fmt.Sprintf(`name: case %d
visitor: {email: jane@example.com}
steps:
  - say: where is my order 1042
  - expect:
      bot: {contains: "#1042 is shipped"}
`, i))
	}
	return dir
}

func listed(t *testing.T, res result) []string {
	t.Helper()
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	return strings.Fields(res.stdout)
}

// TestRunShards runs a suite as four CI runners would: each shard runs
// and reports its own share, and the reports together hold every file
// exactly once. The stable split comes from $ACTIONBENCH_SHARD as well as
// from --shard, and --list prints the same share without running it.
func TestRunShards(t *testing.T) {
	const files, shards = 10, 4
	dir := shardSuite(t, files)
	reports := t.TempDir()
	seen := map[string]int{}
	for i := 1; i <= shards; i++ {
		spec := fmt.Sprintf("%d/%d", i, shards)
		list := listed(t, actionbench(t, runOptions{env: []string{"ACTIONBENCH_SHARD=" + spec}}, "run", dir, "--list"))
		same := listed(t, actionbench(t, runOptions{}, "run", dir, "--shard", spec, "--list"))
		if strings.Join(list, " ") != strings.Join(same, " ") {
			t.Errorf("shard %s: $ACTIONBENCH_SHARD lists %v, --shard lists %v", spec, list, same)
		}
		junit := filepath.Join(reports, fmt.Sprintf("report-%d.xml", i))
		res := actionbench(t, runOptions{}, "run", dir, "--shard", spec, "--junit", junit)
		if res.code != 0 {
			t.Fatalf("shard %s: exit %d\n%s%s", spec, res.code, res.stdout, res.stderr)
		}
		if want := fmt.Sprintf("\n%d passed, 0 failed\n", len(list)); !strings.Contains(res.stdout, want) {
			t.Errorf("shard %s: output lacks %q:\n%s", spec, want, res.stdout)
		}
		doc := readShardJUnit(t, junit)
		if doc.Suite.Name != "actionbench shard "+spec {
			t.Errorf("shard %s: suite named %q", spec, doc.Suite.Name)
		}
		var ran []string
		for _, c := range doc.Suite.Cases {
			ran = append(ran, c.Classname)
			seen[c.Classname]++
		}
		if strings.Join(ran, " ") != strings.Join(list, " ") {
			t.Errorf("shard %s ran %v, listed %v", spec, ran, list)
		}
	}
	all := listed(t, actionbench(t, runOptions{}, "run", dir, "--list"))
	if len(all) != files || len(seen) != files {
		t.Fatalf("%d files listed, %d reported by the shards; want %d", len(all), len(seen), files)
	}
	for _, f := range all {
		if seen[f] != 1 {
			t.Errorf("%s ran on %d shards", f, seen[f])
		}
	}
}

// TestRunShardTimings balances by earlier reports: with one file far
// slower than the rest, its shard gets nothing else, while a file the
// reports do not know stays where the stable split puts it.
func TestRunShardTimings(t *testing.T) {
	dir := shardSuite(t, 9)
	all := listed(t, actionbench(t, runOptions{}, "run", dir, "--list"))
	var b strings.Builder
	b.WriteString("<testsuites><testsuite name=\"earlier\">\n")
	for i, f := range all[:8] { // the last file is new since the report
		secs := "0.500"
		if i == 3 {
			secs = "30.000"
		}
		fmt.Fprintf(&b, "<testcase name=\"x\" classname=%q time=%q/>\n", f, secs)
	}
	b.WriteString("</testsuite></testsuites>\n")
	report := writeFileIn(t, t.TempDir(), "earlier.xml", b.String())

	newFile := all[8]
	owner := map[string]string{}
	for i := 1; i <= 3; i++ {
		spec := fmt.Sprintf("%d/3", i)
		for _, f := range listed(t, actionbench(t, runOptions{}, "run", dir, "--shard", spec, "--shard-timings", report, "--list")) {
			if owner[f] != "" {
				t.Errorf("%s on shards %s and %s", f, owner[f], spec)
			}
			owner[f] = spec
		}
	}
	if len(owner) != len(all) {
		t.Fatalf("balanced shards hold %d files, want %d", len(owner), len(all))
	}
	slow := owner[all[3]]
	for f, s := range owner {
		if s == slow && f != all[3] && f != newFile {
			t.Errorf("%s shares shard %s with the 30 s file", f, s)
		}
	}
	stable := map[string]string{}
	for i := 1; i <= 3; i++ {
		spec := fmt.Sprintf("%d/3", i)
		for _, f := range listed(t, actionbench(t, runOptions{}, "run", dir, "--shard", spec, "--list")) {
			stable[f] = spec
		}
	}
	if owner[newFile] != stable[newFile] {
		t.Errorf("the untimed %s went to shard %s, the stable split says %s", newFile, owner[newFile], stable[newFile])
	}
}

func TestRunShardBadInput(t *testing.T) {
	dir := shardSuite(t, 1)
	for _, c := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--shard", "5/4"}, nil, `--shard: shard "5/4": the index counts from 1`},
		{nil, []string{"ACTIONBENCH_SHARD=two"}, "ACTIONBENCH_SHARD: shard \"two\": write INDEX/COUNT"},
		{[]string{"--shard-timings", "x.xml"}, nil, "give --shard I/N too"},
		{[]string{"--shard", "1/2", "--shard-timings", "missing.xml"}, nil, "--shard-timings: open missing.xml"},
	} {
		res := actionbench(t, runOptions{env: c.env}, append([]string{"run", dir}, c.args...)...)
		if res.code != 2 || !strings.Contains(res.stderr, c.want) {
			t.Errorf("%v %v: exit %d, stderr %q; want 2 and %q", c.args, c.env, res.code, res.stderr, c.want)
		}
	}
}

type shardJUnit struct {
	Suite struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			Classname string `xml:"classname,attr"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readShardJUnit(t *testing.T, path string) shardJUnit {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc shardJUnit
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}
