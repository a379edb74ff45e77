package engine

import (
	"fmt"
	"strconv"
	"time"
)

// seconds renders a duration as the reference does: "8 s", "6.0 s".
func seconds(d time.Duration) string {
	if d%time.Second == 0 && d >= time.Second {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func minutes(d time.Duration) string {
	return fmt.Sprintf("%d min", int(d.Minutes()))
}

// FormatLatency writes how long an exchange took, as every face shows it:
// "<1 ms" below a millisecond (a local refusal, a loopback reply), whole
// milliseconds below a second, tenths of a second above.
func FormatLatency(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1 ms"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// roundDuration renders a wait to the second: "4m20s".
func roundDuration(d time.Duration) string {
	return d.Round(time.Second).String()
}

// commas renders 102400 as "102,400".
func commas(n int) string { return Commas(int64(n)) }

// Commas renders 102400 as "102,400", as the engine's diagnoses write
// numbers, for the faces that show numbers beside them.
func Commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + Commas(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
