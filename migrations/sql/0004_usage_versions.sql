-- One row per (unit, day) a load covered. The current load of a day is the
-- one with the highest load_id: a re-collection supersedes the old rows as a
-- whole, so no (unit, procedure, day) is ever counted twice. A load that died
-- before writing its versions is invisible.
CREATE TABLE IF NOT EXISTS {{.DB}}.usage_versions {{.OnCluster}}
(
    unit_id   String,
    day       Date,
    load_id   UInt64,
    source    String,
    records   UInt32,
    loaded_at DateTime
)
ENGINE = {{globalEngine "usage_versions" "MergeTree()"}}
PARTITION BY toYYYYMM(day)
ORDER BY (unit_id, day, load_id)
