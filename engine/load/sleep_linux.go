package load

import (
	"syscall"
	"time"
)

// sleepPrecisely blocks the calling thread for d with the kernel's
// high-resolution timer (nanosleep; the kernel adds about 50 µs of slack).
// Go's timers wake up to a millisecond late when the process is otherwise
// idle, since the runtime then waits in epoll with a timeout in whole
// milliseconds: in the open model that lateness would be counted in every
// call's latency, the tool's delay reported as the endpoint's.
func sleepPrecisely(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for ts.Sec > 0 || ts.Nsec > 0 {
		var left syscall.Timespec
		if syscall.Nanosleep(&ts, &left) != syscall.EINTR {
			return
		}
		ts = left // a signal (the runtime's preemption) cut it short
	}
}
