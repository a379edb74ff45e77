//go:build !linux

package load

import "time"

// sleepPrecisely is time.Sleep where the kernel's nanosleep is not
// reachable through package syscall (see sleep_linux.go).
func sleepPrecisely(d time.Duration) { time.Sleep(d) }
