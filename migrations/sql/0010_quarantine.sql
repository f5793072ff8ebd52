-- Every bad record or payload, with where it came from, why it was refused
-- and its raw text, so that an operator can see it and replay it.
CREATE TABLE IF NOT EXISTS {{.DB}}.quarantine {{.OnCluster}}
(
    id          UUID,
    received_at DateTime,
    source      String,
    load_id     UInt64,
    kind        Enum8('usage' = 1, 'catalogue' = 2, 'payload' = 3),
    unit_id     String,
    unit_code   String,
    day         Nullable(Date),
    procedure   String,
    reason      String,
    raw         String
)
ENGINE = {{globalEngine "quarantine" "MergeTree()"}}
PARTITION BY toYYYYMM(received_at)
ORDER BY (received_at, id)
