package egovkpi

import (
	"testing"
	"time"
)

func TestVietnamDay(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want time.Time
	}{
		{time.Date(2026, 6, 30, 16, 59, 0, 0, time.UTC), Date(2026, 6, 30)}, // 23:59 in Vietnam
		{time.Date(2026, 6, 30, 17, 0, 0, 0, time.UTC), Date(2026, 7, 1)},   // midnight in Vietnam
		{time.Date(2026, 7, 1, 3, 0, 0, 0, Vietnam), Date(2026, 7, 1)},
	} {
		if got := VietnamDay(c.at); !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("VietnamDay(%s) = %s, want %s", c.at, got, c.want)
		}
	}
	if _, off := time.Date(2026, 1, 1, 0, 0, 0, 0, Vietnam).Zone(); off != 7*3600 {
		t.Errorf("Vietnam is UTC%+d s", off)
	}
}
