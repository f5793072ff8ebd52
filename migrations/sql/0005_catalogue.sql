-- Procedure catalogues as of a date, per unit, one load per (unit, as_of):
-- the rows that count are those of the current load in catalogue_versions.
-- level is as reported ("1".."4" before 2022-08-15, "full"/"partial"/"none"
-- after); service maps it onto the 2022 levels (4 → full, 3 → partial,
-- 1–2 → none: a mapping, not a legal text).
CREATE TABLE IF NOT EXISTS {{table "catalogue"}} {{.OnCluster}}
(
    unit_id               String,
    as_of                 Date,
    procedure             String,
    load_id               UInt64,
    name                  String,
    field                 String,
    level                 String,
    service               Enum8('none' = 0, 'partial' = 1, 'full' = 2),
    eligible_full_process UInt8,
    fee_bearing           UInt8,
    paper_result          UInt8,
    npsp_integrated       UInt8
)
ENGINE = {{engine "catalogue" "MergeTree()"}}
PARTITION BY toYear(as_of)
ORDER BY (unit_id, as_of, procedure, load_id)
