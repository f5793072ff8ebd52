-- The run log: one row per state of a collection run (running, then its
-- end). The latest state of a run is the row with the highest updated_at.
CREATE TABLE IF NOT EXISTS {{.DB}}.collection_runs {{.OnCluster}}
(
    run_id           UUID,
    source           String,
    unit_id          String,
    kind             Enum8('pull' = 1, 'push' = 2, 'file' = 3, 'replay' = 4),
    window_from      Date,
    window_to        Date,
    started_at       DateTime,
    finished_at      Nullable(DateTime),
    status           Enum8('running' = 1, 'ok' = 2, 'partial' = 3, 'failed' = 4, 'abandoned' = 5),
    rows_accepted    UInt32,
    rows_quarantined UInt32,
    days_loaded      UInt32,
    requests         UInt32,
    error            String,
    updated_at       DateTime
)
ENGINE = {{globalEngine "collection_runs" "ReplacingMergeTree(updated_at)"}}
PARTITION BY toYYYYMM(started_at)
ORDER BY (run_id)
