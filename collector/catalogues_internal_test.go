package collector

import (
	"context"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/internal/testdb"
)

// TestCataloguesStoredElsewhereAreSeen: catalogues stored by another
// process (straight through another store here) are seen: at once when
// none was in force or when the catalogue asked for is not cached, and
// within the TTL when a newer one comes into force.
func TestCataloguesStoredElsewhereAreSeen(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	const unit = "p34-08"
	other := store.New(db.Conn, nil)
	write := func(asOf time.Time, code string) {
		t.Helper()
		err := other.WriteCatalogue(ctx, store.CatalogueLoad{LoadID: other.NewLoadID(), Source: "other", UnitID: unit, AsOf: asOf,
			Procedures: []record.Procedure{{Code: code, Name: "x", Level: "none", Service: record.ServiceNone}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	clock := time.Now()
	c := newCatalogues(store.New(db.Conn, nil))
	c.now = func() time.Time { return clock }
	aug, sep, oct := egovkpi.Date(2025, 8, 1), egovkpi.Date(2025, 9, 1), egovkpi.Date(2025, 10, 1)

	if _, ok := c.inForce(unit, aug.AddDate(0, 0, 4)); ok {
		t.Fatal("a catalogue in force before any was stored")
	}
	write(aug, "1.000001")
	if codes, ok := c.inForce(unit, aug.AddDate(0, 0, 4)); !ok || !codes["1.000001"] {
		t.Fatalf("the catalogue stored elsewhere is not seen: %v %v", codes, ok)
	}

	// A newer catalogue: within the TTL the cached one may still answer;
	// after it, the newer one does.
	write(sep, "1.000002")
	clock = clock.Add(catalogueTTL)
	if codes, ok := c.inForce(unit, sep.AddDate(0, 0, 4)); !ok || !codes["1.000002"] || codes["1.000001"] {
		t.Fatalf("after the TTL, the catalogue in force is not the newer one: %v %v", codes, ok)
	}

	// has reads again what it does not find.
	if has, err := c.has(ctx, unit, oct); err != nil || has {
		t.Fatalf("has(oct) = %v, %v before it was stored", has, err)
	}
	write(oct, "1.000003")
	if has, err := c.has(ctx, unit, oct); err != nil || !has {
		t.Fatalf("has(oct) = %v, %v after it was stored elsewhere", has, err)
	}

	// A catalogue stored here is known at once, codes included.
	nov := egovkpi.Date(2025, 11, 1)
	c.put(unit, nov, map[string]bool{"1.000004": true})
	if codes, ok := c.inForce(unit, nov.AddDate(0, 0, 1)); !ok || !codes["1.000004"] {
		t.Fatalf("a catalogue put here is not in force: %v %v", codes, ok)
	}
}
