-- The rows of the official snapshots: one per unit of each frozen table
-- (a block's league table of one KPI, or its Decision 766 index, named
-- by tbl: the KPI id or 'index766'), in the table's order (position), as
-- the figures API computed them when the snapshot was frozen. Never
-- changed or removed. numerator and denominator are the KPI's sums
-- (NULL: no data); published is the published percentage, or the 766
-- total; rank is 0 when unranked; band, dossiers, complaints and result
-- (the JSON of the scored m766.Result: groups, indicators, assumptions)
-- are for index766 rows only. A few hundred rows per snapshot: kept whole
-- on every node, not partitioned.
CREATE TABLE IF NOT EXISTS {{.DB}}.snapshot_entries {{.OnCluster}}
(
    snapshot_id     String,
    block           String,
    tbl             String,
    position        UInt32,
    unit_id         String,
    numerator       Nullable(Float64),
    denominator     Nullable(Float64),
    published       Nullable(Float64),
    rank            UInt32,
    movement        Nullable(Int32),
    completeness    Float64,
    not_enough_data UInt8,
    band            String,
    dossiers        Nullable(Float64),
    complaints      Nullable(Float64),
    result          String
)
ENGINE = {{globalEngine "snapshot_entries" "MergeTree()"}}
ORDER BY (snapshot_id, block, tbl, position)
