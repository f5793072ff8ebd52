-- The portals egovkpi pulls from, as configured (sources.toml), and their
-- state: watermark (the last day loaded), last success, error streak and
-- the next time the source may be tried. The latest row of a source wins.
-- The token itself is never stored: token_ref says where it comes from.
CREATE TABLE IF NOT EXISTS {{.DB}}.sources {{.OnCluster}}
(
    id                 String,
    unit_id            String,
    url                String,
    token_ref          String,
    schedule           String,
    timeout_seconds    UInt32,
    concurrency        UInt16,
    repull_days        UInt16,
    enabled            UInt8,
    watermark          Nullable(Date),
    last_success       Nullable(DateTime),
    last_error         String,
    consecutive_errors UInt32,
    next_check         DateTime,
    updated_at         DateTime
)
ENGINE = {{globalEngine "sources" "ReplacingMergeTree(updated_at)"}}
ORDER BY (id)
