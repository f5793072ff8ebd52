-- Daily usage per unit and procedure, exactly as the portals report it
-- (NULL: not reported). Each load appends its rows under a new load_id; the
-- rows of a (unit, day) that count are those of its current load in
-- usage_versions (the highest load_id). Readers never deduplicate this
-- table: the rollups are refreshed from the current loads only.
CREATE TABLE IF NOT EXISTS {{table "usage_facts"}} {{.OnCluster}}
(
    unit_id                    String,
    day                        Date,
    procedure                  String,
    load_id                    UInt64,
    received                   Nullable(UInt32),
    received_in_person         Nullable(UInt32),
    received_online            Nullable(UInt32),
    received_post              Nullable(UInt32),
    full_process_online        Nullable(UInt32),
    processed                  Nullable(UInt32),
    processed_on_time          Nullable(UInt32),
    processed_late             Nullable(UInt32),
    in_progress_on_time        Nullable(UInt32),
    in_progress_overdue        Nullable(UInt32),
    financial_obligation       Nullable(UInt32),
    paid_online                Nullable(UInt32),
    digitized                  Nullable(UInt32),
    e_result                   Nullable(UInt32),
    reused_data                Nullable(UInt32),
    synced_npsp                Nullable(UInt32),
    complaints_received        Nullable(UInt32),
    complaints_on_time         Nullable(UInt32),
    complaints_pending_on_time Nullable(UInt32),
    votes_satisfied            Nullable(UInt32),
    votes_dissatisfied         Nullable(UInt32)
)
ENGINE = {{engine "usage_facts" "MergeTree()"}}
PARTITION BY toYYYYMM(day)
ORDER BY (unit_id, day, procedure, load_id)
