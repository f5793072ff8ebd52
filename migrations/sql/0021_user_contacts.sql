-- Contact e-mail addresses of accounts (logins cannot hold '@'): where a
-- unit's reporters are reminded of their quarterly reports. The row with
-- the highest version of a login is its current address (ReplacingMergeTree;
-- readers use FINAL); an empty email is a removed address. Small and
-- long-lived, so not partitioned, like users.
CREATE TABLE IF NOT EXISTS {{.DB}}.user_contacts {{.OnCluster}}
(
    login   String,
    email   String,
    version UInt64
)
ENGINE = {{globalEngine "user_contacts" "ReplacingMergeTree(version)"}}
ORDER BY (login)
