-- Rollup: one row per unit and covered day, summed over procedures from the
-- day's current load. A covered day with no activity has a row with zero
-- records; a day without a row has no data (completeness). Refreshed for
-- exactly the (unit, month) a load touched, by replacing the month's
-- partition: readers never deduplicate.
CREATE TABLE IF NOT EXISTS {{.DB}}.usage_unit_day {{.OnCluster}}
(
    unit_id                    String,
    day                        Date,
    load_id                    UInt64,
    records                    UInt32,
    procedures_active          UInt32,
    procedures_online          UInt32,
    received                   Nullable(UInt64),
    received_in_person         Nullable(UInt64),
    received_online            Nullable(UInt64),
    received_post              Nullable(UInt64),
    full_process_online        Nullable(UInt64),
    processed                  Nullable(UInt64),
    processed_on_time          Nullable(UInt64),
    processed_late             Nullable(UInt64),
    in_progress_on_time        Nullable(UInt64),
    in_progress_overdue        Nullable(UInt64),
    financial_obligation       Nullable(UInt64),
    paid_online                Nullable(UInt64),
    digitized                  Nullable(UInt64),
    e_result                   Nullable(UInt64),
    reused_data                Nullable(UInt64),
    synced_npsp                Nullable(UInt64),
    complaints_received        Nullable(UInt64),
    complaints_on_time         Nullable(UInt64),
    complaints_pending_on_time Nullable(UInt64),
    votes_satisfied            Nullable(UInt64),
    votes_dissatisfied         Nullable(UInt64)
)
ENGINE = {{globalEngine "usage_unit_day" "MergeTree()"}}
PARTITION BY toYYYYMM(day)
ORDER BY (unit_id, day)
