package metrics

import (
	"context"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
)

// TestCacheIsInvalidatedByLoads: a usage load drops the cached figures that
// read its month (and only those); a catalogue drops every figure read up
// to a day on or after its month; a figure computed while a change came in
// is not stored.
func TestCacheIsInvalidatedByLoads(t *testing.T) {
	db := loadScenario(t, "testdata/ranking")
	ctx := context.Background()
	c := NewCache(10)
	if err := c.Poll(ctx, db.Conn); err != nil { // the scenario's own changes
		t.Fatal(err)
	}
	put := func(key string, from, to time.Time) {
		_, epoch, _ := c.Get(key)
		c.Put(key, epoch, from, to, []byte(key))
	}
	put("2025-08", egovkpi.Date(2025, 7, 1), egovkpi.Date(2025, 8, 31))
	put("2025Q2", egovkpi.Date(2025, 1, 1), egovkpi.Date(2025, 6, 30))
	put("2025Q4", egovkpi.Date(2025, 7, 1), egovkpi.Date(2025, 12, 31))
	has := func(key string) bool { _, _, ok := c.Get(key); return ok }

	st := store.New(db.Conn, nil)
	u := record.Usage{UnitID: "p34-12", Day: egovkpi.Date(2025, 8, 20), Procedure: "1.000001"}
	u.SetValue(record.Received, 5)
	touched, err := st.WriteUsage(ctx, store.UsageLoad{LoadID: st.NewLoadID(), UnitID: "p34-12", Days: []time.Time{u.Day}, Rows: []record.Usage{u}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RefreshRollups(ctx, touched); err != nil {
		t.Fatal(err)
	}
	if !has("2025-08") {
		t.Fatal("dropped before the change was polled")
	}
	if err := c.Poll(ctx, db.Conn); err != nil {
		t.Fatal(err)
	}
	if has("2025-08") || has("2025Q4") || !has("2025Q2") {
		t.Fatalf("after a load of 2025-08: 2025-08 %v, 2025Q4 %v (want both dropped), 2025Q2 %v (want kept)", has("2025-08"), has("2025Q4"), has("2025Q2"))
	}
	// A catalogue as of 2025-06-01 may be in force at the end of anything
	// read up to 2025-06-01 or later, including 2025Q2.
	if err := st.WriteCatalogue(ctx, store.CatalogueLoad{LoadID: st.NewLoadID(), UnitID: "p34-12", AsOf: egovkpi.Date(2025, 6, 1),
		Procedures: []record.Procedure{{Code: "1.000001", Name: "x", Level: "none", Service: record.ServiceNone}}}); err != nil {
		t.Fatal(err)
	}
	put("2024", egovkpi.Date(2023, 1, 1), egovkpi.Date(2024, 12, 31))
	if err := c.Poll(ctx, db.Conn); err != nil {
		t.Fatal(err)
	}
	if has("2025Q2") || !has("2024") {
		t.Fatalf("after a catalogue as of 2025-06-01: 2025Q2 %v (want dropped), 2024 %v (want kept)", has("2025Q2"), has("2024"))
	}
	// Polling again applies nothing twice.
	_, before, _ := c.Get("x")
	if err := c.Poll(ctx, db.Conn); err != nil {
		t.Fatal(err)
	}
	if _, after, _ := c.Get("x"); after != before || !has("2024") {
		t.Fatal("a change was applied twice")
	}
	// Computed across an invalidation: not stored.
	_, epoch, _ := c.Get("late")
	c.Invalidate(store.ChangeUsage, egovkpi.Date(2020, 1, 1))
	c.Put("late", epoch, egovkpi.Date(2025, 1, 1), egovkpi.Date(2025, 1, 31), []byte("stale?"))
	if has("late") {
		t.Fatal("a figure computed across an invalidation was stored")
	}
}
