-- egovkpi schema for database egovkpi (single node)

-- database
CREATE DATABASE IF NOT EXISTS egovkpi;

-- schema_migrations
CREATE TABLE IF NOT EXISTS egovkpi.schema_migrations
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime,
    applied_by String
)
ENGINE = MergeTree()
ORDER BY version;

-- locks
CREATE TABLE IF NOT EXISTS egovkpi.locks
(
    name        String,
    holder      String,
    acquired_at DateTime,
    expires_at  DateTime,
    released    UInt8
)
ENGINE = MergeTree()
ORDER BY (name, holder, acquired_at);

-- 0001_units.sql (sha256 1cc5a9e6e4fa)
CREATE TABLE IF NOT EXISTS egovkpi.units
(
    id           String,
    code         String,
    npsp_code    String,
    block        Enum8('ministry' = 1, 'province' = 2),
    kind         String,
    name_vi      String,
    name_vi_full String,
    name_ascii   String,
    name_en      String,
    region       String,
    valid_from   Date,
    valid_to     Nullable(Date),
    successor_id String,
    note         String,
    source       String,
    row_hash     String,
    loaded_at    DateTime
)
ENGINE = ReplacingMergeTree(loaded_at)
ORDER BY id;

-- 0002_usage_facts.sql (sha256 13e3ff006f20)
CREATE TABLE IF NOT EXISTS egovkpi.usage_facts
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
ENGINE = MergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (unit_id, day, procedure, load_id);

-- 0003_usage_facts_distributed.sql (sha256 99ea136ea1f3): nothing to do on this target

