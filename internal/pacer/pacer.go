// Package pacer paces the housekeeping that rides on requests (a purge of
// expired login counts, a sweep of stale sessions): at most once an
// interval per process, however many requests pass by.
package pacer

import (
	"sync"
	"time"
)

// Pacer remembers when its housekeeping last ran. The zero value is ready
// (the first Due says yes); it is safe for concurrent use.
type Pacer struct {
	mu   sync.Mutex
	last time.Time
}

// Due reports whether every has passed, at now, since the last time Due
// said yes (or it never did); when it has, now becomes that time, so only
// one caller of a burst does the work.
func (p *Pacer) Due(now time.Time, every time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.last) < every {
		return false
	}
	p.last = now
	return true
}
