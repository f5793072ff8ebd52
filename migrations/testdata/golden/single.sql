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

