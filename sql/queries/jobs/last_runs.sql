-- The latest run of every job, step by step. A row still 'running' when
-- no live process holds the jobs lease ({holder_gone}: every run holds
-- it) is a dead process's — killed, crashed, the machine stopped — that
-- no command has recorded yet (jobs/interrupt_dead.sql): it shows as
-- 'died', saying so, not as running until the next run.
WITH latest AS (
    SELECT job, argMax(run_id, started_at) AS run_id
    FROM job_runs FINAL
    WHERE step = ''
    GROUP BY job
)
SELECT job, run_id, seq, if(step = '', '(run)', step) AS step,
       if(job_runs.status = 'running' AND {holder_gone:Bool}, 'died', job_runs.status) AS status,
       started_at, finished_at,
       round(dateDiff('millisecond', started_at, finished_at) / 1000, 1) AS seconds,
       arrayStringConcat(arrayMap((k, v) -> concat(k, '=', toString(v)), mapKeys(counts), mapValues(counts)), ' ') AS counts,
       if(job_runs.status = 'running' AND {holder_gone:Bool},
          'its process is gone (killed, or the machine stopped) and nobody holds the jobs lease; the next job, or the daemon as it starts, records it interrupted',
          job_runs.error) AS error
FROM job_runs FINAL
WHERE (job, run_id) IN (SELECT job, run_id FROM latest)
ORDER BY job, seq
