package refdata

import (
	"context"
	"testing"

	"egovkpi/internal/chtest"
	"egovkpi/internal/testdb"
)

func TestMain(m *testing.M) { chtest.Main(m) }

func TestSyncIsIdempotentAndQueryMatchesRegistry(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	reg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Sync(ctx, db.Conn, reg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != len(reg.All()) || res.Unchanged != 0 {
		t.Fatalf("first sync: %+v, want %d inserted", res, len(reg.All()))
	}
	res, err = Sync(ctx, db.Conn, reg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 0 || res.Unchanged != len(reg.All()) {
		t.Fatalf("second sync: %+v, want nothing inserted", res)
	}
	var rows uint64
	if err := db.Conn.QueryRow(ctx, "SELECT count() FROM units").Scan(&rows); err != nil || int(rows) != len(reg.All()) {
		t.Fatalf("units rows = %d (%v), want %d: a second sync must write nothing", rows, err, len(reg.All()))
	}

	got, err := QueryAll(ctx, db.Conn)
	if err != nil {
		t.Fatal(err)
	}
	want := reg.All()
	if len(got) != len(want) {
		t.Fatalf("read back %d units, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("unit %d read back as\n%+v\nwant\n%+v", i, got[i], want[i])
		}
	}
}
