package engine

import (
	"math/rand/v2"
	"testing"
	"time"
)

// appendTimestamp must write what time.Format writes, for any time,
// including the years Format writes differently.
func TestAppendTimestampMatchesFormat(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 11, 21, 9, 5, 7, 999_999_999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 15, 12, 30, 0, 0, time.UTC),
		time.Unix(0, 0).UTC(),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		times = append(times, time.Unix(r.Int64N(400*365*86400)-100*365*86400, r.Int64N(1e9)).UTC())
	}
	for _, tm := range times {
		if got, want := string(appendTimestamp(nil, tm)), tm.Format(timestampLayout); got != want {
			t.Fatalf("appendTimestamp(%v) = %q, want %q", tm, got, want)
		}
	}
}
