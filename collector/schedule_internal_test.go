package collector

import (
	"testing"
	"time"
)

// TestBackoffStaysWithinADay: the backoff doubles from 5 minutes, with
// jitter, and the jitter never takes it past a day.
func TestBackoffStaysWithinADay(t *testing.T) {
	if backoff(0) != 0 {
		t.Fatalf("backoff(0) = %s", backoff(0))
	}
	for n := 1; n <= 20; n++ {
		base := min(5*time.Minute<<min(n-1, 9), 24*time.Hour)
		for range 200 {
			d := backoff(n)
			if d < base/2 || d > 24*time.Hour {
				t.Fatalf("backoff(%d) = %s, want within [%s, 24h]", n, d, base/2)
			}
		}
	}
}
