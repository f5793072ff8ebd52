-- Signed-in sessions, by the SHA-256 of the cookie's random token (the token
-- itself is never stored). A logout or a disabled account writes a row with
-- ended = 1; the highest version wins.
CREATE TABLE IF NOT EXISTS {{.DB}}.sessions {{.OnCluster}}
(
    session_hash String,
    login        String,
    csrf_token   String,
    created_at   DateTime,
    expires_at   DateTime,
    ended        UInt8,
    version      UInt64
)
ENGINE = {{globalEngine "sessions" "ReplacingMergeTree(version)"}}
PARTITION BY toYYYYMM(created_at)
ORDER BY (session_hash)
