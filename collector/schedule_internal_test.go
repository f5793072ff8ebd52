package collector

import (
	"testing"
	"time"
)

// TestBackoffGrowsAndStaysWithinADay: the backoff doubles from 5 minutes,
// with jitter; a longer streak never waits less than a shorter one (until
// both reach the day), and the jitter never takes it past a day.
func TestBackoffGrowsAndStaysWithinADay(t *testing.T) {
	if backoff(0) != 0 {
		t.Fatalf("backoff(0) = %s", backoff(0))
	}
	var longest time.Duration // of the previous streak length
	for n := 1; n <= 20; n++ {
		base := min(5*time.Minute<<min(n-1, 9), 24*time.Hour)
		shortest, most := 24*time.Hour, time.Duration(0)
		for range 500 {
			d := backoff(n)
			if d < base || d > 24*time.Hour {
				t.Fatalf("backoff(%d) = %s, want within [%s, 24h]", n, d, base)
			}
			shortest, most = min(shortest, d), max(most, d)
		}
		if shortest < longest && shortest < 24*time.Hour {
			t.Fatalf("backoff(%d) can be %s, shorter than backoff(%d) (up to %s)", n, shortest, n-1, longest)
		}
		longest = most
	}
}
