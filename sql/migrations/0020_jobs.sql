-- One row per step of every job run (nightly, sync, reports), so an
-- operator can see what ran, when, with what counts and which error.

CREATE TABLE IF NOT EXISTS job_runs {{.OnCluster}} (
    run_id      String,
    job         LowCardinality(String),
    step        LowCardinality(String) COMMENT '"" for the row that summarises the whole run',
    seq         UInt16 COMMENT 'order of the step within the run',
    required    Bool,
    status      LowCardinality(String) COMMENT 'running | ok | failed | skipped | panicked',
    started_at  DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    counts      Map(String, Int64),
    summary     String COMMENT 'what the step did, for people',
    error       String,
    host        String,
    version     UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (job, run_id, seq);
