-- Daily usage per unit and procedure, exactly as the portals report it.
-- reported has bit N set when the N-th count (received = bit 0, …,
-- votes_dissatisfied = bit 20, in column order) was reported; a count not
-- reported is stored as 0 with its bit clear, and the rollups turn it into
-- NULL. (Plain UInt32 columns with a bitmask instead of 21 Nullable ones:
-- a third of the files per part and far less work per row on insert.)
-- Each load appends its rows under a new load_id; the
-- rows of a (unit, day) that count are those of its current load in
-- usage_versions (the highest load_id). Readers never deduplicate this
-- table: the rollups are refreshed from the current loads only.
CREATE TABLE IF NOT EXISTS {{table "usage_facts"}} {{.OnCluster}}
(
    unit_id                    String,
    day                        Date,
    procedure                  String,
    load_id                    UInt64,
    reported                   UInt32,
    received                   UInt32,
    received_in_person         UInt32,
    received_online            UInt32,
    received_post              UInt32,
    full_process_online        UInt32,
    processed                  UInt32,
    processed_on_time          UInt32,
    processed_late             UInt32,
    in_progress_on_time        UInt32,
    in_progress_overdue        UInt32,
    financial_obligation       UInt32,
    paid_online                UInt32,
    digitized                  UInt32,
    e_result                   UInt32,
    reused_data                UInt32,
    synced_npsp                UInt32,
    complaints_received        UInt32,
    complaints_on_time         UInt32,
    complaints_pending_on_time UInt32,
    votes_satisfied            UInt32,
    votes_dissatisfied         UInt32
)
ENGINE = {{engine "usage_facts" "MergeTree()"}}
PARTITION BY toYYYYMM(day)
ORDER BY (unit_id, day, procedure, load_id)
