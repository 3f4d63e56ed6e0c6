-- The seven lists of docs/data.md. Every table keeps its contract key
-- as the ORDER BY of a ReplacingMergeTree(version): a later load of the same
-- key replaces the earlier one at merge time, and reads see one row per key
-- (the connections run with final = 1).
--
-- Ingest metadata on every row: source (the importer or sync source name),
-- source_ref (file path or URL), source_line, batch_id, loaded_at, version
-- (loaded_at in nanoseconds: later wins) and row_hash (of the contract
-- columns: a re-import of an unchanged row is skipped, so it changes
-- nothing). extra keeps unknown input columns as JSON.

CREATE TABLE IF NOT EXISTS institutions {{.OnCluster}} (
    uscc                 String,
    name                 String,
    name_key             String COMMENT 'NFKC, no spaces, unified brackets: for matching records without a USCC',
    county_code          LowCardinality(String),
    license_no           String,
    licensed_on          Date,
    license_status       LowCardinality(String) COMMENT 'valid | revoked | cancelled',
    license_status_on    Nullable(Date),
    commitment_signed_on Nullable(Date),
    lost_contact_since   Nullable(Date),
    source               LowCardinality(String),
    source_ref           String,
    source_line          UInt32,
    batch_id             String,
    loaded_at            DateTime64(3, 'UTC'),
    version              UInt64,
    row_hash             UInt64,
    extra                String
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY uscc;

CREATE TABLE IF NOT EXISTS inspections {{.OnCluster}} (
    record_id    String,
    uscc         String,
    kind         LowCardinality(String) COMMENT 'violation | fund_fraud | false_materials | conditions_unmet | compliance_failure | commitment_breach',
    severity     LowCardinality(String) COMMENT 'minor | general | serious | major; empty unless kind = violation',
    handled_on   Date,
    rectified_on Nullable(Date),
    refused      Bool,
    authority    String,
    measure      String,
    description  String,
    source       LowCardinality(String),
    source_ref   String,
    source_line  UInt32,
    batch_id     String,
    loaded_at    DateTime64(3, 'UTC'),
    version      UInt64,
    row_hash     UInt64,
    extra        String
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY record_id;

CREATE TABLE IF NOT EXISTS annual_reports {{.OnCluster}} (
    uscc         String,
    year         UInt16,
    submitted_on Date,
    source       LowCardinality(String),
    source_ref   String,
    source_line  UInt32,
    batch_id     String,
    loaded_at    DateTime64(3, 'UTC'),
    version      UInt64,
    row_hash     UInt64,
    extra        String
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (uscc, year);

-- External lists. uscc may be empty (the source gave only a name); such a
-- record is keyed by name_key instead, and matched to an institution by name.

CREATE TABLE IF NOT EXISTS penalties {{.OnCluster}} (
    record_id          String COMMENT '决定书文号',
    uscc               String,
    name               String,
    name_key           String,
    decided_on         Date,
    authority          String,
    content            String,
    publicity_ended_on Nullable(Date),
    source             LowCardinality(String),
    source_ref         String,
    source_line        UInt32,
    batch_id           String,
    loaded_at          DateTime64(3, 'UTC'),
    version            UInt64,
    row_hash           UInt64,
    extra              String
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY record_id;

CREATE TABLE IF NOT EXISTS abnormal {{.OnCluster}} (
    uscc           String,
    name           String,
    name_key       String,
    listed_on      Date,
    reason         String,
    authority      String,
    removed_on     Nullable(Date),
    removal_reason String,
    source         LowCardinality(String),
    source_ref     String,
    source_line    UInt32,
    batch_id       String,
    loaded_at      DateTime64(3, 'UTC'),
    version        UInt64,
    row_hash       UInt64,
    extra          String
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (uscc, name_key, listed_on);

CREATE TABLE IF NOT EXISTS dishonest {{.OnCluster}} (
    uscc        String,
    name        String,
    name_key    String,
    listed_on   Date,
    reason      String,
    authority   String,
    removed_on  Nullable(Date),
    source      LowCardinality(String),
    source_ref  String,
    source_line UInt32,
    batch_id    String,
    loaded_at   DateTime64(3, 'UTC'),
    version     UInt64,
    row_hash    UInt64,
    extra       String
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (uscc, name_key, listed_on);

CREATE TABLE IF NOT EXISTS public_eval {{.OnCluster}} (
    uscc         String,
    name         String,
    name_key     String,
    grade        LowCardinality(String) COMMENT 'A | B | C | D',
    grade_label  String COMMENT 'the label as published, e.g. 优',
    evaluated_on Date,
    source       LowCardinality(String),
    source_ref   String,
    source_line  UInt32,
    batch_id     String,
    loaded_at    DateTime64(3, 'UTC'),
    version      UInt64,
    row_hash     UInt64,
    extra        String
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (uscc, name_key, evaluated_on);
