package load

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseRate reads an arrival rate such as "200/s", "90/m", "3600/h" or a
// bare "200" (per second), and returns it in arrivals per second.
func ParseRate(s string) (float64, error) {
	text := strings.TrimSpace(s)
	num, unit, hasUnit := strings.Cut(text, "/")
	per := 1.0
	if hasUnit {
		switch strings.TrimSpace(unit) {
		case "s", "1s":
			per = 1
		case "m", "min", "1m":
			per = 60
		case "h", "1h":
			per = 3600
		default:
			return 0, fmt.Errorf("rate %q: unknown unit %q: write calls per second, minute or hour, e.g. 200/s, 90/m, 3600/h", s, unit)
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, fmt.Errorf("rate %q: expected a number of calls and a unit, e.g. 200/s", s)
	}
	r := n / per
	if r <= 0 {
		return 0, fmt.Errorf("rate %q: must be above zero", s)
	}
	if r > MaxRate {
		return 0, fmt.Errorf("rate %q: over %d/s, more than one machine can send; split it over machines with --shard", s, MaxRate)
	}
	return r, nil
}

// MaxRate bounds a rate so that schedules stay exact in nanoseconds.
const MaxRate = 1_000_000

// ParseRateRange reads "200/s" (a constant rate) or "50/s:400/s" (a ramp
// from the first rate to the second).
func ParseRateRange(s string) (start, end float64, err error) {
	a, b, ramp := strings.Cut(s, ":")
	if start, err = ParseRate(a); err != nil {
		return 0, 0, err
	}
	if !ramp {
		return start, start, nil
	}
	if end, err = ParseRate(b); err != nil {
		return 0, 0, err
	}
	return start, end, nil
}

// Schedule says when each arrival of an open-model run is due, whatever
// the endpoint does: arrivals come at Start per second during Warmup, then
// the rate moves linearly to End over Ramp, then stays at End. The n-th
// arrival of the whole run is due when the integral of the rate reaches n.
//
// A run split over machines gives each shard every Shards-th arrival of
// the whole schedule, so the shards' arrivals interleave exactly as one
// machine's would.
type Schedule struct {
	Start, End float64 // arrivals per second
	Warmup     time.Duration
	Ramp       time.Duration
	Shard      int // 0-based
	Shards     int // 0 or 1: not split
}

// Validate checks the schedule's figures.
func (s Schedule) Validate() error {
	switch {
	case !(s.Start > 0) || !(s.End > 0):
		return errors.New("rates must be above zero")
	case s.Warmup < 0 || s.Ramp < 0:
		return errors.New("warmup and ramp cannot be negative")
	case s.Shards > 1 && (s.Shard < 0 || s.Shard >= s.Shards):
		return fmt.Errorf("shard %d of %d does not exist", s.Shard+1, s.Shards)
	}
	return nil
}

// At returns when this shard's k-th arrival (from 0) is due, as an offset
// from the run's start.
func (s Schedule) At(k int64) time.Duration {
	n := k
	if s.Shards > 1 {
		n = k*int64(s.Shards) + int64(s.Shard)
	}
	return s.due(float64(n))
}

// Seq returns the run-wide number of this shard's k-th arrival; shards
// never share one, so ids made from it never collide.
func (s Schedule) Seq(k int64) int64 {
	if s.Shards > 1 {
		return k*int64(s.Shards) + int64(s.Shard)
	}
	return k
}

// due inverts the cumulative arrival count N(t).
func (s Schedule) due(n float64) time.Duration {
	w, r := s.Warmup.Seconds(), s.Ramp.Seconds()
	// Warmup, at the start rate.
	if n < s.Start*w {
		return seconds(n / s.Start)
	}
	n -= s.Start * w
	// The ramp: N(u) = Start·u + (End−Start)·u²/(2r).
	if r > 0 {
		inRamp := (s.Start + s.End) * r / 2
		if n < inRamp {
			a := (s.End - s.Start) / (2 * r)
			// u = 2n / (b + √(b² + 4an)), stable for a ramp up or down.
			u := 2 * n / (s.Start + math.Sqrt(s.Start*s.Start+4*a*n))
			return seconds(w + u)
		}
		n -= inRamp
	}
	return seconds(w + r + n/s.End)
}

// RateAt returns the whole run's target rate at offset t.
func (s Schedule) RateAt(t time.Duration) float64 {
	switch {
	case t < s.Warmup:
		return s.Start
	case t < s.Warmup+s.Ramp:
		f := float64(t-s.Warmup) / float64(s.Ramp)
		return s.Start + f*(s.End-s.Start)
	}
	return s.End
}

// Expected returns how many arrivals the whole run has due in [from, to).
func (s Schedule) Expected(from, to time.Duration) float64 {
	return s.count(to) - s.count(from)
}

// count is N(t), the whole run's arrivals due before t.
func (s Schedule) count(t time.Duration) float64 {
	x := t.Seconds()
	w, r := s.Warmup.Seconds(), s.Ramp.Seconds()
	if x <= w {
		return s.Start * x
	}
	n := s.Start * w
	x -= w
	if x <= r {
		return n + s.Start*x + (s.End-s.Start)*x*x/(2*r)
	}
	return n + (s.Start+s.End)*r/2 + s.End*(x-r)
}

func seconds(x float64) time.Duration {
	if x >= float64(math.MaxInt64)/1e9 {
		return math.MaxInt64
	}
	return time.Duration(math.Round(x * 1e9))
}
