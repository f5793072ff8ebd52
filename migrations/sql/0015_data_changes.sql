-- One row per change that cached figures may have read: a rollup month
-- refreshed (kind usage) or a catalogue stored (kind catalogue, month = the
-- first day of its as_of month). Web servers poll the last minute of it to
-- drop what they cached from those months.
CREATE TABLE IF NOT EXISTS {{.DB}}.data_changes {{.OnCluster}}
(
    change_id  UInt64,
    kind       Enum8('usage' = 1, 'catalogue' = 2),
    month      Date,
    changed_at DateTime
)
ENGINE = {{globalEngine "data_changes" "MergeTree()"}}
PARTITION BY toYYYYMM(changed_at)
ORDER BY (changed_at, change_id)
