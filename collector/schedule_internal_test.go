package collector

import (
	"testing"
	"time"
)

// TestBackoffGrowsAndStaysWithinADay: the backoff doubles from 5 minutes,
// with jitter; a longer streak never waits less than a shorter one below
// the cap, the jitter never takes it past a day and is still there at the
// cap.
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
			if d < min(base, 21*time.Hour) || d > 24*time.Hour {
				t.Fatalf("backoff(%d) = %s, want within [%s, 24h]", n, d, min(base, 21*time.Hour))
			}
			shortest, most = min(shortest, d), max(most, d)
		}
		if shortest < longest && longest < 21*time.Hour { // at the cap, waits share 21–23 h
			t.Fatalf("backoff(%d) can be %s, shorter than backoff(%d) (up to %s)", n, shortest, n-1, longest)
		}
		if shortest == most {
			t.Fatalf("backoff(%d) is always %s: no jitter", n, most)
		}
		longest = most
	}
}
