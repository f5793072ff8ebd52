package auth

import (
	"sync"
	"time"
)

// Limiter refuses sign-in attempts for a key (a login, an address) after
// Max unforgiven attempts within Window, until the oldest of them leaves
// the window.
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

// Attempt counts an attempt of key now and reports whether it may go
// ahead (fewer than Max attempts in the window before it); if not, it is
// not counted and wait says when one may. Counting before the slow check,
// not after it, keeps parallel attempts within the limit. A successful
// attempt is taken back with Forgive (or all of key's with Reset).
func (l *Limiter) Attempt(key string) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	fs := l.recent(key, now)
	if len(fs) >= l.Max {
		return false, fs[0].Add(l.Window).Sub(now)
	}
	l.fails[key] = append(fs, now)
	if len(l.fails) > maxKeys {
		l.sweep(now)
	}
	return true, 0
}

// Blocked reports whether key has Max attempts in the window, so that the
// next Attempt would be refused, and if so how long until one may go
// ahead; nothing is counted. It suits checks that are cheap to pass and
// counted only when they fail (Attempt then).
func (l *Limiter) Blocked(key string) (blocked bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	fs := l.recent(key, now)
	if len(fs) >= l.Max {
		return true, fs[0].Add(l.Window).Sub(now)
	}
	return false, 0
}

// maxKeys bounds the keys held: beyond it, expired keys are swept.
const maxKeys = 100_000

// sweep drops every key without a failure in the window; the caller holds
// mu.
func (l *Limiter) sweep(now time.Time) {
	for k := range l.fails {
		l.recent(k, now)
	}
}

// Forgive takes back key's latest attempt (it succeeded).
func (l *Limiter) Forgive(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if fs := l.fails[key]; len(fs) > 0 {
		if len(fs) == 1 {
			delete(l.fails, key)
		} else {
			l.fails[key] = fs[:len(fs)-1]
		}
	}
}

// Reset forgets key's attempts (after a success).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}
