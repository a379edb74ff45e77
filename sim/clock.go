// Package sim simulates the chatbot side of a conversation: a visitor
// says things, clicks quick replies, fills the lead form or triggers
// actions by hand, and the bot from the workspace answers — firing custom
// actions and event webhooks through the engine in the platform's order.
// Conversations run on virtual clocks, so waiting ten minutes for the
// rate limit costs no real time; network timeouts stay real.
package sim

import (
	"sync"
	"time"
)

// Clock is a virtual clock. It only moves when Advance is called.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that reads start.
func NewClock(start time.Time) *Clock { return &Clock{now: start.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d; a negative d is ignored, because
// virtual time, like real time, never runs backwards.
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
