-- Per-unit push tokens, stored as SHA-256 hashes (a token is 32 random
-- bytes, shown once when created). The latest row of a token wins.
CREATE TABLE IF NOT EXISTS {{.DB}}.ingest_tokens {{.OnCluster}}
(
    token_hash String,
    unit_id    String,
    name       String,
    created_at DateTime,
    revoked    UInt8,
    updated_at DateTime
)
ENGINE = {{globalEngine "ingest_tokens" "ReplacingMergeTree(updated_at)"}}
ORDER BY (token_hash)
