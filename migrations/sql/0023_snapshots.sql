-- Official snapshots: a period's league tables and Decision 766 index,
-- frozen by an analyst as the official figures. One row per snapshot,
-- never changed or removed; freezing a period again adds a snapshot, and
-- the latest of a period is its official one. The header is written after
-- all of its rows in snapshot_entries (row_count counts them), so a snapshot
-- whose header exists is whole. methodology is the 766 version in force for
-- the period ('' when none was), rules the ranking rules as JSON, build
-- the egovkpi version that computed the figures; seq (Unix nanoseconds)
-- orders snapshots frozen within the same second. Small: kept whole on
-- every node, not partitioned.
CREATE TABLE IF NOT EXISTS {{.DB}}.snapshots {{.OnCluster}}
(
    id          String,
    period      String,
    period_from Date,
    period_to   Date,
    frozen_by   String,
    frozen_at   DateTime,
    seq         UInt64,
    methodology String,
    rules       String,
    note        String,
    build       String,
    row_count   UInt32
)
ENGINE = {{globalEngine "snapshots" "MergeTree()"}}
ORDER BY (period, seq, id)
