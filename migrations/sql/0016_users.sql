-- Accounts of the web app. The row with the highest version of a login is
-- its current state (ReplacingMergeTree; readers use FINAL). Passwords are
-- bcrypt hashes; role reporter is bound to one unit.
CREATE TABLE IF NOT EXISTS {{.DB}}.users {{.OnCluster}}
(
    login         String,
    name          String,
    role          Enum8('admin' = 1, 'analyst' = 2, 'leader' = 3, 'reporter' = 4),
    unit_id       String,
    password_hash String,
    disabled      UInt8,
    created_at    DateTime,
    version       UInt64
)
ENGINE = {{globalEngine "users" "ReplacingMergeTree(version)"}}
ORDER BY (login)
