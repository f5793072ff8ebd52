-- The outbox of report reminders: one message per unit, quarter and kind
-- (before-7, after-1, …), whose id is that key (quarter/unit/kind), so a
-- reminder planned twice, by a second run or a second node, is the same
-- row. Delivery writes new versions of the row (attempts, sent_at, error,
-- status); the highest version wins (ReplacingMergeTree; readers use
-- FINAL). Versions count the message's steps, never the clock: a late
-- duplicate of the planned row (version 1) never hides its delivery.
-- status: pending, sent, failed (gave up), no_recipient, cancelled (the
-- report was submitted first), expired (not delivered in time).
CREATE TABLE IF NOT EXISTS {{.DB}}.outbox {{.OnCluster}}
(
    id         String,
    created_at DateTime,
    kind       String,
    unit_id    String,
    quarter    String,
    due        Date,
    recipients Array(String),
    emails     Array(String),
    subject    String,
    body       String,
    status     String,
    attempts   UInt16,
    sent_at    Nullable(DateTime),
    error      String,
    version    UInt64
)
ENGINE = {{globalEngine "outbox" "ReplacingMergeTree(version)"}}
ORDER BY (id)
