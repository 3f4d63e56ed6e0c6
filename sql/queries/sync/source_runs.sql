-- Per source: the last run, the last success and its snapshot size.
SELECT source,
       max(started_at)                          AS last_run,
       argMax(status, started_at)               AS last_status,
       argMax(error, started_at)                AS last_error,
       maxIf(finished_at, status = 'ok')        AS last_success,
       argMaxIf(rows, finished_at, status = 'ok' AND complete) AS snapshot_rows,
       argMax(mislabelled, started_at)          AS last_mislabelled
FROM sync_runs FINAL
GROUP BY source
