package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// byteSize is a size flag: a number of bytes, or of KiB or MiB with the
// unit written after it ("4MiB", "512KiB", "2M").
type byteSize int

func (b *byteSize) String() string {
	return strings.ReplaceAll(yamlsrc.Size(int64(*b)), " ", "")
}

func (b *byteSize) Type() string { return "size" }

func (b *byteSize) Set(s string) error {
	t := strings.ToLower(strings.TrimSpace(s))
	unit := 1
	for _, u := range []struct {
		suffix string
		n      int
	}{{"mib", yamlsrc.MiB}, {"mb", yamlsrc.MiB}, {"m", yamlsrc.MiB}, {"kib", 1024}, {"kb", 1024}, {"k", 1024}, {"b", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, unit = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.n
			break
		}
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 1 || n > 1<<30/unit {
		return fmt.Errorf("%q is not a size: write a number of bytes, KiB or MiB up to 1024 MiB, e.g. 4MiB", s)
	}
	*b = byteSize(n * unit)
	return nil
}

// limits returns the input limits of a file kind whose defaults are def,
// with the size the flag gives.
func (b byteSize) limits(def yamlsrc.Limits) yamlsrc.Limits {
	def.Bytes = int(b)
	return def
}
