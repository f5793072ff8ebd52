-- Replays of quarantined records: accepted into a new load, or refused again.
CREATE TABLE IF NOT EXISTS {{.DB}}.quarantine_replays {{.OnCluster}}
(
    id          UUID,
    replayed_at DateTime,
    load_id     UInt64,
    accepted    UInt8,
    reason      String
)
ENGINE = {{globalEngine "quarantine_replays" "MergeTree()"}}
ORDER BY (id, replayed_at)