-- 0004_usage_versions.sql (sha256 f0a31cfe1b8d)
CREATE TABLE IF NOT EXISTS egovkpi.usage_versions
(
    unit_id   String,
    day       Date,
    load_id   UInt64,
    source    String,
    records   UInt32,
    loaded_at DateTime
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (unit_id, day, load_id);

-- 0005_catalogue.sql (sha256 c80f46775377)
CREATE TABLE IF NOT EXISTS egovkpi.catalogue
(
    unit_id               String,
    as_of                 Date,
    procedure             String,
    load_id               UInt64,
    name                  String,
    field                 String,
    level                 String,
    service               Enum8('none' = 0, 'partial' = 1, 'full' = 2),
    eligible_full_process UInt8,
    fee_bearing           UInt8,
    paper_result          UInt8,
    npsp_integrated       UInt8
)
ENGINE = MergeTree()
PARTITION BY toYear(as_of)
ORDER BY (unit_id, as_of, procedure, load_id);

-- 0006_catalogue_distributed.sql (sha256 f569fe93adca): nothing to do on this target

-- 0007_catalogue_versions.sql (sha256 fc3ed6128c5d)
CREATE TABLE IF NOT EXISTS egovkpi.catalogue_versions
(
    unit_id    String,
    as_of      Date,
    load_id    UInt64,
    source     String,
    procedures UInt32,
    loaded_at  DateTime
)
ENGINE = MergeTree()
ORDER BY (unit_id, as_of, load_id);

-- 0008_usage_unit_day.sql (sha256 0baaa3f079c1)
CREATE TABLE IF NOT EXISTS egovkpi.usage_unit_day
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
ENGINE = MergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (unit_id, day);

-- 0009_usage_unit_procedure_month.sql (sha256 dec945483fe9)
CREATE TABLE IF NOT EXISTS egovkpi.usage_unit_procedure_month
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
ENGINE = MergeTree()
PARTITION BY toYYYYMM(month)
ORDER BY (unit_id, month, procedure);

-- 0010_quarantine.sql (sha256 9d26e18a4eb9)
CREATE TABLE IF NOT EXISTS egovkpi.quarantine
(
    id          UUID,
    received_at DateTime,
    source      String,
    load_id     UInt64,
    kind        Enum8('usage' = 1, 'catalogue' = 2, 'payload' = 3),
    unit_id     String,
    unit_code   String,
    day         Nullable(Date),
    procedure   String,
    reason      String,
    raw         String
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(received_at)
ORDER BY (received_at, id);

-- 0011_quarantine_replays.sql (sha256 6ab6d4d43b80)
CREATE TABLE IF NOT EXISTS egovkpi.quarantine_replays
(
    id          UUID,
    replayed_at DateTime,
    load_id     UInt64,
    accepted    UInt8,
    reason      String
)
ENGINE = MergeTree()
ORDER BY (id, replayed_at);

-- 0012_collection_runs.sql (sha256 19e22e871b57)
CREATE TABLE IF NOT EXISTS egovkpi.collection_runs
(
    run_id           UUID,
    source           String,
    unit_id          String,
    kind             Enum8('pull' = 1, 'push' = 2, 'file' = 3, 'replay' = 4),
    window_from      Date,
    window_to        Date,
    started_at       DateTime,
    finished_at      Nullable(DateTime),
    status           Enum8('running' = 1, 'ok' = 2, 'partial' = 3, 'failed' = 4, 'abandoned' = 5),
    rows_accepted    UInt32,
    rows_quarantined UInt32,
    days_loaded      UInt32,
    requests         UInt32,
    error            String,
    updated_at       DateTime
)
ENGINE = ReplacingMergeTree(updated_at)
PARTITION BY toYYYYMM(started_at)
ORDER BY (run_id);

-- 0013_sources.sql (sha256 37ff5afea825)
CREATE TABLE IF NOT EXISTS egovkpi.sources
(
    id                 String,
    unit_id            String,
    url                String,
    token_ref          String,
    schedule           String,
    timeout_seconds    UInt32,
    concurrency        UInt16,
    repull_days        UInt16,
    enabled            UInt8,
    watermark          Nullable(Date),
    last_success       Nullable(DateTime),
    last_error         String,
    consecutive_errors UInt32,
    next_check         DateTime,
    updated_at         DateTime
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (id);

-- 0014_ingest_tokens.sql (sha256 f22a1b7d8c27)
CREATE TABLE IF NOT EXISTS egovkpi.ingest_tokens
(
    token_hash String,
    unit_id    String,
    name       String,
    created_at DateTime,
    revoked    UInt8,
    updated_at DateTime
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (token_hash);

-- 0015_data_changes.sql (sha256 9f5ee0b299ce)
CREATE TABLE IF NOT EXISTS egovkpi.data_changes
(
    change_id  UInt64,
    kind       Enum8('usage' = 1, 'catalogue' = 2),
    month      Date,
    changed_at DateTime
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(changed_at)
ORDER BY (changed_at, change_id);

-- 0016_users.sql (sha256 ecc5af230d92)
CREATE TABLE IF NOT EXISTS egovkpi.users
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
ENGINE = ReplacingMergeTree(version)
ORDER BY (login);

-- 0017_sessions.sql (sha256 fc8e39257e29)
CREATE TABLE IF NOT EXISTS egovkpi.sessions
(
    session_hash String,
    login        String,
    csrf_token   String,
    created_at   DateTime,
    expires_at   DateTime,
    ended        UInt8,
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(created_at)
ORDER BY (session_hash);

-- 0018_audit_log.sql (sha256 ff01f65ce30c)
CREATE TABLE IF NOT EXISTS egovkpi.audit_log
(
    at     DateTime,
    actor  String,
    action String,
    target String,
    detail String,
    ip     String
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(at)
ORDER BY (at, actor);

-- 0019_api_tokens.sql (sha256 dd25b53a0aa8)
CREATE TABLE IF NOT EXISTS egovkpi.api_tokens
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
ENGINE = ReplacingMergeTree(version)
ORDER BY (token_hash);

-- 0020_report_versions.sql (sha256 13454941cff7)
CREATE TABLE IF NOT EXISTS egovkpi.report_versions
(
    unit_id String,
    quarter String,
    n       UInt32,
    state   Enum8('draft' = 1, 'submitted' = 2, 'returned' = 3, 'resubmitted' = 4, 'approved' = 5),
    form    String,
    answers String,
    action  String,
    comment String,
    actor   String,
    at      DateTime
)
ENGINE = MergeTree()
ORDER BY (unit_id, quarter, n);

-- 0021_user_contacts.sql (sha256 a5de731be72b)
CREATE TABLE IF NOT EXISTS egovkpi.user_contacts
(
    login   String,
    email   String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (login);

-- 0022_outbox.sql (sha256 f9dca9ed1efb)
CREATE TABLE IF NOT EXISTS egovkpi.outbox
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
ENGINE = ReplacingMergeTree(version)
ORDER BY (id);

-- 0023_snapshots.sql (sha256 5b735f61e8e5)
CREATE TABLE IF NOT EXISTS egovkpi.snapshots
(
    id          String,
    period      String,
    period_from Date,
    period_to   Date,
    frozen_by   String,
    frozen_at   DateTime,
    seq         UInt64,
    methodology String,
    rules       String,
    note        String,
    build       String,
    row_count   UInt32
)
ENGINE = MergeTree()
ORDER BY (period, seq, id);

-- 0024_snapshot_entries.sql (sha256 32d207c521ac)
CREATE TABLE IF NOT EXISTS egovkpi.snapshot_entries
(
    snapshot_id     String,
    block           String,
    tbl             String,
    position        UInt32,
    unit_id         String,
    numerator       Nullable(Float64),
    denominator     Nullable(Float64),
    published       Nullable(Float64),
    rank            UInt32,
    movement        Nullable(Int32),
    completeness    Float64,
    not_enough_data UInt8,
    band            String,
    dossiers        Nullable(Float64),
    complaints      Nullable(Float64),
    result          String
)
ENGINE = MergeTree()
ORDER BY (snapshot_id, block, tbl, position);

