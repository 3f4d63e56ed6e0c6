-- One row per import or sync batch, and every rejected input row with the
-- reason, kept for review.

CREATE TABLE IF NOT EXISTS import_batches {{.OnCluster}} (
    batch_id       String,
    list           LowCardinality(String),
    source         LowCardinality(String),
    source_ref     String,
    encoding       LowCardinality(String),
    started_at     DateTime64(3, 'UTC'),
    finished_at    DateTime64(3, 'UTC'),
    rows_read      UInt64,
    rows_loaded    UInt64 COMMENT 'new or changed rows written',
    rows_unchanged UInt64 COMMENT 'valid rows identical to what was stored',
    rows_rejected  UInt64,
    status         LowCardinality(String) COMMENT 'ok | rejected_rows | failed',
    error          String
) ENGINE = {{engine "MergeTree"}}
ORDER BY (list, started_at, batch_id);

CREATE TABLE IF NOT EXISTS import_rejects {{.OnCluster}} (
    batch_id    String,
    list        LowCardinality(String),
    source_ref  String,
    line        UInt32,
    column      String,
    value       String,
    reason      String,
    raw         String COMMENT 'the input row as JSON',
    rejected_at DateTime64(3, 'UTC')
) ENGINE = {{engine "MergeTree"}}
ORDER BY (list, batch_id, line);
