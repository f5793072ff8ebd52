package collector_test

import (
	"context"
	"strings"
	"testing"

	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
)

func TestReplay(t *testing.T) {
	const unit, d = "p34-08", "2025-08-05"
	e := newEnv(t)
	ctx := context.Background()
	e.pull(unit, d, d) // the catalogue and the day's good data
	_, before := e.stored([]string{unit}, d, d)

	// A wrong-era pull is refused whole; its records are sound, so a
	// replay as the source's own unit accepts them.
	e.sim.SetFault(unit, simulator.Fault{WrongEra: true})
	_, _ = e.col.Pull(ctx, e.srcs[unit], day(d), day(d), nil)
	items, err := e.st.ListQuarantine(ctx, store.QuarantineFilter{Source: unit, Pending: true, Limit: 1000})
	if err != nil || len(items) == 0 {
		t.Fatalf("quarantine: %d items, %v", len(items), err)
	}
	ok, why, err := e.col.Replay(ctx, items[0].ID)
	if err != nil || !ok {
		t.Fatalf("replay of a wrong-era record: %v %q %v", ok, why, err)
	}
	e.flush()
	_, after := e.stored([]string{unit}, d, d)
	if after != before {
		t.Fatalf("the day has %d rows after the replay, want the same %d (the record replaces its procedure's row)", after, before)
	}
	if _, _, err := e.col.Replay(ctx, items[0].ID); err == nil || !strings.Contains(err.Error(), "already replayed") {
		t.Fatalf("second replay: %v", err)
	}
	pending, err := e.st.ListQuarantine(ctx, store.QuarantineFilter{Source: unit, Pending: true, Limit: 1000})
	if err != nil || len(pending) != len(items)-1 {
		t.Fatalf("%d pending after one replay (%v), want %d", len(pending), err, len(items)-1)
	}

	// A record that breaks a rule is refused again, with the reason.
	e.sim.SetFault(unit, simulator.Fault{Contradictions: 0.2})
	_, _ = e.col.Pull(ctx, e.srcs[unit], day(d), day(d), nil)
	bad, err := e.st.ListQuarantine(ctx, store.QuarantineFilter{Source: unit, Reason: "exceeds", Limit: 1})
	if err != nil || len(bad) != 1 {
		t.Fatalf("no contradictory record quarantined (%v)", err)
	}
	ok, why, err = e.col.Replay(ctx, bad[0].ID)
	if err != nil || ok || !strings.Contains(why, "exceeds") {
		t.Fatalf("replay of a contradictory record: %v %q %v", ok, why, err)
	}
	got, err := e.st.GetQuarantine(ctx, bad[0].ID)
	if err != nil || got.Replayed || !strings.Contains(got.ReplayResult, "exceeds") {
		t.Fatalf("replay outcome not recorded: %+v (%v)", got, err)
	}
}
