package load

import (
	"syscall"
	"time"
)

// sleepPrecisely blocks the calling thread for d with the kernel's
// high-resolution timer (nanosleep), its slack cut from the default 50 µs
// to 1 µs first: the slack lets the kernel wake a thread that late to
// batch wake-ups, which a pacer does not want. Go's timers wake up to a millisecond late when the process is otherwise
// idle, since the runtime then waits in epoll with a timeout in whole
// milliseconds: in the open model that lateness would be counted in every
// call's latency, the tool's delay reported as the endpoint's.
func sleepPrecisely(d time.Duration) {
	// Per thread, and this goroutine may run on another thread next time:
	// set on every sleep (one system call), an error left be (the
	// default slack only costs precision).
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_TIMERSLACK, uintptr(time.Microsecond), 0)
	ts := syscall.NsecToTimespec(int64(d))
	for ts.Sec > 0 || ts.Nsec > 0 {
		var left syscall.Timespec
		if syscall.Nanosleep(&ts, &left) != syscall.EINTR {
			return
		}
		ts = left // a signal (the runtime's preemption) cut it short
	}
}
