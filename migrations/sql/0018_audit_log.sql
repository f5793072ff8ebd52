-- The audit log: every sign-in (and refused attempt), sign-out, and every
-- change to a user, a token or a submission, with who did it and from where.
CREATE TABLE IF NOT EXISTS {{.DB}}.audit_log {{.OnCluster}}
(
    at     DateTime,
    actor  String,
    action String,
    target String,
    detail String,
    ip     String
)
ENGINE = {{globalEngine "audit_log" "MergeTree()"}}
PARTITION BY toYYYYMM(at)
ORDER BY (at, actor)
