-- Runs left 'running' by a process that died (kill -9, a crash, the
-- machine stopping): written only under the jobs lease, so when a process
-- holds it no other run is going on, and a row still running is a dead
-- one's. It is recorded interrupted, finished when found, saying so; a
-- run that lives rewrites its own rows with a later version anyway.
INSERT INTO job_runs
SELECT * REPLACE (
    'interrupted' AS status,
    coalesce(finished_at, now64(3)) AS finished_at,
    if(error = '', 'the process running it stopped without finishing it (killed, or the machine stopped); found by the next command that took the jobs lease', error) AS error,
    toUnixTimestamp64Micro(now64(6)) AS version)
-- (Filtered in a subquery: the replaced status is an alias WHERE would see.)
FROM (SELECT * FROM job_runs FINAL WHERE status = 'running')
