-- egovkpi schema for database egovkpi (cluster egovkpi_cluster)

-- database
CREATE DATABASE IF NOT EXISTS egovkpi ON CLUSTER egovkpi_cluster;

-- schema_migrations
CREATE TABLE IF NOT EXISTS egovkpi.schema_migrations ON CLUSTER egovkpi_cluster
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime,
    applied_by String
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/egovkpi/schema_migrations', '{replica}')
ORDER BY version;

-- locks
CREATE TABLE IF NOT EXISTS egovkpi.locks ON CLUSTER egovkpi_cluster
(
    name        String,
    holder      String,
    acquired_at DateTime,
    expires_at  DateTime,
    released    UInt8
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/egovkpi/locks', '{replica}')
ORDER BY (name, holder, acquired_at);

-- 0001_units.sql (sha256 1cc5a9e6e4fa)
CREATE TABLE IF NOT EXISTS egovkpi.units ON CLUSTER egovkpi_cluster
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/egovkpi/units', '{replica}', loaded_at)
ORDER BY id;

