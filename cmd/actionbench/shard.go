package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/actionbench/actionbench/scenarios"
	"github.com/actionbench/actionbench/scenarios/shard"
)

// shardEnv names the variable read when --shard is absent, so a CI job
// can set it once for every step.
const shardEnv = "ACTIONBENCH_SHARD"

type shardFlags struct {
	shard   string
	timings []string
	list    bool
}

func (f *shardFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.shard, "shard", "", "run only shard `I/N` of the files (default $"+shardEnv+")")
	fl.StringSliceVar(&f.timings, "shard-timings", nil, "balance shards by the times in earlier `JUNIT` reports")
	fl.BoolVar(&f.list, "list", false, "print the files this run or shard would run; run nothing")
}

// spec is the shard asked for by --shard or the environment; Count is 0
// when the run is not sharded.
func (f *shardFlags) spec(e env) (shard.Spec, error) {
	s, from := f.shard, "--shard"
	if s == "" {
		if v, ok := e.lookupEnv(shardEnv); ok && v != "" {
			s, from = v, shardEnv
		}
	}
	if s == "" {
		if len(f.timings) > 0 {
			return shard.Spec{}, badInputf("--shard-timings balances shards: give --shard I/N too")
		}
		return shard.Spec{}, nil
	}
	spec, err := shard.ParseSpec(s)
	if err != nil {
		return shard.Spec{}, badInputf("%s: %v", from, err)
	}
	return spec, nil
}

// pick keeps the files that fall on the shard. Every runner computes the
// same split from the same files and timings, so no runner needs to talk
// to another.
func (f *shardFlags) pick(files []scenarios.File, spec shard.Spec) ([]scenarios.File, error) {
	var times shard.Timings
	if len(f.timings) > 0 {
		var reports []string
		for _, pattern := range f.timings {
			// Patterns are expanded here too, for CI steps that quote them.
			matches, err := filepath.Glob(pattern)
			if err != nil || len(matches) == 0 {
				matches = []string{pattern}
			}
			reports = append(reports, matches...)
		}
		var err error
		if times, err = shard.ReadJUnit(reports...); err != nil {
			return nil, badInputf("--shard-timings: %v", err)
		}
	}
	items := make([]shard.Item, len(files))
	for i, file := range files {
		items[i] = shard.Item{Key: file.Rel, Duration: -1}
		if d, ok := times.Lookup(filepath.ToSlash(file.Path), file.Rel); ok {
			items[i].Duration = d
		}
	}
	var out []scenarios.File
	for i, s := range shard.Assign(items, spec.Count) {
		if s == spec.Index {
			out = append(out, files[i])
		}
	}
	return out, nil
}

// suiteName names a run's JUnit suite, with its shard when sharded, so
// reports collected from several runners say which is which.
func suiteName(spec shard.Spec) string {
	if spec.Count == 0 {
		return "actionbench"
	}
	return fmt.Sprintf("actionbench shard %s", spec)
}
