package egovkpi

import (
	"testing"
	"time"
)

func TestDay(t *testing.T) {
	late := time.Date(2025, time.June, 30, 23, 59, 0, 0, time.FixedZone("ICT", 7*3600))
	if got := Day(late); !got.Equal(Date(2025, time.June, 30)) || got.Location() != time.UTC {
		t.Fatalf("Day(%s) = %s, want 2025-06-30 UTC", late, got)
	}
}

func TestValidity(t *testing.T) {
	u := Unit{ValidFrom: Date(2020, time.January, 1)}
	if got := u.Validity(); got != "from 2020-01-01" {
		t.Errorf("open unit: %q", got)
	}
	u.ValidTo = Date(2025, time.June, 30)
	if got := u.Validity(); got != "from 2020-01-01 to 2025-06-30" {
		t.Errorf("ended unit: %q", got)
	}
	if !u.ValidOn(time.Date(2025, time.June, 30, 23, 0, 0, 0, time.FixedZone("ICT", 7*3600))) {
		t.Error("a time late on the last day is not valid")
	}
}
