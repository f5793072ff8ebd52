package refdata

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi"
)

// SyncResult says what Sync did.
type SyncResult struct {
	Inserted  int // units new or changed since the last load
	Unchanged int // units already stored as they are
	Extra     int // units in the table that the reference list no longer has
}

// Sync stores the registry's units in the units table, writing only units
// that are new or changed: running it again changes nothing.
func Sync(ctx context.Context, conn driver.Conn, reg *Registry) (SyncResult, error) {
	stored := map[string]string{}
	rows, err := conn.Query(ctx, "SELECT id, row_hash FROM units FINAL")
	if err != nil {
		return SyncResult{}, fmt.Errorf("refdata: read stored units: %w", err)
	}
	for rows.Next() {
		var id, h string
		if err := rows.Scan(&id, &h); err != nil {
			rows.Close()
			return SyncResult{}, fmt.Errorf("refdata: read stored units: %w", err)
		}
		stored[id] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return SyncResult{}, fmt.Errorf("refdata: read stored units: %w", err)
	}

	var res SyncResult
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO units (id, code, npsp_code, block, kind, name_vi, name_vi_full, name_ascii, name_en, region, valid_from, valid_to, successor_id, note, source, row_hash, loaded_at)")
	if err != nil {
		return res, fmt.Errorf("refdata: prepare units insert: %w", err)
	}
	defer batch.Abort()
	now := time.Now()
	for _, u := range reg.All() {
		src, _ := reg.Source(u.ID)
		h := rowHash(u, src)
		old, ok := stored[u.ID]
		delete(stored, u.ID)
		if ok && old == h {
			res.Unchanged++
			continue
		}
		var validTo *time.Time
		if !u.ValidTo.IsZero() {
			validTo = &u.ValidTo
		}
		if err := batch.Append(u.ID, u.Code, u.NPSPCode, string(u.Block), u.Kind, u.NameVI, u.NameVIFull, u.NameASCII, u.NameEN,
			u.Region, u.ValidFrom, validTo, u.SuccessorID, u.Note, src, h, now); err != nil {
			return res, fmt.Errorf("refdata: unit %s: %w", u.ID, err)
		}
		res.Inserted++
	}
	res.Extra = len(stored)
	if res.Inserted == 0 {
		return res, nil
	}
	if err := batch.Send(); err != nil {
		return res, fmt.Errorf("refdata: insert units: %w", err)
	}
	return res, nil
}

// rowHash identifies a unit's stored content.
func rowHash(u egovkpi.Unit, source string) string {
	to := ""
	if !u.ValidTo.IsZero() {
		to = u.ValidTo.Format(egovkpi.DateLayout)
	}
	fields := []string{u.ID, u.Code, u.NPSPCode, string(u.Block), u.Kind, u.NameVI, u.NameVIFull, u.NameASCII, u.NameEN,
		u.Region, u.ValidFrom.Format(egovkpi.DateLayout), to, u.SuccessorID, u.Note, source}
	sum := sha256.Sum256([]byte(strings.Join(fields, "\x1f")))
	return hex.EncodeToString(sum[:])
}

// QueryAll reads every unit from the units table (the latest load of each),
// ministries first, then provinces, each by valid_from and code.
func QueryAll(ctx context.Context, conn driver.Conn) ([]egovkpi.Unit, error) {
	rows, err := conn.Query(ctx, `SELECT id, code, npsp_code, toString(block) AS blk, kind, name_vi, name_vi_full, name_ascii, name_en,
       region, valid_from, valid_to, successor_id, note
FROM units FINAL
ORDER BY block, valid_from, code`)
	if err != nil {
		return nil, fmt.Errorf("refdata: query units: %w", err)
	}
	defer rows.Close()
	var out []egovkpi.Unit
	for rows.Next() {
		var (
			u       egovkpi.Unit
			blk     string
			validTo *time.Time
		)
		if err := rows.Scan(&u.ID, &u.Code, &u.NPSPCode, &blk, &u.Kind, &u.NameVI, &u.NameVIFull, &u.NameASCII, &u.NameEN,
			&u.Region, &u.ValidFrom, &validTo, &u.SuccessorID, &u.Note); err != nil {
			return nil, fmt.Errorf("refdata: scan unit: %w", err)
		}
		u.Block = egovkpi.Block(blk)
		u.ValidFrom = egovkpi.Day(u.ValidFrom)
		if validTo != nil {
			u.ValidTo = egovkpi.Day(*validTo)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
