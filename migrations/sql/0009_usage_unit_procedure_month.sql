-- Rollup: one row per unit, procedure and month with activity, summed over
-- the month's current loads (for "services with online dossiers", the
-- payment formula and the weakest procedures). Refreshed like usage_unit_day.
CREATE TABLE IF NOT EXISTS {{.DB}}.usage_unit_procedure_month {{.OnCluster}}
(
    month                      Date,
    unit_id                    String,
    procedure                  String,
    days                       UInt16,
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
ENGINE = {{globalEngine "usage_unit_procedure_month" "MergeTree()"}}
PARTITION BY toYYYYMM(month)
ORDER BY (unit_id, month, procedure)
