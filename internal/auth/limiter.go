package auth

import (
	"sync"
	"time"
)

// Limiter refuses sign-in attempts for a key (a login, an address) after
// Max failures within Window, until the oldest of them leaves the window.
// Safe for concurrent use; it lives in one process's memory.
type Limiter struct {
	Max    int
	Window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	fails map[string][]time.Time
}

// NewLimiter returns a limiter of max failures per window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, now: time.Now, fails: map[string][]time.Time{}}
}

// recent drops failures older than the window; the caller holds mu.
func (l *Limiter) recent(key string, now time.Time) []time.Time {
	fs := l.fails[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= l.Window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = fs
	}
	return fs
}

// Allowed reports whether key may try now, and if not, after how long.
func (l *Limiter) Allowed(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	fs := l.recent(key, now)
	if len(fs) < l.Max {
		return true, 0
	}
	return false, fs[0].Add(l.Window).Sub(now)
}

// Fail records a failure of key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.fails[key] = append(l.recent(key, now), now)
}

// Reset forgets key's failures (after a success).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
