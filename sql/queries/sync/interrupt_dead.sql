-- Syncs left 'running' by a process that died: syncs run only under the
-- jobs lease (see jobs/interrupt_dead.sql), so one still running when a
-- process takes the lease is a dead one's, recorded interrupted.
INSERT INTO sync_runs
SELECT * REPLACE (
    'interrupted' AS status,
    coalesce(finished_at, now64(3)) AS finished_at,
    if(error = '', 'the process running it stopped without finishing it (killed, or the machine stopped); found by the next command that took the jobs lease', error) AS error,
    {version:UInt64} AS version)
-- (Filtered in a subquery: the replaced status is an alias WHERE would see.)
FROM (SELECT * FROM sync_runs FINAL WHERE status = 'running')
