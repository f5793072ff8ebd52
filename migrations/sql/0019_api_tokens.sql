-- Personal tokens of the figures API: each acts as its account (role, unit).
-- Only the SHA-256 of a token is kept (the token is shown once when
-- created); id is a short public handle for listing and revoking. A
-- revocation writes a row with revoked_at set; the highest version wins
-- (ReplacingMergeTree; readers use FINAL). Small and long-lived (up to two
-- years), so not partitioned, like users.
CREATE TABLE IF NOT EXISTS {{.DB}}.api_tokens {{.OnCluster}}
(
    token_hash String,
    id         String,
    login      String,
    name       String,
    created_at DateTime,
    expires_at DateTime,
    revoked_at Nullable(DateTime),
    version    UInt64
)
ENGINE = {{globalEngine "api_tokens" "ReplacingMergeTree(version)"}}
ORDER BY (token_hash)
