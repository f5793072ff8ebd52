-- Reference units of both eras (63 → 34 provinces on 2025-07-01; ministries
-- on 2025-03-01). A small dimension table replicated to every node.
-- valid_to NULL: the unit still exists. row_hash lets the loader insert only
-- rows that changed; readers take the latest version with FINAL (124 rows).
CREATE TABLE IF NOT EXISTS {{.DB}}.units {{.OnCluster}}
(
    id           String,
    code         String,
    npsp_code    String,
    block        Enum8('ministry' = 1, 'province' = 2),
    kind         String,
    name_vi      String,
    name_vi_full String,
    name_ascii   String,
    name_en      String,
    region       String,
    valid_from   Date,
    valid_to     Nullable(Date),
    successor_id String,
    note         String,
    source       String,
    row_hash     String,
    loaded_at    DateTime
)
ENGINE = {{globalEngine "units" "ReplacingMergeTree(loaded_at)"}}
ORDER BY id
