-- One row per catalogue load; the current load of (unit, as_of) is the one
-- with the highest load_id.
CREATE TABLE IF NOT EXISTS {{.DB}}.catalogue_versions {{.OnCluster}}
(
    unit_id    String,
    as_of      Date,
    load_id    UInt64,
    source     String,
    procedures UInt32,
    loaded_at  DateTime
)
ENGINE = {{globalEngine "catalogue_versions" "MergeTree()"}}
ORDER BY (unit_id, as_of, load_id)
