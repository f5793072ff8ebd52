package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"egovkpi/collector/protocol"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
)

// Replay checks a quarantined usage record again with today's rules,
// reference units and catalogues, as a record of the unit it was meant for.
// If it passes, it joins its day: a new load of that day made of the day's
// current rows with this record added (or replacing the row of the same
// procedure). The outcome is recorded either way.
func (c *Collector) Replay(ctx context.Context, id uuid.UUID) (accepted bool, reason string, err error) {
	item, err := c.store.GetQuarantine(ctx, id)
	if err != nil {
		return false, "", err
	}
	if item.Replayed {
		return false, "", fmt.Errorf("collector: quarantined item %s was already replayed", id)
	}
	if item.Kind != store.KindUsage {
		reason := fmt.Sprintf("a %s item cannot be replayed record by record: fix it at the source and collect or push it again", item.Kind)
		return false, reason, c.store.RecordReplay(ctx, id, 0, false, reason)
	}
	u, ok := c.units.ByID(item.UnitID)
	if !ok {
		reason := "unknown unit " + item.UnitID
		return false, reason, c.store.RecordReplay(ctx, id, 0, false, reason)
	}
	rec, derr := record.DecodeUsage([]byte(item.Raw))
	if derr != nil {
		return false, derr.Error(), c.store.RecordReplay(ctx, id, 0, false, derr.Error())
	}
	day := rec.Day.Format(protocol.DateLayout)
	page := protocol.UsagePage{Protocol: protocol.Version, Unit: u.Code, From: day, To: day, Records: []json.RawMessage{json.RawMessage(item.Raw)}}
	b := c.checker.Usage(item.UnitID, []protocol.UsagePage{page})
	if len(b.Good) != 1 {
		reason := "refused again"
		if len(b.Bad) > 0 {
			reason = b.Bad[0].Reason
		}
		return false, reason, c.store.RecordReplay(ctx, id, 0, false, reason)
	}
	current, err := c.store.CurrentUsage(ctx, item.UnitID, rec.Day)
	if err != nil {
		return false, "", err
	}
	merged := []record.Usage{b.Good[0]}
	for _, r := range current {
		if r.Procedure != rec.Procedure {
			merged = append(merged, r)
		}
	}
	loadID, err := c.StoreUsage(ctx, "replay:"+item.Source, record.UsageBatch{UnitID: item.UnitID, Days: []time.Time{rec.Day}, Good: merged})
	if err != nil {
		return false, "", err
	}
	return true, fmt.Sprintf("accepted into load %d of %s on %s", loadID, item.UnitID, day), c.store.RecordReplay(ctx, id, loadID, true, "accepted")
}
