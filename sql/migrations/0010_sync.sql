-- Source sync (ingest/sync): what each external source published, when,
-- and what creditsync made of it.
--
-- A sync never writes the list tables until a source's snapshot is
-- complete and has passed its assertions: pages go to sync_pending first,
-- so a failed, partial or malformed fetch leaves the previous state
-- standing, and an interrupted one resumes after its last stored page.

-- Every page fetched, as received (credentials redacted): removed or
-- repaired records vanish from the sites, so these are the only history.
-- Pages of a snapshot still open are in sync_pending; failed answers
-- (challenge pages, changed layouts) are written here at once.
CREATE TABLE IF NOT EXISTS raw_pages {{.OnCluster}} (
    source     LowCardinality(String),
    run_id     String,
    page       UInt32,
    url        String COMMENT 'credentials redacted',
    fetched_at DateTime64(3, 'UTC'),
    status     UInt16 COMMENT 'HTTP status; 0 when no response arrived',
    sha256     String,
    bytes      UInt64,
    encoding   LowCardinality(String),
    error      String COMMENT 'why the page was not used, empty when it was',
    body       String CODEC(ZSTD(3))
) ENGINE = {{engine "MergeTree"}}
ORDER BY (source, fetched_at);

-- One row per sync of a source; rewritten (same run_id, higher version)
-- when the run ends, so a run that died shows as running.
CREATE TABLE IF NOT EXISTS sync_runs {{.OnCluster}} (
    run_id        String,
    source        LowCardinality(String),
    list          LowCardinality(String),
    mode          LowCardinality(String) COMMENT 'snapshot | incremental',
    snapshot_id   String COMMENT 'the snapshot this run fetched pages of; a resumed snapshot spans runs',
    started_at    DateTime64(3, 'UTC'),
    finished_at   Nullable(DateTime64(3, 'UTC')),
    status        LowCardinality(String) COMMENT 'running | ok | partial | failed',
    complete      Bool COMMENT 'the snapshot reached the end of the list and was loaded',
    pages         UInt32 COMMENT 'pages fetched by this run',
    rows          UInt64 COMMENT 'distinct valid records in the loaded snapshot',
    rejected      UInt64,
    added         UInt64,
    modified      UInt64,
    removed       UInt64,
    unchanged     UInt64,
    unused_fields Array(String) COMMENT 'source fields the mapping does not use',
    error         String,
    version       UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (source, run_id);

-- Each source's open snapshot (empty snapshot_id: none) and the
-- watermark of incremental sources. Where the snapshot stands is read
-- from its pages in sync_pending.
CREATE TABLE IF NOT EXISTS sync_state {{.OnCluster}} (
    source           LowCardinality(String),
    snapshot_id      String COMMENT 'empty when no snapshot is open',
    snapshot_started Nullable(DateTime64(3, 'UTC')),
    watermark        Nullable(DateTime64(3, 'UTC')) COMMENT 'incremental sources: start of the last complete snapshot',
    updated_at       DateTime64(3, 'UTC'),
    version          UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY source;

-- The pages of open snapshots, until the snapshot is complete: per page
-- one row (seq 0) holding the page as received and the resume position
-- after it, then one row per record. A page and its position are written
-- in one insert, so an interrupted sync resumes exactly after the last
-- page stored. A page fetched twice is read from its latest fetch only.
-- When the snapshot closes its page rows move to raw_pages. The TTL only
-- sweeps what an abandoned installation left behind.
CREATE TABLE IF NOT EXISTS sync_pending {{.OnCluster}} (
    source      LowCardinality(String),
    snapshot_id String,
    page        UInt32,
    fetch_id    String,
    seq         UInt32 COMMENT '0: the page itself; 1…: its records',
    run_id      String,
    url         String COMMENT 'credentials redacted',
    status      UInt16,
    sha256      String,
    bytes       UInt64,
    encoding    LowCardinality(String) COMMENT 'of the page; XLSX means dates may be Excel serial numbers',
    body        String CODEC(ZSTD(3)),
    position    String COMMENT 'page row: resume token of the next page',
    header      String COMMENT 'JSON array: the field names as the source published them',
    fields      String COMMENT 'record rows: JSON array aligned with header',
    fetched_at  DateTime64(3, 'UTC')
) ENGINE = {{engine "MergeTree"}}
ORDER BY (source, snapshot_id, page, fetch_id, seq)
TTL toDateTime(fetched_at) + INTERVAL 90 DAY;

-- Every external record a source has published, keyed like its list:
-- when it was first and last seen, its contract values as last seen (to
-- count modifications and to write a removal), and when it vanished.
CREATE TABLE IF NOT EXISTS external_records {{.OnCluster}} (
    source        LowCardinality(String),
    list          LowCardinality(String),
    record_key    String COMMENT 'the list key values joined by U+001F',
    uscc          String,
    name          String,
    row_hash      String COMMENT 'of the contract values',
    record        String COMMENT 'JSON object: contract column → value as text',
    extra         String COMMENT 'JSON object of fields outside the contract',
    first_seen    DateTime64(3, 'UTC'),
    last_seen     DateTime64(3, 'UTC'),
    last_snapshot String,
    removed_on    Nullable(Date) COMMENT 'date of the first complete snapshot that lacked the record',
    version       UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (source, list, record_key);

-- External records without a USCC whose normalised name matched no
-- institution or several: kept for a person to decide, never guessed.
CREATE TABLE IF NOT EXISTS review_queue {{.OnCluster}} (
    list       LowCardinality(String),
    record_key String,
    source     LowCardinality(String),
    name       String,
    name_key   String,
    candidates Array(String) COMMENT 'USCCs of the institutions with that name key at queueing time',
    queued_at  DateTime64(3, 'UTC') COMMENT 'when the record was first queued',
    version    UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (list, record_key);
