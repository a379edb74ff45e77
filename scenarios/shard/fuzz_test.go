package shard

import (
	"strings"
	"testing"
)

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"1/1", "2/4", "0/4", "x/y", "9/3", "-1/-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseSpec(s)
		if err != nil {
			return
		}
		if spec.Index < 1 || spec.Index > spec.Count {
			t.Fatalf("ParseSpec(%q) = %v", s, spec)
		}
		if again, err := ParseSpec(spec.String()); err != nil || again != spec {
			t.Fatalf("%v does not read back: %v, %v", spec, again, err)
		}
	})
}

func FuzzReadJUnit(f *testing.F) {
	f.Add(`<testsuites><testsuite><testcase classname="a.yaml" time="1.5"/></testsuite></testsuites>`)
	f.Add(`<testcase classname="" time="-1"/>`)
	f.Fuzz(func(t *testing.T, doc string) {
		tm := Timings{}
		if err := tm.read(strings.NewReader(doc)); err != nil {
			return
		}
		for k, d := range tm {
			if d < 0 {
				t.Fatalf("%s has a negative time %v", k, d)
			}
		}
	})
}
